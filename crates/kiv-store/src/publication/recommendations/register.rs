//! The register of recommendations across evaluations, read from either copy.

use diesel::prelude::*;
use kiv_domain::evaluation::Recommendation;
use kiv_domain::paging::SortKey;
use kiv_domain::{PageRequest, Priority, RecommendationStatus};

use super::copies::PublishedRow;
use super::{RecommendationFilter, RecommendationRow, RecommendationSort};
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::page::{load_page, total_count, Page};
use crate::schema::{
    evaluations, published_recommendation_organisations, published_recommendations,
    recommendation_organisations, recommendations,
};

/// A rank for ordering by a vocabulary in SQL: `CASE column WHEN 'a' THEN 0 ... END`, in the
/// order `values` gives.
fn rank_sql(column: &str, values: &[&str]) -> String {
    let whens: String = values
        .iter()
        .enumerate()
        .map(|(rank, value)| format!(" WHEN '{value}' THEN {rank}"))
        .collect();
    format!("CASE {column}{whens} ELSE {} END", values.len())
}

/// One page of the register from one copy (`$table`, with its organisations `$links`, read as
/// `$row`): the same filters and order on the coordinators' copy and on the published one.
macro_rules! register_page {
    ($conn:expr, $table:ident, $links:ident, $row:ty, $filter:expr, $sort:expr, $page:expr) => {{
        let filter: &RecommendationFilter = $filter;
        let filtered = || {
            let mut query = $table::table.inner_join(evaluations::table).into_boxed();
            if let Some(plan_id) = &filter.plan_id {
                query = query.filter(evaluations::plan_id.eq(plan_id.clone()));
            }
            if let Some(cluster_id) = &filter.cluster_id {
                query = query.filter(evaluations::cluster_id.eq(cluster_id.clone()));
            }
            if let Some(theme_id) = &filter.theme_id {
                query = query.filter(evaluations::theme_id.eq(theme_id.clone()));
            }
            if let Some(organisation_id) = &filter.organisation_id {
                query = query.filter(
                    $table::id.eq_any(
                        $links::table
                            .filter($links::organisation_id.eq(organisation_id.clone()))
                            .select($links::recommendation_id),
                    ),
                );
            }
            if let Some(status) = filter.status {
                query = query.filter($table::status.eq(status.as_str()));
            }
            if let Some(priority) = filter.priority {
                query = query.filter($table::priority.eq(priority.as_str()));
            }
            if let Some(due_before) = filter.due_before {
                query = query.filter($table::due_date.lt(due_before));
            }
            query
        };
        let mut query = filtered();
        let priority_rank = rank_sql(
            concat!(stringify!($table), ".priority"),
            &[
                Priority::Low.as_str(),
                Priority::Medium.as_str(),
                Priority::High.as_str(),
            ],
        );
        let status_rank = rank_sql(
            concat!(stringify!($table), ".status"),
            RecommendationStatus::NAMES,
        );
        for key in $sort {
            use diesel::dsl::sql;
            use diesel::sql_types::Integer;
            query = match (key.field, key.descending) {
                (RecommendationSort::DueDate, false) => query
                    .then_order_by($table::due_date.is_null().asc())
                    .then_order_by($table::due_date.asc()),
                (RecommendationSort::DueDate, true) => query
                    .then_order_by($table::due_date.is_null().asc())
                    .then_order_by($table::due_date.desc()),
                (RecommendationSort::Priority, false) => {
                    query.then_order_by(sql::<Integer>(&priority_rank).asc())
                }
                (RecommendationSort::Priority, true) => {
                    query.then_order_by(sql::<Integer>(&priority_rank).desc())
                }
                (RecommendationSort::Status, false) => {
                    query.then_order_by(sql::<Integer>(&status_rank).asc())
                }
                (RecommendationSort::Status, true) => {
                    query.then_order_by(sql::<Integer>(&status_rank).desc())
                }
            };
        }
        let rows: Page<$row> = load_page(
            $conn,
            query
                .then_order_by($table::due_date.is_null().asc())
                .then_order_by($table::due_date.asc())
                .then_order_by($table::created_at.asc())
                .then_order_by($table::id.asc())
                .select((<$row>::as_select(), total_count())),
            $page,
            |conn| filtered().count().get_result(conn),
        )?;
        rows
    }};
}

/// One page of the register of recommendations as `drafts_too` says: the coordinators' copies
/// (drafts included), or the published ones.
pub(crate) fn register_page(
    conn: &mut DbConnection,
    drafts_too: bool,
    filter: &RecommendationFilter,
    sort: &[SortKey<RecommendationSort>],
    page: PageRequest,
) -> StoreResult<Page<Recommendation>> {
    if drafts_too {
        register_page!(
            conn,
            recommendations,
            recommendation_organisations,
            RecommendationRow,
            filter,
            sort,
            page
        )
        .try_map(RecommendationRow::into_domain)
    } else {
        register_page!(
            conn,
            published_recommendations,
            published_recommendation_organisations,
            PublishedRow,
            filter,
            sort,
            page
        )
        .try_map(PublishedRow::into_domain)
    }
}
