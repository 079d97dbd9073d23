//! The compliance report: per lead organisation, the actions due a report for a period and
//! where their reports stand now.

use std::collections::HashMap;

use diesel::prelude::*;
use kiv_domain::report::compliance::by_organisation;
use kiv_domain::report::{ComplianceReport, Reporting};
use kiv_domain::{FollowUpStatus, Plan, ReportingPeriod};

use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::schema::{actions, approved_follow_ups, objectives, organisations};

/// The compliance report of `plan` for `period`, worst first.
pub fn compliance_report(
    conn: &mut DbConnection,
    plan: &Plan,
    period: ReportingPeriod,
) -> StoreResult<ComplianceReport> {
    let due = compliance_data(conn, &plan.id, period)?;
    let names: HashMap<String, kiv_domain::LocalizedText> = organisations::table
        .select((organisations::id, organisations::name))
        .load::<(String, crate::json::JsonValue<kiv_domain::LocalizedText>)>(conn)?
        .into_iter()
        .map(|(id, name)| (id, name.0))
        .collect();
    Ok(ComplianceReport {
        plan_id: plan.id.clone(),
        period: period.to_string(),
        organisations: by_organisation(due, |id| names.get(id)),
    })
}

/// The actions of a plan due a report for `period`, with their lead organisation and where
/// their report stands now. Cancelled actions are not due.
fn compliance_data(
    conn: &mut DbConnection,
    plan_id: &str,
    period: ReportingPeriod,
) -> StoreResult<Vec<(String, Reporting)>> {
    use crate::schema::{action_states, follow_ups};
    let due: Vec<(String, String)> = actions::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .filter(actions::planned_start.le(period.end()))
        .filter(actions::planned_end.ge(period.start()))
        .filter(diesel::dsl::not(
            actions::id.eq_any(
                action_states::table
                    .filter(action_states::status.eq(FollowUpStatus::Cancelled.as_str()))
                    .select(action_states::action_id),
            ),
        ))
        .select((actions::id, actions::lead_organisation_id))
        .load(conn)?;
    let ids: Vec<&str> = due.iter().map(|(id, _)| id.as_str()).collect();
    let states: HashMap<String, String> = follow_ups::table
        .filter(follow_ups::action_id.eq_any(&ids))
        .filter(follow_ups::period.eq(period.to_string()))
        .select((follow_ups::action_id, follow_ups::state))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let approved: Vec<String> = approved_follow_ups::table
        .filter(approved_follow_ups::action_id.eq_any(&ids))
        .filter(approved_follow_ups::period.eq(period.to_string()))
        .select(approved_follow_ups::action_id)
        .load(conn)?;
    Ok(due
        .into_iter()
        .map(|(id, organisation_id)| {
            let reporting = if approved.contains(&id) {
                Reporting::Approved
            } else if states.get(&id).is_some_and(|s| s == "submitted") {
                Reporting::Submitted
            } else {
                Reporting::Missing
            };
            (organisation_id, reporting)
        })
        .collect())
}
