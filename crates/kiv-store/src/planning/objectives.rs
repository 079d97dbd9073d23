//! Objectives: the tree of a plan (strategic → operational).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::paging::SortKey;
use kiv_domain::planning::{check_code, check_objective_place, check_text, search_text, sort_key};
use kiv_domain::{Caller, LocalizedText, Objective, ObjectiveLevel, PageRequest};

use super::{
    check_organisations, check_reference_data, like_pattern, load_links, missing, plan_of,
    reject_if_any, replace_links,
};
use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::{load_page, total_count, Page};
use crate::patch::Merger;
use crate::schema::{actions, indicators, objective_owners, objective_themes, objectives};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = objectives, treat_none_as_null = true)]
pub(crate) struct ObjectiveRow {
    pub id: String,
    pub plan_id: String,
    pub cluster_id: Option<String>,
    pub parent_id: Option<String>,
    pub code: String,
    pub level: String,
    pub title: JsonValue<LocalizedText>,
    pub description: Option<JsonValue<LocalizedText>>,
    pub sort_title: String,
    pub search_text: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn to_objective(
    row: ObjectiveRow,
    theme_ids: Vec<String>,
    owners: Vec<String>,
) -> StoreResult<Objective> {
    let ObjectiveRow {
        id,
        plan_id,
        cluster_id,
        parent_id,
        code,
        level,
        title,
        description,
        sort_title: _,
        search_text: _,
        version,
        created_at,
        updated_at,
    } = row;
    Ok(Objective {
        level: level.parse().map_err(StoreError::corrupt)?,
        id,
        plan_id,
        cluster_id,
        parent_id,
        code,
        title: title.0,
        description: description.map(|d| d.0),
        theme_ids,
        owner_organisation_ids: owners,
        version,
        created_at,
        updated_at,
    })
}

fn with_links(conn: &mut DbConnection, rows: Vec<ObjectiveRow>) -> StoreResult<Vec<Objective>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut themes = load_links!(conn, objective_themes, objective_id, theme_id, &ids);
    let mut owners = load_links!(conn, objective_owners, objective_id, organisation_id, &ids);
    rows.into_iter()
        .map(|row| {
            let theme_ids = themes.remove(&row.id).unwrap_or_default();
            let owner_ids = owners.remove(&row.id).unwrap_or_default();
            to_objective(row, theme_ids, owner_ids)
        })
        .collect()
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Objective>> {
    let row = objectives::table
        .find(id)
        .select(ObjectiveRow::as_select())
        .first(conn)
        .optional()?;
    Ok(with_links(conn, row.into_iter().collect())?.pop())
}

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

/// Fields an objective collection can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectiveSort {
    Code,
    Title,
}

impl ObjectiveSort {
    pub const FIELDS: &'static [(&'static str, ObjectiveSort)] = &[
        ("code", ObjectiveSort::Code),
        ("title", ObjectiveSort::Title),
    ];
}

/// Filters of the objective collection.
#[derive(Debug, Clone, Default)]
pub struct ObjectiveFilter {
    pub plan_id: Option<String>,
    pub cluster_id: Option<String>,
    pub theme_id: Option<String>,
    pub parent_id: Option<String>,
    pub level: Option<ObjectiveLevel>,
    /// Objectives this organisation owns.
    pub organisation_id: Option<String>,
    /// Text in the code or the title, any language.
    pub q: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &ObjectiveFilter,
    sort: &[SortKey<ObjectiveSort>],
    page: PageRequest,
) -> StoreResult<Page<Objective>> {
    let filtered = || {
        let mut query = objectives::table.into_boxed();
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(objectives::plan_id.eq(plan_id.clone()));
        }
        if let Some(cluster_id) = &filter.cluster_id {
            query = query.filter(objectives::cluster_id.eq(cluster_id.clone()));
        }
        if let Some(parent_id) = &filter.parent_id {
            query = query.filter(objectives::parent_id.eq(parent_id.clone()));
        }
        if let Some(level) = filter.level {
            query = query.filter(objectives::level.eq(level.as_str()));
        }
        if let Some(theme_id) = &filter.theme_id {
            query = query.filter(
                objectives::id.eq_any(
                    objective_themes::table
                        .filter(objective_themes::theme_id.eq(theme_id.clone()))
                        .select(objective_themes::objective_id),
                ),
            );
        }
        if let Some(organisation_id) = &filter.organisation_id {
            query = query.filter(
                objectives::id.eq_any(
                    objective_owners::table
                        .filter(objective_owners::organisation_id.eq(organisation_id.clone()))
                        .select(objective_owners::objective_id),
                ),
            );
        }
        if let Some(q) = &filter.q {
            query = query.filter(objectives::search_text.like(like_pattern(q)).escape('\\'));
        }
        query
    };
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (ObjectiveSort::Code, false) => query.then_order_by(objectives::code.asc()),
            (ObjectiveSort::Code, true) => query.then_order_by(objectives::code.desc()),
            (ObjectiveSort::Title, false) => query.then_order_by(objectives::sort_title.asc()),
            (ObjectiveSort::Title, true) => query.then_order_by(objectives::sort_title.desc()),
        };
    }
    let Page { items: rows, total } = load_page(
        conn,
        query
            .then_order_by(objectives::plan_id.asc())
            .then_order_by(objectives::code.asc())
            .then_order_by(objectives::id.asc())
            .select((ObjectiveRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    Ok(Page {
        items: with_links(conn, rows)?,
        total,
    })
}
