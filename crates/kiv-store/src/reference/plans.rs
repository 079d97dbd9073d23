//! Plans and the clusters and themes each covers.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{LocalizedText, PageRequest, Plan, PlanKind};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::Page;
use crate::schema::{clusters, plan_clusters, plan_themes, plans, themes};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = plans)]
pub(crate) struct PlanRow {
    pub id: String,
    pub kind: String,
    pub title: JsonValue<LocalizedText>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub reporting_frequency: String,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// The clusters and themes of one plan, in plan order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PlanLinks {
    pub cluster_ids: Vec<String>,
    pub theme_ids: Vec<String>,
}

fn to_plan(row: PlanRow, links: PlanLinks) -> StoreResult<Plan> {
    let PlanRow {
        id,
        kind,
        title,
        period_start,
        period_end,
        reporting_frequency,
        version,
        created_at: _,
        updated_at,
    } = row;
    let PlanLinks {
        cluster_ids,
        theme_ids,
    } = links;
    Ok(Plan {
        kind: kind.parse().map_err(StoreError::corrupt)?,
        reporting_frequency: reporting_frequency.parse().map_err(StoreError::corrupt)?,
        id,
        title: title.0,
        period_start,
        period_end,
        cluster_ids,
        theme_ids,
        version,
        updated_at,
    })
}

/// Fields a plan collection can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanSort {
    Id,
    PeriodStart,
}

impl PlanSort {
    pub const FIELDS: &'static [(&'static str, PlanSort)] =
        &[("id", PlanSort::Id), ("periodStart", PlanSort::PeriodStart)];
}

/// Filters of the plan collection.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub kind: Option<PlanKind>,
    /// Only plans whose period contains this date.
    pub active_on: Option<NaiveDate>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &PlanFilter,
    sort: &[SortKey<PlanSort>],
    page: PageRequest,
) -> StoreResult<Page<Plan>> {
    let filtered = || {
        let mut query = plans::table.into_boxed();
        if let Some(kind) = filter.kind {
            query = query.filter(plans::kind.eq(kind.as_str()));
        }
        if let Some(day) = filter.active_on {
            query = query.filter(plans::period_start.le(day).and(plans::period_end.ge(day)));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (PlanSort::Id, false) => query.then_order_by(plans::id.asc()),
            (PlanSort::Id, true) => query.then_order_by(plans::id.desc()),
            (PlanSort::PeriodStart, false) => query.then_order_by(plans::period_start.asc()),
            (PlanSort::PeriodStart, true) => query.then_order_by(plans::period_start.desc()),
        };
    }
    let rows: Vec<PlanRow> = query
        .then_order_by(plans::id.asc())
        .limit(page.limit())
        .offset(page.offset())
        .select(PlanRow::as_select())
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut links = load_links(conn, &ids)?;
    Page { items: rows, total }.try_map(|row| {
        let plan_links = links.remove(&row.id).unwrap_or_default();
        to_plan(row, plan_links)
    })
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Plan>> {
    let Some(row) = find_row(conn, id)? else {
        return Ok(None);
    };
    let links = load_links(conn, &[id])?.remove(id).unwrap_or_default();
    to_plan(row, links).map(Some)
}

pub(crate) fn find_row(conn: &mut DbConnection, id: &str) -> StoreResult<Option<PlanRow>> {
    Ok(plans::table
        .find(id)
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?)
}

/// The clusters (by number) and themes (by position) of each plan in `plan_ids`.
pub(crate) fn load_links(
    conn: &mut DbConnection,
    plan_ids: &[&str],
) -> StoreResult<HashMap<String, PlanLinks>> {
    let mut links: HashMap<String, PlanLinks> = HashMap::new();
    let cluster_links: Vec<(String, String)> = plan_clusters::table
        .inner_join(clusters::table)
        .filter(plan_clusters::plan_id.eq_any(plan_ids))
        .order((plan_clusters::plan_id, clusters::number))
        .select((plan_clusters::plan_id, plan_clusters::cluster_id))
        .load(conn)?;
    for (plan_id, cluster_id) in cluster_links {
        links
            .entry(plan_id)
            .or_default()
            .cluster_ids
            .push(cluster_id);
    }
    let theme_links: Vec<(String, String)> = plan_themes::table
        .inner_join(themes::table)
        .filter(plan_themes::plan_id.eq_any(plan_ids))
        .order((plan_themes::plan_id, themes::position, themes::id))
        .select((plan_themes::plan_id, plan_themes::theme_id))
        .load(conn)?;
    for (plan_id, theme_id) in theme_links {
        links.entry(plan_id).or_default().theme_ids.push(theme_id);
    }
    Ok(links)
}
