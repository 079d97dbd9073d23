//! `/plans`: the Kadernota Integrale Veiligheid, the Nationaal Veiligheidsplan and later cycles.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use kiv_domain::{LocalizedText, Plan, PlanKind, ReportingFrequency};
use kiv_store::reference::plans::{self, PlanFilter, PlanSort};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::auth::Auth;
use crate::extract::{page_and_sort, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::respond::{href, Collection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_plans).service(get_plan);
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

impl PlanView {
    fn new(req: &HttpRequest, plan: Plan) -> Self {
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
    pub struct PlanQuery {
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
            |x| x.version,
            PlanView::new,
        )
        .await
}
