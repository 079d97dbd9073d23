//! What cluster follow-ups and evaluations share: drafts that coordinators write and publish,
//! published revisions that readers see (also while the next revision is being written), the
//! history of every step, and the published judgements the progress report shows as of a moment.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::{Caller, PageRequest, PublicationState, ReportingPeriod, Role};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::Page;
use crate::schema::{publication_events, published_assessments};

/// A record written as drafts and published in revisions.
pub trait Publishable: Serialize + DeserializeOwned {
    /// Its entity type in the history and the audit trail: `clusterFollowUp`, `evaluation`.
    const ENTITY: &'static str;
    /// Its name in messages: `cluster follow-up`.
    const NAME: &'static str;
    fn id(&self) -> &str;
    fn state(&self) -> PublicationState;
    fn revision(&self) -> i32;
    /// Whether a published judgement covering `from..=to` stands in a report of `period`.
    fn judges(from: ReportingPeriod, to: ReportingPeriod, period: ReportingPeriod) -> bool;
}

impl Publishable for kiv_domain::evaluation::ClusterFollowUp {
    const ENTITY: &'static str = "clusterFollowUp";
    const NAME: &'static str = "cluster follow-up";
    fn id(&self) -> &str {
        &self.id
    }
    fn state(&self) -> PublicationState {
        self.state
    }
    fn revision(&self) -> i32 {
        self.revision
    }
    fn judges(_from: ReportingPeriod, to: ReportingPeriod, period: ReportingPeriod) -> bool {
        kiv_domain::report::assessment_applies(to, period)
    }
}

impl Publishable for kiv_domain::evaluation::Evaluation {
    const ENTITY: &'static str = "evaluation";
    const NAME: &'static str = "evaluation";
    fn id(&self) -> &str {
        &self.id
    }
    fn state(&self) -> PublicationState {
        self.state
    }
    fn revision(&self) -> i32 {
        self.revision
    }
    fn judges(from: ReportingPeriod, _to: ReportingPeriod, period: ReportingPeriod) -> bool {
        kiv_domain::report::evaluation_applies(from, period)
    }
}

/// Whether `caller` reads drafts: coordinators write them, everybody else sees what is published.
pub fn reads_drafts(caller: &Caller) -> bool {
    caller.has_any(&[Role::Coordinator])
}

/// Records a change in the record's history and in the audit trail: `before` is `None` for a
/// creation.
pub fn written<T: Publishable>(
    conn: &mut DbConnection,
    actor: &Caller,
    before: Option<&T>,
    after: &T,
    event: &str,
    note: Option<&str>,
) -> StoreResult<()> {
    record_event(conn, actor, after, event, note)?;
    let operation = if before.is_some() {
        Operation::Update
    } else {
        Operation::Create
    };
    audit::record(
        conn,
        actor,
        T::ENTITY,
        after.id(),
        operation,
        before,
        Some(after),
    )
}

/// The versions of `rows` (current record, latest published revision) `caller` may read, in
/// order; the ones it may not read are left out.
pub fn visible_page<T: Publishable>(
    conn: &mut DbConnection,
    caller: &Caller,
    rows: Vec<(T, Option<i32>)>,
) -> StoreResult<Vec<T>> {
    let mut items = Vec::with_capacity(rows.len());
    for (current, published_revision) in rows {
        if let Some(visible) = visible(conn, caller, current, published_revision)? {
            items.push(visible);
        }
    }
    Ok(items)
}

