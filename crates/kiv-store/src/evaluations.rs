//! Evaluations of a cluster (or a transversal theme) of a plan, their evidence, their
//! recommendations, and the follow-up figures an evaluator reads beside them.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kiv_domain::access::check_recommendation_write;
use kiv_domain::evaluation::{
    check_range, check_scores, check_subject, Evaluation, Evidence, PeriodRange, Recommendation,
    Score, Subject,
};
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::paging::SortKey;
use kiv_domain::report::{EvaluationContext, IndicatorStanding, MissingReport};
use kiv_domain::rollup::{on_track, target_for};
use kiv_domain::{
    Caller, Criterion, EvaluationRound, InputIssue, IssueLocation, LocalizedText, OverallRating,
    PageRequest, Plan, Priority, PublicationState, RecommendationStatus,
};
use serde_json::Value;

use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::Page;
use crate::patch::Merger;
use crate::planning::{check_organisations, reject_if_any};
use crate::publication::{self, Judgement, Step};
use crate::recommendation_revisions;
use crate::reference::plans;
use crate::reports::{self, Scope};
use crate::schema::{
    action_themes, actions, evaluations, follow_up_values, follow_ups, objective_themes,
    objectives, recommendation_organisations, recommendations,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = evaluations, treat_none_as_null = true)]
