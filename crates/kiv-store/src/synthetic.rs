//! Synthetic plan content at production scale, for benchmarks and soak tests: the police zones as
//! organisations, objectives per cluster (strategic and operational) and transversal ones per
//! theme, actions led by the zones and by federal services, indicators with targets, and
//! follow-ups over the plan's reporting periods in every workflow state, with what approval writes
//! (the approved revisions, their values and each action's state) filled in as the store's own
//! [`crate::followups`] would have.
//!
//! It writes with multi-row inserts on the backend's own connection (the `MultiConnection` has no
//! multi-row `values(&[..])`), all in one transaction: a hundred thousand follow-ups in seconds,
//! where going through the store one request at a time (as [`crate::demo_plan`] does) would take
//! an hour. Everything follows from a seeded pseudo-random generator, so the same options give the
//! same rows, ids included, on either backend. Every title says it is synthetic; every code starts
//! with `SYN-`, every zone id with `syn-pz-`. A database that holds synthetic content already is
//! refused rather than doubled.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use kiv_domain::followup::action_status;
use kiv_domain::planning::{search_text, sort_key, ActionState, Baseline, IndicatorValue, Target};
use kiv_domain::{
    Action, FollowUp, FollowUpStatus, IndicatorDirection, IndicatorMeasure, LocalizedText,
    ReportedValue, ReportingPeriod, WorkflowState,
};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::followups::{
    approval, split, ActionStateRow, Approval, ApprovedRow, ApprovedValueRow, FollowUpRow, ValueRow,
};
use crate::json::JsonValue;
use crate::planning::indicators::IndicatorRow;
use crate::schema::{
    action_partners, action_states, action_themes, actions, approved_follow_ups, approved_values,
    audit_events, follow_up_events, follow_up_values, follow_ups, indicators, objective_owners,
    objective_themes, objectives, organisations,
};

/// The plan the synthetic content belongs to.
pub const SYNTHETIC_PLAN: &str = "kiv-2016-2019";
/// Every synthetic objective's code starts with this.
pub const CODE_PREFIX: &str = "SYN-";
/// Every synthetic police zone's id starts with this.
pub const ZONE_PREFIX: &str = "syn-pz-";

/// How much to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticOptions {
    /// Police zones (organisations of kind `localPolice` under `lokale-politie`).
    pub zones: usize,
    /// Actions each zone leads.
    pub actions_per_zone: usize,
    /// Actions led by federal services (federal police, the FODs, the prosecutors).
    pub federal_actions: usize,
    /// How many of the plan's reporting periods (from the first) have follow-ups.
    pub periods: usize,
    /// Strategic objectives per cluster.
    pub strategic_per_cluster: usize,
    /// Operational objectives under each strategic one.
    pub operational_per_strategic: usize,
    /// Indicators of each action (each operational objective has one more of its own).
    pub indicators_per_action: usize,
    /// The seed of the generator: the same seed gives the same content.
    pub seed: u64,
}

impl Default for SyntheticOptions {
    /// About 10,000 actions, 80,000 follow-ups and 200,000 indicator values: the police zones of
    /// Belgium over the eight semesters of the KIV 2016-2019.
    fn default() -> Self {
        Self {
            zones: 185,
            actions_per_zone: 52,
            federal_actions: 800,
            periods: 8,
            strategic_per_cluster: 2,
            operational_per_strategic: 3,
            indicators_per_action: 2,
            seed: 2016,
        }
    }
}

/// What the synthetic content holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyntheticCounts {
    pub zones: usize,
    pub objectives: usize,
    pub actions: usize,
    pub indicators: usize,
    pub follow_ups: usize,
    /// Follow-ups per workflow state (`draft`, `submitted`, `approved`, `returned`).
    pub follow_ups_by_state: BTreeMap<String, usize>,
    /// Reported indicator values (of every follow-up, whatever its state).
    pub indicator_values: usize,
    /// History events of the follow-ups.
    pub events: usize,
    /// Approved revisions (a reopened and approved again follow-up has two).
    pub approved_revisions: usize,
    pub approved_values: usize,
    /// Actions per status of their latest approved follow-up; those without one are not here.
    pub action_statuses: BTreeMap<String, usize>,
}

impl fmt::Display for SyntheticCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |map: &BTreeMap<String, usize>| {
            map.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "zones: {}; objectives: {}; actions: {}; indicators: {}; follow-ups: {} ({}); \
             indicator values: {}; follow-up events: {}; approved revisions: {}; approved values: {}; \
             actions by status: {}",
            self.zones,
            self.objectives,
            self.actions,
            self.indicators,
            self.follow_ups,
            list(&self.follow_ups_by_state),
            self.indicator_values,
            self.events,
            self.approved_revisions,
            self.approved_values,
            list(&self.action_statuses),
        )
    }
}

