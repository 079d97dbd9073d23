//! The shapes of kiv's reports (progress, trend, compliance, indicators) and their pure rules.
//! A progress report has the same [`Figures`] for the plan, each cluster and each objective. The
//! store fills these shapes; every format (JSON, CSV, Excel, the printable page), the evaluation
//! context and the frozen figures of a cluster follow-up are read off them.
//!
//! What a report for period P as of moment T says:
//! - an action's status and progress are those of its latest follow-up approved by T for a
//!   period up to P (`notReported` without one);
//! - an action is overdue when its planned end falls on or before the last day of P and, by
//!   that status, it is neither completed nor cancelled: the same report pulled on another day
//!   says the same;
//! - an objective's figures count its own actions and indicators and those of every objective
//!   under it;
//! - a cluster's `assessment` is the FODs' published cluster follow-up of P itself, its
//!   `evaluation` the latest published evaluation that covers P or ended before it.

pub mod compliance;
pub mod indicators;
pub mod trend;

pub use compliance::{ComplianceReport, OrganisationCompliance, Reporting};
pub use indicators::{IndicatorReport, IndicatorReportLine, PeriodValue};
pub use trend::{TrendPoint, TrendReport};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::localized::LocalizedText;
use crate::period::ReportingPeriod;
use crate::planning::IndicatorValue;
use crate::rollup::Figures;
use crate::vocabulary::{IndicatorDirection, IndicatorMeasure};

/// An objective's figures: its own actions and indicators and those of the objectives under it
/// (an operational objective's count in its strategic objective's row).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10",
    "code": "3.1",
    "title": {"nl": "Het aanbod van drugs verminderen"},
    "actions": 6,
    "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2},
    "progress": 58.33,
    "leftOut": {"cancelled": 1, "noProgress": 2},
    "reportingRate": 0.67,
    "overdue": 1,
    "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}
})))]
pub struct ObjectiveReport {
    pub objective_id: String,
    pub code: String,
    pub title: LocalizedText,
    #[serde(flatten)]
    // Inline: a schema that flattens Figures shows them as its own properties, not as a
    // reference, so that a report that holds Figures at several levels (totals, clusters,
    // objectives) never refers to Figures from within an allOf over Figures.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub figures: Figures,
}

/// A cluster's figures and its objectives'.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "clusterId": "3",
    "name": {"nl": "Geactualiseerd integraal en geïntegreerd drugsbeleid", "fr": "Politique intégrale et intégrée actualisée en matière de drogues"},
    "actions": 6,
    "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2},
    "progress": 58.33,
    "leftOut": {"cancelled": 1, "noProgress": 2},
    "reportingRate": 0.67,
    "overdue": 1,
    "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0},
    "assessment": {"id": "3633a086-5f40-41d1-bf29-7d91c47f2522", "value": "attention", "period": "2017S2", "revision": 1, "publishedAt": "2018-02-15T10:30:00Z"},
    "evaluation": {"id": "b02a4219-1b8a-4787-ae68-1f7bc8107589", "value": "partial", "period": "2017S2", "round": "midTerm", "revision": 1, "publishedAt": "2018-03-01T09:00:00Z"},
    "objectives": [{"objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10", "code": "3.1", "title": {"nl": "Het aanbod van drugs verminderen"}, "actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}}]
})))]
pub struct ClusterReport {
    /// Absent for the transversal objectives, which belong to no cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<LocalizedText>,
    #[serde(flatten)]
    // Inline: a schema that flattens Figures shows them as its own properties, not as a
    // reference, so that a report that holds Figures at several levels (totals, clusters,
    // objectives) never refers to Figures from within an allOf over Figures.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub figures: Figures,
    /// The coordinating FODs' assessment of the cluster for the report's period: the cluster
    /// follow-up of that period as published by the report's moment (its latest revision then);
    /// absent when none is. Its `period` is always the report's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<PublishedJudgement>,
    /// The overall rating of the cluster's latest evaluation published by the report's moment
    /// among those that cover the report's period or ended before it (a later period's
    /// evaluation never judges an earlier period); `period` is the last period it covers.
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
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "3633a086-5f40-41d1-bf29-7d91c47f2522",
    "value": "attention",
    "period": "2017S2",
    "revision": 1,
    "publishedAt": "2018-02-15T10:30:00Z"
})))]
pub struct PublishedJudgement {
    /// The cluster follow-up's or the evaluation's id.
    pub id: String,
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = judgement_value_schema, example = "attention")
    )]
    pub value: String,
    /// The period judged (for an evaluation, the last one it covers).
    #[cfg_attr(feature = "openapi", schema(example = "2017S2"))]
    pub period: String,
    /// The evaluation's round.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::vocabulary::EvaluationRound>))]
    pub round: Option<String>,
    pub revision: i32,
    pub published_at: DateTime<Utc>,
}

/// A judgement's `value`: an assessment of a cluster follow-up or an evaluation's rating.
#[cfg(feature = "openapi")]
fn judgement_value_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::ToSchema;
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(utoipa::openapi::Ref::from_schema_name(
            crate::vocabulary::Assessment::name(),
        ))
        .item(utoipa::openapi::Ref::from_schema_name(
            crate::vocabulary::OverallRating::name(),
        ))
        .description(Some(
            "`onTrack`, `attention` or `offTrack` for an assessment; `insufficient`, `partial`, \
             `largelyAchieved` or `achieved` for an evaluation",
        ))
        .build()
        .into()
}

