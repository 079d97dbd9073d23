//! What the follow-up endpoints read and answer: the request bodies, query parameters and
//! representations, shared by the single, contribution and bulk endpoints.

use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use kiv_domain::followup::allowed_transitions;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::{
    Contribution, FollowUp, FollowUpStatus, LocalizedText, ReportedValue, WorkflowState,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::extract::patch_field;
use crate::patch_schemas::LocalizedTextPatch;
use crate::respond::{href, utc};
use crate::routes::collection_query;

/// What an organisation reports on one action for one reporting period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "c7394b20-c27d-4f0c-b686-0fb3e2c0249a",
    "href": "http://127.0.0.1:8080/kiv/v1/followUps/c7394b20-c27d-4f0c-b686-0fb3e2c0249a",
    "version": "3",
    "actionId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e",
    "actionHref": "http://127.0.0.1:8080/kiv/v1/actions/5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e",
    "period": "2017S1",
    "status": "onTrack",
    "progress": 40.0,
    "narrative": {"nl": "Twee regionale eenheden operationeel."},
    "indicatorValues": [{"indicatorId": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8", "value": 12, "comment": {"nl": "Per 30 juni"}}],
    "state": "approved",
    "allowedTransitions": ["reopen"],
    "organisationId": "federale-politie",
    "organisationHref": "http://127.0.0.1:8080/kiv/v1/organisations/federale-politie",
    "contributionsHref": "http://127.0.0.1:8080/kiv/v1/followUps/c7394b20-c27d-4f0c-b686-0fb3e2c0249a/contributions",
    "createdBy": "demo-federale-politie",
    "revision": 1,
    "createdAt": "2017-07-03T08:00:00Z",
    "updatedAt": "2017-07-20T13:45:00Z"
}))]
pub struct FollowUpView {
    /// UUID.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    pub action_id: String,
    /// The link to `actionId`.
    pub action_href: String,
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
    /// The link to `organisationId`.
    pub organisation_href: String,
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
    pub(super) fn new(req: &HttpRequest, follow_up: FollowUp) -> Self {
        let version = kiv_domain::Tagged::validator(&follow_up).to_string();
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
            version,
            href: href(req, &format!("followUps/{id}")),
            contributions_href: href(req, &format!("followUps/{id}/contributions")),
            id,
            action_href: href(req, &format!("actions/{action_id}")),
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
            organisation_href: href(req, &format!("organisations/{organisation_id}")),
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
    }
}

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

/// Changes to a draft or returned follow-up: a JSON merge patch (RFC 7396). Properties left out
/// stay as they are, `null` removes an optional one, the narrative is merged language by
/// language and `indicatorValues` is replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"status": "onTrack", "progress": 55, "narrative": {"fr": "Deux unités régionales sont opérationnelles."}}))]
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

/// A coordinator's note on a review.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"reviewNote": "Goedgekeurd; de cijfers stemmen overeen met het jaarverslag."}))]
pub struct Review {
    /// Why: required when returning a follow-up, optional otherwise. Kept in the history.
    pub review_note: Option<String>,
}

/// Why a follow-up is returned to its reporter.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"reviewNote": "De indicatorwaarden voor 2017S1 ontbreken; vul ze aan."}))]
pub struct ReturnReview {
    /// What the reporter must change; not blank. Kept in the history.
    #[schema(min_length = 1, pattern = r"\S")]
    pub review_note: String,
}

/// One step in a follow-up's life.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "event": "approved",
    "revision": 1,
    "account": "demo-coordinator",
    "organisationId": "fod-justitie",
    "occurredAt": "2017-07-20T13:45:00Z",
    "followUp": {"id": "c7394b20-c27d-4f0c-b686-0fb3e2c0249a", "actionId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e", "period": "2017S1", "status": "onTrack", "progress": 40.0, "state": "approved", "revision": 1, "version": 3}
}))]
pub struct FollowUpEventView {
    #[schema(value_type = FollowUpEventKind)]
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

impl crate::respond::Representation for FollowUpEventView {}

collection_query! {
    /// Paging of a follow-up's history.
    pub struct FollowUpHistoryQuery {}
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

/// A partner organisation's contribution to the lead's follow-up of an action for a period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
    "href": "http://127.0.0.1:8080/kiv/v1/followUps/c7394b20-c27d-4f0c-b686-0fb3e2c0249a/contributions/lokale-politie",
    "version": "1",
    "followUpId": "c7394b20-c27d-4f0c-b686-0fb3e2c0249a",
    "followUpHref": "http://127.0.0.1:8080/kiv/v1/followUps/c7394b20-c27d-4f0c-b686-0fb3e2c0249a",
    "organisationId": "lokale-politie",
    "organisationHref": "http://127.0.0.1:8080/kiv/v1/organisations/lokale-politie",
    "narrative": {"nl": "De zone leverde twee rechercheurs voor de labteams."},
    "indicatorValues": [{"indicatorId": "a3f0c1d2-4b5e-6f70-8192-a3b4c5d6e7f8", "value": 3}],
    "createdBy": "pz-gent",
    "updatedBy": "pz-gent",
    "createdAt": "2017-07-03T08:00:00Z",
    "updatedAt": "2017-07-03T08:00:00Z"
}))]
pub struct ContributionView {
    /// UUID (the audit trail's `entityId`).
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    pub follow_up_id: String,
    pub follow_up_href: String,
    /// The partner organisation.
    pub organisation_id: String,
    /// The link to `organisationId`.
    pub organisation_href: String,
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
    pub(super) fn new(req: &HttpRequest, record: Contribution) -> Self {
        let version = kiv_domain::Tagged::validator(&record).to_string();
        let follow_up_path = format!("followUps/{}", record.follow_up_id);
        ContributionView {
            version,
            href: href(
                req,
                &format!("{follow_up_path}/contributions/{}", record.organisation_id),
            ),
            follow_up_href: href(req, &follow_up_path),
            id: record.id,
            follow_up_id: record.follow_up_id,
            organisation_href: href(req, &format!("organisations/{}", record.organisation_id)),
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

/// What happened to a follow-up: `created`, `updated`, `submitted`, `approved`, `returned` or `reopened`.
///
/// The values of a string the OpenAPI document shows as a closed set; never built.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = "approved")]
#[allow(dead_code)] // describes a serialised string, is never built
pub enum FollowUpEventKind {
    Created,
    Updated,
    Submitted,
    Approved,
    Returned,
    Reopened,
}
