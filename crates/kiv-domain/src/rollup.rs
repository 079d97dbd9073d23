//! The progress figures of a set of actions (a plan, a cluster, an objective, an organisation),
//! computed the same way wherever they appear: in reports, in the context of an evaluation, and
//! frozen into a published cluster follow-up.
//!
//! Rules: only approved follow-ups count; an action's status and progress are those of its
//! latest approved follow-up as of the report date (`notReported` without one). Progress is the
//! weighted mean over actions; cancelled actions and actions without a progress are left out,
//! and the figures say how many. Parent progress is never stored: it is computed from actions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::period::ReportingPeriod;
use crate::planning::{IndicatorValue, Target};
use crate::vocabulary::{ActionStatus, IndicatorDirection, IndicatorMeasure};

/// The name of the roll-up method, stated in every report.
pub const METHOD: &str = "weightedMeanOfActions";

/// How progress is rolled up ([`METHOD`]): the weighted mean of the actions' progress.
///
/// The values of a string the OpenAPI document shows as a closed set; never built.
#[cfg(feature = "openapi")]
#[derive(Debug, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = "weightedMeanOfActions")]
#[allow(dead_code)] // describes a serialised string, is never built
pub enum RollUpMethod {
    WeightedMeanOfActions,
}

/// What is known of one action as of the report date.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionFacts {
    pub weight: f64,
    /// From the latest approved follow-up as of the report date.
    pub status: ActionStatus,
    pub progress: Option<f64>,
    /// Planned during the report's period: a report is due.
    pub due: bool,
    /// Has an approved follow-up for the report's period (as of the report date).
    pub reported: bool,
    /// Planned to end by the last day of the report's period, and neither completed nor
    /// cancelled by its status in the report (see [`is_overdue`]).
    pub overdue: bool,
}

/// Actions left out of the progress mean, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({"cancelled": 1, "noProgress": 2})))]
pub struct LeftOut {
    pub cancelled: usize,
    pub no_progress: usize,
}

/// How many actions have each status, every status always present.
///
/// `Figures::by_status` as the OpenAPI document shows it: each status named, so that generated
/// clients get a typed object rather than an open map.
#[cfg(feature = "openapi")]
#[derive(Debug, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // describes the serialised map, is never built
#[cfg_attr(feature = "openapi", schema(example = json!({
    "notStarted": 0,
    "onTrack": 1,
    "delayed": 1,
    "completed": 1,
    "cancelled": 1,
    "notReported": 2
})))]
pub struct ActionsByStatus {
    #[schema(minimum = 0)]
    not_started: usize,
    #[schema(minimum = 0)]
    on_track: usize,
    #[schema(minimum = 0)]
    delayed: usize,
    #[schema(minimum = 0)]
    completed: usize,
    #[schema(minimum = 0)]
    cancelled: usize,
    /// Actions without an approved follow-up.
    #[schema(minimum = 0)]
    not_reported: usize,
}

/// The figures of a set of actions, the same at every level of a report and frozen as such into
/// a published cluster follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "actions": 6,
    "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2},
    "progress": 58.33,
    "leftOut": {"cancelled": 1, "noProgress": 2},
    "reportingRate": 0.67,
    "overdue": 1,
    "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}
})))]
pub struct Figures {
    pub actions: usize,
    /// Actions per status, `notReported` included (zeros included).
    #[cfg_attr(feature = "openapi", schema(value_type = ActionsByStatus, example = json!({"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2})))]
    pub by_status: BTreeMap<String, usize>,
    /// Weighted mean progress (0-100, two decimals) of the actions that have one; absent when
    /// none has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<f64>,
    /// Actions left out of `progress`: cancelled, or without a progress.
    pub left_out: LeftOut,
    /// Actions with an approved follow-up for the period ÷ actions due in it; absent when none
    /// is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_rate: Option<f64>,
    /// Actions planned to end by the last day of the report's period that are neither completed
    /// nor cancelled as of the report's moment. Relative to the period, not to the day the report
    /// is pulled, so a report of a past period is reproducible.
    pub overdue: usize,
    /// Indicators on or off track against the period's target, or without data.
    pub indicators: IndicatorCounts,
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// What is known of a group of actions that share a status, summed: the form in which the
/// database hands over the facts of many actions (one row per objective and status), so a report
/// never loads its actions one by one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusGroup {
    pub status: ActionStatus,
    pub actions: usize,
    /// Σ weight × progress over the actions that count in the mean (not cancelled, with a
    /// progress).
    pub weighted_progress: f64,
    /// Σ weight over the same actions.
    pub weights: f64,
    /// Actions without a progress (cancelled ones excluded).
    pub no_progress: usize,
    /// Actions due a report in the period.
    pub due: usize,
    /// Of those, the ones with an approved follow-up for the period.
    pub due_reported: usize,
    pub overdue: usize,
}

