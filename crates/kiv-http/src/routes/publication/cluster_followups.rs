//! `/clusterFollowUps`: the coordinating FODs' interim follow-up of each cluster, per plan and
//! reporting period, with the progress figures frozen when it is published.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::Tagged;
use kiv_domain::{Assessment, Caller, IssueLocation, LocalizedText, PublicationState};
use kiv_store::publication::cluster_followups::{
    self, ClusterFollowUpChanges, ClusterFollowUpFilter, ClusterFollowUpInput,
};
use kiv_store::publication::Step;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{
    note_of, ClusterFollowUpView, PublicationEventView, PublicationHistoryQuery, StepNote,
};
use crate::auth::{Auth, Coordinator};
use crate::extract::{
    expected_version, page_and_sort, patch_field, required, ApiJson, ApiPatch, ApiQuery,
    OptionalJson,
};
use crate::patch_schemas::LocalizedTextPatch;
use crate::periods::parse_period;
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{
    ChangedSinceRead, IfMatchRequired, InvalidInput, MalformedParameter, NoSuchClusterFollowUp,
    NotCoordinator,
};
use crate::respond::{created, single, Collection};
use crate::routes::collection_query;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_cluster_follow_ups)
        .service(create_cluster_follow_up)
        .service(get_cluster_follow_up)
        .service(update_cluster_follow_up)
        .service(publish_cluster_follow_up)
        .service(revise_cluster_follow_up)
        .service(cluster_follow_up_history);
}

collection_query! {
    /// Filters of the cluster follow-ups.
    pub struct ClusterFollowUpQuery {
        pub plan_id: Option<String>,
        pub cluster_id: Option<String>,
        /// A reporting period: `2017S2`.
        #[param(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")]
        pub period: Option<String>,
        /// `draft` (coordinators only) or `published`.
        pub state: Option<PublicationState>,
    }
}

/// List the cluster follow-ups
///
/// Latest period first. Coordinators see drafts and the current revision; every other reader
/// sees the published follow-ups, as last published.
#[utoipa::path(
    tag = "Cluster follow-up",
    params(ClusterFollowUpQuery),
    responses(
        (status = 200, description = "One page of cluster follow-ups", body = Collection<ClusterFollowUpView>),
        MalformedParameter,
    )
)]
#[get("/clusterFollowUps")]
async fn list_cluster_follow_ups(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<ClusterFollowUpQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let filter = ClusterFollowUpFilter {
        plan_id: query.plan_id,
        cluster_id: query.cluster_id,
        period: query
            .period
            .as_deref()
            .map(|p| parse_period(p, IssueLocation::Query))
            .transpose()?,
        state: query.state,
    };
    let caller = auth.caller().clone();
    let found = state
        .run(move |conn| cluster_followups::list(conn, &caller, &filter, page))
        .await?;
    Ok(Collection::new(&req, page, found, |c| ClusterFollowUpView::new(&req, c)).respond())
}

/// A new cluster follow-up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"planId": "kiv-2016-2019", "clusterId": "3", "period": "2017S2", "assessment": "attention", "narrative": {"nl": "De meeste acties lopen; twee zijn vertraagd."}, "obstacles": {"nl": "Personeelstekort bij twee zones."}, "nextSteps": {"nl": "Bijsturing in het eerste semester van 2018."}}))]
pub struct NewClusterFollowUp {
    pub plan_id: String,
    /// A cluster of the plan.
    pub cluster_id: String,
    /// A reporting period of the plan that has begun.
    #[schema(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")]
    pub period: String,
    pub assessment: Assessment,
    pub narrative: Option<LocalizedText>,
    pub highlights: Option<LocalizedText>,
    pub obstacles: Option<LocalizedText>,
    pub next_steps: Option<LocalizedText>,
    /// The recording organisations; the writer's own when left out.
    #[serde(default)]
    pub organisation_ids: Vec<String>,
}

