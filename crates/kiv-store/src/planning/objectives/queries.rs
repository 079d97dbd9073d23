//! Reads of objectives: one, and a filtered, sorted page.

use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{Objective, ObjectiveLevel, PageRequest};

use super::rows::{with_links, ObjectiveRow};
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::page::{load_page, total_count, Page};
use crate::records::like_pattern;
use crate::schema::{objective_owners, objective_themes, objectives};

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Objective>> {
    let row = objectives::table
        .find(id)
        .select(ObjectiveRow::as_select())
        .first(conn)
        .optional()?;
    Ok(with_links(conn, row.into_iter().collect())?.pop())
}

/// Fields an objective collection can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectiveSort {
    Code,
    Title,
}

impl ObjectiveSort {
    pub const FIELDS: &'static [(&'static str, ObjectiveSort)] = &[
        ("code", ObjectiveSort::Code),
        ("title", ObjectiveSort::Title),
    ];
}

/// Filters of the objective collection.
#[derive(Debug, Clone, Default)]
pub struct ObjectiveFilter {
    pub plan_id: Option<String>,
    pub cluster_id: Option<String>,
    pub theme_id: Option<String>,
    pub parent_id: Option<String>,
    pub level: Option<ObjectiveLevel>,
    /// Objectives this organisation owns.
    pub organisation_id: Option<String>,
    /// Text in the code or the title, any language.
    pub q: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &ObjectiveFilter,
    sort: &[SortKey<ObjectiveSort>],
    page: PageRequest,
) -> StoreResult<Page<Objective>> {
    let filtered = || {
        let mut query = objectives::table.into_boxed();
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(objectives::plan_id.eq(plan_id.clone()));
        }
        if let Some(cluster_id) = &filter.cluster_id {
            query = query.filter(objectives::cluster_id.eq(cluster_id.clone()));
        }
        if let Some(parent_id) = &filter.parent_id {
            query = query.filter(objectives::parent_id.eq(parent_id.clone()));
        }
        if let Some(level) = filter.level {
            query = query.filter(objectives::level.eq(level.as_str()));
        }
        if let Some(theme_id) = &filter.theme_id {
            query = query.filter(
                objectives::id.eq_any(
                    objective_themes::table
                        .filter(objective_themes::theme_id.eq(theme_id.clone()))
                        .select(objective_themes::objective_id),
                ),
            );
        }
        if let Some(organisation_id) = &filter.organisation_id {
            query = query.filter(
                objectives::id.eq_any(
                    objective_owners::table
                        .filter(objective_owners::organisation_id.eq(organisation_id.clone()))
                        .select(objective_owners::objective_id),
                ),
            );
        }
        if let Some(q) = &filter.q {
            query = query.filter(objectives::search_text.like(like_pattern(q)).escape('\\'));
        }
        query
    };
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (ObjectiveSort::Code, false) => query.then_order_by(objectives::code.asc()),
            (ObjectiveSort::Code, true) => query.then_order_by(objectives::code.desc()),
            (ObjectiveSort::Title, false) => query.then_order_by(objectives::sort_title.asc()),
            (ObjectiveSort::Title, true) => query.then_order_by(objectives::sort_title.desc()),
        };
    }
    let Page { items: rows, total } = load_page(
        conn,
        query
            .then_order_by(objectives::plan_id.asc())
            .then_order_by(objectives::code.asc())
            .then_order_by(objectives::id.asc())
            .select((ObjectiveRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    Ok(Page {
        items: with_links(conn, rows)?,
        total,
    })
}
