//! The trend: the progress report's totals period after period, all as of one moment. A point
//! is made by the same code as the progress report of its period, so the two never disagree.

use chrono::NaiveDateTime;
use kiv_domain::report::{TrendPoint, TrendReport};
use kiv_domain::rollup::METHOD;
use kiv_domain::{Plan, ReportingPeriod};

use super::{progress_data, ReportData, Scope};
use crate::database::DbConnection;
use crate::error::StoreResult;

/// The reporting periods of `plan` that have begun by `as_of`, up to `last` when given: the
/// periods a trend as of that moment has a point for.
pub fn trend_periods(
    plan: &Plan,
    as_of: NaiveDateTime,
    last: Option<ReportingPeriod>,
) -> Vec<ReportingPeriod> {
    plan.reporting_periods()
        .into_iter()
        .filter(|p| p.start() <= as_of.date() && last.is_none_or(|last| *p <= last))
        .collect()
}

/// The trend of `scope` over `periods`, as of `as_of`: each point is the totals of the progress
/// report of its period as of `as_of`. The one place trend points are made: the trend report,
/// the line on the printable progress report and an evaluation's context all use it.
pub fn trend_points(
    conn: &mut DbConnection,
    scope: &Scope,
    periods: &[ReportingPeriod],
    as_of: NaiveDateTime,
) -> StoreResult<Vec<TrendPoint>> {
    trend_points_and_last(conn, scope, periods, as_of).map(|(points, _)| points)
}

/// [`trend_points`], with the data of the last period, which an evaluation's context reuses.
pub fn trend_points_and_last(
    conn: &mut DbConnection,
    scope: &Scope,
    periods: &[ReportingPeriod],
    as_of: NaiveDateTime,
) -> StoreResult<(Vec<TrendPoint>, Option<ReportData>)> {
    let mut points = Vec::with_capacity(periods.len());
    let mut last = None;
    for period in periods {
        let data = progress_data(conn, scope, *period, as_of)?;
        points.push(TrendPoint {
            period: period.to_string(),
            as_of: as_of.and_utc(),
            figures: data.totals(*period),
        });
        last = Some(data);
    }
    Ok((points, last))
}

/// The trend report of `scope` as of `as_of`: a point for each period of the plan begun by then.
pub fn trend_report(
    conn: &mut DbConnection,
    plan: &Plan,
    scope: &Scope,
    as_of: NaiveDateTime,
) -> StoreResult<TrendReport> {
    let periods = trend_periods(plan, as_of, None);
    Ok(TrendReport {
        plan_id: plan.id.clone(),
        cluster_id: scope.cluster_id.clone(),
        theme_id: scope.theme_id.clone(),
        organisation_id: scope.organisation_id.clone(),
        as_of: as_of.and_utc(),
        method: METHOD,
        points: trend_points(conn, scope, &periods, as_of)?,
    })
}
