//! Reads of actions: one, several, by external id, a filtered and sorted page, and the one
//! "lead or partner" rule as a subquery.

use chrono::NaiveDate;
use diesel::dsl;
use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{Action, ActionStatus, PageRequest};

use super::rows::{with_joined_links, with_links, Joined};
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::page::{load_page, total_count, Page};
use crate::records::like_pattern;
use crate::schema::{
    action_partners, action_states, action_themes, actions, objectives as objective_table,
};

/// Actions with, once there is one, their state: what [`Joined`] selects.
fn joined() -> diesel::dsl::LeftJoin<actions::table, action_states::table> {
    actions::table.left_join(action_states::table)
}

/// One action with its state, partners and themes: one statement of one shape, so that the
/// connection keeps it prepared. The link tables are joined to the action, a row per partner and
/// theme pair (an action has a handful of each).
pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Action>> {
    let rows: Vec<(Joined, Option<String>, Option<String>)> = joined()
        .left_join(action_partners::table)
        .left_join(action_themes::table)
        .filter(actions::id.eq(id))
        .select((
            Joined::as_select(),
            action_partners::organisation_id.nullable(),
            action_themes::theme_id.nullable(),
        ))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some((row, partner, theme)) = rows.next() else {
        return Ok(None);
    };
    let links = std::iter::once((partner, theme)).chain(rows.map(|(_, p, t)| (p, t)));
    Ok(Some(with_joined_links(row, links)?))
}

/// Several actions by id, in the order of `ids` (missing ones left out).
pub fn get_many(conn: &mut DbConnection, ids: &[&str]) -> StoreResult<Vec<Action>> {
    let rows: Vec<Joined> = joined()
        .filter(actions::id.eq_any(ids))
        .select(Joined::as_select())
        .load(conn)?;
    let mut found: std::collections::HashMap<String, Action> = with_links(conn, rows)?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(*id)).collect())
}

/// The action an organisation knows by its own id.
pub fn find_by_external_id(
    conn: &mut DbConnection,
    lead_organisation_id: &str,
    external_id: &str,
) -> StoreResult<Option<Action>> {
    let id: Option<String> = actions::table
        .filter(actions::lead_organisation_id.eq(lead_organisation_id))
        .filter(actions::external_id.eq(external_id))
        .select(actions::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => get(conn, &id),
        None => Ok(None),
    }
}

/// Fields an action collection can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionSort {
    Code,
    Title,
    PlannedStart,
    PlannedEnd,
}

impl ActionSort {
    pub const FIELDS: &'static [(&'static str, ActionSort)] = &[
        ("code", ActionSort::Code),
        ("title", ActionSort::Title),
        ("plannedStart", ActionSort::PlannedStart),
        ("plannedEnd", ActionSort::PlannedEnd),
    ];
}

/// Filters of the action collection.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub plan_id: Option<String>,
    pub cluster_id: Option<String>,
    pub objective_id: Option<String>,
    pub theme_id: Option<String>,
    /// Actions this organisation leads or takes part in.
    pub organisation_id: Option<String>,
    /// Actions whose derived status is this one.
    pub status: Option<ActionStatus>,
    pub q: Option<String>,
    /// Actions planned to end before this day.
    pub planned_end_before: Option<NaiveDate>,
}

/// `query` (a boxed query of actions, alone or joined) with the filters of `filter`. Every
/// filter reads the action row (its plan, cluster and status are kept there), so the same
/// filters count the collection from the action table's indexes.
macro_rules! filtered {
    ($query:expr, $filter:expr) => {{
        let filter: &ActionFilter = $filter;
        let mut query = $query;
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(actions::plan_id.eq(plan_id.clone()));
        }
        if let Some(cluster_id) = &filter.cluster_id {
            query = query.filter(actions::cluster_id.eq(cluster_id.clone()));
        }
        if let Some(objective_id) = &filter.objective_id {
            query = query.filter(actions::objective_id.eq(objective_id.clone()));
        }
        if let Some(theme_id) = &filter.theme_id {
            query = query.filter(
                actions::id.eq_any(
                    action_themes::table
                        .filter(action_themes::theme_id.eq(theme_id.clone()))
                        .select(action_themes::action_id),
                ),
            );
        }
        if let Some(organisation_id) = &filter.organisation_id {
            query = query.filter(actions::id.eq_any(involving(organisation_id)));
        }
        if let Some(q) = &filter.q {
            query = query.filter(actions::search_text.like(like_pattern(q)).escape('\\'));
        }
        match filter.status {
            None => {}
            Some(ActionStatus::NotReported) => {
                query = query.filter(actions::status.is_null());
            }
            Some(status) => {
                query = query.filter(actions::status.eq(status.as_str()));
            }
        }
        if let Some(day) = filter.planned_end_before {
            query = query.filter(actions::planned_end.lt(day));
        }
        query
    }};
}

