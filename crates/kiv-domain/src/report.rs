//! The shape of a progress report: the same [`Figures`] for the plan, each cluster and each
//! objective. The store fills it; every format (JSON, CSV, Excel, the printable page), the
//! evaluation context and the frozen figures of a cluster follow-up are read off it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::localized::LocalizedText;
use crate::planning::IndicatorValue;
use crate::rollup::Figures;
use crate::vocabulary::{IndicatorDirection, IndicatorMeasure};

/// An objective's figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ObjectiveReport {
    pub objective_id: String,
    pub code: String,
    pub title: LocalizedText,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A cluster's figures and its objectives'.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClusterReport {
    /// Absent for the transversal objectives, which belong to no cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<LocalizedText>,
    #[serde(flatten)]
    pub figures: Figures,
    /// The coordinating FODs' latest published assessment of the cluster as of the report's
    /// moment (from the cluster follow-up of the latest period); absent when none is published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<PublishedJudgement>,
    /// The overall rating of the cluster's latest published evaluation as of the report's moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<PublishedJudgement>,
    pub objectives: Vec<ObjectiveReport>,
}

/// A published judgement on a cluster: the assessment of a cluster follow-up
/// (`onTrack`, `attention`, `offTrack`) or the overall rating of an evaluation
/// (`insufficient`, `partial`, `largelyAchieved`, `achieved`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PublishedJudgement {
    /// The cluster follow-up's or the evaluation's id.
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(example = "attention"))]
    pub value: String,
    /// The period judged (for an evaluation, the last one it covers).
    #[cfg_attr(feature = "openapi", schema(example = "2017S2"))]
    pub period: String,
    /// The evaluation's round.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round: Option<String>,
    pub revision: i32,
    pub published_at: DateTime<Utc>,
}

/// Where a plan stands, as approved by a moment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProgressReport {
    pub plan_id: String,
    /// Only follow-ups approved by this moment count.
    pub as_of: DateTime<Utc>,
    /// The reporting period: statuses are those of periods up to it; `reportingRate` is for it.
    #[cfg_attr(feature = "openapi", schema(example = "2017S2"))]
    pub period: String,
    /// How progress is rolled up: `weightedMeanOfActions`.
    pub method: &'static str,
    pub totals: Figures,
    pub clusters: Vec<ClusterReport>,
}

/// An indicator in a period: its target then in force, the approved value, and the verdict.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IndicatorStanding {
    pub indicator_id: String,
    /// The objective it measures (directly or through its action).
    pub objective_id: String,
    pub name: LocalizedText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub measure: IndicatorMeasure,
    pub direction: IndicatorDirection,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<IndicatorValue>,
    /// The approved value for the period; absent when none is approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<IndicatorValue>,
    /// Against the target, the way `direction` says; absent when it cannot be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_track: Option<bool>,
}

/// An action due a report for the period without an approved one.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MissingReport {
    pub action_id: String,
    pub code: String,
    pub lead_organisation_id: String,
}

/// The figures at the end of one period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PeriodFigures {
    #[cfg_attr(feature = "openapi", schema(example = "2017S1"))]
    pub period: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// What an evaluator needs beside the evaluation: the follow-up figures of its plan and subject
/// for the periods it covers, computed as the progress report computes them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EvaluationContext {
    pub evaluation_id: String,
    /// The progress report of the evaluation's cluster (or theme) for the last period it covers:
    /// totals and per objective.
    pub report: ProgressReport,
    /// The totals at the end of each period the evaluation covers.
    pub trend: Vec<PeriodFigures>,
    /// Each indicator of the subject in the last period covered.
    pub indicators: Vec<IndicatorStanding>,
    /// Actions due a report for the last period covered without an approved one.
    pub missing_reports: Vec<MissingReport>,
}
