//! Reads of follow-ups: one, a filtered page, a history, the actions' states and the actions
//! missing a report.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::planning::ActionState;
use kiv_domain::{
    Action, Caller, FollowUp, FollowUpStatus, IndicatorMeasure, PageRequest, ReportingPeriod,
    WorkflowState,
};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::{load_page, total_count, Page};
use crate::planning::actions;
use crate::schema::{
    action_states, actions as action_table, approved_follow_ups, follow_up_events, follow_ups,
    indicators,
};

use super::rows::{with_values, FollowUpRow};

/// The follow-up `id` and its action, if `caller` may read them; `NotFound` otherwise, as if
/// the follow-up did not exist (a reporter learns nothing of other organisations' follow-ups).
/// Every operation on one follow-up starts here, so the rule is applied once, in the same
/// transaction as the operation.
pub fn readable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<(FollowUp, Action)> {
    let follow_up = get(conn, id)?.ok_or(StoreError::NotFound)?;
    let action = actions::get(conn, &follow_up.action_id)?.ok_or(StoreError::NotFound)?;
    if !caller.may_read_follow_ups(&action) {
        return Err(StoreError::NotFound);
    }
    Ok((follow_up, action))
}

/// The follow-up `id` as `caller` may read it (see [`readable`]).
pub fn read(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<FollowUp> {
    readable(conn, caller, id).map(|(follow_up, _)| follow_up)
}

pub(crate) fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<FollowUp>> {
    let row = follow_ups::table
        .find(id)
        .select(FollowUpRow::as_select())
        .first(conn)
        .optional()?;
    Ok(with_values(conn, row.into_iter().collect())?.pop())
}

pub(crate) fn reportable_indicators(
    conn: &mut DbConnection,
    action: &Action,
) -> StoreResult<Vec<(String, IndicatorMeasure)>> {
    let rows: Vec<(String, String)> = indicators::table
        .filter(
            indicators::action_id
                .eq(&action.id)
                .or(indicators::objective_id.eq(&action.objective_id)),
        )
        .select((indicators::id, indicators::measure))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, measure)| Ok((id, measure.parse().map_err(StoreError::corrupt)?)))
        .collect()
}

/// One entry of a follow-up's history.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = follow_up_events)]
pub struct FollowUpEvent {
    pub id: String,
    pub follow_up_id: String,
    pub revision: i32,
    /// `created`, `updated`, `submitted`, `approved`, `returned`, `reopened`.
    pub event: String,
    pub account_login: String,
    pub organisation_id: String,
    pub occurred_at: NaiveDateTime,
    pub note: Option<String>,
    pub snapshot: JsonValue<serde_json::Value>,
}

