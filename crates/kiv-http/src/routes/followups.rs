//! `/followUps`: what each organisation reports per action and reporting period, and its review
//! by the coordinating FODs.

use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use kiv_domain::followup::allowed_transitions;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::Tagged;
use kiv_domain::{
    Caller, Contribution, FollowUp, FollowUpStatus, LocalizedText, ReportedValue, ReportingPeriod,
    Role, Transition, WorkflowState,
};
use kiv_store::contributions::{self, ContributionInput, Expectation};
use kiv_store::followups::{self, FollowUpChanges, FollowUpFilter, FollowUpInput};
use kiv_store::planning::actions;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::auth::{Auth, Coordinator, Reporting};
use crate::extract::{
    expected_version, page_and_sort, patch_field, required, ApiJson, ApiPatch, ApiQuery,
    OptionalJson,
};
use crate::patch_schemas::LocalizedTextPatch;
use crate::problem::{ApiError, Problem};
use crate::render::ReportFormat;
use crate::respond::{created, href, single, utc, Collection};
use crate::routes::actions::ActionView;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    // `missing` before `{followUpId}`: routes are tried in order.
    cfg.service(missing_follow_ups)
        .service(list_follow_ups)
        .service(create_follow_up)
        .service(get_follow_up)
        .service(update_follow_up)
        .service(submit)
        .service(approve)
        .service(return_follow_up)
        .service(reopen)
        .service(history)
        .service(list_contributions)
        .service(get_contribution)
        .service(put_contribution);
}

/// What an organisation reports on one action for one reporting period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpView {
    /// UUID.
    pub id: String,
    pub href: String,
    pub action_id: String,
    /// A reporting period of the action's plan: `2017S1`.
    #[schema(example = "2017S1")]
    #[schema(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")]
    pub period: String,
    pub status: FollowUpStatus,
    /// 0-100; absent for `notStarted` and `cancelled` when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<LocalizedText>,
    pub indicator_values: Vec<ReportedValue>,
    /// `draft`, `submitted`, `approved` or `returned`. Read-only.
    pub state: WorkflowState,
    /// The moves the state allows now: `submit`, `approve`, `return`, `reopen`. Read-only.
    pub allowed_transitions: Vec<String>,
    /// The organisation that reports: the action's lead. Read-only.
    pub organisation_id: String,
    /// The partner organisations' contributions to this follow-up
    /// (`GET`, and `PUT .../contributions/{organisationId}`).
    pub contributions_href: String,
    /// The account that created the follow-up. Read-only.
    pub created_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why the coordinator returned (or approved, or reopened) it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_note: Option<String>,
    /// 1, then one more each time an approved follow-up is reopened.
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::respond::Representation for FollowUpView {}
impl crate::respond::Representation for ContributionView {}

impl FollowUpView {
    fn new(req: &HttpRequest, follow_up: FollowUp) -> Self {
        let FollowUp {
            id,
            action_id,
            period,
            status,
            progress,
            narrative,
            indicator_values,
            state,
            organisation_id,
            created_by,
            submitted_at,
            reviewed_by,
            reviewed_at,
            review_note,
            revision,
            version: _,
            created_at,
            updated_at,
        } = follow_up;
        FollowUpView {
            href: href(req, &format!("followUps/{id}")),
            contributions_href: href(req, &format!("followUps/{id}/contributions")),
            id,
            action_id,
            period: period.to_string(),
            status,
            progress,
            narrative,
            indicator_values,
            allowed_transitions: allowed_transitions(state)
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            state,
            organisation_id,
            created_by,
            submitted_at: submitted_at.map(utc),
            reviewed_by,
            reviewed_at: reviewed_at.map(utc),
            review_note,
            revision,
            created_at: utc(created_at),
            updated_at: utc(updated_at),
        }
    }
}

pub(crate) fn parse_period(
    text: &str,
    location: kiv_domain::IssueLocation,
) -> Result<ReportingPeriod, ApiError> {
    text.parse()
        .map_err(|e: kiv_domain::period::InvalidPeriod| {
            ApiError::bad_request(vec![kiv_domain::InputIssue::invalid(
                location,
                "period",
                Some(Value::from(text)),
                e.to_string(),
            )])
        })
}

