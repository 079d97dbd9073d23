//! `/actions`: who does what, when, for which objective, and how far it got.

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use kiv_domain::Tagged;
use kiv_store::audit::{self, AuditFilter};
use kiv_store::planning::actions::{self, ActionFilter, ActionInput, ActionSort};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{ActionPatch, ActionQuery, HistoryQuery, NewAction, SyncedAction};
use crate::auth::{Auth, Coordinator, Reporting};
use crate::extract::{expected_version, page_and_sort, ApiJson, ApiPatch, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{
    IdempotencyKeyReused, IfMatchRequired, InvalidInput, MalformedOrOutOfRange, NoSuchAction,
    NotCoordinator,
};
use crate::respond::{created, single, Collection};
use crate::views::ActionView;
use crate::views::AuditEventView;
use crate::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_actions)
        .service(create_action)
        .service(sync_action)
        .service(get_action)
        .service(update_action)
        .service(delete_action)
        .service(action_history);
}

/// List the actions
///
/// Sorted by objective and code unless `sort` says otherwise (`code`, `title`, `plannedStart`,
/// `plannedEnd`).
#[utoipa::path(
    tag = "Planning",
    params(ActionQuery, ("Accept-Language" = Option<String>, Header, description = "Adds a `label` in this language")),
    responses(
        (status = 200, description = "One page of actions", body = Collection<ActionView>),
        MalformedOrOutOfRange,
    )
)]
#[get("/actions")]
async fn list_actions(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    ApiQuery(query): ApiQuery<ActionQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
        query.page,
        query.page_size,
        query.sort.as_deref(),
        ActionSort::FIELDS,
    )?;
    let filter = ActionFilter {
        plan_id: query.plan_id,
        cluster_id: query.cluster_id,
        objective_id: query.objective_id,
        theme_id: query.theme_id,
        organisation_id: query.organisation_id,
        status: query.status,
        q: query.q,
        planned_end_before: query.planned_end_before,
    };
    let found = state
        .run(move |conn| actions::list(conn, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |a| ActionView::new(&req, a)).respond())
}

/// Create an action
///
/// Coordinators only. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "Planning",
    request_body = NewAction,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body return the first answer")),
    responses(
        (status = 201, description = "The action", body = ActionView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input (dates outside the plan: periodOutsidePlan), or a reference to nothing", body = Problem, content_type = "application/problem+json"),
        NotCoordinator,
        (status = 409, description = "The code or the external id is taken", body = Problem, content_type = "application/problem+json"),
        IdempotencyKeyReused,
    )
)]
#[post("/actions")]
async fn create_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    ApiJson(body): ApiJson<NewAction>,
) -> Result<HttpResponse, ApiError> {
    let input = ActionInput {
        objective_id: body.objective_id,
        code: body.code,
        title: body.title,
        description: body.description,
        lead_organisation_id: body.lead_organisation_id,
        partner_organisation_ids: body.partner_organisation_ids,
        theme_ids: body.theme_ids,
        planned_start: body.planned_start,
        planned_end: body.planned_end,
        weight: body.weight,
        external_id: body.external_id,
    };
    let action = state
        .run(move |conn| actions::create(conn, &caller, input))
        .await?;
    let validator = action.validator();
    let view = ActionView::new(&req, action);
    Ok(created(&req, &view.href, validator, &view))
}