/// Create a cluster follow-up
///
/// A draft, one per plan, cluster and reporting period. Coordinators only.
#[utoipa::path(
    tag = "Cluster follow-up",
    request_body = NewClusterFollowUp,
    responses(
        (status = 201, description = "The draft", body = ClusterFollowUpView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input: unknown plan or organisation, a cluster outside the plan, a period outside the plan or not begun", body = Problem, content_type = "application/problem+json"),
        NotCoordinator,
        (status = 409, description = "The cluster has a follow-up for this period", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/clusterFollowUps")]
async fn create_cluster_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    ApiJson(body): ApiJson<NewClusterFollowUp>,
) -> Result<HttpResponse, ApiError> {
    let input = ClusterFollowUpInput {
        plan_id: body.plan_id,
        cluster_id: body.cluster_id,
        period: parse_period(&body.period, IssueLocation::Body)?,
        assessment: body.assessment,
        narrative: body.narrative,
        highlights: body.highlights,
        obstacles: body.obstacles,
        next_steps: body.next_steps,
        organisation_ids: body.organisation_ids,
    };
    let record = state
        .run(move |conn| cluster_followups::create(conn, &caller, input, kiv_store::clock::today()))
        .await?;
    let validator = record.validator();
    let view = ClusterFollowUpView::new(&req, record);
    Ok(created(&req, &view.href, validator, &view))
}

/// Read a cluster follow-up
///
/// Coordinators get the current revision (a draft, perhaps); other readers the latest published
/// one, and 404 before the first publication.
#[utoipa::path(
    tag = "Cluster follow-up",
    params(("clusterFollowUpId" = String, Path, description = "UUID of the cluster follow-up")),
    responses(
        (status = 200, description = "The cluster follow-up", body = ClusterFollowUpView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        (status = 404, description = "No such cluster follow-up (or none the caller may see)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/clusterFollowUps/{clusterFollowUpId}")]
async fn get_cluster_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.caller().clone();
    let record = state
        .run_on("cluster follow-up", id.into_inner(), move |conn, id| {
            cluster_followups::readable(conn, &caller, id)
        })
        .await?;
    let validator = record.validator();
    Ok(single(
        &req,
        validator,
        &ClusterFollowUpView::new(&req, record),
    ))
}

/// Changes to a draft cluster follow-up: a JSON merge patch (RFC 7396). Properties left out
/// stay as they are, `null` removes an optional one, the texts are merged language by language
/// (a text whose last language is removed is removed) and `organisationIds` is replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"assessment": "attention", "obstacles": {"fr": "Manque de personnel dans deux zones."}}))]
pub struct ClusterFollowUpPatch {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Assessment)]
    pub assessment: Option<Option<Assessment>>,
    /// Merged into the stored narrative; `null` removes it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<LocalizedTextPatch>, nullable)]
    pub narrative: Option<Option<ObjectPatch>>,
    /// Merged into the stored highlights; `null` removes them.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<LocalizedTextPatch>, nullable)]
    pub highlights: Option<Option<ObjectPatch>>,
    /// Merged into the stored obstacles; `null` removes them.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<LocalizedTextPatch>, nullable)]
    pub obstacles: Option<Option<ObjectPatch>>,
    /// Merged into the stored next steps; `null` removes them.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<LocalizedTextPatch>, nullable)]
    pub next_steps: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub organisation_ids: Option<Option<Vec<String>>>,
}