/// The follow-up, if `caller` may see it: reporters see only those of their organisation's
/// actions (others answer 404, as if they did not exist).
async fn readable(state: &AppState, caller: &Caller, id: String) -> Result<FollowUp, ApiError> {
    let who = caller.clone();
    let key = id.clone();
    state
        .run(move |conn| {
            let Some(follow_up) = followups::get(conn, &key)? else {
                return Ok(None);
            };
            let action = actions::get(conn, &follow_up.action_id)?;
            Ok(action
                .filter(|a| kiv_domain::access::may_read_follow_ups(&who, a))
                .map(|_| follow_up))
        })
        .await?
        .ok_or_else(|| ApiError::not_found("follow-up", &id))
}

collection_query! {
    /// Filters of the follow-up collection.
    pub struct FollowUpQuery {
        pub action_id: Option<String>,
        /// A reporting period: `2017S2`.
        #[param(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")]
        pub period: Option<String>,
        pub state: Option<WorkflowState>,
        pub status: Option<FollowUpStatus>,
        /// The reporting organisation.
        pub organisation_id: Option<String>,
        pub plan_id: Option<String>,
        /// `csv` for the CSV export (as `Accept: text/csv`): every matching follow-up, in the
        /// columns `POST /imports/followUps` reads. A text that would start a spreadsheet
        /// formula comes behind a `'`, which the import takes off again: the file imports back
        /// unchanged.
        #[param(pattern = r"^(json|csv)$")]
        pub format: Option<String>,
    }
}

/// List the follow-ups
///
/// Newest period first. Reporters see the follow-ups of the actions their organisation leads or
/// takes part in; coordinators, evaluators and administrators see all.
#[utoipa::path(
    tag = "Follow-up",
    params(FollowUpQuery),
    responses(
        (status = 200, description = "One page of follow-ups (JSON), or all matching ones (CSV)", content(
            (Collection<FollowUpView> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A parameter is malformed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/followUps")]
async fn list_follow_ups(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<FollowUpQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let caller = auth.caller();
    let filter = FollowUpFilter {
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
        involving: (!caller.has_any(&[Role::Coordinator, Role::Evaluator, Role::Admin]))
            .then(|| caller.organisation_id.clone()),
    };
    if crate::render::negotiate(
        &req,
        query.format.as_deref(),
        &[ReportFormat::Json, ReportFormat::Csv],
    )? == ReportFormat::Csv
    {
        let everything = kiv_domain::PageRequest {
            page: 1,
            page_size: CSV_EXPORT_LIMIT,
        };
        let (follow_ups, actions) = state
            .run(move |conn| {
                let found = followups::list(conn, &filter, everything)?;
                let ids: Vec<&str> = found.items.iter().map(|f| f.action_id.as_str()).collect();
                let actions = actions::get_many(conn, &ids)?;
                Ok((found.items, actions))
            })
            .await?;
        // Up to 100,000 follow-ups: written off the I/O workers, like the import reads them.
        let body = web::block(move || super::bulk::export(&follow_ups, &actions)).await??;
        return Ok(super::bulk::csv_response(body, "followUps.csv"));
    }
    let found = state
        .run(move |conn| followups::list(conn, &filter, page))
        .await?;
    Ok(Collection::new(&req, page, found, |f| FollowUpView::new(&req, f)).respond())
}

/// Most follow-ups in one CSV export.
const CSV_EXPORT_LIMIT: u32 = 100_000;

/// A new follow-up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"actionId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e", "period": "2017S1", "status": "onTrack", "progress": 40, "narrative": {"nl": "Twee regionale eenheden operationeel."}, "indicatorValues": [{"indicatorId": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8", "value": 12, "comment": {"nl": "Per 30 juni"}}]}))]
pub struct NewFollowUp {
    pub action_id: String,
    /// A reporting period of the action's plan that has begun: `2017S1`.
    #[schema(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")]
    pub period: String,
    pub status: FollowUpStatus,
    /// 0-100; required for `onTrack` and `delayed`; `completed` means 100.
    #[schema(minimum = 0, maximum = 100)]
    pub progress: Option<f64>,
    pub narrative: Option<LocalizedText>,
    /// Values of the indicators of the action or its objective.
    #[serde(default)]
    pub indicator_values: Vec<ReportedValue>,
}

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
#[utoipa::path(
    tag = "Follow-up",
    params(("followUpId" = String, Path, description = "UUID of the follow-up")),
    responses(
        (status = 200, description = "The follow-up", body = FollowUpView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        (status = 404, description = "No such follow-up (or not one the caller may see)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/followUps/{followUpId}")]
async fn get_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    follow_up_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let follow_up = readable(&state, auth.caller(), follow_up_id.into_inner()).await?;
    let validator = follow_up.validator();
    Ok(single(&req, validator, &FollowUpView::new(&req, follow_up)))
}

/// Changes to a draft or returned follow-up: a JSON merge patch (RFC 7396). Properties left out
/// stay as they are, `null` removes an optional one, the narrative is merged language by
/// language and `indicatorValues` is replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FollowUpPatch {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = FollowUpStatus)]
    pub status: Option<Option<FollowUpStatus>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<f64>, nullable, minimum = 0, maximum = 100)]
    pub progress: Option<Option<f64>>,
    /// Merged into the stored narrative (`{"fr": "..."}` changes the French text only);
    /// `null` removes it, as does removing its last language.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<LocalizedTextPatch>, nullable)]
    pub narrative: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<ReportedValue>)]
    pub indicator_values: Option<Option<Vec<ReportedValue>>>,
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
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's organisation does not lead the action (missingPermission)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such follow-up", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The follow-up is submitted or approved", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The follow-up changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
    let follow_up = readable(&state, &caller, follow_up_id.into_inner()).await?;
    let follow_up = state
        .run(move |conn| {
            followups::update(
                conn,
                &caller,
                &follow_up.id,
                expected,
                changes,
                kiv_store::clock::today(),
            )
        })
        .await?;
    let validator = follow_up.validator();
    Ok(single(&req, validator, &FollowUpView::new(&req, follow_up)))
}

