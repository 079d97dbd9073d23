//! Illustrative plan content for the demo: an objective with three actions and an indicator for
//! every cluster of the KIV 2016-2019, follow-ups over 2016S1..2019S2 in every workflow state,
//! published cluster follow-ups and one published evaluation with a recommendation — so that a
//! new user's first report has something to show. Every title says it is illustrative, not the
//! official plan text. Loaded only on request (`--demo`), after [`crate::demo::apply`].
//!
//! Everything goes through the same store functions the API uses, so the rules hold; only the
//! approval times are moved back to just after each period, as if the agencies had reported on
//! time, so that reports "as of" earlier dates and the trend have a history to show.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use kiv_domain::evaluation::{Evidence, PeriodRange, Score};
use kiv_domain::followup::Transition;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::planning::{Baseline, IndicatorValue, Target};
use kiv_domain::{
    Assessment, Caller, Criterion, EvaluationRound, FollowUpStatus, IndicatorDirection,
    IndicatorMeasure, LocalizedText, ObjectiveLevel, OverallRating, Priority, RecommendationStatus,
    ReportedValue, ReportingPeriod, Role,
};

use crate::cluster_followups::{self, ClusterFollowUpInput};
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::evaluations::{self, EvaluationInput, RecommendationChanges, RecommendationInput};
use crate::followups::{self, FollowUpInput};
use crate::planning::actions::{self, ActionInput};
use crate::planning::indicators::{self, IndicatorInput};
use crate::planning::objectives::{self, ObjectiveInput};
use crate::publication::Step;
use crate::schema::{
    action_states, approved_follow_ups, follow_ups, objectives as objective_table,
};

/// The plan the demo content belongs to.
pub const DEMO_PLAN: &str = "kiv-2016-2019";

/// What was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoContent {
    pub objectives: usize,
    pub actions: usize,
    pub follow_ups: usize,
    pub cluster_follow_ups: usize,
    pub evaluations: usize,
}

fn text(nl: String, fr: String, de: String, en: String) -> LocalizedText {
    LocalizedText {
        nl: Some(nl),
        fr: Some(fr),
        de: Some(de),
        en: Some(en),
    }
}

fn nl(value: &str) -> LocalizedText {
    LocalizedText {
        nl: Some(value.to_owned()),
        ..LocalizedText::default()
    }
}

fn date(year: i32, month: u32, day: u32) -> StoreResult<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| StoreError::Seed(format!("no date {year}-{month}-{day}")))
}

/// The account the demo plan, the cluster follow-ups and the evaluation are written as: a
/// coordinator of FOD Justitie.
fn coordinator() -> Caller {
    Caller {
        login: "demo-coordinator".into(),
        organisation_id: "fod-justitie".into(),
        roles: vec![Role::Coordinator],
    }
}

/// The other coordinator, of FOD Binnenlandse Zaken.
fn coordinator_bz() -> Caller {
    Caller {
        login: "demo-coordinator-bz".into(),
        organisation_id: "fod-binnenlandse-zaken".into(),
        roles: vec![Role::Coordinator],
    }
}

/// Who writes and submits the follow-ups of an action led by `lead`, and who reviews them: the
/// lead's demo reporter (a FOD's own coordinator for the actions a FOD leads), and a coordinator
/// of another organisation, as the four-eyes rule wants.
fn writer_and_reviewer(lead: &str) -> (Caller, Caller) {
    let reporter = |login: &str| Caller {
        login: login.into(),
        organisation_id: lead.into(),
        roles: vec![Role::Reporter],
    };
    match lead {
        "federale-politie" => (reporter("demo-reporter"), coordinator()),
        crate::demo::DEMO_ZONE_ID => (reporter("demo-reporter-zone"), coordinator()),
        "fod-justitie" => (coordinator(), coordinator_bz()),
        _ => (coordinator_bz(), coordinator()),
    }
}

/// Where a demo action stands in a period: its status, progress and how far its report got.
struct Report {
    status: FollowUpStatus,
    progress: Option<f64>,
    /// The last step taken: `None` leaves a draft.
    last_step: Option<Transition>,
}

