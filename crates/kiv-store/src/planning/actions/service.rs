//! Writes of actions: create, change, sync by external id and delete, each one transaction that
//! checks the action against its objective's plan and the references and records the audit
//! event.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::planning::{
    check_action_schedule, check_code, check_external_id, check_members, check_text, search_text,
    sort_key,
};
use kiv_domain::{Action, Caller, InputIssue, IssueLocation, LocalizedText};

use super::queries::{find_by_external_id, get};
use super::rows::ActionRow;
use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::patch::Merger;
use crate::planning::objectives;
use crate::planning::{check_organisations, check_reference_data};
use crate::records::{missing, reject_if_any, replace_links};
use crate::reference::{organisations, plans};
use crate::schema::{actions, follow_ups, indicators};

/// The content of an action, as created or after a change.
#[derive(Debug, Clone)]
pub struct ActionInput {
    pub objective_id: String,
    pub code: String,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub lead_organisation_id: String,
    pub partner_organisation_ids: Vec<String>,
    pub theme_ids: Vec<String>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub weight: f64,
    pub external_id: Option<String>,
}

/// Changes to an action (a JSON merge patch); `Some(None)` clears an optional field and the
/// texts are merged into the stored ones.
#[derive(Debug, Clone, Default)]
pub struct ActionChanges {
    pub objective_id: Option<String>,
    pub code: Option<String>,
    pub title: Option<ObjectPatch>,
    pub description: Option<Option<ObjectPatch>>,
    pub lead_organisation_id: Option<String>,
    pub partner_organisation_ids: Option<Vec<String>>,
    pub theme_ids: Option<Vec<String>>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub weight: Option<f64>,
    pub external_id: Option<Option<String>>,
}

impl ActionChanges {
    fn apply(self, current: &Action) -> StoreResult<ActionInput> {
        let mut merger = Merger::default();
        let title = merger.required("title", &current.title, self.title.as_ref())?;
        let description = merger.optional_text(
            "description",
            current.description.as_ref(),
            &self.description,
        )?;
        merger.finish()?;
        Ok(ActionInput {
            objective_id: self
                .objective_id
                .unwrap_or_else(|| current.objective_id.clone()),
            code: self.code.unwrap_or_else(|| current.code.clone()),
            title,
            description,
            lead_organisation_id: self
                .lead_organisation_id
                .unwrap_or_else(|| current.lead_organisation_id.clone()),
            partner_organisation_ids: self
                .partner_organisation_ids
                .unwrap_or_else(|| current.partner_organisation_ids.clone()),
            theme_ids: self.theme_ids.unwrap_or_else(|| current.theme_ids.clone()),
            planned_start: self.planned_start.unwrap_or(current.planned_start),
            planned_end: self.planned_end.unwrap_or(current.planned_end),
            weight: self.weight.unwrap_or(current.weight),
            external_id: self
                .external_id
                .unwrap_or_else(|| current.external_id.clone()),
        })
    }
}

/// Where an action sits: its objective's plan and cluster, which its row keeps a copy of.
struct Place {
    plan_id: String,
    cluster_id: Option<String>,
}

/// Every rule an action must keep, checked against its objective's plan and the references;
/// the place of its objective.
fn validate(conn: &mut DbConnection, input: &ActionInput, id: Option<&str>) -> StoreResult<Place> {
    let mut issues = Vec::new();
    issues.extend(check_code(&input.code));
    issues.extend(check_text("title", &input.title, 500));
    if let Some(description) = &input.description {
        issues.extend(check_text("description", description, 10_000));
    }
    if let Some(external_id) = &input.external_id {
        issues.extend(check_external_id(external_id));
    }
    let objective = objectives::get(conn, &input.objective_id)?;
    match &objective {
        None => issues.push(missing("objectiveId", &input.objective_id)),
        Some(objective) => {
            let plan = plans::get(conn, &objective.plan_id)?.ok_or(StoreError::NotFound)?;
            issues.extend(check_action_schedule(
                &plan,
                input.planned_start,
                input.planned_end,
                input.weight,
            ));
            if check_reference_data(conn, None, &input.theme_ids, &mut issues)? {
                issues.extend(check_members(
                    "themeIds",
                    &input.theme_ids,
                    &plan.theme_ids,
                    "theme",
                    &plan.id,
                ));
            }
        }
    }
    if organisations::find_row(conn, &input.lead_organisation_id)?.is_none() {
        issues.push(missing("leadOrganisationId", &input.lead_organisation_id));
    }
    check_organisations(
        conn,
        "partnerOrganisationIds",
        &input.partner_organisation_ids,
        &mut issues,
    )?;
    for (index, partner) in input.partner_organisation_ids.iter().enumerate() {
        let field = format!("partnerOrganisationIds[{index}]");
        if *partner == input.lead_organisation_id {
            issues.push(InputIssue::invalid(
                IssueLocation::Body,
                field,
                Some(partner.as_str().into()),
                "the lead organisation is not also a partner",
            ));
        } else if input
            .partner_organisation_ids
            .iter()
            .take(index)
            .any(|p| p == partner)
        {
            issues.push(InputIssue::invalid(
                IssueLocation::Body,
                field,
                Some(partner.as_str().into()),
                format!("{partner:?} is listed twice"),
            ));
        }
    }
    reject_if_any(issues)?;
    if let Some(duplicate) = key_holder(conn, input, id)? {
        return Err(duplicate);
    }
    // Without an objective, the issues above refused the input already.
    let objective = objective.ok_or(StoreError::NotFound)?;
    Ok(Place {
        plan_id: objective.plan_id,
        cluster_id: objective.cluster_id,
    })
}

