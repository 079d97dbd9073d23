//! Writes of follow-ups: create, change and move through the review, each in one transaction
//! with its access and four-eyes checks; approval keeps the approved revision.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kiv_domain::followup::{
    check_period, check_progress, check_reported_values, editable, transition, Transition,
};
use kiv_domain::{
    Action, Caller, FollowUp, FollowUpStatus, IndicatorMeasure, LocalizedText, PlanSchedule,
    ReportedValue, ReportingPeriod, WorkflowState,
};

use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::planning::actions;
use crate::reference::plans;
use crate::schema::{
    action_states, actions as action_table, approved_follow_ups, approved_values, audit_events,
    follow_up_contributions, follow_up_events, follow_up_values, follow_ups,
};

use super::queries::{get, readable, reportable_indicators};
use super::rows::{approval, row_of, split, to_follow_up, Approval, FollowUpRow, ValueRow};

/// The content of a follow-up, as created or after a change.
#[derive(Debug, Clone)]
pub struct FollowUpInput {
    pub action_id: String,
    pub period: ReportingPeriod,
    pub status: FollowUpStatus,
    pub progress: Option<f64>,
    pub narrative: Option<LocalizedText>,
    pub indicator_values: Vec<ReportedValue>,
}

/// The input as it is kept: blank languages of the narrative and of the comments dropped, so a
/// follow-up reads back the same whether it came as JSON or as a CSV line (whose empty cell is
/// no text). Checked input only: a narrative with no text at all is refused before.
pub(super) fn kept(input: &FollowUpInput) -> FollowUpInput {
    FollowUpInput {
        narrative: input
            .narrative
            .clone()
            .and_then(LocalizedText::without_blanks),
        indicator_values: input
            .indicator_values
            .iter()
            .map(|reported| ReportedValue {
                comment: reported
                    .comment
                    .clone()
                    .and_then(LocalizedText::without_blanks),
                ..reported.clone()
            })
            .collect(),
        ..input.clone()
    }
}

/// Changes to a follow-up (a JSON merge patch); `Some(None)` clears an optional field and the
/// narrative is merged into the stored one. Action and period never change.
#[derive(Debug, Clone, Default)]
pub struct FollowUpChanges {
    pub status: Option<FollowUpStatus>,
    pub progress: Option<Option<f64>>,
    pub narrative: Option<Option<kiv_domain::merge_patch::ObjectPatch>>,
    pub indicator_values: Option<Vec<ReportedValue>>,
}

/// What a follow-up write needs to know of its action: loaded once per request, or once per
/// chunk of an import.
pub(super) struct Known {
    pub(super) action: Action,
    pub(super) plan: PlanSchedule,
    /// The indicators of the action and of its objective.
    pub(super) reportable: Vec<(String, IndicatorMeasure)>,
}

fn know(conn: &mut DbConnection, action_id: &str) -> StoreResult<Known> {
    let action = action_for(conn, action_id)?;
    known(conn, action)
}

/// What a follow-up write needs to know of `action`, read for it.
fn known(conn: &mut DbConnection, action: Action) -> StoreResult<Known> {
    let plan = plans::schedule(conn, &action.plan_id)?.ok_or(StoreError::NotFound)?;
    let reportable = reportable_indicators(conn, &action)?;
    Ok(Known {
        action,
        plan,
        reportable,
    })
}

/// The lead organisation (and the coordinators) write and submit an action's follow-up:
/// `kiv_domain::Caller::check_follow_up_write`.
pub(super) fn check_may_write(actor: &Caller, action: &Action) -> StoreResult<()> {
    actor
        .check_follow_up_write(action)
        .map_err(StoreError::NotPermitted)
}

/// Checks the input against the action's plan and indicators; returns the progress to store.
fn validate(
    conn: &mut DbConnection,
    action: &Action,
    input: &FollowUpInput,
    today: NaiveDate,
) -> StoreResult<Option<f64>> {
    let known = known(conn, action.clone())?;
    check(&known, input, today)
}

/// The rules of a follow-up, against what is known of its action (no database access).
pub(super) fn check(
    known: &Known,
    input: &FollowUpInput,
    today: NaiveDate,
) -> StoreResult<Option<f64>> {
    let mut issues = Vec::new();
    issues.extend(check_period(&known.plan, input.period, today));
    let progress = match check_progress(input.status, input.progress) {
        Ok(progress) => progress,
        Err(issue) => {
            issues.push(*issue);
            None
        }
    };
    if let Some(narrative) = &input.narrative {
        issues.extend(kiv_domain::planning::check_text(
            "narrative",
            narrative,
            20_000,
        ));
    }
    issues.extend(check_reported_values(
        &input.indicator_values,
        &known.reportable,
    ));
    crate::records::reject_if_any(issues)?;
    Ok(progress)
}

