//! Actions: who leads, who takes part, when, for which objective.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl;
use diesel::prelude::*;
use kiv_domain::followup::action_status;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::paging::SortKey;
use kiv_domain::planning::ActionState;
use kiv_domain::planning::{
    check_action_schedule, check_code, check_external_id, check_members, check_text, search_text,
    sort_key,
};
use kiv_domain::{
    Action, ActionStatus, Caller, FollowUpStatus, InputIssue, IssueLocation, LocalizedText,
    PageRequest,
};

use super::{
    check_organisations, check_reference_data, like_pattern, missing, reject_if_any, replace_links,
};
use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::{load_page, total_count, Page};
use crate::patch::Merger;
use crate::planning::objectives;
use crate::reference::{organisations, plans};
use crate::schema::{
    action_partners, action_states, action_themes, actions, follow_ups, indicators,
    objectives as objective_table,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = actions, treat_none_as_null = true)]
pub(crate) struct ActionRow {
    pub id: String,
    pub objective_id: String,
    pub code: String,
    pub title: JsonValue<LocalizedText>,
    pub description: Option<JsonValue<LocalizedText>>,
    pub lead_organisation_id: String,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub weight: f64,
    pub external_id: Option<String>,
    pub sort_title: String,
    pub search_text: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An action row with its objective's plan and cluster and, once a follow-up of it was
/// approved, its state (status, progress, period).
#[derive(Debug, Clone, Queryable, Selectable)]
pub(crate) struct Joined {
    #[diesel(embed)]
    action: ActionRow,
    #[diesel(embed)]
    place: ObjectivePlace,
    #[diesel(embed)]
    state: Option<StateRow>,
}

/// The plan and cluster of an action's objective.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = objective_table)]
pub(crate) struct ObjectivePlace {
    plan_id: String,
    cluster_id: Option<String>,
}

/// The state of an action, kept by the approval of its follow-ups.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = action_states)]
pub(crate) struct StateRow {
    status: String,
    progress: Option<f64>,
    period: String,
}

/// The actions of `rows` with their partners and themes, read in one more query.
fn with_links(conn: &mut DbConnection, rows: Vec<Joined>) -> StoreResult<Vec<Action>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.action.id.as_str()).collect();
    // One query for both links; UNION is outside the subset both backends share through
    // `MultiConnection`, so it runs on the backend's own connection.
    let mut links: Vec<(String, bool, String)> = crate::on_backend!(conn, |inner| {
        action_partners::table
            .filter(action_partners::action_id.eq_any(&ids))
            .select((
                action_partners::action_id,
                true.into_sql::<diesel::sql_types::Bool>(),
                action_partners::organisation_id,
            ))
            .union_all(
                action_themes::table
                    .filter(action_themes::action_id.eq_any(&ids))
                    .select((
                        action_themes::action_id,
                        false.into_sql::<diesel::sql_types::Bool>(),
                        action_themes::theme_id,
                    )),
            )
            .load(inner)?
    });
    links.sort_unstable();
    let (partner_pairs, theme_pairs): (Vec<_>, Vec<_>) =
        links.into_iter().partition(|(_, partner, _)| *partner);
    let pairs = |links: Vec<(String, bool, String)>| {
        super::group(
            links
                .into_iter()
                .map(|(owner, _, other)| (owner, other))
                .collect(),
        )
    };
    let (mut partners, mut themes) = (pairs(partner_pairs), pairs(theme_pairs));
    rows.into_iter()
        .map(|joined| {
            let Joined {
                action: row,
                place:
                    ObjectivePlace {
                        plan_id,
                        cluster_id,
                    },
                state,
            } = joined;
            let state = match state {
                Some(StateRow {
                    status,
                    progress,
                    period,
                }) => action_state(&status, progress, &period)?,
                None => Default::default(),
            };
            let ActionRow {
                id,
                objective_id,
                code,
                title,
                description,
                lead_organisation_id,
                planned_start,
                planned_end,
                weight,
                external_id,
                sort_title: _,
                search_text: _,
                version,
                created_at,
                updated_at,
            } = row;
            Ok(Action {
                state,
                partner_organisation_ids: partners.remove(&id).unwrap_or_default(),
                theme_ids: themes.remove(&id).unwrap_or_default(),
                id,
                objective_id,
                plan_id,
                cluster_id,
                code,
                title: title.0,
                description: description.map(|d| d.0),
                lead_organisation_id,
                planned_start,
                planned_end,
                weight,
                external_id,
                version,
                created_at,
                updated_at,
            })
        })
        .collect()
}

