//! The reports as the API asks for them: by plan id, period and moment. Each operation reads the
//! plan, settles the period by the plan's rule (`Plan::report_period`) and computes the report
//! in one call, so a request for a report is one piece of work on one connection.

use chrono::NaiveDateTime;
use kiv_domain::report::{
    ComplianceReport, IndicatorReport, ProgressReport, TrendPoint, TrendReport,
};
use kiv_domain::{Plan, ReportingPeriod};

use super::compliance::compliance_report;
use super::indicator_report::indicator_report;
use super::trend::{trend_periods, trend_points, trend_report};
use super::{progress_report, Scope};
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::reference::plans;

/// What a report is asked for.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// The plan, and which of its actions (cluster, theme, lead organisation).
    pub scope: Scope,
    /// The period asked for; `None`: the one `as_of` falls in.
    pub period: Option<ReportingPeriod>,
    /// The moment the report stands at: only what was approved by then counts.
    pub as_of: NaiveDateTime,
}

/// The plan a report is asked of; `NotFound` when there is none.
fn plan(conn: &mut DbConnection, plan_id: &str) -> StoreResult<Plan> {
    plans::get(conn, plan_id)?.ok_or(StoreError::NotFound)
}

/// The period a report of `plan` covers (see `Plan::report_period`); a period outside the plan is
/// refused naming the `period` parameter.
fn period_of(
    plan: &Plan,
    asked: Option<ReportingPeriod>,
    as_of: NaiveDateTime,
) -> StoreResult<ReportingPeriod> {
    plan.report_period(asked, as_of.date())
        .map_err(StoreError::Rejected)?
        .ok_or_else(|| StoreError::Corrupt(format!("plan {} has no reporting periods", plan.id)))
}

/// The progress report asked for and, when `with_trend`, the line of total progress beside it:
/// the trend of the same scope as of the same moment up to the report's period, whose last point
/// is the report's totals (the printable page draws it).
pub fn progress(
    conn: &mut DbConnection,
    request: &ReportRequest,
    with_trend: bool,
) -> StoreResult<(ProgressReport, Vec<TrendPoint>)> {
    let plan = plan(conn, &request.scope.plan_id)?;
    let period = period_of(&plan, request.period, request.as_of)?;
    let report = progress_report(conn, &plan, &request.scope, period, request.as_of)?;
    let trend = if with_trend {
        let periods = trend_periods(&plan, request.as_of, Some(period));
        trend_points(conn, &request.scope, &periods, request.as_of)?
    } else {
        Vec::new()
    };
    Ok((report, trend))
}

/// The trend report asked for: a point for each period of the plan begun by `as_of` (the
/// request's period is not used).
pub fn trend(conn: &mut DbConnection, request: &ReportRequest) -> StoreResult<TrendReport> {
    let plan = plan(conn, &request.scope.plan_id)?;
    trend_report(conn, &plan, &request.scope, request.as_of)
}

/// The compliance report of plan `plan_id` for `period`, which must be one of the plan's.
pub fn compliance(
    conn: &mut DbConnection,
    plan_id: &str,
    period: ReportingPeriod,
) -> StoreResult<ComplianceReport> {
    let plan = plan(conn, plan_id)?;
    let period = period_of(&plan, Some(period), crate::clock::now())?;
    compliance_report(conn, &plan, period)
}

/// The indicator report of plan `plan_id` (of one cluster when `cluster_id` names it).
pub fn indicators(
    conn: &mut DbConnection,
    plan_id: &str,
    cluster_id: Option<&str>,
) -> StoreResult<IndicatorReport> {
    let plan = plan(conn, plan_id)?;
    indicator_report(conn, &plan.id, cluster_id)
}