fn action_for(conn: &mut DbConnection, action_id: &str) -> StoreResult<Action> {
    actions::get(conn, action_id)?.ok_or_else(|| StoreError::MissingReference {
        field: "actionId",
        id: action_id.to_owned(),
    })
}

fn write_values(conn: &mut DbConnection, id: &str, values: &[ReportedValue]) -> StoreResult<()> {
    diesel::delete(follow_up_values::table.filter(follow_up_values::follow_up_id.eq(id)))
        .execute(conn)?;
    insert_values(conn, id, values)
}

/// Writes a follow-up's values in one statement (a follow-up reports a handful).
fn insert_values(conn: &mut DbConnection, id: &str, values: &[ReportedValue]) -> StoreResult<()> {
    if values.is_empty() {
        return Ok(());
    }
    let rows: Vec<ValueRow> = (0..)
        .zip(values)
        .map(|(position, reported)| {
            let (number_value, text_value) = split(&reported.value);
            ValueRow {
                follow_up_id: id.to_owned(),
                indicator_id: reported.indicator_id.clone(),
                position,
                number_value,
                text_value,
                comment: reported.comment.clone().map(JsonValue),
            }
        })
        .collect();
    // Multi-row VALUES is outside the subset both backends share through `MultiConnection`.
    crate::on_backend!(conn, |inner| diesel::insert_into(follow_up_values::table)
        .values(&rows)
        .execute(inner))?;
    Ok(())
}

