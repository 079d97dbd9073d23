//! Reading clusters: the collection and one cluster.

use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{Cluster, PageRequest};

use super::rows::ClusterRow;
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::page::{load_page, total_count, Page};
use crate::schema::{clusters, plan_clusters};

/// Fields a cluster collection can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSort {
    Number,
    Code,
}

impl ClusterSort {
    pub const FIELDS: &'static [(&'static str, ClusterSort)] =
        &[("number", ClusterSort::Number), ("code", ClusterSort::Code)];
}

/// Filters of the cluster collection.
#[derive(Debug, Clone, Default)]
pub struct ClusterFilter {
    /// Only the clusters a plan covers.
    pub plan_id: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &ClusterFilter,
    sort: &[SortKey<ClusterSort>],
    page: PageRequest,
) -> StoreResult<Page<Cluster>> {
    let filtered = || {
        let mut query = clusters::table.into_boxed();
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(
                clusters::id.eq_any(
                    plan_clusters::table
                        .filter(plan_clusters::plan_id.eq(plan_id.clone()))
                        .select(plan_clusters::cluster_id),
                ),
            );
        }
        query
    };
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (ClusterSort::Number, false) => query.then_order_by(clusters::number.asc()),
            (ClusterSort::Number, true) => query.then_order_by(clusters::number.desc()),
            (ClusterSort::Code, false) => query.then_order_by(clusters::code.asc()),
            (ClusterSort::Code, true) => query.then_order_by(clusters::code.desc()),
        };
    }
    let Page { items: rows, total } = load_page(
        conn,
        query
            .then_order_by(clusters::number.asc())
            .select((ClusterRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    Ok(Page {
        items: rows.into_iter().map(Cluster::from).collect(),
        total,
    })
}

/// A cluster by its id (`"6"`) or its code (`violence`).
pub fn get(conn: &mut DbConnection, id_or_code: &str) -> StoreResult<Option<Cluster>> {
    let row = clusters::table
        .filter(
            clusters::id
                .eq(id_or_code)
                .or(clusters::code.eq(id_or_code)),
        )
        .select(ClusterRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(Cluster::from))
}

pub(crate) fn find_row(conn: &mut DbConnection, id: &str) -> StoreResult<Option<ClusterRow>> {
    Ok(clusters::table
        .find(id)
        .select(ClusterRow::as_select())
        .first(conn)
        .optional()?)
}
