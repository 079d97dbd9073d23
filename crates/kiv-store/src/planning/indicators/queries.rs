//! Reads of indicators: one, and a filtered, sorted page.

use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{Indicator, IndicatorMeasure, PageRequest};

use super::rows::IndicatorRow;
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::page::{load_page, total_count, Page};
use crate::records::like_pattern;
use crate::schema::{actions as action_table, indicators, objectives as objective_table};

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Indicator>> {
    indicators::table
        .find(id)
        .select(IndicatorRow::as_select())
        .first(conn)
        .optional()?
        .map(Indicator::try_from)
        .transpose()
}

/// Fields an indicator collection can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorSort {
    Name,
}

impl IndicatorSort {
    pub const FIELDS: &'static [(&'static str, IndicatorSort)] = &[("name", IndicatorSort::Name)];
}

/// Filters of the indicator collection.
#[derive(Debug, Clone, Default)]
pub struct IndicatorFilter {
    pub objective_id: Option<String>,
    pub action_id: Option<String>,
    /// Indicators of the plan's objectives and actions.
    pub plan_id: Option<String>,
    /// Indicators of the cluster's objectives and actions.
    pub cluster_id: Option<String>,
    pub measure: Option<IndicatorMeasure>,
    pub q: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &IndicatorFilter,
    sort: &[SortKey<IndicatorSort>],
    page: PageRequest,
) -> StoreResult<Page<Indicator>> {
    let filtered = || {
        let mut query = indicators::table.into_boxed();
        if let Some(objective_id) = &filter.objective_id {
            query = query.filter(indicators::objective_id.eq(objective_id.clone()));
        }
        if let Some(action_id) = &filter.action_id {
            query = query.filter(indicators::action_id.eq(action_id.clone()));
        }
        // An indicator belongs to the plan (cluster) of its objective, or of its action's.
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(
                indicators::objective_id
                    .eq_any(
                        objective_table::table
                            .filter(objective_table::plan_id.eq(plan_id.clone()))
                            .select(objective_table::id.nullable()),
                    )
                    .or(indicators::action_id.eq_any(
                        action_table::table
                            .inner_join(objective_table::table)
                            .filter(objective_table::plan_id.eq(plan_id.clone()))
                            .select(action_table::id.nullable()),
                    )),
            );
        }
        if let Some(cluster_id) = &filter.cluster_id {
            query = query.filter(
                indicators::objective_id
                    .eq_any(
                        objective_table::table
                            .filter(objective_table::cluster_id.eq(cluster_id.clone()))
                            .select(objective_table::id.nullable()),
                    )
                    .or(indicators::action_id.eq_any(
                        action_table::table
                            .inner_join(objective_table::table)
                            .filter(objective_table::cluster_id.eq(cluster_id.clone()))
                            .select(action_table::id.nullable()),
                    )),
            );
        }
        if let Some(measure) = filter.measure {
            query = query.filter(indicators::measure.eq(measure.as_str()));
        }
        if let Some(q) = &filter.q {
            query = query.filter(indicators::search_text.like(like_pattern(q)).escape('\\'));
        }
        query
    };
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (IndicatorSort::Name, false) => query.then_order_by(indicators::sort_title.asc()),
            (IndicatorSort::Name, true) => query.then_order_by(indicators::sort_title.desc()),
        };
    }
    load_page(
        conn,
        query
            .then_order_by(indicators::sort_title.asc())
            .then_order_by(indicators::id.asc())
            .select((IndicatorRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?
    .try_map(Indicator::try_from)
}
