//! The endpoints of a follow-up: list (JSON or the CSV export), create, read, change, its
//! review (submit, approve, return, reopen), its history, and the reports still missing.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use kiv_domain::Tagged;
use kiv_domain::{Caller, Transition};
use kiv_store::followups::{self, FollowUpChanges, FollowUpFilter, FollowUpInput};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{
    FollowUpEventView, FollowUpHistoryQuery, FollowUpPatch, FollowUpQuery, FollowUpView,
    MissingQuery, NewFollowUp, ReturnReview, Review,
};
use crate::auth::{Auth, Coordinator, Reporting};
use crate::extract::{
    expected_version, page_and_sort, required, ApiJson, ApiPatch, ApiQuery, OptionalJson,
};
use crate::periods::parse_period;
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{
    FollowUpChangedSinceRead, IfMatchRequired, InvalidInput, InvalidTransition, MalformedParameter,
    NoAcceptableFormat, NoSuchFollowUp, NoVisibleFollowUp, NotCoordinator,
};
use crate::render::ReportFormat;
use crate::respond::{created, single, utc, Collection};
use crate::views::ActionView;
use crate::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    // `missing` before `{followUpId}`: routes are tried in order.
    cfg.service(missing_follow_ups)
        .service(list_follow_ups)
        .service(export_follow_ups)
        .service(create_follow_up)
        .service(get_follow_up)
        .service(update_follow_up)
        .service(submit_follow_up)
        .service(approve_follow_up)
        .service(return_follow_up)
        .service(reopen_follow_up)
        .service(follow_up_history);
}

/// List the follow-ups
///
/// Newest period first. Reporters see the follow-ups of the actions their organisation leads or
/// takes part in; coordinators, evaluators and administrators see all. A client that asks for
/// `Accept: text/csv` gets the CSV export instead (see `GET /followUps.csv`).
#[utoipa::path(
    tag = "Follow-up",
    params(FollowUpQuery),
    responses(
        (status = 200, description = "One page of follow-ups", body = Collection<FollowUpView>),
        MalformedParameter,
    )
)]
#[get("/followUps")]
async fn list_follow_ups(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<FollowUpQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = crate::render::negotiate(&req, &[ReportFormat::Json, ReportFormat::Csv])?;
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let filter = follow_up_filter(query, auth.caller())?;
    if format == ReportFormat::Csv {
        return export(&state, filter).await;
    }
    let found = state
        .run(move |conn| followups::list(conn, &filter, page))
        .await?;
    Ok(Collection::new(&req, page, found, |f| FollowUpView::new(&req, f)).respond())
}

/// Export the follow-ups as CSV
///
/// Every follow-up the filters match (up to 100,000; `page` and `pageSize`, checked as for the
/// list, do not apply), in the columns `POST /imports/followUps` reads, so that the file imports
/// back unchanged: a text that would start a spreadsheet formula comes behind a `'`, which the
/// import takes off again.
/// Reporters export what they may list.
#[utoipa::path(
    tag = "Follow-up",
    params(FollowUpQuery),
    responses(
        (status = 200, description = "The matching follow-ups, one row each", content((crate::render::ReportFile = "application/octet-stream"), (String = "text/csv")), headers(
            ("Content-Disposition" = String, description = "The file's name"),
        )),
        NoAcceptableFormat,
        MalformedParameter,
    )
)]
#[get("/followUps.csv")]
async fn export_follow_ups(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<FollowUpQuery>,
) -> Result<HttpResponse, ApiError> {
    crate::render::negotiate_download(&req, ReportFormat::Csv)?;
    // The collection's parameters, checked alike; the export is never paged.
    page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let filter = follow_up_filter(query, auth.caller())?;
    export(&state, filter).await
}

/// What the filters of the collection select, of what `caller` may read.
fn follow_up_filter(query: FollowUpQuery, caller: &Caller) -> Result<FollowUpFilter, ApiError> {
    Ok(FollowUpFilter {
        action_id: query.action_id,
        period: query
            .period
            .as_deref()
            .map(|p| parse_period(p, kiv_domain::IssueLocation::Query))
            .transpose()?,
        state: query.state,
        status: query.status,
        organisation_id: query.organisation_id,
        plan_id: query.plan_id,
        involving: caller.follow_ups_readable_by().map(str::to_owned),
    })
}

