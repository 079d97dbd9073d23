//! `/organisations`: who coordinates, leads and takes part.

use actix_web::{get, web, HttpRequest, HttpResponse};
use kiv_domain::{LocalizedText, Organisation, OrganisationKind};
use kiv_store::reference::organisations::{self, OrganisationFilter, OrganisationSort};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::extract::{page_and_sort, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::respond::{href, Collection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_organisations).service(get_organisation);
}

/// An organisation that coordinates the plans or reports on their actions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "fod-justitie",
    "href": "http://127.0.0.1:8080/kiv/v1/organisations/fod-justitie",
    "name": {"nl": "FOD Justitie", "fr": "SPF Justice", "de": "FÖD Justiz", "en": "FPS Justice"},
    "kind": "federalService",
    "coordinator": true
}))]
pub struct OrganisationView {
    pub id: String,
    pub href: String,
    pub name: LocalizedText,
    pub kind: OrganisationKind,
    /// Coordinators (FOD Justitie, FOD Binnenlandse Zaken) review follow-ups and write
    /// evaluations.
    pub coordinator: bool,
    /// The organisation this one belongs to; every police zone belongs to `lokale-politie`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

impl OrganisationView {
    fn new(req: &HttpRequest, organisation: Organisation) -> Self {
        let Organisation {
            id,
            name,
            kind,
            coordinator,
            parent_id,
            version: _,
            updated_at: _,
        } = organisation;
        OrganisationView {
            href: href(req, &format!("organisations/{id}")),
            id,
            name,
            kind,
            coordinator,
            parent_id,
        }
    }
}

collection_query! {
    /// Filters of the organisation collection.
    pub struct OrganisationQuery {
        /// Only organisations of this kind.
        pub kind: Option<OrganisationKind>,
        /// Only coordinating (`true`) or only other (`false`) organisations.
        pub coordinator: Option<bool>,
        /// Only the organisations that belong to this one (`lokale-politie`: the police zones).
        #[param(example = "lokale-politie")]
        pub parent_id: Option<String>,
    }
}

/// List the organisations
///
/// Sorted by id unless `sort` says otherwise (`id`, `kind`).
#[utoipa::path(
    tag = "Reference data",
    params(OrganisationQuery),
    responses(
        (status = 200, description = "One page of organisations", body = Collection<OrganisationView>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/organisations")]
async fn list_organisations(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<OrganisationQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        query.page,
        query.page_size,
        query.sort.as_deref(),
        OrganisationSort::FIELDS,
    )?;
    let filter = OrganisationFilter {
        kind: query.kind,
        coordinator: query.coordinator,
        parent_id: query.parent_id,
    };
    let found = state
        .run(move |conn| organisations::list(conn, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |o| OrganisationView::new(&req, o)).respond())
}

/// Read an organisation
///
/// The `ETag` changes whenever the organisation does; send it back in `If-None-Match` to get
/// `304 Not Modified` while it has not.
#[utoipa::path(
    tag = "Reference data",
    params(("organisationId" = String, Path, description = "Id of the organisation", example = "federale-politie")),
    responses(
        (status = 200, description = "The organisation", body = OrganisationView,
         headers(("ETag" = String, description = "Entity tag of this version"))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        (status = 404, description = "No such organisation", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/organisations/{organisationId}")]
async fn get_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    organisation_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "organisation",
            organisation_id.into_inner(),
            organisations::get,
            |x| x.version,
            OrganisationView::new,
        )
        .await
}
