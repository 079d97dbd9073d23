//! Follow-ups and their review. Each write is one transaction; a change to a follow-up only
//! happens if it is still at the version the caller read (a conditional update, so of two
//! concurrent submits exactly one wins). Approval copies the follow-up into an immutable approved
//! revision, which is what reports count, and moves the action's current state.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kiv_domain::access::{check_follow_up_write, check_four_eyes};
use kiv_domain::followup::{
    action_status, check_period, check_progress, check_reported_values, editable, transition,
    Transition,
};
use kiv_domain::planning::{ActionState, IndicatorValue};
use kiv_domain::{
    Action, Caller, FollowUp, FollowUpStatus, IndicatorMeasure, LocalizedText, PageRequest,
    PlanSchedule, ReportedValue, ReportingPeriod, WorkflowState,
};

use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::Page;
use crate::planning::actions;
use crate::reference::plans;
use crate::schema::{
    action_partners, action_states, actions as action_table, approved_follow_ups, approved_values,
    audit_events, follow_up_contributions, follow_up_events, follow_up_values, follow_ups,
    indicators,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = follow_ups,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(crate) struct FollowUpRow {
    pub(crate) id: String,
    pub(crate) action_id: String,
    pub(crate) period: String,
    pub(crate) period_start: NaiveDate,
    pub(crate) status: String,
    pub(crate) progress: Option<f64>,
    pub(crate) narrative: Option<JsonValue<LocalizedText>>,
    pub(crate) state: String,
    pub(crate) organisation_id: String,
    pub(crate) created_by: String,
    pub(crate) submitted_at: Option<NaiveDateTime>,
    pub(crate) reviewed_by: Option<String>,
    pub(crate) reviewed_at: Option<NaiveDateTime>,
    pub(crate) review_note: Option<String>,
    pub(crate) revision: i32,
    pub(crate) version: i32,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = follow_up_values, treat_none_as_default_value = false)]
pub(crate) struct ValueRow {
    pub(crate) follow_up_id: String,
    pub(crate) indicator_id: String,
    pub(crate) position: i32,
    pub(crate) number_value: Option<f64>,
    pub(crate) text_value: Option<String>,
    pub(crate) comment: Option<JsonValue<LocalizedText>>,
}

impl ValueRow {
    fn reported(self) -> ReportedValue {
        ReportedValue {
            indicator_id: self.indicator_id,
            value: match (self.number_value, self.text_value) {
                (Some(number), _) => IndicatorValue::Number(number),
                (None, text) => IndicatorValue::Text(text.unwrap_or_default()),
            },
            comment: self.comment.map(|c| c.0),
        }
    }
}

fn split(value: &IndicatorValue) -> (Option<f64>, Option<String>) {
    match value {
        IndicatorValue::Number(number) => (Some(*number), None),
        IndicatorValue::Text(text) => (None, Some(text.clone())),
    }
}

fn to_follow_up(row: FollowUpRow, values: Vec<ReportedValue>) -> StoreResult<FollowUp> {
    let FollowUpRow {
        id,
        action_id,
        period,
        period_start: _,
        status,
        progress,
        narrative,
        state,
        organisation_id,
        created_by,
        submitted_at,
        reviewed_by,
        reviewed_at,
        review_note,
        revision,
        version,
        created_at,
        updated_at,
    } = row;
    Ok(FollowUp {
        period: period.parse().map_err(StoreError::corrupt)?,
        status: status.parse().map_err(StoreError::corrupt)?,
        state: state.parse().map_err(StoreError::corrupt)?,
        id,
        action_id,
        progress,
        narrative: narrative.map(|n| n.0),
        indicator_values: values,
        organisation_id,
        created_by,
        submitted_at,
        reviewed_by,
        reviewed_at,
        review_note,
        revision,
        version,
        created_at,
        updated_at,
    })
}