/// Create or replace an action by its external id
///
/// For an agency system that keeps its own register: the action that organisation
/// `organisationId` leads and knows as `externalId` is created (201) or replaced (200) by the
/// body; sending the same body again changes nothing. Coordinators may sync any organisation's
/// actions; reporters only their own organisation's. `If-Match` is optional here: with it, the
/// replacement only happens if the action is still at that version.
#[utoipa::path(
    tag = "Planning",
    params(
        ("organisationId" = String, Path, description = "The lead organisation"),
        ("externalId" = String, Path, description = "The lead organisation's own id of the action"),
        ("If-Match" = Option<String>, Header, description = "Replace only this version"),
    ),
    request_body = SyncedAction,
    responses(
        (status = 200, description = "The action, replaced (or unchanged)", body = ActionView),
        (status = 201, description = "The action, created", body = ActionView, headers(("Location" = String))),
        InvalidInput,
        (status = 403, description = "Another organisation's action (missingPermission), or not a coordinator or reporter (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken in the objective", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The action changed since the ETag in If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/actions/byExternalId/{organisationId}/{externalId}")]
async fn sync_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    // The role before the body: an evaluator is told it may not, whatever it sent.
    Reporting(caller): Reporting,
    path: web::Path<(String, String)>,
    ApiJson(body): ApiJson<SyncedAction>,
) -> Result<HttpResponse, ApiError> {
    let (organisation_id, external_id) = path.into_inner();
    caller
        .check_action_sync(&organisation_id)
        .map_err(ApiError::MissingPermission)?;
    let expected = match req
        .headers()
        .contains_key(actix_web::http::header::IF_MATCH)
    {
        true => expected_version(&req)?,
        false => None,
    };
    let input = ActionInput {
        objective_id: body.objective_id,
        code: body.code,
        title: body.title,
        description: body.description,
        lead_organisation_id: organisation_id,
        partner_organisation_ids: body.partner_organisation_ids,
        theme_ids: body.theme_ids,
        planned_start: body.planned_start,
        planned_end: body.planned_end,
        weight: body.weight,
        external_id: Some(external_id),
    };
    let (action, was_created) = state
        .run(move |conn| actions::upsert_by_external_id(conn, &caller, expected, input))
        .await?;
    let validator = action.validator();
    let view = ActionView::new(&req, action);
    Ok(if was_created {
        created(&req, &view.href, validator, &view)
    } else {
        single(&req, validator, &view)
    })
}

/// Read an action
///
/// With its status and progress from the latest approved follow-up.
#[utoipa::path(
    tag = "Planning",
    params(("actionId" = String, Path, description = "UUID of the action")),
    responses(
        (status = 200, description = "The action", body = ActionView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        NoSuchAction,
    )
)]
#[get("/actions/{actionId}")]
async fn get_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    action_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "action",
            action_id.into_inner(),
            actions::get,
            ActionView::new,
        )
        .await
}

/// Change an action
///
/// Coordinators only; `If-Match` with the action's `ETag`. A JSON merge patch: objects (the
/// title, the description) are merged member by member into the stored ones, `null` removes a
/// member, lists and other values are replaced. The whole action is checked again after the
/// change.
#[utoipa::path(
    tag = "Planning",
    params(("actionId" = String, Path), ("If-Match" = String, Header, description = "The action's ETag")),
    request_body(content = ActionPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed action", body = ActionView),
        InvalidInput,
        NotCoordinator,
        NoSuchAction,
        (status = 409, description = "The code or the external id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The action changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[patch("/actions/{actionId}")]
async fn update_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    action_id: web::Path<String>,
    ApiPatch(patch): ApiPatch<ActionPatch>,
) -> Result<HttpResponse, ApiError> {
    let changes = patch.changes()?;
    let expected = expected_version(&req)?;
    let id = action_id.into_inner();
    let action = state
        .run(move |conn| actions::update(conn, &caller, &id, expected, changes))
        .await?;
    let validator = action.validator();
    Ok(single(&req, validator, &ActionView::new(&req, action)))
}

/// Delete an action
///
/// Coordinators only; `If-Match` with the action's `ETag`. Refused (409) while indicators or
/// follow-ups hang on it.
#[utoipa::path(
    tag = "Planning",
    params(("actionId" = String, Path), ("If-Match" = String, Header, description = "The action's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        NotCoordinator,
        NoSuchAction,
        (status = 409, description = "Something depends on the action; the detail says what", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The action changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[delete("/actions/{actionId}")]
async fn delete_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    action_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let id = action_id.into_inner();
    state
        .run(move |conn| actions::delete(conn, &caller, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The history of an action
///
/// Every change to the action, oldest first: who (account and organisation), when, and the
/// action before and after. Readable by anyone who may read the action.
#[utoipa::path(
    tag = "Planning",
    params(("actionId" = String, Path), HistoryQuery),
    responses(
        (status = 200, description = "One page of the action's changes", body = Collection<AuditEventView>),
        (status = 404, description = "No such action, now or ever", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/actions/{actionId}/history")]
async fn action_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    action_id: web::Path<String>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let id = action_id.into_inner();
    let filter = AuditFilter {
        entity_type: Some("action".into()),
        entity_id: Some(id.clone()),
        account_login: None,
    };
    let found = state
        .run(move |conn| audit::list(conn, &filter, page))
        .await?;
    if found.total == 0 {
        return Err(ApiError::not_found("action", &id));
    }
    Ok(Collection::new(&req, page, found, AuditEventView::from).respond())
}
