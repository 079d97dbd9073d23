//! Cluster follow-ups: where a cluster of a plan stands in a reporting period, in the coordinating
//! FODs' words, with the progress figures frozen at publication so the published text and its
//! numbers stay together when the underlying data is corrected later.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kiv_domain::evaluation::{ClusterFollowUp, FrozenFigures};
use kiv_domain::followup::check_period;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::{
    Assessment, Caller, InputIssue, IssueLocation, LocalizedText, PageRequest, PublicationState,
    ReportingPeriod,
};

use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::judgements::{self, Judgement};
use crate::page::{load_page, total_count, Page};
use crate::patch::Merger;
use crate::planning::check_organisations;
use crate::publication::revisions::{self as publication, Step};
use crate::records::reject_if_any;
use crate::reference::plans;
use crate::reports::{self, Scope};
use crate::schema::cluster_follow_ups;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = cluster_follow_ups, treat_none_as_null = true)]
struct Row {
    id: String,
    plan_id: String,
    cluster_id: String,
    period: String,
    period_start: NaiveDate,
    assessment: String,
    narrative: Option<JsonValue<LocalizedText>>,
    highlights: Option<JsonValue<LocalizedText>>,
    obstacles: Option<JsonValue<LocalizedText>>,
    next_steps: Option<JsonValue<LocalizedText>>,
    organisation_ids: JsonValue<Vec<String>>,
    state: String,
    figures: Option<JsonValue<FrozenFigures>>,
    published_revision: Option<i32>,
    published_at: Option<NaiveDateTime>,
    published_by: Option<String>,
    revision: i32,
    version: i32,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl Row {
    fn into_domain(self) -> StoreResult<(ClusterFollowUp, Option<i32>)> {
        let published_revision = self.published_revision;
        Ok((
            ClusterFollowUp {
                period: self.period.parse().map_err(StoreError::corrupt)?,
                assessment: self.assessment.parse().map_err(StoreError::corrupt)?,
                state: self.state.parse().map_err(StoreError::corrupt)?,
                id: self.id,
                plan_id: self.plan_id,
                cluster_id: self.cluster_id,
                narrative: self.narrative.map(|t| t.0),
                highlights: self.highlights.map(|t| t.0),
                obstacles: self.obstacles.map(|t| t.0),
                next_steps: self.next_steps.map(|t| t.0),
                organisation_ids: self.organisation_ids.0,
                figures: self.figures.map(|f| f.0),
                published_at: self.published_at,
                published_by: self.published_by,
                revision: self.revision,
                version: self.version,
                created_by: self.created_by,
                created_at: self.created_at,
                updated_at: self.updated_at,
            },
            published_revision,
        ))
    }

    fn of(record: &ClusterFollowUp, published_revision: Option<i32>) -> Self {
        Row {
            id: record.id.clone(),
            plan_id: record.plan_id.clone(),
            cluster_id: record.cluster_id.clone(),
            period: record.period.to_string(),
            period_start: record.period.start(),
            assessment: record.assessment.as_str().to_owned(),
            narrative: record.narrative.clone().map(JsonValue),
            highlights: record.highlights.clone().map(JsonValue),
            obstacles: record.obstacles.clone().map(JsonValue),
            next_steps: record.next_steps.clone().map(JsonValue),
            organisation_ids: JsonValue(record.organisation_ids.clone()),
            state: record.state.as_str().to_owned(),
            figures: record.figures.clone().map(JsonValue),
            published_revision,
            published_at: record.published_at,
            published_by: record.published_by.clone(),
            revision: record.revision,
            version: record.version,
            created_by: record.created_by.clone(),
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// A new cluster follow-up.
#[derive(Debug, Clone)]
pub struct ClusterFollowUpInput {
    pub plan_id: String,
    pub cluster_id: String,
    pub period: ReportingPeriod,
    pub assessment: Assessment,
    pub narrative: Option<LocalizedText>,
    pub highlights: Option<LocalizedText>,
    pub obstacles: Option<LocalizedText>,
    pub next_steps: Option<LocalizedText>,
    /// The recording organisations; the writer's own when empty.
    pub organisation_ids: Vec<String>,
}

/// Changes to a draft, a JSON merge patch (`None`: unchanged; `Some(None)`: cleared; the texts
/// are merged into the stored ones).
#[derive(Debug, Clone, Default)]
pub struct ClusterFollowUpChanges {
    pub assessment: Option<Assessment>,
    pub narrative: Option<Option<ObjectPatch>>,
    pub highlights: Option<Option<ObjectPatch>>,
    pub obstacles: Option<Option<ObjectPatch>>,
    pub next_steps: Option<Option<ObjectPatch>>,
    pub organisation_ids: Option<Vec<String>>,
}

/// Filters of the collection.
#[derive(Debug, Clone, Default)]
pub struct ClusterFollowUpFilter {
    pub plan_id: Option<String>,
    pub cluster_id: Option<String>,
    pub period: Option<ReportingPeriod>,
    pub state: Option<PublicationState>,
}

fn row(conn: &mut DbConnection, id: &str) -> StoreResult<Option<(ClusterFollowUp, Option<i32>)>> {
    cluster_follow_ups::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// The cluster follow-up as `caller` may read it: coordinators the current revision, others the
/// latest published one (`None` before the first publication).
pub fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<Option<ClusterFollowUp>> {
    match row(conn, id)? {
        Some((current, published_revision)) => {
            publication::visible(conn, caller, current, published_revision)
        }
        None => Ok(None),
    }
}

/// The cluster follow-up `id` as `caller` may read it; `NotFound` when there is none, or none it
/// may read (a draft never published, for those who read published ones only).
pub fn readable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<ClusterFollowUp> {
    get(conn, caller, id)?.ok_or(StoreError::NotFound)
}

/// One page of cluster follow-ups, newest period first, as `caller` may read them.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    filter: &ClusterFollowUpFilter,
    page: PageRequest,
) -> StoreResult<Page<ClusterFollowUp>> {
    let drafts_too = caller.may_read_drafts();
    let filtered = || {
        let mut query = cluster_follow_ups::table.into_boxed();
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(cluster_follow_ups::plan_id.eq(plan_id.clone()));
        }
        if let Some(cluster_id) = &filter.cluster_id {
            query = query.filter(cluster_follow_ups::cluster_id.eq(cluster_id.clone()));
        }
        if let Some(period) = filter.period {
            query = query.filter(cluster_follow_ups::period.eq(period.to_string()));
        }
        if let Some(state) = filter.state {
            query = query.filter(cluster_follow_ups::state.eq(state.as_str()));
        }
        if !drafts_too {
            query = query.filter(cluster_follow_ups::published_revision.is_not_null());
        }
        query
    };
    let Page { items: rows, total } = load_page(
        conn,
        filtered()
            .order((
                cluster_follow_ups::period_start.desc(),
                cluster_follow_ups::cluster_id.asc(),
                cluster_follow_ups::id.asc(),
            ))
            .select((Row::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    let rows = rows
        .into_iter()
        .map(Row::into_domain)
        .collect::<StoreResult<Vec<_>>>()?;
    let items = publication::visible_page(conn, caller, rows)?;
    Ok(Page { items, total })
}

fn validate(
    conn: &mut DbConnection,
    input: &ClusterFollowUpInput,
    today: NaiveDate,
) -> StoreResult<()> {
    let Some(plan) = plans::get(conn, &input.plan_id)? else {
        return Err(StoreError::Rejected(vec![
            InputIssue::referenced_resource_not_found(
                IssueLocation::Body,
                "planId",
                &input.plan_id,
            ),
        ]));
    };
    let mut issues = Vec::new();
    if !plan.cluster_ids.contains(&input.cluster_id) {
        issues.push(InputIssue::invalid(
            IssueLocation::Body,
            "clusterId",
            Some(input.cluster_id.as_str().into()),
            format!(
                "cluster {} is not a cluster of plan {}",
                input.cluster_id, plan.id
            ),
        ));
    }
    issues.extend(check_period(&plan.schedule(), input.period, today));
    check_organisations(
        conn,
        "organisationIds",
        &input.organisation_ids,
        &mut issues,
    )?;
    reject_if_any(issues)
}

/// The cluster follow-up of `input`'s plan, cluster and period, as the conflict to answer:
/// there is one per plan, cluster and period.
fn holder(
    conn: &mut DbConnection,
    input: &ClusterFollowUpInput,
) -> StoreResult<Option<StoreError>> {
    let existing: Option<String> = cluster_follow_ups::table
        .filter(cluster_follow_ups::plan_id.eq(&input.plan_id))
        .filter(cluster_follow_ups::cluster_id.eq(&input.cluster_id))
        .filter(cluster_follow_ups::period.eq(input.period.to_string()))
        .select(cluster_follow_ups::id)
        .first(conn)
        .optional()?;
    Ok(existing.map(|existing| {
        let detail = format!(
            "cluster {} of plan {} has a follow-up for {} already ({existing}); change that one",
            input.cluster_id, input.plan_id, input.period
        );
        StoreError::duplicate(existing, detail)
    }))
}

/// Creates a draft. One per plan, cluster and period (409 for a second).
pub fn create(
    conn: &mut DbConnection,
    actor: &Caller,
    mut input: ClusterFollowUpInput,
    today: NaiveDate,
) -> StoreResult<ClusterFollowUp> {
    if input.organisation_ids.is_empty() {
        input.organisation_ids.push(actor.organisation_id.clone());
    }
    crate::database::write_transaction(conn, |conn| {
        validate(conn, &input, today)?;
        if let Some(duplicate) = holder(conn, &input)? {
            return Err(duplicate);
        }
        let at = now();
        let created = ClusterFollowUp {
            id: uuid::Uuid::new_v4().to_string(),
            plan_id: input.plan_id.clone(),
            cluster_id: input.cluster_id.clone(),
            period: input.period,
            assessment: input.assessment,
            narrative: input.narrative.clone(),
            highlights: input.highlights.clone(),
            obstacles: input.obstacles.clone(),
            next_steps: input.next_steps.clone(),
            organisation_ids: input.organisation_ids.clone(),
            state: PublicationState::Draft,
            figures: None,
            published_at: None,
            published_by: None,
            revision: 1,
            version: 1,
            created_by: actor.login.clone(),
            created_at: at,
            updated_at: at,
        };
        let row = Row::of(&created, None);
        crate::error::unique_write(
            conn,
            |conn| {
                Ok(diesel::insert_into(cluster_follow_ups::table)
                    .values(&row)
                    .execute(conn)?)
            },
            |conn| holder(conn, &input),
        )?;
        publication::written(conn, actor, None, &created, "created", None)?;
        Ok(created)
    })
}

/// The stored record, if it is at `expected_version`.
fn current(
    conn: &mut DbConnection,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<(ClusterFollowUp, Option<i32>)> {
    let found = row(conn, id)?.ok_or(StoreError::NotFound)?;
    crate::error::check_version(expected_version, &found.0)?;
    Ok(found)
}

/// Writes `next` over the stored record, if that is still at `next.version - 1`.
fn save(
    conn: &mut DbConnection,
    next: &ClusterFollowUp,
    published_revision: Option<i32>,
) -> StoreResult<()> {
    let version = next.version - 1;
    let count = diesel::update(
        cluster_follow_ups::table
            .filter(cluster_follow_ups::id.eq(&next.id))
            .filter(cluster_follow_ups::version.eq(version)),
    )
    .set(&Row::of(next, published_revision))
    .execute(conn)?;
    crate::error::expect_one_written(count, version)
}

/// Changes a draft; a published one answers 409.
pub fn update(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: ClusterFollowUpChanges,
    today: NaiveDate,
) -> StoreResult<ClusterFollowUp> {
    crate::database::write_transaction(conn, |conn| {
        let (before, published_revision) = current(conn, id, expected_version)?;
        publication::check_editable(&before)?;
        let mut next = before.clone();
        if let Some(assessment) = changes.assessment {
            next.assessment = assessment;
        }
        let mut merger = Merger::default();
        for (name, field, change) in [
            ("narrative", &mut next.narrative, &changes.narrative),
            ("highlights", &mut next.highlights, &changes.highlights),
            ("obstacles", &mut next.obstacles, &changes.obstacles),
            ("nextSteps", &mut next.next_steps, &changes.next_steps),
        ] {
            *field = merger.optional_text(name, field.as_ref(), change)?;
        }
        merger.finish()?;
        if let Some(organisation_ids) = changes.organisation_ids.clone() {
            next.organisation_ids = organisation_ids;
        }
        let input = ClusterFollowUpInput {
            plan_id: next.plan_id.clone(),
            cluster_id: next.cluster_id.clone(),
            period: next.period,
            assessment: next.assessment,
            narrative: None,
            highlights: None,
            obstacles: None,
            next_steps: None,
            organisation_ids: next.organisation_ids.clone(),
        };
        validate(conn, &input, today)?;
        next.version += 1;
        next.updated_at = now();
        save(conn, &next, published_revision)?;
        publication::written(conn, actor, Some(&before), &next, "updated", None)?;
        Ok(next)
    })
}

/// Publishes a draft (freezing the cluster's progress figures as they stand now) or starts a new
/// revision of a published one.
pub fn step(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    step: Step,
    note: Option<String>,
) -> StoreResult<ClusterFollowUp> {
    crate::database::write_transaction(conn, |conn| {
        let (before, published_revision) = current(conn, id, expected_version)?;
        publication::check_step(&before, step)?;
        let at = now();
        let mut next = before.clone();
        next.version += 1;
        next.updated_at = at;
        let (published_revision, event) = match step {
            Step::Publish => {
                next.state = PublicationState::Published;
                next.published_at = Some(at);
                next.published_by = Some(actor.login.clone());
                next.figures = Some(freeze(conn, &next, at)?);
                (Some(next.revision), "published")
            }
            Step::Revise => {
                next.state = PublicationState::Draft;
                next.revision += 1;
                next.figures = None;
                next.published_at = None;
                next.published_by = None;
                (published_revision, "revised")
            }
        };
        save(conn, &next, published_revision)?;
        if step == Step::Publish {
            judgements::record_judgement::<ClusterFollowUp>(
                conn,
                &next.plan_id,
                &Judgement {
                    entity_id: next.id.clone(),
                    revision: next.revision,
                    cluster_id: Some(next.cluster_id.clone()),
                    theme_id: None,
                    period: next.period,
                    period_from: next.period,
                    judgement: next.assessment.as_str().to_owned(),
                    round: None,
                    published_at: at,
                },
            )?;
        }
        publication::written(conn, actor, Some(&before), &next, event, note.as_deref())?;
        Ok(next)
    })
}

/// The cluster's figures for the follow-up's period as approved by `at`, computed by the same
/// code as the progress report.
fn freeze(
    conn: &mut DbConnection,
    record: &ClusterFollowUp,
    at: NaiveDateTime,
) -> StoreResult<FrozenFigures> {
    let plan = plans::get(conn, &record.plan_id)?.ok_or(StoreError::NotFound)?;
    let scope = Scope {
        plan_id: record.plan_id.clone(),
        cluster_id: Some(record.cluster_id.clone()),
        theme_id: None,
        organisation_id: None,
    };
    let report = reports::progress_report(conn, &plan, &scope, record.period, at)?;
    Ok(FrozenFigures {
        as_of: at.and_utc(),
        method: report.method.to_owned(),
        figures: report.totals,
    })
}

/// The history of a cluster follow-up: every step for coordinators, the publications for
/// other readers.
pub fn history(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    page: PageRequest,
) -> StoreResult<Page<publication::PublicationEvent>> {
    readable(conn, caller, id)?;
    publication::history::<ClusterFollowUp>(conn, id, caller.may_read_drafts(), page)
}