/// A small, fast, seeded generator (SplitMix64): the content depends on the seed alone, not on
/// a library's version.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// Uniform in 0..n (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// A version 4 UUID made of the generator's bytes.
    fn uuid(&mut self) -> String {
        let bytes = (u128::from(self.next_u64()) << 64 | u128::from(self.next_u64())).to_le_bytes();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

/// Towns whose names the synthetic zones borrow (the zones themselves are not the real ones).
const TOWNS: &[&str] = &[
    "Antwerpen",
    "Gent",
    "Brugge",
    "Leuven",
    "Mechelen",
    "Aalst",
    "Kortrijk",
    "Hasselt",
    "Genk",
    "Oostende",
    "Sint-Niklaas",
    "Roeselare",
    "Turnhout",
    "Dendermonde",
    "Lier",
    "Geel",
    "Tienen",
    "Ieper",
    "Vilvoorde",
    "Halle",
    "Liège",
    "Namur",
    "Charleroi",
    "Mons",
    "Tournai",
    "Verviers",
    "Arlon",
    "Wavre",
    "Nivelles",
    "La Louvière",
    "Seraing",
    "Mouscron",
    "Dinant",
    "Huy",
    "Eupen",
    "Bruxelles-Ixelles",
    "Bruxelles-Midi",
    "Bruxelles-Nord",
    "Montgomery",
    "Marlow",
];

/// Federal services that lead actions, with their share of the federal actions (in percent).
const FEDERAL_LEADS: &[(&str, u32)] = &[
    ("federale-politie", 50),
    ("fod-justitie", 20),
    ("fod-binnenlandse-zaken", 20),
    ("college-procureurs-generaal", 10),
];

/// The coordinators who review, with their organisation.
const REVIEWERS: &[(&str, &str)] = &[
    ("syn-coordinator-justitie", "fod-justitie"),
    ("syn-coordinator-bz", "fod-binnenlandse-zaken"),
];

/// Who wrote the synthetic plan, for the audit trail.
const PLANNER: (&str, &str) = ("syn-coordinator-justitie", "fod-justitie");

/// A moment when the synthetic plan was written.
fn planned_at() -> StoreResult<NaiveDateTime> {
    Ok(date(2016, 1, 15)?.and_time(NaiveTime::MIN + Duration::hours(9)))
}

fn date(year: i32, month: u32, day: u32) -> StoreResult<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| StoreError::Seed(format!("no date {year}-{month}-{day}")))
}

fn text(nl: String, fr: String, en: String) -> LocalizedText {
    LocalizedText {
        nl: Some(nl),
        fr: Some(fr),
        de: None,
        en: Some(en),
    }
}

// Rows, written as they are: `None` is NULL (never DEFAULT), so that SQLite takes a whole batch
// in one statement.

#[derive(Debug, Insertable)]
#[diesel(table_name = organisations, treat_none_as_default_value = false)]
struct OrganisationRow {
    id: String,
    name: JsonValue<LocalizedText>,
    kind: String,
    coordinator: bool,
    parent_id: Option<String>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = objectives, treat_none_as_default_value = false)]
struct ObjectiveRow {
    id: String,
    plan_id: String,
    cluster_id: Option<String>,
    parent_id: Option<String>,
    code: String,
    level: String,
    title: JsonValue<LocalizedText>,
    description: Option<JsonValue<LocalizedText>>,
    sort_title: String,
    search_text: String,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = objective_themes)]
struct ObjectiveThemeRow {
    objective_id: String,
    theme_id: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = objective_owners)]
struct ObjectiveOwnerRow {
    objective_id: String,
    organisation_id: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = actions, treat_none_as_default_value = false)]
struct ActionRow {
    id: String,
    objective_id: String,
    code: String,
    title: JsonValue<LocalizedText>,
    description: Option<JsonValue<LocalizedText>>,
    lead_organisation_id: String,
    planned_start: NaiveDate,
    planned_end: NaiveDate,
    weight: f64,
    external_id: Option<String>,
    sort_title: String,
    search_text: String,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    plan_id: String,
    cluster_id: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
struct AuditRow {
    id: String,
    occurred_at: NaiveDateTime,
    account_login: String,
    organisation_id: String,
    entity_type: String,
    entity_id: String,
    operation: String,
    before: Option<JsonValue<Action>>,
    after: Option<JsonValue<Action>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = action_partners)]
struct ActionPartnerRow {
    action_id: String,
    organisation_id: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = action_themes)]
struct ActionThemeRow {
    action_id: String,
    theme_id: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = follow_up_events, treat_none_as_default_value = false)]
struct EventRow {
    id: String,
    follow_up_id: String,
    revision: i32,
    event: String,
    account_login: String,
    organisation_id: String,
    occurred_at: NaiveDateTime,
    note: Option<String>,
    snapshot: JsonValue<FollowUp>,
}

/// Bind parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_BINDS: usize = 30_000;

/// Inserts `$rows` (a slice of rows of `$columns` columns) into `$table`, as many per statement
/// as the bind limit allows, on the backend's own connection.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {{
        let per_statement = (MAX_BINDS / $columns).max(1);
        for chunk in $rows.chunks(per_statement) {
            $crate::on_backend!(&mut *$conn, |c| diesel::insert_into($table)
                .values(chunk)
                .execute(c))?;
        }
    }};
}

/// An action as generated, with what its follow-ups need.
#[derive(Debug, Clone)]
struct PlannedAction {
    id: String,
    lead: String,
    /// The login its reports come from.
    reporter: String,
    planned_start: NaiveDate,
    planned_end: NaiveDate,
    /// Share of a period's worth of progress it makes per period (1.0: on schedule).
    pace: f64,
    /// The period it is cancelled in, if any.
    cancelled_in: Option<usize>,
    /// The indicators it reports: its own, and its objective's for some.
    indicators: Vec<PlannedIndicator>,
}

#[derive(Debug, Clone)]
struct PlannedIndicator {
    id: String,
    measure: IndicatorMeasure,
    base: f64,
    /// Change per period, as a share of the base.
    drift: f64,
}

impl PlannedIndicator {
    fn value(&self, period_index: usize, correction: f64, rng: &mut Rng) -> IndicatorValue {
        match self.measure {
            IndicatorMeasure::Qualitative => {
                const GRADES: &[&str] = &["onvoldoende", "voldoende", "goed"];
                let grade = (period_index / 3 + rng.below(2)).min(GRADES.len() - 1);
                IndicatorValue::Text(GRADES.get(grade).copied().unwrap_or("goed").to_owned())
            }
            IndicatorMeasure::Percentage => {
                let value = self.base * (1.0 + self.drift * (period_index as f64 + 1.0))
                    + rng.range(-2.0, 2.0)
                    + correction;
                IndicatorValue::Number((value.clamp(0.0, 100.0) * 10.0).round() / 10.0)
            }
            IndicatorMeasure::Number => {
                let value = self.base * (1.0 + self.drift * (period_index as f64 + 1.0))
                    + rng.range(-3.0, 3.0)
                    + correction;
                IndicatorValue::Number(value.max(0.0).round())
            }
        }
    }
}

