//! Bulk import of follow-ups: rows resolved, preloaded a chunk at a time, checked for
//! duplicates and applied all or nothing, or each on its own.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use kiv_domain::followup::editable;
use kiv_domain::planning::IndicatorValue;
use kiv_domain::{
    Caller, FollowUp, IndicatorMeasure, PlanSchedule, ReportedValue, ReportingPeriod,
};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::planning::actions;
use crate::reference::plans;
use crate::schema::{actions as action_table, follow_ups, indicators};

use super::rows::{with_values, FollowUpRow};
use super::service::{
    check, check_may_write, kept, write_changed, write_new, FollowUpInput, Known,
};

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

/// A row of a file: a follow-up whose action is still to resolve from how the file names it
/// (its `actionId` left empty) and whose indicator values are still text, or the issues that
/// kept it from being one.
pub type FileRow = Result<(ActionRef, FollowUpInput), Vec<kiv_domain::InputIssue>>;

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
fn resolve_action(
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
fn resolve_external_ids(
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
fn indicator_measures(
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
fn read_text_values(measures: &HashMap<String, IndicatorMeasure>, values: &mut [ReportedValue]) {
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

/// Imports the rows of a file (see [`import`]): first resolves, for the whole file at once,
/// the actions its rows name by their lead organisation's own ids and reads the indicator
/// values as numbers where the indicator `indicator_ids` names is numeric. A row naming no
/// action it can resolve is refused with that reason, like an unreadable one.
#[allow(clippy::too_many_arguments)]
pub fn import_file(
    conn: &mut DbConnection,
    actor: &Caller,
    rows: Vec<FileRow>,
    indicator_ids: &[String],
    mode: ImportMode,
    today: NaiveDate,
    name_row: &dyn Fn(usize) -> String,
    deadline: Option<crate::Deadline>,
) -> StoreResult<(Vec<RowResult>, bool)> {
    let external: Vec<(String, String)> = rows
        .iter()
        .filter_map(|row| row.as_ref().ok()?.0.external.clone())
        .collect();
    let resolved = resolve_external_ids(conn, &external)?;
    let ids: Vec<&str> = indicator_ids.iter().map(String::as_str).collect();
    let measures = indicator_measures(conn, &ids)?;
    let bulk: Vec<BulkRow> = rows
        .into_iter()
        .map(|row| {
            let (reference, mut input) = row?;
            input.action_id = resolve_action(&resolved, reference)?;
            read_text_values(&measures, &mut input.indicator_values);
            Ok(input)
        })
        .collect();
    import(conn, actor, bulk, mode, today, name_row, deadline)
}