/// The demo script of action `index` (0..3) of cluster `cluster` (1..10) in period `p` (0..8):
/// every action advances at its own pace; some stop reporting early, one is cancelled, and the
/// latest report of each is left in a different workflow state.
fn script(cluster: usize, index: usize, p: usize) -> Option<Report> {
    let first = usize::from((cluster + index) % 5 == 0);
    let last = 7 - (cluster * (index + 1)) % 5;
    let skipped = index == 1 && (cluster + p) % 7 == 0;
    if p < first || p > last || skipped {
        return None;
    }
    // One action is cancelled half-way and reports no more.
    if cluster == 6 && index == 2 && p >= 4 {
        return (p == 4).then_some(Report {
            status: FollowUpStatus::Cancelled,
            progress: None,
            last_step: Some(Transition::Approve),
        });
    }
    let base = match index {
        0 => 1.0,
        1 => 0.85,
        _ => 0.6,
    };
    let mut pace = base * (0.8 + 0.05 * (cluster % 5) as f64);
    if index == 0 && cluster % 4 == 1 {
        // A few actions finish early.
        pace *= 1.5;
    }
    let progress = (12.5 * (p as f64 + 1.0) * pace).min(100.0).round();
    let status = if progress >= 100.0 {
        FollowUpStatus::Completed
    } else if pace >= 0.75 {
        FollowUpStatus::OnTrack
    } else {
        FollowUpStatus::Delayed
    };
    let last_step = if p < last {
        Some(Transition::Approve)
    } else {
        match (cluster + index) % 4 {
            0 => Some(Transition::Submit),
            1 => Some(Transition::Return),
            2 => None,
            _ => Some(Transition::Approve),
        }
    };
    Some(Report {
        status,
        progress: (status != FollowUpStatus::Completed).then_some(progress),
        last_step,
    })
}

/// How much demo content the database holds.
pub fn counts(conn: &mut DbConnection) -> StoreResult<DemoContent> {
    use crate::schema::{
        actions as action_table, cluster_follow_ups, evaluations as evaluation_table,
    };
    let objective_ids: Vec<String> = objective_table::table
        .filter(objective_table::plan_id.eq(DEMO_PLAN))
        .filter(objective_table::code.like("DEMO-%"))
        .select(objective_table::id)
        .load(conn)?;
    let action_ids: Vec<String> = action_table::table
        .filter(action_table::objective_id.eq_any(&objective_ids))
        .select(action_table::id)
        .load(conn)?;
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(DemoContent {
        objectives: objective_ids.len(),
        actions: action_ids.len(),
        follow_ups: count(
            follow_ups::table
                .filter(follow_ups::action_id.eq_any(&action_ids))
                .count()
                .get_result(conn)?,
        ),
        cluster_follow_ups: count(cluster_follow_ups::table.count().get_result(conn)?),
        evaluations: count(evaluation_table::table.count().get_result(conn)?),
    })
}

/// Loads the demo content unless it is there already (`None` then), in one transaction: all of
/// it or nothing, and one commit rather than hundreds.
pub fn apply(conn: &mut DbConnection) -> StoreResult<Option<DemoContent>> {
    crate::database::write_transaction(conn, load)
}