/// Whether the database holds synthetic content.
pub fn present(conn: &mut DbConnection) -> StoreResult<bool> {
    let objectives: i64 = objectives::table
        .filter(objectives::code.like(format!("{CODE_PREFIX}%")))
        .count()
        .get_result(conn)?;
    let zones: i64 = organisations::table
        .filter(organisations::id.like(format!("{ZONE_PREFIX}%")))
        .count()
        .get_result(conn)?;
    Ok(objectives + zones > 0)
}

/// Loads the synthetic content in one transaction; refuses a database that has some already.
/// Then refreshes the planner's statistics: the tables grew from nothing to tens of thousands of
/// rows at once, and plans chosen for empty tables are the wrong ones until autovacuum notices.
pub fn apply(conn: &mut DbConnection, options: &SyntheticOptions) -> StoreResult<SyntheticCounts> {
    let counts = crate::database::write_transaction(conn, |conn| {
        if present(conn)? {
            return Err(StoreError::Conflict(format!(
                "the database holds synthetic content already (objectives {CODE_PREFIX}*, zones \
                 {ZONE_PREFIX}*); load it into a fresh database"
            )));
        }
        generate(conn, options)
    })?;
    conn.batch_execute("ANALYZE")?;
    Ok(counts)
}

fn generate(conn: &mut DbConnection, options: &SyntheticOptions) -> StoreResult<SyntheticCounts> {
    let plan = crate::reference::plans::get(conn, SYNTHETIC_PLAN)?.ok_or_else(|| {
        StoreError::Seed(format!(
            "plan {SYNTHETIC_PLAN} is not loaded; run `kiv seed` first"
        ))
    })?;
    let all_periods = plan.reporting_periods();
    let periods: Vec<ReportingPeriod> = all_periods
        .iter()
        .copied()
        .take(options.periods.max(1))
        .collect();
    let mut rng = Rng(options.seed);
    let mut counts = SyntheticCounts::default();
    let at = planned_at()?;

    // The police zones.
    let zones: Vec<OrganisationRow> = (0..options.zones)
        .map(|i| {
            let town = TOWNS.get(i % TOWNS.len()).copied().unwrap_or("Zone");
            let round = i / TOWNS.len();
            let town = if round == 0 {
                town.to_owned()
            } else {
                format!("{town} {}", round + 1)
            };
            OrganisationRow {
                id: format!("{ZONE_PREFIX}{:03}", i + 1),
                name: JsonValue(text(
                    format!("Politiezone {town} (synthetisch)"),
                    format!("Zone de police {town} (synthétique)"),
                    format!("Police zone {town} (synthetic)"),
                )),
                kind: "localPolice".into(),
                coordinator: false,
                parent_id: Some("lokale-politie".into()),
                version: 1,
                created_at: at,
                updated_at: at,
            }
        })
        .collect();
    insert_rows!(conn, organisations::table, zones, 8);
    counts.zones = zones.len();
    let zone_ids: Vec<String> = zones.into_iter().map(|z| z.id).collect();

    // Objectives: per cluster, strategic ones with operational ones under them; per theme, a
    // transversal strategic objective with two operational ones.
    let mut objective_rows = Vec::new();
    let mut theme_rows = Vec::new();
    let mut owner_rows = Vec::new();
    // Operational objectives, with their cluster (none: transversal).
    let mut operational: Vec<(String, Option<String>)> = Vec::new();
    let objective = |rows: &mut Vec<ObjectiveRow>,
                     rng: &mut Rng,
                     cluster_id: Option<&str>,
                     parent_id: Option<&str>,
                     code: String,
                     strategic: bool| {
        let level = if strategic {
            "strategic"
        } else {
            "operational"
        };
        let (nl_level, fr_level, en_level) = if strategic {
            ("Strategische", "Objectif stratégique", "Strategic")
        } else {
            ("Operationele", "Objectif opérationnel", "Operational")
        };
        let title = text(
            format!("[Synthetisch] {nl_level} doelstelling {code}"),
            format!("[Synthétique] {fr_level} {code}"),
            format!("[Synthetic] {en_level} objective {code}"),
        );
        let id = rng.uuid();
        rows.push(ObjectiveRow {
            id: id.clone(),
            plan_id: SYNTHETIC_PLAN.into(),
            cluster_id: cluster_id.map(str::to_owned),
            parent_id: parent_id.map(str::to_owned),
            sort_title: sort_key(&title),
            search_text: search_text(&code, &title),
            code,
            level: level.into(),
            title: JsonValue(title),
            description: None,
            version: 1,
            created_at: at,
            updated_at: at,
        });
        id
    };
    for cluster_id in &plan.cluster_ids {
        for s in 1..=options.strategic_per_cluster {
            let code = format!("{CODE_PREFIX}{cluster_id}.{s}");
            let strategic = objective(
                &mut objective_rows,
                &mut rng,
                Some(cluster_id),
                None,
                code,
                true,
            );
            for owner in ["fod-justitie", "fod-binnenlandse-zaken"] {
                owner_rows.push(ObjectiveOwnerRow {
                    objective_id: strategic.clone(),
                    organisation_id: owner.into(),
                });
            }
            if rng.chance(0.2) {
                if let Some(theme) = rng.pick(&plan.theme_ids) {
                    theme_rows.push(ObjectiveThemeRow {
                        objective_id: strategic.clone(),
                        theme_id: theme.clone(),
                    });
                }
            }
            for o in 1..=options.operational_per_strategic {
                let code = format!("{CODE_PREFIX}{cluster_id}.{s}.{o}");
                let id = objective(
                    &mut objective_rows,
                    &mut rng,
                    Some(cluster_id),
                    Some(&strategic),
                    code,
                    false,
                );
                owner_rows.push(ObjectiveOwnerRow {
                    objective_id: id.clone(),
                    organisation_id: "federale-politie".into(),
                });
                operational.push((id, Some(cluster_id.clone())));
            }
        }
    }
    for (t, theme_id) in plan.theme_ids.iter().enumerate() {
        let code = format!("{CODE_PREFIX}T{}", t + 1);
        let strategic = objective(&mut objective_rows, &mut rng, None, None, code, true);
        theme_rows.push(ObjectiveThemeRow {
            objective_id: strategic.clone(),
            theme_id: theme_id.clone(),
        });
        owner_rows.push(ObjectiveOwnerRow {
            objective_id: strategic.clone(),
            organisation_id: "fod-binnenlandse-zaken".into(),
        });
        for o in 1..=2 {
            let code = format!("{CODE_PREFIX}T{}.{o}", t + 1);
            let id = objective(
                &mut objective_rows,
                &mut rng,
                None,
                Some(&strategic),
                code,
                false,
            );
            theme_rows.push(ObjectiveThemeRow {
                objective_id: id.clone(),
                theme_id: theme_id.clone(),
            });
            operational.push((id, None));
        }
    }
    insert_rows!(conn, objectives::table, objective_rows, 13);
    insert_rows!(conn, objective_themes::table, theme_rows, 2);
    insert_rows!(conn, objective_owners::table, owner_rows, 2);
    counts.objectives = objective_rows.len();
    drop(objective_rows);

    // One indicator per operational objective, reported by some of its actions.
    let targets = |base: f64, direction: IndicatorDirection| -> Vec<Target> {
        let factor = |step: f64| match direction {
            IndicatorDirection::Increase => 1.0 + step,
            IndicatorDirection::Decrease => 1.0 - step,
            IndicatorDirection::Maintain => 1.0,
        };
        [(3usize, 0.1), (7, 0.25)]
            .into_iter()
            .filter_map(|(index, step)| {
                all_periods.get(index).map(|period| Target {
                    period: *period,
                    value: IndicatorValue::Number((base * factor(step)).round()),
                })
            })
            .collect()
    };
    let mut indicator_rows = Vec::new();
    let mut objective_indicators: BTreeMap<String, PlannedIndicator> = BTreeMap::new();
    for (objective_id, _) in &operational {
        let base = rng.range(50.0, 500.0).round();
        let increase = rng.chance(0.6);
        let direction = if increase {
            IndicatorDirection::Increase
        } else {
            IndicatorDirection::Decrease
        };
        let name = text(
            "[Synthetisch] Aantal vastgestelde feiten".into(),
            "[Synthétique] Nombre de faits constatés".into(),
            "[Synthetic] Recorded offences".into(),
        );
        let id = rng.uuid();
        indicator_rows.push(IndicatorRow {
            id: id.clone(),
            objective_id: Some(objective_id.clone()),
            action_id: None,
            sort_title: sort_key(&name),
            search_text: search_text("", &name),
            name: JsonValue(name),
            unit: Some("cases".into()),
            measure: IndicatorMeasure::Number.as_str().into(),
            direction: direction.as_str().into(),
            baseline: Some(JsonValue(Baseline {
                value: IndicatorValue::Number(base),
                year: 2015,
            })),
            targets: JsonValue(targets(base, direction)),
            version: 1,
            created_at: at,
            updated_at: at,
        });
        let drift = if increase { 1.0 } else { -1.0 } * rng.range(0.005, 0.04);
        objective_indicators.insert(
            objective_id.clone(),
            PlannedIndicator {
                id,
                measure: IndicatorMeasure::Number,
                base,
                drift,
            },
        );
    }

    // Actions: each zone's, then the federal services'.
    let period_starts: Vec<NaiveDate> = all_periods.iter().map(|p| p.start()).collect();
    let period_ends: Vec<NaiveDate> = all_periods.iter().map(|p| p.end()).collect();
    let mut action_rows = Vec::new();
    let mut partner_rows = Vec::new();
    let mut action_theme_rows = Vec::new();
    let mut audit_rows = Vec::new();
    // Ids of audit events from a generator of their own, so the rest of the content does not
    // depend on them.
    let mut audit_ids = Rng(options.seed ^ 0xA0D1_7E0E_A0D1_7E0E);
    let mut planned = Vec::new();
    let leads: Vec<(String, bool, usize)> = zone_ids
        .iter()
        .flat_map(|zone| (1..=options.actions_per_zone).map(move |n| (zone.clone(), true, n)))
        .chain((1..=options.federal_actions).map(|n| {
            let mut share = (n * 7919 % 100) as u32;
            let lead = FEDERAL_LEADS
                .iter()
                .find(|(_, weight)| {
                    if share < *weight {
                        true
                    } else {
                        share -= weight;
                        false
                    }
                })
                .map_or("federale-politie", |(lead, _)| lead);
            (lead.to_owned(), false, n)
        }))
        .collect();
    for (index, (lead, zone, n)) in leads.into_iter().enumerate() {
        let Some((objective_id, cluster_id)) = rng.pick(&operational).cloned() else {
            break;
        };
        let id = rng.uuid();
        let code = format!("{CODE_PREFIX}A{:05}", index + 1);
        let subject = cluster_id.as_deref().unwrap_or("transversaal");
        let title = if zone {
            text(
                format!("[Synthetisch] Lokale actie {n} (cluster {subject})"),
                format!("[Synthétique] Action locale {n} (cluster {subject})"),
                format!("[Synthetic] Local action {n} (cluster {subject})"),
            )
        } else {
            text(
                format!("[Synthetisch] Federale actie {n} (cluster {subject})"),
                format!("[Synthétique] Action fédérale {n} (cluster {subject})"),
                format!("[Synthetic] Federal action {n} (cluster {subject})"),
            )
        };
        // Most run over the whole plan; some start later or end earlier.
        let first = if rng.chance(0.05) {
            1 + rng.below(3)
        } else {
            0
        };
        let last = if rng.chance(0.05) {
            4 + rng.below(3)
        } else {
            all_periods.len().saturating_sub(1)
        };
        let planned_start = period_starts
            .get(first)
            .copied()
            .unwrap_or(plan.period_start);
        let planned_end = period_ends.get(last).copied().unwrap_or(plan.period_end);
        let weight = match rng.below(10) {
            0 => 2.0,
            1 => 0.5,
            _ => 1.0,
        };
        // Partners: the federal police or a neighbouring zone for local actions, another
        // federal service or the local police for federal ones.
        let mut partners: Vec<String> = Vec::new();
        if zone {
            if rng.chance(0.3) {
                partners.push("federale-politie".into());
            }
            if rng.chance(0.2) {
                if let Some(other) = rng.pick(&zone_ids) {
                    if *other != lead {
                        partners.push(other.clone());
                    }
                }
            }
        } else {
            if rng.chance(0.4) {
                if let Some((other, _)) = rng.pick(FEDERAL_LEADS) {
                    if *other != lead {
                        partners.push((*other).to_owned());
                    }
                }
            }
            if rng.chance(0.1) {
                partners.push("lokale-politie".into());
            }
        }
        for organisation_id in &partners {
            partner_rows.push(ActionPartnerRow {
                action_id: id.clone(),
                organisation_id: organisation_id.clone(),
            });
        }
        let mut theme_ids = Vec::new();
        if rng.chance(0.2) {
            if let Some(theme) = rng.pick(&plan.theme_ids) {
                action_theme_rows.push(ActionThemeRow {
                    action_id: id.clone(),
                    theme_id: theme.clone(),
                });
                theme_ids.push(theme.clone());
            }
        }
        // The action's history starts with its creation, as the store records it.
        audit_rows.push(AuditRow {
            id: audit_ids.uuid(),
            occurred_at: at,
            account_login: PLANNER.0.into(),
            organisation_id: PLANNER.1.into(),
            entity_type: "action".into(),
            entity_id: id.clone(),
            operation: "create".into(),
            before: None,
            after: Some(JsonValue(Action {
                id: id.clone(),
                objective_id: objective_id.clone(),
                plan_id: SYNTHETIC_PLAN.into(),
                cluster_id: cluster_id.clone(),
                code: code.clone(),
                title: title.clone(),
                description: None,
                lead_organisation_id: lead.clone(),
                partner_organisation_ids: partners,
                theme_ids,
                planned_start,
                planned_end,
                weight,
                external_id: Some(format!("{CODE_PREFIX}{n}")),
                state: ActionState::default(),
                version: 1,
                created_at: at,
                updated_at: at,
            })),
        });
        let mut reported = Vec::new();
        for k in 0..options.indicators_per_action {
            let roll = rng.below(20);
            let (measure, unit, base, name) = match roll {
                0 => (
                    IndicatorMeasure::Qualitative,
                    None,
                    0.0,
                    text(
                        "[Synthetisch] Beoordeling van de samenwerking".into(),
                        "[Synthétique] Appréciation de la coopération".into(),
                        "[Synthetic] Assessment of the cooperation".into(),
                    ),
                ),
                1..=5 => (
                    IndicatorMeasure::Percentage,
                    Some("%".to_owned()),
                    rng.range(30.0, 80.0).round(),
                    text(
                        "[Synthetisch] Aandeel opgehelderde zaken".into(),
                        "[Synthétique] Part des affaires élucidées".into(),
                        "[Synthetic] Share of cases solved".into(),
                    ),
                ),
                _ => (
                    IndicatorMeasure::Number,
                    Some(if k % 2 == 0 { "controls" } else { "persons" }.to_owned()),
                    rng.range(10.0, 300.0).round(),
                    text(
                        "[Synthetisch] Aantal controles".into(),
                        "[Synthétique] Nombre de contrôles".into(),
                        "[Synthetic] Number of checks".into(),
                    ),
                ),
            };
            let direction = match (measure, rng.below(5)) {
                (IndicatorMeasure::Qualitative, _) | (_, 0) => IndicatorDirection::Maintain,
                (_, 1) => IndicatorDirection::Decrease,
                _ => IndicatorDirection::Increase,
            };
            let drift = match direction {
                IndicatorDirection::Increase => rng.range(0.0, 0.06),
                IndicatorDirection::Decrease => -rng.range(0.0, 0.06),
                IndicatorDirection::Maintain => rng.range(-0.01, 0.01),
            };
            let indicator_id = rng.uuid();
            let target_list = if measure == IndicatorMeasure::Qualitative {
                all_periods
                    .last()
                    .map(|period| Target {
                        period: *period,
                        value: IndicatorValue::Text("goed".into()),
                    })
                    .into_iter()
                    .collect()
            } else {
                targets(base, direction)
                    .into_iter()
                    .map(|mut target| {
                        if let (IndicatorMeasure::Percentage, IndicatorValue::Number(v)) =
                            (measure, &target.value)
                        {
                            target.value = IndicatorValue::Number(v.min(100.0));
                        }
                        target
                    })
                    .collect()
            };
            indicator_rows.push(IndicatorRow {
                id: indicator_id.clone(),
                objective_id: None,
                action_id: Some(id.clone()),
                sort_title: sort_key(&name),
                search_text: search_text("", &name),
                name: JsonValue(name),
                unit,
                measure: measure.as_str().into(),
                direction: direction.as_str().into(),
                baseline: (measure != IndicatorMeasure::Qualitative).then_some(JsonValue(
                    Baseline {
                        value: IndicatorValue::Number(base),
                        year: 2015,
                    },
                )),
                targets: JsonValue(target_list),
                version: 1,
                created_at: at,
                updated_at: at,
            });
            reported.push(PlannedIndicator {
                id: indicator_id,
                measure,
                base,
                drift,
            });
        }
        if rng.chance(0.5) {
            if let Some(shared) = objective_indicators.get(&objective_id) {
                reported.push(shared.clone());
            }
        }
        let reporter = format!("syn-{lead}-rms");
        planned.push(PlannedAction {
            id: id.clone(),
            lead: lead.clone(),
            reporter,
            planned_start,
            planned_end,
            pace: rng.range(0.5, 1.25),
            cancelled_in: rng
                .chance(0.02)
                .then(|| 2 + rng.below(all_periods.len().saturating_sub(2).max(1))),
            indicators: reported,
        });
        action_rows.push(ActionRow {
            id,
            objective_id,
            sort_title: sort_key(&title),
            search_text: search_text(&code, &title),
            code,
            title: JsonValue(title),
            description: None,
            lead_organisation_id: lead,
            planned_start,
            planned_end,
            weight,
            external_id: Some(format!("{CODE_PREFIX}{n}")),
            version: 1,
            created_at: at,
            updated_at: at,
            plan_id: SYNTHETIC_PLAN.into(),
            cluster_id,
        });
    }
    insert_rows!(conn, actions::table, action_rows, 17);
    insert_rows!(conn, action_partners::table, partner_rows, 2);
    insert_rows!(conn, action_themes::table, action_theme_rows, 2);
    insert_rows!(conn, indicators::table, indicator_rows, 14);
    insert_rows!(conn, audit_events::table, audit_rows, 9);
    drop(audit_rows);
    counts.actions = action_rows.len();
    counts.indicators = indicator_rows.len();
    drop(action_rows);
    drop(indicator_rows);

    // Follow-ups, a few hundred actions at a time to keep memory flat.
    for batch in planned.chunks(500) {
        let mut out = FollowUpBatch::default();
        for action in batch {
            follow_up_action(&mut out, &mut rng, action, &periods)?;
        }
        insert_rows!(conn, follow_ups::table, out.follow_ups, 18);
        insert_rows!(conn, follow_up_values::table, out.values, 6);
        insert_rows!(conn, follow_up_events::table, out.events, 9);
        insert_rows!(conn, approved_follow_ups::table, out.approved, 10);
        insert_rows!(conn, approved_values::table, out.approved_values, 4);
        insert_rows!(conn, action_states::table, out.states, 7);
        counts.follow_ups += out.follow_ups.len();
        for row in &out.follow_ups {
            *counts
                .follow_ups_by_state
                .entry(row.state.clone())
                .or_default() += 1;
        }
        counts.indicator_values += out.values.len();
        counts.events += out.events.len();
        counts.approved_revisions += out.approved.len();
        counts.approved_values += out.approved_values.len();
        for state in &out.states {
            let status: FollowUpStatus = state.status.parse().map_err(StoreError::corrupt)?;
            *counts
                .action_statuses
                .entry(action_status(status).as_str().to_owned())
                .or_default() += 1;
        }
    }
    // The action rows keep a copy of their state's status (the action list filters on it):
    // the states were written in bulk above, so the copies are taken in one statement.
    conn.batch_execute(&format!(
        "UPDATE actions SET status = \
         (SELECT s.status FROM action_states s WHERE s.action_id = actions.id) \
         WHERE plan_id = '{SYNTHETIC_PLAN}'"
    ))?;
    Ok(counts)
}

