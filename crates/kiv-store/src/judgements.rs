//! The published judgements the progress report shows as of a moment: each publication of a
//! cluster follow-up (its assessment) or an evaluation (its overall rating) leaves one here.
//! Below both the publication feature (which writes them) and the reports (which read them), so
//! that neither has to know the other.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::ReportingPeriod;

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::schema::published_assessments;

/// A record whose publications are judgements the progress report shows.
pub trait Judged {
    /// Its entity type in the history and the audit trail: `clusterFollowUp`, `evaluation`.
    const ENTITY: &'static str;
    /// Whether a published judgement covering `from..=to` stands in a report of `period`.
    fn judges(from: ReportingPeriod, to: ReportingPeriod, period: ReportingPeriod) -> bool;
}

impl Judged for kiv_domain::evaluation::ClusterFollowUp {
    const ENTITY: &'static str = "clusterFollowUp";
    fn judges(_from: ReportingPeriod, to: ReportingPeriod, period: ReportingPeriod) -> bool {
        kiv_domain::report::assessment_applies(to, period)
    }
}

impl Judged for kiv_domain::evaluation::Evaluation {
    const ENTITY: &'static str = "evaluation";
    fn judges(from: ReportingPeriod, _to: ReportingPeriod, period: ReportingPeriod) -> bool {
        kiv_domain::report::evaluation_applies(from, period)
    }
}

/// A published judgement, as the progress report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub entity_id: String,
    pub revision: i32,
    pub cluster_id: Option<String>,
    pub theme_id: Option<String>,
    /// The period judged (for an evaluation, the last one it covers).
    pub period: ReportingPeriod,
    /// The first period judged (for a cluster follow-up, its period).
    pub period_from: ReportingPeriod,
    /// The assessment of a cluster follow-up, or the overall rating of an evaluation.
    pub judgement: String,
    /// The round of an evaluation.
    pub round: Option<String>,
    pub published_at: NaiveDateTime,
}

/// Keeps a published revision's judgement for the progress report.
pub fn record_judgement<T: Judged>(
    conn: &mut DbConnection,
    plan_id: &str,
    judgement: &Judgement,
) -> StoreResult<()> {
    diesel::insert_into(published_assessments::table)
        .values((
            published_assessments::id.eq(uuid::Uuid::new_v4().to_string()),
            published_assessments::entity_type.eq(T::ENTITY),
            published_assessments::entity_id.eq(&judgement.entity_id),
            published_assessments::revision.eq(judgement.revision),
            published_assessments::plan_id.eq(plan_id),
            published_assessments::cluster_id.eq(&judgement.cluster_id),
            published_assessments::theme_id.eq(&judgement.theme_id),
            published_assessments::period.eq(judgement.period.to_string()),
            published_assessments::period_start.eq(judgement.period.start()),
            published_assessments::period_from.eq(judgement.period_from.to_string()),
            published_assessments::judgement.eq(&judgement.judgement),
            published_assessments::round.eq(&judgement.round),
            published_assessments::published_at.eq(judgement.published_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Per cluster of `plan_id`, the judgement of kind `T` that stands in a report of `period` as
/// of `as_of`: of those published by `as_of` that judge `period` ([`Judged::judges`]), the
/// one for the latest period, and of that period the latest revision.
pub fn latest_judgements<T: Judged>(
    conn: &mut DbConnection,
    plan_id: &str,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
) -> StoreResult<Vec<Judgement>> {
    type Row = (
        String,
        i32,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        String,
        Option<String>,
        NaiveDateTime,
    );
    let rows: Vec<Row> = published_assessments::table
        .filter(published_assessments::plan_id.eq(plan_id))
        .filter(published_assessments::entity_type.eq(T::ENTITY))
        .filter(published_assessments::published_at.le(as_of))
        .select((
            published_assessments::entity_id,
            published_assessments::revision,
            published_assessments::cluster_id,
            published_assessments::theme_id,
            published_assessments::period,
            published_assessments::period_from,
            published_assessments::judgement,
            published_assessments::round,
            published_assessments::published_at,
        ))
        .load(conn)?;
    let mut latest: Vec<Judgement> = Vec::new();
    for (entity_id, revision, cluster_id, theme_id, to, from, judgement, round, published_at) in
        rows
    {
        let to: ReportingPeriod = to.parse().map_err(StoreError::corrupt)?;
        let from: ReportingPeriod = match from {
            Some(from) => from.parse().map_err(StoreError::corrupt)?,
            None => to,
        };
        if !T::judges(from, to, period) {
            continue;
        }
        let candidate = Judgement {
            entity_id,
            revision,
            cluster_id,
            theme_id,
            period: to,
            period_from: from,
            judgement,
            round,
            published_at,
        };
        let key = |j: &Judgement| (j.period, j.published_at);
        match latest
            .iter_mut()
            .find(|j| j.cluster_id == candidate.cluster_id && j.theme_id == candidate.theme_id)
        {
            Some(best) if key(best) < key(&candidate) => *best = candidate,
            Some(_) => {}
            None => latest.push(candidate),
        }
    }
    Ok(latest)
}
