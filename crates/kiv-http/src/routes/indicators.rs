//! `/indicators`: what measures an objective or an action.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::planning::{Baseline, Target};
use kiv_domain::Tagged;
use kiv_domain::{Indicator, IndicatorDirection, IndicatorMeasure, LocalizedText};
use kiv_store::planning::indicators::{
    self, IndicatorChanges, IndicatorFilter, IndicatorInput, IndicatorSort,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::auth::{Auth, Coordinator};
use crate::extract::{
    expected_version, label, page_and_sort, patch_field, required, ApiJson, ApiPatch, ApiQuery,
};
use crate::patch_schemas::{BaselinePatch, LocalizedTextPatch};
use crate::problem::{ApiError, Problem};
use crate::respond::{created, href, single, utc, Collection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_indicators)
        .service(create_indicator)
        .service(get_indicator)
        .service(update_indicator)
        .service(delete_indicator);
}

/// An indicator of an objective or of an action.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorView {
    /// UUID.
    pub id: String,
    pub href: String,
    /// The objective it measures (or `actionId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective_id: Option<String>,
    /// The action it measures (or `objectiveId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_id: Option<String>,
    pub name: LocalizedText,
    /// The name in the language of `Accept-Language` (falling back to Dutch); only when the
    /// request names a language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The unit of the values: `cases`, `EUR`, `%`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub measure: IndicatorMeasure,
    pub direction: IndicatorDirection,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// Targets per reporting period, in period order.
    pub targets: Vec<Target>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Its `label` follows `Accept-Language`.
impl crate::respond::Representation for IndicatorView {
    const BY_LANGUAGE: bool = true;
}

impl IndicatorView {
    fn new(req: &HttpRequest, indicator: Indicator) -> Self {
        let Indicator {
            id,
            objective_id,
            action_id,
            name,
            unit,
            measure,
            direction,
            baseline,
            targets,
            version: _,
            created_at,
            updated_at,
        } = indicator;
        IndicatorView {
            href: href(req, &format!("indicators/{id}")),
            label: label(req, &name),
            id,
            objective_id,
            action_id,
            name,
            unit,
            measure,
            direction,
            baseline,
            targets,
            created_at: utc(created_at),
            updated_at: utc(updated_at),
        }
    }
}

collection_query! {
    /// Filters of the indicator collection.
    pub struct IndicatorQuery sorted by r"^ *[-+]?(name) *(, *[-+]?(name) *)*$" {
        pub objective_id: Option<String>,
        pub action_id: Option<String>,
        /// Only the indicators of this plan's objectives and actions.
        pub plan_id: Option<String>,
        /// Only the indicators of this cluster's objectives and actions.
        pub cluster_id: Option<String>,
        pub measure: Option<IndicatorMeasure>,
        /// Text in the name, in any language.
        pub q: Option<String>,
    }
}

/// List the indicators
///
/// Sorted by name.
#[utoipa::path(
    tag = "Planning",
    params(IndicatorQuery, ("Accept-Language" = Option<String>, Header, description = "Adds a `label` in this language")),
    responses(
        (status = 200, description = "One page of indicators", body = Collection<IndicatorView>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/indicators")]
async fn list_indicators(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    ApiQuery(query): ApiQuery<IndicatorQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
        query.page,
        query.page_size,
        query.sort.as_deref(),
        IndicatorSort::FIELDS,
    )?;
    let filter = IndicatorFilter {
        objective_id: query.objective_id,
        action_id: query.action_id,
        plan_id: query.plan_id,
        cluster_id: query.cluster_id,
        measure: query.measure,
        q: query.q,
    };
    let found = state
        .run(move |conn| indicators::list(conn, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |i| IndicatorView::new(&req, i)).respond())
}

/// A new indicator, attached to an objective or to an action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"actionId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e", "name": {"nl": "Aantal opgerolde drugslabs"}, "unit": "labs", "measure": "number", "direction": "increase", "baseline": {"value": 20, "year": 2015}, "targets": [{"period": "2017S2", "value": 30}, {"period": "2019S2", "value": 40}]}))]
pub struct NewIndicator {
    pub objective_id: Option<String>,
    pub action_id: Option<String>,
    pub name: LocalizedText,
    pub unit: Option<String>,
    pub measure: IndicatorMeasure,
    pub direction: IndicatorDirection,
    /// A number for `number` and `percentage` (0-100) indicators, a text for `qualitative` ones.
    pub baseline: Option<Baseline>,
    /// One per reporting period of the plan at most.
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// Create an indicator
///
/// Coordinators only. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "Planning",
    request_body = NewIndicator,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body return the first answer")),
    responses(
        (status = 201, description = "The indicator", body = IndicatorView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input (target periods outside the plan: periodOutsidePlan), or a reference to nothing", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/indicators")]
async fn create_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    ApiJson(body): ApiJson<NewIndicator>,
) -> Result<HttpResponse, ApiError> {
    let input = IndicatorInput {
        objective_id: body.objective_id,
        action_id: body.action_id,
        name: body.name,
        unit: body.unit,
        measure: body.measure,
        direction: body.direction,
        baseline: body.baseline,
        targets: body.targets,
    };
    let indicator = state
        .run(move |conn| indicators::create(conn, &caller, input))
        .await?;
    let validator = indicator.validator();
    let view = IndicatorView::new(&req, indicator);
    Ok(created(&req, &view.href, validator, &view))
}

/// Read an indicator
#[utoipa::path(
    tag = "Planning",
    params(("indicatorId" = String, Path, description = "UUID of the indicator")),
    responses(
        (status = 200, description = "The indicator", body = IndicatorView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        (status = 404, description = "No such indicator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/indicators/{indicatorId}")]
async fn get_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    indicator_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "indicator",
            indicator_id.into_inner(),
            indicators::get,
            IndicatorView::new,
        )
        .await
}

