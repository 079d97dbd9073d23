//! The coordinators' copy of a recommendation as stored.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kiv_domain::evaluation::Recommendation;
use kiv_domain::LocalizedText;

use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::schema::recommendations;

/// The coordinators' copy of a recommendation: the draft's while a revision is being written
/// (`super::copies` keeps the published one).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = recommendations, treat_none_as_null = true)]
pub(crate) struct RecommendationRow {
    pub(crate) id: String,
    pub(crate) evaluation_id: String,
    pub(crate) text: JsonValue<LocalizedText>,
    pub(crate) organisation_ids: JsonValue<Vec<String>>,
    pub(crate) priority: String,
    pub(crate) due_date: Option<NaiveDate>,
    pub(crate) status: String,
    pub(crate) status_note: Option<JsonValue<LocalizedText>>,
    pub(crate) version: i32,
    pub(crate) created_by: String,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
}

impl RecommendationRow {
    pub(crate) fn into_domain(self) -> StoreResult<Recommendation> {
        Ok(Recommendation {
            priority: self.priority.parse().map_err(StoreError::corrupt)?,
            status: self.status.parse().map_err(StoreError::corrupt)?,
            id: self.id,
            evaluation_id: self.evaluation_id,
            text: self.text.0,
            organisation_ids: self.organisation_ids.0,
            due_date: self.due_date,
            status_note: self.status_note.map(|n| n.0),
            version: self.version,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    pub(crate) fn of(record: &Recommendation) -> Self {
        RecommendationRow {
            id: record.id.clone(),
            evaluation_id: record.evaluation_id.clone(),
            text: JsonValue(record.text.clone()),
            organisation_ids: JsonValue(record.organisation_ids.clone()),
            priority: record.priority.as_str().to_owned(),
            due_date: record.due_date,
            status: record.status.as_str().to_owned(),
            status_note: record.status_note.clone().map(JsonValue),
            version: record.version,
            created_by: record.created_by.clone(),
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}