/// The rows of a batch of actions' follow-ups.
#[derive(Debug, Default)]
struct FollowUpBatch {
    follow_ups: Vec<FollowUpRow>,
    values: Vec<ValueRow>,
    events: Vec<EventRow>,
    approved: Vec<ApprovedRow>,
    approved_values: Vec<ApprovedValueRow>,
    states: Vec<ActionStateRow>,
}

/// How far a follow-up's review got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Draft,
    Submitted,
    Returned,
    Approved,
    /// Returned, corrected, submitted again and approved.
    ReturnedThenApproved,
    /// Approved, reopened for a correction that was approved in turn (two approved revisions).
    Corrected,
    /// Approved, then reopened: the second revision is a draft, the first still counts.
    Reopened,
}

/// What becomes of a follow-up `age` periods before the last one generated: older periods are
/// nearly all approved, the latest still in review.
fn outcome(rng: &mut Rng, age: usize) -> Outcome {
    let roll = rng.unit();
    match age {
        0 => match roll {
            r if r < 0.35 => Outcome::Approved,
            r if r < 0.60 => Outcome::Submitted,
            r if r < 0.82 => Outcome::Draft,
            r if r < 0.94 => Outcome::Returned,
            _ => Outcome::Reopened,
        },
        1 => match roll {
            r if r < 0.80 => Outcome::Approved,
            r if r < 0.84 => Outcome::ReturnedThenApproved,
            r if r < 0.94 => Outcome::Submitted,
            _ => Outcome::Returned,
        },
        _ => match roll {
            r if r < 0.92 => Outcome::Approved,
            r if r < 0.97 => Outcome::ReturnedThenApproved,
            _ => Outcome::Corrected,
        },
    }
}