impl StatusGroup {
    /// The group of one action.
    pub fn of(action: &ActionFacts) -> Self {
        let counts = action.status != ActionStatus::Cancelled;
        let progress = action.progress.filter(|_| counts);
        StatusGroup {
            status: action.status,
            actions: 1,
            weighted_progress: progress.map_or(0.0, |p| action.weight * p),
            weights: progress.map_or(0.0, |_| action.weight),
            no_progress: usize::from(counts && action.progress.is_none()),
            due: usize::from(action.due),
            due_reported: usize::from(action.due && action.reported),
            overdue: usize::from(action.overdue),
        }
    }
}

/// The figures of `actions` and of the indicators assessed as `indicators` (see [`on_track`]).
pub fn roll_up(actions: &[ActionFacts], indicators: &[Option<bool>]) -> Figures {
    let groups: Vec<StatusGroup> = actions.iter().map(StatusGroup::of).collect();
    roll_up_groups(&groups, indicators)
}

/// The figures of the actions summed up in `groups`, and of the indicators assessed as
/// `indicators`.
pub fn roll_up_groups(groups: &[StatusGroup], indicators: &[Option<bool>]) -> Figures {
    let mut by_status: BTreeMap<String, usize> = ActionStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0))
        .collect();
    let mut left_out = LeftOut::default();
    let (mut weighted, mut weights) = (0.0, 0.0);
    let (mut actions, mut due, mut reported, mut overdue) = (0, 0, 0, 0);
    for group in groups {
        *by_status
            .entry(group.status.as_str().to_owned())
            .or_default() += group.actions;
        if group.status == ActionStatus::Cancelled {
            left_out.cancelled += group.actions;
        }
        left_out.no_progress += group.no_progress;
        weighted += group.weighted_progress;
        weights += group.weights;
        actions += group.actions;
        due += group.due;
        reported += group.due_reported;
        overdue += group.overdue;
    }
    let mut indicator_counts = IndicatorCounts::default();
    for assessment in indicators {
        indicator_counts.count(*assessment);
    }
    Figures {
        actions,
        by_status,
        progress: (weights > 0.0).then(|| round2(weighted / weights)),
        left_out,
        reporting_rate: (due > 0).then(|| round2(reported as f64 / due as f64)),
        overdue,
        indicators: indicator_counts,
    }
}

/// Whether an action planned to end on `planned_end` is overdue in a report of `period`: its end
/// falls on or before the period's last day and `status` (its status in that report) is neither
/// completed nor cancelled. The report's SQL aggregate applies the same rule.
pub fn is_overdue(
    planned_end: chrono::NaiveDate,
    period: ReportingPeriod,
    status: ActionStatus,
) -> bool {
    planned_end <= period.end()
        && !matches!(status, ActionStatus::Completed | ActionStatus::Cancelled)
}

/// How far a value may stray from its target for an indicator that should be maintained.
pub const MAINTAIN_TOLERANCE: f64 = 0.05;

/// Whether an indicator is on track: its actual value against its target, the way its direction
/// says. `None` (no data) without a target or an actual value, or for a qualitative indicator,
/// which has no number to compare.
pub fn on_track(
    measure: IndicatorMeasure,
    direction: IndicatorDirection,
    target: Option<&IndicatorValue>,
    actual: Option<&IndicatorValue>,
) -> Option<bool> {
    if measure == IndicatorMeasure::Qualitative {
        return None;
    }
    let (IndicatorValue::Number(target), IndicatorValue::Number(actual)) = (target?, actual?)
    else {
        return None;
    };
    Some(match direction {
        IndicatorDirection::Increase => actual >= target,
        IndicatorDirection::Decrease => actual <= target,
        IndicatorDirection::Maintain => {
            (actual - target).abs() <= target.abs() * MAINTAIN_TOLERANCE
        }
    })
}

/// The target that applies in `period`: the one set for that period, else the latest set for an
/// earlier period (a target holds until the next one).
pub fn target_for(targets: &[Target], period: ReportingPeriod) -> Option<&IndicatorValue> {
    targets
        .iter()
        .filter(|t| t.period <= period)
        .max_by_key(|t| t.period)
        .map(|t| &t.value)
}

/// Indicators by assessment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({"onTrack": 1, "offTrack": 1, "noData": 0})))]
pub struct IndicatorCounts {
    pub on_track: usize,
    pub off_track: usize,
    pub no_data: usize,
}

