//! Reading themes: the collection and one theme.

use diesel::prelude::*;
use kiv_domain::paging::SortKey;
use kiv_domain::{PageRequest, Theme};

use super::rows::ThemeRow;
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::page::{load_page, total_count, Page};
use crate::schema::{plan_themes, themes};

/// Fields a theme collection can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeSort {
    Position,
    Id,
}

impl ThemeSort {
    pub const FIELDS: &'static [(&'static str, ThemeSort)] =
        &[("position", ThemeSort::Position), ("id", ThemeSort::Id)];
}

/// Filters of the theme collection.
#[derive(Debug, Clone, Default)]
pub struct ThemeFilter {
    /// Only the themes of a plan.
    pub plan_id: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &ThemeFilter,
    sort: &[SortKey<ThemeSort>],
    page: PageRequest,
) -> StoreResult<Page<Theme>> {
    let filtered = || {
        let mut query = themes::table.into_boxed();
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(
                themes::id.eq_any(
                    plan_themes::table
                        .filter(plan_themes::plan_id.eq(plan_id.clone()))
                        .select(plan_themes::theme_id),
                ),
            );
        }
        query
    };
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (ThemeSort::Position, false) => query.then_order_by(themes::position.asc()),
            (ThemeSort::Position, true) => query.then_order_by(themes::position.desc()),
            (ThemeSort::Id, false) => query.then_order_by(themes::id.asc()),
            (ThemeSort::Id, true) => query.then_order_by(themes::id.desc()),
        };
    }
    let Page { items: rows, total } = load_page(
        conn,
        query
            .then_order_by(themes::position.asc())
            .then_order_by(themes::id.asc())
            .select((ThemeRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    Ok(Page {
        items: rows.into_iter().map(Theme::from).collect(),
        total,
    })
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Theme>> {
    Ok(find_row(conn, id)?.map(Theme::from))
}

pub(crate) fn find_row(conn: &mut DbConnection, id: &str) -> StoreResult<Option<ThemeRow>> {
    Ok(themes::table
        .find(id)
        .select(ThemeRow::as_select())
        .first(conn)
        .optional()?)
}
