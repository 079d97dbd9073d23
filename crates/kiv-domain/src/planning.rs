//! The plans' content: objectives in a tree (strategic → operational), the actions that carry
//! them out and the indicators that measure them, with the rules that keep them consistent with
//! their plan.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::localized::LocalizedText;
use crate::period::ReportingPeriod;
use crate::reference::Plan;
use crate::validation::{InputIssue, IssueLocation};
use crate::vocabulary::{ActionStatus, IndicatorDirection, IndicatorMeasure, ObjectiveLevel};

/// An objective of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Objective {
    pub id: String,
    pub plan_id: String,
    pub cluster_id: Option<String>,
    pub parent_id: Option<String>,
    pub code: String,
    pub level: ObjectiveLevel,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub theme_ids: Vec<String>,
    pub owner_organisation_ids: Vec<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An action: who does what, when, for which objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    pub id: String,
    pub objective_id: String,
    /// The objective's plan (read-only).
    pub plan_id: String,
    /// The objective's cluster (read-only).
    pub cluster_id: Option<String>,
    pub code: String,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub lead_organisation_id: String,
    pub partner_organisation_ids: Vec<String>,
    pub theme_ids: Vec<String>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub weight: f64,
    pub external_id: Option<String>,
    /// Derived from the latest approved follow-up; not part of the action's own record.
    #[serde(skip)]
    pub state: ActionState,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Action {
    /// Whether `organisation_id` leads the action or takes part in it.
    pub fn involves(&self, organisation_id: &str) -> bool {
        self.lead_organisation_id == organisation_id
            || self
                .partner_organisation_ids
                .iter()
                .any(|p| p == organisation_id)
    }
}

/// Where an action stands: from its latest approved follow-up, `notReported` before any.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionState {
    pub status: ActionStatus,
    pub progress: Option<f64>,
    /// The reporting period the status comes from.
    pub period: Option<ReportingPeriod>,
}

impl Default for ActionState {
    fn default() -> Self {
        Self {
            status: ActionStatus::NotReported,
            progress: None,
            period: None,
        }
    }
}

/// A value of an indicator: a number (counts, amounts, percentages) or a text (qualitative).
/// A number lies between -1e12 and 1e12 (a percentage between 0 and 100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", schema(example = json!(30)))]
pub enum IndicatorValue {
    Number(f64),
    Text(String),
}

/// Where an indicator started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"value": 20, "year": 2015})))]
pub struct Baseline {
    pub value: IndicatorValue,
    /// The year the baseline was measured.
    pub year: i32,
}

/// The value an indicator should reach in a reporting period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"period": "2017S2", "value": 30})))]
pub struct Target {
    /// A reporting period of the plan: `2017S2`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2017S2"))]
    pub period: ReportingPeriod,
    pub value: IndicatorValue,
}

/// An indicator of an objective or of an action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Indicator {
    pub id: String,
    pub objective_id: Option<String>,
    pub action_id: Option<String>,
    pub name: LocalizedText,
    pub unit: Option<String>,
    pub measure: IndicatorMeasure,
    pub direction: IndicatorDirection,
    pub baseline: Option<Baseline>,
    pub targets: Vec<Target>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn body_issue(name: &str, value: Option<Value>, detail: impl Into<String>) -> InputIssue {
    InputIssue::invalid(IssueLocation::Body, name, value, detail)
}

