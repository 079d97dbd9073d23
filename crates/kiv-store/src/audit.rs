//! The audit trail: every change to the planning model (and to accounts and organisations) is
//! recorded in the same transaction as the change itself, with who, when, and the record before
//! and after. Append-only: nothing here updates or deletes an event.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::{Caller, PageRequest};
use serde::Serialize;
use serde_json::Value;

use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::{load_page, total_count, Page};
use crate::schema::audit_events;

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    /// Who: the account's login.
    pub account_login: String,
    /// On behalf of which organisation.
    pub organisation_id: String,
    /// `objective`, `action`, `indicator`, `plan`, `organisation`, `account`.
    pub entity_type: String,
    pub entity_id: String,
    /// `create`, `update` or `delete`.
    pub operation: String,
    pub before: Option<JsonValue<Value>>,
    pub after: Option<JsonValue<Value>>,
}

fn to_json(value: Option<&impl Serialize>) -> StoreResult<Option<JsonValue<Value>>> {
    value
        .map(|v| serde_json::to_value(v).map(JsonValue))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("cannot record a change: {e}")))
}

/// Records a change to `entity_type` `entity_id` by `actor`.
pub fn record<T: Serialize>(
    conn: &mut DbConnection,
    actor: &Caller,
    entity_type: &str,
    entity_id: &str,
    operation: Operation,
    before: Option<&T>,
    after: Option<&T>,
) -> StoreResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(uuid::Uuid::new_v4().to_string()),
            audit_events::occurred_at.eq(now()),
            audit_events::account_login.eq(&actor.login),
            audit_events::organisation_id.eq(&actor.organisation_id),
            audit_events::entity_type.eq(entity_type),
            audit_events::entity_id.eq(entity_id),
            audit_events::operation.eq(operation.as_str()),
            audit_events::before.eq(to_json(before)?),
            audit_events::after.eq(to_json(after)?),
        ))
        .execute(conn)?;
    Ok(())
}

/// Filters of the audit trail.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub account_login: Option<String>,
}

/// Events, oldest first.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: PageRequest,
) -> StoreResult<Page<AuditEvent>> {
    let filtered = || {
        let mut query = audit_events::table.into_boxed();
        if let Some(entity_type) = &filter.entity_type {
            query = query.filter(audit_events::entity_type.eq(entity_type.clone()));
        }
        if let Some(entity_id) = &filter.entity_id {
            query = query.filter(audit_events::entity_id.eq(entity_id.clone()));
        }
        if let Some(login) = &filter.account_login {
            query = query.filter(audit_events::account_login.eq(login.clone()));
        }
        query
    };
    load_page(
        conn,
        filtered()
            .order((audit_events::occurred_at.asc(), audit_events::id.asc()))
            .select((AuditEvent::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )
}