/// A follow-up being written, step by step, as the store would: each step bumps the version and
/// leaves an event with the follow-up as it then was.
struct Writer<'a> {
    out: &'a mut FollowUpBatch,
    follow_up: FollowUp,
    action: &'a PlannedAction,
    /// The action's state so far: the approved revision of the latest period.
    state: &'a mut Option<ActionStateRow>,
}

impl Writer<'_> {
    fn event(
        &mut self,
        rng: &mut Rng,
        event: &str,
        login: &str,
        organisation: &str,
        at: NaiveDateTime,
        note: Option<&str>,
    ) {
        self.out.events.push(EventRow {
            id: rng.uuid(),
            follow_up_id: self.follow_up.id.clone(),
            revision: self.follow_up.revision,
            event: event.into(),
            account_login: login.into(),
            organisation_id: organisation.into(),
            occurred_at: at,
            note: note.map(str::to_owned),
            snapshot: JsonValue(self.follow_up.clone()),
        });
    }

    fn step(&mut self, at: NaiveDateTime) {
        self.follow_up.version += 1;
        self.follow_up.updated_at = at;
    }

    fn submit(&mut self, rng: &mut Rng, at: NaiveDateTime) {
        self.step(at);
        self.follow_up.state = WorkflowState::Submitted;
        self.follow_up.submitted_at = Some(at);
        let (login, organisation) = (self.action.reporter.clone(), self.action.lead.clone());
        self.event(rng, "submitted", &login, &organisation, at, None);
    }

    fn review(&mut self, rng: &mut Rng, at: NaiveDateTime, approve: bool) {
        let (login, organisation) = REVIEWERS
            .get(rng.below(REVIEWERS.len()))
            .copied()
            .unwrap_or(("syn-coordinator-justitie", "fod-justitie"));
        self.step(at);
        let note = (!approve).then_some("[Synthetisch] Graag de vooruitgang toelichten.");
        self.follow_up.state = if approve {
            WorkflowState::Approved
        } else {
            WorkflowState::Returned
        };
        self.follow_up.reviewed_by = Some(login.into());
        self.follow_up.reviewed_at = Some(at);
        self.follow_up.review_note = note.map(str::to_owned);
        if approve {
            self.approve(rng, login, at);
        }
        self.event(
            rng,
            if approve { "approved" } else { "returned" },
            login,
            organisation,
            at,
            note,
        );
    }

    /// What the store's approval writes: the approved revision, its values, the action's state.
    fn approve(&mut self, rng: &mut Rng, login: &str, at: NaiveDateTime) {
        let Approval {
            approved,
            values,
            state,
        } = approval(&self.follow_up, rng.uuid(), login, at);
        self.out.approved.push(approved);
        self.out.approved_values.extend(values);
        // An approval for an earlier period does not override a later one.
        if self
            .state
            .as_ref()
            .is_none_or(|current| current.period_start <= state.period_start)
        {
            *self.state = Some(state);
        }
    }

    /// The reporter corrects the content (after a return or a reopening).
    fn correct(&mut self, rng: &mut Rng, at: NaiveDateTime, period_index: usize) {
        self.step(at);
        let f = &mut self.follow_up;
        if let (FollowUpStatus::OnTrack | FollowUpStatus::Delayed, Some(progress)) =
            (f.status, f.progress)
        {
            f.progress = Some((progress + 5.0).min(99.0));
        }
        let indicators = &self.action.indicators;
        for (reported, indicator) in f.indicator_values.iter_mut().zip(indicators) {
            reported.value = indicator.value(period_index, 1.0, rng);
        }
        let (login, organisation) = (self.action.reporter.clone(), self.action.lead.clone());
        self.event(rng, "updated", &login, &organisation, at, None);
    }

    fn reopen(&mut self, rng: &mut Rng, at: NaiveDateTime) {
        let (login, organisation) = REVIEWERS
            .first()
            .copied()
            .unwrap_or(("syn-coordinator-justitie", "fod-justitie"));
        let note = "[Synthetisch] Correctie van de cijfers gevraagd.";
        self.step(at);
        let f = &mut self.follow_up;
        f.state = WorkflowState::Draft;
        f.revision += 1;
        f.submitted_at = None;
        f.reviewed_by = None;
        f.reviewed_at = None;
        f.review_note = Some(note.into());
        self.event(rng, "reopened", login, organisation, at, Some(note));
    }
}