/// A code such as `3.2` or `NVP-3.2.1`: 1 to 32 letters, digits, `.`, `-` or `_`.
pub fn check_code(code: &str) -> Option<InputIssue> {
    let valid = (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    (!valid).then(|| {
        body_issue(
            "code",
            Some(Value::from(code)),
            "code must be 1 to 32 letters, digits, '.', '-' or '_'",
        )
    })
}

/// A localized text that must say something in at least one language, each at most `max` chars.
pub fn check_text(name: &str, text: &LocalizedText, max: usize) -> Option<InputIssue> {
    if text.is_empty() {
        return Some(body_issue(
            name,
            None,
            format!("{name} needs a text in at least one language (nl, fr, de, en)"),
        ));
    }
    crate::localized::Language::ALL
        .into_iter()
        .find(|l| text.get(*l).is_some_and(|t| t.chars().count() > max))
        .map(|l| {
            body_issue(
                &format!("{name}.{}", l.as_str()),
                None,
                format!("{name} may have at most {max} characters per language"),
            )
        })
}

/// Ids of a list stored one row each (a plan's clusters and themes, an objective's owners): each
/// at most once, or an issue per repetition (`clusterIds[2]`).
pub fn check_distinct(name: &str, ids: &[String]) -> Vec<InputIssue> {
    let mut seen = HashSet::new();
    ids.iter()
        .enumerate()
        .filter(|(_, id)| !seen.insert(*id))
        .map(|(index, id)| {
            body_issue(
                &format!("{name}[{index}]"),
                Some(Value::from(id.as_str())),
                format!("{id:?} is listed twice"),
            )
        })
        .collect()
}

/// Ids that must belong to a set the plan allows (its clusters, its themes).
pub fn check_members(
    name: &str,
    ids: &[String],
    allowed: &[String],
    what: &str,
    plan_id: &str,
) -> Vec<InputIssue> {
    let mut seen = HashSet::new();
    ids.iter()
        .enumerate()
        .filter_map(|(index, id)| {
            let field = format!("{name}[{index}]");
            if !seen.insert(id) {
                Some(body_issue(
                    &field,
                    Some(Value::from(id.as_str())),
                    format!("{id:?} is listed twice"),
                ))
            } else if !allowed.contains(id) {
                Some(body_issue(
                    &field,
                    Some(Value::from(id.as_str())),
                    format!("{id:?} is not a {what} of plan {plan_id}"),
                ))
            } else {
                None
            }
        })
        .collect()
}

/// The rules of an objective's place in its plan.
pub fn check_objective_place(
    plan: &Plan,
    level: ObjectiveLevel,
    cluster_id: Option<&str>,
    parent: Option<&Objective>,
    theme_ids: &[String],
) -> Vec<InputIssue> {
    let mut issues = Vec::new();
    if let Some(cluster) = cluster_id {
        if !plan.cluster_ids.iter().any(|c| c == cluster) {
            issues.push(body_issue(
                "clusterId",
                Some(Value::from(cluster)),
                format!("cluster {cluster} is not a cluster of plan {}", plan.id),
            ));
        }
    }
    match (level, parent) {
        (ObjectiveLevel::Strategic, Some(parent)) => issues.push(body_issue(
            "parentId",
            Some(Value::from(parent.id.as_str())),
            "a strategic objective has no parent",
        )),
        (ObjectiveLevel::Operational, None) => issues.push(body_issue(
            "parentId",
            None,
            "an operational objective needs a strategic parent",
        )),
        (ObjectiveLevel::Operational, Some(parent)) => {
            if parent.level != ObjectiveLevel::Strategic {
                issues.push(body_issue(
                    "parentId",
                    Some(Value::from(parent.id.as_str())),
                    format!("the parent {} is not a strategic objective", parent.code),
                ));
            }
            if parent.plan_id != plan.id {
                issues.push(body_issue(
                    "parentId",
                    Some(Value::from(parent.id.as_str())),
                    format!(
                        "the parent belongs to plan {}, not {}",
                        parent.plan_id, plan.id
                    ),
                ));
            }
            if let (Some(own), Some(theirs)) = (cluster_id, parent.cluster_id.as_deref()) {
                if own != theirs {
                    issues.push(body_issue(
                        "clusterId",
                        Some(Value::from(own)),
                        format!("the parent objective belongs to cluster {theirs}"),
                    ));
                }
            }
        }
        (ObjectiveLevel::Strategic, None) => {}
    }
    issues.extend(check_members(
        "themeIds",
        theme_ids,
        &plan.theme_ids,
        "theme",
        &plan.id,
    ));
    issues
}

/// The largest weight an action may carry. Weights are relative (an action of weight 2 counts
/// twice as much as one of weight 1), so this leaves room for any real plan while keeping every
/// weighted sum of a report (actions × weight × progress) far from overflowing.
pub const MAX_WEIGHT: f64 = 1_000.0;

/// The largest magnitude of a number an indicator's value, baseline or target may have:
/// every number lies between `-MAX_NUMBER` and `MAX_NUMBER`.
pub const MAX_NUMBER: f64 = 1e12;

/// The rules of an action's schedule and weight (more than 0, at most [`MAX_WEIGHT`]).
pub fn check_action_schedule(
    plan: &Plan,
    planned_start: NaiveDate,
    planned_end: NaiveDate,
    weight: f64,
) -> Vec<InputIssue> {
    let mut issues = Vec::new();
    let period = format!("{}..{}", plan.period_start, plan.period_end);
    for (name, date) in [("plannedStart", planned_start), ("plannedEnd", planned_end)] {
        if date < plan.period_start || date > plan.period_end {
            issues.push(InputIssue::kiv(
                "periodOutsidePlan",
                "Date outside the plan",
                IssueLocation::Body,
                name,
                Some(Value::from(date.to_string())),
                format!(
                    "{date} lies outside the period of plan {} ({period})",
                    plan.id
                ),
            ));
        }
    }
    if planned_start > planned_end {
        issues.push(body_issue(
            "plannedEnd",
            Some(Value::from(planned_end.to_string())),
            "plannedEnd is before plannedStart",
        ));
    }
    if !(weight.is_finite() && weight > 0.0 && weight <= MAX_WEIGHT) {
        issues.push(body_issue(
            "weight",
            Some(Value::from(weight)),
            format!("weight must be more than 0 and at most {MAX_WEIGHT}"),
        ));
    }
    issues
}

/// An agency's own identifier of an action: 1 to 100 printable characters.
pub fn check_external_id(external_id: &str) -> Option<InputIssue> {
    let valid = (1..=100).contains(&external_id.chars().count())
        && !external_id.chars().any(char::is_control);
    (!valid).then(|| {
        body_issue(
            "externalId",
            Some(Value::from(external_id)),
            "externalId must be 1 to 100 printable characters",
        )
    })
}

/// Whether `value` fits `measure`; `name` is the field for the issue. A number is finite and
/// lies within ±[`MAX_NUMBER`]; a percentage between 0 and 100.
pub fn check_value(
    name: &str,
    measure: IndicatorMeasure,
    value: &IndicatorValue,
) -> Option<InputIssue> {
    let raw = || Some(serde_json::to_value(value).unwrap_or(Value::Null));
    match (measure, value) {
        (IndicatorMeasure::Qualitative, IndicatorValue::Text(text)) if !text.trim().is_empty() => {
            None
        }
        (IndicatorMeasure::Qualitative, _) => Some(body_issue(
            name,
            raw(),
            "a qualitative indicator takes a text",
        )),
        (_, IndicatorValue::Text(_)) => Some(body_issue(
            name,
            raw(),
            format!("a {} indicator takes a number", measure.as_str()),
        )),
        (_, IndicatorValue::Number(n)) if !n.is_finite() => {
            Some(body_issue(name, raw(), "the value must be a finite number"))
        }
        (_, IndicatorValue::Number(n)) if n.abs() > MAX_NUMBER => Some(body_issue(
            name,
            raw(),
            format!("the value must lie between -{MAX_NUMBER:e} and {MAX_NUMBER:e}"),
        )),
        (IndicatorMeasure::Percentage, IndicatorValue::Number(n)) if !(0.0..=100.0).contains(n) => {
            Some(body_issue(
                name,
                raw(),
                "a percentage lies between 0 and 100",
            ))
        }
        _ => None,
    }
}

/// The rules of an indicator's baseline and targets against its plan.
pub fn check_indicator_values(
    plan: &Plan,
    measure: IndicatorMeasure,
    baseline: Option<&Baseline>,
    targets: &[Target],
) -> Vec<InputIssue> {
    let mut issues = Vec::new();
    if let Some(baseline) = baseline {
        issues.extend(check_value("baseline.value", measure, &baseline.value));
        if !(1900..=2100).contains(&baseline.year) {
            issues.push(body_issue(
                "baseline.year",
                Some(Value::from(baseline.year)),
                "baseline.year must be a year between 1900 and 2100",
            ));
        }
    }
    let periods = plan.reporting_periods();
    let mut seen = HashSet::new();
    for (index, target) in targets.iter().enumerate() {
        let field = format!("targets[{index}]");
        if !periods.contains(&target.period) {
            issues.push(InputIssue::kiv(
                "periodOutsidePlan",
                "Period outside the plan",
                IssueLocation::Body,
                format!("{field}.period"),
                Some(Value::from(target.period.to_string())),
                format!(
                    "{} is not a reporting period of plan {} ({}..{})",
                    target.period,
                    plan.id,
                    periods.first().map(ToString::to_string).unwrap_or_default(),
                    periods.last().map(ToString::to_string).unwrap_or_default()
                ),
            ));
        } else if !seen.insert(target.period) {
            issues.push(body_issue(
                &format!("{field}.period"),
                Some(Value::from(target.period.to_string())),
                format!("{} has a target already", target.period),
            ));
        }
        issues.extend(check_value(
            &format!("{field}.value"),
            measure,
            &target.value,
        ));
    }
    issues
}

/// The key a title sorts by: its Dutch text (or the first language it has), lowercased.
pub fn sort_key(title: &LocalizedText) -> String {
    title
        .resolve(crate::localized::Language::Nl)
        .map(|(_, text)| text.to_lowercase())
        .unwrap_or_default()
}

/// The text `q` searches: the code and the title in every language, lowercased.
pub fn search_text(code: &str, title: &LocalizedText) -> String {
    std::iter::once(code)
        .chain(
            crate::localized::Language::ALL
                .into_iter()
                .filter_map(|l| title.get(l)),
        )
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{PlanKind, ReportingFrequency};

    fn plan() -> Plan {
        Plan {
            id: "kiv-2016-2019".into(),
            kind: PlanKind::FrameworkNote,
            title: LocalizedText::default(),
            period_start: NaiveDate::from_ymd_opt(2016, 1, 1).unwrap(),
            period_end: NaiveDate::from_ymd_opt(2019, 12, 31).unwrap(),
            reporting_frequency: ReportingFrequency::Semiannual,
            cluster_ids: vec!["3".into(), "8".into()],
            theme_ids: vec!["proceedsOfCrime".into()],
            version: 1,
            updated_at: NaiveDateTime::default(),
        }
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn schedules_stay_inside_the_plan() {
        assert!(
            check_action_schedule(&plan(), date("2016-03-01"), date("2019-12-31"), 1.0).is_empty()
        );
        let issues = check_action_schedule(&plan(), date("2015-12-31"), date("2020-01-01"), 0.0);
        let names: Vec<&str> = issues.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["plannedStart", "plannedEnd", "weight"]);
        assert!(issues[0].issue_type.ends_with("kiv:periodOutsidePlan"));
        let reversed = check_action_schedule(&plan(), date("2018-01-01"), date("2017-01-01"), 2.5);
        assert_eq!(reversed.len(), 1);
        assert_eq!(
            check_action_schedule(&plan(), date("2017-01-01"), date("2017-01-01"), f64::NAN).len(),
            1
        );
    }

    #[test]
    fn values_fit_their_measure() {
        use IndicatorValue::{Number, Text};
        assert!(check_value("v", IndicatorMeasure::Number, &Number(12.0)).is_none());
        assert!(check_value("v", IndicatorMeasure::Number, &Text("twelve".into())).is_some());
        assert!(check_value("v", IndicatorMeasure::Percentage, &Number(101.0)).is_some());
        assert!(check_value("v", IndicatorMeasure::Number, &Number(1e12)).is_none());
        assert!(check_value("v", IndicatorMeasure::Number, &Number(-1.5e12)).is_some());
        assert!(check_value("v", IndicatorMeasure::Number, &Number(f64::NAN)).is_some());
        assert!(check_value("v", IndicatorMeasure::Qualitative, &Number(1.0)).is_some());
        assert!(check_value("v", IndicatorMeasure::Qualitative, &Text("goed".into())).is_none());
    }

    #[test]
    fn targets_lie_in_reporting_periods() {
        let targets = vec![
            Target {
                period: "2017S2".parse().unwrap(),
                value: IndicatorValue::Number(5.0),
            },
            Target {
                period: "2020S1".parse().unwrap(),
                value: IndicatorValue::Number(5.0),
            },
            Target {
                period: "2017".parse().unwrap(),
                value: IndicatorValue::Number(5.0),
            },
            Target {
                period: "2017S2".parse().unwrap(),
                value: IndicatorValue::Number(6.0),
            },
        ];
        let issues = check_indicator_values(&plan(), IndicatorMeasure::Number, None, &targets);
        let names: Vec<&str> = issues.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "targets[1].period",
                "targets[2].period",
                "targets[3].period"
            ]
        );
    }

    #[test]
    fn objectives_fit_the_tree() {
        let strategic = Objective {
            id: "s".into(),
            plan_id: "kiv-2016-2019".into(),
            cluster_id: Some("3".into()),
            parent_id: None,
            code: "3".into(),
            level: ObjectiveLevel::Strategic,
            title: LocalizedText::default(),
            description: None,
            theme_ids: vec![],
            owner_organisation_ids: vec![],
            version: 1,
            created_at: NaiveDateTime::default(),
            updated_at: NaiveDateTime::default(),
        };
        assert!(check_objective_place(
            &plan(),
            ObjectiveLevel::Operational,
            Some("3"),
            Some(&strategic),
            &[]
        )
        .is_empty());
        assert_eq!(
            check_objective_place(
                &plan(),
                ObjectiveLevel::Operational,
                Some("8"),
                Some(&strategic),
                &[]
            )
            .len(),
            1
        );
        assert_eq!(
            check_objective_place(&plan(), ObjectiveLevel::Operational, None, None, &[]).len(),
            1
        );
        assert_eq!(
            check_objective_place(
                &plan(),
                ObjectiveLevel::Strategic,
                Some("5"),
                None,
                &["x".into()]
            )
            .len(),
            2
        );
    }

    #[test]
    fn search_and_sort_keys() {
        let title = LocalizedText {
            nl: Some("Drugs".into()),
            fr: Some("Drogues".into()),
            ..Default::default()
        };
        assert_eq!(sort_key(&title), "drugs");
        assert_eq!(search_text("3.1", &title), "3.1 drugs drogues");
    }
}