/// Records a step in the record's history, with the record as it is after it.
pub fn record_event<T: Publishable>(
    conn: &mut DbConnection,
    actor: &Caller,
    record: &T,
    event: &str,
    note: Option<&str>,
) -> StoreResult<()> {
    let snapshot = serde_json::to_value(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    diesel::insert_into(publication_events::table)
        .values((
            publication_events::id.eq(uuid::Uuid::new_v4().to_string()),
            publication_events::entity_type.eq(T::ENTITY),
            publication_events::entity_id.eq(record.id()),
            publication_events::revision.eq(record.revision()),
            publication_events::event.eq(event),
            publication_events::account_login.eq(&actor.login),
            publication_events::organisation_id.eq(&actor.organisation_id),
            publication_events::occurred_at.eq(now()),
            publication_events::note.eq(note),
            publication_events::snapshot.eq(JsonValue(snapshot)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The published revisions of `ids`, as they were published: `(id, published revision)` pairs.
pub fn published<T: Publishable>(
    conn: &mut DbConnection,
    wanted: &[(String, i32)],
) -> StoreResult<Vec<T>> {
    let ids: Vec<&str> = wanted.iter().map(|(id, _)| id.as_str()).collect();
    let rows: Vec<(String, i32, JsonValue<serde_json::Value>)> = publication_events::table
        .filter(publication_events::entity_type.eq(T::ENTITY))
        .filter(publication_events::entity_id.eq_any(&ids))
        .filter(publication_events::event.eq("published"))
        .select((
            publication_events::entity_id,
            publication_events::revision,
            publication_events::snapshot,
        ))
        .load(conn)?;
    let mut found = Vec::with_capacity(wanted.len());
    for (id, revision) in wanted {
        if let Some((_, _, snapshot)) = rows.iter().find(|r| &r.0 == id && r.1 == *revision) {
            found.push(serde_json::from_value(snapshot.0.clone()).map_err(StoreError::corrupt)?);
        }
    }
    Ok(found)
}

/// The version `caller` may read of a record whose current state is `current` and whose latest
/// published revision is `published_revision`: coordinators the current one, others the
/// published one (none before the first publication).
pub fn visible<T: Publishable>(
    conn: &mut DbConnection,
    caller: &Caller,
    current: T,
    published_revision: Option<i32>,
) -> StoreResult<Option<T>> {
    let is_published = current.state() == PublicationState::Published
        && published_revision == Some(current.revision());
    if reads_drafts(caller) || is_published {
        return Ok(Some(current));
    }
    let Some(revision) = published_revision else {
        return Ok(None);
    };
    Ok(published::<T>(conn, &[(current.id().to_owned(), revision)])?.pop())
}

/// Refuses a publication step the state does not allow.
pub fn check_step<T: Publishable>(current: &T, step: Step) -> StoreResult<()> {
    match (current.state(), step) {
        (PublicationState::Draft, Step::Publish) | (PublicationState::Published, Step::Revise) => {
            Ok(())
        }
        (PublicationState::Published, Step::Publish) => Err(StoreError::Conflict(format!(
            "the {} is published already (revision {})",
            T::NAME,
            current.revision()
        ))),
        (PublicationState::Draft, Step::Revise) => Err(StoreError::Conflict(format!(
            "the {} is a draft: edit it, or publish it first",
            T::NAME
        ))),
    }
}

/// Refuses an edit of a published record: corrections go into a new revision.
pub fn check_editable<T: Publishable>(current: &T) -> StoreResult<()> {
    kiv_domain::evaluation::check_editable(T::NAME, current.state()).map_err(StoreError::Conflict)
}

/// A move in the publication workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Draft → published: frozen, and visible to every reader.
    Publish,
    /// Published → draft of the next revision; the published one stays visible until then.
    Revise,
}

/// One entry of a history.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = publication_events)]
pub struct PublicationEvent {
    pub revision: i32,
    /// `created`, `updated`, `published`, `revised`.
    pub event: String,
    pub account_login: String,
    pub organisation_id: String,
    pub occurred_at: NaiveDateTime,
    pub note: Option<String>,
    pub snapshot: JsonValue<serde_json::Value>,
}

/// The history of one record, oldest first. Readers who do not read drafts see the publications
/// only.
pub fn history<T: Publishable>(
    conn: &mut DbConnection,
    id: &str,
    drafts_too: bool,
    page: PageRequest,
) -> StoreResult<Page<PublicationEvent>> {
    let filtered = || {
        let mut query = publication_events::table
            .filter(publication_events::entity_type.eq(T::ENTITY))
            .filter(publication_events::entity_id.eq(id.to_owned()))
            .into_boxed();
        if !drafts_too {
            query = query.filter(publication_events::event.eq("published"));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((
            publication_events::occurred_at.asc(),
            publication_events::revision.asc(),
        ))
        .limit(page.limit())
        .offset(page.offset())
        .select(PublicationEvent::as_select())
        .load(conn)?;
    Ok(Page { items, total })
}

/// A published judgement, as the progress report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub entity_id: String,
    pub revision: i32,
    pub cluster_id: Option<String>,
    pub theme_id: Option<String>,
    /// The period judged (for an evaluation, the last one it covers).
    pub period: ReportingPeriod,
    /// The first period judged (for a cluster follow-up, its period).
    pub period_from: ReportingPeriod,
    /// The assessment of a cluster follow-up, or the overall rating of an evaluation.
    pub judgement: String,
    /// The round of an evaluation.
    pub round: Option<String>,
    pub published_at: NaiveDateTime,
}

/// Keeps a published revision's judgement for the progress report.
pub fn record_judgement<T: Publishable>(
    conn: &mut DbConnection,
    plan_id: &str,
    judgement: &Judgement,
) -> StoreResult<()> {
    diesel::insert_into(published_assessments::table)
        .values((
            published_assessments::id.eq(uuid::Uuid::new_v4().to_string()),
            published_assessments::entity_type.eq(T::ENTITY),
            published_assessments::entity_id.eq(&judgement.entity_id),
            published_assessments::revision.eq(judgement.revision),
            published_assessments::plan_id.eq(plan_id),
            published_assessments::cluster_id.eq(&judgement.cluster_id),
            published_assessments::theme_id.eq(&judgement.theme_id),
            published_assessments::period.eq(judgement.period.to_string()),
            published_assessments::period_start.eq(judgement.period.start()),
            published_assessments::period_from.eq(judgement.period_from.to_string()),
            published_assessments::judgement.eq(&judgement.judgement),
            published_assessments::round.eq(&judgement.round),
            published_assessments::published_at.eq(judgement.published_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Per cluster of `plan_id`, the judgement of kind `T` that stands in a report of `period` as
/// of `as_of`: of those published by `as_of` that judge `period` ([`Publishable::judges`]), the
/// one for the latest period, and of that period the latest revision.
pub fn latest_judgements<T: Publishable>(
    conn: &mut DbConnection,
    plan_id: &str,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
) -> StoreResult<Vec<Judgement>> {
    type Row = (
        String,
        i32,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        String,
        Option<String>,
        NaiveDateTime,
    );
    let rows: Vec<Row> = published_assessments::table
        .filter(published_assessments::plan_id.eq(plan_id))
        .filter(published_assessments::entity_type.eq(T::ENTITY))
        .filter(published_assessments::published_at.le(as_of))
        .select((
            published_assessments::entity_id,
            published_assessments::revision,
            published_assessments::cluster_id,
            published_assessments::theme_id,
            published_assessments::period,
            published_assessments::period_from,
            published_assessments::judgement,
            published_assessments::round,
            published_assessments::published_at,
        ))
        .load(conn)?;
    let mut latest: Vec<Judgement> = Vec::new();
    for (entity_id, revision, cluster_id, theme_id, to, from, judgement, round, published_at) in
        rows
    {
        let to: ReportingPeriod = to.parse().map_err(StoreError::corrupt)?;
        let from: ReportingPeriod = match from {
            Some(from) => from.parse().map_err(StoreError::corrupt)?,
            None => to,
        };
        if !T::judges(from, to, period) {
            continue;
        }
        let candidate = Judgement {
            entity_id,
            revision,
            cluster_id,
            theme_id,
            period: to,
            period_from: from,
            judgement,
            round,
            published_at,
        };
        let key = |j: &Judgement| (j.period, j.published_at);
        match latest
            .iter_mut()
            .find(|j| j.cluster_id == candidate.cluster_id && j.theme_id == candidate.theme_id)
        {
            Some(best) if key(best) < key(&candidate) => *best = candidate,
            Some(_) => {}
            None => latest.push(candidate),
        }
    }
    Ok(latest)
}
