//! `/evaluations` and `/recommendations`: the coordinating FODs' evaluations of a cluster (or a
//! transversal theme), the evidence they rely on, their recommendations and what became of them,
//! and the follow-up figures an evaluator reads beside them.

use kiv_domain::Tagged;
use std::collections::BTreeMap;

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use kiv_domain::evaluation::{
    check_scores, Evaluation, Evidence, PeriodRange, Recommendation, Score,
};
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::report::EvaluationContext;
use kiv_domain::{
    Caller, Criterion, EvaluationRound, InputIssue, IssueLocation, LocalizedText, OverallRating,
    Priority, PublicationState, RecommendationStatus, ReportingPeriod,
};
use kiv_store::evaluations::{
    self, EvaluationChanges, EvaluationFilter, EvaluationInput, RecommendationChanges,
    RecommendationFilter, RecommendationInput, RecommendationSort,
};
use kiv_store::publication::Step;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::cluster_followups::{note_of, PublicationEventView, PublicationHistoryQuery, StepNote};
use super::collection_query;
use crate::auth::{Auth, Coordinator, Reporting};
use crate::extract::{
    expected_version, page_and_sort, patch_field, required, ApiJson, ApiPatch, ApiQuery,
    OptionalJson,
};
use crate::patch_schemas::{LocalizedTextPatch, PeriodRangePatch, ScoresPatch};
use crate::problem::{ApiError, Problem};
use crate::respond::{created, href, single, utc, Collection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_evaluations)
        .service(create_evaluation)
        .service(get_evaluation)
        .service(update_evaluation)
        .service(publish_evaluation)
        .service(revise_evaluation)
        .service(evaluation_history)
        .service(evaluation_context)
        .service(list_recommendations)
        .service(recommendation_register)
        .service(create_recommendation)
        .service(get_recommendation)
        .service(update_recommendation)
        .service(delete_recommendation);
}

/// The reporting periods an evaluation covers, both included.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeriodRangeBody {
    #[schema(
        example = "2016S1",
        pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$"
    )]
    pub from: String,
    #[schema(
        example = "2017S2",
        pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$"
    )]
    pub to: String,
}

impl PeriodRangeBody {
    /// Both ends, or one issue per malformed end (`period.from`, `period.to`).
    fn parse(&self) -> Result<PeriodRange, ApiError> {
        let mut issues = Vec::new();
        let mut end = |name: &str, text: &str| match text.parse::<ReportingPeriod>() {
            Ok(period) => Some(period),
            Err(e) => {
                issues.push(InputIssue::invalid(
                    IssueLocation::Body,
                    name,
                    Some(serde_json::Value::from(text)),
                    e.to_string(),
                ));
                None
            }
        };
        let (from, to) = (end("period.from", &self.from), end("period.to", &self.to));
        match (from, to) {
            (Some(from), Some(to)) => Ok(PeriodRange { from, to }),
            _ => Err(ApiError::bad_request(issues)),
        }
    }
}

/// An evaluation of a cluster (or a transversal theme) of a plan.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationView {
    /// UUID.
    pub id: String,
    pub href: String,
    #[schema(example = "kiv-2016-2019")]
    pub plan_id: String,
    /// The cluster evaluated; absent when a theme is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// The transversal theme evaluated; absent when a cluster is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_id: Option<String>,
    pub round: EvaluationRound,
    pub period: PeriodRangeBody,
    pub evaluating_organisation_ids: Vec<String>,
    /// Per OECD-DAC criterion (`relevance`, `coherence`, `effectiveness`, `efficiency`,
    /// `impact`, `sustainability`): a score 1-4 and its rationale.
    #[schema(value_type = Object, example = json!({"relevance": {"score": 4, "rationale": {"nl": "Sluit aan bij de prioriteiten."}}}))]
    pub scores: BTreeMap<Criterion, Score>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall_rating: Option<OverallRating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<LocalizedText>,
    /// The follow-ups (and indicator values in them) the evaluation relies on.
    pub evidence: Vec<Evidence>,
    /// `draft` (coordinators only) or `published`. Read-only.
    pub state: PublicationState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_by: Option<String>,
    /// 1, then one more each time a published evaluation is revised. Read-only.
    pub revision: i32,
    pub recommendations_href: String,
    pub context_href: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::respond::Representation for EvaluationView {}

impl EvaluationView {
    fn new(req: &HttpRequest, record: Evaluation) -> Self {
        let path = format!("evaluations/{}", record.id);
        EvaluationView {
            href: href(req, &path),
            recommendations_href: href(req, &format!("{path}/recommendations")),
            context_href: href(req, &format!("{path}/context")),
            id: record.id,
            plan_id: record.plan_id,
            cluster_id: record.cluster_id,
            theme_id: record.theme_id,
            round: record.round,
            period: PeriodRangeBody {
                from: record.period.from.to_string(),
                to: record.period.to.to_string(),
            },
            evaluating_organisation_ids: record.evaluating_organisation_ids,
            scores: record.scores,
            overall_rating: record.overall_rating,
            findings: record.findings,
            evidence: record.evidence,
            state: record.state,
            published_at: record.published_at.map(utc),
            published_by: record.published_by,
            revision: record.revision,
            created_by: record.created_by,
            created_at: utc(record.created_at),
            updated_at: utc(record.updated_at),
        }
    }
}

