//! `/recommendations` and `/evaluations/{id}/recommendations`: what an evaluation recommends to
//! whom, and what became of it. Content follows the evaluation's revision; the follow-up
//! (`status`, `statusNote`) is one across revisions and is also set by the reporters of the
//! organisations addressed.

use kiv_domain::Tagged;

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::{InputIssue, LocalizedText, Priority, RecommendationStatus};
use kiv_store::publication::evaluations::{
    self, RecommendationChanges, RecommendationFilter, RecommendationInput, RecommendationSort,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::RecommendationView;
use crate::auth::{Auth, Coordinator, Reporting};
use crate::extract::{
    expected_version, page_and_sort, patch_field, required, ApiJson, ApiPatch, ApiQuery,
};
use crate::patch_schemas::LocalizedTextPatch;
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{
    ChangedSinceRead, IfMatchRequired, InvalidInput, MalformedOrOutOfRange, NoSuchEvaluation,
    NoVisibleEvaluation, NotCoordinator,
};
use crate::respond::{created, single, Collection};
use crate::routes::collection_query;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_recommendations)
        .service(recommendation_register)
        .service(create_recommendation)
        .service(get_recommendation)
        .service(update_recommendation)
        .service(delete_recommendation);
}

collection_query! {
    /// Filters of the register of recommendations.
    pub struct RecommendationRegisterQuery sorted by r"^ *[-+]?(dueDate|priority|status) *(, *[-+]?(dueDate|priority|status) *)*$" {
        pub plan_id: Option<String>,
        /// The cluster the evaluation judged.
        pub cluster_id: Option<String>,
        /// The transversal theme the evaluation judged.
        pub theme_id: Option<String>,
        /// Only those addressed to this organisation (among others, perhaps).
        pub organisation_id: Option<String>,
        pub status: Option<RecommendationStatus>,
        pub priority: Option<Priority>,
        /// Only those due before this date (not on it); those without a due date are left out.
        #[param(value_type = Option<String>, format = Date, example = "2019-01-01")]
        pub due_before: Option<NaiveDate>,
    }
}

/// The register of recommendations
///
/// Every recommendation across evaluations, with its evaluation's plan, cluster (or theme) and
/// round: what was recommended to whom, and what became of it. Recommendations follow their
/// evaluation's revision: coordinators see them as the drafts have them, those of draft
/// evaluations included; every other reader (reporters included: a reporter sees every published
/// recommendation, as in the evaluation's own list, and filters on `organisationId` for its
/// own) sees those of evaluations that were published, as the latest revision was published:
/// one added, changed or deleted in the draft of the next revision shows (or goes) only once
/// that revision is published. `status` and `statusNote` are one across revisions. Sorted by due date (none last) unless
/// `sort` says otherwise: `dueDate`, `priority` (ascending from `low` to `high`, so
/// `sort=-priority` puts `high` first) or `status` (in the order `open`, `inProgress`,
/// `implemented`, `rejected`).
#[utoipa::path(
    tag = "Evaluations",
    params(RecommendationRegisterQuery),
    responses(
        (status = 200, description = "One page of recommendations", body = Collection<RecommendationView>),
        MalformedOrOutOfRange,
    )
)]
#[get("/recommendations")]
async fn recommendation_register(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<RecommendationRegisterQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
        query.page,
        query.page_size,
        query.sort.as_deref(),
        RecommendationSort::FIELDS,
    )?;
    let filter = RecommendationFilter {
        plan_id: query.plan_id,
        cluster_id: query.cluster_id,
        theme_id: query.theme_id,
        organisation_id: query.organisation_id,
        status: query.status,
        priority: query.priority,
        due_before: query.due_before,
    };
    let caller = auth.caller().clone();
    let found = state
        .run(move |conn| evaluations::register(conn, &caller, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |(r, e)| {
        RecommendationView::new(&req, r, &e)
    })
    .respond())
}

collection_query! {
    /// Paging of an evaluation's recommendations.
    pub struct RecommendationQuery {}
}

