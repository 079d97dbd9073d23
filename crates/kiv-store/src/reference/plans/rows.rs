//! A plan as stored: its row, its links to clusters and themes, and the plan they make.

use chrono::NaiveDate;
use diesel::prelude::*;
use kiv_domain::{LocalizedText, Plan};

use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::schema::plans;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = plans)]
pub(crate) struct PlanRow {
    pub id: String,
    pub kind: String,
    pub title: JsonValue<LocalizedText>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub reporting_frequency: String,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// The clusters and themes of one plan, in plan order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PlanLinks {
    pub cluster_ids: Vec<String>,
    pub theme_ids: Vec<String>,
}

pub(super) fn to_plan(row: PlanRow, links: PlanLinks) -> StoreResult<Plan> {
    let PlanRow {
        id,
        kind,
        title,
        period_start,
        period_end,
        reporting_frequency,
        version,
        created_at: _,
        updated_at,
    } = row;
    let PlanLinks {
        cluster_ids,
        theme_ids,
    } = links;
    Ok(Plan {
        kind: kind.parse().map_err(StoreError::corrupt)?,
        reporting_frequency: reporting_frequency.parse().map_err(StoreError::corrupt)?,
        id,
        title: title.0,
        period_start,
        period_end,
        cluster_ids,
        theme_ids,
        version,
        updated_at,
    })
}
