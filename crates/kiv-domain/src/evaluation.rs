//! The coordinating FODs' judgement on the follow-up data: per cluster and period a cluster
//! follow-up (where the cluster stands, with the figures it stood on), and at set moments an
//! evaluation (OECD-DAC scores, an overall rating, findings, the evidence relied on) with
//! recommendations whose fate is followed up in turn.
//!
//! Both are written as drafts and published; a published text is never edited in place: a
//! correction is a new revision, and the published revisions stay readable in the history.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::localized::LocalizedText;
use crate::period::ReportingPeriod;
use crate::reference::Plan;
use crate::rollup::Figures;
use crate::validation::{InputIssue, IssueLocation};
use crate::vocabulary::{
    Assessment, Criterion, EvaluationRound, OverallRating, Priority, PublicationState,
    RecommendationStatus,
};

/// The progress figures of a cluster as they stood when its follow-up was published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "asOf": "2018-02-15T10:30:00Z",
    "method": "weightedMeanOfActions",
    "actions": 6,
    "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2},
    "progress": 58.33,
    "leftOut": {"cancelled": 1, "noProgress": 2},
    "reportingRate": 0.67,
    "overdue": 1,
    "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}
})))]
pub struct FrozenFigures {
    /// The moment the figures were computed: only follow-ups approved by then count.
    pub as_of: DateTime<Utc>,
    /// How progress is rolled up: `weightedMeanOfActions`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::rollup::RollUpMethod))]
    pub method: String,
    #[serde(flatten)]
    // Inline: a schema that flattens Figures shows them as its own properties, not as a
    // reference, so that a report that holds Figures at several levels (totals, clusters,
    // objectives) never refers to Figures from within an allOf over Figures.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub figures: Figures,
}

/// The coordinating FODs' follow-up of one cluster of a plan for one reporting period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterFollowUp {
    pub id: String,
    pub plan_id: String,
    pub cluster_id: String,
    pub period: ReportingPeriod,
    pub assessment: Assessment,
    pub narrative: Option<LocalizedText>,
    pub highlights: Option<LocalizedText>,
    pub obstacles: Option<LocalizedText>,
    pub next_steps: Option<LocalizedText>,
    /// The organisations that recorded it.
    pub organisation_ids: Vec<String>,
    pub state: PublicationState,
    /// Set at publication, cleared when a new revision is started.
    pub figures: Option<FrozenFigures>,
    pub published_at: Option<NaiveDateTime>,
    pub published_by: Option<String>,
    pub revision: i32,
    pub version: i32,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One criterion's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Score {
    /// 1 (poor) to 4 (good).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 4, example = 3))]
    pub score: i64,
    /// Why this score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<LocalizedText>,
}

/// The reporting periods an evaluation covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeriodRange {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2016S1"))]
    pub from: ReportingPeriod,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2017S2"))]
    pub to: ReportingPeriod,
}

/// A follow-up an evaluation relies on, or one indicator value in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"followUpId": "c7394b20-c27d-4f0c-b686-0fb3e2c0249a"})))]
pub struct Evidence {
    pub follow_up_id: String,
    /// Set to point at the value of this indicator in that follow-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator_id: Option<String>,
}

/// What an evaluation judges: a cluster, or a transversal theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Cluster(String),
    Theme(String),
}

impl Subject {
    /// One key per subject, for uniqueness: `cluster:3`, `theme:radicalisation`.
    pub fn key(&self) -> String {
        match self {
            Subject::Cluster(id) => format!("cluster:{id}"),
            Subject::Theme(id) => format!("theme:{id}"),
        }
    }
}

/// An evaluation of a cluster (or a transversal theme) of a plan by the coordinating FODs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub id: String,
    pub plan_id: String,
    pub cluster_id: Option<String>,
    pub theme_id: Option<String>,
    pub round: EvaluationRound,
    pub period: PeriodRange,
    pub evaluating_organisation_ids: Vec<String>,
    pub scores: BTreeMap<Criterion, Score>,
    pub overall_rating: Option<OverallRating>,
    pub findings: Option<LocalizedText>,
    pub evidence: Vec<Evidence>,
    pub state: PublicationState,
    pub published_at: Option<NaiveDateTime>,
    pub published_by: Option<String>,
    pub revision: i32,
    pub version: i32,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Evaluation {
    pub fn subject(&self) -> Option<Subject> {
        match (&self.cluster_id, &self.theme_id) {
            (Some(cluster), None) => Some(Subject::Cluster(cluster.clone())),
            (None, Some(theme)) => Some(Subject::Theme(theme.clone())),
            _ => None,
        }
    }

    /// What is still missing before the evaluation can be published: every criterion scored,
    /// an overall rating and findings. Empty when it is complete.
    pub fn missing_for_publication(&self) -> Vec<String> {
        let mut missing: Vec<String> = Criterion::ALL
            .iter()
            .filter(|c| !self.scores.contains_key(c))
            .map(|c| format!("scores.{c}"))
            .collect();
        if self.overall_rating.is_none() {
            missing.push("overallRating".into());
        }
        if self.findings.as_ref().is_none_or(LocalizedText::is_empty) {
            missing.push("findings".into());
        }
        missing
    }
}