/// A moment `days` after the start of `day`, at a working hour.
fn moment(day: NaiveDate, days: i64, rng: &mut Rng) -> NaiveDateTime {
    let minutes = 8 * 60 + rng.below(9 * 60) as i64;
    day.and_time(NaiveTime::MIN) + Duration::days(days) + Duration::minutes(minutes)
}

/// The follow-ups of one action over `periods`.
fn follow_up_action(
    out: &mut FollowUpBatch,
    rng: &mut Rng,
    action: &PlannedAction,
    periods: &[ReportingPeriod],
) -> StoreResult<()> {
    let mut state: Option<ActionStateRow> = None;
    let mut progress = 0.0f64;
    let mut started = false;
    let last = periods.len().saturating_sub(1);
    for (p, period) in periods.iter().enumerate() {
        // Due only while planned; a cancelled or completed action reports no more.
        if period.end() < action.planned_start || period.start() > action.planned_end {
            continue;
        }
        let age = last - p;
        // Some reports are simply missing.
        if rng.chance(if age == 0 { 0.04 } else { 0.02 }) {
            continue;
        }
        let cancelled = action.cancelled_in == Some(p);
        let (status, reported_progress) = if cancelled {
            (FollowUpStatus::Cancelled, None)
        } else if !started && rng.chance(0.25) {
            (FollowUpStatus::NotStarted, None)
        } else {
            started = true;
            progress = (progress + 12.5 * action.pace * rng.range(0.7, 1.3)).min(100.0);
            let rounded = progress.round();
            if rounded >= 100.0 {
                (FollowUpStatus::Completed, Some(100.0))
            } else if action.pace >= 0.85 {
                (FollowUpStatus::OnTrack, Some(rounded))
            } else {
                (FollowUpStatus::Delayed, Some(rounded))
            }
        };
        let end = period.end();
        let created_at = moment(end, -25 - rng.below(10) as i64, rng);
        let indicator_values: Vec<ReportedValue> = action
            .indicators
            .iter()
            .map(|indicator| ReportedValue {
                indicator_id: indicator.id.clone(),
                value: indicator.value(p, 0.0, rng),
                comment: None,
            })
            .collect();
        let narrative = rng.chance(0.6).then(|| LocalizedText {
            nl: Some(format!("[Synthetisch] Stand van zaken {period}.")),
            ..LocalizedText::default()
        });
        let follow_up = FollowUp {
            id: rng.uuid(),
            action_id: action.id.clone(),
            period: *period,
            status,
            progress: reported_progress,
            narrative,
            indicator_values,
            state: WorkflowState::Draft,
            organisation_id: action.lead.clone(),
            created_by: action.reporter.clone(),
            submitted_at: None,
            reviewed_by: None,
            reviewed_at: None,
            review_note: None,
            revision: 1,
            version: 1,
            created_at,
            updated_at: created_at,
        };
        let mut writer = Writer {
            out,
            follow_up,
            action,
            state: &mut state,
        };
        let (login, organisation) = (action.reporter.clone(), action.lead.clone());
        writer.event(rng, "created", &login, &organisation, created_at, None);
        let submitted = created_at + Duration::days(2);
        let reviewed = submitted + Duration::days(2) + Duration::hours(1);
        let outcome = outcome(rng, age);
        match outcome {
            Outcome::Draft => {}
            Outcome::Submitted => writer.submit(rng, submitted),
            Outcome::Returned => {
                writer.submit(rng, submitted);
                writer.review(rng, reviewed, false);
            }
            Outcome::Approved => {
                writer.submit(rng, submitted);
                writer.review(rng, reviewed, true);
            }
            Outcome::ReturnedThenApproved => {
                writer.submit(rng, submitted);
                writer.review(rng, reviewed, false);
                writer.correct(rng, reviewed + Duration::days(1), p);
                writer.submit(rng, reviewed + Duration::days(2));
                writer.review(rng, reviewed + Duration::days(4), true);
            }
            Outcome::Corrected | Outcome::Reopened => {
                writer.submit(rng, submitted);
                writer.review(rng, reviewed, true);
                let reopened = moment(end, 30, rng);
                writer.reopen(rng, reopened);
                writer.correct(rng, reopened + Duration::days(1), p);
                if outcome == Outcome::Corrected {
                    writer.submit(rng, reopened + Duration::days(2));
                    writer.review(rng, reopened + Duration::days(4), true);
                }
            }
        }
        let f = writer.follow_up;
        for (position, reported) in (0..).zip(&f.indicator_values) {
            let (number_value, text_value) = split(&reported.value);
            out.values.push(ValueRow {
                follow_up_id: f.id.clone(),
                indicator_id: reported.indicator_id.clone(),
                position,
                number_value,
                text_value,
                comment: None,
            });
        }
        out.follow_ups.push(FollowUpRow {
            id: f.id,
            action_id: f.action_id,
            period: f.period.to_string(),
            period_start: f.period.start(),
            status: f.status.as_str().into(),
            progress: f.progress,
            narrative: f.narrative.map(JsonValue),
            state: f.state.as_str().into(),
            organisation_id: f.organisation_id,
            created_by: f.created_by,
            submitted_at: f.submitted_at,
            reviewed_by: f.reviewed_by,
            reviewed_at: f.reviewed_at,
            review_note: f.review_note,
            revision: f.revision,
            version: f.version,
            created_at: f.created_at,
            updated_at: f.updated_at,
        });
        if cancelled || status == FollowUpStatus::Completed {
            break;
        }
    }
    out.states.extend(state);
    Ok(())
}

