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
use kiv_domain::PageRequest;

use super::RecommendationRow;
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::json::JsonValue;
use crate::page::{load_page, total_count, Page};
use crate::schema::{
    published_recommendation_organisations, published_recommendations, recommendations,
};

/// A recommendation as its evaluation's latest revision was published.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = published_recommendations, treat_none_as_default_value = false)]
pub(super) struct PublishedRow {
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

    pub(super) fn into_domain(self) -> StoreResult<Recommendation> {
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
    let rows: Page<PublishedRow> = load_page(
        conn,
        filtered()
            .order((
                published_recommendations::created_at.asc(),
                published_recommendations::id.asc(),
            ))
            .select((PublishedRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    rows.try_map(PublishedRow::into_domain)
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