impl IndicatorCounts {
    pub fn count(&mut self, assessment: Option<bool>) {
        match assessment {
            Some(true) => self.on_track += 1,
            Some(false) => self.off_track += 1,
            None => self.no_data += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: ActionStatus, progress: Option<f64>) -> ActionFacts {
        ActionFacts {
            weight: 1.0,
            status,
            progress,
            due: true,
            reported: !matches!(status, ActionStatus::NotReported),
            overdue: false,
        }
    }

    /// The example report of the API documentation: six actions, two not reported.
    #[test]
    fn reproduces_the_documented_example() {
        use ActionStatus::*;
        let mut actions = vec![
            facts(OnTrack, Some(40.0)),
            facts(Delayed, Some(20.0)),
            facts(Completed, Some(100.0)),
            facts(Cancelled, None),
            facts(NotReported, None),
            facts(NotReported, None),
        ];
        // Five are due in the period, two of which have an approved follow-up for it.
        actions[3].due = false;
        actions[1].reported = false;
        let figures = roll_up(&actions, &[Some(true), None]);
        assert_eq!(figures.actions, 6);
        assert_eq!(figures.progress, Some(53.33));
        assert_eq!(figures.indicators.on_track, 1);
        assert_eq!(figures.indicators.no_data, 1);
        assert_eq!(
            figures.left_out,
            LeftOut {
                cancelled: 1,
                no_progress: 2
            }
        );
        assert_eq!(figures.by_status["notReported"], 2);
        assert_eq!(figures.by_status["notStarted"], 0);
        assert_eq!(figures.by_status.len(), ActionStatus::ALL.len());
        #[cfg(feature = "openapi")]
        {
            // The document names exactly the statuses the map holds.
            use utoipa::PartialSchema;
            let schema = serde_json::to_value(ActionsByStatus::schema()).unwrap();
            let mut documented: Vec<&str> = schema["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            documented.sort_unstable();
            let mut held: Vec<&str> = figures.by_status.keys().map(String::as_str).collect();
            held.sort_unstable();
            assert_eq!(documented, held);
        }
        assert_eq!(figures.reporting_rate, Some(0.4));
    }

    #[test]
    fn weights_count_and_empty_sets_have_no_progress() {
        let mut heavy = facts(ActionStatus::OnTrack, Some(80.0));
        heavy.weight = 3.0;
        let figures = roll_up(&[heavy, facts(ActionStatus::Delayed, Some(40.0))], &[]);
        assert_eq!(figures.progress, Some(70.0));
        let empty = roll_up(&[], &[]);
        assert_eq!(
            (empty.progress, empty.reporting_rate, empty.actions),
            (None, None, 0)
        );
        let cancelled_only = roll_up(&[facts(ActionStatus::Cancelled, Some(30.0))], &[]);
        assert_eq!(cancelled_only.progress, None);
        assert_eq!(cancelled_only.left_out.cancelled, 1);
    }

    #[test]
    fn indicators_follow_their_direction() {
        use IndicatorDirection::*;
        use IndicatorValue::Number as N;
        let number = IndicatorMeasure::Number;
        assert_eq!(
            on_track(number, Increase, Some(&N(30.0)), Some(&N(31.0))),
            Some(true)
        );
        assert_eq!(
            on_track(number, Increase, Some(&N(30.0)), Some(&N(29.0))),
            Some(false)
        );
        assert_eq!(
            on_track(number, Decrease, Some(&N(30.0)), Some(&N(29.0))),
            Some(true)
        );
        assert_eq!(
            on_track(number, Maintain, Some(&N(100.0)), Some(&N(96.0))),
            Some(true)
        );
        assert_eq!(
            on_track(number, Maintain, Some(&N(100.0)), Some(&N(90.0))),
            Some(false)
        );
        assert_eq!(on_track(number, Increase, None, Some(&N(1.0))), None);
        assert_eq!(on_track(number, Increase, Some(&N(1.0)), None), None);
        let text = IndicatorValue::Text("goed".into());
        assert_eq!(
            on_track(
                IndicatorMeasure::Qualitative,
                Maintain,
                Some(&text),
                Some(&text)
            ),
            None
        );
    }

    #[test]
    fn a_target_holds_until_the_next() {
        let target = |period: &str, value: f64| Target {
            period: period.parse().unwrap(),
            value: IndicatorValue::Number(value),
        };
        let targets = [target("2017S2", 30.0), target("2019S2", 40.0)];
        let period = |p: &str| p.parse::<ReportingPeriod>().unwrap();
        assert_eq!(target_for(&targets, period("2017S1")), None);
        assert_eq!(
            target_for(&targets, period("2018S2")),
            Some(&IndicatorValue::Number(30.0))
        );
        assert_eq!(
            target_for(&targets, period("2019S2")),
            Some(&IndicatorValue::Number(40.0))
        );
    }
}
