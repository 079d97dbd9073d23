//! The shape of a progress report: the same [`Figures`] for the plan, each cluster and each
//! objective. The store fills it; every format (JSON, CSV, Excel, the printable page), the
//! evaluation context and the frozen figures of a cluster follow-up are read off it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::localized::LocalizedText;
use crate::rollup::Figures;

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
    pub objectives: Vec<ObjectiveReport>,
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
