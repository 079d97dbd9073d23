//! `/evaluations`: the coordinating FODs' evaluations of a cluster (or a transversal theme), the
//! evidence they rely on, and the follow-up figures an evaluator reads beside them. Their
//! recommendations are [`super::recommendations`].

use kiv_domain::Tagged;
use std::collections::BTreeMap;

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use kiv_domain::evaluation::{check_scores, Evidence, Score};
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::report::EvaluationContext;
use kiv_domain::{
    Caller, Criterion, EvaluationRound, LocalizedText, OverallRating, PublicationState,
};
use kiv_store::publication::evaluations::{
    self, EvaluationChanges, EvaluationFilter, EvaluationInput,
};
use kiv_store::publication::Step;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{
    note_of, EvaluationView, PeriodRangeBody, PublicationEventView, PublicationHistoryQuery,
    StepNote,
};
use crate::auth::{Auth, Coordinator};
use crate::extract::{
    expected_version, page_and_sort, patch_field, required, ApiJson, ApiPatch, ApiQuery,
    OptionalJson,
};
use crate::patch_schemas::{LocalizedTextPatch, PeriodRangePatch, ScoresPatch};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{
    ChangedSinceRead, IfMatchRequired, InvalidInput, MalformedParameter, NoSuchEvaluation,
    NoVisibleEvaluation, NotCoordinator,
};
use crate::respond::{created, single, Collection};
use crate::routes::collection_query;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_evaluations)
        .service(create_evaluation)
        .service(get_evaluation)
        .service(update_evaluation)
        .service(publish_evaluation)
        .service(revise_evaluation)
        .service(evaluation_history)
        .service(evaluation_context);
}

collection_query! {
    /// Filters of the evaluations.
    pub struct EvaluationQuery {
        pub plan_id: Option<String>,
        pub cluster_id: Option<String>,
        pub theme_id: Option<String>,
        pub round: Option<EvaluationRound>,
        /// `draft` (coordinators only) or `published`.
        pub state: Option<PublicationState>,
    }
}

/// List the evaluations
///
/// Latest period first. Coordinators see drafts and the current revision; every other reader
/// sees the published evaluations, as last published.
#[utoipa::path(
    tag = "Evaluations",
    params(EvaluationQuery),
    responses(
        (status = 200, description = "One page of evaluations", body = Collection<EvaluationView>),
        MalformedParameter,
    )
)]
#[get("/evaluations")]
async fn list_evaluations(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<EvaluationQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let filter = EvaluationFilter {
        plan_id: query.plan_id,
        cluster_id: query.cluster_id,
        theme_id: query.theme_id,
        round: query.round,
        state: query.state,
    };
    let caller = auth.caller().clone();
    let found = state
        .run(move |conn| evaluations::list(conn, &caller, &filter, page))
        .await?;
    Ok(Collection::new(&req, page, found, |e| EvaluationView::new(&req, e)).respond())
}

/// A new evaluation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"planId": "kiv-2016-2019", "clusterId": "3", "round": "midTerm", "period": {"from": "2016S1", "to": "2017S2"}, "evaluatingOrganisationIds": ["fod-justitie", "fod-binnenlandse-zaken"], "scores": {"relevance": {"score": 4}, "effectiveness": {"score": 2, "rationale": {"nl": "Twee acties vertraagd."}}}, "overallRating": "partial", "findings": {"nl": "De aanpak werkt waar de zones meedoen."}, "evidence": [{"followUpId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e"}]}))]
pub struct NewEvaluation {
    pub plan_id: String,
    /// A cluster of the plan; or give `themeId`.
    pub cluster_id: Option<String>,
    /// A transversal theme of the plan; or give `clusterId`.
    pub theme_id: Option<String>,
    pub round: EvaluationRound,
    pub period: PeriodRangeBody,
    /// FOD Justitie and/or FOD Binnenlandse Zaken, or other coordinating organisations; the
    /// writer's own when left out.
    #[serde(default)]
    pub evaluating_organisation_ids: Vec<String>,
    /// Keyed by criterion; each a score 1-4 with an optional localized rationale. A draft may
    /// leave criteria out; publication needs all six.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub scores: BTreeMap<String, Score>,
    pub overall_rating: Option<OverallRating>,
    pub findings: Option<LocalizedText>,
    /// Follow-ups of the plan and subject, within the periods covered; with `indicatorId`, the
    /// value of that indicator in the follow-up.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

fn scores(raw: &BTreeMap<String, Score>) -> Result<BTreeMap<Criterion, Score>, ApiError> {
    check_scores(raw).map_err(ApiError::bad_request)
}

/// Create an evaluation
///
/// A draft. One per plan, cluster (or theme), round and period range. Coordinators only.
#[utoipa::path(
    tag = "Evaluations",
    request_body = NewEvaluation,
    responses(
        (status = 201, description = "The draft", body = EvaluationView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input: scores outside 1-4, unknown criteria, evidence from another plan, cluster or period, unknown references", body = Problem, content_type = "application/problem+json"),
        NotCoordinator,
        (status = 409, description = "An evaluation of this plan, subject, round and period exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/evaluations")]
async fn create_evaluation(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    ApiJson(body): ApiJson<NewEvaluation>,
) -> Result<HttpResponse, ApiError> {
    let input = EvaluationInput {
        scores: scores(&body.scores)?,
        period: body.period.parse()?,
        plan_id: body.plan_id,
        cluster_id: body.cluster_id,
        theme_id: body.theme_id,
        round: body.round,
        evaluating_organisation_ids: body.evaluating_organisation_ids,
        overall_rating: body.overall_rating,
        findings: body.findings,
        evidence: body.evidence,
    };
    let record = state
        .run(move |conn| evaluations::create(conn, &caller, input))
        .await?;
    let validator = record.validator();
    let view = EvaluationView::new(&req, record);
    Ok(created(&req, &view.href, validator, &view))
}

/// Read an evaluation
///
/// Coordinators get the current revision (a draft, perhaps); other readers the latest published
/// one, and 404 before the first publication.
#[utoipa::path(
    tag = "Evaluations",
    params(("evaluationId" = String, Path, description = "UUID of the evaluation")),
    responses(
        (status = 200, description = "The evaluation", body = EvaluationView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        NoVisibleEvaluation,
    )
)]
#[get("/evaluations/{evaluationId}")]
async fn get_evaluation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.caller().clone();
    let record = state
        .run_on("evaluation", id.into_inner(), move |conn, id| {
            evaluations::readable(conn, &caller, id)
        })
        .await?;
    let validator = record.validator();
    Ok(single(&req, validator, &EvaluationView::new(&req, record)))
}