struct Row {
    id: String,
    plan_id: String,
    cluster_id: Option<String>,
    theme_id: Option<String>,
    subject: String,
    round: String,
    period_from: String,
    period_to: String,
    evaluating_organisation_ids: JsonValue<Vec<String>>,
    scores: JsonValue<BTreeMap<Criterion, Score>>,
    overall_rating: Option<String>,
    findings: Option<JsonValue<LocalizedText>>,
    evidence: JsonValue<Vec<Evidence>>,
    state: String,
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
    fn into_domain(self) -> StoreResult<(Evaluation, Option<i32>)> {
        let published_revision = self.published_revision;
        Ok((
            Evaluation {
                round: self.round.parse().map_err(StoreError::corrupt)?,
                period: PeriodRange {
                    from: self.period_from.parse().map_err(StoreError::corrupt)?,
                    to: self.period_to.parse().map_err(StoreError::corrupt)?,
                },
                overall_rating: self
                    .overall_rating
                    .map(|r| r.parse())
                    .transpose()
                    .map_err(StoreError::corrupt)?,
                state: self.state.parse().map_err(StoreError::corrupt)?,
                id: self.id,
                plan_id: self.plan_id,
                cluster_id: self.cluster_id,
                theme_id: self.theme_id,
                evaluating_organisation_ids: self.evaluating_organisation_ids.0,
                scores: self.scores.0,
                findings: self.findings.map(|f| f.0),
                evidence: self.evidence.0,
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

    fn of(record: &Evaluation, published_revision: Option<i32>) -> StoreResult<Self> {
        let subject = record.subject().ok_or_else(|| {
            StoreError::Corrupt(format!("evaluation {} has no subject", record.id))
        })?;
        Ok(Row {
            id: record.id.clone(),
            plan_id: record.plan_id.clone(),
            cluster_id: record.cluster_id.clone(),
            theme_id: record.theme_id.clone(),
            subject: subject.key(),
            round: record.round.as_str().to_owned(),
            period_from: record.period.from.to_string(),
            period_to: record.period.to.to_string(),
            evaluating_organisation_ids: JsonValue(record.evaluating_organisation_ids.clone()),
            scores: JsonValue(record.scores.clone()),
            overall_rating: record.overall_rating.map(|r| r.as_str().to_owned()),
            findings: record.findings.clone().map(JsonValue),
            evidence: JsonValue(record.evidence.clone()),
            state: record.state.as_str().to_owned(),
            published_revision,
            published_at: record.published_at,
            published_by: record.published_by.clone(),
            revision: record.revision,
            version: record.version,
            created_by: record.created_by.clone(),
            created_at: record.created_at,
            updated_at: record.updated_at,
        })
    }
}

/// A new evaluation, or the whole content of one after a change. Scores are checked by
/// `kiv_domain::evaluation::check_scores` before they get here.
#[derive(Debug, Clone)]
pub struct EvaluationInput {
    pub plan_id: String,
    pub cluster_id: Option<String>,
    pub theme_id: Option<String>,
    pub round: EvaluationRound,
    pub period: PeriodRange,
    /// The writer's own organisation when empty.
    pub evaluating_organisation_ids: Vec<String>,
    pub scores: BTreeMap<Criterion, Score>,
    pub overall_rating: Option<OverallRating>,
    pub findings: Option<LocalizedText>,
    pub evidence: Vec<Evidence>,
}

/// Changes to a draft, a JSON merge patch (`None`: unchanged; `Some(None)`: cleared). The
/// period, the scores (criterion by criterion, member by member) and the findings are merged
/// into the stored ones; the merged scores are checked as new ones are.
#[derive(Debug, Clone, Default)]
pub struct EvaluationChanges {
    pub round: Option<EvaluationRound>,
    pub period: Option<ObjectPatch>,
    pub evaluating_organisation_ids: Option<Vec<String>>,
    pub scores: Option<ObjectPatch>,
    pub overall_rating: Option<Option<OverallRating>>,
    pub findings: Option<Option<ObjectPatch>>,
    pub evidence: Option<Vec<Evidence>>,
}

/// Filters of the collection.
#[derive(Debug, Clone, Default)]
pub struct EvaluationFilter {
    pub plan_id: Option<String>,
    pub cluster_id: Option<String>,
    pub theme_id: Option<String>,
    pub round: Option<EvaluationRound>,
    pub state: Option<PublicationState>,
}

fn row(conn: &mut DbConnection, id: &str) -> StoreResult<Option<(Evaluation, Option<i32>)>> {
    evaluations::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// The evaluation as `caller` may read it: coordinators the current revision, others the latest
/// published one (`None` before the first publication).
pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<Option<Evaluation>> {
    match row(conn, id)? {
        Some((current, published_revision)) => {
            publication::visible(conn, caller, current, published_revision)
        }
        None => Ok(None),
    }
}

/// One page of evaluations, latest period first, as `caller` may read them.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    filter: &EvaluationFilter,
    page: PageRequest,
) -> StoreResult<Page<Evaluation>> {
    let drafts_too = publication::reads_drafts(caller);
    let filtered = || {
        let mut query = evaluations::table.into_boxed();
        if let Some(plan_id) = &filter.plan_id {
            query = query.filter(evaluations::plan_id.eq(plan_id.clone()));
        }
        if let Some(cluster_id) = &filter.cluster_id {
            query = query.filter(evaluations::cluster_id.eq(cluster_id.clone()));
        }
        if let Some(theme_id) = &filter.theme_id {
            query = query.filter(evaluations::theme_id.eq(theme_id.clone()));
        }
        if let Some(round) = filter.round {
            query = query.filter(evaluations::round.eq(round.as_str()));
        }
        if let Some(state) = filter.state {
            query = query.filter(evaluations::state.eq(state.as_str()));
        }
        if !drafts_too {
            query = query.filter(evaluations::published_revision.is_not_null());
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows: Vec<Row> = filtered()
        .order((
            evaluations::period_to.desc(),
            evaluations::subject.asc(),
            evaluations::id.asc(),
        ))
        .limit(page.limit())
        .offset(page.offset())
        .select(Row::as_select())
        .load(conn)?;
    let rows = rows
        .into_iter()
        .map(Row::into_domain)
        .collect::<StoreResult<Vec<_>>>()?;
    let items = publication::visible_page(conn, caller, rows)?;
    Ok(Page { items, total })
}

fn body_issue(
    name: impl Into<String>,
    value: Option<Value>,
    detail: impl Into<String>,
) -> InputIssue {
    InputIssue::invalid(IssueLocation::Body, name, value, detail)
}

/// Checks everything that needs the stored data; returns the plan and the subject.
fn validate(conn: &mut DbConnection, input: &EvaluationInput) -> StoreResult<(Plan, Subject)> {
    let Some(plan) = plans::get(conn, &input.plan_id)? else {
        return Err(StoreError::Rejected(vec![
            InputIssue::referenced_resource_not_found(
                IssueLocation::Body,
                "planId",
                &input.plan_id,
            ),
        ]));
    };
    let mut issues = check_range(&plan, input.period);
    let subject = match check_subject(
        &plan,
        input.cluster_id.as_deref(),
        input.theme_id.as_deref(),
    ) {
        Ok(subject) => Some(subject),
        Err(refused) => {
            issues.extend(refused);
            None
        }
    };
    check_organisations(
        conn,
        "evaluatingOrganisationIds",
        &input.evaluating_organisation_ids,
        &mut issues,
    )?;
    if let Some(subject) = &subject {
        check_evidence(
            conn,
            &plan,
            subject,
            input.period,
            &input.evidence,
            &mut issues,
        )?;
    }
    reject_if_any(issues)?;
    let subject = subject.ok_or_else(|| StoreError::Corrupt("no subject".into()))?;
    Ok((plan, subject))
}

/// Evidence must exist and belong to the evaluation's plan, subject and periods.
fn check_evidence(
    conn: &mut DbConnection,
    plan: &Plan,
    subject: &Subject,
    range: PeriodRange,
    evidence: &[Evidence],
    issues: &mut Vec<InputIssue>,
) -> StoreResult<()> {
    for (index, item) in evidence.iter().enumerate() {
        let field = format!("evidence[{index}].followUpId");
        let found: Option<(String, String, String, Option<String>, String)> = follow_ups::table
            .inner_join(actions::table.inner_join(objectives::table))
            .filter(follow_ups::id.eq(&item.follow_up_id))
            .select((
                follow_ups::period,
                actions::id,
                objectives::plan_id,
                objectives::cluster_id,
                objectives::id,
            ))
            .first(conn)
            .optional()?;
        let Some((period, action_id, plan_id, cluster_id, objective_id)) = found else {
            issues.push(InputIssue::referenced_resource_not_found(
                IssueLocation::Body,
                &field,
                &item.follow_up_id,
            ));
            continue;
        };
        let value = Some(Value::from(item.follow_up_id.as_str()));
        if plan_id != plan.id {
            issues.push(body_issue(
                &field,
                value,
                format!(
                    "the follow-up belongs to plan {plan_id}, not to plan {}",
                    plan.id
                ),
            ));
            continue;
        }
        let in_subject = match subject {
            Subject::Cluster(cluster) => cluster_id.as_deref() == Some(cluster.as_str()),
            Subject::Theme(theme) => {
                let on_action: i64 = action_themes::table
                    .filter(action_themes::action_id.eq(&action_id))
                    .filter(action_themes::theme_id.eq(theme))
                    .count()
                    .get_result(conn)?;
                let on_objective: i64 = objective_themes::table
                    .filter(objective_themes::objective_id.eq(&objective_id))
                    .filter(objective_themes::theme_id.eq(theme))
                    .count()
                    .get_result(conn)?;
                on_action + on_objective > 0
            }
        };
        if !in_subject {
            let what = match subject {
                Subject::Cluster(cluster) => format!(
                    "the follow-up is of cluster {}, not of cluster {cluster}",
                    cluster_id.as_deref().unwrap_or("none")
                ),
                Subject::Theme(theme) => {
                    format!("the follow-up's action is not under theme {theme}")
                }
            };
            issues.push(body_issue(&field, value, what));
            continue;
        }
        let period: kiv_domain::ReportingPeriod = period.parse().map_err(StoreError::corrupt)?;
        if period < range.from || period > range.to {
            issues.push(body_issue(
                &field,
                value,
                format!(
                    "the follow-up is for {period}, outside the evaluated periods {}..{}",
                    range.from, range.to
                ),
            ));
            continue;
        }
        if let Some(indicator_id) = &item.indicator_id {
            let reported: i64 = follow_up_values::table
                .filter(follow_up_values::follow_up_id.eq(&item.follow_up_id))
                .filter(follow_up_values::indicator_id.eq(indicator_id))
                .count()
                .get_result(conn)?;
            if reported == 0 {
                issues.push(body_issue(
                    format!("evidence[{index}].indicatorId"),
                    Some(Value::from(indicator_id.as_str())),
                    "the follow-up reports no value for this indicator",
                ));
            }
        }
    }
    Ok(())
}

/// Refuses a second evaluation of the same plan, subject, round and periods.
fn check_unique(
    conn: &mut DbConnection,
    record: &Evaluation,
    subject: &Subject,
) -> StoreResult<()> {
    match holder(conn, record, subject)? {
        Some(duplicate) => Err(duplicate),
        None => Ok(()),
    }
}

/// The other evaluation of `record`'s plan, subject, round and periods, as the conflict to
/// answer.
fn holder(
    conn: &mut DbConnection,
    record: &Evaluation,
    subject: &Subject,
) -> StoreResult<Option<StoreError>> {
    let existing: Option<String> = evaluations::table
        .filter(evaluations::plan_id.eq(&record.plan_id))
        .filter(evaluations::subject.eq(subject.key()))
        .filter(evaluations::round.eq(record.round.as_str()))
        .filter(evaluations::period_from.eq(record.period.from.to_string()))
        .filter(evaluations::period_to.eq(record.period.to.to_string()))
        .filter(evaluations::id.ne(&record.id))
        .select(evaluations::id)
        .first(conn)
        .optional()?;
    Ok(existing.map(|existing| {
        let detail = format!(
            "plan {} has a {} evaluation of {} for {}..{} already ({existing}); change that one",
            record.plan_id,
            record.round,
            subject.key(),
            record.period.from,
            record.period.to
        );
        StoreError::duplicate(existing, detail)
    }))
}

/// Creates a draft evaluation.
pub fn create(
    conn: &mut DbConnection,
    actor: &Caller,
    mut input: EvaluationInput,
) -> StoreResult<Evaluation> {
    if input.evaluating_organisation_ids.is_empty() {
        input
            .evaluating_organisation_ids
            .push(actor.organisation_id.clone());
    }
    crate::database::write_transaction(conn, |conn| {
        let (_, subject) = validate(conn, &input)?;
        let at = now();
        let created = Evaluation {
            id: uuid::Uuid::new_v4().to_string(),
            plan_id: input.plan_id.clone(),
            cluster_id: input.cluster_id.clone(),
            theme_id: input.theme_id.clone(),
            round: input.round,
            period: input.period,
            evaluating_organisation_ids: input.evaluating_organisation_ids.clone(),
            scores: input.scores.clone(),
            overall_rating: input.overall_rating,
            findings: input.findings.clone(),
            evidence: input.evidence.clone(),
            state: PublicationState::Draft,
            published_at: None,
            published_by: None,
            revision: 1,
            version: 1,
            created_by: actor.login.clone(),
            created_at: at,
            updated_at: at,
        };
        check_unique(conn, &created, &subject)?;
        let row = Row::of(&created, None)?;
        crate::error::unique_write(
            conn,
            |conn| {
                Ok(diesel::insert_into(evaluations::table)
                    .values(&row)
                    .execute(conn)?)
            },
            |conn| holder(conn, &created, &subject),
        )?;
        publication::written(conn, actor, None, &created, "created", None)?;
        Ok(created)
    })
}

fn current(
    conn: &mut DbConnection,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<(Evaluation, Option<i32>)> {
    let found = row(conn, id)?.ok_or(StoreError::NotFound)?;
    crate::error::check_version(expected_version, &found.0)?;
    Ok(found)
}

/// Writes `next` over the stored record, if that is still at `next.version - 1`.
fn save(
    conn: &mut DbConnection,
    next: &Evaluation,
    published_revision: Option<i32>,
) -> StoreResult<()> {
    let version = next.version - 1;
    let count = diesel::update(
        evaluations::table
            .filter(evaluations::id.eq(&next.id))
            .filter(evaluations::version.eq(version)),
    )
    .set(&Row::of(next, published_revision)?)
    .execute(conn)?;
    crate::error::expect_one_written(count, version)
}

/// Changes a draft; a published evaluation answers 409.
pub fn update(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: EvaluationChanges,
) -> StoreResult<Evaluation> {
    crate::database::write_transaction(conn, |conn| {
        let (before, published_revision) = current(conn, id, expected_version)?;
        publication::check_editable(&before)?;
        let mut next = before.clone();
        if let Some(round) = changes.round {
            next.round = round;
        }
        let mut merger = Merger::default();
        next.period = merger.required("period", &before.period, changes.period.as_ref())?;
        // Merged keyed by the criteria's names, so that a name that is no criterion is an
        // issue of its own (`scores.beauty`) rather than a failure to read the map.
        let stored: BTreeMap<String, Score> = before
            .scores
            .iter()
            .map(|(criterion, score)| (criterion.to_string(), score.clone()))
            .collect();
        let scores = merger.required("scores", &stored, changes.scores.as_ref())?;
        next.findings =
            merger.optional_text("findings", before.findings.as_ref(), &changes.findings)?;
        merger.finish()?;
        if changes.scores.is_some() {
            next.scores = check_scores(&scores).map_err(StoreError::Rejected)?;
        }
        if let Some(ids) = changes.evaluating_organisation_ids.clone() {
            next.evaluating_organisation_ids = ids;
        }
        if let Some(rating) = changes.overall_rating {
            next.overall_rating = rating;
        }
        if let Some(evidence) = changes.evidence.clone() {
            next.evidence = evidence;
        }
        let (_, subject) = validate(conn, &input_of(&next))?;
        check_unique(conn, &next, &subject)?;
        next.version += 1;
        next.updated_at = now();
        crate::error::unique_write(
            conn,
            |conn| save(conn, &next, published_revision),
            |conn| holder(conn, &next, &subject),
        )?;
        publication::written(conn, actor, Some(&before), &next, "updated", None)?;
        Ok(next)
    })
}

fn input_of(record: &Evaluation) -> EvaluationInput {
    EvaluationInput {
        plan_id: record.plan_id.clone(),
        cluster_id: record.cluster_id.clone(),
        theme_id: record.theme_id.clone(),
        round: record.round,
        period: record.period,
        evaluating_organisation_ids: record.evaluating_organisation_ids.clone(),
        scores: record.scores.clone(),
        overall_rating: record.overall_rating,
        findings: record.findings.clone(),
        evidence: record.evidence.clone(),
    }
}

/// Publishes a complete draft, or starts a new revision of a published evaluation.
pub fn step(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    step: Step,
    note: Option<String>,
) -> StoreResult<Evaluation> {
    crate::database::write_transaction(conn, |conn| {
        let (before, published_revision) = current(conn, id, expected_version)?;
        publication::check_step(&before, step)?;
        let at = now();
        let mut next = before.clone();
        next.version += 1;
        next.updated_at = at;
        let (published_revision, event) = match step {
            Step::Publish => {
                let missing = before.missing_for_publication();
                if !missing.is_empty() {
                    return Err(StoreError::Conflict(format!(
                        "the evaluation is not complete: set {} before publishing it",
                        missing.join(", ")
                    )));
                }
                // The evidence may have changed since it was linked.
                validate(conn, &input_of(&before))?;
                next.state = PublicationState::Published;
                next.published_at = Some(at);
                next.published_by = Some(actor.login.clone());
                (Some(next.revision), "published")
            }
            Step::Revise => {
                next.state = PublicationState::Draft;
                next.revision += 1;
                next.published_at = None;
                next.published_by = None;
                (published_revision, "revised")
            }
        };
        save(conn, &next, published_revision)?;
        if step == Step::Publish {
            recommendation_revisions::publish(conn, &next.id, next.revision)?;
        }
        if let (Step::Publish, Some(rating)) = (step, next.overall_rating) {
            publication::record_judgement::<Evaluation>(
                conn,
                &next.plan_id,
                &Judgement {
                    entity_id: next.id.clone(),
                    revision: next.revision,
                    cluster_id: next.cluster_id.clone(),
                    theme_id: next.theme_id.clone(),
                    period: next.period.to,
                    period_from: next.period.from,
                    judgement: rating.as_str().to_owned(),
                    round: Some(next.round.as_str().to_owned()),
                    published_at: at,
                },
            )?;
        }
        publication::written(conn, actor, Some(&before), &next, event, note.as_deref())?;
        Ok(next)
    })
}

/// The history of an evaluation: every step for coordinators, the publications for others.
pub fn history(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    page: PageRequest,
) -> StoreResult<Page<publication::PublicationEvent>> {
    publication::history::<Evaluation>(conn, id, publication::reads_drafts(caller), page)
}

/// The follow-up figures of the evaluation's plan and subject for the periods it covers, as
/// approved by `as_of`: the same computation as the progress report.
pub fn context(
    conn: &mut DbConnection,
    evaluation: &Evaluation,
    as_of: NaiveDateTime,
) -> StoreResult<EvaluationContext> {
    let plan = plans::get(conn, &evaluation.plan_id)?.ok_or(StoreError::NotFound)?;
    let scope = Scope {
        plan_id: plan.id.clone(),
        cluster_id: evaluation.cluster_id.clone(),
        theme_id: evaluation.theme_id.clone(),
        organisation_id: None,
    };
    let last = evaluation.period.to;
    // Each period covered as approved by `as_of`: the data the evaluator judges, corrections
    // included. The last period's data also makes the report and the indicators' standing.
    let periods: Vec<_> = plan
        .reporting_periods()
        .into_iter()
        .filter(|p| *p >= evaluation.period.from && *p <= last)
        .collect();
    let (trend, last_data) = reports::trend::trend_points_and_last(conn, &scope, &periods, as_of)?;
    let data = match last_data {
        Some(data) => data,
        None => reports::progress_data(conn, &scope, last, as_of)?,
    };
    let report = reports::report_from(conn, &plan, &scope, last, as_of, &data)?;
    let mut lines: Vec<&reports::IndicatorLine> = data.indicators.iter().collect();
    lines.sort_by(|a, b| a.id.cmp(&b.id));
    let ids: Vec<&str> = lines.iter().map(|i| i.id.as_str()).collect();
    let mut labels = reports::indicator_labels(conn, &ids)?;
    let indicators = lines
        .into_iter()
        .map(|i| {
            let target = target_for(&i.targets, last).cloned();
            let (name, unit) = labels.remove(&i.id).unwrap_or_default();
            IndicatorStanding {
                indicator_id: i.id.clone(),
                objective_id: i.objective_id.clone(),
                name,
                unit,
                measure: i.measure,
                direction: i.direction,
                on_track: on_track(i.measure, i.direction, target.as_ref(), i.actual.as_ref()),
                target,
                actual: i.actual.clone(),
            }
        })
        .collect();
    let missing_reports = reports::unreported(conn, &scope, last, as_of)?
        .into_iter()
        .map(|a| MissingReport {
            action_id: a.id,
            code: a.code,
            lead_organisation_id: a.lead_organisation_id,
        })
        .collect();
    Ok(EvaluationContext {
        evaluation_id: evaluation.id.clone(),
        report,
        trend,
        indicators,
        missing_reports,
    })
}

/// The coordinators' copy of a recommendation: the draft's while a revision is being written
/// (`crate::recommendation_revisions` keeps the published one).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = recommendations, treat_none_as_null = true)]
pub(crate) struct RecommendationRow {
    pub(crate) id: String,
    pub(crate) evaluation_id: String,
    pub(crate) text: JsonValue<LocalizedText>,
    pub(crate) organisation_ids: JsonValue<Vec<String>>,
    pub(crate) priority: String,
    pub(crate) due_date: Option<NaiveDate>,
    pub(crate) status: String,
    pub(crate) status_note: Option<JsonValue<LocalizedText>>,
    pub(crate) version: i32,
    pub(crate) created_by: String,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
}

impl RecommendationRow {
    pub(crate) fn into_domain(self) -> StoreResult<Recommendation> {
        Ok(Recommendation {
            priority: self.priority.parse().map_err(StoreError::corrupt)?,
            status: self.status.parse().map_err(StoreError::corrupt)?,
            id: self.id,
            evaluation_id: self.evaluation_id,
            text: self.text.0,
            organisation_ids: self.organisation_ids.0,
            due_date: self.due_date,
            status_note: self.status_note.map(|n| n.0),
            version: self.version,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    fn of(record: &Recommendation) -> Self {
        RecommendationRow {
            id: record.id.clone(),
            evaluation_id: record.evaluation_id.clone(),
            text: JsonValue(record.text.clone()),
            organisation_ids: JsonValue(record.organisation_ids.clone()),
            priority: record.priority.as_str().to_owned(),
            due_date: record.due_date,
            status: record.status.as_str().to_owned(),
            status_note: record.status_note.clone().map(JsonValue),
            version: record.version,
            created_by: record.created_by.clone(),
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// A new recommendation.
#[derive(Debug, Clone)]
pub struct RecommendationInput {
    pub text: LocalizedText,
    pub organisation_ids: Vec<String>,
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
}

/// Changes to a recommendation, a JSON merge patch (the texts are merged into the stored ones).
/// Its content (text, organisations, priority, due date) changes while its evaluation is a
/// draft; its follow-up (status and note) at any time.
#[derive(Debug, Clone, Default)]
pub struct RecommendationChanges {
    pub text: Option<ObjectPatch>,
    pub organisation_ids: Option<Vec<String>>,
    pub priority: Option<Priority>,
    pub due_date: Option<Option<NaiveDate>>,
    pub status: Option<RecommendationStatus>,
    pub status_note: Option<Option<ObjectPatch>>,
}

impl RecommendationChanges {
    fn touches_content(&self) -> bool {
        self.text.is_some()
            || self.organisation_ids.is_some()
            || self.priority.is_some()
            || self.due_date.is_some()
    }

    /// Whether the change sets what became of the recommendation, which is one across
    /// revisions.
    fn touches_follow_up(&self) -> bool {
        self.status.is_some() || self.status_note.is_some()
    }

    /// The fields the change sets, in the API's spelling.
    fn touched(&self) -> Vec<&'static str> {
        [
            ("text", self.text.is_some()),
            ("organisationIds", self.organisation_ids.is_some()),
            ("priority", self.priority.is_some()),
            ("dueDate", self.due_date.is_some()),
            ("status", self.status.is_some()),
            ("statusNote", self.status_note.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// What the register of recommendations can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecommendationSort {
    DueDate,
    Priority,
    Status,
}

impl RecommendationSort {
    pub const FIELDS: &'static [(&'static str, RecommendationSort)] = &[
        ("dueDate", RecommendationSort::DueDate),
        ("priority", RecommendationSort::Priority),
        ("status", RecommendationSort::Status),
    ];
}

/// Filters of the register of recommendations.
#[derive(Debug, Clone, Default)]
pub struct RecommendationFilter {
    pub plan_id: Option<String>,
    pub cluster_id: Option<String>,
    pub theme_id: Option<String>,
    /// Addressed to this organisation (among others, perhaps).
    pub organisation_id: Option<String>,
    pub status: Option<RecommendationStatus>,
    pub priority: Option<Priority>,
    /// Due before this date (not on it); recommendations without a due date are left out.
    pub due_before: Option<NaiveDate>,
}

/// The register of recommendations across evaluations, each with its evaluation as `caller`
/// may read it: for coordinators those of drafts too, as the drafts have them; for everybody
/// else those of evaluations published at least once, as their latest revision was published. Sorted by `sort`, then by due date (none last), creation
/// and id. `priority` ascends from `low` to `high` and `status` in the order of the workflow
/// (`open`, `inProgress`, `implemented`, `rejected`).
pub fn register(
    conn: &mut DbConnection,
    caller: &Caller,
    filter: &RecommendationFilter,
    sort: &[SortKey<RecommendationSort>],
    page: PageRequest,
) -> StoreResult<Page<(Recommendation, Evaluation)>> {
    let drafts_too = publication::reads_drafts(caller);
    let found = recommendation_revisions::register_page(conn, drafts_too, filter, sort, page)?;
    let total = found.total;
    let mut seen: BTreeMap<String, Option<Evaluation>> = BTreeMap::new();
    let mut items = Vec::with_capacity(found.items.len());
    for recommendation in found.items {
        let evaluation = match seen.get(&recommendation.evaluation_id) {
            Some(known) => known.clone(),
            None => {
                let found = get(conn, caller, &recommendation.evaluation_id)?;
                seen.insert(recommendation.evaluation_id.clone(), found.clone());
                found
            }
        };
        // Filtered on above; a concurrent change cannot make one unreadable in between
        // (evaluations are never unpublished), but an unreadable one is left out, never shown.
        if let Some(evaluation) = evaluation {
            items.push((recommendation, evaluation));
        }
    }
    Ok(Page { items, total })
}

/// Keeps `recommendation_organisations` equal to the recommendation's organisations.
fn link_organisations(conn: &mut DbConnection, record: &Recommendation) -> StoreResult<()> {
    diesel::delete(
        recommendation_organisations::table
            .filter(recommendation_organisations::recommendation_id.eq(&record.id)),
    )
    .execute(conn)?;
    let mut ids: Vec<&String> = record.organisation_ids.iter().collect();
    ids.sort();
    ids.dedup();
    for organisation_id in ids {
        diesel::insert_into(recommendation_organisations::table)
            .values((
                recommendation_organisations::recommendation_id.eq(&record.id),
                recommendation_organisations::organisation_id.eq(organisation_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The recommendations of an evaluation, oldest first, as `caller` may read them: the draft's
/// for coordinators, the latest published revision's for everybody else.
pub fn recommendations_of(
    conn: &mut DbConnection,
    caller: &Caller,
    evaluation_id: &str,
    page: PageRequest,
) -> StoreResult<Page<Recommendation>> {
    if !publication::reads_drafts(caller) {
        return recommendation_revisions::published_of(conn, evaluation_id, page);
    }
    let filtered =
        || recommendations::table.filter(recommendations::evaluation_id.eq(evaluation_id));
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((recommendations::created_at.asc(), recommendations::id.asc()))
        .limit(page.limit())
        .offset(page.offset())
        .select(RecommendationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(RecommendationRow::into_domain)
        .collect::<StoreResult<_>>()?;
    Ok(Page { items, total })
}

/// The coordinators' copy of a recommendation.
fn drafted(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Recommendation>> {
    recommendations::table
        .find(id)
        .select(RecommendationRow::as_select())
        .first(conn)
        .optional()?
        .map(RecommendationRow::into_domain)
        .transpose()
}

/// The copy of a recommendation `caller` reads: the coordinators' (the draft's), or for
/// everybody else the published one (none for a recommendation added in a draft).
fn readable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<Option<Recommendation>> {
    if publication::reads_drafts(caller) {
        drafted(conn, id)
    } else {
        recommendation_revisions::published(conn, id)
    }
}

/// A recommendation with the evaluation it belongs to, as `caller` may read them.
pub fn recommendation(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<Option<(Recommendation, Evaluation)>> {
    let Some(found) = readable(conn, caller, id)? else {
        return Ok(None);
    };
    Ok(get(conn, caller, &found.evaluation_id)?.map(|evaluation| (found, evaluation)))
}

fn check_recommendation(conn: &mut DbConnection, record: &Recommendation) -> StoreResult<()> {
    let mut issues = Vec::new();
    if record.text.is_empty() {
        issues.push(body_issue("text", None, "a recommendation says what to do"));
    }
    if record.organisation_ids.is_empty() {
        issues.push(body_issue(
            "organisationIds",
            None,
            "name the organisation(s) the recommendation is addressed to",
        ));
    }
    for (index, id) in record.organisation_ids.iter().enumerate() {
        if record.organisation_ids.iter().take(index).any(|o| o == id) {
            issues.push(body_issue(
                format!("organisationIds[{index}]"),
                Some(Value::from(id.as_str())),
                "an organisation is named once",
            ));
        }
    }
    check_organisations(
        conn,
        "organisationIds",
        &record.organisation_ids,
        &mut issues,
    )?;
    reject_if_any(issues)
}

/// Adds a recommendation to a draft evaluation.
pub fn add_recommendation(
    conn: &mut DbConnection,
    actor: &Caller,
    evaluation_id: &str,
    input: RecommendationInput,
) -> StoreResult<(Recommendation, Evaluation)> {
    crate::database::write_transaction(conn, |conn| {
        let (evaluation, _) = row(conn, evaluation_id)?.ok_or(StoreError::NotFound)?;
        publication::check_editable(&evaluation)?;
        let at = now();
        let created = Recommendation {
            id: uuid::Uuid::new_v4().to_string(),
            evaluation_id: evaluation.id.clone(),
            text: input.text.clone(),
            organisation_ids: input.organisation_ids.clone(),
            priority: input.priority,
            due_date: input.due_date,
            status: RecommendationStatus::Open,
            status_note: None,
            version: 1,
            created_by: actor.login.clone(),
            created_at: at,
            updated_at: at,
        };
        check_recommendation(conn, &created)?;
        diesel::insert_into(recommendations::table)
            .values(&RecommendationRow::of(&created))
            .execute(conn)?;
        link_organisations(conn, &created)?;
        audit::record(
            conn,
            actor,
            "recommendation",
            &created.id,
            Operation::Create,
            None,
            Some(&created),
        )?;
        Ok((created, evaluation))
    })
}

/// Changes a recommendation: its content while the evaluation is a draft, its status and note
/// at any time. Who may change which field is `kiv_domain::access::check_recommendation_write`;
/// a recommendation the actor may not read (one of an evaluation never published, for anybody
/// but a coordinator) is `NotFound`.
pub fn update_recommendation(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: RecommendationChanges,
) -> StoreResult<(Recommendation, Evaluation)> {
    crate::database::write_transaction(conn, |conn| {
        // Each changes the copy it reads; the follow-up is carried over to the other one.
        let drafts = publication::reads_drafts(actor);
        let follow_up_too = changes.touches_follow_up();
        let before = readable(conn, actor, id)?.ok_or(StoreError::NotFound)?;
        let visible = get(conn, actor, &before.evaluation_id)?.ok_or(StoreError::NotFound)?;
        check_recommendation_write(actor, &before.organisation_ids, &changes.touched())
            .map_err(StoreError::NotPermitted)?;
        crate::error::check_version(expected_version, &before)?;
        if changes.touches_content() {
            let (evaluation, _) = row(conn, &before.evaluation_id)?.ok_or(StoreError::NotFound)?;
            if evaluation.state == PublicationState::Published {
                return Err(StoreError::Conflict(
                    "the evaluation is published: its recommendations' text, organisations, \
                     priority and due date are frozen; only status and statusNote change"
                        .into(),
                ));
            }
        }
        let mut next = before.clone();
        let mut merger = Merger::default();
        next.text = merger.required("text", &before.text, changes.text.as_ref())?;
        next.status_note = merger.optional_text(
            "statusNote",
            before.status_note.as_ref(),
            &changes.status_note,
        )?;
        merger.finish()?;
        if let Some(ids) = changes.organisation_ids {
            next.organisation_ids = ids;
        }
        if let Some(priority) = changes.priority {
            next.priority = priority;
        }
        if let Some(due_date) = changes.due_date {
            next.due_date = due_date;
        }
        if let Some(status) = changes.status {
            next.status = status;
        }
        check_recommendation(conn, &next)?;
        next.version += 1;
        next.updated_at = now();
        let count = if drafts {
            diesel::update(
                recommendations::table
                    .filter(recommendations::id.eq(&next.id))
                    .filter(recommendations::version.eq(before.version)),
            )
            .set(&RecommendationRow::of(&next))
            .execute(conn)?
        } else {
            recommendation_revisions::save_published_follow_up(conn, &next, before.version)?
        };
        crate::error::expect_one_written(count, before.version)?;
        if drafts && next.organisation_ids != before.organisation_ids {
            link_organisations(conn, &next)?;
        }
        if follow_up_too {
            recommendation_revisions::carry_follow_up(conn, &next, drafts)?;
        }
        audit::record(
            conn,
            actor,
            "recommendation",
            &next.id,
            Operation::Update,
            Some(&before),
            Some(&next),
        )?;
        Ok((next, visible))
    })
}

/// Deletes a recommendation from a draft evaluation (409 once it is published: revise it
/// first). A recommendation that was published stays as it was for everybody who does not read
/// drafts until the draft is published.
pub fn delete_recommendation(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
) -> StoreResult<()> {
    crate::database::write_transaction(conn, |conn| {
        let before = drafted(conn, id)?.ok_or(StoreError::NotFound)?;
        let (evaluation, _) = row(conn, &before.evaluation_id)?.ok_or(StoreError::NotFound)?;
        publication::check_editable(&evaluation)?;
        crate::error::check_version(expected_version, &before)?;
        diesel::delete(
            recommendation_organisations::table
                .filter(recommendation_organisations::recommendation_id.eq(&before.id)),
        )
        .execute(conn)?;
        let count = diesel::delete(
            recommendations::table
                .filter(recommendations::id.eq(&before.id))
                .filter(recommendations::version.eq(before.version)),
        )
        .execute(conn)?;
        crate::error::expect_one_written(count, before.version)?;
        audit::record(
            conn,
            actor,
            "recommendation",
            &before.id,
            Operation::Delete,
            Some(&before),
            None,
        )
    })
}
