//! `/organisations`: who coordinates, leads and takes part.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use actix_web::{patch, post};
use kiv_domain::Tagged;
use kiv_store::reference::organisations::{
    self, NewOrganisation, OrganisationFilter, OrganisationSort,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{NewOrganisationRequest, OrganisationPatch, OrganisationQuery};
use crate::auth::{Admin, Auth};
use crate::extract::{expected_version, page_and_sort, ApiJson, ApiPatch, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{IfMatchRequired, MalformedOrOutOfRange, NotAdministrator};
use crate::respond::{single, Collection};
use crate::views::OrganisationView;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_organisations)
        .service(create_organisation)
        .service(get_organisation)
        .service(update_organisation);
}

/// List the organisations
///
/// Sorted by id unless `sort` says otherwise (`id`, `kind`).
#[utoipa::path(
    tag = "Reference data",
    params(OrganisationQuery),
    responses(
        (status = 200, description = "One page of organisations", body = Collection<OrganisationView>),
        MalformedOrOutOfRange,
    )
)]
#[get("/organisations")]
async fn list_organisations(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    ApiQuery(query): ApiQuery<OrganisationQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
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
    _auth: Auth,
    organisation_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "organisation",
            organisation_id.into_inner(),
            organisations::get,
            OrganisationView::new,
        )
        .await
}

/// Create an organisation
///
/// Administrators only. The organisation gets a UUID.
#[utoipa::path(
    tag = "Reference data",
    request_body = NewOrganisationRequest,
    responses(
        NotAdministrator,
        (status = 201, description = "The organisation", body = OrganisationView,
         headers(("Location" = String, description = "The new organisation"))),
        (status = 400, description = "Invalid input, or an unknown parent", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[post("/organisations")]
async fn create_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    ApiJson(body): ApiJson<NewOrganisationRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewOrganisation {
        name: body.name,
        kind: body.kind,
        coordinator: body.coordinator,
        parent_id: body.parent_id,
    };
    let organisation = state
        .run(move |conn| organisations::create(conn, &admin.0, new))
        .await?;
    let view = OrganisationView::new(&req, organisation);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, view.href.clone()))
        .insert_header(header::ETag(header::EntityTag::new_strong("1".into())))
        .json(view))
}

/// Change an organisation
///
/// Administrators only. A JSON merge patch (RFC 7396) with `If-Match` set to the organisation's
/// `ETag`: the name is merged language by language into the stored one (`null` removes a
/// language; the last one cannot be removed), other values are replaced.
#[utoipa::path(
    tag = "Reference data",
    params(
        ("organisationId" = String, Path, description = "Id of the organisation"),
        ("If-Match" = String, Header, description = "The organisation's ETag"),
    ),
    request_body(content = OrganisationPatch, content_type = "application/merge-patch+json"),
    responses(
        NotAdministrator,
        (status = 200, description = "The changed organisation", body = OrganisationView),
        (status = 400, description = "Invalid input, or an unknown parent", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The parent would make a cycle", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The organisation changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[patch("/organisations/{organisationId}")]
async fn update_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    organisation_id: web::Path<String>,
    ApiPatch(patch): ApiPatch<OrganisationPatch>,
) -> Result<HttpResponse, ApiError> {
    let changes = patch.validate()?;
    let expected = expected_version(&req)?;
    let organisation_id = organisation_id.into_inner();
    let organisation = state
        .run(move |conn| organisations::update(conn, &admin.0, &organisation_id, expected, changes))
        .await?;
    let validator = organisation.validator();
    Ok(single(
        &req,
        validator,
        &OrganisationView::new(&req, organisation),
    ))
}
