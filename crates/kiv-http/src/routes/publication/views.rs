//! What the publication resources answer with: cluster follow-ups, evaluations and their
//! recommendations as readers see them, and the history every published record keeps (with the
//! note a publication step takes).

use std::collections::BTreeMap;

use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDate, Utc};
use kiv_domain::evaluation::{
    ClusterFollowUp, Evaluation, Evidence, FrozenFigures, PeriodRange, Recommendation, Score,
};
use kiv_domain::{
    Assessment, Criterion, EvaluationRound, InputIssue, IssueLocation, LocalizedText,
    OverallRating, Priority, PublicationState, RecommendationStatus, ReportingPeriod,
};
use kiv_store::publication::PublicationEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::extract::OptionalJson;
use crate::problem::ApiError;
use crate::respond::{href, utc};
use crate::routes::collection_query;

/// One step in the life of a cluster follow-up or an evaluation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "event": "published",
    "revision": 1,
    "account": "demo-coordinator",
    "organisationId": "fod-justitie",
    "occurredAt": "2018-02-15T10:30:00Z",
    "record": {"id": "3633a086-5f40-41d1-bf29-7d91c47f2522", "planId": "kiv-2016-2019", "clusterId": "3", "period": "2017S2", "assessment": "attention", "state": "published", "revision": 1, "version": 2}
}))]
pub struct PublicationEventView {
    #[schema(value_type = PublicationEventKind)]
    pub event: String,
    pub revision: i32,
    /// Who: the account's username or client id.
    pub account: String,
    pub organisation_id: String,
    pub occurred_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The record as it was after the step.
    pub record: Value,
}

impl crate::respond::Representation for PublicationEventView {}

impl From<PublicationEvent> for PublicationEventView {
    fn from(event: PublicationEvent) -> Self {
        PublicationEventView {
            event: event.event,
            revision: event.revision,
            account: event.account_login,
            organisation_id: event.organisation_id,
            occurred_at: utc(event.occurred_at),
            note: event.note,
            record: event.snapshot.0,
        }
    }
}

collection_query! {
    /// Paging of a history.
    pub struct PublicationHistoryQuery {}
}

/// A note on a publication step, kept in the history.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"note": "Cijfers van zone Gent gecorrigeerd."}))]
pub struct StepNote {
    /// Why: for a revision, what is being corrected.
    pub note: Option<String>,
}

/// The note of a publication step, trimmed; none when blank.
pub fn note_of(body: OptionalJson<StepNote>) -> Option<String> {
    body.0
        .and_then(|b| b.note)
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
}

