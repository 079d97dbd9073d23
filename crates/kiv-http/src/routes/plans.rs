//! `/plans`: the Kadernota Integrale Veiligheid, the Nationaal Veiligheidsplan and later cycles.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::Tagged;
use kiv_domain::{LocalizedText, Plan, PlanKind, ReportingFrequency};
use kiv_store::reference::plans::{self, PlanChanges, PlanFilter, PlanInput, PlanSort};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::auth::{Admin, Auth};
use crate::extract::{
    expected_version, page_and_sort, patch_field, required, ApiJson, ApiPatch, ApiQuery,
};
use crate::patch_schemas::LocalizedTextPatch;
use crate::problem::{ApiError, Problem};
use crate::respond::{created, href, single, Collection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_plans)
        .service(create_plan)
        .service(get_plan)
        .service(update_plan);
}

/// A policy plan and the period over which it is followed up.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "kiv-2016-2019",
    "href": "http://127.0.0.1:8080/kiv/v1/plans/kiv-2016-2019",
    "kind": "frameworkNote",
    "title": {"nl": "Kadernota Integrale Veiligheid 2016-2019"},
    "periodStart": "2016-01-01",
    "periodEnd": "2019-12-31",
    "reportingFrequency": "semiannual",
    "reportingPeriods": ["2016S1", "2016S2", "2017S1", "2017S2", "2018S1", "2018S2", "2019S1", "2019S2"],
    "clusterIds": ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
    "themeIds": ["administrativeApproach", "internetAndIct", "identityFraud", "proceedsOfCrime", "internationalCooperation"]
}))]
pub struct PlanView {
    /// Readable id: `kiv-2016-2019`, `nvp-2016-2019`.
    pub id: String,
    pub href: String,
    pub kind: PlanKind,
    pub title: LocalizedText,
    /// First day of the plan period; follow-up outside the period is refused.
    pub period_start: NaiveDate,
    /// Last day of the plan period.
    pub period_end: NaiveDate,
    pub reporting_frequency: ReportingFrequency,
    /// Every period in which actions of this plan are followed up, in order: the values a
    /// follow-up's `period` may take.
    pub reporting_periods: Vec<String>,
    /// The clusters the plan covers.
    pub cluster_ids: Vec<String>,
    /// The transversal themes of the plan.
    pub theme_ids: Vec<String>,
}

impl crate::respond::Representation for PlanView {}

impl PlanView {
    pub(crate) fn new(req: &HttpRequest, plan: Plan) -> Self {
        let reporting_periods = plan
            .reporting_periods()
            .iter()
            .map(ToString::to_string)
            .collect();
        let Plan {
            id,
            kind,
            title,
            period_start,
            period_end,
            reporting_frequency,
            cluster_ids,
            theme_ids,
            version: _,
            updated_at: _,
        } = plan;
        PlanView {
            href: href(req, &format!("plans/{id}")),
            id,
            kind,
            title,
            period_start,
            period_end,
            reporting_frequency,
            reporting_periods,
            cluster_ids,
            theme_ids,
        }
    }
}

collection_query! {
    /// Filters of the plan collection.
    pub struct PlanQuery sorted by r"^ *[-+]?(id|periodStart) *(, *[-+]?(id|periodStart) *)*$" {
        /// Only plans of this kind.
        pub kind: Option<PlanKind>,
        /// Only plans whose period contains this date (`2017-06-30`).
        pub active_on: Option<NaiveDate>,
    }
}

/// List the plans
///
/// Sorted by id unless `sort` says otherwise (`id`, `periodStart`).
#[utoipa::path(
    tag = "Reference data",
    params(PlanQuery),
    responses(
        (status = 200, description = "One page of plans", body = Collection<PlanView>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem,
         content_type = "application/problem+json"),
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
        (status = 404, description = "No such plan", body = Problem,
         content_type = "application/problem+json"),
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

/// A new plan: the next plan cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"id": "kiv-2020-2023", "kind": "frameworkNote", "title": {"nl": "Kadernota Integrale Veiligheid 2020-2023"}, "periodStart": "2020-01-01", "periodEnd": "2023-12-31", "reportingFrequency": "semiannual", "clusterIds": ["1", "2", "3"], "themeIds": ["internationalCooperation"]}))]
pub struct NewPlan {
    /// Readable id: lowercase letters, digits and single hyphens, starting with a letter.
    #[schema(pattern = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length = 64)]
    pub id: String,
    pub kind: PlanKind,
    pub title: LocalizedText,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub reporting_frequency: ReportingFrequency,
    #[serde(default)]
    pub cluster_ids: Vec<String>,
    #[serde(default)]
    pub theme_ids: Vec<String>,
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

/// Changes to a plan: a JSON merge patch (RFC 7396). Properties left out stay as they are, the
/// title is merged language by language and lists are replaced. Its id never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanPatch {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = PlanKind)]
    pub kind: Option<Option<PlanKind>>,
    /// Merged into the stored title: `{"fr": "..."}` changes the French title only.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = LocalizedTextPatch)]
    pub title: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = NaiveDate)]
    pub period_start: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = NaiveDate)]
    pub period_end: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = ReportingFrequency)]
    pub reporting_frequency: Option<Option<ReportingFrequency>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub cluster_ids: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub theme_ids: Option<Option<Vec<String>>>,
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
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan's content would no longer fit", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The plan changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
