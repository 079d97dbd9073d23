//! Follow-ups: what an organisation reports on an action for one reporting period, and the review
//! workflow draft → submitted → approved | returned, with reopening of approved follow-ups as new
//! revisions.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::localized::LocalizedText;
use crate::period::ReportingPeriod;
use crate::planning::{check_value, IndicatorValue};
use crate::reference::PlanSchedule;
use crate::validation::{InputIssue, IssueLocation};
use crate::vocabulary::{ActionStatus, FollowUpStatus, IndicatorMeasure, WorkflowState};

/// The value of one indicator in a follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "indicatorId": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8",
    "value": 12,
    "comment": {"nl": "Per 30 juni"}
})))]
pub struct ReportedValue {
    pub indicator_id: String,
    pub value: IndicatorValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<LocalizedText>,
}

/// A partner organisation's contribution to the lead's follow-up of an action for a period:
/// what the partner did, in its own words and figures, beside the lead's report and never over
/// it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    pub id: String,
    pub follow_up_id: String,
    /// The partner organisation.
    pub organisation_id: String,
    pub narrative: LocalizedText,
    /// Values of the indicators of the action or its objective, as the partner measured them.
    pub indicator_values: Vec<ReportedValue>,
    pub version: i32,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A follow-up of one action for one reporting period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowUp {
    pub id: String,
    pub action_id: String,
    pub period: ReportingPeriod,
    pub status: FollowUpStatus,
    pub progress: Option<f64>,
    pub narrative: Option<LocalizedText>,
    pub indicator_values: Vec<ReportedValue>,
    pub state: WorkflowState,
    /// The organisation that reports.
    pub organisation_id: String,
    /// The account that created the follow-up.
    pub created_by: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_note: Option<String>,
    /// 1 for the first version; each reopening of an approved follow-up starts the next.
    pub revision: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A move in the review workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Submit,
    Approve,
    Return,
    Reopen,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Submit => "submit",
            Transition::Approve => "approve",
            Transition::Return => "return",
            Transition::Reopen => "reopen",
        }
    }

    /// The state a follow-up moves to.
    pub fn target(self) -> WorkflowState {
        match self {
            Transition::Submit => WorkflowState::Submitted,
            Transition::Approve => WorkflowState::Approved,
            Transition::Return => WorkflowState::Returned,
            Transition::Reopen => WorkflowState::Draft,
        }
    }
}

/// The moves allowed from a state.
pub fn allowed_transitions(state: WorkflowState) -> &'static [Transition] {
    match state {
        WorkflowState::Draft | WorkflowState::Returned => &[Transition::Submit],
        WorkflowState::Submitted => &[Transition::Approve, Transition::Return],
        WorkflowState::Approved => &[Transition::Reopen],
    }
}

/// A move that the current state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a follow-up that is {} cannot be {}; allowed: {}", state.as_str(), past(*transition), allowed_list(*state))]
pub struct InvalidTransition {
    pub state: WorkflowState,
    pub transition: Transition,
}

fn past(transition: Transition) -> &'static str {
    match transition {
        Transition::Submit => "submitted",
        Transition::Approve => "approved",
        Transition::Return => "returned",
        Transition::Reopen => "reopened",
    }
}

