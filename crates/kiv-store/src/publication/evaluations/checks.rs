//! What a new or changed evaluation must satisfy against the stored data: its plan, subject,
//! organisations and evidence exist and fit, and no other evaluation has its plan, subject,
//! round and periods.

use diesel::prelude::*;
use kiv_domain::evaluation::{
    check_range, check_subject, Evaluation, Evidence, PeriodRange, Subject,
};
use kiv_domain::{InputIssue, IssueLocation, Plan};
use serde_json::Value;

use super::rows::EvaluationInput;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::planning::check_organisations;
use crate::records::reject_if_any;
use crate::reference::plans;
use crate::schema::{
    action_themes, actions, evaluations, follow_up_values, follow_ups, objective_themes, objectives,
};

pub(super) fn body_issue(
    name: impl Into<String>,
    value: Option<Value>,
    detail: impl Into<String>,
) -> InputIssue {
    InputIssue::invalid(IssueLocation::Body, name, value, detail)
}

/// Checks everything that needs the stored data; returns the plan and the subject.
pub(super) fn validate(
    conn: &mut DbConnection,
    input: &EvaluationInput,
) -> StoreResult<(Plan, Subject)> {
    let Some(plan) = plans::get(conn, &input.plan_id)? else {
        return Err(StoreError::Rejected(vec![
            InputIssue::referenced_resource_not_found(
                IssueLocation::Body,
                "planId",
                &input.plan_id,
            ),
        ]));
    };
    let mut issues = check_range(&plan, input.period);
    let subject = match check_subject(
        &plan,
        input.cluster_id.as_deref(),
        input.theme_id.as_deref(),
    ) {
        Ok(subject) => Some(subject),
        Err(refused) => {
            issues.extend(refused);
            None
        }
    };
    check_organisations(
        conn,
        "evaluatingOrganisationIds",
        &input.evaluating_organisation_ids,
        &mut issues,
    )?;
    if let Some(subject) = &subject {
        check_evidence(
            conn,
            &plan,
            subject,
            input.period,
            &input.evidence,
            &mut issues,
        )?;
    }
    reject_if_any(issues)?;
    let subject = subject.ok_or_else(|| StoreError::Corrupt("no subject".into()))?;
    Ok((plan, subject))
}

/// Evidence must exist and belong to the evaluation's plan, subject and periods.
fn check_evidence(
    conn: &mut DbConnection,
    plan: &Plan,
    subject: &Subject,
    range: PeriodRange,
    evidence: &[Evidence],
    issues: &mut Vec<InputIssue>,
) -> StoreResult<()> {
    for (index, item) in evidence.iter().enumerate() {
        let field = format!("evidence[{index}].followUpId");
        let found: Option<(String, String, String, Option<String>, String)> = follow_ups::table
            .inner_join(actions::table.inner_join(objectives::table))
            .filter(follow_ups::id.eq(&item.follow_up_id))
            .select((
                follow_ups::period,
                actions::id,
                objectives::plan_id,
                objectives::cluster_id,
                objectives::id,
            ))
            .first(conn)
            .optional()?;
        let Some((period, action_id, plan_id, cluster_id, objective_id)) = found else {
            issues.push(InputIssue::referenced_resource_not_found(
                IssueLocation::Body,
                &field,
                &item.follow_up_id,
            ));
            continue;
        };
        let value = Some(Value::from(item.follow_up_id.as_str()));
        if plan_id != plan.id {
            issues.push(body_issue(
                &field,
                value,
                format!(
                    "the follow-up belongs to plan {plan_id}, not to plan {}",
                    plan.id
                ),
            ));
            continue;
        }
        let in_subject = match subject {
            Subject::Cluster(cluster) => cluster_id.as_deref() == Some(cluster.as_str()),
            Subject::Theme(theme) => {
                let on_action: i64 = action_themes::table
                    .filter(action_themes::action_id.eq(&action_id))
                    .filter(action_themes::theme_id.eq(theme))
                    .count()
                    .get_result(conn)?;
                let on_objective: i64 = objective_themes::table
                    .filter(objective_themes::objective_id.eq(&objective_id))
                    .filter(objective_themes::theme_id.eq(theme))
                    .count()
                    .get_result(conn)?;
                on_action + on_objective > 0
            }
        };
        if !in_subject {
            let what = match subject {
                Subject::Cluster(cluster) => format!(
                    "the follow-up is of cluster {}, not of cluster {cluster}",
                    cluster_id.as_deref().unwrap_or("none")
                ),
                Subject::Theme(theme) => {
                    format!("the follow-up's action is not under theme {theme}")
                }
            };
            issues.push(body_issue(&field, value, what));
            continue;
        }
        let period: kiv_domain::ReportingPeriod = period.parse().map_err(StoreError::corrupt)?;
        if period < range.from || period > range.to {
            issues.push(body_issue(
                &field,
                value,
                format!(
                    "the follow-up is for {period}, outside the evaluated periods {}..{}",
                    range.from, range.to
                ),
            ));
            continue;
        }
        if let Some(indicator_id) = &item.indicator_id {
            let reported: i64 = follow_up_values::table
                .filter(follow_up_values::follow_up_id.eq(&item.follow_up_id))
                .filter(follow_up_values::indicator_id.eq(indicator_id))
                .count()
                .get_result(conn)?;
            if reported == 0 {
                issues.push(body_issue(
                    format!("evidence[{index}].indicatorId"),
                    Some(Value::from(indicator_id.as_str())),
                    "the follow-up reports no value for this indicator",
                ));
            }
        }
    }
    Ok(())
}

/// Refuses a second evaluation of the same plan, subject, round and periods.
pub(super) fn check_unique(
    conn: &mut DbConnection,
    record: &Evaluation,
    subject: &Subject,
) -> StoreResult<()> {
    match holder(conn, record, subject)? {
        Some(duplicate) => Err(duplicate),
        None => Ok(()),
    }
}

/// The other evaluation of `record`'s plan, subject, round and periods, as the conflict to
/// answer.
pub(super) fn holder(
    conn: &mut DbConnection,
    record: &Evaluation,
    subject: &Subject,
) -> StoreResult<Option<StoreError>> {
    let existing: Option<String> = evaluations::table
        .filter(evaluations::plan_id.eq(&record.plan_id))
        .filter(evaluations::subject.eq(subject.key()))
        .filter(evaluations::round.eq(record.round.as_str()))
        .filter(evaluations::period_from.eq(record.period.from.to_string()))
        .filter(evaluations::period_to.eq(record.period.to.to_string()))
        .filter(evaluations::id.ne(&record.id))
        .select(evaluations::id)
        .first(conn)
        .optional()?;
    Ok(existing.map(|existing| {
        let detail = format!(
            "plan {} has a {} evaluation of {} for {}..{} already ({existing}); change that one",
            record.plan_id,
            record.round,
            subject.key(),
            record.period.from,
            record.period.to
        );
        StoreError::duplicate(existing, detail)
    }))
}