fn load(conn: &mut DbConnection) -> StoreResult<Option<DemoContent>> {
    let present: i64 = objective_table::table
        .filter(objective_table::plan_id.eq(DEMO_PLAN))
        .filter(objective_table::code.eq("DEMO-1"))
        .count()
        .get_result(conn)?;
    if present > 0 {
        return Ok(None);
    }
    let fod = coordinator();
    let today = crate::clock::today();
    let periods = crate::reference::plans::get(conn, DEMO_PLAN)?
        .ok_or_else(|| StoreError::Seed(format!("plan {DEMO_PLAN} is not loaded")))?
        .reporting_periods();
    let mut loaded = DemoContent::default();
    let mut evidence = Vec::new();
    for cluster in 1..=10usize {
        let objective = objectives::create(
            conn,
            &fod,
            ObjectiveInput {
                plan_id: DEMO_PLAN.into(),
                cluster_id: Some(cluster.to_string()),
                parent_id: None,
                code: format!("DEMO-{cluster}"),
                level: ObjectiveLevel::Strategic,
                title: text(
                    format!("[Illustratief] Voorbeelddoelstelling voor cluster {cluster} — geen officiële plantekst"),
                    format!("[Illustratif] Objectif d'exemple pour le cluster {cluster} — pas le texte officiel du plan"),
                    format!("[Illustrativ] Beispielziel für Cluster {cluster} — kein offizieller Plantext"),
                    format!("[Illustrative] Example objective for cluster {cluster} — not the official plan text"),
                ),
                description: None,
                theme_ids: Vec::new(),
                owner_organisation_ids: vec!["fod-justitie".into(), "fod-binnenlandse-zaken".into()],
            },
        )?;
        loaded.objectives += 1;
        let increase = cluster % 2 == 1;
        let indicator = indicators::create(
            conn,
            &fod,
            IndicatorInput {
                objective_id: Some(objective.id.clone()),
                action_id: None,
                name: text(
                    format!("[Illustratief] Voorbeeldindicator cluster {cluster}"),
                    format!("[Illustratif] Indicateur d'exemple cluster {cluster}"),
                    format!("[Illustrativ] Beispielindikator Cluster {cluster}"),
                    format!("[Illustrative] Example indicator cluster {cluster}"),
                ),
                unit: Some("cases".into()),
                measure: IndicatorMeasure::Number,
                direction: if increase {
                    IndicatorDirection::Increase
                } else {
                    IndicatorDirection::Decrease
                },
                baseline: Some(Baseline {
                    value: IndicatorValue::Number(100.0),
                    year: 2015,
                }),
                targets: vec![
                    Target {
                        period: "2017S2".parse().map_err(StoreError::corrupt)?,
                        value: IndicatorValue::Number(if increase { 110.0 } else { 90.0 }),
                    },
                    Target {
                        period: "2019S2".parse().map_err(StoreError::corrupt)?,
                        value: IndicatorValue::Number(if increase { 125.0 } else { 80.0 }),
                    },
                ],
            },
        )?;
        let leads = [
            "federale-politie",
            crate::demo::DEMO_ZONE_ID,
            if increase {
                "fod-justitie"
            } else {
                "fod-binnenlandse-zaken"
            },
        ];
        for (index, lead) in leads.iter().enumerate() {
            let action = actions::create(
                conn,
                &fod,
                ActionInput {
                    objective_id: objective.id.clone(),
                    code: format!("DEMO-{cluster}.{}", index + 1),
                    title: text(
                        format!(
                            "[Illustratief] Voorbeeldactie {} van cluster {cluster}",
                            index + 1
                        ),
                        format!(
                            "[Illustratif] Action d'exemple {} du cluster {cluster}",
                            index + 1
                        ),
                        format!(
                            "[Illustrativ] Beispielmaßnahme {} von Cluster {cluster}",
                            index + 1
                        ),
                        format!(
                            "[Illustrative] Example action {} of cluster {cluster}",
                            index + 1
                        ),
                    ),
                    description: None,
                    lead_organisation_id: (*lead).to_owned(),
                    partner_organisation_ids: Vec::new(),
                    theme_ids: Vec::new(),
                    planned_start: date(2016, 1, 1)?,
                    planned_end: if index == 2 && cluster % 3 == 0 {
                        date(2018, 6, 30)?
                    } else {
                        date(2019, 12, 31)?
                    },
                    weight: if index == 2 { 2.0 } else { 1.0 },
                    external_id: None,
                },
            )?;
            loaded.actions += 1;
            let (writer, reviewer) = writer_and_reviewer(lead);
            for (p, period) in periods.iter().enumerate() {
                let Some(report) = script(cluster, index, p) else {
                    continue;
                };
                let indicator_values = if index == 0 {
                    let step = 3.0 + (cluster % 4) as f64;
                    let drift = step * (p as f64 + 1.0);
                    vec![ReportedValue {
                        indicator_id: indicator.id.clone(),
                        value: IndicatorValue::Number(if increase {
                            100.0 + drift
                        } else {
                            100.0 - drift
                        }),
                        comment: None,
                    }]
                } else {
                    Vec::new()
                };
                let follow_up = followups::create(
                    conn,
                    &writer,
                    FollowUpInput {
                        action_id: action.id.clone(),
                        period: *period,
                        status: report.status,
                        progress: report.progress,
                        narrative: Some(nl("[Illustratief] Voorbeeldrapportering.")),
                        indicator_values,
                    },
                    today,
                )?;
                loaded.follow_ups += 1;
                if cluster == 3 && index < 2 && p == 3 {
                    evidence.push(Evidence {
                        follow_up_id: follow_up.id.clone(),
                        indicator_id: None,
                    });
                }
                walk(conn, (&writer, &reviewer), &follow_up.id, report.last_step)?;
                if report.last_step == Some(Transition::Approve) {
                    backdate(conn, &follow_up.id, &action.id, *period, today)?;
                }
            }
        }
        // The FODs' interim follow-up of the cluster for 2017S2, published.
        let assessment = match cluster % 3 {
            0 => Assessment::OffTrack,
            1 => Assessment::OnTrack,
            _ => Assessment::Attention,
        };
        let written = cluster_followups::create(
            conn,
            &fod,
            ClusterFollowUpInput {
                plan_id: DEMO_PLAN.into(),
                cluster_id: cluster.to_string(),
                period: "2017S2".parse().map_err(StoreError::corrupt)?,
                assessment,
                narrative: Some(nl("[Illustratief] Stand van de cluster eind 2017.")),
                highlights: None,
                obstacles: None,
                next_steps: None,
                organisation_ids: vec!["fod-justitie".into(), "fod-binnenlandse-zaken".into()],
            },
            today,
        )?;
        cluster_followups::step(conn, &fod, &written.id, None, Step::Publish, None)?;
        loaded.cluster_follow_ups += 1;
    }
    // A draft for the last period, to show a coordinator's work in progress.
    cluster_followups::create(
        conn,
        &fod,
        ClusterFollowUpInput {
            plan_id: DEMO_PLAN.into(),
            cluster_id: "3".into(),
            period: "2019S2".parse().map_err(StoreError::corrupt)?,
            assessment: Assessment::Attention,
            narrative: Some(nl("[Illustratief] Ontwerp.")),
            highlights: None,
            obstacles: None,
            next_steps: None,
            organisation_ids: Vec::new(),
        },
        today,
    )?;
    loaded.cluster_follow_ups += 1;
    evaluation(conn, &fod, evidence)?;
    loaded.evaluations += 1;
    Ok(Some(loaded))
}

