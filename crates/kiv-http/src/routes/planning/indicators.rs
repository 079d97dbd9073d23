//! `/indicators`: what measures an objective or an action.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use kiv_domain::Tagged;
use kiv_store::planning::indicators::{self, IndicatorFilter, IndicatorInput, IndicatorSort};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{IndicatorPatch, IndicatorQuery, IndicatorView, NewIndicator};
use crate::auth::{Auth, Coordinator};
use crate::extract::{expected_version, page_and_sort, ApiJson, ApiPatch, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{
    IdempotencyKeyReused, IfMatchRequired, InvalidInput, MalformedOrOutOfRange, NoSuchIndicator,
    NotCoordinator,
};
use crate::respond::{created, single, Collection};
use crate::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_indicators)
        .service(create_indicator)
        .service(get_indicator)
        .service(update_indicator)
        .service(delete_indicator);
}

/// List the indicators
///
/// Sorted by name.
#[utoipa::path(
    tag = "Planning",
    params(IndicatorQuery, ("Accept-Language" = Option<String>, Header, description = "Adds a `label` in this language")),
    responses(
        (status = 200, description = "One page of indicators", body = Collection<IndicatorView>),
        MalformedOrOutOfRange,
    )
)]
#[get("/indicators")]
async fn list_indicators(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    ApiQuery(query): ApiQuery<IndicatorQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
        query.page,
        query.page_size,
        query.sort.as_deref(),
        IndicatorSort::FIELDS,
    )?;
    let filter = IndicatorFilter {
        objective_id: query.objective_id,
        action_id: query.action_id,
        plan_id: query.plan_id,
        cluster_id: query.cluster_id,
        measure: query.measure,
        q: query.q,
    };
    let found = state
        .run(move |conn| indicators::list(conn, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |i| IndicatorView::new(&req, i)).respond())
}

/// Create an indicator
///
/// Coordinators only. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "Planning",
    request_body = NewIndicator,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body return the first answer")),
    responses(
        (status = 201, description = "The indicator", body = IndicatorView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input (target periods outside the plan: periodOutsidePlan), or a reference to nothing", body = Problem, content_type = "application/problem+json"),
        NotCoordinator,
        IdempotencyKeyReused,
    )
)]
#[post("/indicators")]
async fn create_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    ApiJson(body): ApiJson<NewIndicator>,
) -> Result<HttpResponse, ApiError> {
    let input = IndicatorInput {
        objective_id: body.objective_id,
        action_id: body.action_id,
        name: body.name,
        unit: body.unit,
        measure: body.measure,
        direction: body.direction,
        baseline: body.baseline,
        targets: body.targets,
    };
    let indicator = state
        .run(move |conn| indicators::create(conn, &caller, input))
        .await?;
    let validator = indicator.validator();
    let view = IndicatorView::new(&req, indicator);
    Ok(created(&req, &view.href, validator, &view))
}

/// Read an indicator
///
/// Any signed-in account may read it. The `ETag` of the answer is the indicator's version: send
/// it as `If-Match` to change or delete the indicator, or as `If-None-Match` to get a `304` when
/// it has not changed since.
#[utoipa::path(
    tag = "Planning",
    params(("indicatorId" = String, Path, description = "UUID of the indicator")),
    responses(
        (status = 200, description = "The indicator", body = IndicatorView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        NoSuchIndicator,
    )
)]
#[get("/indicators/{indicatorId}")]
async fn get_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    indicator_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "indicator",
            indicator_id.into_inner(),
            indicators::get,
            IndicatorView::new,
        )
        .await
}

/// Change an indicator
///
/// Coordinators only; `If-Match` with the indicator's `ETag`. A JSON merge patch: objects (the
/// name, the baseline) are merged member by member into the stored ones, `null` removes a
/// member, `targets` and other values are replaced. The whole indicator is checked again after
/// the change.
#[utoipa::path(
    tag = "Planning",
    params(("indicatorId" = String, Path), ("If-Match" = String, Header, description = "The indicator's ETag")),
    request_body(content = IndicatorPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed indicator", body = IndicatorView),
        InvalidInput,
        NotCoordinator,
        NoSuchIndicator,
        (status = 412, description = "The indicator changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[patch("/indicators/{indicatorId}")]
async fn update_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    indicator_id: web::Path<String>,
    ApiPatch(patch): ApiPatch<IndicatorPatch>,
) -> Result<HttpResponse, ApiError> {
    let changes = patch.changes()?;
    let expected = expected_version(&req)?;
    let id = indicator_id.into_inner();
    let indicator = state
        .run(move |conn| indicators::update(conn, &caller, &id, expected, changes))
        .await?;
    let validator = indicator.validator();
    Ok(single(
        &req,
        validator,
        &IndicatorView::new(&req, indicator),
    ))
}

/// Delete an indicator
///
/// Coordinators only; `If-Match` with the indicator's `ETag`. Refused (409) once follow-ups
/// report values of it.
#[utoipa::path(
    tag = "Planning",
    params(("indicatorId" = String, Path), ("If-Match" = String, Header, description = "The indicator's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        NotCoordinator,
        NoSuchIndicator,
        (status = 409, description = "Follow-ups report values of the indicator (conflict)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The indicator changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[delete("/indicators/{indicatorId}")]
async fn delete_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    indicator_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let id = indicator_id.into_inner();
    state
        .run(move |conn| indicators::delete(conn, &caller, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
