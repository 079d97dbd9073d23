//! The endpoints of the partners' contributions to a follow-up.

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use kiv_domain::Tagged;
use kiv_store::contributions::{self, ContributionInput, Expectation};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{ContributionBody, ContributionQuery, ContributionView};
use crate::auth::{Auth, Reporting};
use crate::extract::{expected_version, page_and_sort, ApiJson, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::NoVisibleFollowUp;
use crate::respond::{created, single, Collection};
use crate::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_contributions)
        .service(get_contribution)
        .service(put_contribution);
}

/// List the partners' contributions to a follow-up
///
/// By organisation. Readable wherever the follow-up is: by the lead and the partner
/// organisations of the action, the coordinators, evaluators and administrators.
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path), ContributionQuery),
    responses(
        (status = 200, description = "One page of contributions", body = Collection<ContributionView>),
        NoVisibleFollowUp,
    )
)]
#[get("/followUps/{followUpId}/contributions")]
async fn list_contributions(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    follow_up_id: web::Path<String>,
    ApiQuery(query): ApiQuery<ContributionQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let caller = auth.caller().clone();
    let found = state
        .run_on("follow-up", follow_up_id.into_inner(), move |conn, id| {
            contributions::list(conn, &caller, id, page)
        })
        .await?;
    Ok(Collection::new(&req, page, found, |c| ContributionView::new(&req, c)).respond())
}

/// Read a partner's contribution to a follow-up
///
/// What partner organisation `organisationId` reported for the follow-up's action and period;
/// `404` when it reported nothing yet or the caller may not see the follow-up. The `ETag` of the
/// answer is the contribution's version, for `If-Match` when replacing it.
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path), ("organisationId" = String, Path, description = "The partner organisation")),
    responses(
        (status = 200, description = "The contribution", body = ContributionView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        (status = 404, description = "No such follow-up or contribution (or not one the caller may see)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/followUps/{followUpId}/contributions/{organisationId}")]
async fn get_contribution(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (follow_up_id, organisation_id) = path.into_inner();
    let caller = auth.caller().clone();
    let organisation = organisation_id.clone();
    let record = state
        .run_on("follow-up", follow_up_id.clone(), move |conn, id| {
            contributions::get(conn, &caller, id, &organisation)
        })
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "contribution",
                &format!("{follow_up_id}/contributions/{organisation_id}"),
            )
        })?;
    let validator = record.validator();
    Ok(single(
        &req,
        validator,
        &ContributionView::new(&req, record),
    ))
}

/// Write a partner's contribution to a follow-up
///
/// The lead organisation of an action writes and submits its follow-up; each partner
/// organisation adds its own contribution beside it, never over the lead's text. Reporters of
/// that partner organisation, or coordinators; `organisationId` must be a partner in the action
/// (400 otherwise; the lead writes the follow-up itself). Without `If-Match` a first
/// contribution is created (201); replacing one needs `If-Match` with its `ETag` (428 without,
/// 412 when stale). Only while the follow-up is a draft or returned: a submitted or approved
/// follow-up freezes its contributions (409) until a coordinator returns or reopens it. Every
/// write is in the audit trail (`followUpContribution`).
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path), ("organisationId" = String, Path, description = "The partner organisation"), ("If-Match" = Option<String>, Header, description = "The contribution's ETag, to replace it")),
    request_body = ContributionBody,
    responses(
        (status = 200, description = "The replaced contribution", body = ContributionView, headers(("ETag" = String))),
        (status = 201, description = "The new contribution", body = ContributionView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input, or organisationId is not a partner in the action", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another organisation's contribution (missingPermission), or not a reporter or coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        NoVisibleFollowUp,
        (status = 409, description = "The follow-up is submitted or approved", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The contribution changed since its ETag was read, or there is none to replace", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "The contribution exists and If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/followUps/{followUpId}/contributions/{organisationId}")]
async fn put_contribution(
    req: HttpRequest,
    state: web::Data<AppState>,
    Reporting(caller): Reporting,
    path: web::Path<(String, String)>,
    ApiJson(body): ApiJson<ContributionBody>,
) -> Result<HttpResponse, ApiError> {
    let expected = if req
        .headers()
        .contains_key(actix_web::http::header::IF_MATCH)
    {
        match expected_version(&req)? {
            Some(version) => Expectation::Version(version),
            None => Expectation::Any,
        }
    } else {
        Expectation::Nothing
    };
    let (follow_up_id, organisation_id) = path.into_inner();
    let input = ContributionInput {
        narrative: body.narrative,
        indicator_values: body.indicator_values,
    };
    let (record, is_new) = state
        .run_on("follow-up", follow_up_id, move |conn, id| {
            contributions::put(conn, &caller, id, &organisation_id, expected, input)
        })
        .await?;
    let validator = record.validator();
    let view = ContributionView::new(&req, record);
    if is_new {
        Ok(created(&req, &view.href, validator, &view))
    } else {
        Ok(single(&req, validator, &view))
    }
}