fn with_values(conn: &mut DbConnection, rows: Vec<FollowUpRow>) -> StoreResult<Vec<FollowUp>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let values: Vec<ValueRow> = follow_up_values::table
        .filter(follow_up_values::follow_up_id.eq_any(&ids))
        .order((follow_up_values::follow_up_id, follow_up_values::position))
        .select(ValueRow::as_select())
        .load(conn)?;
    let mut grouped: HashMap<String, Vec<ReportedValue>> = HashMap::new();
    for value in values {
        grouped
            .entry(value.follow_up_id.clone())
            .or_default()
            .push(value.reported());
    }
    rows.into_iter()
        .map(|row| {
            let values = grouped.remove(&row.id).unwrap_or_default();
            to_follow_up(row, values)
        })
        .collect()
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<FollowUp>> {
    let row = follow_ups::table
        .find(id)
        .select(FollowUpRow::as_select())
        .first(conn)
        .optional()?;
    Ok(with_values(conn, row.into_iter().collect())?.pop())
}

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
fn kept(input: &FollowUpInput) -> FollowUpInput {
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

/// The indicators a follow-up of `action` may report: the action's and its objective's.
pub(crate) fn reportable_indicators(
    conn: &mut DbConnection,
    action: &Action,
) -> StoreResult<Vec<(String, IndicatorMeasure)>> {
    let rows: Vec<(String, String)> = indicators::table
        .filter(
            indicators::action_id
                .eq(&action.id)
                .or(indicators::objective_id.eq(&action.objective_id)),
        )
        .select((indicators::id, indicators::measure))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, measure)| Ok((id, measure.parse().map_err(StoreError::corrupt)?)))
        .collect()
}