/// A recommendation of an evaluation, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    pub id: String,
    pub evaluation_id: String,
    pub text: LocalizedText,
    pub organisation_ids: Vec<String>,
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
    pub status: RecommendationStatus,
    pub status_note: Option<LocalizedText>,
    pub version: i32,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn body_issue(
    name: impl Into<String>,
    value: Option<Value>,
    detail: impl Into<String>,
) -> InputIssue {
    InputIssue::invalid(IssueLocation::Body, name, value, detail)
}

/// Checks the scores as received (or as merged by a patch), keyed by criterion name: every key
/// an OECD-DAC criterion, every score 1 to 4. Each problem names its field
/// (`scores.relevance.score`).
pub fn check_scores(
    scores: &BTreeMap<String, Score>,
) -> Result<BTreeMap<Criterion, Score>, Vec<InputIssue>> {
    let mut issues = Vec::new();
    let mut checked = BTreeMap::new();
    for (name, score) in scores {
        match name.parse::<Criterion>() {
            Err(unknown) => issues.push(body_issue(
                format!("scores.{name}"),
                Some(Value::from(name.as_str())),
                format!(
                    "{name:?} is not an evaluation criterion; the criteria are {}",
                    unknown.allowed.join(", ")
                ),
            )),
            Ok(criterion) => {
                if !(1..=4).contains(&score.score) {
                    issues.push(body_issue(
                        format!("scores.{name}.score"),
                        Some(Value::from(score.score)),
                        "a score is 1 (poor) to 4 (good)",
                    ));
                }
                // A rationale in no language (what a patch that removes its last language
                // leaves) is no rationale.
                let rationale = score.rationale.clone().and_then(LocalizedText::or_none);
                checked.insert(
                    criterion,
                    Score {
                        score: score.score,
                        rationale,
                    },
                );
            }
        }
    }
    if issues.is_empty() {
        Ok(checked)
    } else {
        Err(issues)
    }
}

/// Checks a period (for a cluster follow-up) or a range (for an evaluation) against the plan:
/// reporting periods of the plan, in order.
pub fn check_range(plan: &Plan, range: PeriodRange) -> Vec<InputIssue> {
    let periods = plan.reporting_periods();
    let mut issues = Vec::new();
    for (name, period) in [("period.from", range.from), ("period.to", range.to)] {
        if !periods.contains(&period) {
            issues.push(InputIssue::kiv(
                "periodOutsidePlan",
                "Period outside the plan",
                IssueLocation::Body,
                name,
                Some(Value::from(period.to_string())),
                format!("{period} is not a reporting period of plan {}", plan.id),
            ));
        }
    }
    if issues.is_empty() && range.from > range.to {
        issues.push(body_issue(
            "period.to",
            Some(Value::from(range.to.to_string())),
            format!(
                "the range ends ({}) before it starts ({})",
                range.to, range.from
            ),
        ));
    }
    issues
}

/// Checks the subject: exactly one of a cluster of the plan and a theme of the plan.
pub fn check_subject(
    plan: &Plan,
    cluster_id: Option<&str>,
    theme_id: Option<&str>,
) -> Result<Subject, Vec<InputIssue>> {
    let refused = match (cluster_id, theme_id) {
        (Some(cluster), None) if plan.cluster_ids.iter().any(|c| c == cluster) => {
            return Ok(Subject::Cluster(cluster.to_owned()))
        }
        (Some(cluster), None) => body_issue(
            "clusterId",
            Some(Value::from(cluster)),
            format!("cluster {cluster} is not a cluster of plan {}", plan.id),
        ),
        (None, Some(theme)) if plan.theme_ids.iter().any(|t| t == theme) => {
            return Ok(Subject::Theme(theme.to_owned()))
        }
        (None, Some(theme)) => body_issue(
            "themeId",
            Some(Value::from(theme)),
            format!(
                "theme {theme} is not a transversal theme of plan {}",
                plan.id
            ),
        ),
        (Some(_), Some(_)) => body_issue(
            "themeId",
            None,
            "an evaluation is of a cluster or of a theme, not both",
        ),
        (None, None) => body_issue(
            "clusterId",
            None,
            "an evaluation is of a cluster (clusterId) or of a transversal theme (themeId)",
        ),
    };
    Err(vec![refused])
}

/// Refuses an edit of something published: a correction starts a new revision.
pub fn check_editable(kind: &str, state: PublicationState) -> Result<(), String> {
    match state {
        PublicationState::Draft => Ok(()),
        PublicationState::Published => Err(format!(
            "a published {kind} cannot be edited; start a new revision (POST .../revise) to correct it"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(value: i64) -> Score {
        Score {
            score: value,
            rationale: None,
        }
    }

    #[test]
    fn scores_name_the_offending_field() {
        let mut scores = BTreeMap::new();
        scores.insert("relevance".to_owned(), score(3));
        scores.insert("impact".to_owned(), score(5));
        scores.insert("beauty".to_owned(), score(2));
        let issues = check_scores(&scores).unwrap_err();
        let names: Vec<&str> = issues.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["scores.beauty", "scores.impact.score"]);
        scores.remove("beauty");
        scores.insert("impact".to_owned(), score(1));
        let checked = check_scores(&scores).unwrap();
        assert_eq!(checked[&Criterion::Impact].score, 1);
    }
}