/// The CSV export of what `filter` selects.
async fn export(state: &AppState, filter: FollowUpFilter) -> Result<HttpResponse, ApiError> {
    let everything = kiv_domain::PageRequest {
        page: 1,
        page_size: CSV_EXPORT_LIMIT,
    };
    let (follow_ups, actions) = state
        .run(move |conn| followups::list_with_actions(conn, &filter, everything))
        .await?;
    // Up to 100,000 follow-ups: written off the I/O workers, like the import reads them.
    let body = web::block(move || super::bulk::export(&follow_ups, &actions)).await??;
    Ok(super::bulk::csv_response(body, "followUps.csv"))
}

/// Most follow-ups in one CSV export.
const CSV_EXPORT_LIMIT: u32 = 100_000;

/// Create a follow-up
///
/// A draft, for an action the caller's organisation leads (coordinators: any action, on the
/// lead's behalf). At most one per action and period. Partner organisations do not create the
/// follow-up (403 `missingPermission`): once the lead has, they add their contribution to it.
/// Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "Follow-up",
    request_body = NewFollowUp,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body return the first answer")),
    responses(
        (status = 201, description = "The draft follow-up", body = FollowUpView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input (period outside the plan: periodOutsidePlan; not begun: periodInFuture)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's organisation does not lead the action (missingPermission), or not a reporter or coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The action has a follow-up for this period", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/followUps")]
async fn create_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    Reporting(caller): Reporting,
    ApiJson(body): ApiJson<NewFollowUp>,
) -> Result<HttpResponse, ApiError> {
    let input = FollowUpInput {
        action_id: body.action_id,
        period: parse_period(&body.period, kiv_domain::IssueLocation::Body)?,
        status: body.status,
        progress: body.progress,
        narrative: body.narrative,
        indicator_values: body.indicator_values,
    };
    let follow_up = state
        .run(move |conn| followups::create(conn, &caller, input, kiv_store::clock::today()))
        .await?;
    let validator = follow_up.validator();
    let view = FollowUpView::new(&req, follow_up);
    Ok(created(&req, &view.href, validator, &view))
}

/// Read a follow-up
///
/// A follow-up the caller may not see (another organisation's draft, say) is answered `404`,
/// like one that does not exist. The `ETag` of the answer is the follow-up's version: send it as
/// `If-Match` to change, submit or review it.
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path, description = "UUID of the follow-up")),
    responses(
        (status = 200, description = "The follow-up", body = FollowUpView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        NoVisibleFollowUp,
    )
)]
#[get("/followUps/{followUpId}")]
async fn get_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    follow_up_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.caller().clone();
    let follow_up = state
        .run_on("follow-up", follow_up_id.into_inner(), move |conn, id| {
            followups::read(conn, &caller, id)
        })
        .await?;
    let validator = follow_up.validator();
    Ok(single(&req, validator, &FollowUpView::new(&req, follow_up)))
}

/// Change a follow-up
///
/// Only drafts and returned follow-ups can be edited (409 otherwise); `If-Match` with the
/// follow-up's `ETag`. A JSON merge patch: the narrative is merged language by language into
/// the stored one (`null` removes a language), `indicatorValues` and other values are
/// replaced. The whole follow-up is checked again after the change. The lead organisation's
/// reporters and coordinators only: a partner organisation reads the follow-up but writes its
/// own contribution instead (403 `missingPermission`).
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path), ("If-Match" = String, Header, description = "The follow-up's ETag")),
    request_body(content = FollowUpPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed follow-up", body = FollowUpView),
        InvalidInput,
        (status = 403, description = "The caller's organisation does not lead the action (missingPermission)", body = Problem, content_type = "application/problem+json"),
        NoSuchFollowUp,
        (status = 409, description = "The follow-up is submitted or approved", body = Problem, content_type = "application/problem+json"),
        FollowUpChangedSinceRead,
        IfMatchRequired,
    )
)]
#[patch("/followUps/{followUpId}")]
async fn update_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    Reporting(caller): Reporting,
    follow_up_id: web::Path<String>,
    ApiPatch(patch): ApiPatch<FollowUpPatch>,
) -> Result<HttpResponse, ApiError> {
    let mut issues = Vec::new();
    let changes = FollowUpChanges {
        status: required("status", patch.status, &mut issues),
        progress: patch.progress,
        narrative: patch.narrative,
        indicator_values: required("indicatorValues", patch.indicator_values, &mut issues),
    };
    if !issues.is_empty() {
        return Err(ApiError::bad_request(issues));
    }
    let expected = expected_version(&req)?;
    let follow_up = state
        .run_on("follow-up", follow_up_id.into_inner(), move |conn, id| {
            followups::update(
                conn,
                &caller,
                id,
                expected,
                changes,
                kiv_store::clock::today(),
            )
        })
        .await?;
    let validator = follow_up.validator();
    Ok(single(&req, validator, &FollowUpView::new(&req, follow_up)))
}

