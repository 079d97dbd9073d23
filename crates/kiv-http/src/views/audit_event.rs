//! The JSON shape of one recorded change, in the audit trail and in an object's history.

use chrono::{DateTime, Utc};
use kiv_store::audit::AuditEvent;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::respond::utc;

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "2f2af25f-c336-4110-88ba-2e7bacce793b",
    "occurredAt": "2017-03-02T10:15:00Z",
    "account": "demo-coordinator",
    "organisationId": "fod-justitie",
    "entityType": "action",
    "entityId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e",
    "operation": "update",
    "before": {"id": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e", "code": "3.1.2", "plannedEnd": "2018-06-30", "weight": 2.0},
    "after": {"id": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e", "code": "3.1.2", "plannedEnd": "2018-12-31", "weight": 2.0}
}))]
pub struct AuditEventView {
    pub id: String,
    /// When, in UTC.
    pub occurred_at: DateTime<Utc>,
    /// Who: the account's username or client id.
    pub account: String,
    /// On behalf of which organisation.
    pub organisation_id: String,
    /// The kind of record changed.
    #[schema(value_type = AuditEntityType)]
    pub entity_type: String,
    pub entity_id: String,
    /// What the change did: `create`, `update` or `delete`.
    #[schema(value_type = AuditOperation)]
    pub operation: String,
    /// The record before the change (absent for a creation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The record after the change (absent for a deletion).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

impl crate::respond::Representation for AuditEventView {}

/// What a recorded change did to its record: `create` (no `before`), `update` (`before` and
/// `after`) or `delete` (no `after`).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
#[schema(example = json!("update"))]
pub enum AuditOperation {
    Create,
    Update,
    Delete,
}

impl From<AuditEvent> for AuditEventView {
    fn from(event: AuditEvent) -> Self {
        let AuditEvent {
            id,
            occurred_at,
            account_login,
            organisation_id,
            entity_type,
            entity_id,
            operation,
            before,
            after,
        } = event;
        AuditEventView {
            id,
            occurred_at: utc(occurred_at),
            account: account_login,
            organisation_id,
            entity_type,
            entity_id,
            operation,
            before: before.map(|v| v.0),
            after: after.map(|v| v.0),
        }
    }
}

/// The kinds of record the audit trail follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = "action")]
pub enum AuditEntityType {
    Plan,
    Organisation,
    Objective,
    Action,
    Indicator,
    Account,
    FollowUpContribution,
    ClusterFollowUp,
    Evaluation,
    Recommendation,
    ReportLink,
}

impl AuditEntityType {
    /// Its name, as the trail stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditEntityType::Plan => "plan",
            AuditEntityType::Organisation => "organisation",
            AuditEntityType::Objective => "objective",
            AuditEntityType::Action => "action",
            AuditEntityType::Indicator => "indicator",
            AuditEntityType::Account => "account",
            AuditEntityType::FollowUpContribution => "followUpContribution",
            AuditEntityType::ClusterFollowUp => "clusterFollowUp",
            AuditEntityType::Evaluation => "evaluation",
            AuditEntityType::Recommendation => "recommendation",
            AuditEntityType::ReportLink => "reportLink",
        }
    }
}
