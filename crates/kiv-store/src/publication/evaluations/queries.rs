//! Reading evaluations, each as the caller may read it, and the figures an evaluator reads
//! beside one.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::evaluation::Evaluation;
use kiv_domain::report::{EvaluationContext, IndicatorStanding, MissingReport};
use kiv_domain::rollup::{on_track, target_for};
use kiv_domain::{Caller, PageRequest, PublicationState};

use super::rows::{EvaluationFilter, Row};
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::page::{load_page, total_count, Page};
use crate::publication::revisions::{self as publication, PublicationEvent};
use crate::reference::plans;
use crate::reports::{self, Scope};
use crate::schema::evaluations;

pub(super) fn row(
    conn: &mut DbConnection,
    id: &str,
) -> StoreResult<Option<(Evaluation, Option<i32>)>> {
    evaluations::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// The evaluation as `caller` may read it: coordinators the current revision, others the latest
/// published one (`None` before the first publication).
pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<Option<Evaluation>> {
    match row(conn, id)? {
        Some((current, published_revision)) => {
            publication::visible(conn, caller, current, published_revision)
        }
        None => Ok(None),
    }
}

/// One page of evaluations, latest period first, as `caller` may read them.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    filter: &EvaluationFilter,
    page: PageRequest,
) -> StoreResult<Page<Evaluation>> {
    let drafts_too = caller.may_read_drafts();
    let filtered = || {
        let mut query = evaluations::table.into_boxed();
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(evaluations::plan_id.eq(plan_id.clone()));
        }
        if let Some(cluster_id) = &filter.cluster_id {
            query = query.filter(evaluations::cluster_id.eq(cluster_id.clone()));
        }
        if let Some(theme_id) = &filter.theme_id {
            query = query.filter(evaluations::theme_id.eq(theme_id.clone()));
        }
        if let Some(round) = filter.round {
            query = query.filter(evaluations::round.eq(round.as_str()));
        }
        if let Some(state) = filter.state {
            query = query.filter(evaluations::state.eq(state.as_str()));
        }
        if !drafts_too {
            query = query.filter(evaluations::published_revision.is_not_null());
        }
        query
    };
    let Page { items: rows, total } = load_page(
        conn,
        filtered()
            .order((
                evaluations::period_to.desc(),
                evaluations::subject.asc(),
                evaluations::id.asc(),
            ))
            .select((Row::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    let rows = rows
        .into_iter()
        .map(Row::into_domain)
        .collect::<StoreResult<Vec<_>>>()?;
    let items = publication::visible_page(conn, caller, rows)?;
    Ok(Page { items, total })
}

/// The history of an evaluation: every step for coordinators, the publications for others.
pub fn history(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    page: PageRequest,
) -> StoreResult<Page<PublicationEvent>> {
    readable(conn, caller, id)?;
    publication::history::<Evaluation>(conn, id, caller.may_read_drafts(), page)
}

/// The evaluation `id` as `caller` may read it; `NotFound` when there is none, or none it may
/// read (a draft, for those who read published evaluations only).
pub fn readable(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<Evaluation> {
    get(conn, caller, id)?.ok_or(StoreError::NotFound)
}

/// The follow-up figures beside the evaluation `id` as `caller` may read it (see
/// [`readable`]): of its plan and subject for the periods it covers, the same computation as
/// the progress report. A published evaluation's context stands as of its publication (what its
/// authors saw), a draft's as of now.
pub fn context(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<EvaluationContext> {
    let evaluation = readable(conn, caller, id)?;
    let as_of = match (evaluation.state, evaluation.published_at) {
        (PublicationState::Published, Some(at)) => at,
        _ => crate::clock::now(),
    };
    context_as_of(conn, &evaluation, as_of)
}

fn context_as_of(
    conn: &mut DbConnection,
    evaluation: &Evaluation,
    as_of: NaiveDateTime,
) -> StoreResult<EvaluationContext> {
    let plan = plans::get(conn, &evaluation.plan_id)?.ok_or(StoreError::NotFound)?;
    let scope = Scope {
        plan_id: plan.id.clone(),
        cluster_id: evaluation.cluster_id.clone(),
        theme_id: evaluation.theme_id.clone(),
        organisation_id: None,
    };
    let last = evaluation.period.to;
    // Each period covered as approved by `as_of`: the data the evaluator judges, corrections
    // included. The last period's data also makes the report and the indicators' standing.
    let periods: Vec<_> = plan
        .reporting_periods()
        .into_iter()
        .filter(|p| *p >= evaluation.period.from && *p <= last)
        .collect();
    let (trend, last_data) = reports::trend::trend_points_and_last(conn, &scope, &periods, as_of)?;
    let data = match last_data {
        Some(data) => data,
        None => reports::progress_data(conn, &scope, last, as_of)?,
    };
    let report = reports::report_from(conn, &plan, &scope, last, as_of, &data)?;
    let mut lines: Vec<&reports::IndicatorLine> = data.indicators.iter().collect();
    lines.sort_by(|a, b| a.id.cmp(&b.id));
    let ids: Vec<&str> = lines.iter().map(|i| i.id.as_str()).collect();
    let mut labels = reports::indicator_labels(conn, &ids)?;
    let indicators = lines
        .into_iter()
        .map(|i| {
            let target = target_for(&i.targets, last).cloned();
            let (name, unit) = labels.remove(&i.id).unwrap_or_default();
            IndicatorStanding {
                indicator_id: i.id.clone(),
                objective_id: i.objective_id.clone(),
                name,
                unit,
                measure: i.measure,
                direction: i.direction,
                on_track: on_track(i.measure, i.direction, target.as_ref(), i.actual.as_ref()),
                target,
                actual: i.actual.clone(),
            }
        })
        .collect();
    let missing_reports = reports::unreported(conn, &scope, last, as_of)?
        .into_iter()
        .map(|a| MissingReport {
            action_id: a.id,
            code: a.code,
            lead_organisation_id: a.lead_organisation_id,
        })
        .collect();
    Ok(EvaluationContext {
        evaluation_id: evaluation.id.clone(),
        report,
        trend,
        indicators,
        missing_reports,
    })
}