/// Where a plan stands, as approved by a moment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "planId": "kiv-2016-2019",
    "asOf": "2018-01-15T00:00:00Z",
    "period": "2017S2",
    "method": "weightedMeanOfActions",
    "totals": {"actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}},
    "clusters": [{"clusterId": "3", "name": {"nl": "Geactualiseerd integraal en geïntegreerd drugsbeleid", "fr": "Politique intégrale et intégrée actualisée en matière de drogues"}, "actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}, "assessment": {"id": "3633a086-5f40-41d1-bf29-7d91c47f2522", "value": "attention", "period": "2017S2", "revision": 1, "publishedAt": "2018-02-15T10:30:00Z"}, "evaluation": {"id": "b02a4219-1b8a-4787-ae68-1f7bc8107589", "value": "partial", "period": "2017S2", "round": "midTerm", "revision": 1, "publishedAt": "2018-03-01T09:00:00Z"}, "objectives": [{"objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10", "code": "3.1", "title": {"nl": "Het aanbod van drugs verminderen"}, "actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}}]}]
})))]
pub struct ProgressReport {
    pub plan_id: String,
    /// Only follow-ups approved by this moment count. Never later than when the report was
    /// made: an `asOf` in the future is refused, and today's date stands for now.
    pub as_of: DateTime<Utc>,
    /// The reporting period: statuses are those of periods up to it; `reportingRate`, `overdue`
    /// and the clusters' `assessment` are for it.
    #[cfg_attr(feature = "openapi", schema(example = "2017S2"))]
    pub period: String,
    /// How progress is rolled up: `weightedMeanOfActions`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::rollup::RollUpMethod))]
    pub method: &'static str,
    pub totals: Figures,
    pub clusters: Vec<ClusterReport>,
}

/// An indicator in a period: its target then in force, the approved value, and the verdict.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "indicatorId": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8",
    "objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10",
    "name": {"nl": "Aantal opgerolde drugslabs"},
    "unit": "labs",
    "measure": "number",
    "direction": "increase",
    "target": 30,
    "actual": 27,
    "onTrack": false
})))]
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
#[cfg_attr(feature = "openapi", schema(example = json!({
    "actionId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e",
    "code": "3.1.2",
    "leadOrganisationId": "federale-politie"
})))]
pub struct MissingReport {
    pub action_id: String,
    pub code: String,
    pub lead_organisation_id: String,
}

/// What an evaluator needs beside the evaluation: the follow-up figures of its plan and subject
/// for the periods it covers, computed as the progress report computes them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "evaluationId": "b02a4219-1b8a-4787-ae68-1f7bc8107589",
    "report": {"planId": "kiv-2016-2019", "asOf": "2018-01-15T00:00:00Z", "period": "2017S2", "method": "weightedMeanOfActions", "totals": {"actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}}, "clusters": [{"clusterId": "3", "name": {"nl": "Geactualiseerd integraal en geïntegreerd drugsbeleid", "fr": "Politique intégrale et intégrée actualisée en matière de drogues"}, "actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}, "assessment": {"id": "3633a086-5f40-41d1-bf29-7d91c47f2522", "value": "attention", "period": "2017S2", "revision": 1, "publishedAt": "2018-02-15T10:30:00Z"}, "evaluation": {"id": "b02a4219-1b8a-4787-ae68-1f7bc8107589", "value": "partial", "period": "2017S2", "round": "midTerm", "revision": 1, "publishedAt": "2018-03-01T09:00:00Z"}, "objectives": [{"objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10", "code": "3.1", "title": {"nl": "Het aanbod van drugs verminderen"}, "actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}}]}]},
    "trend": [{"period": "2017S2", "asOf": "2018-01-15T00:00:00Z", "actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}}],
    "indicators": [{"indicatorId": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8", "objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10", "name": {"nl": "Aantal opgerolde drugslabs"}, "unit": "labs", "measure": "number", "direction": "increase", "target": 30, "actual": 27, "onTrack": false}],
    "missingReports": [{"actionId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e", "code": "3.1.2", "leadOrganisationId": "federale-politie"}]
})))]
pub struct EvaluationContext {
    pub evaluation_id: String,
    /// The progress report of the evaluation's cluster (or theme) for the last period it covers:
    /// totals and per objective.
    pub report: ProgressReport,
    /// The totals of each period the evaluation covers, as of the same moment as `report`
    /// (the trend report's points for those periods).
    pub trend: Vec<TrendPoint>,
    /// Each indicator of the subject in the last period covered.
    pub indicators: Vec<IndicatorStanding>,
    /// Actions due a report for the last period covered without an approved one.
    pub missing_reports: Vec<MissingReport>,
}

/// Whether the FODs' assessment of `assessed` stands in a report of `period`: only the cluster
/// follow-up of that very period does (the 2017S2 assessment says nothing of 2016S2).
pub fn assessment_applies(assessed: ReportingPeriod, period: ReportingPeriod) -> bool {
    assessed == period
}

/// Whether an evaluation covering the periods from `from` stands in a report of `period`: it
/// covers that period or ended before it, so it was made of what was known then, never of later
/// periods.
pub fn evaluation_applies(from: ReportingPeriod, period: ReportingPeriod) -> bool {
    from <= period
}
