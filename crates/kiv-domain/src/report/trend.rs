//! The trend: a scope's figures period after period. Each point is the progress report of its
//! period as of one moment, so the line agrees with every report pulled at that moment: a
//! follow-up approved after its period ended still counts for it (reports are written and
//! reviewed after the period, never during it).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::rollup::Figures;

/// The figures of one reporting period: the totals of the progress report for that period, as
/// of the trend's moment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "period": "2017S2",
    "asOf": "2018-01-15T00:00:00Z",
    "actions": 6,
    "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2},
    "progress": 58.33,
    "leftOut": {"cancelled": 1, "noProgress": 2},
    "reportingRate": 0.67,
    "overdue": 1,
    "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}
})))]
pub struct TrendPoint {
    #[cfg_attr(feature = "openapi", schema(example = "2017S2"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")
    )]
    pub period: String,
    /// The moment the figures stand at: the trend's `asOf`, the same for every point.
    pub as_of: DateTime<Utc>,
    #[serde(flatten)]
    // Inline: a schema that flattens Figures shows them as its own properties, not as a
    // reference, so that a report that holds Figures at several levels (totals, clusters,
    // objectives) never refers to Figures from within an allOf over Figures.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub figures: Figures,
}

/// A plan's (or a cluster's, a theme's, an organisation's) figures period after period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "planId": "kiv-2016-2019",
    "clusterId": "3",
    "asOf": "2018-01-15T00:00:00Z",
    "method": "weightedMeanOfActions",
    "points": [{"period": "2017S1", "asOf": "2018-01-15T00:00:00Z", "actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}}, {"period": "2017S2", "asOf": "2018-01-15T00:00:00Z", "actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}}]
})))]
pub struct TrendReport {
    pub plan_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<String>,
    /// Only follow-ups approved by this moment count, in every point.
    pub as_of: DateTime<Utc>,
    /// How progress is rolled up: `weightedMeanOfActions`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::rollup::RollUpMethod))]
    pub method: &'static str,
    /// One per reporting period of the plan that has begun by `asOf`, in order.
    pub points: Vec<TrendPoint>,
}
