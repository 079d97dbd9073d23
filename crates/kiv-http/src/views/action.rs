//! The JSON shape of an action, in its own answers and in the list of actions awaiting a report.

use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDate, Utc};
use kiv_domain::{Action, ActionStatus, LocalizedText};
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::label;
use crate::respond::{href, utc};

/// An action of a plan.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e",
    "href": "http://127.0.0.1:8080/kiv/v1/actions/5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e",
    "version": "4-7f18f7e50885cd03",
    "objectiveId": "0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10",
    "objectiveHref": "http://127.0.0.1:8080/kiv/v1/objectives/0b6f8c9e-3f2a-4c1e-9d7b-2a5e4f6c8d10",
    "planId": "kiv-2016-2019",
    "planHref": "http://127.0.0.1:8080/kiv/v1/plans/kiv-2016-2019",
    "clusterId": "3",
    "clusterHref": "http://127.0.0.1:8080/kiv/v1/clusters/3",
    "code": "3.1.2",
    "title": {"nl": "Regionale drugsteams oprichten", "fr": "Créer des équipes régionales drogues"},
    "leadOrganisationId": "federale-politie",
    "leadOrganisationHref": "http://127.0.0.1:8080/kiv/v1/organisations/federale-politie",
    "partnerOrganisationIds": ["lokale-politie"],
    "themeIds": ["proceedsOfCrime"],
    "plannedStart": "2016-07-01",
    "plannedEnd": "2018-12-31",
    "weight": 2.0,
    "externalId": "FGP-2016-044",
    "status": "onTrack",
    "progress": 40.0,
    "statusPeriod": "2017S1",
    "createdAt": "2016-06-20T09:00:00Z",
    "updatedAt": "2017-07-14T11:20:00Z"
}))]
pub struct ActionView {
    /// UUID.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    pub objective_id: String,
    /// The link to `objectiveId`.
    pub objective_href: String,
    /// The objective's plan.
    pub plan_id: String,
    /// The link to `planId`.
    pub plan_href: String,
    /// The objective's cluster; absent for a transversal objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// The link to `clusterId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_href: Option<String>,
    /// Unique within the objective.
    pub code: String,
    pub title: LocalizedText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalizedText>,
    /// The title in the language of `Accept-Language` (falling back to Dutch); only when the
    /// request names a language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The organisation that leads the action and reports on it.
    pub lead_organisation_id: String,
    /// The link to `leadOrganisationId`.
    pub lead_organisation_href: String,
    /// Organisations taking part; their reporters may report on it too.
    pub partner_organisation_ids: Vec<String>,
    pub theme_ids: Vec<String>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    /// The action's weight in progress roll-ups: more than 0 and at most 1000 (default 1).
    #[schema(exclusive_minimum = 0, maximum = 1000)]
    pub weight: f64,
    /// The lead organisation's own id of the action, unique per lead organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// From the latest approved follow-up; `notReported` before there is one. Read-only.
    pub status: ActionStatus,
    /// Progress 0-100 from the latest approved follow-up. Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<f64>,
    /// The reporting period `status` and `progress` come from. Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_period: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Its `label` follows `Accept-Language`.
impl crate::respond::Representation for ActionView {
    const BY_LANGUAGE: bool = true;
}

impl ActionView {
    pub(crate) fn new(req: &HttpRequest, action: Action) -> Self {
        let version = kiv_domain::Tagged::validator(&action).to_string();
        let Action {
            id,
            objective_id,
            plan_id,
            cluster_id,
            code,
            title,
            description,
            lead_organisation_id,
            partner_organisation_ids,
            theme_ids,
            planned_start,
            planned_end,
            weight,
            external_id,
            state,
            version: _,
            created_at,
            updated_at,
        } = action;
        ActionView {
            version,
            href: href(req, &format!("actions/{id}")),
            label: label(req, &title),
            id,
            objective_href: href(req, &format!("objectives/{objective_id}")),
            objective_id,
            plan_href: href(req, &format!("plans/{plan_id}")),
            plan_id,
            cluster_href: cluster_id
                .as_ref()
                .map(|id| href(req, &format!("clusters/{id}"))),
            cluster_id,
            code,
            title,
            description,
            lead_organisation_href: href(req, &format!("organisations/{lead_organisation_id}")),
            lead_organisation_id,
            partner_organisation_ids,
            theme_ids,
            planned_start,
            planned_end,
            weight,
            external_id,
            status: state.status,
            progress: state.progress,
            status_period: state.period.map(|p| p.to_string()),
            created_at: utc(created_at),
            updated_at: utc(updated_at),
        }
    }
}
