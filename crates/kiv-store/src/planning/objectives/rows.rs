//! The objective tables' rows and their conversion to [`Objective`], with the themes and owners
//! of the link tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::{LocalizedText, Objective};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::records::load_links;
use crate::schema::objectives;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = objectives, treat_none_as_null = true)]
pub(crate) struct ObjectiveRow {
    pub id: String,
    pub plan_id: String,
    pub cluster_id: Option<String>,
    pub parent_id: Option<String>,
    pub code: String,
    pub level: String,
    pub title: JsonValue<LocalizedText>,
    pub description: Option<JsonValue<LocalizedText>>,
    pub sort_title: String,
    pub search_text: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn to_objective(
    row: ObjectiveRow,
    theme_ids: Vec<String>,
    owners: Vec<String>,
) -> StoreResult<Objective> {
    let ObjectiveRow {
        id,
        plan_id,
        cluster_id,
        parent_id,
        code,
        level,
        title,
        description,
        sort_title: _,
        search_text: _,
        version,
        created_at,
        updated_at,
    } = row;
    Ok(Objective {
        level: level.parse().map_err(StoreError::corrupt)?,
        id,
        plan_id,
        cluster_id,
        parent_id,
        code,
        title: title.0,
        description: description.map(|d| d.0),
        theme_ids,
        owner_organisation_ids: owners,
        version,
        created_at,
        updated_at,
    })
}

pub(super) fn with_links(
    conn: &mut DbConnection,
    rows: Vec<ObjectiveRow>,
) -> StoreResult<Vec<Objective>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut themes = load_links!(conn, objective_themes, objective_id, theme_id, &ids);
    let mut owners = load_links!(conn, objective_owners, objective_id, organisation_id, &ids);
    rows.into_iter()
        .map(|row| {
            let theme_ids = themes.remove(&row.id).unwrap_or_default();
            let owner_ids = owners.remove(&row.id).unwrap_or_default();
            to_objective(row, theme_ids, owner_ids)
        })
        .collect()
}
