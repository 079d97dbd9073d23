//! An organisation as stored, and the organisation it is.

use diesel::prelude::*;
use kiv_domain::{LocalizedText, Organisation};

use crate::error::StoreError;
use crate::json::JsonValue;
use crate::schema::organisations;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organisations, treat_none_as_null = true)]
pub(crate) struct OrganisationRow {
    pub id: String,
    pub name: JsonValue<LocalizedText>,
    pub kind: String,
    pub coordinator: bool,
    pub parent_id: Option<String>,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StoreError;

    fn try_from(row: OrganisationRow) -> Result<Self, Self::Error> {
        let OrganisationRow {
            id,
            name,
            kind,
            coordinator,
            parent_id,
            version,
            created_at: _,
            updated_at,
        } = row;
        Ok(Organisation {
            kind: kind.parse().map_err(StoreError::corrupt)?,
            id,
            name: name.0,
            coordinator,
            parent_id,
            version,
            updated_at,
        })
    }
}