/// Changes to a draft evaluation: a JSON merge patch (RFC 7396). Properties left out stay as
/// they are, `null` removes an optional one; `period`, `scores` (criterion by criterion, and
/// within a criterion member by member) and `findings` are merged into the stored ones, and
/// `evaluatingOrganisationIds` and `evidence` are replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"scores": {"impact": {"score": 3}}, "findings": {"fr": "L'approche fonctionne."}}))]
pub struct EvaluationPatch {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = EvaluationRound)]
    pub round: Option<Option<EvaluationRound>>,
    /// Merged into the stored range: `{"to": "2018S2"}` moves the end only.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = PeriodRangePatch)]
    pub period: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub evaluating_organisation_ids: Option<Option<Vec<String>>>,
    /// Merged into the stored scores: `{"impact": {"score": 3}}` changes impact's score and
    /// keeps its rationale and the other criteria; `{"impact": null}` removes impact.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = ScoresPatch)]
    pub scores: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<OverallRating>, nullable)]
    pub overall_rating: Option<Option<OverallRating>>,
    /// Merged into the stored findings; `null` removes them.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<LocalizedTextPatch>, nullable)]
    pub findings: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<Evidence>)]
    pub evidence: Option<Option<Vec<Evidence>>>,
}

/// Change an evaluation
///
/// Drafts only: a published evaluation answers 409 (revise it first). `If-Match` with its
/// `ETag`. Coordinators only. A JSON merge patch: `period`, `scores` and `findings` are merged
/// member by member into the stored ones (`{"scores": {"impact": {"score": 3}}}` keeps the
/// other five criteria and impact's rationale; `null` removes a member), lists and other
/// values are replaced. The merged evaluation is checked as a new one is.
#[utoipa::path(
    tag = "Evaluations",
    params(("evaluationId" = String, Path), ("If-Match" = String, Header, description = "The evaluation's ETag")),
    request_body(content = EvaluationPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed draft", body = EvaluationView),
        InvalidInput,
        NotCoordinator,
        NoSuchEvaluation,
        (status = 409, description = "It is published, or the change would duplicate another evaluation", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        IfMatchRequired,
    )
)]
#[patch("/evaluations/{evaluationId}")]
async fn update_evaluation(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    id: web::Path<String>,
    ApiPatch(patch): ApiPatch<EvaluationPatch>,
) -> Result<HttpResponse, ApiError> {
    let mut issues = Vec::new();
    let round = required("round", patch.round, &mut issues);
    let period = required("period", patch.period, &mut issues);
    let organisations = required(
        "evaluatingOrganisationIds",
        patch.evaluating_organisation_ids,
        &mut issues,
    );
    let scores = required("scores", patch.scores, &mut issues);
    let evidence = required("evidence", patch.evidence, &mut issues);
    if !issues.is_empty() {
        return Err(ApiError::bad_request(issues));
    }
    let changes = EvaluationChanges {
        round,
        period,
        evaluating_organisation_ids: organisations,
        scores,
        overall_rating: patch.overall_rating,
        findings: patch.findings,
        evidence,
    };
    let expected = expected_version(&req)?;
    let id = id.into_inner();
    let record = state
        .run(move |conn| evaluations::update(conn, &caller, &id, expected, changes))
        .await?;
    let validator = record.validator();
    Ok(single(&req, validator, &EvaluationView::new(&req, record)))
}

