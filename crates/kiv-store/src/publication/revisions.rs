//! What cluster follow-ups and evaluations share: drafts that coordinators write and publish,
//! published revisions that readers see (also while the next revision is being written), the
//! history of every step. The judgements a publication leaves for the progress report are kept
//! by `crate::judgements`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::{Caller, PageRequest, PublicationState};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::judgements::Judged;
use crate::page::{load_page, total_count, Page};
use crate::schema::publication_events;

/// A record written as drafts and published in revisions; its entity type is
/// [`Judged::ENTITY`].
pub trait Publishable: Judged + Serialize + DeserializeOwned {
    /// Its name in messages: `cluster follow-up`.
    const NAME: &'static str;
    fn id(&self) -> &str;
    fn state(&self) -> PublicationState;
    fn revision(&self) -> i32;
}

impl Publishable for kiv_domain::evaluation::ClusterFollowUp {
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
}

impl Publishable for kiv_domain::evaluation::Evaluation {
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
    if caller.may_read_drafts() || is_published {
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
    load_page(
        conn,
        filtered()
            .order((
                publication_events::occurred_at.asc(),
                publication_events::revision.asc(),
            ))
            .select((PublicationEvent::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )
}
