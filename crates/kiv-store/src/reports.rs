//! What reports are made of: each action of a plan with what was approved about it as of a
//! moment. The figures themselves are computed by `kiv_domain::rollup`.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kiv_domain::evaluation::{ClusterFollowUp, Evaluation};
use kiv_domain::followup::action_status;
use kiv_domain::planning::{IndicatorValue, Target};
use kiv_domain::report::{ClusterReport, ObjectiveReport, ProgressReport, PublishedJudgement};
use kiv_domain::rollup::{on_track, roll_up, target_for, ActionFacts, Figures, METHOD};
use kiv_domain::{
    ActionStatus, FollowUpStatus, IndicatorDirection, IndicatorMeasure, LocalizedText, Plan,
    ReportingPeriod,
};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::publication::{self, Judgement};
use crate::schema::{
    action_themes, actions, approved_follow_ups, approved_values, clusters, indicators,
    objective_themes, objectives,
};

/// Which actions a report covers.
#[derive(Debug, Clone)]
pub struct Scope {
    pub plan_id: String,
    pub cluster_id: Option<String>,
    /// Actions with this theme, or under an objective with it.
    pub theme_id: Option<String>,
    /// Actions this organisation leads.
    pub organisation_id: Option<String>,
}

/// An objective in a report.
#[derive(Debug, Clone)]
pub struct ObjectiveLine {
    pub id: String,
    pub code: String,
    pub title: LocalizedText,
    pub cluster_id: Option<String>,
}

/// An action in a report, with what was approved about it.
#[derive(Debug, Clone)]
pub struct ActionLine {
    pub id: String,
    pub code: String,
    pub lead_organisation_id: String,
    pub objective_id: String,
    pub facts: ActionFacts,
}

/// An indicator in a report, with its value for the period.
#[derive(Debug, Clone)]
pub struct IndicatorLine {
    pub id: String,
    pub name: LocalizedText,
    pub unit: Option<String>,
    /// The objective it belongs to, directly or through its action.
    pub objective_id: String,
    pub measure: IndicatorMeasure,
    pub direction: IndicatorDirection,
    pub targets: Vec<Target>,
    /// The approved value for the period, as of the report's moment.
    pub actual: Option<IndicatorValue>,
}

/// Everything a progress report is computed from.
#[derive(Debug, Clone)]
pub struct ReportData {
    pub objectives: Vec<ObjectiveLine>,
    pub actions: Vec<ActionLine>,
    pub indicators: Vec<IndicatorLine>,
}

/// Id, name, unit, objective, action, measure, direction and targets of an indicator.
type IndicatorRow = (
    String,
    JsonValue<LocalizedText>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    JsonValue<Vec<Target>>,
);

/// Indicator, period, approval time and value of an approved indicator value.
type ApprovedValueRow = (String, String, NaiveDateTime, Option<f64>, Option<String>);

/// Id, code, lead, objective, weight, planned start and end of an action.
type ActionRow = (String, String, String, String, f64, NaiveDate, NaiveDate);

type ApprovedRow = (
    String,
    String,
    String,
    NaiveDate,
    String,
    Option<f64>,
    NaiveDateTime,
);

