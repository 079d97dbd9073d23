//! Reading plans: the collection, one plan, its schedule, and the links of several at once.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{PageRequest, Plan, PlanKind, PlanSchedule};

use super::rows::{to_plan, PlanLinks, PlanRow};
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::page::{load_page, total_count, Page};
use crate::schema::{clusters, plan_clusters, plan_themes, plans, themes};

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
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (PlanSort::Id, false) => query.then_order_by(plans::id.asc()),
            (PlanSort::Id, true) => query.then_order_by(plans::id.desc()),
            (PlanSort::PeriodStart, false) => query.then_order_by(plans::period_start.asc()),
            (PlanSort::PeriodStart, true) => query.then_order_by(plans::period_start.desc()),
        };
    }
    let Page { items: rows, total } = load_page(
        conn,
        query
            .then_order_by(plans::id.asc())
            .select((PlanRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
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

/// When the plan `id` runs and how often it is followed up, without its clusters and themes.
pub fn schedule(conn: &mut DbConnection, id: &str) -> StoreResult<Option<PlanSchedule>> {
    let row: Option<(String, NaiveDate, NaiveDate, String)> = plans::table
        .find(id)
        .select((
            plans::id,
            plans::period_start,
            plans::period_end,
            plans::reporting_frequency,
        ))
        .first(conn)
        .optional()?;
    row.map(|(plan_id, period_start, period_end, frequency)| {
        Ok(PlanSchedule {
            plan_id,
            period_start,
            period_end,
            reporting_frequency: frequency.parse().map_err(StoreError::corrupt)?,
        })
    })
    .transpose()
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

pub(super) fn current_created_at(
    conn: &mut DbConnection,
    id: &str,
) -> StoreResult<chrono::NaiveDateTime> {
    Ok(plans::table
        .find(id)
        .select(plans::created_at)
        .first(conn)?)
}