/// The action (other than `id`) that holds one of `input`'s unique keys, as the conflict to
/// answer: codes are unique within an objective, external ids within their lead organisation.
fn key_holder(
    conn: &mut DbConnection,
    input: &ActionInput,
    id: Option<&str>,
) -> StoreResult<Option<StoreError>> {
    let other = id.unwrap_or_default();
    let code_holder: Option<String> = actions::table
        .filter(actions::objective_id.eq(&input.objective_id))
        .filter(actions::code.eq(&input.code))
        .filter(actions::id.ne(other))
        .select(actions::id)
        .first(conn)
        .optional()?;
    if let Some(existing) = code_holder {
        let detail = format!(
            "the objective has an action with code {:?} already ({existing})",
            input.code
        );
        return Ok(Some(StoreError::duplicate(existing, detail)));
    }
    let Some(external_id) = &input.external_id else {
        return Ok(None);
    };
    let external_holder: Option<String> = actions::table
        .filter(actions::lead_organisation_id.eq(&input.lead_organisation_id))
        .filter(actions::external_id.eq(external_id))
        .filter(actions::id.ne(other))
        .select(actions::id)
        .first(conn)
        .optional()?;
    Ok(external_holder.map(|existing| {
        let detail = format!(
            "organisation {} has an action with externalId {external_id:?} already ({existing})",
            input.lead_organisation_id
        );
        StoreError::duplicate(existing, detail)
    }))
}

fn row(
    id: String,
    input: &ActionInput,
    place: Place,
    version: i32,
    created_at: NaiveDateTime,
) -> ActionRow {
    ActionRow {
        plan_id: place.plan_id,
        cluster_id: place.cluster_id,
        id,
        objective_id: input.objective_id.clone(),
        code: input.code.clone(),
        title: JsonValue(input.title.clone()),
        description: input.description.clone().map(JsonValue),
        lead_organisation_id: input.lead_organisation_id.clone(),
        planned_start: input.planned_start,
        planned_end: input.planned_end,
        weight: input.weight,
        external_id: input.external_id.clone(),
        sort_title: sort_key(&input.title),
        search_text: search_text(&input.code, &input.title),
        version,
        created_at,
        updated_at: now(),
    }
}

fn write_links(conn: &mut DbConnection, id: &str, input: &ActionInput) -> StoreResult<()> {
    replace_links!(
        conn,
        action_partners,
        action_id,
        organisation_id,
        id,
        &input.partner_organisation_ids
    );
    replace_links!(
        conn,
        action_themes,
        action_id,
        theme_id,
        id,
        &input.theme_ids
    );
    Ok(())
}

pub fn create(conn: &mut DbConnection, actor: &Caller, input: ActionInput) -> StoreResult<Action> {
    crate::database::write_transaction(conn, |conn| insert(conn, actor, &input))
}

fn insert(conn: &mut DbConnection, actor: &Caller, input: &ActionInput) -> StoreResult<Action> {
    let place = validate(conn, input, None)?;
    let id = uuid::Uuid::new_v4().to_string();
    let new = row(id.clone(), input, place, 1, now());
    crate::error::unique_write(
        conn,
        |conn| {
            Ok(diesel::insert_into(actions::table)
                .values(&new)
                .execute(conn)?)
        },
        |conn| key_holder(conn, input, None),
    )?;
    write_links(conn, &id, input)?;
    let created = get(conn, &id)?.ok_or(StoreError::NotFound)?;
    audit::record(
        conn,
        actor,
        "action",
        &id,
        Operation::Create,
        None,
        Some(&created),
    )?;
    Ok(created)
}