/// One page of the actions `filter` admits, sorted by `sort`, then by objective and code, with
/// their number: one statement. When every filter is one an index of the action table serves,
/// the total is a subquery over that table alone (counted from the index), so that the page
/// itself stops reading at its last row when an index gives the order; a text search or an
/// organisation (lead or partner) is no index's, and counting it apart would filter the table
/// twice, so then the total is `COUNT(*) OVER ()` of the page's own rows.
pub fn list(
    conn: &mut DbConnection,
    filter: &ActionFilter,
    sort: &[SortKey<ActionSort>],
    page: PageRequest,
) -> StoreResult<Page<Action>> {
    let mut query = filtered!(
        actions::table
            .inner_join(objective_table::table)
            .left_join(action_states::table)
            .into_boxed(),
        filter
    );
    for key in sort {
        query = match (key.field, key.descending) {
            (ActionSort::Code, false) => query.then_order_by(actions::code.asc()),
            (ActionSort::Code, true) => query.then_order_by(actions::code.desc()),
            (ActionSort::Title, false) => query.then_order_by(actions::sort_title.asc()),
            (ActionSort::Title, true) => query.then_order_by(actions::sort_title.desc()),
            (ActionSort::PlannedStart, false) => query.then_order_by(actions::planned_start.asc()),
            (ActionSort::PlannedStart, true) => query.then_order_by(actions::planned_start.desc()),
            (ActionSort::PlannedEnd, false) => query.then_order_by(actions::planned_end.asc()),
            (ActionSort::PlannedEnd, true) => query.then_order_by(actions::planned_end.desc()),
        };
    }
    let query = query
        .then_order_by(objective_table::code.asc())
        .then_order_by(actions::code.asc())
        .then_order_by(actions::id.asc());
    let count = |conn: &mut DbConnection| {
        filtered!(actions::table.into_boxed(), filter)
            .count()
            .get_result(conn)
    };
    let Page { items: rows, total } = if filter.q.is_some() || filter.organisation_id.is_some() {
        load_page(
            conn,
            query.select((Joined::as_select(), total_count())),
            page,
            count,
        )?
    } else {
        let total = filtered!(actions::table.into_boxed(), filter)
            .count()
            .single_value()
            .assume_not_null();
        load_page(
            conn,
            query.select((Joined::as_select(), total)),
            page,
            count,
        )?
    };
    Ok(Page {
        items: with_links(conn, rows)?,
        total,
    })
}

diesel::alias!(actions as involved: Involved);

/// The ids of the actions `organisation_id` takes part in: as their lead, or as a partner
/// (`action_partners`). The one "lead or partner" rule, as a subquery for any filter on action
/// ids (the action list's, the follow-up list's, the missing reports'); over an alias of
/// `actions`, so that it also filters a query of the actions themselves.
pub(crate) fn involving(organisation_id: &str) -> Involving {
    involved
        .filter(
            involved
                .field(actions::lead_organisation_id)
                .eq(organisation_id.to_owned())
                .or(involved.field(actions::id).eq_any(
                    action_partners::table
                        .filter(action_partners::organisation_id.eq(organisation_id.to_owned()))
                        .select(action_partners::action_id),
                )),
        )
        .select(involved.field(actions::id))
}

/// The query [`involving`] makes.
pub(crate) type Involving = dsl::Select<
    dsl::Filter<
        diesel::query_source::Alias<Involved>,
        dsl::Or<
            dsl::Eq<
                diesel::query_source::AliasedField<Involved, actions::lead_organisation_id>,
                String,
            >,
            dsl::EqAny<
                diesel::query_source::AliasedField<Involved, actions::id>,
                dsl::Select<
                    dsl::Filter<
                        action_partners::table,
                        dsl::Eq<action_partners::organisation_id, String>,
                    >,
                    action_partners::action_id,
                >,
            >,
        >,
    >,
    diesel::query_source::AliasedField<Involved, actions::id>,
>;
