//! `/objectives`: the strategic and operational objectives of each plan.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use kiv_domain::Tagged;
use kiv_store::planning::objectives::{self, ObjectiveFilter, ObjectiveInput, ObjectiveSort};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{NewObjective, ObjectivePatch, ObjectiveQuery, ObjectiveView};
use crate::auth::{Auth, Coordinator};
use crate::extract::{expected_version, page_and_sort, ApiJson, ApiPatch, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{
    IdempotencyKeyReused, IfMatchRequired, InvalidInput, MalformedOrOutOfRange, NoSuchObjective,
    NotCoordinator,
};
use crate::respond::{created, single, Collection};
use crate::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_objectives)
        .service(create_objective)
        .service(get_objective)
        .service(update_objective)
        .service(delete_objective);
}

/// List the objectives
///
/// Sorted by plan and code unless `sort` says otherwise (`code`, `title`).
#[utoipa::path(
    tag = "Planning",
    params(ObjectiveQuery, ("Accept-Language" = Option<String>, Header, description = "Adds a `label` in this language")),
    responses(
        (status = 200, description = "One page of objectives", body = Collection<ObjectiveView>),
        MalformedOrOutOfRange,
    )
)]
#[get("/objectives")]
async fn list_objectives(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    ApiQuery(query): ApiQuery<ObjectiveQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
        query.page,
        query.page_size,
        query.sort.as_deref(),
        ObjectiveSort::FIELDS,
    )?;
    let filter = ObjectiveFilter {
        plan_id: query.plan_id,
        cluster_id: query.cluster_id,
        theme_id: query.theme_id,
        parent_id: query.parent_id,
        level: query.level,
        organisation_id: query.organisation_id,
        q: query.q,
    };
    let found = state
        .run(move |conn| objectives::list(conn, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |o| ObjectiveView::new(&req, o)).respond())
}

/// Create an objective
///
/// Coordinators only. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "Planning",
    request_body = NewObjective,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body return the first answer")),
    responses(
        (status = 201, description = "The objective", body = ObjectiveView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input, or a reference to nothing", body = Problem, content_type = "application/problem+json"),
        NotCoordinator,
        (status = 409, description = "The plan has an objective with this code", body = Problem, content_type = "application/problem+json"),
        IdempotencyKeyReused,
    )
)]
#[post("/objectives")]
async fn create_objective(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    ApiJson(body): ApiJson<NewObjective>,
) -> Result<HttpResponse, ApiError> {
    let input = ObjectiveInput {
        plan_id: body.plan_id,
        cluster_id: body.cluster_id,
        parent_id: body.parent_id,
        code: body.code,
        level: body.level,
        title: body.title,
        description: body.description,
        theme_ids: body.theme_ids,
        owner_organisation_ids: body.owner_organisation_ids,
    };
    let objective = state
        .run(move |conn| objectives::create(conn, &caller, input))
        .await?;
    let validator = objective.validator();
    let view = ObjectiveView::new(&req, objective);
    Ok(created(&req, &view.href, validator, &view))
}

/// Read an objective
///
/// Any signed-in account may read it. The `ETag` of the answer is the objective's version: send
/// it as `If-Match` to change or delete the objective, or as `If-None-Match` to get a `304` when
/// it has not changed since.
#[utoipa::path(
    tag = "Planning",
    params(("objectiveId" = String, Path, description = "UUID of the objective")),
    responses(
        (status = 200, description = "The objective", body = ObjectiveView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        NoSuchObjective,
    )
)]
#[get("/objectives/{objectiveId}")]
async fn get_objective(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    objective_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "objective",
            objective_id.into_inner(),
            objectives::get,
            ObjectiveView::new,
        )
        .await
}

/// Change an objective
///
/// Coordinators only; `If-Match` with the objective's `ETag`. A JSON merge patch: objects (the
/// title, the description) are merged member by member into the stored ones, `null` removes a
/// member, lists and other values are replaced. The whole objective is checked again after the
/// change.
#[utoipa::path(
    tag = "Planning",
    params(("objectiveId" = String, Path), ("If-Match" = String, Header, description = "The objective's ETag")),
    request_body(content = ObjectivePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed objective", body = ObjectiveView),
        InvalidInput,
        NotCoordinator,
        NoSuchObjective,
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The objective changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[patch("/objectives/{objectiveId}")]
async fn update_objective(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    objective_id: web::Path<String>,
    ApiPatch(patch): ApiPatch<ObjectivePatch>,
) -> Result<HttpResponse, ApiError> {
    let changes = patch.changes()?;
    let expected = expected_version(&req)?;
    let id = objective_id.into_inner();
    let objective = state
        .run(move |conn| objectives::update(conn, &caller, &id, expected, changes))
        .await?;
    let validator = objective.validator();
    Ok(single(
        &req,
        validator,
        &ObjectiveView::new(&req, objective),
    ))
}

/// Delete an objective
///
/// Coordinators only; `If-Match` with the objective's `ETag`. Refused (409) while operational
/// objectives, actions or indicators hang on it.
#[utoipa::path(
    tag = "Planning",
    params(("objectiveId" = String, Path), ("If-Match" = String, Header, description = "The objective's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        NotCoordinator,
        NoSuchObjective,
        (status = 409, description = "Something depends on the objective; the detail says what", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The objective changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[delete("/objectives/{objectiveId}")]
async fn delete_objective(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    objective_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let id = objective_id.into_inner();
    state
        .run(move |conn| objectives::delete(conn, &caller, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
