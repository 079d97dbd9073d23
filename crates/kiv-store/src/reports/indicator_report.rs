//! The indicator report: each indicator with its approved values, period by period.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::planning::IndicatorValue;
use kiv_domain::report::{IndicatorReport, IndicatorReportLine};
use kiv_domain::ReportingPeriod;

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::schema::{actions, approved_follow_ups, approved_values, objectives};

/// Indicator, period, approval time and value of an approved indicator value.
type ApprovedValueRow = (String, String, NaiveDateTime, Option<f64>, Option<String>);

/// The indicator report of `plan_id` (of one cluster when `cluster_id` names it).
pub fn indicator_report(
    conn: &mut DbConnection,
    plan_id: &str,
    cluster_id: Option<&str>,
) -> StoreResult<IndicatorReport> {
    let indicators = indicator_histories(conn, plan_id, cluster_id)?
        .into_iter()
        .map(|h| IndicatorReportLine::new(h.indicator, h.cluster_id, h.values))
        .collect();
    Ok(IndicatorReport {
        plan_id: plan_id.to_owned(),
        cluster_id: cluster_id.map(str::to_owned),
        indicators,
    })
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