/// The plan's actions in `scope` with their state as approved by `as_of` for `period`: status
/// and progress of the latest approved follow-up of a period up to `period`.
pub fn progress_data(
    conn: &mut DbConnection,
    scope: &Scope,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
) -> StoreResult<ReportData> {
    let mut objective_query = objectives::table
        .filter(objectives::plan_id.eq(scope.plan_id.clone()))
        .into_boxed();
    if let Some(cluster_id) = &scope.cluster_id {
        objective_query = objective_query.filter(objectives::cluster_id.eq(cluster_id.clone()));
    }
    let objective_rows: Vec<(String, String, JsonValue<LocalizedText>, Option<String>)> =
        objective_query
            .order(objectives::code)
            .select((
                objectives::id,
                objectives::code,
                objectives::title,
                objectives::cluster_id,
            ))
            .load(conn)?;
    let objective_ids: Vec<&str> = objective_rows.iter().map(|o| o.0.as_str()).collect();

    let mut action_query = actions::table
        .filter(actions::objective_id.eq_any(&objective_ids))
        .into_boxed();
    if let Some(organisation_id) = &scope.organisation_id {
        action_query =
            action_query.filter(actions::lead_organisation_id.eq(organisation_id.clone()));
    }
    if let Some(theme_id) = &scope.theme_id {
        action_query = action_query.filter(
            actions::id
                .eq_any(
                    action_themes::table
                        .filter(action_themes::theme_id.eq(theme_id.clone()))
                        .select(action_themes::action_id),
                )
                .or(actions::objective_id.eq_any(
                    objective_themes::table
                        .filter(objective_themes::theme_id.eq(theme_id.clone()))
                        .select(objective_themes::objective_id),
                )),
        );
    }
    let action_rows: Vec<ActionRow> = action_query
        .order(actions::code)
        .select((
            actions::id,
            actions::code,
            actions::lead_organisation_id,
            actions::objective_id,
            actions::weight,
            actions::planned_start,
            actions::planned_end,
        ))
        .load(conn)?;
    let action_ids: Vec<&str> = action_rows.iter().map(|a| a.0.as_str()).collect();

    let approved: Vec<ApprovedRow> = approved_follow_ups::table
        .filter(approved_follow_ups::action_id.eq_any(&action_ids))
        .filter(approved_follow_ups::approved_at.le(as_of))
        .filter(approved_follow_ups::period_start.le(period.start()))
        .select((
            approved_follow_ups::id,
            approved_follow_ups::action_id,
            approved_follow_ups::period,
            approved_follow_ups::period_start,
            approved_follow_ups::status,
            approved_follow_ups::progress,
            approved_follow_ups::approved_at,
        ))
        .load(conn)?;
    // The latest approval of the latest period, per action; and which actions have one for the
    // report's own period.
    let period_text = period.to_string();
    let mut latest: HashMap<&str, &ApprovedRow> = HashMap::new();
    let mut for_period: HashMap<&str, &ApprovedRow> = HashMap::new();
    for row in &approved {
        let action = row.1.as_str();
        if latest
            .get(action)
            .is_none_or(|best| (row.3, row.6) > (best.3, best.6))
        {
            latest.insert(action, row);
        }
        if row.2 == period_text && for_period.get(action).is_none_or(|best| row.6 > best.6) {
            for_period.insert(action, row);
        }
    }
    let as_of_day = as_of.date();
    let mut lines = Vec::with_capacity(action_rows.len());
    for (id, code, lead_organisation_id, objective_id, weight, planned_start, planned_end) in
        &action_rows
    {
        let (status, progress) = match latest.get(id.as_str()) {
            Some(row) => {
                let status: FollowUpStatus = row.4.parse().map_err(StoreError::corrupt)?;
                (action_status(status), row.5)
            }
            None => (ActionStatus::NotReported, None),
        };
        lines.push(ActionLine {
            id: id.clone(),
            code: code.clone(),
            lead_organisation_id: lead_organisation_id.clone(),
            objective_id: objective_id.clone(),
            facts: ActionFacts {
                weight: *weight,
                status,
                progress,
                due: *planned_start <= period.end() && *planned_end >= period.start(),
                reported: for_period.contains_key(id.as_str()),
                overdue: *planned_end < as_of_day
                    && !matches!(status, ActionStatus::Completed | ActionStatus::Cancelled),
            },
        });
    }

    // Indicators of the objectives and actions in scope, with the value approved for the period.
    let action_objective: HashMap<&str, &str> = action_rows
        .iter()
        .map(|a| (a.0.as_str(), a.3.as_str()))
        .collect();
    let indicator_rows: Vec<IndicatorRow> = indicators::table
        .filter(
            indicators::objective_id
                .eq_any(&objective_ids)
                .or(indicators::action_id.eq_any(&action_ids)),
        )
        .order(indicators::id)
        .select((
            indicators::id,
            indicators::name,
            indicators::unit,
            indicators::objective_id,
            indicators::action_id,
            indicators::measure,
            indicators::direction,
            indicators::targets,
        ))
        .load(conn)?;
    let period_approvals: Vec<&str> = for_period.values().map(|row| row.0.as_str()).collect();
    let values: Vec<(String, Option<f64>, Option<String>)> = approved_values::table
        .filter(approved_values::approved_id.eq_any(&period_approvals))
        .select((
            approved_values::indicator_id,
            approved_values::number_value,
            approved_values::text_value,
        ))
        .load(conn)?;
    let mut actual: HashMap<String, IndicatorValue> = HashMap::new();
    for (indicator_id, number, text) in values {
        let value = match (number, text) {
            (Some(number), _) => IndicatorValue::Number(number),
            (None, text) => IndicatorValue::Text(text.unwrap_or_default()),
        };
        actual.insert(indicator_id, value);
    }
    // An objective-level indicator may be reported by several of its actions; the report keeps
    // one of their values.
    let mut indicator_lines = Vec::new();
    for (id, name, unit, objective_id, action_id, measure, direction, targets) in indicator_rows {
        let objective_id = match (objective_id, action_id.as_deref()) {
            (Some(objective_id), _) => objective_id,
            (None, Some(action_id)) => match action_objective.get(action_id) {
                Some(objective_id) => (*objective_id).to_owned(),
                None => continue,
            },
            (None, None) => continue,
        };
        indicator_lines.push(IndicatorLine {
            actual: actual.remove(&id),
            id,
            name: name.0,
            unit,
            objective_id,
            measure: measure.parse().map_err(StoreError::corrupt)?,
            direction: direction.parse().map_err(StoreError::corrupt)?,
            targets: targets.0,
        });
    }

    Ok(ReportData {
        objectives: objective_rows
            .into_iter()
            .map(|(id, code, title, cluster_id)| ObjectiveLine {
                id,
                code,
                title: title.0,
                cluster_id,
            })
            .collect(),
        actions: lines,
        indicators: indicator_lines,
    })
}

