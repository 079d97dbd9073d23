//! Recommendations follow their evaluation's revision. `recommendations` holds the coordinators'
//! copy: that of the draft while a revision is being written. `published_recommendations` holds
//! the recommendations as the evaluation's latest revision was published, which everybody who
//! does not read drafts is shown: a recommendation added, changed or deleted in the draft of the
//! next revision stays unseen, unchanged or present for them until that revision is published,
//! which replaces the evaluation's published copies with the draft's.
//!
//! What became of a recommendation (`status`, `statusNote`) is no part of a revision: it is one
//! value across revisions, so a write of it goes to both copies. Each copy counts its own
//! `version`: both move with every status write and only the coordinators' with content edits, so
//! readers' entity tags change exactly when what they are shown does.

use diesel::prelude::*;
use kiv_domain::evaluation::Recommendation;
use kiv_domain::paging::SortKey;
use kiv_domain::{PageRequest, Priority, RecommendationStatus};

use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::evaluations::{RecommendationFilter, RecommendationRow, RecommendationSort};
use crate::json::JsonValue;
use crate::page::Page;
use crate::schema::{
    evaluations, published_recommendation_organisations, published_recommendations,
    recommendation_organisations, recommendations,
};

/// A recommendation as its evaluation's latest revision was published.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = published_recommendations, treat_none_as_default_value = false)]
struct PublishedRow {
    id: String,
    evaluation_id: String,
    /// The evaluation's revision it was published with.
    revision: i32,
    text: JsonValue<kiv_domain::LocalizedText>,
    organisation_ids: JsonValue<Vec<String>>,
    priority: String,
    due_date: Option<chrono::NaiveDate>,
    status: String,
    status_note: Option<JsonValue<kiv_domain::LocalizedText>>,
    version: i32,
    created_by: String,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl PublishedRow {
    fn of(row: RecommendationRow, revision: i32) -> Self {
        PublishedRow {
            id: row.id,
            evaluation_id: row.evaluation_id,
            revision,
            text: row.text,
            organisation_ids: row.organisation_ids,
            priority: row.priority,
            due_date: row.due_date,
            status: row.status,
            status_note: row.status_note,
            version: row.version,
            created_by: row.created_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    fn into_domain(self) -> StoreResult<Recommendation> {
        RecommendationRow {
            id: self.id,
            evaluation_id: self.evaluation_id,
            text: self.text,
            organisation_ids: self.organisation_ids,
            priority: self.priority,
            due_date: self.due_date,
            status: self.status,
            status_note: self.status_note,
            version: self.version,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
        .into_domain()
    }
}

/// Makes the draft's recommendations of `evaluation_id` the published ones of its `revision`,
/// which has just been published: the ones deleted in the draft go, the others are copied as
/// they are now.
pub(crate) fn publish(
    conn: &mut DbConnection,
    evaluation_id: &str,
    revision: i32,
) -> StoreResult<()> {
    let previous = published_recommendations::table
        .filter(published_recommendations::evaluation_id.eq(evaluation_id))
        .select(published_recommendations::id);
    diesel::delete(
        published_recommendation_organisations::table
            .filter(published_recommendation_organisations::recommendation_id.eq_any(previous)),
    )
    .execute(conn)?;
    diesel::delete(
        published_recommendations::table
            .filter(published_recommendations::evaluation_id.eq(evaluation_id)),
    )
    .execute(conn)?;
    let drafts: Vec<RecommendationRow> = recommendations::table
        .filter(recommendations::evaluation_id.eq(evaluation_id))
        .select(RecommendationRow::as_select())
        .load(conn)?;
    for draft in drafts {
        let mut organisations = draft.organisation_ids.0.clone();
        organisations.sort();
        organisations.dedup();
        let published = PublishedRow::of(draft, revision);
        diesel::insert_into(published_recommendations::table)
            .values(&published)
            .execute(conn)?;
        for organisation_id in organisations {
            diesel::insert_into(published_recommendation_organisations::table)
                .values((
                    published_recommendation_organisations::recommendation_id.eq(&published.id),
                    published_recommendation_organisations::organisation_id.eq(organisation_id),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The published copy of a recommendation, if its evaluation was published with it.
pub(crate) fn published(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Recommendation>> {
    published_recommendations::table
        .find(id)
        .select(PublishedRow::as_select())
        .first(conn)
        .optional()?
        .map(PublishedRow::into_domain)
        .transpose()
}

/// The published recommendations of an evaluation, oldest first.
pub(crate) fn published_of(
    conn: &mut DbConnection,
    evaluation_id: &str,
    page: PageRequest,
) -> StoreResult<Page<Recommendation>> {
    let filtered = || {
        published_recommendations::table
            .filter(published_recommendations::evaluation_id.eq(evaluation_id))
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((
            published_recommendations::created_at.asc(),
            published_recommendations::id.asc(),
        ))
        .limit(page.limit())
        .offset(page.offset())
        .select(PublishedRow::as_select())
        .load(conn)?
        .into_iter()
        .map(PublishedRow::into_domain)
        .collect::<StoreResult<_>>()?;
    Ok(Page { items, total })
}

/// Writes the follow-up of `next` (status, note, version, time) over its published copy if that
/// is still at `version`; how many rows were written.
pub(crate) fn save_published_follow_up(
    conn: &mut DbConnection,
    next: &Recommendation,
    version: i32,
) -> StoreResult<usize> {
    Ok(diesel::update(
        published_recommendations::table
            .filter(published_recommendations::id.eq(&next.id))
            .filter(published_recommendations::version.eq(version)),
    )
    .set((
        published_recommendations::status.eq(next.status.as_str()),
        published_recommendations::status_note.eq(next.status_note.clone().map(JsonValue)),
        published_recommendations::version.eq(next.version),
        published_recommendations::updated_at.eq(next.updated_at),
    ))
    .execute(conn)?)
}

/// Carries the follow-up of `written` (the copy one caller wrote) over to the other copy, if
/// there is one: the published one after a coordinator's write, the draft one after a
/// reader's.
pub(crate) fn carry_follow_up(
    conn: &mut DbConnection,
    written: &Recommendation,
    to_published: bool,
) -> StoreResult<()> {
    let note = written.status_note.clone().map(JsonValue);
    if to_published {
        diesel::update(published_recommendations::table.find(&written.id))
            .set((
                published_recommendations::status.eq(written.status.as_str()),
                published_recommendations::status_note.eq(note),
                published_recommendations::version.eq(published_recommendations::version + 1),
                published_recommendations::updated_at.eq(written.updated_at),
            ))
            .execute(conn)?;
    } else {
        diesel::update(recommendations::table.find(&written.id))
            .set((
                recommendations::status.eq(written.status.as_str()),
                recommendations::status_note.eq(note),
                recommendations::version.eq(recommendations::version + 1),
                recommendations::updated_at.eq(written.updated_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

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
        let total: i64 = filtered().count().get_result($conn)?;
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
        let rows: Vec<$row> = query
            .then_order_by($table::due_date.is_null().asc())
            .then_order_by($table::due_date.asc())
            .then_order_by($table::created_at.asc())
            .then_order_by($table::id.asc())
            .limit($page.limit())
            .offset($page.offset())
            .select(<$row>::as_select())
            .load($conn)?;
        (total, rows)
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
    let (total, items) = if drafts_too {
        let (total, rows) = register_page!(
            conn,
            recommendations,
            recommendation_organisations,
            RecommendationRow,
            filter,
            sort,
            page
        );
        let items = rows
            .into_iter()
            .map(RecommendationRow::into_domain)
            .collect::<StoreResult<Vec<_>>>()?;
        (total, items)
    } else {
        let (total, rows) = register_page!(
            conn,
            published_recommendations,
            published_recommendation_organisations,
            PublishedRow,
            filter,
            sort,
            page
        );
        let items = rows
            .into_iter()
            .map(PublishedRow::into_domain)
            .collect::<StoreResult<Vec<_>>>()?;
        (total, items)
    };
    Ok(Page { items, total })
}
