//! Organisations: the FODs, the police, prosecutors, regions and every police zone.

use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{LocalizedText, Organisation, OrganisationKind, PageRequest};

use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::Page;
use crate::schema::organisations;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organisations, treat_none_as_null = true)]
pub(crate) struct OrganisationRow {
    pub id: String,
    pub name: JsonValue<LocalizedText>,
    pub kind: String,
    pub coordinator: bool,
    pub parent_id: Option<String>,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StoreError;

    fn try_from(row: OrganisationRow) -> Result<Self, Self::Error> {
        let OrganisationRow {
            id,
            name,
            kind,
            coordinator,
            parent_id,
            version,
            created_at: _,
            updated_at,
        } = row;
        Ok(Organisation {
            kind: kind.parse().map_err(StoreError::corrupt)?,
            id,
            name: name.0,
            coordinator,
            parent_id,
            version,
            updated_at,
        })
    }
}

/// Fields an organisation collection can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganisationSort {
    Id,
    Kind,
}

impl OrganisationSort {
    pub const FIELDS: &'static [(&'static str, OrganisationSort)] = &[
        ("id", OrganisationSort::Id),
        ("kind", OrganisationSort::Kind),
    ];
}

/// Filters of the organisation collection.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    pub kind: Option<OrganisationKind>,
    pub coordinator: Option<bool>,
    /// Only the organisations that are part of this one (the police zones of the local police).
    pub parent_id: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &OrganisationFilter,
    sort: &[SortKey<OrganisationSort>],
    page: PageRequest,
) -> StoreResult<Page<Organisation>> {
    let filtered = || {
        let mut query = organisations::table.into_boxed();
        if let Some(kind) = filter.kind {
            query = query.filter(organisations::kind.eq(kind.as_str()));
        }
        if let Some(coordinator) = filter.coordinator {
            query = query.filter(organisations::coordinator.eq(coordinator));
        }
        if let Some(parent_id) = &filter.parent_id {
            query = query.filter(organisations::parent_id.eq(parent_id.clone()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (OrganisationSort::Id, false) => query.then_order_by(organisations::id.asc()),
            (OrganisationSort::Id, true) => query.then_order_by(organisations::id.desc()),
            (OrganisationSort::Kind, false) => query.then_order_by(organisations::kind.asc()),
            (OrganisationSort::Kind, true) => query.then_order_by(organisations::kind.desc()),
        };
    }
    let rows: Vec<OrganisationRow> = query
        .then_order_by(organisations::id.asc())
        .limit(page.limit())
        .offset(page.offset())
        .select(OrganisationRow::as_select())
        .load(conn)?;
    Page { items: rows, total }.try_map(Organisation::try_from)
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Organisation>> {
    find_row(conn, id)?.map(Organisation::try_from).transpose()
}

pub(crate) fn find_row(conn: &mut DbConnection, id: &str) -> StoreResult<Option<OrganisationRow>> {
    Ok(organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?)
}

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