fn replace(
    conn: &mut DbConnection,
    actor: &Caller,
    current: &Action,
    input: &ActionInput,
) -> StoreResult<Action> {
    let place = validate(conn, input, Some(&current.id))?;
    let next = row(
        current.id.clone(),
        input,
        place,
        current.version + 1,
        current.created_at,
    );
    let written = crate::error::unique_write(
        conn,
        |conn| {
            Ok(diesel::update(
                actions::table
                    .filter(actions::id.eq(&current.id))
                    .filter(actions::version.eq(current.version)),
            )
            .set(&next)
            .execute(conn)?)
        },
        |conn| key_holder(conn, input, Some(&current.id)),
    )?;
    crate::error::expect_one_written(written, current.version)?;
    write_links(conn, &current.id, input)?;
    let updated = get(conn, &current.id)?.ok_or(StoreError::NotFound)?;
    audit::record(
        conn,
        actor,
        "action",
        &current.id,
        Operation::Update,
        Some(current),
        Some(&updated),
    )?;
    Ok(updated)
}

/// Applies `changes` to the action if it is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: ActionChanges,
) -> StoreResult<Action> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::error::check_version(expected_version, &current)?;
        replace(conn, actor, &current, &changes.apply(&current)?)
    })
}

/// Creates the action `external_id` of its lead organisation, or replaces it: an agency system
/// syncs its own register with the same request, as often as it likes. The flag says whether
/// it was created.
pub fn upsert_by_external_id(
    conn: &mut DbConnection,
    actor: &Caller,
    expected_version: Option<kiv_domain::Validator>,
    input: ActionInput,
) -> StoreResult<(Action, bool)> {
    crate::database::write_transaction(conn, |conn| {
        let external_id = input.external_id.clone().unwrap_or_default();
        match find_by_external_id(conn, &input.lead_organisation_id, &external_id)? {
            Some(current) => {
                crate::error::check_version(expected_version, &current)?;
                let unchanged = ActionChanges::default().apply(&current)?;
                if same_content(&unchanged, &input) {
                    return Ok((current, false));
                }
                Ok((replace(conn, actor, &current, &input)?, false))
            }
            None if expected_version.is_some() => Err(StoreError::VersionMismatch { current: 0 }),
            None => Ok((insert(conn, actor, &input)?, true)),
        }
    })
}

/// Whether a replacement would change nothing (a repeated sync writes no new version).
fn same_content(a: &ActionInput, b: &ActionInput) -> bool {
    let mut a_partners = a.partner_organisation_ids.clone();
    let mut b_partners = b.partner_organisation_ids.clone();
    let mut a_themes = a.theme_ids.clone();
    let mut b_themes = b.theme_ids.clone();
    a_partners.sort();
    b_partners.sort();
    a_themes.sort();
    b_themes.sort();
    (
        &a.objective_id,
        &a.code,
        &a.title,
        &a.description,
        &a.lead_organisation_id,
        a.planned_start,
        a.planned_end,
        &a.external_id,
    ) == (
        &b.objective_id,
        &b.code,
        &b.title,
        &b.description,
        &b.lead_organisation_id,
        b.planned_start,
        b.planned_end,
        &b.external_id,
    ) && a.weight.to_bits() == b.weight.to_bits()
        && a_partners == b_partners
        && a_themes == b_themes
}

/// Deletes an action that nothing depends on; otherwise a conflict that names what does.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<()> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::error::check_version(expected_version, &current)?;
        let indicators: i64 = indicators::table
            .filter(indicators::action_id.eq(id))
            .count()
            .get_result(conn)?;
        let follow_ups: i64 = follow_ups::table
            .filter(follow_ups::action_id.eq(id))
            .count()
            .get_result(conn)?;
        let dependants: Vec<String> = [(indicators, "indicator(s)"), (follow_ups, "follow-up(s)")]
            .into_iter()
            .filter(|(count, _)| *count > 0)
            .map(|(count, what)| format!("{count} {what}"))
            .collect();
        if !dependants.is_empty() {
            return Err(StoreError::Conflict(format!(
                "action {} still has {}; they must go first",
                current.code,
                dependants.join(" and ")
            )));
        }
        diesel::delete(actions::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            actor,
            "action",
            id,
            Operation::Delete,
            Some(&current),
            None,
        )?;
        Ok(())
    })
}