async fn move_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    transition: Transition,
    note: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let moved = state
        .run_on("follow-up", id, move |conn, id| {
            followups::apply(conn, &caller, id, expected, transition, note)
        })
        .await?;
    let validator = moved.validator();
    Ok(single(&req, validator, &FollowUpView::new(&req, moved)))
}

fn note_of(review: OptionalJson<Review>) -> Option<String> {
    nonblank(review.0.and_then(|review| review.review_note))
}

/// The note trimmed; none when blank.
fn nonblank(note: Option<String>) -> Option<String> {
    note.map(|note| note.trim().to_owned())
        .filter(|note| !note.is_empty())
}

/// Submit a follow-up for review
///
/// From `draft` or `returned` to `submitted`, with the partners' contributions, which freeze
/// with it. Reporters of the lead organisation, or coordinators (a partner: 403
/// `missingPermission`); `If-Match` with the follow-up's `ETag`. Of two concurrent submits, one
/// wins and the other gets 412.
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path), ("If-Match" = String, Header, description = "The follow-up's ETag")),
    responses(
        (status = 200, description = "The submitted follow-up", body = FollowUpView),
        (status = 403, description = "The caller's organisation does not lead the action (missingPermission)", body = Problem, content_type = "application/problem+json"),
        NoSuchFollowUp,
        InvalidTransition,
        FollowUpChangedSinceRead,
        IfMatchRequired,
    )
)]
#[post("/followUps/{followUpId}/submit")]
async fn submit_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    Reporting(caller): Reporting,
    follow_up_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    move_follow_up(
        req,
        state,
        caller,
        follow_up_id.into_inner(),
        Transition::Submit,
        None,
    )
    .await
}

/// Approve a follow-up
///
/// From `submitted` to `approved`: it now counts in reports and the action's status and
/// progress follow it. Coordinators only; `If-Match`; an optional `reviewNote`. Four eyes: an
/// account that wrote or submitted the revision under review (created it, changed it, wrote a
/// partner's contribution to it, submitted it; by any route, batch and CSV import included) does
/// not approve it, whatever its roles (403 `missingPermission`, naming the rule): another
/// coordinator does.
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path), ("If-Match" = String, Header, description = "The follow-up's ETag")),
    request_body(content = Option<Review>, example = json!({"reviewNote": "Goedgekeurd; de cijfers stemmen overeen met het jaarverslag."})),
    responses(
        (status = 200, description = "The approved follow-up", body = FollowUpView),
        (status = 403, description = "Not a coordinator (missingScope); the caller wrote or submitted this revision (missingPermission, four-eyes rule)", body = Problem, content_type = "application/problem+json"),
        NoSuchFollowUp,
        InvalidTransition,
        FollowUpChangedSinceRead,
        IfMatchRequired,
    )
)]
#[post("/followUps/{followUpId}/approve")]
async fn approve_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    follow_up_id: web::Path<String>,
    review: OptionalJson<Review>,
) -> Result<HttpResponse, ApiError> {
    move_follow_up(
        req,
        state,
        caller,
        follow_up_id.into_inner(),
        Transition::Approve,
        note_of(review),
    )
    .await
}