fn joined() -> diesel::dsl::LeftJoin<
    diesel::dsl::InnerJoin<actions::table, objective_table::table>,
    action_states::table,
> {
    actions::table
        .inner_join(objective_table::table)
        .left_join(action_states::table)
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Action>> {
    let row: Option<Joined> = joined()
        .filter(actions::id.eq(id))
        .select(Joined::as_select())
        .first(conn)
        .optional()?;
    Ok(with_links(conn, row.into_iter().collect())?.pop())
}

/// Several actions by id, in the order of `ids` (missing ones left out).
pub fn get_many(conn: &mut DbConnection, ids: &[&str]) -> StoreResult<Vec<Action>> {
    let rows: Vec<Joined> = joined()
        .filter(actions::id.eq_any(ids))
        .select(Joined::as_select())
        .load(conn)?;
    let mut found: std::collections::HashMap<String, Action> = with_links(conn, rows)?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(*id)).collect())
}

/// The action an organisation knows by its own id.
pub fn find_by_external_id(
    conn: &mut DbConnection,
    lead_organisation_id: &str,
    external_id: &str,
) -> StoreResult<Option<Action>> {
    let id: Option<String> = actions::table
        .filter(actions::lead_organisation_id.eq(lead_organisation_id))
        .filter(actions::external_id.eq(external_id))
        .select(actions::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => get(conn, &id),
        None => Ok(None),
    }
}

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

