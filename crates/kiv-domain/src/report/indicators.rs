//! The indicator report: each indicator's approved values period by period, each against the
//! target then in force.

use serde::Serialize;

use crate::localized::LocalizedText;
use crate::period::ReportingPeriod;
use crate::planning::{Baseline, Indicator, IndicatorValue, Target};
use crate::rollup::{on_track, target_for};
use crate::vocabulary::{IndicatorDirection, IndicatorMeasure};

/// An indicator's value in one period, against the target then in force.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({"period": "2017S2", "value": 27, "target": 30, "onTrack": false})))]
pub struct PeriodValue {
    #[cfg_attr(feature = "openapi", schema(example = "2017S2"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")
    )]
    pub period: String,
    pub value: IndicatorValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<IndicatorValue>,
    /// On track against that target, the way the indicator's direction says; absent when it
    /// cannot be told (no target, or a qualitative indicator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_track: Option<bool>,
}

/// One indicator: baseline, targets, approved values per period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "indicatorId": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8",
    "objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10",
    "clusterId": "3",
    "name": {"nl": "Aantal opgerolde drugslabs"},
    "unit": "labs",
    "measure": "number",
    "direction": "increase",
    "baseline": {"value": 20, "year": 2015},
    "targets": [{"period": "2017S2", "value": 30}],
    "values": [{"period": "2017S1", "value": 24}, {"period": "2017S2", "value": 27, "target": 30, "onTrack": false}],
    "onTrack": false
})))]
pub struct IndicatorReportLine {
    pub indicator_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    pub name: LocalizedText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub measure: IndicatorMeasure,
    pub direction: IndicatorDirection,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    pub targets: Vec<Target>,
    /// Approved values, in period order (the latest approved revision of each period).
    pub values: Vec<PeriodValue>,
    /// The assessment of the latest period with a value; absent when it cannot be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_track: Option<bool>,
}

/// Every indicator of a plan.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "planId": "kiv-2016-2019",
    "indicators": [{"indicatorId": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8", "objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10", "clusterId": "3", "name": {"nl": "Aantal opgerolde drugslabs"}, "unit": "labs", "measure": "number", "direction": "increase", "baseline": {"value": 20, "year": 2015}, "targets": [{"period": "2017S2", "value": 30}], "values": [{"period": "2017S1", "value": 24}, {"period": "2017S2", "value": 27, "target": 30, "onTrack": false}], "onTrack": false}]
})))]
pub struct IndicatorReport {
    pub plan_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    pub indicators: Vec<IndicatorReportLine>,
}

impl IndicatorReportLine {
    /// The line of `indicator` (of cluster `cluster_id`) with its approved `values`, in period
    /// order, each judged against the target in force in its period.
    pub fn new(
        indicator: Indicator,
        cluster_id: Option<String>,
        values: Vec<(ReportingPeriod, IndicatorValue)>,
    ) -> Self {
        let values: Vec<PeriodValue> = values
            .into_iter()
            .map(|(period, value)| {
                let target = target_for(&indicator.targets, period).cloned();
                PeriodValue {
                    period: period.to_string(),
                    on_track: on_track(
                        indicator.measure,
                        indicator.direction,
                        target.as_ref(),
                        Some(&value),
                    ),
                    value,
                    target,
                }
            })
            .collect();
        IndicatorReportLine {
            on_track: values.last().and_then(|v| v.on_track),
            indicator_id: indicator.id,
            objective_id: indicator.objective_id,
            action_id: indicator.action_id,
            cluster_id,
            name: indicator.name,
            unit: indicator.unit,
            measure: indicator.measure,
            direction: indicator.direction,
            baseline: indicator.baseline,
            targets: indicator.targets,
            values,
        }
    }
}