/// Return a follow-up to its reporter
///
/// From `submitted` to `returned`, with a required `reviewNote` saying what to change; the
/// reporter edits and submits it again. Coordinators only; `If-Match`. Four eyes, as for an
/// approval: whoever wrote or submitted the revision does not return it (403
/// `missingPermission`).
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path), ("If-Match" = String, Header, description = "The follow-up's ETag")),
    request_body = ReturnReview,
    responses(
        (status = 200, description = "The returned follow-up", body = FollowUpView),
        (status = 400, description = "The reviewNote is missing or blank", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (missingScope); the caller wrote or submitted this revision (missingPermission, four-eyes rule)", body = Problem, content_type = "application/problem+json"),
        NoSuchFollowUp,
        InvalidTransition,
        FollowUpChangedSinceRead,
        IfMatchRequired,
    )
)]
#[post("/followUps/{followUpId}/return")]
async fn return_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    follow_up_id: web::Path<String>,
    ApiJson(review): ApiJson<ReturnReview>,
) -> Result<HttpResponse, ApiError> {
    let Some(note) = nonblank(Some(review.review_note)) else {
        return Err(ApiError::bad_request(vec![
            kiv_domain::InputIssue::invalid(
                kiv_domain::IssueLocation::Body,
                "reviewNote",
                None,
                "say why the follow-up is returned: the reporter needs to know what to change",
            ),
        ]));
    };
    move_follow_up(
        req,
        state,
        caller,
        follow_up_id.into_inner(),
        Transition::Return,
        Some(note),
    )
    .await
}

/// Reopen an approved follow-up
///
/// The approved follow-up becomes a draft of its next revision, to be corrected, submitted and
/// approved again; the approved revision stays in the history and keeps counting until then.
/// Coordinators only; `If-Match`; an optional `reviewNote`.
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path), ("If-Match" = String, Header, description = "The follow-up's ETag")),
    request_body(content = Option<Review>, example = json!({"reviewNote": "De indicatorwaarde voor 2017S1 wordt gecorrigeerd."})),
    responses(
        (status = 200, description = "The reopened follow-up, a draft", body = FollowUpView),
        NotCoordinator,
        NoSuchFollowUp,
        InvalidTransition,
        FollowUpChangedSinceRead,
        IfMatchRequired,
    )
)]
#[post("/followUps/{followUpId}/reopen")]
async fn reopen_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    follow_up_id: web::Path<String>,
    review: OptionalJson<Review>,
) -> Result<HttpResponse, ApiError> {
    move_follow_up(
        req,
        state,
        caller,
        follow_up_id.into_inner(),
        Transition::Reopen,
        note_of(review),
    )
    .await
}

/// The history of a follow-up
///
/// Every revision and step, oldest first: who, when, the review notes (why it was returned) and
/// the follow-up as it was after each step.
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path), FollowUpHistoryQuery),
    responses(
        (status = 200, description = "One page of the history", body = Collection<FollowUpEventView>),
        NoSuchFollowUp,
    )
)]
#[get("/followUps/{followUpId}/history")]
async fn follow_up_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    follow_up_id: web::Path<String>,
    ApiQuery(query): ApiQuery<FollowUpHistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let caller = auth.caller().clone();
    let found = state
        .run_on("follow-up", follow_up_id.into_inner(), move |conn, id| {
            followups::history(conn, &caller, id, page)
        })
        .await?;
    Ok(
        Collection::new(&req, page, found, |event| FollowUpEventView {
            event: event.event,
            revision: event.revision,
            account: event.account_login,
            organisation_id: event.organisation_id,
            occurred_at: utc(event.occurred_at),
            note: event.note,
            follow_up: event.snapshot.0,
        })
        .respond(),
    )
}

/// Missing reports
///
/// The actions due a follow-up for `period` (planned during it and not cancelled) that have none
/// submitted or approved: what the coordinators chase. Reporters see their own organisation's.
#[utoipa::path(
    tag = "Follow-up",
    params(MissingQuery),
    responses(
        (status = 200, description = "One page of actions without a report", body = Collection<ActionView>),
        MalformedParameter,
    )
)]
#[get("/followUps/missing")]
async fn missing_follow_ups(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<MissingQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let period = parse_period(&query.period, kiv_domain::IssueLocation::Query)?;
    let caller = auth.caller();
    let organisation_id = match caller.follow_ups_readable_by() {
        None => query.organisation_id,
        Some(own) => Some(own.to_owned()),
    };
    let found = state
        .run(move |conn| followups::missing(conn, period, organisation_id.as_deref(), page))
        .await?;
    Ok(Collection::new(&req, page, found, |a| ActionView::new(&req, a)).respond())
}
