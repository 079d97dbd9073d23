//! Writes of objectives: create, change and delete, each one transaction that checks the
//! objective against its plan, parent and references and records the audit event.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::planning::{check_code, check_objective_place, check_text, search_text, sort_key};
use kiv_domain::{Caller, LocalizedText, Objective, ObjectiveLevel};

use super::queries::get;
use super::rows::ObjectiveRow;
use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::patch::Merger;
use crate::planning::{check_organisations, check_reference_data, plan_of};
use crate::records::{missing, reject_if_any, replace_links};
use crate::schema::{actions, indicators, objectives};

/// The content of an objective, as created or after a change.
#[derive(Debug, Clone)]
pub struct ObjectiveInput {
    pub plan_id: String,
    pub cluster_id: Option<String>,
    pub parent_id: Option<String>,
    pub code: String,
    pub level: ObjectiveLevel,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub theme_ids: Vec<String>,
    pub owner_organisation_ids: Vec<String>,
}

/// Changes to an objective (a JSON merge patch); `Some(None)` clears an optional field and the
/// texts are merged into the stored ones. The plan never changes.
#[derive(Debug, Clone, Default)]
pub struct ObjectiveChanges {
    pub cluster_id: Option<Option<String>>,
    pub parent_id: Option<Option<String>>,
    pub code: Option<String>,
    pub level: Option<ObjectiveLevel>,
    pub title: Option<ObjectPatch>,
    pub description: Option<Option<ObjectPatch>>,
    pub theme_ids: Option<Vec<String>>,
    pub owner_organisation_ids: Option<Vec<String>>,
}

impl ObjectiveChanges {
    fn apply(self, current: &Objective) -> StoreResult<ObjectiveInput> {
        let mut merger = Merger::default();
        let title = merger.required("title", &current.title, self.title.as_ref())?;
        let description = merger.optional_text(
            "description",
            current.description.as_ref(),
            &self.description,
        )?;
        merger.finish()?;
        Ok(ObjectiveInput {
            plan_id: current.plan_id.clone(),
            cluster_id: self
                .cluster_id
                .unwrap_or_else(|| current.cluster_id.clone()),
            parent_id: self.parent_id.unwrap_or_else(|| current.parent_id.clone()),
            code: self.code.unwrap_or_else(|| current.code.clone()),
            level: self.level.unwrap_or(current.level),
            title,
            description,
            theme_ids: self.theme_ids.unwrap_or_else(|| current.theme_ids.clone()),
            owner_organisation_ids: self
                .owner_organisation_ids
                .unwrap_or_else(|| current.owner_organisation_ids.clone()),
        })
    }
}

/// Every rule an objective must keep, checked against the stored plan, parent and references.
fn validate(conn: &mut DbConnection, input: &ObjectiveInput, id: Option<&str>) -> StoreResult<()> {
    let mut issues = Vec::new();
    issues.extend(check_code(&input.code));
    issues.extend(check_text("title", &input.title, 500));
    if let Some(description) = &input.description {
        issues.extend(check_text("description", description, 10_000));
    }
    let plan = plan_of(conn, "planId", &input.plan_id, &mut issues)?;
    let parent = match &input.parent_id {
        Some(parent_id) => {
            let parent = get(conn, parent_id)?;
            if parent.is_none() {
                issues.push(missing("parentId", parent_id));
            }
            parent
        }
        None => None,
    };
    let known = check_reference_data(
        conn,
        input.cluster_id.as_deref(),
        &input.theme_ids,
        &mut issues,
    )?;
    if let Some(plan) = &plan {
        if known && (input.parent_id.is_none() || parent.is_some()) {
            issues.extend(check_objective_place(
                plan,
                input.level,
                input.cluster_id.as_deref(),
                parent.as_ref(),
                &input.theme_ids,
            ));
        }
    }
    check_organisations(
        conn,
        "ownerOrganisationIds",
        &input.owner_organisation_ids,
        &mut issues,
    )?;
    issues.extend(kiv_domain::planning::check_distinct(
        "ownerOrganisationIds",
        &input.owner_organisation_ids,
    ));
    if let Some(id) = id {
        let children: i64 = objectives::table
            .filter(objectives::parent_id.eq(id))
            .count()
            .get_result(conn)?;
        if input.level == ObjectiveLevel::Operational && children > 0 {
            issues.push(kiv_domain::InputIssue::invalid(
                kiv_domain::IssueLocation::Body,
                "level",
                Some(input.level.as_str().into()),
                format!("{children} operational objective(s) sit under this one: it must stay strategic"),
            ));
        }
    }
    reject_if_any(issues)?;
    match code_holder(conn, input, id)? {
        Some(duplicate) => Err(duplicate),
        None => Ok(()),
    }
}

