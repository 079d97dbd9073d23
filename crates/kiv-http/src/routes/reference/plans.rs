//! `/plans`: the Kadernota Integrale Veiligheid, the Nationaal Veiligheidsplan and later cycles.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use kiv_domain::Tagged;
use kiv_store::reference::plans::{self, PlanChanges, PlanFilter, PlanInput, PlanSort};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{NewPlan, PlanPatch, PlanQuery, PlanView};
use crate::auth::{Admin, Auth};
use crate::extract::{expected_version, page_and_sort, required, ApiJson, ApiPatch, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{IfMatchRequired, InvalidInput, MalformedOrOutOfRange, NoSuchPlan};
use crate::respond::{created, single, Collection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_plans)
        .service(create_plan)
        .service(get_plan)
        .service(update_plan);
}

/// List the plans
///
/// Sorted by id unless `sort` says otherwise (`id`, `periodStart`).
#[utoipa::path(
    tag = "Reference data",
    params(PlanQuery),
    responses(
        (status = 200, description = "One page of plans", body = Collection<PlanView>),
        MalformedOrOutOfRange,
    )
)]
#[get("/plans")]
async fn list_plans(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    ApiQuery(query): ApiQuery<PlanQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
        query.page,
        query.page_size,
        query.sort.as_deref(),
        PlanSort::FIELDS,
    )?;
    let filter = PlanFilter {
        kind: query.kind,
        active_on: query.active_on,
    };
    let found = state
        .run(move |conn| plans::list(conn, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |p| PlanView::new(&req, p)).respond())
}

/// Read a plan
///
/// With its reporting periods, clusters and themes. The `ETag` changes whenever the plan does;
/// send it back in `If-None-Match` to get `304 Not Modified` while it has not.
#[utoipa::path(
    tag = "Reference data",
    params(("planId" = String, Path, description = "Id of the plan", example = "kiv-2016-2019")),
    responses(
        (status = 200, description = "The plan", body = PlanView,
         headers(("ETag" = String, description = "Entity tag of this version"))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        NoSuchPlan,
    )
)]
#[get("/plans/{planId}")]
async fn get_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    plan_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "plan",
            plan_id.into_inner(),
            plans::get,
            PlanView::new,
        )
        .await
}

/// Create a plan
///
/// Administrators only: a new plan cycle is created through the API, not in code.
#[utoipa::path(
    tag = "Reference data",
    request_body = NewPlan,
    responses(
        (status = 201, description = "The plan", body = PlanView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input, or unknown clusters or themes", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A plan with this id exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/plans")]
async fn create_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
    ApiJson(body): ApiJson<NewPlan>,
) -> Result<HttpResponse, ApiError> {
    let input = PlanInput {
        id: body.id,
        kind: body.kind,
        title: body.title,
        period_start: body.period_start,
        period_end: body.period_end,
        reporting_frequency: body.reporting_frequency,
        cluster_ids: body.cluster_ids,
        theme_ids: body.theme_ids,
    };
    let plan = state
        .run(move |conn| plans::create(conn, &caller, input))
        .await?;
    let validator = plan.validator();
    let view = PlanView::new(&req, plan);
    Ok(created(&req, &view.href, validator, &view))
}

/// Change a plan
///
/// Administrators only; `If-Match` with the plan's `ETag`. A JSON merge patch: the title is
/// merged language by language into the stored one (`null` removes a language), lists and
/// other values are replaced. Refused (409) when the plan's
/// content would no longer fit: actions planned outside a shortened period, indicator targets
/// that are no longer reporting periods, clusters or themes still in use.
#[utoipa::path(
    tag = "Reference data",
    params(("planId" = String, Path), ("If-Match" = String, Header, description = "The plan's ETag")),
    request_body(content = PlanPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed plan", body = PlanView),
        InvalidInput,
        (status = 403, description = "Not an administrator (missingScope)", body = Problem, content_type = "application/problem+json"),
        NoSuchPlan,
        (status = 409, description = "The plan's content would no longer fit", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The plan changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[patch("/plans/{planId}")]
async fn update_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
    plan_id: web::Path<String>,
    ApiPatch(patch): ApiPatch<PlanPatch>,
) -> Result<HttpResponse, ApiError> {
    let mut issues = Vec::new();
    let changes = PlanChanges {
        kind: required("kind", patch.kind, &mut issues),
        title: required("title", patch.title, &mut issues),
        period_start: required("periodStart", patch.period_start, &mut issues),
        period_end: required("periodEnd", patch.period_end, &mut issues),
        reporting_frequency: required("reportingFrequency", patch.reporting_frequency, &mut issues),
        cluster_ids: required("clusterIds", patch.cluster_ids, &mut issues),
        theme_ids: required("themeIds", patch.theme_ids, &mut issues),
    };
    if !issues.is_empty() {
        return Err(ApiError::bad_request(issues));
    }
    let expected = expected_version(&req)?;
    let id = plan_id.into_inner();
    let plan = state
        .run(move |conn| plans::update(conn, &caller, &id, expected, changes))
        .await?;
    let validator = plan.validator();
    Ok(single(&req, validator, &PlanView::new(&req, plan)))
}
