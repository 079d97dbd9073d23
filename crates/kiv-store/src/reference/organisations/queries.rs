//! Reading organisations: the collection and one organisation.

use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{Organisation, OrganisationKind, PageRequest};

use super::rows::OrganisationRow;
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::page::{load_page, total_count, Page};
use crate::schema::organisations;

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
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (OrganisationSort::Id, false) => query.then_order_by(organisations::id.asc()),
            (OrganisationSort::Id, true) => query.then_order_by(organisations::id.desc()),
            (OrganisationSort::Kind, false) => query.then_order_by(organisations::kind.asc()),
            (OrganisationSort::Kind, true) => query.then_order_by(organisations::kind.desc()),
        };
    }
    let page = load_page(
        conn,
        query
            .then_order_by(organisations::id.asc())
            .select((OrganisationRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    page.try_map(Organisation::try_from)
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