/// How much synthetic content the database holds, counted from its rows.
pub fn counts(conn: &mut DbConnection) -> StoreResult<SyntheticCounts> {
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    let objective_ids = || {
        objectives::table
            .filter(objectives::plan_id.eq(SYNTHETIC_PLAN))
            .filter(objectives::code.like(format!("{CODE_PREFIX}%")))
            .select(objectives::id)
    };
    let action_ids = || {
        actions::table
            .filter(actions::objective_id.eq_any(objective_ids()))
            .select(actions::id)
    };
    let follow_up_ids = || {
        follow_ups::table
            .filter(follow_ups::action_id.eq_any(action_ids()))
            .select(follow_ups::id)
    };
    let approved_ids = || {
        approved_follow_ups::table
            .filter(approved_follow_ups::action_id.eq_any(action_ids()))
            .select(approved_follow_ups::id)
    };
    let by_state: Vec<(String, i64)> = follow_ups::table
        .filter(follow_ups::action_id.eq_any(action_ids()))
        .group_by(follow_ups::state)
        .select((follow_ups::state, diesel::dsl::count_star()))
        .load(conn)?;
    let statuses: Vec<(String, i64)> = action_states::table
        .filter(action_states::action_id.eq_any(action_ids()))
        .group_by(action_states::status)
        .select((action_states::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut action_statuses = BTreeMap::new();
    for (status, n) in statuses {
        let status: FollowUpStatus = status.parse().map_err(StoreError::corrupt)?;
        *action_statuses
            .entry(action_status(status).as_str().to_owned())
            .or_default() += count(n);
    }
    Ok(SyntheticCounts {
        zones: count(
            organisations::table
                .filter(organisations::id.like(format!("{ZONE_PREFIX}%")))
                .count()
                .get_result(conn)?,
        ),
        objectives: count(objective_ids().count().get_result(conn)?),
        actions: count(action_ids().count().get_result(conn)?),
        indicators: count(
            indicators::table
                .filter(
                    indicators::objective_id
                        .eq_any(objective_ids().select(objectives::id.nullable())),
                )
                .count()
                .get_result(conn)?,
        ) + count(
            indicators::table
                .filter(indicators::action_id.eq_any(action_ids().select(actions::id.nullable())))
                .count()
                .get_result(conn)?,
        ),
        follow_ups: by_state.iter().map(|(_, n)| count(*n)).sum(),
        follow_ups_by_state: by_state.into_iter().map(|(s, n)| (s, count(n))).collect(),
        indicator_values: count(
            follow_up_values::table
                .filter(follow_up_values::follow_up_id.eq_any(follow_up_ids()))
                .count()
                .get_result(conn)?,
        ),
        events: count(
            follow_up_events::table
                .filter(follow_up_events::follow_up_id.eq_any(follow_up_ids()))
                .count()
                .get_result(conn)?,
        ),
        approved_revisions: count(approved_ids().count().get_result(conn)?),
        approved_values: count(
            approved_values::table
                .filter(approved_values::approved_id.eq_any(approved_ids()))
                .count()
                .get_result(conn)?,
        ),
        action_statuses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_depends_on_its_seed_alone() {
        let mut a = Rng(7);
        let mut b = Rng(7);
        let first: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(first, second);
        assert_ne!(Rng(8).next_u64(), first[0]);
        let id = a.uuid();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
        assert!((0..1000).all(|_| a.below(3) < 3 && (0.0..1.0).contains(&a.unit())));
    }
}
