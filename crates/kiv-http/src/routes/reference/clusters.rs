//! `/clusters`: the ten clusters of security phenomena, the policy priorities.

use actix_web::{get, web, HttpRequest, HttpResponse};
use kiv_store::reference::clusters::{self, ClusterFilter, ClusterSort};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{ClusterQuery, ClusterView};
use crate::auth::Auth;
use crate::extract::{page_and_sort, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::MalformedOrOutOfRange;
use crate::respond::Collection;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_clusters).service(get_cluster);
}

/// List the clusters
///
/// The clusters of security phenomena, by number unless `sort` says otherwise (`number`, `code`).
#[utoipa::path(
    tag = "Reference data",
    params(ClusterQuery),
    responses(
        (status = 200, description = "One page of clusters", body = Collection<ClusterView>),
        MalformedOrOutOfRange,
    )
)]
#[get("/clusters")]
async fn list_clusters(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    ApiQuery(query): ApiQuery<ClusterQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
        query.page,
        query.page_size,
        query.sort.as_deref(),
        ClusterSort::FIELDS,
    )?;
    let filter = ClusterFilter {
        plan_id: query.plan_id,
    };
    let found = state
        .run(move |conn| clusters::list(conn, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |c| ClusterView::new(&req, c)).respond())
}

/// Read a cluster
///
/// By number (`6`) or by code (`violence`). The `ETag` changes whenever the cluster does;
/// send it back in `If-None-Match` to get `304 Not Modified` while it has not.
#[utoipa::path(
    tag = "Reference data",
    params(("clusterId" = String, Path, description = "Number or code of the cluster", example = "6")),
    responses(
        (status = 200, description = "The cluster", body = ClusterView,
         headers(("ETag" = String, description = "Entity tag of this version"))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        (status = 404, description = "No such cluster", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/clusters/{clusterId}")]
async fn get_cluster(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    cluster_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "cluster",
            cluster_id.into_inner(),
            clusters::get,
            ClusterView::new,
        )
        .await
}
