//! The follow-up tables' rows and their conversion to and from [`FollowUp`].

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kiv_domain::planning::IndicatorValue;
use kiv_domain::{FollowUp, LocalizedText, ReportedValue};

use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::schema::{follow_up_values, follow_ups};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = follow_ups,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(crate) struct FollowUpRow {
    pub(crate) id: String,
    pub(crate) action_id: String,
    pub(crate) period: String,
    pub(crate) period_start: NaiveDate,
    pub(crate) status: String,
    pub(crate) progress: Option<f64>,
    pub(crate) narrative: Option<JsonValue<LocalizedText>>,
    pub(crate) state: String,
    pub(crate) organisation_id: String,
    pub(crate) created_by: String,
    pub(crate) submitted_at: Option<NaiveDateTime>,
    pub(crate) reviewed_by: Option<String>,
    pub(crate) reviewed_at: Option<NaiveDateTime>,
    pub(crate) review_note: Option<String>,
    pub(crate) revision: i32,
    pub(crate) version: i32,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = follow_up_values, treat_none_as_default_value = false)]
pub(crate) struct ValueRow {
    pub(crate) follow_up_id: String,
    pub(crate) indicator_id: String,
    pub(crate) position: i32,
    pub(crate) number_value: Option<f64>,
    pub(crate) text_value: Option<String>,
    pub(crate) comment: Option<JsonValue<LocalizedText>>,
}

impl ValueRow {
    fn reported(self) -> ReportedValue {
        ReportedValue {
            indicator_id: self.indicator_id,
            value: match (self.number_value, self.text_value) {
                (Some(number), _) => IndicatorValue::Number(number),
                (None, text) => IndicatorValue::Text(text.unwrap_or_default()),
            },
            comment: self.comment.map(|c| c.0),
        }
    }
}

pub(super) fn split(value: &IndicatorValue) -> (Option<f64>, Option<String>) {
    match value {
        IndicatorValue::Number(number) => (Some(*number), None),
        IndicatorValue::Text(text) => (None, Some(text.clone())),
    }
}

pub(super) fn to_follow_up(row: FollowUpRow, values: Vec<ReportedValue>) -> StoreResult<FollowUp> {
    let FollowUpRow {
        id,
        action_id,
        period,
        period_start: _,
        status,
        progress,
        narrative,
        state,
        organisation_id,
        created_by,
        submitted_at,
        reviewed_by,
        reviewed_at,
        review_note,
        revision,
        version,
        created_at,
        updated_at,
    } = row;
    Ok(FollowUp {
        period: period.parse().map_err(StoreError::corrupt)?,
        status: status.parse().map_err(StoreError::corrupt)?,
        state: state.parse().map_err(StoreError::corrupt)?,
        id,
        action_id,
        progress,
        narrative: narrative.map(|n| n.0),
        indicator_values: values,
        organisation_id,
        created_by,
        submitted_at,
        reviewed_by,
        reviewed_at,
        review_note,
        revision,
        version,
        created_at,
        updated_at,
    })
}

pub(super) fn with_values(
    conn: &mut DbConnection,
    rows: Vec<FollowUpRow>,
) -> StoreResult<Vec<FollowUp>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let values: Vec<ValueRow> = follow_up_values::table
        .filter(follow_up_values::follow_up_id.eq_any(&ids))
        .order((follow_up_values::follow_up_id, follow_up_values::position))
        .select(ValueRow::as_select())
        .load(conn)?;
    let mut grouped: HashMap<String, Vec<ReportedValue>> = HashMap::new();
    for value in values {
        grouped
            .entry(value.follow_up_id.clone())
            .or_default()
            .push(value.reported());
    }
    rows.into_iter()
        .map(|row| {
            let values = grouped.remove(&row.id).unwrap_or_default();
            to_follow_up(row, values)
        })
        .collect()
}

pub(super) fn row_of(follow_up: &FollowUp) -> FollowUpRow {
    FollowUpRow {
        id: follow_up.id.clone(),
        action_id: follow_up.action_id.clone(),
        period: follow_up.period.to_string(),
        period_start: follow_up.period.start(),
        status: follow_up.status.as_str().to_owned(),
        progress: follow_up.progress,
        narrative: follow_up.narrative.clone().map(JsonValue),
        state: follow_up.state.as_str().to_owned(),
        organisation_id: follow_up.organisation_id.clone(),
        created_by: follow_up.created_by.clone(),
        submitted_at: follow_up.submitted_at,
        reviewed_by: follow_up.reviewed_by.clone(),
        reviewed_at: follow_up.reviewed_at,
        review_note: follow_up.review_note.clone(),
        revision: follow_up.revision,
        version: follow_up.version + 1,
        created_at: follow_up.created_at,
        updated_at: now(),
    }
}