/// What happened to a follow-up, for its history.
fn record(
    conn: &mut DbConnection,
    actor: &Caller,
    follow_up: &FollowUp,
    event: &str,
    note: Option<&str>,
) -> StoreResult<()> {
    let snapshot =
        serde_json::to_value(follow_up).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    diesel::insert_into(follow_up_events::table)
        .values((
            follow_up_events::id.eq(uuid::Uuid::new_v4().to_string()),
            follow_up_events::follow_up_id.eq(&follow_up.id),
            follow_up_events::revision.eq(follow_up.revision),
            follow_up_events::event.eq(event),
            follow_up_events::account_login.eq(&actor.login),
            follow_up_events::organisation_id.eq(&actor.organisation_id),
            follow_up_events::occurred_at.eq(now()),
            follow_up_events::note.eq(note),
            follow_up_events::snapshot.eq(JsonValue(snapshot)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Creates a draft follow-up. `today` bounds the period: nobody reports on a period not begun.
pub fn create(
    conn: &mut DbConnection,
    actor: &Caller,
    input: FollowUpInput,
    today: NaiveDate,
) -> StoreResult<FollowUp> {
    crate::database::write_transaction(conn, |conn| insert(conn, actor, &input, today))
}

fn insert(
    conn: &mut DbConnection,
    actor: &Caller,
    input: &FollowUpInput,
    today: NaiveDate,
) -> StoreResult<FollowUp> {
    let known = know(conn, &input.action_id)?;
    check_may_write(actor, &known.action)?;
    let progress = check(&known, input, today)?;
    write_new(conn, actor, &known.action, &kept(input), progress)
}

/// Writes a new draft whose input has been checked.
pub(super) fn write_new(
    conn: &mut DbConnection,
    actor: &Caller,
    action: &Action,
    input: &FollowUpInput,
    progress: Option<f64>,
) -> StoreResult<FollowUp> {
    // The follow-up is the lead's, whoever writes it (its reporters, or a coordinator on its
    // behalf); partners contribute beside it.
    let organisation_id = action.lead_organisation_id.clone();
    let at = now();
    let row = FollowUpRow {
        id: uuid::Uuid::new_v4().to_string(),
        action_id: input.action_id.clone(),
        period: input.period.to_string(),
        period_start: input.period.start(),
        status: input.status.as_str().to_owned(),
        progress,
        narrative: input.narrative.clone().map(JsonValue),
        state: WorkflowState::Draft.as_str().to_owned(),
        organisation_id,
        created_by: actor.login.clone(),
        submitted_at: None,
        reviewed_by: None,
        reviewed_at: None,
        review_note: None,
        revision: 1,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    // One follow-up per action and period (a unique key): a second one is not written, and
    // only then is the first looked up, for the message.
    let written = crate::on_backend!(conn, |inner| diesel::insert_into(follow_ups::table)
        .values(&row)
        .on_conflict_do_nothing()
        .execute(inner))?;
    if written == 0 {
        let existing: String = follow_ups::table
            .filter(follow_ups::action_id.eq(&input.action_id))
            .filter(follow_ups::period.eq(input.period.to_string()))
            .select(follow_ups::id)
            .first(conn)?;
        let detail = format!(
            "action {} has a follow-up for {} already ({existing}); change that one",
            action.code, input.period
        );
        return Err(StoreError::duplicate(existing, detail));
    }
    insert_values(conn, &row.id, &input.indicator_values)?;
    let created = to_follow_up(row, input.indicator_values.clone())?;
    record(conn, actor, &created, "created", None)?;
    Ok(created)
}

/// The follow-up and its action, if `actor` may read them (`NotFound` otherwise) and the
/// follow-up is at `expected_version` (any version when `None`): who may see it is decided
/// before whether it changed, so a stale tag tells nothing of a follow-up the actor may not see.
fn current(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<(FollowUp, Action)> {
    let (current, action) = readable(conn, actor, id)?;
    crate::error::check_version(expected_version, &current)?;
    Ok((current, action))
}

/// Writes `row` only if the stored follow-up is still at `version`: of two concurrent writers
/// exactly one wins, the other is told the record changed.
fn save(conn: &mut DbConnection, row: &FollowUpRow, version: i32) -> StoreResult<()> {
    let written = diesel::update(
        follow_ups::table
            .filter(follow_ups::id.eq(&row.id))
            .filter(follow_ups::version.eq(version)),
    )
    .set(row)
    .execute(conn)?;
    crate::error::expect_one_written(written, version)
}

/// Changes a draft or returned follow-up.
pub fn update(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: FollowUpChanges,
    today: NaiveDate,
) -> StoreResult<FollowUp> {
    crate::database::write_transaction(conn, |conn| {
        let (current, action) = current(conn, actor, id, expected_version)?;
        check_may_write(actor, &action)?;
        if !editable(current.state) {
            return Err(StoreError::Conflict(format!(
                "a follow-up that is {} cannot be edited; {}",
                current.state,
                if current.state == WorkflowState::Approved {
                    "a coordinator reopens it as a new revision"
                } else {
                    "a coordinator returns it first"
                }
            )));
        }
        replace(conn, actor, current, changes, &action, today)
    })
}

fn replace(
    conn: &mut DbConnection,
    actor: &Caller,
    current: FollowUp,
    changes: FollowUpChanges,
    action: &Action,
    today: NaiveDate,
) -> StoreResult<FollowUp> {
    let status = changes.status.unwrap_or(current.status);
    let mut merger = crate::patch::Merger::default();
    let narrative =
        merger.optional_text("narrative", current.narrative.as_ref(), &changes.narrative)?;
    merger.finish()?;
    let input = FollowUpInput {
        action_id: current.action_id.clone(),
        period: current.period,
        status,
        // A new status without a progress does not inherit one that no longer fits.
        progress: match changes.progress {
            Some(progress) => progress,
            None if changes.status.is_some() && matches!(status, FollowUpStatus::Completed) => None,
            None => current.progress,
        },
        narrative,
        indicator_values: changes
            .indicator_values
            .unwrap_or_else(|| current.indicator_values.clone()),
    };
    let progress = validate(conn, action, &input, today)?;
    write_changed(conn, actor, &current, &kept(&input), progress)
}

/// Writes checked new content over a draft or returned follow-up.
pub(super) fn write_changed(
    conn: &mut DbConnection,
    actor: &Caller,
    current: &FollowUp,
    input: &FollowUpInput,
    progress: Option<f64>,
) -> StoreResult<FollowUp> {
    let mut row = row_of(current);
    row.status = input.status.as_str().to_owned();
    row.progress = progress;
    row.narrative = input.narrative.clone().map(JsonValue);
    save(conn, &row, current.version)?;
    write_values(conn, &current.id, &input.indicator_values)?;
    let updated = to_follow_up(row, input.indicator_values.clone())?;
    record(conn, actor, &updated, "updated", None)?;
    Ok(updated)
}

/// Moves a follow-up through its review. The caller's role is checked by the HTTP layer (submit:
/// reporter or coordinator; the others: coordinator); its right to the object here, and for an
/// approval or a return the four-eyes rule: nobody reviews a revision they wrote or submitted.
pub fn apply(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    move_: Transition,
    note: Option<String>,
) -> StoreResult<FollowUp> {
    crate::database::write_transaction(conn, |conn| {
        let (current, action) = current(conn, actor, id, expected_version)?;
        if move_ == Transition::Submit {
            check_may_write(actor, &action)?;
        }
        let state = transition(current.state, move_)?;
        if matches!(move_, Transition::Approve | Transition::Return) {
            let authors = revision_authors(conn, &current)?;
            actor
                .check_four_eyes(&authors)
                .map_err(StoreError::NotPermitted)?;
        }
        let at = now();
        let mut row = row_of(&current);
        row.state = state.as_str().to_owned();
        match move_ {
            Transition::Submit => {
                row.submitted_at = Some(at);
            }
            Transition::Approve | Transition::Return => {
                row.reviewed_by = Some(actor.login.clone());
                row.reviewed_at = Some(at);
                row.review_note = note.clone();
            }
            Transition::Reopen => {
                row.revision = current.revision + 1;
                row.submitted_at = None;
                row.reviewed_by = None;
                row.reviewed_at = None;
                row.review_note = note.clone();
            }
        }
        save(conn, &row, current.version)?;
        let moved = get(conn, id)?.ok_or(StoreError::NotFound)?;
        if move_ == Transition::Approve {
            approve(conn, actor, &moved, at)?;
        }
        let event = match move_ {
            Transition::Submit => "submitted",
            Transition::Approve => "approved",
            Transition::Return => "returned",
            Transition::Reopen => "reopened",
        };
        record(conn, actor, &moved, event, note.as_deref())?;
        Ok(moved)
    })
}

/// Who wrote or submitted the follow-up's current revision, for the four-eyes rule
/// (`kiv_domain::Caller::check_four_eyes`): the accounts of its history's `created`, `updated`
/// and `submitted` steps of that revision (a return and a new submission stay in the revision),
/// its creator for the first revision, and whoever wrote a partner's contribution to it since
/// the revision began (contributions freeze with the submission, so they are part of what is
/// reviewed).
fn revision_authors(conn: &mut DbConnection, follow_up: &FollowUp) -> StoreResult<Vec<String>> {
    let of_revision = || {
        follow_up_events::table
            .filter(follow_up_events::follow_up_id.eq(&follow_up.id))
            .filter(follow_up_events::revision.eq(follow_up.revision))
    };
    let mut authors: Vec<String> = of_revision()
        .filter(follow_up_events::event.eq_any(["created", "updated", "submitted"]))
        .select(follow_up_events::account_login)
        .distinct()
        .load(conn)?;
    if follow_up.revision == 1 {
        authors.push(follow_up.created_by.clone());
    }
    let began: Option<NaiveDateTime> = of_revision()
        .select(diesel::dsl::min(follow_up_events::occurred_at))
        .first(conn)?;
    let contributions = follow_up_contributions::table
        .filter(follow_up_contributions::follow_up_id.eq(&follow_up.id))
        .select(follow_up_contributions::id);
    let mut contributors = audit_events::table
        .filter(audit_events::entity_type.eq("followUpContribution"))
        .filter(audit_events::entity_id.eq_any(contributions))
        .select(audit_events::account_login)
        .distinct()
        .into_boxed();
    if let Some(began) = began {
        contributors = contributors.filter(audit_events::occurred_at.ge(began));
    }
    authors.extend(contributors.load::<String>(conn)?);
    authors.sort();
    authors.dedup();
    Ok(authors)
}

/// Keeps the approved revision for good and makes it the action's state if it is the latest.
fn approve(
    conn: &mut DbConnection,
    actor: &Caller,
    follow_up: &FollowUp,
    at: NaiveDateTime,
) -> StoreResult<()> {
    let Approval {
        approved,
        values: approved_values,
        state,
    } = approval(
        follow_up,
        uuid::Uuid::new_v4().to_string(),
        &actor.login,
        at,
    );
    diesel::insert_into(approved_follow_ups::table)
        .values(&approved)
        .execute(conn)?;
    for value in &approved_values {
        diesel::insert_into(approved_values::table)
            .values(value)
            .execute(conn)?;
    }
    let values = || {
        (
            action_states::approved_id.eq(&state.approved_id),
            action_states::status.eq(&state.status),
            action_states::progress.eq(state.progress),
            action_states::period.eq(&state.period),
            action_states::period_start.eq(state.period_start),
            action_states::approved_at.eq(state.approved_at),
        )
    };
    // The action's first state, unless another approval of the same action stored one at the
    // same moment (one row per action): then this one replaces it if it is not for an earlier
    // period, as it would have one stored before.
    let inserted = crate::on_backend!(conn, |inner| diesel::insert_into(action_states::table)
        .values(&state)
        .on_conflict_do_nothing()
        .execute(inner))?;
    if inserted == 0 {
        // An approval for an earlier period does not override a later one.
        diesel::update(
            action_states::table
                .find(&follow_up.action_id)
                .filter(action_states::period_start.le(follow_up.period.start())),
        )
        .set(values())
        .execute(conn)?;
    }
    // The action row keeps a copy of its state's status for the action list's filters and
    // indexes; whichever approval's state stands, the copy follows it.
    diesel::update(action_table::table.find(&follow_up.action_id))
        .set(
            action_table::status.eq(action_states::table
                .find(&follow_up.action_id)
                .select(action_states::status)
                .single_value()),
        )
        .execute(conn)?;
    Ok(())
}