/// A coordinator's note on a review.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Review {
    /// Why: required when returning a follow-up, optional otherwise. Kept in the history.
    pub review_note: Option<String>,
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
    let follow_up = readable(&state, &caller, id).await?;
    let moved = state
        .run(move |conn| followups::apply(conn, &caller, &follow_up.id, expected, transition, note))
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

/// Why a follow-up is returned to its reporter.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReturnReview {
    /// What the reporter must change; not blank. Kept in the history.
    #[schema(min_length = 1, pattern = r"\S")]
    pub review_note: String,
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
        (status = 404, description = "No such follow-up", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current state (invalidTransition)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The follow-up changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/followUps/{followUpId}/submit")]
async fn submit(
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
    request_body(content = Option<Review>),
    responses(
        (status = 200, description = "The approved follow-up", body = FollowUpView),
        (status = 403, description = "Not a coordinator (missingScope); the caller wrote or submitted this revision (missingPermission, four-eyes rule)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such follow-up", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current state (invalidTransition)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The follow-up changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/followUps/{followUpId}/approve")]
async fn approve(
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
        (status = 404, description = "No such follow-up", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current state (invalidTransition)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The follow-up changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
    request_body(content = Option<Review>),
    responses(
        (status = 200, description = "The reopened follow-up, a draft", body = FollowUpView),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such follow-up", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current state (invalidTransition)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The follow-up changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/followUps/{followUpId}/reopen")]
async fn reopen(
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

/// One step in a follow-up's life.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpEventView {
    /// `created`, `updated`, `submitted`, `approved`, `returned` or `reopened`.
    pub event: String,
    pub revision: i32,
    /// Who: the account's username or client id.
    pub account: String,
    pub organisation_id: String,
    pub occurred_at: DateTime<Utc>,
    /// The review note given with the step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The follow-up as it was after the step.
    pub follow_up: Value,
}

collection_query! {
    /// Paging of a follow-up's history.
    pub struct FollowUpHistoryQuery {}
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
        (status = 404, description = "No such follow-up", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/followUps/{followUpId}/history")]
async fn history(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    follow_up_id: web::Path<String>,
    ApiQuery(query): ApiQuery<FollowUpHistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let follow_up = readable(&state, auth.caller(), follow_up_id.into_inner()).await?;
    let found = state
        .run(move |conn| followups::history(conn, &follow_up.id, page))
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

collection_query! {
    /// Which reports are missing.
    pub struct MissingQuery {
        /// The reporting period: `2017S2`.
        #[param(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")]
        pub period: String,
        /// Only the actions this organisation leads or takes part in.
        pub organisation_id: Option<String>,
    }
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
        (status = 400, description = "A parameter is malformed", body = Problem, content_type = "application/problem+json"),
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
    let organisation_id = if caller.has_any(&[Role::Coordinator, Role::Evaluator, Role::Admin]) {
        query.organisation_id
    } else {
        Some(caller.organisation_id.clone())
    };
    let found = state
        .run(move |conn| followups::missing(conn, period, organisation_id.as_deref(), page))
        .await?;
    Ok(Collection::new(&req, page, found, |a| ActionView::new(&req, a)).respond())
}

/// A partner organisation's contribution to the lead's follow-up of an action for a period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContributionView {
    /// UUID (the audit trail's `entityId`).
    pub id: String,
    pub href: String,
    pub follow_up_id: String,
    pub follow_up_href: String,
    /// The partner organisation.
    pub organisation_id: String,
    /// What the partner did for the action in the period.
    pub narrative: LocalizedText,
    /// The partner's own values of the action's (or its objective's) indicators. They stand
    /// beside the lead's values and do not replace them: the follow-up's `indicatorValues` are
    /// the action's figures, and what reports count.
    pub indicator_values: Vec<ReportedValue>,
    /// The account that wrote it first, and the last one that changed it.
    pub created_by: String,
    pub updated_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContributionView {
    fn new(req: &HttpRequest, record: Contribution) -> Self {
        let follow_up_path = format!("followUps/{}", record.follow_up_id);
        ContributionView {
            href: href(
                req,
                &format!("{follow_up_path}/contributions/{}", record.organisation_id),
            ),
            follow_up_href: href(req, &follow_up_path),
            id: record.id,
            follow_up_id: record.follow_up_id,
            organisation_id: record.organisation_id,
            narrative: record.narrative,
            indicator_values: record.indicator_values,
            created_by: record.created_by,
            updated_by: record.updated_by,
            created_at: utc(record.created_at),
            updated_at: utc(record.updated_at),
        }
    }
}

collection_query! {
    /// Paging of a follow-up's contributions.
    pub struct ContributionQuery {}
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
        (status = 404, description = "No such follow-up (or not one the caller may see)", body = Problem, content_type = "application/problem+json"),
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
    let id = follow_up_id.into_inner();
    let key = id.clone();
    let found = state
        .run(move |conn| contributions::list(conn, &caller, &key, page))
        .await
        .map_err(|e| not_found_as(e, "follow-up", &id))?;
    Ok(Collection::new(&req, page, found, |c| ContributionView::new(&req, c)).respond())
}

/// A store `NotFound` named for the resource the path points at.
fn not_found_as(error: ApiError, what: &str, id: &str) -> ApiError {
    match error {
        ApiError::NotFound(_) => ApiError::not_found(what, id),
        other => other,
    }
}

/// Read a partner's contribution to a follow-up
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
    let (key, organisation) = (follow_up_id.clone(), organisation_id.clone());
    let record = state
        .run(move |conn| contributions::get(conn, &caller, &key, &organisation))
        .await
        .map_err(|e| not_found_as(e, "follow-up", &follow_up_id))?
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

/// A partner's contribution (the whole of it: `PUT` replaces).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"narrative": {"nl": "De zone leverde twee rechercheurs voor de labteams."}, "indicatorValues": [{"indicatorId": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8", "value": 3}]}))]
pub struct ContributionBody {
    /// What the partner did for the action in the period; not empty.
    pub narrative: LocalizedText,
    /// Values of the indicators of the action or its objective, as the partner measured them.
    #[serde(default)]
    pub indicator_values: Vec<ReportedValue>,
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
        (status = 404, description = "No such follow-up (or not one the caller may see)", body = Problem, content_type = "application/problem+json"),
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
    let key = follow_up_id.clone();
    let (record, is_new) = state
        .run(move |conn| contributions::put(conn, &caller, &key, &organisation_id, expected, input))
        .await
        .map_err(|e| not_found_as(e, "follow-up", &follow_up_id))?;
    let validator = record.validator();
    let view = ContributionView::new(&req, record);
    if is_new {
        Ok(created(&req, &view.href, validator, &view))
    } else {
        Ok(single(&req, validator, &view))
    }
}