/// Where a cluster of a plan stands in a reporting period, in the coordinating FODs' words.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "3633a086-5f40-41d1-bf29-7d91c47f2522",
    "href": "http://127.0.0.1:8080/kiv/v1/clusterFollowUps/3633a086-5f40-41d1-bf29-7d91c47f2522",
    "version": "2",
    "planId": "kiv-2016-2019",
    "planHref": "http://127.0.0.1:8080/kiv/v1/plans/kiv-2016-2019",
    "clusterId": "3",
    "clusterHref": "http://127.0.0.1:8080/kiv/v1/clusters/3",
    "period": "2017S2",
    "assessment": "attention",
    "narrative": {"nl": "De meeste acties lopen; twee zijn vertraagd."},
    "obstacles": {"nl": "Personeelstekort bij twee zones."},
    "organisationIds": ["fod-justitie", "fod-binnenlandse-zaken"],
    "state": "published",
    "figures": {"asOf": "2018-02-15T10:30:00Z", "method": "weightedMeanOfActions", "actions": 6, "byStatus": {"notStarted": 0, "onTrack": 1, "delayed": 1, "completed": 1, "cancelled": 1, "notReported": 2}, "progress": 58.33, "leftOut": {"cancelled": 1, "noProgress": 2}, "reportingRate": 0.67, "overdue": 1, "indicators": {"onTrack": 1, "offTrack": 1, "noData": 0}},
    "publishedAt": "2018-02-15T10:30:00Z",
    "publishedBy": "demo-coordinator",
    "revision": 1,
    "createdBy": "demo-coordinator",
    "createdAt": "2018-02-01T09:00:00Z",
    "updatedAt": "2018-02-15T10:30:00Z"
}))]
pub struct ClusterFollowUpView {
    /// UUID.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    #[schema(example = "kiv-2016-2019")]
    pub plan_id: String,
    /// The link to `planId`.
    pub plan_href: String,
    #[schema(example = "3")]
    pub cluster_id: String,
    /// The link to `clusterId`.
    pub cluster_href: String,
    #[schema(example = "2017S2")]
    #[schema(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")]
    pub period: String,
    pub assessment: Assessment,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<LocalizedText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlights: Option<LocalizedText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obstacles: Option<LocalizedText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<LocalizedText>,
    /// The organisations that recorded it.
    pub organisation_ids: Vec<String>,
    /// `draft` (coordinators only) or `published`. Read-only.
    pub state: PublicationState,
    /// The cluster's progress figures for the period, frozen at publication: they stay as they
    /// were published when follow-up data is corrected later. Absent on drafts (the live
    /// figures are in `GET /reports/progress`). Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figures: Option<FrozenFigures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_by: Option<String>,
    /// 1, then one more each time a published follow-up is revised. Read-only.
    pub revision: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::respond::Representation for ClusterFollowUpView {}

impl ClusterFollowUpView {
    pub fn new(req: &HttpRequest, record: ClusterFollowUp) -> Self {
        let version = kiv_domain::Tagged::validator(&record).to_string();
        ClusterFollowUpView {
            version,
            href: href(req, &format!("clusterFollowUps/{}", record.id)),
            id: record.id,
            plan_href: href(req, &format!("plans/{}", record.plan_id)),
            plan_id: record.plan_id,
            cluster_href: href(req, &format!("clusters/{}", record.cluster_id)),
            cluster_id: record.cluster_id,
            period: record.period.to_string(),
            assessment: record.assessment,
            narrative: record.narrative,
            highlights: record.highlights,
            obstacles: record.obstacles,
            next_steps: record.next_steps,
            organisation_ids: record.organisation_ids,
            state: record.state,
            figures: record.figures,
            published_at: record.published_at.map(utc),
            published_by: record.published_by,
            revision: record.revision,
            created_by: record.created_by,
            created_at: utc(record.created_at),
            updated_at: utc(record.updated_at),
        }
    }
}

/// The reporting periods an evaluation covers, both included.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"from": "2016S1", "to": "2017S2"}))]
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
    pub fn parse(&self) -> Result<PeriodRange, ApiError> {
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
#[schema(example = json!({
    "id": "b02a4219-1b8a-4787-ae68-1f7bc8107589",
    "href": "http://127.0.0.1:8080/kiv/v1/evaluations/b02a4219-1b8a-4787-ae68-1f7bc8107589",
    "version": "2",
    "planId": "kiv-2016-2019",
    "planHref": "http://127.0.0.1:8080/kiv/v1/plans/kiv-2016-2019",
    "clusterId": "3",
    "clusterHref": "http://127.0.0.1:8080/kiv/v1/clusters/3",
    "round": "midTerm",
    "period": {"from": "2016S1", "to": "2017S2"},
    "evaluatingOrganisationIds": ["fod-justitie", "fod-binnenlandse-zaken"],
    "scores": {"relevance": {"score": 4, "rationale": {"nl": "Sluit aan bij het drugsbeleid."}}, "effectiveness": {"score": 2, "rationale": {"nl": "Twee acties vertraagd."}}},
    "overallRating": "partial",
    "findings": {"nl": "De aanpak werkt waar de zones meedoen."},
    "evidence": [{"followUpId": "c7394b20-c27d-4f0c-b686-0fb3e2c0249a"}],
    "state": "published",
    "publishedAt": "2018-03-01T09:00:00Z",
    "publishedBy": "demo-coordinator",
    "revision": 1,
    "recommendationsHref": "http://127.0.0.1:8080/kiv/v1/evaluations/b02a4219-1b8a-4787-ae68-1f7bc8107589/recommendations",
    "contextHref": "http://127.0.0.1:8080/kiv/v1/evaluations/b02a4219-1b8a-4787-ae68-1f7bc8107589/context",
    "createdBy": "demo-coordinator",
    "createdAt": "2018-02-20T09:00:00Z",
    "updatedAt": "2018-03-01T09:00:00Z"
}))]
pub struct EvaluationView {
    /// UUID.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    #[schema(example = "kiv-2016-2019")]
    pub plan_id: String,
    /// The link to `planId`.
    pub plan_href: String,
    /// The cluster evaluated; absent when a theme is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// The link to `clusterId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_href: Option<String>,
    /// The transversal theme evaluated; absent when a cluster is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_id: Option<String>,
    /// The link to `themeId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_href: Option<String>,
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
    pub fn new(req: &HttpRequest, record: Evaluation) -> Self {
        let version = kiv_domain::Tagged::validator(&record).to_string();
        let path = format!("evaluations/{}", record.id);
        EvaluationView {
            version,
            href: href(req, &path),
            recommendations_href: href(req, &format!("{path}/recommendations")),
            context_href: href(req, &format!("{path}/context")),
            id: record.id,
            plan_href: href(req, &format!("plans/{}", record.plan_id)),
            plan_id: record.plan_id,
            cluster_href: record
                .cluster_id
                .as_ref()
                .map(|id| href(req, &format!("clusters/{id}"))),
            cluster_id: record.cluster_id,
            theme_href: record
                .theme_id
                .as_ref()
                .map(|id| href(req, &format!("themes/{id}"))),
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

/// A recommendation of an evaluation, and what became of it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "245ed70c-4f5e-4696-8321-64466610fed0",
    "href": "http://127.0.0.1:8080/kiv/v1/recommendations/245ed70c-4f5e-4696-8321-64466610fed0",
    "version": "2",
    "evaluationId": "b02a4219-1b8a-4787-ae68-1f7bc8107589",
    "evaluationHref": "http://127.0.0.1:8080/kiv/v1/evaluations/b02a4219-1b8a-4787-ae68-1f7bc8107589",
    "planId": "kiv-2016-2019",
    "planHref": "http://127.0.0.1:8080/kiv/v1/plans/kiv-2016-2019",
    "clusterId": "3",
    "clusterHref": "http://127.0.0.1:8080/kiv/v1/clusters/3",
    "round": "midTerm",
    "text": {"nl": "Breid de regionale drugsteams uit naar alle arrondissementen."},
    "organisationIds": ["federale-politie"],
    "priority": "high",
    "dueDate": "2019-06-30",
    "status": "inProgress",
    "statusNote": {"nl": "Uitbreiding naar drie arrondissementen gestart."},
    "createdBy": "demo-coordinator",
    "createdAt": "2018-03-01T09:00:00Z",
    "updatedAt": "2018-09-12T15:10:00Z"
}))]
pub struct RecommendationView {
    /// UUID.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    pub evaluation_id: String,
    pub evaluation_href: String,
    /// The plan of the evaluation.
    #[schema(example = "kiv-2016-2019")]
    pub plan_id: String,
    /// The link to `planId`.
    pub plan_href: String,
    /// The cluster the evaluation judged; absent when it judged a theme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// The link to `clusterId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_href: Option<String>,
    /// The transversal theme the evaluation judged; absent when it judged a cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_id: Option<String>,
    /// The link to `themeId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_href: Option<String>,
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
    pub fn new(req: &HttpRequest, record: Recommendation, evaluation: &Evaluation) -> Self {
        let version = kiv_domain::Tagged::validator(&record).to_string();
        RecommendationView {
            version,
            href: href(req, &format!("recommendations/{}", record.id)),
            evaluation_href: href(req, &format!("evaluations/{}", evaluation.id)),
            id: record.id,
            evaluation_id: record.evaluation_id,
            plan_href: href(req, &format!("plans/{}", evaluation.plan_id)),
            plan_id: evaluation.plan_id.clone(),
            cluster_href: evaluation
                .cluster_id
                .as_ref()
                .map(|id| href(req, &format!("clusters/{id}"))),
            cluster_id: evaluation.cluster_id.clone(),
            theme_href: evaluation
                .theme_id
                .as_ref()
                .map(|id| href(req, &format!("themes/{id}"))),
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

/// What happened to a cluster follow-up or an evaluation: `created`, `updated`, `published` (a first revision) or `revised` (a new revision started).
///
/// The values of a string the OpenAPI document shows as a closed set; never built.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = "published")]
#[allow(dead_code)] // describes a serialised string, is never built
pub enum PublicationEventKind {
    Created,
    Updated,
    Published,
    Revised,
}
