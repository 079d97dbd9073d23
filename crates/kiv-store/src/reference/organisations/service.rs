//! Creating and changing organisations: each one transaction that checks the name and the
//! parent (it exists, and makes no cycle) and records the audit event.

use diesel::prelude::*;
use kiv_domain::{LocalizedText, Organisation, OrganisationKind};

use super::queries::find_row;
use super::rows::OrganisationRow;
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::schema::organisations;

/// A new organisation (a police zone, a regional partner, ...); it gets a UUID.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: LocalizedText,
    pub kind: OrganisationKind,
    pub coordinator: bool,
    pub parent_id: Option<String>,
}

pub fn create(
    conn: &mut DbConnection,
    actor: &kiv_domain::Caller,
    new: NewOrganisation,
) -> StoreResult<Organisation> {
    check_name(&new.name)?;
    crate::database::write_transaction(conn, |conn| {
        let id = uuid::Uuid::new_v4().to_string();
        if let Some(parent_id) = &new.parent_id {
            check_parent(conn, &id, parent_id)?;
        }
        let at = now();
        let row = OrganisationRow {
            id,
            name: JsonValue(new.name),
            kind: new.kind.as_str().to_owned(),
            coordinator: new.coordinator,
            parent_id: new.parent_id,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        diesel::insert_into(organisations::table)
            .values(&row)
            .execute(conn)?;
        let created = Organisation::try_from(row)?;
        crate::audit::record(
            conn,
            actor,
            "organisation",
            &created.id,
            crate::audit::Operation::Create,
            None,
            Some(&created),
        )?;
        Ok(created)
    })
}

/// Changes to an organisation (a JSON merge patch: the name is merged into the stored one);
/// `parent_id: Some(None)` detaches it from its parent.
#[derive(Debug, Clone, Default)]
pub struct OrganisationChanges {
    pub name: Option<kiv_domain::merge_patch::ObjectPatch>,
    pub kind: Option<OrganisationKind>,
    pub coordinator: Option<bool>,
    pub parent_id: Option<Option<String>>,
}

/// Applies `changes` if the organisation is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    actor: &kiv_domain::Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: OrganisationChanges,
) -> StoreResult<Organisation> {
    crate::database::write_transaction(conn, |conn| {
        let current = find_row(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::error::check_version(expected_version, &Organisation::try_from(current.clone())?)?;
        let mut merger = crate::patch::Merger::default();
        let name = merger.required("name", &current.name.0, changes.name.as_ref())?;
        merger.finish()?;
        check_name(&name)?;
        let parent_id = changes.parent_id.unwrap_or(current.parent_id.clone());
        if let Some(parent) = &parent_id {
            check_parent(conn, id, parent)?;
        }
        let current_row = current.clone();
        let row = OrganisationRow {
            name: JsonValue(name),
            kind: changes
                .kind
                .map(|k| k.as_str().to_owned())
                .unwrap_or(current.kind.clone()),
            coordinator: changes.coordinator.unwrap_or(current.coordinator),
            parent_id,
            version: current.version + 1,
            updated_at: now(),
            ..current
        };
        let before = Organisation::try_from(current_row)?;
        let written = diesel::update(
            organisations::table
                .filter(organisations::id.eq(id))
                .filter(organisations::version.eq(current.version)),
        )
        .set(&row)
        .execute(conn)?;
        crate::error::expect_one_written(written, current.version)?;
        let updated = Organisation::try_from(row)?;
        crate::audit::record(
            conn,
            actor,
            "organisation",
            id,
            crate::audit::Operation::Update,
            Some(&before),
            Some(&updated),
        )?;
        Ok(updated)
    })
}

/// An organisation is named in at least one language, when created and after every change.
fn check_name(name: &LocalizedText) -> StoreResult<()> {
    if name.is_empty() {
        return Err(StoreError::Rejected(vec![kiv_domain::InputIssue::invalid(
            kiv_domain::IssueLocation::Body,
            "name",
            None,
            "name needs a text in at least one language (nl, fr, de, en)",
        )]));
    }
    Ok(())
}

/// The parent must exist and must not be the organisation itself or one of its members.
fn check_parent(conn: &mut DbConnection, id: &str, parent_id: &str) -> StoreResult<()> {
    let mut ancestor = Some(parent_id.to_owned());
    while let Some(current) = ancestor {
        if current == id {
            return Err(StoreError::Conflict(format!(
                "organisation {parent_id:?} belongs to {id:?}; it cannot also be its parent"
            )));
        }
        let row = find_row(conn, &current)?.ok_or_else(|| StoreError::MissingReference {
            field: "parentId",
            id: current.clone(),
        })?;
        ancestor = row.parent_id;
    }
    Ok(())
}