/// List an evaluation's recommendations
///
/// Oldest first, with their status. Readable wherever the evaluation is, and of the revision
/// the caller reads: coordinators the draft's, everybody else the latest published revision's,
/// as it was published (with the current `status` and `statusNote`, which are one across
/// revisions).
#[utoipa::path(
    tag = "Evaluations",
    params(("evaluationId" = String, Path), RecommendationQuery),
    responses(
        (status = 200, description = "One page of recommendations", body = Collection<RecommendationView>),
        NoVisibleEvaluation,
    )
)]
#[get("/evaluations/{evaluationId}/recommendations")]
async fn list_recommendations(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<RecommendationQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let caller = auth.caller().clone();
    let (record, found) = state
        .run_on("evaluation", id.into_inner(), move |conn, id| {
            evaluations::recommendations_of(conn, &caller, id, page)
        })
        .await?;
    Ok(Collection::new(&req, page, found, |r| {
        RecommendationView::new(&req, r, &record)
    })
    .respond())
}

/// A new recommendation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"text": {"nl": "Breid de regionale drugsteams uit naar alle arrondissementen."}, "organisationIds": ["federale-politie"], "priority": "high", "dueDate": "2019-06-30"}))]
pub struct NewRecommendation {
    pub text: LocalizedText,
    /// The organisations it is addressed to (at least one).
    pub organisation_ids: Vec<String>,
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
}

/// Add a recommendation
///
/// To a draft evaluation (409 once it is published: revise it first). It starts `open`.
/// Coordinators only.
#[utoipa::path(
    tag = "Evaluations",
    params(("evaluationId" = String, Path)),
    request_body = NewRecommendation,
    responses(
        (status = 201, description = "The recommendation", body = RecommendationView, headers(("Location" = String), ("ETag" = String))),
        InvalidInput,
        NotCoordinator,
        NoSuchEvaluation,
        (status = 409, description = "The evaluation is published", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/evaluations/{evaluationId}/recommendations")]
async fn create_recommendation(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewRecommendation>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = RecommendationInput {
        text: body.text,
        organisation_ids: body.organisation_ids,
        priority: body.priority,
        due_date: body.due_date,
    };
    let (record, evaluation) = state
        .run(move |conn| evaluations::add_recommendation(conn, &caller, &id, input))
        .await?;
    let validator = record.validator();
    let view = RecommendationView::new(&req, record, &evaluation);
    Ok(created(&req, &view.href, validator, &view))
}

/// Read a recommendation
///
/// As of the revision of its evaluation the caller reads: coordinators the draft's; everybody
/// else the latest published revision's, so a recommendation added in a draft is 404 for them
/// until the draft is published, and one changed or deleted in a draft reads (with the same
/// `ETag`) as it was published.
#[utoipa::path(
    tag = "Evaluations",
    params(("recommendationId" = String, Path)),
    responses(
        (status = 200, description = "The recommendation", body = RecommendationView, headers(("ETag" = String))),
        (status = 404, description = "No such recommendation (or none the caller may see)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/recommendations/{recommendationId}")]
async fn get_recommendation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let caller = auth.caller().clone();
    let key = id.clone();
    let (record, evaluation) = state
        .run(move |conn| evaluations::recommendation(conn, &caller, &key))
        .await?
        .ok_or_else(|| ApiError::not_found("recommendation", &id))?;
    let validator = record.validator();
    Ok(single(
        &req,
        validator,
        &RecommendationView::new(&req, record, &evaluation),
    ))
}

/// Changes to a recommendation: a JSON merge patch (RFC 7396). Properties left out stay as they
/// are, `null` removes an optional one, `text` and `statusNote` are merged language by language
/// and `organisationIds` is replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"status": "inProgress", "statusNote": {"nl": "Uitbreiding naar drie arrondissementen gestart."}}))]
pub struct RecommendationPatch {
    /// Merged into the stored text: `{"en": "..."}` changes the English text only.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = LocalizedTextPatch)]
    pub text: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub organisation_ids: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Priority)]
    pub priority: Option<Option<Priority>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = RecommendationStatus)]
    pub status: Option<Option<RecommendationStatus>>,
    /// Merged into the stored note; `null` removes it, as does removing its last language.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<LocalizedTextPatch>, nullable)]
    pub status_note: Option<Option<ObjectPatch>>,
}

