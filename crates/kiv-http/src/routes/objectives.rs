//! `/objectives`: the strategic and operational objectives of each plan.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::Tagged;
use kiv_domain::{LocalizedText, Objective, ObjectiveLevel};
use kiv_store::planning::objectives::{
    self, ObjectiveChanges, ObjectiveFilter, ObjectiveInput, ObjectiveSort,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::auth::{Auth, Coordinator};
use crate::extract::{
    expected_version, label, page_and_sort, patch_field, required, ApiJson, ApiPatch, ApiQuery,
};
use crate::patch_schemas::LocalizedTextPatch;
use crate::problem::{ApiError, Problem};
use crate::respond::{created, href, single, utc, Collection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_objectives)
        .service(create_objective)
        .service(get_objective)
        .service(update_objective)
        .service(delete_objective);
}

/// An objective of a plan: strategic (the top of the tree) or operational (under a strategic
/// one).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectiveView {
    /// UUID.
    pub id: String,
    pub href: String,
    pub plan_id: String,
    /// The cluster; absent for a transversal objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// The strategic objective above an operational one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Unique within the plan: `3.2`.
    pub code: String,
    pub level: ObjectiveLevel,
    pub title: LocalizedText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalizedText>,
    /// The title in the language of `Accept-Language` (falling back to Dutch); only when the
    /// request names a language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub theme_ids: Vec<String>,
    /// The organisations that own the objective (for the NVP: federal and/or local police).
    pub owner_organisation_ids: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Its `label` follows `Accept-Language`.
impl crate::respond::Representation for ObjectiveView {
    const BY_LANGUAGE: bool = true;
}

impl ObjectiveView {
    pub(crate) fn new(req: &HttpRequest, objective: Objective) -> Self {
        let Objective {
            id,
            plan_id,
            cluster_id,
            parent_id,
            code,
            level,
            title,
            description,
            theme_ids,
            owner_organisation_ids,
            version: _,
            created_at,
            updated_at,
        } = objective;
        ObjectiveView {
            href: href(req, &format!("objectives/{id}")),
            label: label(req, &title),
            id,
            plan_id,
            cluster_id,
            parent_id,
            code,
            level,
            title,
            description,
            theme_ids,
            owner_organisation_ids,
            created_at: utc(created_at),
            updated_at: utc(updated_at),
        }
    }
}

collection_query! {
    /// Filters of the objective collection.
    pub struct ObjectiveQuery sorted by r"^ *[-+]?(code|title) *(, *[-+]?(code|title) *)*$" {
        pub plan_id: Option<String>,
        pub cluster_id: Option<String>,
        pub theme_id: Option<String>,
        /// Only the operational objectives under this strategic one.
        pub parent_id: Option<String>,
        pub level: Option<ObjectiveLevel>,
        /// Only the objectives this organisation owns.
        pub organisation_id: Option<String>,
        /// Text in the code or the title, in any language.
        pub q: Option<String>,
    }
}

/// List the objectives
///
/// Sorted by plan and code unless `sort` says otherwise (`code`, `title`).
#[utoipa::path(
    tag = "Planning",
    params(ObjectiveQuery, ("Accept-Language" = Option<String>, Header, description = "Adds a `label` in this language")),
    responses(
        (status = 200, description = "One page of objectives", body = Collection<ObjectiveView>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/objectives")]
async fn list_objectives(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    ApiQuery(query): ApiQuery<ObjectiveQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
        query.page,
        query.page_size,
        query.sort.as_deref(),
        ObjectiveSort::FIELDS,
    )?;
    let filter = ObjectiveFilter {
        plan_id: query.plan_id,
        cluster_id: query.cluster_id,
        theme_id: query.theme_id,
        parent_id: query.parent_id,
        level: query.level,
        organisation_id: query.organisation_id,
        q: query.q,
    };
    let found = state
        .run(move |conn| objectives::list(conn, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |o| ObjectiveView::new(&req, o)).respond())
}

/// A new objective.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"planId": "kiv-2016-2019", "clusterId": "3", "code": "3.1", "level": "strategic", "title": {"nl": "Het aanbod van drugs verminderen"}, "themeIds": ["proceedsOfCrime"]}))]
pub struct NewObjective {
    pub plan_id: String,
    /// Absent for a transversal objective.
    pub cluster_id: Option<String>,
    /// Required for an operational objective: its strategic objective.
    pub parent_id: Option<String>,
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,32}$")]
    pub code: String,
    pub level: ObjectiveLevel,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    #[serde(default)]
    pub theme_ids: Vec<String>,
    #[serde(default)]
    pub owner_organisation_ids: Vec<String>,
}

