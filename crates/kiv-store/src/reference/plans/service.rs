//! Creating and changing plans: each one transaction that checks the plan against the reference
//! data (and, on a change, against the content already planned in it) and records the audit
//! event.

use chrono::NaiveDate;
use diesel::prelude::*;
use kiv_domain::{LocalizedText, Plan, PlanKind};

use super::queries::{current_created_at, find_row, get};
use super::rows::PlanRow;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::schema::plans;

/// The content of a plan, as created or after a change.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub id: String,
    pub kind: PlanKind,
    pub title: LocalizedText,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub reporting_frequency: kiv_domain::ReportingFrequency,
    pub cluster_ids: Vec<String>,
    pub theme_ids: Vec<String>,
}

/// Changes to a plan (a JSON merge patch: the title is merged into the stored one). Its id
/// never changes.
#[derive(Debug, Clone, Default)]
pub struct PlanChanges {
    pub kind: Option<PlanKind>,
    pub title: Option<kiv_domain::merge_patch::ObjectPatch>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub reporting_frequency: Option<kiv_domain::ReportingFrequency>,
    pub cluster_ids: Option<Vec<String>>,
    pub theme_ids: Option<Vec<String>>,
}

fn issue(
    name: &str,
    value: Option<serde_json::Value>,
    detail: impl Into<String>,
) -> kiv_domain::InputIssue {
    kiv_domain::InputIssue::invalid(kiv_domain::IssueLocation::Body, name, value, detail)
}

/// The rules of a plan on its own and against the reference data.
fn validate(conn: &mut DbConnection, input: &PlanInput) -> StoreResult<()> {
    let mut issues = Vec::new();
    if !kiv_domain::reference::is_readable_id(&input.id) {
        issues.push(issue(
            "id",
            Some(input.id.as_str().into()),
            "id must be lowercase letters, digits and single hyphens, such as kiv-2020-2023",
        ));
    }
    issues.extend(kiv_domain::planning::check_text("title", &input.title, 500));
    if input.period_start > input.period_end {
        issues.push(issue(
            "periodEnd",
            Some(input.period_end.to_string().into()),
            "periodEnd is before periodStart",
        ));
    }
    issues.extend(kiv_domain::planning::check_distinct(
        "clusterIds",
        &input.cluster_ids,
    ));
    issues.extend(kiv_domain::planning::check_distinct(
        "themeIds",
        &input.theme_ids,
    ));
    for (index, id) in input.cluster_ids.iter().enumerate() {
        if crate::reference::clusters::find_row(conn, id)?.is_none() {
            issues.push(crate::records::missing(&format!("clusterIds[{index}]"), id));
        }
    }
    for (index, id) in input.theme_ids.iter().enumerate() {
        if crate::reference::themes::find_row(conn, id)?.is_none() {
            issues.push(crate::records::missing(&format!("themeIds[{index}]"), id));
        }
    }
    crate::records::reject_if_any(issues)
}

fn write(
    conn: &mut DbConnection,
    input: &PlanInput,
    version: i32,
    created_at: chrono::NaiveDateTime,
) -> StoreResult<()> {
    let row = PlanRow {
        id: input.id.clone(),
        kind: input.kind.as_str().to_owned(),
        title: JsonValue(input.title.clone()),
        period_start: input.period_start,
        period_end: input.period_end,
        reporting_frequency: input.reporting_frequency.as_str().to_owned(),
        version,
        created_at,
        updated_at: crate::clock::now(),
    };
    if version == 1 {
        diesel::insert_into(plans::table)
            .values(&row)
            .execute(conn)?;
    } else {
        let written = diesel::update(
            plans::table
                .filter(plans::id.eq(&input.id))
                .filter(plans::version.eq(version - 1)),
        )
        .set(&row)
        .execute(conn)?;
        crate::error::expect_one_written(written, version - 1)?;
    }
    crate::records::replace_links!(
        conn,
        plan_clusters,
        plan_id,
        cluster_id,
        &input.id,
        &input.cluster_ids
    );
    crate::records::replace_links!(
        conn,
        plan_themes,
        plan_id,
        theme_id,
        &input.id,
        &input.theme_ids
    );
    Ok(())
}

/// The plan with id `id`, as the conflict to answer: plan ids are unique.
fn id_holder(conn: &mut DbConnection, id: &str) -> StoreResult<Option<StoreError>> {
    Ok(find_row(conn, id)?.map(|existing| {
        StoreError::duplicate(existing.id, format!("a plan with id {id:?} exists already"))
    }))
}

/// Creates a plan: the next plan cycle is rows, not code.
pub fn create(
    conn: &mut DbConnection,
    actor: &kiv_domain::Caller,
    input: PlanInput,
) -> StoreResult<Plan> {
    crate::database::write_transaction(conn, |conn| {
        validate(conn, &input)?;
        if let Some(duplicate) = id_holder(conn, &input.id)? {
            return Err(duplicate);
        }
        crate::error::unique_write(
            conn,
            |conn| write(conn, &input, 1, crate::clock::now()),
            |conn| id_holder(conn, &input.id),
        )?;
        let created = get(conn, &input.id)?.ok_or(StoreError::NotFound)?;
        crate::audit::record(
            conn,
            actor,
            "plan",
            &input.id,
            crate::audit::Operation::Create,
            None,
            Some(&PlanRecord::from(&created)),
        )?;
        Ok(created)
    })
}