/// Every rule an action must keep, checked against its objective's plan and the references.
fn validate(conn: &mut DbConnection, input: &ActionInput, id: Option<&str>) -> StoreResult<()> {
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
    match key_holder(conn, input, id)? {
        Some(duplicate) => Err(duplicate),
        None => Ok(()),
    }
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

fn row(id: String, input: &ActionInput, version: i32, created_at: NaiveDateTime) -> ActionRow {
    ActionRow {
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
    validate(conn, input, None)?;
    let id = uuid::Uuid::new_v4().to_string();
    let new = row(id.clone(), input, 1, now());
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
    validate(conn, input, Some(&current.id))?;
    let next = row(
        current.id.clone(),
        input,
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

/// Fields an action collection can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionSort {
    Code,
    Title,
    PlannedStart,
    PlannedEnd,
}

impl ActionSort {
    pub const FIELDS: &'static [(&'static str, ActionSort)] = &[
        ("code", ActionSort::Code),
        ("title", ActionSort::Title),
        ("plannedStart", ActionSort::PlannedStart),
        ("plannedEnd", ActionSort::PlannedEnd),
    ];
}

/// Filters of the action collection.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub plan_id: Option<String>,
    pub cluster_id: Option<String>,
    pub objective_id: Option<String>,
    pub theme_id: Option<String>,
    /// Actions this organisation leads or takes part in.
    pub organisation_id: Option<String>,
    /// Actions whose derived status is this one.
    pub status: Option<ActionStatus>,
    pub q: Option<String>,
    /// Actions planned to end before this day.
    pub planned_end_before: Option<NaiveDate>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &ActionFilter,
    sort: &[SortKey<ActionSort>],
    page: PageRequest,
) -> StoreResult<Page<Action>> {
    let filtered = || {
        let mut query = joined().into_boxed();
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(objective_table::plan_id.eq(plan_id.clone()));
        }
        if let Some(cluster_id) = &filter.cluster_id {
            query = query.filter(objective_table::cluster_id.eq(cluster_id.clone()));
        }
        if let Some(objective_id) = &filter.objective_id {
            query = query.filter(actions::objective_id.eq(objective_id.clone()));
        }
        if let Some(theme_id) = &filter.theme_id {
            query = query.filter(
                actions::id.eq_any(
                    action_themes::table
                        .filter(action_themes::theme_id.eq(theme_id.clone()))
                        .select(action_themes::action_id),
                ),
            );
        }
        if let Some(organisation_id) = &filter.organisation_id {
            query = query.filter(actions::id.eq_any(involving(organisation_id)));
        }
        if let Some(q) = &filter.q {
            query = query.filter(actions::search_text.like(like_pattern(q)).escape('\\'));
        }
        match filter.status {
            None => {}
            Some(ActionStatus::NotReported) => {
                query = query.filter(action_states::action_id.is_null());
            }
            Some(status) => {
                query = query.filter(action_states::status.eq(status.as_str()));
            }
        }
        if let Some(day) = filter.planned_end_before {
            query = query.filter(actions::planned_end.lt(day));
        }
        query
    };
    let mut query = filtered();
    for key in sort {
        query = match (key.field, key.descending) {
            (ActionSort::Code, false) => query.then_order_by(actions::code.asc()),
            (ActionSort::Code, true) => query.then_order_by(actions::code.desc()),
            (ActionSort::Title, false) => query.then_order_by(actions::sort_title.asc()),
            (ActionSort::Title, true) => query.then_order_by(actions::sort_title.desc()),
            (ActionSort::PlannedStart, false) => query.then_order_by(actions::planned_start.asc()),
            (ActionSort::PlannedStart, true) => query.then_order_by(actions::planned_start.desc()),
            (ActionSort::PlannedEnd, false) => query.then_order_by(actions::planned_end.asc()),
            (ActionSort::PlannedEnd, true) => query.then_order_by(actions::planned_end.desc()),
        };
    }
    let Page { items: rows, total } = load_page(
        conn,
        query
            .then_order_by(objective_table::code.asc())
            .then_order_by(actions::code.asc())
            .then_order_by(actions::id.asc())
            .select((Joined::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    Ok(Page {
        items: with_links(conn, rows)?,
        total,
    })
}

/// An action's state from its `action_states` row: the status, progress and period of its
/// latest approved follow-up (kept there by the follow-ups' approval).
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

diesel::alias!(actions as involved: Involved);

/// The ids of the actions `organisation_id` takes part in: as their lead, or as a partner
/// (`action_partners`). The one "lead or partner" rule, as a subquery for any filter on action
/// ids (the action list's, the follow-up list's, the missing reports'); over an alias of
/// `actions`, so that it also filters a query of the actions themselves.
pub(crate) fn involving(organisation_id: &str) -> Involving {
    involved
        .filter(
            involved
                .field(actions::lead_organisation_id)
                .eq(organisation_id.to_owned())
                .or(involved.field(actions::id).eq_any(
                    action_partners::table
                        .filter(action_partners::organisation_id.eq(organisation_id.to_owned()))
                        .select(action_partners::action_id),
                )),
        )
        .select(involved.field(actions::id))
}

/// The query [`involving`] makes.
pub(crate) type Involving = dsl::Select<
    dsl::Filter<
        diesel::query_source::Alias<Involved>,
        dsl::Or<
            dsl::Eq<
                diesel::query_source::AliasedField<Involved, actions::lead_organisation_id>,
                String,
            >,
            dsl::EqAny<
                diesel::query_source::AliasedField<Involved, actions::id>,
                dsl::Select<
                    dsl::Filter<
                        action_partners::table,
                        dsl::Eq<action_partners::organisation_id, String>,
                    >,
                    action_partners::action_id,
                >,
            >,
        >,
    >,
    diesel::query_source::AliasedField<Involved, actions::id>,
>;