/// Create an objective
///
/// Coordinators only. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "Planning",
    request_body = NewObjective,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body return the first answer")),
    responses(
        (status = 201, description = "The objective", body = ObjectiveView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input, or a reference to nothing", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan has an objective with this code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/objectives")]
async fn create_objective(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    ApiJson(body): ApiJson<NewObjective>,
) -> Result<HttpResponse, ApiError> {
    let input = ObjectiveInput {
        plan_id: body.plan_id,
        cluster_id: body.cluster_id,
        parent_id: body.parent_id,
        code: body.code,
        level: body.level,
        title: body.title,
        description: body.description,
        theme_ids: body.theme_ids,
        owner_organisation_ids: body.owner_organisation_ids,
    };
    let objective = state
        .run(move |conn| objectives::create(conn, &caller, input))
        .await?;
    let validator = objective.validator();
    let view = ObjectiveView::new(&req, objective);
    Ok(created(&req, &view.href, validator, &view))
}

/// Read an objective
#[utoipa::path(
    tag = "Planning",
    params(("objectiveId" = String, Path, description = "UUID of the objective")),
    responses(
        (status = 200, description = "The objective", body = ObjectiveView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        (status = 404, description = "No such objective", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/objectives/{objectiveId}")]
async fn get_objective(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    objective_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "objective",
            objective_id.into_inner(),
            objectives::get,
            ObjectiveView::new,
        )
        .await
}

/// Changes to an objective: a JSON merge patch (RFC 7396). Properties left out stay as they
/// are, `null` removes an optional one, texts are merged language by language and lists are
/// replaced. The plan never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectivePatch {
    /// `null` makes the objective transversal.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, nullable)]
    pub cluster_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, nullable)]
    pub parent_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String)]
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,32}$")]
    pub code: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = ObjectiveLevel)]
    pub level: Option<Option<ObjectiveLevel>>,
    /// Merged into the stored title: `{"en": "..."}` changes the English title only.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = LocalizedTextPatch)]
    pub title: Option<Option<ObjectPatch>>,
    /// Merged into the stored description; `null` removes it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<LocalizedTextPatch>, nullable)]
    pub description: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub theme_ids: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub owner_organisation_ids: Option<Option<Vec<String>>>,
}

impl ObjectivePatch {
    fn changes(self) -> Result<ObjectiveChanges, ApiError> {
        let mut issues = Vec::new();
        let changes = ObjectiveChanges {
            cluster_id: self.cluster_id,
            parent_id: self.parent_id,
            code: required("code", self.code, &mut issues),
            level: required("level", self.level, &mut issues),
            title: required("title", self.title, &mut issues),
            description: self.description,
            theme_ids: required("themeIds", self.theme_ids, &mut issues),
            owner_organisation_ids: required(
                "ownerOrganisationIds",
                self.owner_organisation_ids,
                &mut issues,
            ),
        };
        if issues.is_empty() {
            Ok(changes)
        } else {
            Err(ApiError::bad_request(issues))
        }
    }
}

/// Change an objective
///
/// Coordinators only; `If-Match` with the objective's `ETag`. A JSON merge patch: objects (the
/// title, the description) are merged member by member into the stored ones, `null` removes a
/// member, lists and other values are replaced. The whole objective is checked again after the
/// change.
#[utoipa::path(
    tag = "Planning",
    params(("objectiveId" = String, Path), ("If-Match" = String, Header, description = "The objective's ETag")),
    request_body(content = ObjectivePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed objective", body = ObjectiveView),
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such objective", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The objective changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/objectives/{objectiveId}")]
async fn update_objective(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    objective_id: web::Path<String>,
    ApiPatch(patch): ApiPatch<ObjectivePatch>,
) -> Result<HttpResponse, ApiError> {
    let changes = patch.changes()?;
    let expected = expected_version(&req)?;
    let id = objective_id.into_inner();
    let objective = state
        .run(move |conn| objectives::update(conn, &caller, &id, expected, changes))
        .await?;
    let validator = objective.validator();
    Ok(single(
        &req,
        validator,
        &ObjectiveView::new(&req, objective),
    ))
}

/// Delete an objective
///
/// Coordinators only; `If-Match` with the objective's `ETag`. Refused (409) while operational
/// objectives, actions or indicators hang on it.
#[utoipa::path(
    tag = "Planning",
    params(("objectiveId" = String, Path), ("If-Match" = String, Header, description = "The objective's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such objective", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Something depends on the objective; the detail says what", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The objective changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/objectives/{objectiveId}")]
async fn delete_objective(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    objective_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let id = objective_id.into_inner();
    state
        .run(move |conn| objectives::delete(conn, &caller, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