fn allowed_list(state: WorkflowState) -> String {
    allowed_transitions(state)
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The state after `transition`, if `state` allows it.
pub fn transition(
    state: WorkflowState,
    transition: Transition,
) -> Result<WorkflowState, InvalidTransition> {
    if allowed_transitions(state).contains(&transition) {
        Ok(transition.target())
    } else {
        Err(InvalidTransition { state, transition })
    }
}

/// Whether a follow-up in `state` can be edited: drafts and returned ones only.
pub fn editable(state: WorkflowState) -> bool {
    matches!(state, WorkflowState::Draft | WorkflowState::Returned)
}

fn issue(name: &str, value: Option<Value>, detail: impl Into<String>) -> InputIssue {
    InputIssue::invalid(IssueLocation::Body, name, value, detail)
}

/// Checks the period of a follow-up: a reporting period of the action's plan, begun by `today`.
pub fn check_period(
    plan: &PlanSchedule,
    period: ReportingPeriod,
    today: NaiveDate,
) -> Option<InputIssue> {
    let periods = plan.reporting_periods();
    if !periods.contains(&period) {
        return Some(InputIssue::kiv(
            "periodOutsidePlan",
            "Period outside the plan",
            IssueLocation::Body,
            "period",
            Some(Value::from(period.to_string())),
            format!(
                "{period} is not a reporting period of plan {} ({}..{})",
                plan.plan_id,
                periods.first().map(ToString::to_string).unwrap_or_default(),
                periods.last().map(ToString::to_string).unwrap_or_default()
            ),
        ));
    }
    (period.start() > today).then(|| {
        InputIssue::kiv(
            "periodInFuture",
            "Period not begun",
            IssueLocation::Body,
            "period",
            Some(Value::from(period.to_string())),
            format!(
                "{period} begins on {}: it cannot be reported on yet",
                period.start()
            ),
        )
    })
}

/// Checks status and progress together; returns the progress to store (`completed` means 100).
pub fn check_progress(
    status: FollowUpStatus,
    progress: Option<f64>,
) -> Result<Option<f64>, Box<InputIssue>> {
    if let Some(value) = progress {
        if !(value.is_finite() && (0.0..=100.0).contains(&value)) {
            return Err(Box::new(issue(
                "progress",
                Some(Value::from(value)),
                "progress must be between 0 and 100",
            )));
        }
    }
    match (status, progress) {
        (FollowUpStatus::Completed, None) => Ok(Some(100.0)),
        (FollowUpStatus::Completed, Some(value)) if value < 100.0 => Err(Box::new(issue(
            "progress",
            Some(Value::from(value)),
            "a completed action is at 100% progress",
        ))),
        (FollowUpStatus::OnTrack | FollowUpStatus::Delayed, None) => Err(Box::new(issue(
            "progress",
            None,
            format!(
                "progress is required when the status is {}",
                status.as_str()
            ),
        ))),
        (_, progress) => Ok(progress),
    }
}

/// Checks reported indicator values: each names an indicator of the action or its objective
/// (`measures` gives those and their measures), once, with a value of the right kind.
pub fn check_reported_values(
    values: &[ReportedValue],
    measures: &[(String, IndicatorMeasure)],
) -> Vec<InputIssue> {
    let mut issues = Vec::new();
    if values.is_empty() {
        return issues;
    }
    // Looked up, not searched: a follow-up of a wide file reports thousands of values.
    let measure_of: std::collections::HashMap<&str, IndicatorMeasure> = measures
        .iter()
        .map(|(id, measure)| (id.as_str(), *measure))
        .collect();
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    for (index, reported) in values.iter().enumerate() {
        let field = format!("indicatorValues[{index}]");
        let first = seen.insert(reported.indicator_id.as_str());
        match measure_of.get(reported.indicator_id.as_str()) {
            None => issues.push(issue(
                &format!("{field}.indicatorId"),
                Some(Value::from(reported.indicator_id.as_str())),
                "not an indicator of this action or of its objective",
            )),
            Some(_) if !first => issues.push(issue(
                &format!("{field}.indicatorId"),
                Some(Value::from(reported.indicator_id.as_str())),
                "this indicator has a value already in this follow-up",
            )),
            Some(measure) => issues.extend(check_value(
                &format!("{field}.value"),
                *measure,
                &reported.value,
            )),
        }
    }
    issues
}

/// What an action's latest approved follow-up says of it.
pub fn action_status(status: FollowUpStatus) -> ActionStatus {
    match status {
        FollowUpStatus::NotStarted => ActionStatus::NotStarted,
        FollowUpStatus::OnTrack => ActionStatus::OnTrack,
        FollowUpStatus::Delayed => ActionStatus::Delayed,
        FollowUpStatus::Completed => ActionStatus::Completed,
        FollowUpStatus::Cancelled => ActionStatus::Cancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_moves() {
        use WorkflowState::*;
        assert_eq!(transition(Draft, Transition::Submit), Ok(Submitted));
        assert_eq!(transition(Submitted, Transition::Return), Ok(Returned));
        assert_eq!(transition(Returned, Transition::Submit), Ok(Submitted));
        assert_eq!(transition(Submitted, Transition::Approve), Ok(Approved));
        assert_eq!(transition(Approved, Transition::Reopen), Ok(Draft));
        let refused = transition(Approved, Transition::Submit).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "a follow-up that is approved cannot be submitted; allowed: reopen"
        );
        assert!(transition(Draft, Transition::Approve).is_err());
        assert!(editable(Returned) && !editable(Submitted) && !editable(Approved));
    }

    #[test]
    fn progress_rules() {
        assert_eq!(
            check_progress(FollowUpStatus::Completed, None),
            Ok(Some(100.0))
        );
        assert!(check_progress(FollowUpStatus::Completed, Some(80.0)).is_err());
        assert!(check_progress(FollowUpStatus::OnTrack, None).is_err());
        assert!(check_progress(FollowUpStatus::OnTrack, Some(140.0)).is_err());
        assert!(check_progress(FollowUpStatus::Delayed, Some(-1.0)).is_err());
        assert_eq!(check_progress(FollowUpStatus::Cancelled, None), Ok(None));
        assert_eq!(
            check_progress(FollowUpStatus::NotStarted, Some(0.0)),
            Ok(Some(0.0))
        );
    }
}
