//! The stored form of an evaluation, and what writers hand in.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::evaluation::{Evaluation, Evidence, PeriodRange, Score};
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::{Criterion, EvaluationRound, LocalizedText, OverallRating, PublicationState};

use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::schema::evaluations;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = evaluations, treat_none_as_null = true)]
pub(super) struct Row {
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
    pub(super) fn into_domain(self) -> StoreResult<(Evaluation, Option<i32>)> {
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

    pub(super) fn of(record: &Evaluation, published_revision: Option<i32>) -> StoreResult<Self> {
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

pub(super) fn input_of(record: &Evaluation) -> EvaluationInput {
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