impl ReportData {
    /// The figures of the actions and indicators under `objective_ids`, for `period`.
    pub fn figures(&self, period: ReportingPeriod, objective_ids: &[&str]) -> Figures {
        let facts: Vec<ActionFacts> = self
            .actions
            .iter()
            .filter(|a| objective_ids.contains(&a.objective_id.as_str()))
            .map(|a| a.facts.clone())
            .collect();
        let assessments: Vec<Option<bool>> = self
            .indicators
            .iter()
            .filter(|i| objective_ids.contains(&i.objective_id.as_str()))
            .map(|i| {
                on_track(
                    i.measure,
                    i.direction,
                    target_for(&i.targets, period),
                    i.actual.as_ref(),
                )
            })
            .collect();
        roll_up(&facts, &assessments)
    }
}

/// The progress report of `plan` for `scope`, `period` and `as_of`: totals, and per cluster of
/// the plan (only the scope's cluster when it names one) and per objective. Transversal
/// objectives, which have no cluster, come last in a group without a cluster id.
pub fn progress_report(
    conn: &mut DbConnection,
    plan: &Plan,
    scope: &Scope,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
) -> StoreResult<ProgressReport> {
    let data = progress_data(conn, scope, period, as_of)?;
    let names: HashMap<String, LocalizedText> = clusters::table
        .select((clusters::id, clusters::name))
        .load::<(String, JsonValue<LocalizedText>)>(conn)?
        .into_iter()
        .map(|(id, name)| (id, name.0))
        .collect();
    let assessments = publication::latest_judgements::<ClusterFollowUp>(conn, &plan.id, as_of)?;
    let ratings = publication::latest_judgements::<Evaluation>(conn, &plan.id, as_of)?;
    let judged = |judgements: &[Judgement], cluster_id: Option<&str>| {
        judgements
            .iter()
            .find(|j| cluster_id.is_some() && j.cluster_id.as_deref() == cluster_id)
            .map(|j| PublishedJudgement {
                id: j.entity_id.clone(),
                value: j.judgement.clone(),
                period: j.period.to_string(),
                round: j.round.clone(),
                revision: j.revision,
                published_at: j.published_at.and_utc(),
            })
    };
    let group = |cluster_id: Option<&str>| -> ClusterReport {
        let members: Vec<&ObjectiveLine> = data
            .objectives
            .iter()
            .filter(|o| o.cluster_id.as_deref() == cluster_id)
            .collect();
        let ids: Vec<&str> = members.iter().map(|o| o.id.as_str()).collect();
        ClusterReport {
            cluster_id: cluster_id.map(str::to_owned),
            name: cluster_id.and_then(|id| names.get(id).cloned()),
            figures: data.figures(period, &ids),
            assessment: judged(&assessments, cluster_id),
            evaluation: judged(&ratings, cluster_id),
            objectives: members
                .iter()
                .map(|o| ObjectiveReport {
                    objective_id: o.id.clone(),
                    code: o.code.clone(),
                    title: o.title.clone(),
                    figures: data.figures(period, &[o.id.as_str()]),
                })
                .collect(),
        }
    };
    let mut cluster_reports: Vec<ClusterReport> = plan
        .cluster_ids
        .iter()
        .filter(|id| scope.cluster_id.as_ref().is_none_or(|only| only == *id))
        .map(|id| group(Some(id)))
        .collect();
    if data.objectives.iter().any(|o| o.cluster_id.is_none()) {
        cluster_reports.push(group(None));
    }
    let all: Vec<&str> = data.objectives.iter().map(|o| o.id.as_str()).collect();
    Ok(ProgressReport {
        plan_id: plan.id.clone(),
        as_of: as_of.and_utc(),
        period: period.to_string(),
        method: METHOD,
        totals: data.figures(period, &all),
        clusters: cluster_reports,
    })
}

