//! Writes of indicators: create, change and delete, each one transaction that checks the
//! values against the plan of what the indicator measures and records the audit event.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::planning::{
    check_indicator_values, check_text, search_text, sort_key, Baseline, Target,
};
use kiv_domain::{
    Caller, Indicator, IndicatorDirection, IndicatorMeasure, InputIssue, IssueLocation,
    LocalizedText,
};

use super::queries::get;
use super::rows::IndicatorRow;
use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::patch::Merger;
use crate::planning::{actions, objectives};
use crate::records::{missing, reject_if_any};
use crate::reference::plans;
use crate::schema::indicators;

/// The content of an indicator, as created or after a change.
#[derive(Debug, Clone)]
pub struct IndicatorInput {
    pub objective_id: Option<String>,
    pub action_id: Option<String>,
    pub name: LocalizedText,
    pub unit: Option<String>,
    pub measure: IndicatorMeasure,
    pub direction: IndicatorDirection,
    pub baseline: Option<Baseline>,
    pub targets: Vec<Target>,
}

/// Changes to an indicator (a JSON merge patch); `Some(None)` clears an optional field, the
/// name and the baseline are merged into the stored ones. What it is attached to never changes.
#[derive(Debug, Clone, Default)]
pub struct IndicatorChanges {
    pub name: Option<ObjectPatch>,
    pub unit: Option<Option<String>>,
    pub measure: Option<IndicatorMeasure>,
    pub direction: Option<IndicatorDirection>,
    /// Merged into the current baseline; without one, the patch must give `value` and `year`.
    pub baseline: Option<Option<ObjectPatch>>,
    pub targets: Option<Vec<Target>>,
}

impl IndicatorChanges {
    fn apply(self, current: &Indicator) -> StoreResult<IndicatorInput> {
        let mut merger = Merger::default();
        let name = merger.required("name", &current.name, self.name.as_ref())?;
        let baseline = merger.optional("baseline", current.baseline.as_ref(), &self.baseline)?;
        merger.finish()?;
        Ok(IndicatorInput {
            objective_id: current.objective_id.clone(),
            action_id: current.action_id.clone(),
            name,
            unit: self.unit.unwrap_or_else(|| current.unit.clone()),
            measure: self.measure.unwrap_or(current.measure),
            direction: self.direction.unwrap_or(current.direction),
            baseline,
            targets: self.targets.unwrap_or_else(|| current.targets.clone()),
        })
    }
}

/// The plan of whatever the indicator is attached to, with issues for a missing attachment.
fn plan_id_of(
    conn: &mut DbConnection,
    input: &IndicatorInput,
    issues: &mut Vec<InputIssue>,
) -> StoreResult<Option<String>> {
    match (&input.objective_id, &input.action_id) {
        (Some(objective_id), None) => {
            let objective = objectives::get(conn, objective_id)?;
            if objective.is_none() {
                issues.push(missing("objectiveId", objective_id));
            }
            Ok(objective.map(|o| o.plan_id))
        }
        (None, Some(action_id)) => {
            let action = actions::get(conn, action_id)?;
            if action.is_none() {
                issues.push(missing("actionId", action_id));
            }
            Ok(action.map(|a| a.plan_id))
        }
        _ => {
            issues.push(InputIssue::invalid(
                IssueLocation::Body,
                "objectiveId",
                None,
                "an indicator belongs to exactly one objective or one action: give objectiveId or actionId",
            ));
            Ok(None)
        }
    }
}

fn validate(conn: &mut DbConnection, input: &IndicatorInput) -> StoreResult<()> {
    let mut issues = Vec::new();
    issues.extend(check_text("name", &input.name, 500));
    if let Some(unit) = &input.unit {
        if unit.trim().is_empty() || unit.chars().count() > 50 {
            issues.push(InputIssue::invalid(
                IssueLocation::Body,
                "unit",
                Some(unit.as_str().into()),
                "unit must be 1 to 50 characters",
            ));
        }
    }
    if let Some(plan_id) = plan_id_of(conn, input, &mut issues)? {
        let plan = plans::get(conn, &plan_id)?.ok_or(StoreError::NotFound)?;
        issues.extend(check_indicator_values(
            &plan,
            input.measure,
            input.baseline.as_ref(),
            &input.targets,
        ));
    }
    reject_if_any(issues)
}

fn row(
    id: String,
    input: &IndicatorInput,
    version: i32,
    created_at: NaiveDateTime,
) -> IndicatorRow {
    let mut targets = input.targets.clone();
    targets.sort_by_key(|t| t.period);
    IndicatorRow {
        id,
        objective_id: input.objective_id.clone(),
        action_id: input.action_id.clone(),
        name: JsonValue(input.name.clone()),
        unit: input.unit.clone(),
        measure: input.measure.as_str().to_owned(),
        direction: input.direction.as_str().to_owned(),
        baseline: input.baseline.clone().map(JsonValue),
        targets: JsonValue(targets),
        sort_title: sort_key(&input.name),
        search_text: search_text("", &input.name),
        version,
        created_at,
        updated_at: now(),
    }
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Caller,
    input: IndicatorInput,
) -> StoreResult<Indicator> {
    crate::database::write_transaction(conn, |conn| {
        validate(conn, &input)?;
        let id = uuid::Uuid::new_v4().to_string();
        diesel::insert_into(indicators::table)
            .values(&row(id.clone(), &input, 1, now()))
            .execute(conn)?;
        let created = get(conn, &id)?.ok_or(StoreError::NotFound)?;
        audit::record(
            conn,
            actor,
            "indicator",
            &id,
            Operation::Create,
            None,
            Some(&created),
        )?;
        Ok(created)
    })
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: IndicatorChanges,
) -> StoreResult<Indicator> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::error::check_version(expected_version, &current)?;
        let input = changes.apply(&current)?;
        validate(conn, &input)?;
        let written = diesel::update(
            indicators::table
                .filter(indicators::id.eq(id))
                .filter(indicators::version.eq(current.version)),
        )
        .set(&row(
            id.to_owned(),
            &input,
            current.version + 1,
            current.created_at,
        ))
        .execute(conn)?;
        crate::error::expect_one_written(written, current.version)?;
        let updated = get(conn, id)?.ok_or(StoreError::NotFound)?;
        audit::record(
            conn,
            actor,
            "indicator",
            id,
            Operation::Update,
            Some(&current),
            Some(&updated),
        )?;
        Ok(updated)
    })
}

pub fn delete(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<()> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::error::check_version(expected_version, &current)?;
        let reported: i64 = crate::schema::follow_up_values::table
            .filter(crate::schema::follow_up_values::indicator_id.eq(id))
            .count()
            .get_result(conn)?;
        let approved: i64 = crate::schema::approved_values::table
            .filter(crate::schema::approved_values::indicator_id.eq(id))
            .count()
            .get_result(conn)?;
        if reported + approved > 0 {
            return Err(StoreError::Conflict(format!(
                "the indicator has values in {} follow-up(s); it can no longer be deleted",
                reported.max(approved)
            )));
        }
        diesel::delete(indicators::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            actor,
            "indicator",
            id,
            Operation::Delete,
            Some(&current),
            None,
        )?;
        Ok(())
    })
}