/// Change a cluster follow-up
///
/// Drafts only: a published follow-up answers 409 (revise it first). `If-Match` with its `ETag`.
/// Coordinators only. A JSON merge patch: the texts (`narrative`, `highlights`, `obstacles`,
/// `nextSteps`) are merged language by language into the stored ones (`null` removes a
/// language), `organisationIds` and other values are replaced.
#[utoipa::path(
    tag = "Cluster follow-up",
    params(("clusterFollowUpId" = String, Path), ("If-Match" = String, Header, description = "The cluster follow-up's ETag")),
    request_body(content = ClusterFollowUpPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed draft", body = ClusterFollowUpView),
        InvalidInput,
        NotCoordinator,
        NoSuchClusterFollowUp,
        (status = 409, description = "It is published", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        IfMatchRequired,
    )
)]
#[patch("/clusterFollowUps/{clusterFollowUpId}")]
async fn update_cluster_follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    id: web::Path<String>,
    ApiPatch(patch): ApiPatch<ClusterFollowUpPatch>,
) -> Result<HttpResponse, ApiError> {
    let mut issues = Vec::new();
    let changes = ClusterFollowUpChanges {
        assessment: required("assessment", patch.assessment, &mut issues),
        narrative: patch.narrative,
        highlights: patch.highlights,
        obstacles: patch.obstacles,
        next_steps: patch.next_steps,
        organisation_ids: required("organisationIds", patch.organisation_ids, &mut issues),
    };
    if !issues.is_empty() {
        return Err(ApiError::bad_request(issues));
    }
    let expected = expected_version(&req)?;
    let id = id.into_inner();
    let record = state
        .run(move |conn| {
            cluster_followups::update(
                conn,
                &caller,
                &id,
                expected,
                changes,
                kiv_store::clock::today(),
            )
        })
        .await?;
    let validator = record.validator();
    Ok(single(
        &req,
        validator,
        &ClusterFollowUpView::new(&req, record),
    ))
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
        .run(move |conn| cluster_followups::step(conn, &caller, &id, expected, step, note))
        .await?;
    let validator = record.validator();
    Ok(single(
        &req,
        validator,
        &ClusterFollowUpView::new(&req, record),
    ))
}

/// Publish a cluster follow-up
///
/// From `draft` to `published`: the cluster's progress figures for the period are computed now
/// (what is approved at this moment, the same computation as `GET /reports/progress`) and frozen
/// with the text; every reader sees it from now on, and the progress report shows its
/// assessment. Coordinators only; `If-Match`.
#[utoipa::path(
    tag = "Cluster follow-up",
    params(("clusterFollowUpId" = String, Path), ("If-Match" = String, Header, description = "The cluster follow-up's ETag")),
    request_body(content = Option<StepNote>, example = json!({"note": "Stand van de cluster eind 2017, na overleg met de zones."})),
    responses(
        (status = 200, description = "The published follow-up, with its figures", body = ClusterFollowUpView),
        NotCoordinator,
        NoSuchClusterFollowUp,
        (status = 409, description = "It is published already", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        IfMatchRequired,
    )
)]
#[post("/clusterFollowUps/{clusterFollowUpId}/publish")]
async fn publish_cluster_follow_up(
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

/// Revise a published cluster follow-up
///
/// A correction: the follow-up becomes a draft of its next revision. Until that is published,
/// other readers keep seeing the published revision (with its frozen figures); the history keeps
/// both. Coordinators only; `If-Match`; a `note` saying what is corrected.
#[utoipa::path(
    tag = "Cluster follow-up",
    params(("clusterFollowUpId" = String, Path), ("If-Match" = String, Header, description = "The cluster follow-up's ETag")),
    request_body(content = Option<StepNote>, example = json!({"note": "Cijfers van zone Gent gecorrigeerd."})),
    responses(
        (status = 200, description = "The draft of the next revision", body = ClusterFollowUpView),
        NotCoordinator,
        NoSuchClusterFollowUp,
        (status = 409, description = "It is a draft", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        IfMatchRequired,
    )
)]
#[post("/clusterFollowUps/{clusterFollowUpId}/revise")]
async fn revise_cluster_follow_up(
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

/// The history of a cluster follow-up
///
/// Oldest first: for coordinators every step (created, updated, published, revised) with the
/// record after it; for other readers the publications only.
#[utoipa::path(
    tag = "Cluster follow-up",
    params(("clusterFollowUpId" = String, Path), PublicationHistoryQuery),
    responses(
        (status = 200, description = "One page of the history", body = Collection<PublicationEventView>),
        NoSuchClusterFollowUp,
    )
)]
#[get("/clusterFollowUps/{clusterFollowUpId}/history")]
async fn cluster_follow_up_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<PublicationHistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let caller = auth.caller().clone();
    let found = state
        .run_on("cluster follow-up", id.into_inner(), move |conn, id| {
            cluster_followups::history(conn, &caller, id, page)
        })
        .await?;
    Ok(Collection::new(&req, page, found, PublicationEventView::from).respond())
}
