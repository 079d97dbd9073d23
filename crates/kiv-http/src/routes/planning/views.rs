//! What the planning endpoints read and answer: the request bodies, query parameters and
//! representations of objectives, actions and indicators, shared by their handler modules (an
//! action's view is on the floor, `crate::views`, as follow-ups show it too).

use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDate, Utc};
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::planning::{Baseline, Target};
use kiv_domain::{
    ActionStatus, Indicator, IndicatorDirection, IndicatorMeasure, LocalizedText, Objective,
    ObjectiveLevel,
};
use kiv_store::planning::actions::ActionChanges;
use kiv_store::planning::indicators::IndicatorChanges;
use kiv_store::planning::objectives::ObjectiveChanges;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{label, patch_field, required};
use crate::patch_schemas::{BaselinePatch, LocalizedTextPatch};
use crate::problem::ApiError;
use crate::respond::{href, utc};
use crate::routes::collection_query;

/// An objective of a plan: strategic (the top of the tree) or operational (under a strategic
/// one).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10",
    "href": "http://127.0.0.1:8080/kiv/v1/objectives/0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10",
    "version": "1",
    "planId": "kiv-2016-2019",
    "planHref": "http://127.0.0.1:8080/kiv/v1/plans/kiv-2016-2019",
    "clusterId": "3",
    "clusterHref": "http://127.0.0.1:8080/kiv/v1/clusters/3",
    "code": "3.1",
    "level": "strategic",
    "title": {"nl": "Het aanbod van drugs verminderen", "fr": "Réduire l'offre de drogues"},
    "themeIds": ["proceedsOfCrime"],
    "ownerOrganisationIds": ["fod-justitie", "fod-binnenlandse-zaken"],
    "createdAt": "2016-06-20T09:00:00Z",
    "updatedAt": "2016-06-20T09:00:00Z"
}))]
pub struct ObjectiveView {
    /// UUID.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    pub plan_id: String,
    /// The link to `planId`.
    pub plan_href: String,
    /// The cluster; absent for a transversal objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// The link to `clusterId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_href: Option<String>,
    /// The strategic objective above an operational one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// The link to `parentId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_href: Option<String>,
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
    pub(super) fn new(req: &HttpRequest, objective: Objective) -> Self {
        let version = kiv_domain::Tagged::validator(&objective).to_string();
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
            version,
            href: href(req, &format!("objectives/{id}")),
            label: label(req, &title),
            id,
            plan_href: href(req, &format!("plans/{plan_id}")),
            plan_id,
            cluster_href: cluster_id
                .as_ref()
                .map(|id| href(req, &format!("clusters/{id}"))),
            cluster_id,
            parent_href: parent_id
                .as_ref()
                .map(|id| href(req, &format!("objectives/{id}"))),
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

/// Changes to an objective: a JSON merge patch (RFC 7396). Properties left out stay as they
/// are, `null` removes an optional one, texts are merged language by language and lists are
/// replaced. The plan never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"title": {"fr": "Réduire l'offre de drogues"}, "themeIds": ["proceedsOfCrime"]}))]
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
    pub(super) fn changes(self) -> Result<ObjectiveChanges, ApiError> {
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

collection_query! {
    /// Filters of the action collection.
    pub struct ActionQuery sorted by r"^ *[-+]?(code|title|plannedStart|plannedEnd) *(, *[-+]?(code|title|plannedStart|plannedEnd) *)*$" {
        pub plan_id: Option<String>,
        pub cluster_id: Option<String>,
        pub objective_id: Option<String>,
        pub theme_id: Option<String>,
        /// Only the actions this organisation leads or takes part in.
        pub organisation_id: Option<String>,
        /// Only the actions whose status is this one.
        pub status: Option<ActionStatus>,
        /// Text in the code or the title, in any language.
        pub q: Option<String>,
        /// Only the actions planned to end before this day.
        pub planned_end_before: Option<NaiveDate>,
    }
}

fn default_weight() -> f64 {
    1.0
}

/// A new action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10", "code": "3.1.1", "title": {"nl": "Regionale drugsteams oprichten"}, "leadOrganisationId": "federale-politie", "partnerOrganisationIds": ["lokale-politie"], "plannedStart": "2016-07-01", "plannedEnd": "2018-12-31", "weight": 2, "externalId": "FGP-2016-044"}))]
pub struct NewAction {
    pub objective_id: String,
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,32}$")]
    pub code: String,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub lead_organisation_id: String,
    #[serde(default)]
    pub partner_organisation_ids: Vec<String>,
    #[serde(default)]
    pub theme_ids: Vec<String>,
    /// Inside the plan's period.
    pub planned_start: NaiveDate,
    /// Inside the plan's period, not before `plannedStart`.
    pub planned_end: NaiveDate,
    /// More than 0 and at most 1000; default 1.
    #[serde(default = "default_weight")]
    #[schema(exclusive_minimum = 0, maximum = 1000)]
    pub weight: f64,
    pub external_id: Option<String>,
}

/// An action as its lead organisation's system knows it; the organisation and external id are
/// in the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10", "code": "3.1.1", "title": {"nl": "Regionale drugsteams oprichten"}, "partnerOrganisationIds": ["lokale-politie"], "plannedStart": "2016-07-01", "plannedEnd": "2018-12-31", "weight": 2}))]
pub struct SyncedAction {
    pub objective_id: String,
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,32}$")]
    pub code: String,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    #[serde(default)]
    pub partner_organisation_ids: Vec<String>,
    #[serde(default)]
    pub theme_ids: Vec<String>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    /// More than 0 and at most 1000; default 1.
    #[serde(default = "default_weight")]
    #[schema(exclusive_minimum = 0, maximum = 1000)]
    pub weight: f64,
}

/// Changes to an action: a JSON merge patch (RFC 7396). Properties left out stay as they are,
/// `null` removes an optional one, texts are merged language by language and lists are
/// replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"plannedEnd": "2019-06-30", "partnerOrganisationIds": ["lokale-politie", "fod-justitie"]}))]
pub struct ActionPatch {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String)]
    pub objective_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String)]
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,32}$")]
    pub code: Option<Option<String>>,
    /// Merged into the stored title: `{"en": "..."}` changes the English title only.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = LocalizedTextPatch)]
    pub title: Option<Option<ObjectPatch>>,
    /// Merged into the stored description; `null` removes it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<LocalizedTextPatch>, nullable)]
    pub description: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String)]
    pub lead_organisation_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub partner_organisation_ids: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub theme_ids: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = NaiveDate)]
    pub planned_start: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = NaiveDate)]
    pub planned_end: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    /// More than 0 and at most 1000.
    #[schema(value_type = f64, exclusive_minimum = 0, maximum = 1000)]
    pub weight: Option<Option<f64>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, nullable)]
    pub external_id: Option<Option<String>>,
}

