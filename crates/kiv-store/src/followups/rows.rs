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
use crate::schema::{
    action_states, approved_follow_ups, approved_values, follow_up_values, follow_ups,
};

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

pub(crate) fn split(value: &IndicatorValue) -> (Option<f64>, Option<String>) {
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

/// The approved revision of a follow-up, kept for good: what reports count.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = approved_follow_ups, treat_none_as_default_value = false)]
pub(crate) struct ApprovedRow {
    pub(crate) id: String,
    pub(crate) follow_up_id: String,
    pub(crate) revision: i32,
    pub(crate) action_id: String,
    pub(crate) period: String,
    pub(crate) period_start: NaiveDate,
    pub(crate) status: String,
    pub(crate) progress: Option<f64>,
    pub(crate) approved_at: NaiveDateTime,
    pub(crate) approved_by: String,
}

/// A value of an approved revision.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = approved_values, treat_none_as_default_value = false)]
pub(crate) struct ApprovedValueRow {
    pub(crate) approved_id: String,
    pub(crate) indicator_id: String,
    pub(crate) number_value: Option<f64>,
    pub(crate) text_value: Option<String>,
}

/// An action's current state: its latest approved revision.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = action_states, treat_none_as_default_value = false)]
pub(crate) struct ActionStateRow {
    pub(crate) action_id: String,
    pub(crate) approved_id: String,
    pub(crate) status: String,
    pub(crate) progress: Option<f64>,
    pub(crate) period: String,
    pub(crate) period_start: NaiveDate,
    pub(crate) approved_at: NaiveDateTime,
}

/// What an approval keeps: the approved revision, its values, and the action's state it becomes
/// unless the action has one of a later period.
pub(crate) struct Approval {
    pub(crate) approved: ApprovedRow,
    pub(crate) values: Vec<ApprovedValueRow>,
    pub(crate) state: ActionStateRow,
}

/// The rows of `follow_up` approved as `approved_id` by `login` at `at`: written one approval at
/// a time by the review, and in bulk by the synthetic data.
pub(crate) fn approval(
    follow_up: &FollowUp,
    approved_id: String,
    login: &str,
    at: NaiveDateTime,
) -> Approval {
    let values = follow_up
        .indicator_values
        .iter()
        .map(|reported| {
            let (number_value, text_value) = split(&reported.value);
            ApprovedValueRow {
                approved_id: approved_id.clone(),
                indicator_id: reported.indicator_id.clone(),
                number_value,
                text_value,
            }
        })
        .collect();
    Approval {
        approved: ApprovedRow {
            id: approved_id.clone(),
            follow_up_id: follow_up.id.clone(),
            revision: follow_up.revision,
            action_id: follow_up.action_id.clone(),
            period: follow_up.period.to_string(),
            period_start: follow_up.period.start(),
            status: follow_up.status.as_str().to_owned(),
            progress: follow_up.progress,
            approved_at: at,
            approved_by: login.to_owned(),
        },
        values,
        state: ActionStateRow {
            action_id: follow_up.action_id.clone(),
            approved_id,
            status: follow_up.status.as_str().to_owned(),
            progress: follow_up.progress,
            period: follow_up.period.to_string(),
            period_start: follow_up.period.start(),
            approved_at: at,
        },
    }
}