/// Changes a plan, as long as its content still fits: every action inside the period, every
/// indicator target a reporting period, every cluster and theme in use still part of it.
pub fn update(
    conn: &mut DbConnection,
    actor: &kiv_domain::Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: PlanChanges,
) -> StoreResult<Plan> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::error::check_version(expected_version, &current)?;
        let mut merger = crate::patch::Merger::default();
        let title = merger.required("title", &current.title, changes.title.as_ref())?;
        merger.finish()?;
        let input = PlanInput {
            id: current.id.clone(),
            kind: changes.kind.unwrap_or(current.kind),
            title,
            period_start: changes.period_start.unwrap_or(current.period_start),
            period_end: changes.period_end.unwrap_or(current.period_end),
            reporting_frequency: changes
                .reporting_frequency
                .unwrap_or(current.reporting_frequency),
            cluster_ids: changes
                .cluster_ids
                .unwrap_or_else(|| current.cluster_ids.clone()),
            theme_ids: changes
                .theme_ids
                .unwrap_or_else(|| current.theme_ids.clone()),
        };
        validate(conn, &input)?;
        let conflicts = misfits(conn, &current, &input)?;
        if !conflicts.is_empty() {
            return Err(StoreError::Conflict(format!(
                "the plan's content no longer fits: {}",
                conflicts.join("; ")
            )));
        }
        let created_at = current_created_at(conn, id)?;
        write(conn, &input, current.version + 1, created_at)?;
        let updated = get(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::audit::record(
            conn,
            actor,
            "plan",
            id,
            crate::audit::Operation::Update,
            Some(&PlanRecord::from(&current)),
            Some(&PlanRecord::from(&updated)),
        )?;
        Ok(updated)
    })
}

/// What in the plan `current` would no longer fit it once changed to `input`: actions planned
/// outside its period, clusters and themes in use but left out, indicator targets that are no
/// longer reporting periods. Empty when everything fits.
fn misfits(conn: &mut DbConnection, current: &Plan, input: &PlanInput) -> StoreResult<Vec<String>> {
    use crate::schema::{action_themes, actions, indicators, objective_themes, objectives};
    let id = current.id.as_str();
    let plan_objectives = objectives::table
        .filter(objectives::plan_id.eq(id))
        .select(objectives::id);
    let outside: i64 = actions::table
        .filter(actions::objective_id.eq_any(plan_objectives))
        .filter(
            actions::planned_start
                .lt(input.period_start)
                .or(actions::planned_end.gt(input.period_end)),
        )
        .count()
        .get_result(conn)?;
    let mut conflicts = Vec::new();
    if outside > 0 {
        conflicts.push(format!(
            "{outside} action(s) are planned outside {}..{}",
            input.period_start, input.period_end
        ));
    }
    let used_clusters: Vec<Option<String>> = objectives::table
        .filter(objectives::plan_id.eq(id))
        .select(objectives::cluster_id)
        .distinct()
        .load(conn)?;
    for cluster in used_clusters.into_iter().flatten() {
        if !input.cluster_ids.contains(&cluster) {
            conflicts.push(format!("objectives use cluster {cluster}"));
        }
    }
    let mut used_themes: Vec<String> = objective_themes::table
        .filter(objective_themes::objective_id.eq_any(plan_objectives))
        .select(objective_themes::theme_id)
        .load(conn)?;
    used_themes.extend(
        action_themes::table
            .inner_join(actions::table)
            .filter(actions::objective_id.eq_any(plan_objectives))
            .select(action_themes::theme_id)
            .load::<String>(conn)?,
    );
    used_themes.sort();
    used_themes.dedup();
    for theme in used_themes {
        if !input.theme_ids.contains(&theme) {
            conflicts.push(format!("objectives or actions use theme {theme}"));
        }
    }
    let candidate = Plan {
        period_start: input.period_start,
        period_end: input.period_end,
        reporting_frequency: input.reporting_frequency,
        ..current.clone()
    };
    let periods = candidate.reporting_periods();
    let targets: Vec<JsonValue<Vec<kiv_domain::planning::Target>>> = indicators::table
        .filter(
            indicators::objective_id
                .eq_any(plan_objectives.select(objectives::id.nullable()))
                .or(indicators::action_id.eq_any(
                    actions::table
                        .filter(actions::objective_id.eq_any(plan_objectives))
                        .select(actions::id.nullable()),
                )),
        )
        .select(indicators::targets)
        .load(conn)?;
    let stray = targets
        .iter()
        .flat_map(|t| &t.0)
        .filter(|t| !periods.contains(&t.period))
        .count();
    if stray > 0 {
        conflicts.push(format!(
            "{stray} indicator target(s) would fall outside the reporting periods"
        ));
    }
    Ok(conflicts)
}

/// A plan as the audit trail records it.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PlanRecord<'a> {
    id: &'a str,
    kind: PlanKind,
    title: &'a LocalizedText,
    period_start: NaiveDate,
    period_end: NaiveDate,
    reporting_frequency: kiv_domain::ReportingFrequency,
    cluster_ids: &'a [String],
    theme_ids: &'a [String],
}

impl<'a> From<&'a Plan> for PlanRecord<'a> {
    fn from(plan: &'a Plan) -> Self {
        Self {
            id: &plan.id,
            kind: plan.kind,
            title: &plan.title,
            period_start: plan.period_start,
            period_end: plan.period_end,
            reporting_frequency: plan.reporting_frequency,
            cluster_ids: &plan.cluster_ids,
            theme_ids: &plan.theme_ids,
        }
    }
}