/// The objective (other than `id`) that holds `input`'s code in its plan, as the conflict to
/// answer: codes are unique within a plan.
fn code_holder(
    conn: &mut DbConnection,
    input: &ObjectiveInput,
    id: Option<&str>,
) -> StoreResult<Option<StoreError>> {
    let holder: Option<String> = objectives::table
        .filter(objectives::plan_id.eq(&input.plan_id))
        .filter(objectives::code.eq(&input.code))
        .filter(objectives::id.ne(id.unwrap_or_default()))
        .select(objectives::id)
        .first(conn)
        .optional()?;
    Ok(holder.map(|existing| {
        let detail = format!(
            "plan {} has an objective with code {:?} already ({existing})",
            input.plan_id, input.code
        );
        StoreError::duplicate(existing, detail)
    }))
}

fn row(
    id: String,
    input: &ObjectiveInput,
    version: i32,
    created_at: NaiveDateTime,
) -> ObjectiveRow {
    ObjectiveRow {
        id,
        plan_id: input.plan_id.clone(),
        cluster_id: input.cluster_id.clone(),
        parent_id: input.parent_id.clone(),
        code: input.code.clone(),
        level: input.level.as_str().to_owned(),
        title: JsonValue(input.title.clone()),
        description: input.description.clone().map(JsonValue),
        sort_title: sort_key(&input.title),
        search_text: search_text(&input.code, &input.title),
        version,
        created_at,
        updated_at: now(),
    }
}

fn write_links(conn: &mut DbConnection, id: &str, input: &ObjectiveInput) -> StoreResult<()> {
    replace_links!(
        conn,
        objective_themes,
        objective_id,
        theme_id,
        id,
        &input.theme_ids
    );
    replace_links!(
        conn,
        objective_owners,
        objective_id,
        organisation_id,
        id,
        &input.owner_organisation_ids
    );
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Caller,
    input: ObjectiveInput,
) -> StoreResult<Objective> {
    crate::database::write_transaction(conn, |conn| {
        validate(conn, &input, None)?;
        let id = uuid::Uuid::new_v4().to_string();
        let at = now();
        let new = row(id.clone(), &input, 1, at);
        crate::error::unique_write(
            conn,
            |conn| {
                Ok(diesel::insert_into(objectives::table)
                    .values(&new)
                    .execute(conn)?)
            },
            |conn| code_holder(conn, &input, None),
        )?;
        write_links(conn, &id, &input)?;
        let created = get(conn, &id)?.ok_or(StoreError::NotFound)?;
        audit::record(
            conn,
            actor,
            "objective",
            &id,
            Operation::Create,
            None,
            Some(&created),
        )?;
        Ok(created)
    })
}

/// Copies the objective's new cluster onto the rows of its actions, which keep it for the action
/// list's filters and indexes (an objective's plan never changes). Not an edit of the actions:
/// their versions stay.
fn keep_actions_cluster(
    conn: &mut DbConnection,
    objective_id: &str,
    cluster_id: Option<&str>,
) -> StoreResult<()> {
    diesel::update(actions::table.filter(actions::objective_id.eq(objective_id)))
        .set(actions::cluster_id.eq(cluster_id))
        .execute(conn)?;
    Ok(())
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: ObjectiveChanges,
) -> StoreResult<Objective> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::error::check_version(expected_version, &current)?;
        let input = changes.apply(&current)?;
        validate(conn, &input, Some(id))?;
        let next = row(
            id.to_owned(),
            &input,
            current.version + 1,
            current.created_at,
        );
        let written = crate::error::unique_write(
            conn,
            |conn| {
                Ok(diesel::update(
                    objectives::table
                        .filter(objectives::id.eq(id))
                        .filter(objectives::version.eq(current.version)),
                )
                .set(&next)
                .execute(conn)?)
            },
            |conn| code_holder(conn, &input, Some(id)),
        )?;
        crate::error::expect_one_written(written, current.version)?;
        if input.cluster_id != current.cluster_id {
            keep_actions_cluster(conn, id, input.cluster_id.as_deref())?;
        }
        write_links(conn, id, &input)?;
        let updated = get(conn, id)?.ok_or(StoreError::NotFound)?;
        audit::record(
            conn,
            actor,
            "objective",
            id,
            Operation::Update,
            Some(&current),
            Some(&updated),
        )?;
        Ok(updated)
    })
}

/// Deletes an objective that nothing depends on; otherwise a conflict that names what does.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<()> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::error::check_version(expected_version, &current)?;
        let children: i64 = objectives::table
            .filter(objectives::parent_id.eq(id))
            .count()
            .get_result(conn)?;
        let actions: i64 = actions::table
            .filter(actions::objective_id.eq(id))
            .count()
            .get_result(conn)?;
        let indicators: i64 = indicators::table
            .filter(indicators::objective_id.eq(id))
            .count()
            .get_result(conn)?;
        let dependants: Vec<String> = [
            (children, "operational objective(s)"),
            (actions, "action(s)"),
            (indicators, "indicator(s)"),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| format!("{count} {what}"))
        .collect();
        if !dependants.is_empty() {
            return Err(StoreError::Conflict(format!(
                "objective {} still has {}; delete or move them first",
                current.code,
                dependants.join(", ")
            )));
        }
        diesel::delete(objectives::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            actor,
            "objective",
            id,
            Operation::Delete,
            Some(&current),
            None,
        )?;
        Ok(())
    })
}
