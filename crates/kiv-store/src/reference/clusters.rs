//! The clusters of security phenomena.

use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{Cluster, LocalizedText, PageRequest};

use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::json::JsonValue;
use crate::page::Page;
use crate::schema::{clusters, plan_clusters};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = clusters)]
pub(crate) struct ClusterRow {
    pub id: String,
    pub number: i32,
    pub code: String,
    pub name: JsonValue<LocalizedText>,
    pub sub_phenomena: JsonValue<Vec<LocalizedText>>,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl From<ClusterRow> for Cluster {
    fn from(row: ClusterRow) -> Self {
        let ClusterRow {
            id,
            number,
            code,
            name,
            sub_phenomena,
            version,
            created_at: _,
            updated_at,
        } = row;
        Cluster {
            id,
            number,
            code,
            name: name.0,
            sub_phenomena: sub_phenomena.0,
            version,
            updated_at,
        }
    }
}

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
    let total = filtered().count().get_result(conn)?;
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (ClusterSort::Number, false) => query.then_order_by(clusters::number.asc()),
            (ClusterSort::Number, true) => query.then_order_by(clusters::number.desc()),
            (ClusterSort::Code, false) => query.then_order_by(clusters::code.asc()),
            (ClusterSort::Code, true) => query.then_order_by(clusters::code.desc()),
        };
    }
    let rows: Vec<ClusterRow> = query
        .then_order_by(clusters::number.asc())
        .limit(page.limit())
        .offset(page.offset())
        .select(ClusterRow::as_select())
        .load(conn)?;
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