async fn readable(state: &AppState, caller: &Caller, id: String) -> Result<Evaluation, ApiError> {
    let who = caller.clone();
    let key = id.clone();
    state
        .run(move |conn| evaluations::get(conn, &who, &key))
        .await?
        .ok_or_else(|| ApiError::not_found("evaluation", &id))
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
        (status = 400, description = "A parameter is malformed", body = Problem, content_type = "application/problem+json"),
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
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
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
        (status = 404, description = "No such evaluation (or none the caller may see)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/evaluations/{evaluationId}")]
async fn get_evaluation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let record = readable(&state, auth.caller(), id.into_inner()).await?;
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
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such evaluation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is published, or the change would duplicate another evaluation", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
    request_body(content = Option<StepNote>),
    responses(
        (status = 200, description = "The published evaluation", body = EvaluationView),
        (status = 400, description = "Its evidence no longer holds", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such evaluation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Published already, or incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
    request_body(content = Option<StepNote>),
    responses(
        (status = 200, description = "The draft of the next revision", body = EvaluationView),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such evaluation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is a draft", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
        (status = 404, description = "No such evaluation", body = Problem, content_type = "application/problem+json"),
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
    let record = readable(&state, auth.caller(), id.into_inner()).await?;
    let caller = auth.caller().clone();
    let found = state
        .run(move |conn| evaluations::history(conn, &caller, &record.id, page))
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
        (status = 404, description = "No such evaluation (or none the caller may see)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/evaluations/{evaluationId}/context")]
async fn evaluation_context(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let record = readable(&state, auth.caller(), id.into_inner()).await?;
    let as_of = match (record.state, record.published_at) {
        (PublicationState::Published, Some(at)) => at,
        _ => kiv_store::clock::now(),
    };
    let found = state
        .run_report(move |conn| evaluations::context(conn, &record, as_of))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// A recommendation of an evaluation, and what became of it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecommendationView {
    /// UUID.
    pub id: String,
    pub href: String,
    pub evaluation_id: String,
    pub evaluation_href: String,
    /// The plan of the evaluation.
    #[schema(example = "kiv-2016-2019")]
    pub plan_id: String,
    /// The cluster the evaluation judged; absent when it judged a theme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// The transversal theme the evaluation judged; absent when it judged a cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_id: Option<String>,
    /// The evaluation's round.
    pub round: EvaluationRound,
    pub text: LocalizedText,
    /// The organisations it is addressed to: their reporters follow it up (`status`,
    /// `statusNote`).
    pub organisation_ids: Vec<String>,
    pub priority: Priority,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    /// `open`, `inProgress`, `implemented` or `rejected`.
    pub status: RecommendationStatus,
    /// What was done, or why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_note: Option<LocalizedText>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::respond::Representation for RecommendationView {}

impl RecommendationView {
    fn new(req: &HttpRequest, record: Recommendation, evaluation: &Evaluation) -> Self {
        RecommendationView {
            href: href(req, &format!("recommendations/{}", record.id)),
            evaluation_href: href(req, &format!("evaluations/{}", evaluation.id)),
            id: record.id,
            evaluation_id: record.evaluation_id,
            plan_id: evaluation.plan_id.clone(),
            cluster_id: evaluation.cluster_id.clone(),
            theme_id: evaluation.theme_id.clone(),
            round: evaluation.round,
            text: record.text,
            organisation_ids: record.organisation_ids,
            priority: record.priority,
            due_date: record.due_date,
            status: record.status,
            status_note: record.status_note,
            created_by: record.created_by,
            created_at: utc(record.created_at),
            updated_at: utc(record.updated_at),
        }
    }
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
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
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
        (status = 404, description = "No such evaluation (or none the caller may see)", body = Problem, content_type = "application/problem+json"),
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
    let record = readable(&state, auth.caller(), id.into_inner()).await?;
    let id = record.id.clone();
    let caller = auth.caller().clone();
    let found = state
        .run(move |conn| evaluations::recommendations_of(conn, &caller, &id, page))
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
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such evaluation", body = Problem, content_type = "application/problem+json"),
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
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a coordinator nor a reporter (missingScope); a reporter of an organisation it is not addressed to, or one changing more than status and statusNote (missingPermission)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such recommendation (or none the caller may see)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The evaluation is published and the change touches the content", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such recommendation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The evaluation is published", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
