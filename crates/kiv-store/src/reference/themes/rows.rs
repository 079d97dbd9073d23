//! A theme as stored, and the theme it is.

use diesel::prelude::*;
use kiv_domain::{LocalizedText, Theme};

use crate::json::JsonValue;
use crate::schema::themes;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = themes)]
pub(crate) struct ThemeRow {
    pub id: String,
    pub position: i32,
    pub name: JsonValue<LocalizedText>,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl From<ThemeRow> for Theme {
    fn from(row: ThemeRow) -> Self {
        let ThemeRow {
            id,
            position,
            name,
            version,
            created_at: _,
            updated_at,
        } = row;
        Theme {
            id,
            position,
            name: name.0,
            version,
            updated_at,
        }
    }
}