/// What a follow-up write needs to know of its action: loaded once per request, or once per
/// chunk of an import.
struct Known {
    action: Action,
    plan: PlanSchedule,
    /// The indicators of the action and of its objective.
    reportable: Vec<(String, IndicatorMeasure)>,
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
/// `kiv_domain::access::check_follow_up_write`.
fn check_may_write(actor: &Caller, action: &Action) -> StoreResult<()> {
    check_follow_up_write(actor, action).map_err(StoreError::NotPermitted)
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
fn check(known: &Known, input: &FollowUpInput, today: NaiveDate) -> StoreResult<Option<f64>> {
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
    crate::planning::reject_if_any(issues)?;
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
fn write_new(
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

/// The follow-up, if it is at `expected_version` (any version when `None`).
fn current(
    conn: &mut DbConnection,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<FollowUp> {
    let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
    crate::error::check_version(expected_version, &current)?;
    Ok(current)
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

fn row_of(follow_up: &FollowUp) -> FollowUpRow {
    FollowUpRow {
        id: follow_up.id.clone(),
        action_id: follow_up.action_id.clone(),
        period: follow_up.period.to_string(),
        period_start: follow_up.period.start(),
        status: follow_up.status.as_str().to_owned(),
        progress: follow_up.progress,
        narrative: follow_up.narrative.clone().map(JsonValue),
        state: follow_up.state.as_str().to_owned(),
        organisation_id: follow_up.organisation_id.clone(),
        created_by: follow_up.created_by.clone(),
        submitted_at: follow_up.submitted_at,
        reviewed_by: follow_up.reviewed_by.clone(),
        reviewed_at: follow_up.reviewed_at,
        review_note: follow_up.review_note.clone(),
        revision: follow_up.revision,
        version: follow_up.version + 1,
        created_at: follow_up.created_at,
        updated_at: now(),
    }
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
        let current = current(conn, id, expected_version)?;
        let action = action_for(conn, &current.action_id)?;
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
fn write_changed(
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
        let current = current(conn, id, expected_version)?;
        let action = action_for(conn, &current.action_id)?;
        if move_ == Transition::Submit {
            check_may_write(actor, &action)?;
        }
        let state = transition(current.state, move_)?;
        if matches!(move_, Transition::Approve | Transition::Return) {
            let authors = revision_authors(conn, &current)?;
            check_four_eyes(actor, &authors).map_err(StoreError::NotPermitted)?;
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
/// (`kiv_domain::access::check_four_eyes`): the accounts of its history's `created`, `updated`
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
    let approved_id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(approved_follow_ups::table)
        .values((
            approved_follow_ups::id.eq(&approved_id),
            approved_follow_ups::follow_up_id.eq(&follow_up.id),
            approved_follow_ups::revision.eq(follow_up.revision),
            approved_follow_ups::action_id.eq(&follow_up.action_id),
            approved_follow_ups::period.eq(follow_up.period.to_string()),
            approved_follow_ups::period_start.eq(follow_up.period.start()),
            approved_follow_ups::status.eq(follow_up.status.as_str()),
            approved_follow_ups::progress.eq(follow_up.progress),
            approved_follow_ups::approved_at.eq(at),
            approved_follow_ups::approved_by.eq(&actor.login),
        ))
        .execute(conn)?;
    for reported in &follow_up.indicator_values {
        let (number_value, text_value) = split(&reported.value);
        diesel::insert_into(approved_values::table)
            .values((
                approved_values::approved_id.eq(&approved_id),
                approved_values::indicator_id.eq(&reported.indicator_id),
                approved_values::number_value.eq(number_value),
                approved_values::text_value.eq(text_value),
            ))
            .execute(conn)?;
    }
    let values = || {
        (
            action_states::approved_id.eq(&approved_id),
            action_states::status.eq(follow_up.status.as_str()),
            action_states::progress.eq(follow_up.progress),
            action_states::period.eq(follow_up.period.to_string()),
            action_states::period_start.eq(follow_up.period.start()),
            action_states::approved_at.eq(at),
        )
    };
    // The action's first state, unless another approval of the same action stored one at the
    // same moment (one row per action): then this one replaces it if it is not for an earlier
    // period, as it would have one stored before.
    let inserted = crate::on_backend!(conn, |inner| diesel::insert_into(action_states::table)
        .values((action_states::action_id.eq(&follow_up.action_id), values()))
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
    Ok(())
}

/// One entry of a follow-up's history.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = follow_up_events)]
pub struct FollowUpEvent {
    pub id: String,
    pub follow_up_id: String,
    pub revision: i32,
    /// `created`, `updated`, `submitted`, `approved`, `returned`, `reopened`.
    pub event: String,
    pub account_login: String,
    pub organisation_id: String,
    pub occurred_at: NaiveDateTime,
    pub note: Option<String>,
    pub snapshot: JsonValue<serde_json::Value>,
}

/// Every event of a follow-up, oldest first.
pub fn history(
    conn: &mut DbConnection,
    id: &str,
    page: PageRequest,
) -> StoreResult<Page<FollowUpEvent>> {
    let filtered = || follow_up_events::table.filter(follow_up_events::follow_up_id.eq(id));
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((
            follow_up_events::occurred_at.asc(),
            follow_up_events::revision.asc(),
        ))
        .limit(page.limit())
        .offset(page.offset())
        .select(FollowUpEvent::as_select())
        .load(conn)?;
    Ok(Page { items, total })
}

/// The current state of each action: its latest approved follow-up, `notReported` without one.
pub fn action_states(
    conn: &mut DbConnection,
    action_ids: &[&str],
) -> StoreResult<HashMap<String, ActionState>> {
    let rows: Vec<(String, String, Option<f64>, String)> = action_states::table
        .filter(action_states::action_id.eq_any(action_ids))
        .select((
            action_states::action_id,
            action_states::status,
            action_states::progress,
            action_states::period,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(action_id, status, progress, period)| {
            Ok((action_id, action_state(&status, progress, &period)?))
        })
        .collect()
}

/// An action's state from its `action_states` row: the status, progress and period of its
/// latest approved follow-up.
pub(crate) fn action_state(
    status: &str,
    progress: Option<f64>,
    period: &str,
) -> StoreResult<ActionState> {
    let status: FollowUpStatus = status.parse().map_err(StoreError::corrupt)?;
    Ok(ActionState {
        status: action_status(status),
        progress,
        period: Some(period.parse().map_err(StoreError::corrupt)?),
    })
}

/// Filters of the follow-up collection.
#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    pub action_id: Option<String>,
    pub period: Option<ReportingPeriod>,
    pub state: Option<WorkflowState>,
    pub status: Option<FollowUpStatus>,
    /// Follow-ups reported by this organisation.
    pub organisation_id: Option<String>,
    pub plan_id: Option<String>,
    /// Only follow-ups of actions this organisation leads or takes part in (a reporter's view).
    pub involving: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &FollowUpFilter,
    page: PageRequest,
) -> StoreResult<Page<FollowUp>> {
    use crate::schema::objectives;
    let filtered = || {
        let mut query = follow_ups::table.into_boxed();
        if let Some(action_id) = &filter.action_id {
            query = query.filter(follow_ups::action_id.eq(action_id.clone()));
        }
        if let Some(period) = filter.period {
            query = query.filter(follow_ups::period.eq(period.to_string()));
        }
        if let Some(state) = filter.state {
            query = query.filter(follow_ups::state.eq(state.as_str()));
        }
        if let Some(status) = filter.status {
            query = query.filter(follow_ups::status.eq(status.as_str()));
        }
        if let Some(organisation_id) = &filter.organisation_id {
            query = query.filter(follow_ups::organisation_id.eq(organisation_id.clone()));
        }
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(
                follow_ups::action_id.eq_any(
                    action_table::table
                        .inner_join(objectives::table)
                        .filter(objectives::plan_id.eq(plan_id.clone()))
                        .select(action_table::id),
                ),
            );
        }
        if let Some(organisation_id) = &filter.involving {
            query = query.filter(
                follow_ups::action_id
                    .eq_any(
                        action_table::table
                            .filter(action_table::lead_organisation_id.eq(organisation_id.clone()))
                            .select(action_table::id),
                    )
                    .or(follow_ups::action_id.eq_any(
                        action_partners::table
                            .filter(action_partners::organisation_id.eq(organisation_id.clone()))
                            .select(action_partners::action_id),
                    )),
            );
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows: Vec<FollowUpRow> = filtered()
        .order((follow_ups::period_start.desc(), follow_ups::action_id.asc()))
        .limit(page.limit())
        .offset(page.offset())
        .select(FollowUpRow::as_select())
        .load(conn)?;
    Ok(Page {
        items: with_values(conn, rows)?,
        total,
    })
}

/// The actions due a report for `period` that have none submitted or approved: planned during
/// the period, not cancelled, optionally of one organisation (lead or partner).
pub fn missing(
    conn: &mut DbConnection,
    period: ReportingPeriod,
    organisation_id: Option<&str>,
    page: PageRequest,
) -> StoreResult<Page<Action>> {
    let reported = follow_ups::table
        .filter(follow_ups::period.eq(period.to_string()))
        .filter(follow_ups::state.eq_any([
            WorkflowState::Submitted.as_str(),
            WorkflowState::Approved.as_str(),
        ]))
        .select(follow_ups::action_id);
    let approved = approved_follow_ups::table
        .filter(approved_follow_ups::period.eq(period.to_string()))
        .select(approved_follow_ups::action_id);
    let cancelled = action_states::table
        .filter(action_states::status.eq(FollowUpStatus::Cancelled.as_str()))
        .select(action_states::action_id);
    let mut query = action_table::table
        .filter(action_table::planned_start.le(period.end()))
        .filter(action_table::planned_end.ge(period.start()))
        .filter(diesel::dsl::not(action_table::id.eq_any(reported)))
        .filter(diesel::dsl::not(action_table::id.eq_any(approved)))
        .filter(diesel::dsl::not(action_table::id.eq_any(cancelled)))
        .select(action_table::id)
        .into_boxed();
    if let Some(organisation_id) = organisation_id {
        query = query.filter(
            action_table::lead_organisation_id
                .eq(organisation_id.to_owned())
                .or(action_table::id.eq_any(
                    action_partners::table
                        .filter(action_partners::organisation_id.eq(organisation_id.to_owned()))
                        .select(action_partners::action_id),
                )),
        );
    }
    let ids: Vec<String> = query.order(action_table::id).load(conn)?;
    let total = i64::try_from(ids.len()).unwrap_or(i64::MAX);
    let start = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let chosen: Vec<&str> = ids
        .iter()
        .skip(start)
        .take(usize::try_from(page.limit()).unwrap_or(0))
        .map(String::as_str)
        .collect();
    Ok(Page {
        items: actions::get_many(conn, &chosen)?,
        total,
    })
}

/// What a bulk row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    Created,
    Updated,
    /// The follow-up exists with this very content: nothing to do (a re-sent file).
    Unchanged,
    Refused,
}

impl RowOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RowOutcome::Created => "created",
            RowOutcome::Updated => "updated",
            RowOutcome::Unchanged => "unchanged",
            RowOutcome::Refused => "refused",
        }
    }
}

/// The result of one bulk row.
#[derive(Debug, Clone)]
pub struct RowResult {
    pub outcome: RowOutcome,
    pub follow_up: Option<FollowUp>,
    /// Why the row was refused, as the single request would have said it.
    pub issues: Vec<kiv_domain::InputIssue>,
}

/// All or nothing, or each row on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    Atomic,
    Partial,
}

/// A bulk row: a follow-up, or the issues that kept it from being one (an unreadable row).
pub type BulkRow = Result<FollowUpInput, Vec<kiv_domain::InputIssue>>;

/// How a row names its action: by id, by its lead organisation's own id (`organisationId`,
/// `actionExternalId`), or by both, as an export does; both must then name the same action.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionRef {
    pub id: Option<String>,
    /// The lead organisation and its own id of the action.
    pub external: Option<(String, String)>,
}

/// The action a row names (external ids resolved by [`resolve_external_ids`]), or why it names
/// none.
pub fn resolve_action(
    resolved: &HashMap<(String, String), String>,
    reference: ActionRef,
) -> Result<String, Vec<kiv_domain::InputIssue>> {
    use kiv_domain::{InputIssue, IssueLocation};
    let Some((organisation_id, external_id)) = reference.external else {
        return reference.id.ok_or_else(|| {
            vec![InputIssue::invalid(
                IssueLocation::Body,
                "actionId",
                None,
                "give actionId, or actionExternalId with organisationId",
            )]
        });
    };
    let Some(found) = resolved.get(&(organisation_id.clone(), external_id.clone())) else {
        return Err(vec![unknown_external_id(&organisation_id, &external_id)]);
    };
    match reference.id {
        Some(id) if id != *found => Err(vec![InputIssue::invalid(
            IssueLocation::Body,
            "actionExternalId",
            Some(serde_json::Value::from(external_id.as_str())),
            format!(
                "{organisation_id}/{external_id} is action {found}, but actionId names {id}: \
                 both must name the same action (or leave one empty)"
            ),
        )]),
        _ => Ok(found.clone()),
    }
}

/// The action ids that lead organisations know by their own ids, for every pair given that
/// exists (a few queries for a whole file).
pub fn resolve_external_ids(
    conn: &mut DbConnection,
    references: &[(String, String)],
) -> StoreResult<HashMap<(String, String), String>> {
    let mut resolved = HashMap::new();
    for chunk in references.chunks(CHUNK) {
        let external_ids: Vec<&str> = chunk
            .iter()
            .map(|(_, external)| external.as_str())
            .collect();
        let rows: Vec<(String, String, Option<String>)> = action_table::table
            .filter(action_table::external_id.eq_any(&external_ids))
            .select((
                action_table::id,
                action_table::lead_organisation_id,
                action_table::external_id,
            ))
            .load(conn)?;
        for (id, organisation_id, external_id) in rows {
            if let Some(external_id) = external_id {
                resolved.insert((organisation_id, external_id), id);
            }
        }
    }
    Ok(resolved)
}

/// The issue for an action reference that names nothing.
pub fn unknown_external_id(organisation_id: &str, external_id: &str) -> kiv_domain::InputIssue {
    kiv_domain::InputIssue::referenced_resource_not_found(
        kiv_domain::IssueLocation::Body,
        "actionExternalId",
        &format!("{organisation_id}/{external_id}"),
    )
}

/// Whether the follow-up already says what `input` says.
fn same_content(current: &FollowUp, input: &FollowUpInput, progress: Option<f64>) -> bool {
    current.status == input.status
        && current.progress.map(f64::to_bits) == progress.map(f64::to_bits)
        && current.narrative == input.narrative
        && sorted_values(&current.indicator_values) == sorted_values(&input.indicator_values)
}

/// Reported values in indicator order: the order of a file's columns says nothing.
fn sorted_values(values: &[ReportedValue]) -> Vec<&ReportedValue> {
    let mut sorted: Vec<&ReportedValue> = values.iter().collect();
    sorted.sort_by(|a, b| a.indicator_id.cmp(&b.indicator_id));
    sorted
}

/// Creates the follow-up of the input's action and period, or changes it if it is a draft or
/// returned, or leaves it if it already says the same. `existing` is the stored follow-up of
/// that action and period, if any.
fn upsert(
    conn: &mut DbConnection,
    actor: &Caller,
    known: &Known,
    existing: Option<&FollowUp>,
    input: &FollowUpInput,
    today: NaiveDate,
) -> StoreResult<(FollowUp, RowOutcome)> {
    check_may_write(actor, &known.action)?;
    let progress = check(known, input, today)?;
    let input = &kept(input);
    let Some(current) = existing else {
        let created = write_new(conn, actor, &known.action, input, progress)?;
        return Ok((created, RowOutcome::Created));
    };
    if same_content(current, input, progress) {
        return Ok((current.clone(), RowOutcome::Unchanged));
    }
    if !editable(current.state) {
        return Err(StoreError::Conflict(format!(
            "the follow-up of action {} for {} is {} and can no longer be changed",
            known.action.code, input.period, current.state
        )));
    }
    let updated = write_changed(conn, actor, current, input, progress)?;
    Ok((updated, RowOutcome::Updated))
}

/// Rows are prepared this many at a time: their actions, plans, indicators and existing
/// follow-ups are loaded in a few queries per chunk instead of several per row.
const CHUNK: usize = 500;

/// What a chunk of rows needs, loaded at once.
struct Preloaded {
    known: HashMap<String, Known>,
    existing: HashMap<(String, String), FollowUp>,
}

fn preload(conn: &mut DbConnection, inputs: &[&FollowUpInput]) -> StoreResult<Preloaded> {
    let mut ids: Vec<&str> = inputs.iter().map(|i| i.action_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let found = actions::get_many(conn, &ids)?;
    let mut plans_by_id: HashMap<String, PlanSchedule> = HashMap::new();
    for action in &found {
        if !plans_by_id.contains_key(&action.plan_id) {
            let plan = plans::schedule(conn, &action.plan_id)?.ok_or(StoreError::NotFound)?;
            plans_by_id.insert(action.plan_id.clone(), plan);
        }
    }
    let objective_ids: Vec<&str> = found.iter().map(|a| a.objective_id.as_str()).collect();
    let indicator_rows: Vec<(String, Option<String>, Option<String>, String)> = indicators::table
        .filter(
            indicators::action_id
                .eq_any(&ids)
                .or(indicators::objective_id.eq_any(&objective_ids)),
        )
        .select((
            indicators::id,
            indicators::action_id,
            indicators::objective_id,
            indicators::measure,
        ))
        .load(conn)?;
    let mut known = HashMap::new();
    for action in found {
        let reportable = indicator_rows
            .iter()
            .filter(|(_, action_id, objective_id, _)| {
                action_id.as_deref() == Some(action.id.as_str())
                    || objective_id.as_deref() == Some(action.objective_id.as_str())
            })
            .map(|(id, _, _, measure)| {
                Ok((id.clone(), measure.parse().map_err(StoreError::corrupt)?))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let plan = plans_by_id
            .get(&action.plan_id)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        known.insert(
            action.id.clone(),
            Known {
                action,
                plan,
                reportable,
            },
        );
    }
    let rows: Vec<FollowUpRow> = follow_ups::table
        .filter(follow_ups::action_id.eq_any(&ids))
        .select(FollowUpRow::as_select())
        .load(conn)?;
    let existing = with_values(conn, rows)?
        .into_iter()
        .map(|f| ((f.action_id.clone(), f.period.to_string()), f))
        .collect();
    Ok(Preloaded { known, existing })
}

/// The issues a refused row gets, as the single request would have answered them; `Err` for
/// failures that are not the row's fault.
fn refusal(error: StoreError) -> StoreResult<Vec<kiv_domain::InputIssue>> {
    use kiv_domain::{InputIssue, IssueLocation};
    Ok(match error {
        StoreError::Rejected(issues) => issues,
        StoreError::MissingReference { field, id } => {
            vec![InputIssue::referenced_resource_not_found(
                IssueLocation::Body,
                field,
                &id,
            )]
        }
        StoreError::Conflict(detail) | StoreError::Duplicate { detail, .. } => {
            vec![InputIssue::kiv(
                "conflict",
                "Conflict",
                IssueLocation::Body,
                "",
                None,
                detail,
            )]
        }
        StoreError::NotPermitted(detail) => vec![InputIssue {
            issue_type: "urn:problem-type:belgif:missingPermission".into(),
            title: "Missing Permission".into(),
            ..InputIssue::invalid(IssueLocation::Body, "actionId", None, detail)
        }],
        other => return Err(other),
    })
}

/// The rows that name the same follow-up (action and period) as another row, each with every row
/// of its group, in order. A file or batch holds one row per follow-up: two would be applied one
/// over the other, the last silently winning, and every re-import would report `updated`.
fn duplicates(rows: &[BulkRow]) -> HashMap<usize, std::rc::Rc<[usize]>> {
    let mut groups: HashMap<(&str, ReportingPeriod), Vec<usize>> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        if let Ok(input) = row {
            groups
                .entry((input.action_id.as_str(), input.period))
                .or_default()
                .push(index);
        }
    }
    // Each row of a group shares the group: one copy, not one per row.
    groups
        .into_values()
        .filter(|group| group.len() > 1)
        .flat_map(|group| {
            let shared: std::rc::Rc<[usize]> = group.into();
            let indexes: Vec<usize> = shared.to_vec();
            indexes
                .into_iter()
                .map(move |index| (index, std::rc::Rc::clone(&shared)))
        })
        .collect()
}

/// Most rows a duplicate's issue names: a file of thousands of copies of one line gets an issue
/// per line, each naming a few, not all of them (which would grow with the square of the lines).
const NAMED_DUPLICATES: usize = 5;

/// The issue of each row of a group that names one follow-up.
fn duplicate_issue(
    group: &[usize],
    name_row: &dyn Fn(usize) -> String,
    action: &str,
    period: ReportingPeriod,
) -> kiv_domain::InputIssue {
    let mut names: Vec<String> = if group.len() <= NAMED_DUPLICATES {
        group.iter().map(|index| name_row(*index)).collect()
    } else {
        let mut first: Vec<String> = group
            .iter()
            .take(NAMED_DUPLICATES - 1)
            .map(|index| name_row(*index))
            .collect();
        first.push(format!(
            "{} other rows",
            group.len() - (NAMED_DUPLICATES - 1)
        ));
        first
    };
    let last = names.pop().unwrap_or_default();
    kiv_domain::InputIssue::kiv(
        "duplicateRow",
        "Duplicate row",
        kiv_domain::IssueLocation::Body,
        "",
        None,
        format!(
            "{} and {last} are the follow-up of the same action ({action}) and period \
             ({period}): send one row per action and period",
            names.join(", ")
        ),
    )
}

/// Applies bulk rows in order. Atomic: all in one transaction, and if any row is refused none is
/// applied (the report then tells which were refused and why). Partial: each row in its own
/// savepoint, applied or refused on its own. Rows that name the same follow-up (its action,
/// however named, and period) are all refused, in both modes; `name_row` says how the caller
/// names a row (0 is the first) in that refusal.
///
/// Past `deadline` the import stops before its next row (or before it commits) and rolls back
/// whole, with [`StoreError::DeadlinePassed`]: partial imports too, since nobody reads the
/// report of the rows applied. Once the last check passed the commit runs to its end.
pub fn import(
    conn: &mut DbConnection,
    actor: &Caller,
    rows: Vec<BulkRow>,
    mode: ImportMode,
    today: NaiveDate,
    name_row: &dyn Fn(usize) -> String,
    deadline: Option<crate::Deadline>,
) -> StoreResult<(Vec<RowResult>, bool)> {
    let mut results = Vec::with_capacity(rows.len());
    let duplicated = duplicates(&rows);
    let outcome = crate::database::write_transaction(conn, |conn| {
        for (number, chunk) in rows.chunks(CHUNK).enumerate() {
            let inputs: Vec<&FollowUpInput> =
                chunk.iter().filter_map(|r| r.as_ref().ok()).collect();
            let loaded = preload(conn, &inputs)?;
            for (offset, row) in chunk.iter().enumerate() {
                crate::Deadline::check(deadline)?;
                let group = duplicated.get(&(number * CHUNK + offset));
                let result = match (row, group) {
                    (Err(issues), _) => RowResult {
                        outcome: RowOutcome::Refused,
                        follow_up: None,
                        issues: issues.clone(),
                    },
                    (Ok(input), Some(group)) => {
                        let action = loaded
                            .known
                            .get(&input.action_id)
                            .map_or(input.action_id.as_str(), |k| k.action.code.as_str());
                        RowResult {
                            outcome: RowOutcome::Refused,
                            follow_up: None,
                            issues: vec![duplicate_issue(group, name_row, action, input.period)],
                        }
                    }
                    (Ok(input), None) => {
                        let key = (input.action_id.clone(), input.period.to_string());
                        let attempt = match loaded.known.get(&input.action_id) {
                            None => Err(StoreError::MissingReference {
                                field: "actionId",
                                id: input.action_id.clone(),
                            }),
                            Some(known) => {
                                let existing = loaded.existing.get(&key);
                                match mode {
                                    // All or nothing: a refusal undoes everything anyway.
                                    ImportMode::Atomic => {
                                        upsert(conn, actor, known, existing, input, today)
                                    }
                                    // Row by row: each in a savepoint of its own.
                                    ImportMode::Partial => conn.transaction(|conn| {
                                        upsert(conn, actor, known, existing, input, today)
                                    }),
                                }
                            }
                        };
                        match attempt {
                            Ok((follow_up, outcome)) => RowResult {
                                outcome,
                                follow_up: Some(follow_up),
                                issues: Vec::new(),
                            },
                            Err(error) => RowResult {
                                outcome: RowOutcome::Refused,
                                follow_up: None,
                                issues: refusal(error)?,
                            },
                        }
                    }
                };
                results.push(result);
            }
        }
        crate::Deadline::check(deadline)?;
        let refused = results.iter().any(|r| r.outcome == RowOutcome::Refused);
        if mode == ImportMode::Atomic && refused {
            // Undo every row: the caller reports what would have been refused.
            return Err(ImportStop::Refused);
        }
        Ok(())
    });
    match outcome {
        Ok(()) => Ok((results, true)),
        Err(ImportStop::Refused) => Ok((results, false)),
        Err(ImportStop::Failed(error)) => Err(error),
    }
}

/// Why an import transaction ends without committing.
#[derive(Debug)]
enum ImportStop {
    /// An atomic import with a refused row.
    Refused,
    /// A failure that is not a row's fault.
    Failed(StoreError),
}

impl From<diesel::result::Error> for ImportStop {
    fn from(error: diesel::result::Error) -> Self {
        ImportStop::Failed(error.into())
    }
}

impl From<StoreError> for ImportStop {
    fn from(error: StoreError) -> Self {
        ImportStop::Failed(error)
    }
}

/// The measure of each indicator named.
pub fn indicator_measures(
    conn: &mut DbConnection,
    indicator_ids: &[&str],
) -> StoreResult<HashMap<String, IndicatorMeasure>> {
    let rows: Vec<(String, String)> = indicators::table
        .filter(indicators::id.eq_any(indicator_ids))
        .select((indicators::id, indicators::measure))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, measure)| Ok((id, measure.parse().map_err(StoreError::corrupt)?)))
        .collect()
}

/// Reads indicator values that arrived as text (from a CSV file) as numbers where the indicator
/// is numeric, so a file carries `12` for a count and `goed` for a qualitative indicator alike.
pub fn read_text_values(
    measures: &HashMap<String, IndicatorMeasure>,
    values: &mut [ReportedValue],
) {
    for reported in values.iter_mut() {
        let numeric = measures
            .get(&reported.indicator_id)
            .is_some_and(|m| *m != IndicatorMeasure::Qualitative);
        if let (true, IndicatorValue::Text(text)) = (numeric, &reported.value) {
            if let Ok(number) = text.trim().parse::<f64>() {
                reported.value = IndicatorValue::Number(number);
            }
        }
    }
}