impl ActionPatch {
    pub(super) fn changes(self) -> Result<ActionChanges, ApiError> {
        let mut issues = Vec::new();
        let changes = ActionChanges {
            objective_id: required("objectiveId", self.objective_id, &mut issues),
            code: required("code", self.code, &mut issues),
            title: required("title", self.title, &mut issues),
            description: self.description,
            lead_organisation_id: required(
                "leadOrganisationId",
                self.lead_organisation_id,
                &mut issues,
            ),
            partner_organisation_ids: required(
                "partnerOrganisationIds",
                self.partner_organisation_ids,
                &mut issues,
            ),
            theme_ids: required("themeIds", self.theme_ids, &mut issues),
            planned_start: required("plannedStart", self.planned_start, &mut issues),
            planned_end: required("plannedEnd", self.planned_end, &mut issues),
            weight: required("weight", self.weight, &mut issues),
            external_id: self.external_id,
        };
        if issues.is_empty() {
            Ok(changes)
        } else {
            Err(ApiError::bad_request(issues))
        }
    }
}

collection_query! {
    /// Paging of an action's history.
    pub struct HistoryQuery {}
}

/// An indicator of an objective or of an action.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8",
    "href": "http://127.0.0.1:8080/kiv/v1/indicators/a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8",
    "version": "1",
    "actionId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e",
    "actionHref": "http://127.0.0.1:8080/kiv/v1/actions/5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e",
    "name": {"nl": "Aantal opgerolde drugslabs"},
    "unit": "labs",
    "measure": "number",
    "direction": "increase",
    "baseline": {"value": 20, "year": 2015},
    "targets": [{"period": "2017S2", "value": 30}, {"period": "2019S2", "value": 40}],
    "createdAt": "2016-06-20T09:00:00Z",
    "updatedAt": "2016-06-20T09:00:00Z"
}))]
pub struct IndicatorView {
    /// UUID.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    /// The objective it measures (or `actionId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective_id: Option<String>,
    /// The link to `objectiveId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective_href: Option<String>,
    /// The action it measures (or `objectiveId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_id: Option<String>,
    /// The link to `actionId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_href: Option<String>,
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
    pub(super) fn new(req: &HttpRequest, indicator: Indicator) -> Self {
        let version = kiv_domain::Tagged::validator(&indicator).to_string();
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
            version,
            href: href(req, &format!("indicators/{id}")),
            label: label(req, &name),
            id,
            objective_href: objective_id
                .as_ref()
                .map(|id| href(req, &format!("objectives/{id}"))),
            objective_id,
            action_href: action_id
                .as_ref()
                .map(|id| href(req, &format!("actions/{id}"))),
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

/// Changes to an indicator: a JSON merge patch (RFC 7396). Properties left out stay as they
/// are, `null` removes an optional one, the name and the baseline are merged member by member,
/// and `targets` is replaced. What it is attached to never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"unit": "labs", "targets": [{"period": "2017S2", "value": 30}, {"period": "2019S2", "value": 45}]}))]
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
    pub(super) fn changes(self) -> Result<IndicatorChanges, ApiError> {
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
