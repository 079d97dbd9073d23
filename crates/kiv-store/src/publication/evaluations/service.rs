//! Writing evaluations: drafts created and changed, published, revised.

use std::collections::BTreeMap;

use diesel::prelude::*;
use kiv_domain::evaluation::{check_scores, Evaluation, Score};
use kiv_domain::{Caller, PublicationState};

use super::checks::{check_unique, holder, validate};
use super::queries::row;
use super::rows::{input_of, EvaluationChanges, EvaluationInput, Row};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::judgements::{self, Judgement};
use crate::patch::Merger;
use crate::publication::recommendations::copies;
use crate::publication::revisions::{self as publication, Step};
use crate::schema::evaluations;

/// Creates a draft evaluation.
pub fn create(
    conn: &mut DbConnection,
    actor: &Caller,
    mut input: EvaluationInput,
) -> StoreResult<Evaluation> {
    if input.evaluating_organisation_ids.is_empty() {
        input
            .evaluating_organisation_ids
            .push(actor.organisation_id.clone());
    }
    crate::database::write_transaction(conn, |conn| {
        let (_, subject) = validate(conn, &input)?;
        let at = now();
        let created = Evaluation {
            id: uuid::Uuid::new_v4().to_string(),
            plan_id: input.plan_id.clone(),
            cluster_id: input.cluster_id.clone(),
            theme_id: input.theme_id.clone(),
            round: input.round,
            period: input.period,
            evaluating_organisation_ids: input.evaluating_organisation_ids.clone(),
            scores: input.scores.clone(),
            overall_rating: input.overall_rating,
            findings: input.findings.clone(),
            evidence: input.evidence.clone(),
            state: PublicationState::Draft,
            published_at: None,
            published_by: None,
            revision: 1,
            version: 1,
            created_by: actor.login.clone(),
            created_at: at,
            updated_at: at,
        };
        check_unique(conn, &created, &subject)?;
        let row = Row::of(&created, None)?;
        crate::error::unique_write(
            conn,
            |conn| {
                Ok(diesel::insert_into(evaluations::table)
                    .values(&row)
                    .execute(conn)?)
            },
            |conn| holder(conn, &created, &subject),
        )?;
        publication::written(conn, actor, None, &created, "created", None)?;
        Ok(created)
    })
}

fn current(
    conn: &mut DbConnection,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<(Evaluation, Option<i32>)> {
    let found = row(conn, id)?.ok_or(StoreError::NotFound)?;
    crate::error::check_version(expected_version, &found.0)?;
    Ok(found)
}

/// Writes `next` over the stored record, if that is still at `next.version - 1`.
fn save(
    conn: &mut DbConnection,
    next: &Evaluation,
    published_revision: Option<i32>,
) -> StoreResult<()> {
    let version = next.version - 1;
    let count = diesel::update(
        evaluations::table
            .filter(evaluations::id.eq(&next.id))
            .filter(evaluations::version.eq(version)),
    )
    .set(&Row::of(next, published_revision)?)
    .execute(conn)?;
    crate::error::expect_one_written(count, version)
}

/// Changes a draft; a published evaluation answers 409.
pub fn update(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: EvaluationChanges,
) -> StoreResult<Evaluation> {
    crate::database::write_transaction(conn, |conn| {
        let (before, published_revision) = current(conn, id, expected_version)?;
        publication::check_editable(&before)?;
        let mut next = before.clone();
        if let Some(round) = changes.round {
            next.round = round;
        }
        let mut merger = Merger::default();
        next.period = merger.required("period", &before.period, changes.period.as_ref())?;
        // Merged keyed by the criteria's names, so that a name that is no criterion is an
        // issue of its own (`scores.beauty`) rather than a failure to read the map.
        let stored: BTreeMap<String, Score> = before
            .scores
            .iter()
            .map(|(criterion, score)| (criterion.to_string(), score.clone()))
            .collect();
        let scores = merger.required("scores", &stored, changes.scores.as_ref())?;
        next.findings =
            merger.optional_text("findings", before.findings.as_ref(), &changes.findings)?;
        merger.finish()?;
        if changes.scores.is_some() {
            next.scores = check_scores(&scores).map_err(StoreError::Rejected)?;
        }
        if let Some(ids) = changes.evaluating_organisation_ids.clone() {
            next.evaluating_organisation_ids = ids;
        }
        if let Some(rating) = changes.overall_rating {
            next.overall_rating = rating;
        }
        if let Some(evidence) = changes.evidence.clone() {
            next.evidence = evidence;
        }
        let (_, subject) = validate(conn, &input_of(&next))?;
        check_unique(conn, &next, &subject)?;
        next.version += 1;
        next.updated_at = now();
        crate::error::unique_write(
            conn,
            |conn| save(conn, &next, published_revision),
            |conn| holder(conn, &next, &subject),
        )?;
        publication::written(conn, actor, Some(&before), &next, "updated", None)?;
        Ok(next)
    })
}

/// Publishes a complete draft, or starts a new revision of a published evaluation.
pub fn step(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    step: Step,
    note: Option<String>,
) -> StoreResult<Evaluation> {
    crate::database::write_transaction(conn, |conn| {
        let (before, published_revision) = current(conn, id, expected_version)?;
        publication::check_step(&before, step)?;
        let at = now();
        let mut next = before.clone();
        next.version += 1;
        next.updated_at = at;
        let (published_revision, event) = match step {
            Step::Publish => {
                let missing = before.missing_for_publication();
                if !missing.is_empty() {
                    return Err(StoreError::Conflict(format!(
                        "the evaluation is not complete: set {} before publishing it",
                        missing.join(", ")
                    )));
                }
                // The evidence may have changed since it was linked.
                validate(conn, &input_of(&before))?;
                next.state = PublicationState::Published;
                next.published_at = Some(at);
                next.published_by = Some(actor.login.clone());
                (Some(next.revision), "published")
            }
            Step::Revise => {
                next.state = PublicationState::Draft;
                next.revision += 1;
                next.published_at = None;
                next.published_by = None;
                (published_revision, "revised")
            }
        };
        save(conn, &next, published_revision)?;
        if step == Step::Publish {
            copies::publish(conn, &next.id, next.revision)?;
        }
        if let (Step::Publish, Some(rating)) = (step, next.overall_rating) {
            judgements::record_judgement::<Evaluation>(
                conn,
                &next.plan_id,
                &Judgement {
                    entity_id: next.id.clone(),
                    revision: next.revision,
                    cluster_id: next.cluster_id.clone(),
                    theme_id: next.theme_id.clone(),
                    period: next.period.to,
                    period_from: next.period.from,
                    judgement: rating.as_str().to_owned(),
                    round: Some(next.round.as_str().to_owned()),
                    published_at: at,
                },
            )?;
        }
        publication::written(conn, actor, Some(&before), &next, event, note.as_deref())?;
        Ok(next)
    })
}