/// Takes a new follow-up through its review up to `last_step`: its writer submits it, another
/// account reviews it.
fn walk(
    conn: &mut DbConnection,
    (writer, reviewer): (&Caller, &Caller),
    id: &str,
    last_step: Option<Transition>,
) -> StoreResult<()> {
    let steps: &[Transition] = match last_step {
        None => &[],
        Some(Transition::Submit) => &[Transition::Submit],
        Some(Transition::Return) => &[Transition::Submit, Transition::Return],
        Some(_) => &[Transition::Submit, Transition::Approve],
    };
    for step in steps {
        let note = (*step == Transition::Return)
            .then(|| "[Illustratief] Graag de vooruitgang toelichten.".to_owned());
        let actor = if *step == Transition::Submit {
            writer
        } else {
            reviewer
        };
        followups::apply(conn, actor, id, None, *step, note)?;
    }
    Ok(())
}

/// Moves an approval back to ten days before its period ends, as if reported on time.
fn backdate(
    conn: &mut DbConnection,
    follow_up_id: &str,
    action_id: &str,
    period: ReportingPeriod,
    today: NaiveDate,
) -> StoreResult<()> {
    let day = (period.end() - Duration::days(10)).min(today);
    let at = day
        .and_hms_opt(10, 0, 0)
        .ok_or_else(|| StoreError::Seed("no approval time".into()))?;
    diesel::update(
        approved_follow_ups::table.filter(approved_follow_ups::follow_up_id.eq(follow_up_id)),
    )
    .set(approved_follow_ups::approved_at.eq(at))
    .execute(conn)?;
    diesel::update(
        action_states::table
            .filter(action_states::action_id.eq(action_id))
            .filter(action_states::period.eq(period.to_string())),
    )
    .set(action_states::approved_at.eq(at))
    .execute(conn)?;
    diesel::update(follow_ups::table.find(follow_up_id))
        .set((
            follow_ups::submitted_at.eq(at - Duration::days(7)),
            follow_ups::reviewed_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A published mid-term evaluation of the drugs cluster, with one recommendation followed up.
fn evaluation(conn: &mut DbConnection, fod: &Caller, evidence: Vec<Evidence>) -> StoreResult<()> {
    let score = |value: i64, why: &str| Score {
        score: value,
        rationale: Some(nl(why)),
    };
    let scores = [
        (
            Criterion::Relevance,
            score(4, "[Illustratief] Sluit aan bij het drugsbeleid."),
        ),
        (
            Criterion::Coherence,
            score(3, "[Illustratief] Goede afstemming tussen de partners."),
        ),
        (
            Criterion::Effectiveness,
            score(2, "[Illustratief] Een actie loopt achter."),
        ),
        (
            Criterion::Efficiency,
            score(3, "[Illustratief] Middelen gericht ingezet."),
        ),
        (
            Criterion::Impact,
            score(2, "[Illustratief] Effect nog beperkt zichtbaar."),
        ),
        (
            Criterion::Sustainability,
            score(3, "[Illustratief] Verankerd in de werking."),
        ),
    ]
    .into_iter()
    .collect();
    let created = evaluations::create(
        conn,
        fod,
        EvaluationInput {
            plan_id: DEMO_PLAN.into(),
            cluster_id: Some("3".into()),
            theme_id: None,
            round: EvaluationRound::MidTerm,
            period: PeriodRange {
                from: "2016S1".parse().map_err(StoreError::corrupt)?,
                to: "2017S2".parse().map_err(StoreError::corrupt)?,
            },
            evaluating_organisation_ids: vec![
                "fod-justitie".into(),
                "fod-binnenlandse-zaken".into(),
            ],
            scores,
            overall_rating: Some(OverallRating::Partial),
            findings: Some(text(
                "[Illustratief] De aanpak werkt waar de partners meedoen; de rapportering is onvolledig.".into(),
                "[Illustratif] L'approche fonctionne là où les partenaires participent ; le rapportage est incomplet.".into(),
                "[Illustrativ] Der Ansatz wirkt, wo die Partner mitmachen; die Berichterstattung ist lückenhaft.".into(),
                "[Illustrative] The approach works where partners take part; reporting is incomplete.".into(),
            )),
            evidence,
        },
    )?;
    let (recommendation, _) = evaluations::add_recommendation(
        conn,
        fod,
        &created.id,
        RecommendationInput {
            text: nl("[Illustratief] Versterk de opvolging van de vertraagde actie."),
            organisation_ids: vec!["federale-politie".into()],
            priority: Priority::High,
            due_date: Some(date(2018, 12, 31)?),
        },
    )?;
    evaluations::step(conn, fod, &created.id, None, Step::Publish, None)?;
    evaluations::update_recommendation(
        conn,
        fod,
        &recommendation.id,
        None,
        RecommendationChanges {
            status: Some(RecommendationStatus::InProgress),
            status_note: Some(Some(
                ObjectPatch::of(&nl("[Illustratief] Extra capaciteit voorzien in 2018."))
                    .map_err(StoreError::corrupt)?,
            )),
            ..RecommendationChanges::default()
        },
    )?;
    Ok(())
}