async fn take_step(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    step: Step,
    note: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let record = state
        .run(move |conn| evaluations::step(conn, &caller, &id, expected, step, note))
        .await?;
    let validator = record.validator();
    Ok(single(&req, validator, &EvaluationView::new(&req, record)))
}

/// Publish an evaluation
///
/// From `draft` to `published`: frozen, and readable by evaluators and reporters; its overall
/// rating shows in the progress report. Needs all six criteria scored, an overall rating and
/// findings (409 otherwise, naming what is missing); the evidence is checked again.
/// Coordinators only; `If-Match`.
#[utoipa::path(
    tag = "Evaluations",
    params(("evaluationId" = String, Path), ("If-Match" = String, Header, description = "The evaluation's ETag")),
    request_body(content = Option<StepNote>, example = json!({"note": "Evaluatie besproken op het coördinatiecomité van 12 maart 2018."})),
    responses(
        (status = 200, description = "The published evaluation", body = EvaluationView),
        (status = 400, description = "Its evidence no longer holds", body = Problem, content_type = "application/problem+json"),
        NotCoordinator,
        NoSuchEvaluation,
        (status = 409, description = "Published already, or incomplete", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        IfMatchRequired,
    )
)]
#[post("/evaluations/{evaluationId}/publish")]
async fn publish_evaluation(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    id: web::Path<String>,
    body: OptionalJson<StepNote>,
) -> Result<HttpResponse, ApiError> {
    take_step(
        req,
        state,
        caller,
        id.into_inner(),
        Step::Publish,
        note_of(body),
    )
    .await
}

/// Revise a published evaluation
///
/// A correction: the evaluation becomes a draft of its next revision. Until that is published,
/// other readers keep seeing the published revision; the history keeps both. Coordinators only;
/// `If-Match`; a `note` saying what is corrected.
#[utoipa::path(
    tag = "Evaluations",
    params(("evaluationId" = String, Path), ("If-Match" = String, Header, description = "The evaluation's ETag")),
    request_body(content = Option<StepNote>, example = json!({"note": "Score voor efficiëntie herzien na de nieuwe cijfers."})),
    responses(
        (status = 200, description = "The draft of the next revision", body = EvaluationView),
        NotCoordinator,
        NoSuchEvaluation,
        (status = 409, description = "It is a draft", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        IfMatchRequired,
    )
)]
#[post("/evaluations/{evaluationId}/revise")]
async fn revise_evaluation(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    id: web::Path<String>,
    body: OptionalJson<StepNote>,
) -> Result<HttpResponse, ApiError> {
    take_step(
        req,
        state,
        caller,
        id.into_inner(),
        Step::Revise,
        note_of(body),
    )
    .await
}

/// The history of an evaluation
///
/// Oldest first: for coordinators every step (created, updated, published, revised) with the
/// evaluation after it; for other readers the publications only.
#[utoipa::path(
    tag = "Evaluations",
    params(("evaluationId" = String, Path), PublicationHistoryQuery),
    responses(
        (status = 200, description = "One page of the history", body = Collection<PublicationEventView>),
        NoSuchEvaluation,
    )
)]
#[get("/evaluations/{evaluationId}/history")]
async fn evaluation_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<PublicationHistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let caller = auth.caller().clone();
    let found = state
        .run_on("evaluation", id.into_inner(), move |conn, id| {
            evaluations::history(conn, &caller, id, page)
        })
        .await?;
    Ok(Collection::new(&req, page, found, PublicationEventView::from).respond())
}

/// The follow-up figures beside an evaluation
///
/// For the evaluation's plan and cluster (or theme): the progress report for the last period it
/// covers (totals and per objective: actions by status, weighted progress, reporting rate,
/// overdue, indicators), the totals of each period covered (the trend's points, as of the same
/// moment), each indicator's value against its target, and the actions without an approved
/// report — the same computation as `GET /reports/progress`. A published evaluation's context
/// stands as of its publication (what its authors saw); a draft's as of now.
#[utoipa::path(
    tag = "Evaluations",
    params(("evaluationId" = String, Path)),
    responses(
        (status = 200, description = "The context", body = EvaluationContext),
        NoVisibleEvaluation,
    )
)]
#[get("/evaluations/{evaluationId}/context")]
async fn evaluation_context(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.caller().clone();
    let found = state
        .run_report_on("evaluation", id.into_inner(), move |conn, id| {
            evaluations::context(conn, &caller, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(found))
}
