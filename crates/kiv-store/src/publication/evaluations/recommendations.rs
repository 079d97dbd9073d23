//! The recommendations of an evaluation: the register across evaluations, reading one (with its
//! evaluation, as the caller may read both), and adding, changing and deleting one. Content
//! follows the evaluation's revision; what became of a recommendation is one across revisions
//! (`crate::publication::recommendations` keeps both copies).

use std::collections::BTreeMap;

use diesel::prelude::*;
use kiv_domain::evaluation::{Evaluation, Recommendation};
use kiv_domain::paging::SortKey;
use kiv_domain::{Caller, PageRequest, PublicationState, RecommendationStatus};
use serde_json::Value;

use super::checks::body_issue;
use super::queries::{get, readable as readable_evaluation, row};
use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::page::{load_page, total_count, Page};
use crate::patch::Merger;
use crate::planning::check_organisations;
use crate::publication::recommendations::{
    copies, register, RecommendationChanges, RecommendationFilter, RecommendationInput,
    RecommendationRow, RecommendationSort,
};
use crate::publication::revisions as publication;
use crate::records::reject_if_any;
use crate::schema::{recommendation_organisations, recommendations};

/// The register of recommendations across evaluations, each with its evaluation as `caller`
/// may read it: for coordinators those of drafts too, as the drafts have them; for everybody
/// else those of evaluations published at least once, as their latest revision was published. Sorted by `sort`, then by due date (none last), creation
/// and id. `priority` ascends from `low` to `high` and `status` in the order of the workflow
/// (`open`, `inProgress`, `implemented`, `rejected`).
pub fn register(
    conn: &mut DbConnection,
    caller: &Caller,
    filter: &RecommendationFilter,
    sort: &[SortKey<RecommendationSort>],
    page: PageRequest,
) -> StoreResult<Page<(Recommendation, Evaluation)>> {
    let drafts_too = caller.may_read_drafts();
    let found = register::register_page(conn, drafts_too, filter, sort, page)?;
    let total = found.total;
    let mut seen: BTreeMap<String, Option<Evaluation>> = BTreeMap::new();
    let mut items = Vec::with_capacity(found.items.len());
    for recommendation in found.items {
        let evaluation = match seen.get(&recommendation.evaluation_id) {
            Some(known) => known.clone(),
            None => {
                let found = get(conn, caller, &recommendation.evaluation_id)?;
                seen.insert(recommendation.evaluation_id.clone(), found.clone());
                found
            }
        };
        // Filtered on above; a concurrent change cannot make one unreadable in between
        // (evaluations are never unpublished), but an unreadable one is left out, never shown.
        if let Some(evaluation) = evaluation {
            items.push((recommendation, evaluation));
        }
    }
    Ok(Page { items, total })
}