/// Changes to an indicator: a JSON merge patch (RFC 7396). Properties left out stay as they
/// are, `null` removes an optional one, the name and the baseline are merged member by member,
/// and `targets` is replaced. What it is attached to never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorPatch {
    /// Merged into the stored name: `{"fr": "..."}` changes the French name only.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = LocalizedTextPatch)]
    pub name: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, nullable)]
    pub unit: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = IndicatorMeasure)]
    pub measure: Option<Option<IndicatorMeasure>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = IndicatorDirection)]
    pub direction: Option<Option<IndicatorDirection>>,
    /// Merged into the stored baseline (`{"year": 2016}` keeps the value); `null` removes it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<BaselinePatch>, nullable)]
    pub baseline: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<Target>)]
    pub targets: Option<Option<Vec<Target>>>,
}

impl IndicatorPatch {
    fn changes(self) -> Result<IndicatorChanges, ApiError> {
        let mut issues = Vec::new();
        let changes = IndicatorChanges {
            name: required("name", self.name, &mut issues),
            unit: self.unit,
            measure: required("measure", self.measure, &mut issues),
            direction: required("direction", self.direction, &mut issues),
            baseline: self.baseline,
            targets: required("targets", self.targets, &mut issues),
        };
        if issues.is_empty() {
            Ok(changes)
        } else {
            Err(ApiError::bad_request(issues))
        }
    }
}

/// Change an indicator
///
/// Coordinators only; `If-Match` with the indicator's `ETag`. A JSON merge patch: objects (the
/// name, the baseline) are merged member by member into the stored ones, `null` removes a
/// member, `targets` and other values are replaced. The whole indicator is checked again after
/// the change.
#[utoipa::path(
    tag = "Planning",
    params(("indicatorId" = String, Path), ("If-Match" = String, Header, description = "The indicator's ETag")),
    request_body(content = IndicatorPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed indicator", body = IndicatorView),
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such indicator", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The indicator changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/indicators/{indicatorId}")]
async fn update_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    indicator_id: web::Path<String>,
    ApiPatch(patch): ApiPatch<IndicatorPatch>,
) -> Result<HttpResponse, ApiError> {
    let changes = patch.changes()?;
    let expected = expected_version(&req)?;
    let id = indicator_id.into_inner();
    let indicator = state
        .run(move |conn| indicators::update(conn, &caller, &id, expected, changes))
        .await?;
    let validator = indicator.validator();
    Ok(single(
        &req,
        validator,
        &IndicatorView::new(&req, indicator),
    ))
}

/// Delete an indicator
///
/// Coordinators only; `If-Match` with the indicator's `ETag`. Refused (409) once follow-ups
/// report values of it.
#[utoipa::path(
    tag = "Planning",
    params(("indicatorId" = String, Path), ("If-Match" = String, Header, description = "The indicator's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not a coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such indicator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Follow-ups report values of the indicator (conflict)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The indicator changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/indicators/{indicatorId}")]
async fn delete_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(caller): Coordinator,
    indicator_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let id = indicator_id.into_inner();
    state
        .run(move |conn| indicators::delete(conn, &caller, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