/// Where the reporting of one action for a period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporting {
    /// No follow-up, or one still being written (draft or returned).
    Missing,
    Submitted,
    Approved,
}

/// The actions of a plan due a report for `period`, with their lead organisation and where
/// their report stands now. Cancelled actions are not due.
pub fn compliance_data(
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

/// An indicator with its approved values, period by period.
#[derive(Debug, Clone)]
pub struct IndicatorHistory {
    pub indicator: kiv_domain::Indicator,
    /// The cluster of its objective (or of its action's objective).
    pub cluster_id: Option<String>,
    /// The latest approved value of each period, in period order.
    pub values: Vec<(ReportingPeriod, IndicatorValue)>,
}

/// Every indicator of a plan (optionally of one cluster) with its approved values.
pub fn indicator_histories(
    conn: &mut DbConnection,
    plan_id: &str,
    cluster_id: Option<&str>,
) -> StoreResult<Vec<IndicatorHistory>> {
    let filter = crate::planning::indicators::IndicatorFilter {
        plan_id: Some(plan_id.to_owned()),
        cluster_id: cluster_id.map(str::to_owned),
        ..Default::default()
    };
    let found = crate::planning::indicators::list(
        conn,
        &filter,
        &[],
        kiv_domain::PageRequest {
            page: 1,
            page_size: 100_000,
        },
    )?;
    let ids: Vec<&str> = found.items.iter().map(|i| i.id.as_str()).collect();
    let clusters: HashMap<String, Option<String>> = objectives::table
        .filter(objectives::plan_id.eq(plan_id))
        .select((objectives::id, objectives::cluster_id))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .collect();
    let action_objectives: HashMap<String, String> = actions::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .select((actions::id, actions::objective_id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let rows: Vec<ApprovedValueRow> = approved_values::table
        .inner_join(approved_follow_ups::table)
        .filter(approved_values::indicator_id.eq_any(&ids))
        .select((
            approved_values::indicator_id,
            approved_follow_ups::period,
            approved_follow_ups::approved_at,
            approved_values::number_value,
            approved_values::text_value,
        ))
        .load(conn)?;
    let mut latest: HashMap<(String, String), (NaiveDateTime, IndicatorValue)> = HashMap::new();
    for (indicator_id, period, approved_at, number, text) in rows {
        let value = match (number, text) {
            (Some(number), _) => IndicatorValue::Number(number),
            (None, text) => IndicatorValue::Text(text.unwrap_or_default()),
        };
        let key = (indicator_id, period);
        if latest.get(&key).is_none_or(|(at, _)| approved_at > *at) {
            latest.insert(key, (approved_at, value));
        }
    }
    let mut histories = Vec::with_capacity(found.items.len());
    for indicator in found.items {
        let objective_id = indicator.objective_id.clone().or_else(|| {
            indicator
                .action_id
                .as_ref()
                .and_then(|a| action_objectives.get(a).cloned())
        });
        let cluster_id = objective_id.and_then(|o| clusters.get(&o).cloned().flatten());
        let mut values: Vec<(ReportingPeriod, IndicatorValue)> = latest
            .iter()
            .filter(|((id, _), _)| *id == indicator.id)
            .map(|((_, period), (_, value))| {
                Ok((period.parse().map_err(StoreError::corrupt)?, value.clone()))
            })
            .collect::<StoreResult<_>>()?;
        values.sort_by_key(|(period, _)| *period);
        histories.push(IndicatorHistory {
            indicator,
            cluster_id,
            values,
        });
    }
    Ok(histories)
}