/// Change a recommendation
///
/// Coordinators change its content (`text`, `organisationIds`, `priority`, `dueDate`) while
/// the evaluation is a draft (409 otherwise), and its follow-up (`status`, `statusNote`) at any
/// time. Content changed in the draft of a published evaluation shows to readers other than the
/// coordinators only once that revision is published; the follow-up is one across revisions and
/// shows to all at once. Reporters of an organisation it is addressed to (`organisationIds`) follow it up:
/// they set `status` and `statusNote` and nothing else; a patch of theirs that names any other
/// field is refused as a whole (403 `missingPermission`, naming the field) and changes nothing.
/// Reporters of other organisations are refused (403); a recommendation of an evaluation that
/// was never published is the coordinators' own (404 for everybody else). Evaluators and
/// administrators never write (403 `missingScope`). Every change is in the audit trail (who,
/// when, before and after). `If-Match`.
/// A JSON merge patch: `text` and `statusNote` are merged language by language into the stored
/// ones (`null` removes a language), other values are replaced.
#[utoipa::path(
    tag = "Evaluations",
    params(("recommendationId" = String, Path), ("If-Match" = String, Header, description = "The recommendation's ETag")),
    request_body(content = RecommendationPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed recommendation", body = RecommendationView),
        InvalidInput,
        (status = 403, description = "Neither a coordinator nor a reporter (missingScope); a reporter of an organisation it is not addressed to, or one changing more than status and statusNote (missingPermission)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such recommendation (or none the caller may see)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The evaluation is published and the change touches the content", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        IfMatchRequired,
    )
)]
#[patch("/recommendations/{recommendationId}")]
async fn update_recommendation(
    req: HttpRequest,
    state: web::Data<AppState>,
    Reporting(caller): Reporting,
    id: web::Path<String>,
    ApiPatch(patch): ApiPatch<RecommendationPatch>,
) -> Result<HttpResponse, ApiError> {
    let mut issues: Vec<InputIssue> = Vec::new();
    let changes = RecommendationChanges {
        text: required("text", patch.text, &mut issues),
        organisation_ids: required("organisationIds", patch.organisation_ids, &mut issues),
        priority: required("priority", patch.priority, &mut issues),
        due_date: patch.due_date,
        status: required("status", patch.status, &mut issues),
        status_note: patch.status_note,
    };
    if !issues.is_empty() {
        return Err(ApiError::bad_request(issues));
    }
    let expected = expected_version(&req)?;
    let id = id.into_inner();
    let (record, evaluation) = state
        .run(move |conn| evaluations::update_recommendation(conn, &caller, &id, expected, changes))
        .await?;
    let validator = record.validator();
    Ok(single(
        &req,
        validator,
        &RecommendationView::new(&req, record, &evaluation),
    ))
}

/// Delete a recommendation
///
/// From a draft evaluation (409 once it is published: revise it first). Coordinators only;
/// `If-Match` with the recommendation's `ETag`. A recommendation of an earlier published
/// revision stays as it was published for every reader but the coordinators until the draft is
/// published. In the audit trail.
#[utoipa::path(
    tag = "Evaluations",
    params(("recommendationId" = String, Path), ("If-Match" = String, Header, description = "The recommendation's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        NotCoordinator,
        (status = 404, description = "No such recommendation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The evaluation is published", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        IfMatchRequired,
    )
)]
#[delete("/recommendations/{recommendationId}")]
async fn delete_recommendation(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let id = id.into_inner();
    state
        .run(move |conn| evaluations::delete_recommendation(conn, &caller, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