/// Every event of a follow-up `caller` may read (see [`readable`]), oldest first.
pub fn history(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    page: PageRequest,
) -> StoreResult<Page<FollowUpEvent>> {
    readable(conn, caller, id)?;
    let filtered = || follow_up_events::table.filter(follow_up_events::follow_up_id.eq(id));
    load_page(
        conn,
        filtered()
            .order((
                follow_up_events::occurred_at.asc(),
                follow_up_events::revision.asc(),
            ))
            .select((FollowUpEvent::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )
}

/// The current state of each action: its latest approved follow-up, `notReported` without one.
pub fn action_states(
    conn: &mut DbConnection,
    action_ids: &[&str],
) -> StoreResult<HashMap<String, ActionState>> {
    let rows: Vec<(String, String, Option<f64>, String)> = action_states::table
        .filter(action_states::action_id.eq_any(action_ids))
        .select((
            action_states::action_id,
            action_states::status,
            action_states::progress,
            action_states::period,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(action_id, status, progress, period)| {
            Ok((
                action_id,
                actions::action_state(&status, progress, &period)?,
            ))
        })
        .collect()
}

/// Filters of the follow-up collection.
#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    pub action_id: Option<String>,
    pub period: Option<ReportingPeriod>,
    pub state: Option<WorkflowState>,
    pub status: Option<FollowUpStatus>,
    /// Follow-ups reported by this organisation.
    pub organisation_id: Option<String>,
    pub plan_id: Option<String>,
    /// Only follow-ups of actions this organisation leads or takes part in (a reporter's view).
    pub involving: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &FollowUpFilter,
    page: PageRequest,
) -> StoreResult<Page<FollowUp>> {
    use crate::schema::objectives;
    let filtered = || {
        let mut query = follow_ups::table.into_boxed();
        if let Some(action_id) = &filter.action_id {
            query = query.filter(follow_ups::action_id.eq(action_id.clone()));
        }
        if let Some(period) = filter.period {
            query = query.filter(follow_ups::period.eq(period.to_string()));
        }
        if let Some(state) = filter.state {
            query = query.filter(follow_ups::state.eq(state.as_str()));
        }
        if let Some(status) = filter.status {
            query = query.filter(follow_ups::status.eq(status.as_str()));
        }
        if let Some(organisation_id) = &filter.organisation_id {
            query = query.filter(follow_ups::organisation_id.eq(organisation_id.clone()));
        }
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(
                follow_ups::action_id.eq_any(
                    action_table::table
                        .inner_join(objectives::table)
                        .filter(objectives::plan_id.eq(plan_id.clone()))
                        .select(action_table::id),
                ),
            );
        }
        if let Some(organisation_id) = &filter.involving {
            query = query.filter(follow_ups::action_id.eq_any(actions::involving(organisation_id)));
        }
        query
    };
    let Page { items: rows, total } = load_page(
        conn,
        filtered()
            .order((follow_ups::period_start.desc(), follow_ups::action_id.asc()))
            .select((FollowUpRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    Ok(Page {
        items: with_values(conn, rows)?,
        total,
    })
}

/// The first page of follow-ups `filter` selects, as large as `page` says, with the actions they
/// report on: what an export writes, read in one go.
pub fn list_with_actions(
    conn: &mut DbConnection,
    filter: &FollowUpFilter,
    page: PageRequest,
) -> StoreResult<(Vec<FollowUp>, Vec<Action>)> {
    let found = list(conn, filter, page)?;
    let ids: Vec<&str> = found.items.iter().map(|f| f.action_id.as_str()).collect();
    let actions = actions::get_many(conn, &ids)?;
    Ok((found.items, actions))
}

/// The actions due a report for `period` that have none submitted or approved: planned during
/// the period, not cancelled, optionally of one organisation (lead or partner).
pub fn missing(
    conn: &mut DbConnection,
    period: ReportingPeriod,
    organisation_id: Option<&str>,
    page: PageRequest,
) -> StoreResult<Page<Action>> {
    let filtered = || {
        let reported = follow_ups::table
            .filter(follow_ups::period.eq(period.to_string()))
            .filter(follow_ups::state.eq_any([
                WorkflowState::Submitted.as_str(),
                WorkflowState::Approved.as_str(),
            ]))
            .select(follow_ups::action_id);
        let approved = approved_follow_ups::table
            .filter(approved_follow_ups::period.eq(period.to_string()))
            .select(approved_follow_ups::action_id);
        let cancelled = action_states::table
            .filter(action_states::status.eq(FollowUpStatus::Cancelled.as_str()))
            .select(action_states::action_id);
        let mut query = action_table::table
            .filter(action_table::planned_start.le(period.end()))
            .filter(action_table::planned_end.ge(period.start()))
            .filter(diesel::dsl::not(action_table::id.eq_any(reported)))
            .filter(diesel::dsl::not(action_table::id.eq_any(approved)))
            .filter(diesel::dsl::not(action_table::id.eq_any(cancelled)))
            .into_boxed();
        if let Some(organisation_id) = organisation_id {
            query = query.filter(action_table::id.eq_any(actions::involving(organisation_id)));
        }
        query
    };
    let ids: Page<String> = load_page(
        conn,
        filtered()
            .order(action_table::id)
            .select((action_table::id, total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    let chosen: Vec<&str> = ids.items.iter().map(String::as_str).collect();
    Ok(Page {
        items: actions::get_many(conn, &chosen)?,
        total: ids.total,
    })
}
