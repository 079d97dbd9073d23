//! One page of a collection, as the store returns it, and the one way every list loads it.

use diesel::dsl::{self, count_star, CountStar, Over};
use diesel::prelude::*;
use diesel::query_dsl::methods::{LimitDsl, OffsetDsl};
use diesel::query_dsl::LoadQuery;
use kiv_domain::PageRequest;

use crate::database::DbConnection;
use crate::error::StoreResult;

/// The items of one page and the size of the whole (filtered) collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

impl<T> Page<T> {
    /// Converts every item, keeping the total.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
        }
    }

    /// Converts every item, keeping the total; the first failure stops it.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            total: self.total,
        })
    }
}

/// The size of the whole filtered collection, beside each row of a page:
/// `.select((Row::as_select(), total_count()))`. `COUNT(*) OVER ()` is computed by both backends
/// before `LIMIT`, so a page and its total are one statement.
pub(crate) fn total_count() -> Over<CountStar> {
    count_star().over()
}

/// Loads one page of `query`, a filtered, ordered collection selected with its total beside its
/// row, with the size of the whole collection: one statement. The total is [`total_count`], or,
/// where the same filters can count the collection from one table's index while the page joins
/// more, that count as a scalar subquery (`filtered.count().single_value().assume_not_null()`):
/// both backends evaluate it once, and the page can then stop reading at its last row when an
/// index gives its order, where `COUNT(*) OVER ()` reads every row first. Only a page past the
/// end has no row to carry the total; then, and only then, `count` (the same filter, counted)
/// runs.
///
/// Every collection of the store pages through here, so that paging, its total and its bounds
/// are one piece of code.
pub(crate) fn load_page<'q, Q, R>(
    conn: &mut DbConnection,
    query: Q,
    page: PageRequest,
    count: impl FnOnce(&mut DbConnection) -> QueryResult<i64>,
) -> StoreResult<Page<R>>
where
    Q: LimitDsl,
    dsl::Limit<Q>: OffsetDsl,
    dsl::Offset<dsl::Limit<Q>>: LoadQuery<'q, DbConnection, (R, i64)>,
{
    let rows: Vec<(R, i64)> = query.limit(page.limit()).offset(page.offset()).load(conn)?;
    let total = match rows.first() {
        Some((_, total)) => *total,
        None if page.offset() == 0 => 0,
        None => count(conn)?,
    };
    Ok(Page {
        items: rows.into_iter().map(|(row, _)| row).collect(),
        total,
    })
}