/// Keeps `recommendation_organisations` equal to the recommendation's organisations.
fn link_organisations(conn: &mut DbConnection, record: &Recommendation) -> StoreResult<()> {
    diesel::delete(
        recommendation_organisations::table
            .filter(recommendation_organisations::recommendation_id.eq(&record.id)),
    )
    .execute(conn)?;
    let mut ids: Vec<&String> = record.organisation_ids.iter().collect();
    ids.sort();
    ids.dedup();
    for organisation_id in ids {
        diesel::insert_into(recommendation_organisations::table)
            .values((
                recommendation_organisations::recommendation_id.eq(&record.id),
                recommendation_organisations::organisation_id.eq(organisation_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The evaluation `evaluation_id` as `caller` may read it (`NotFound` otherwise) and its
/// recommendations, oldest first, as `caller` may read them: the draft's for coordinators, the
/// latest published revision's for everybody else.
pub fn recommendations_of(
    conn: &mut DbConnection,
    caller: &Caller,
    evaluation_id: &str,
    page: PageRequest,
) -> StoreResult<(Evaluation, Page<Recommendation>)> {
    let evaluation = readable_evaluation(conn, caller, evaluation_id)?;
    if !caller.may_read_drafts() {
        return Ok((evaluation, copies::published_of(conn, evaluation_id, page)?));
    }
    let filtered =
        || recommendations::table.filter(recommendations::evaluation_id.eq(evaluation_id));
    let rows: Page<RecommendationRow> = load_page(
        conn,
        filtered()
            .order((recommendations::created_at.asc(), recommendations::id.asc()))
            .select((RecommendationRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    Ok((evaluation, rows.try_map(RecommendationRow::into_domain)?))
}

/// The coordinators' copy of a recommendation.
fn drafted(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Recommendation>> {
    recommendations::table
        .find(id)
        .select(RecommendationRow::as_select())
        .first(conn)
        .optional()?
        .map(RecommendationRow::into_domain)
        .transpose()
}

/// The copy of a recommendation `caller` reads: the coordinators' (the draft's), or for
/// everybody else the published one (none for a recommendation added in a draft).
fn readable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<Option<Recommendation>> {
    if caller.may_read_drafts() {
        drafted(conn, id)
    } else {
        copies::published(conn, id)
    }
}

/// A recommendation with the evaluation it belongs to, as `caller` may read them.
pub fn recommendation(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<Option<(Recommendation, Evaluation)>> {
    let Some(found) = readable(conn, caller, id)? else {
        return Ok(None);
    };
    Ok(get(conn, caller, &found.evaluation_id)?.map(|evaluation| (found, evaluation)))
}

fn check_recommendation(conn: &mut DbConnection, record: &Recommendation) -> StoreResult<()> {
    let mut issues = Vec::new();
    if record.text.is_empty() {
        issues.push(body_issue("text", None, "a recommendation says what to do"));
    }
    if record.organisation_ids.is_empty() {
        issues.push(body_issue(
            "organisationIds",
            None,
            "name the organisation(s) the recommendation is addressed to",
        ));
    }
    for (index, id) in record.organisation_ids.iter().enumerate() {
        if record.organisation_ids.iter().take(index).any(|o| o == id) {
            issues.push(body_issue(
                format!("organisationIds[{index}]"),
                Some(Value::from(id.as_str())),
                "an organisation is named once",
            ));
        }
    }
    check_organisations(
        conn,
        "organisationIds",
        &record.organisation_ids,
        &mut issues,
    )?;
    reject_if_any(issues)
}

/// Adds a recommendation to a draft evaluation.
pub fn add_recommendation(
    conn: &mut DbConnection,
    actor: &Caller,
    evaluation_id: &str,
    input: RecommendationInput,
) -> StoreResult<(Recommendation, Evaluation)> {
    crate::database::write_transaction(conn, |conn| {
        let (evaluation, _) = row(conn, evaluation_id)?.ok_or(StoreError::NotFound)?;
        publication::check_editable(&evaluation)?;
        let at = now();
        let created = Recommendation {
            id: uuid::Uuid::new_v4().to_string(),
            evaluation_id: evaluation.id.clone(),
            text: input.text.clone(),
            organisation_ids: input.organisation_ids.clone(),
            priority: input.priority,
            due_date: input.due_date,
            status: RecommendationStatus::Open,
            status_note: None,
            version: 1,
            created_by: actor.login.clone(),
            created_at: at,
            updated_at: at,
        };
        check_recommendation(conn, &created)?;
        diesel::insert_into(recommendations::table)
            .values(&RecommendationRow::of(&created))
            .execute(conn)?;
        link_organisations(conn, &created)?;
        audit::record(
            conn,
            actor,
            "recommendation",
            &created.id,
            Operation::Create,
            None,
            Some(&created),
        )?;
        Ok((created, evaluation))
    })
}

/// Changes a recommendation: its content while the evaluation is a draft, its status and note
/// at any time. Who may change which field is `kiv_domain::Caller::check_recommendation_write`;
/// a recommendation the actor may not read (one of an evaluation never published, for anybody
/// but a coordinator) is `NotFound`.
pub fn update_recommendation(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: RecommendationChanges,
) -> StoreResult<(Recommendation, Evaluation)> {
    crate::database::write_transaction(conn, |conn| {
        // Each changes the copy it reads; the follow-up is carried over to the other one.
        let drafts = actor.may_read_drafts();
        let follow_up_too = changes.touches_follow_up();
        let before = readable(conn, actor, id)?.ok_or(StoreError::NotFound)?;
        let visible = get(conn, actor, &before.evaluation_id)?.ok_or(StoreError::NotFound)?;
        actor
            .check_recommendation_write(&before.organisation_ids, &changes.touched())
            .map_err(StoreError::NotPermitted)?;
        crate::error::check_version(expected_version, &before)?;
        if changes.touches_content() {
            let (evaluation, _) = row(conn, &before.evaluation_id)?.ok_or(StoreError::NotFound)?;
            if evaluation.state == PublicationState::Published {
                return Err(StoreError::Conflict(
                    "the evaluation is published: its recommendations' text, organisations, \
                     priority and due date are frozen; only status and statusNote change"
                        .into(),
                ));
            }
        }
        let mut next = before.clone();
        let mut merger = Merger::default();
        next.text = merger.required("text", &before.text, changes.text.as_ref())?;
        next.status_note = merger.optional_text(
            "statusNote",
            before.status_note.as_ref(),
            &changes.status_note,
        )?;
        merger.finish()?;
        if let Some(ids) = changes.organisation_ids {
            next.organisation_ids = ids;
        }
        if let Some(priority) = changes.priority {
            next.priority = priority;
        }
        if let Some(due_date) = changes.due_date {
            next.due_date = due_date;
        }
        if let Some(status) = changes.status {
            next.status = status;
        }
        check_recommendation(conn, &next)?;
        next.version += 1;
        next.updated_at = now();
        let count = if drafts {
            diesel::update(
                recommendations::table
                    .filter(recommendations::id.eq(&next.id))
                    .filter(recommendations::version.eq(before.version)),
            )
            .set(&RecommendationRow::of(&next))
            .execute(conn)?
        } else {
            copies::save_published_follow_up(conn, &next, before.version)?
        };
        crate::error::expect_one_written(count, before.version)?;
        if drafts && next.organisation_ids != before.organisation_ids {
            link_organisations(conn, &next)?;
        }
        if follow_up_too {
            copies::carry_follow_up(conn, &next, drafts)?;
        }
        audit::record(
            conn,
            actor,
            "recommendation",
            &next.id,
            Operation::Update,
            Some(&before),
            Some(&next),
        )?;
        Ok((next, visible))
    })
}

/// Deletes a recommendation from a draft evaluation (409 once it is published: revise it
/// first). A recommendation that was published stays as it was for everybody who does not read
/// drafts until the draft is published.
pub fn delete_recommendation(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<()> {
    crate::database::write_transaction(conn, |conn| {
        let before = drafted(conn, id)?.ok_or(StoreError::NotFound)?;
        let (evaluation, _) = row(conn, &before.evaluation_id)?.ok_or(StoreError::NotFound)?;
        publication::check_editable(&evaluation)?;
        crate::error::check_version(expected_version, &before)?;
        diesel::delete(
            recommendation_organisations::table
                .filter(recommendation_organisations::recommendation_id.eq(&before.id)),
        )
        .execute(conn)?;
        let count = diesel::delete(
            recommendations::table
                .filter(recommendations::id.eq(&before.id))
                .filter(recommendations::version.eq(before.version)),
        )
        .execute(conn)?;
        crate::error::expect_one_written(count, before.version)?;
        audit::record(
            conn,
            actor,
            "recommendation",
            &before.id,
            Operation::Delete,
            Some(&before),
            None,
        )
    })
}
