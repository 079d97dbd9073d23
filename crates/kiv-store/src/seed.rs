//! Reference data from the readable files in `seeds/`: the plans, the ten clusters, the five
//! transversal themes and the organisations that coordinate and report.
//!
//! Loading is idempotent: a row equal to its seed is left alone (its version, and so its ETag,
//! stays), a row that differs is updated and its version bumped, a missing row is inserted. Rows
//! that no seed names are never touched.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use diesel::prelude::*;
use kiv_domain::reference::{is_lower_camel_case, is_readable_id, missing_dutch};
use kiv_domain::{LocalizedText, OrganisationKind, PlanKind, ReportingFrequency};
use serde::Deserialize;

use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::reference::clusters::{self, ClusterRow};
use crate::reference::organisations::{self, OrganisationRow};
use crate::reference::plans::{self, PlanLinks, PlanRow};
use crate::reference::themes::{self, ThemeRow};
use crate::schema;

/// A plan as its seed file describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanSeed {
    pub id: String,
    pub kind: PlanKind,
    pub title: LocalizedText,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub reporting_frequency: ReportingFrequency,
    pub cluster_ids: Vec<String>,
    pub theme_ids: Vec<String>,
}

/// A cluster as its seed file describes it; its id is its number.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSeed {
    pub number: i32,
    pub code: String,
    pub name: LocalizedText,
    #[serde(default)]
    pub sub_phenomena: Vec<LocalizedText>,
}

/// A theme as its seed file describes it; its position is its place in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThemeSeed {
    pub id: String,
    pub name: LocalizedText,
}

/// An organisation as its seed file describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganisationSeed {
    pub id: String,
    pub name: LocalizedText,
    pub kind: OrganisationKind,
    #[serde(default)]
    pub coordinator: bool,
    #[serde(default)]
    pub parent_id: Option<String>,
}

/// The whole reference data set.
#[derive(Debug, Clone)]
pub struct ReferenceData {
    pub plans: Vec<PlanSeed>,
    pub clusters: Vec<ClusterSeed>,
    pub themes: Vec<ThemeSeed>,
    pub organisations: Vec<OrganisationSeed>,
}

/// The seed files, in the order they are read.
pub const SEED_FILES: [&str; 4] = [
    "clusters.yaml",
    "themes.yaml",
    "organisations.yaml",
    "plans.yaml",
];

/// The repository's `seeds/` as built into the binary, so `kiv seed` works wherever it runs.
const EMBEDDED: [&str; 4] = [
    include_str!("../../../seeds/clusters.yaml"),
    include_str!("../../../seeds/themes.yaml"),
    include_str!("../../../seeds/organisations.yaml"),
    include_str!("../../../seeds/plans.yaml"),
];

fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> StoreResult<Vec<T>> {
    yaml_serde::from_str(text).map_err(|e| StoreError::Seed(format!("{file}: {e}")))
}

impl ReferenceData {
    /// The seed files built into this binary.
    pub fn embedded() -> StoreResult<Self> {
        let [clusters, themes, organisations, plans] = EMBEDDED;
        Self::from_texts([clusters, themes, organisations, plans])
    }

    /// The seed files of a directory (`clusters.yaml`, `themes.yaml`, `organisations.yaml`,
    /// `plans.yaml`).
    pub fn from_dir(dir: &Path) -> StoreResult<Self> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| StoreError::Seed(format!("{}: {e}", dir.join(name).display())))
        };
        let [clusters, themes, organisations, plans] = SEED_FILES;
        Self::from_texts([
            &read(clusters)?,
            &read(themes)?,
            &read(organisations)?,
            &read(plans)?,
        ])
    }

    fn from_texts([clusters, themes, organisations, plans]: [&str; 4]) -> StoreResult<Self> {
        let [cluster_file, theme_file, organisation_file, plan_file] = SEED_FILES;
        let data = Self {
            clusters: parse(cluster_file, clusters)?,
            themes: parse(theme_file, themes)?,
            organisations: parse(organisation_file, organisations)?,
            plans: parse(plan_file, plans)?,
        };
        data.validate()?;
        Ok(data)
    }

    /// Checks the rules of reference data; every broken rule is reported at once.
    pub fn validate(&self) -> StoreResult<()> {
        let mut problems = Vec::new();
        let mut numbers = HashSet::new();
        let mut codes = HashSet::new();
        for cluster in &self.clusters {
            let at = format!("cluster {}", cluster.number);
            if cluster.number < 1 || !numbers.insert(cluster.number) {
                problems.push(format!("{at}: number must be positive and unique"));
            }
            if !is_lower_camel_case(&cluster.code) || !codes.insert(cluster.code.as_str()) {
                problems.push(format!(
                    "{at}: code {:?} must be unique and lowerCamelCase",
                    cluster.code
                ));
            }
            if missing_dutch(&cluster.name) || cluster.sub_phenomena.iter().any(missing_dutch) {
                problems.push(format!("{at}: every name needs a Dutch (nl) text"));
            }
        }
        let mut theme_ids = HashSet::new();
        for theme in &self.themes {
            if !is_lower_camel_case(&theme.id) || !theme_ids.insert(theme.id.as_str()) {
                problems.push(format!(
                    "theme {:?}: id must be unique and lowerCamelCase",
                    theme.id
                ));
            }
            if missing_dutch(&theme.name) {
                problems.push(format!(
                    "theme {:?}: name needs a Dutch (nl) text",
                    theme.id
                ));
            }
        }
        let mut organisation_ids = HashSet::new();
        for organisation in &self.organisations {
            if !is_readable_id(&organisation.id)
                || !organisation_ids.insert(organisation.id.as_str())
            {
                problems.push(format!(
                    "organisation {:?}: id must be unique, lowercase, digits and hyphens",
                    organisation.id
                ));
            }
            if missing_dutch(&organisation.name) {
                problems.push(format!(
                    "organisation {:?}: name needs a Dutch (nl) text",
                    organisation.id
                ));
            }
        }
        for organisation in &self.organisations {
            if let Some(parent) = &organisation.parent_id {
                if !organisation_ids.contains(parent.as_str()) || parent == &organisation.id {
                    problems.push(format!(
                        "organisation {:?}: parent {parent:?} is not another seeded organisation",
                        organisation.id
                    ));
                }
            }
        }
        let cluster_ids: HashSet<String> = numbers.iter().map(ToString::to_string).collect();
        let mut plan_ids = HashSet::new();
        for plan in &self.plans {
            let at = format!("plan {:?}", plan.id);
            if !is_readable_id(&plan.id) || !plan_ids.insert(plan.id.as_str()) {
                problems.push(format!(
                    "{at}: id must be unique, lowercase, digits and hyphens"
                ));
            }
            if plan.period_start > plan.period_end {
                problems.push(format!("{at}: periodStart is after periodEnd"));
            }
            if missing_dutch(&plan.title) {
                problems.push(format!("{at}: title needs a Dutch (nl) text"));
            }
            for id in plan
                .cluster_ids
                .iter()
                .filter(|id| !cluster_ids.contains(*id))
            {
                problems.push(format!("{at}: cluster {id:?} is not seeded"));
            }
            for id in plan
                .theme_ids
                .iter()
                .filter(|id| !theme_ids.contains(id.as_str()))
            {
                problems.push(format!("{at}: theme {id:?} is not seeded"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Seed(problems.join("; ")))
        }
    }
}

/// What loading did, per kind of record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Counts {
    fn record(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Inserted => self.inserted += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} inserted, {} updated, {} unchanged",
            self.inserted, self.updated, self.unchanged
        )
    }
}

/// What loading the reference data did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub plans: Counts,
    pub clusters: Counts,
    pub themes: Counts,
    pub organisations: Counts,
}

impl SeedReport {
    /// Whether the database already held exactly the seeds.
    pub fn changed_nothing(&self) -> bool {
        [self.plans, self.clusters, self.themes, self.organisations]
            .iter()
            .all(|c| c.inserted == 0 && c.updated == 0)
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "plans: {}; clusters: {}; themes: {}; organisations: {}",
            self.plans, self.clusters, self.themes, self.organisations
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Inserted,
    Updated,
    Unchanged,
}

/// Inserts `$fresh` into `$table`, or updates the stored row when its content differs (keeping
/// its creation time and bumping its version).
macro_rules! upsert_row {
    ($conn:expr, $table:ident, $existing:expr, $fresh:expr, $same:expr) => {{
        let fresh = $fresh;
        match $existing {
            None => {
                diesel::insert_into(schema::$table::table)
                    .values(&fresh)
                    .execute($conn)?;
                Outcome::Inserted
            }
            Some(old) if $same(&old, &fresh) => Outcome::Unchanged,
            Some(old) => {
                let row = fresh.clone().with_history(old.version + 1, old.created_at);
                diesel::update(schema::$table::table.find(&row.id))
                    .set(&row)
                    .execute($conn)?;
                Outcome::Updated
            }
        }
    }};
}

/// The history of a stored row carried over to its new content.
trait Versioned: Clone {
    fn with_history(self, version: i32, created_at: chrono::NaiveDateTime) -> Self;
}

macro_rules! versioned {
    ($($row:ty),+) => {$(
        impl Versioned for $row {
            fn with_history(self, version: i32, created_at: chrono::NaiveDateTime) -> Self {
                Self { version, created_at, ..self }
            }
        }
    )+};
}

versioned!(ClusterRow, ThemeRow, OrganisationRow, PlanRow);

/// Whether the database holds any plan yet: an empty database is seeded on first start.
pub fn is_seeded(conn: &mut DbConnection) -> StoreResult<bool> {
    let plans: i64 = schema::plans::table.count().get_result(conn)?;
    Ok(plans > 0)
}

/// Loads the reference data in one transaction: all of it, or nothing.
pub fn apply(conn: &mut DbConnection, data: &ReferenceData) -> StoreResult<SeedReport> {
    data.validate()?;
    crate::database::write_transaction(conn, |conn| {
        let mut report = SeedReport::default();
        let at = now();
        for seed in &data.clusters {
            let fresh = ClusterRow {
                id: seed.number.to_string(),
                number: seed.number,
                code: seed.code.clone(),
                name: JsonValue(seed.name.clone()),
                sub_phenomena: JsonValue(seed.sub_phenomena.clone()),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            let existing = clusters::find_row(conn, &fresh.id)?;
            report.clusters.record(upsert_row!(
                conn,
                clusters,
                existing,
                fresh,
                |a: &ClusterRow, b: &ClusterRow| (a.number, &a.code, &a.name, &a.sub_phenomena)
                    == (b.number, &b.code, &b.name, &b.sub_phenomena)
            ));
        }
        for (position, seed) in (1..).zip(&data.themes) {
            let fresh = ThemeRow {
                id: seed.id.clone(),
                position,
                name: JsonValue(seed.name.clone()),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            let existing = themes::find_row(conn, &fresh.id)?;
            report.themes.record(upsert_row!(
                conn,
                themes,
                existing,
                fresh,
                |a: &ThemeRow, b: &ThemeRow| (a.position, &a.name) == (b.position, &b.name)
            ));
        }
        // Parents before the organisations that belong to them.
        let (roots, members): (Vec<_>, Vec<_>) = data
            .organisations
            .iter()
            .partition(|o| o.parent_id.is_none());
        for seed in roots.into_iter().chain(members) {
            let fresh = OrganisationRow {
                id: seed.id.clone(),
                name: JsonValue(seed.name.clone()),
                kind: seed.kind.as_str().to_owned(),
                coordinator: seed.coordinator,
                parent_id: seed.parent_id.clone(),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            let existing = organisations::find_row(conn, &fresh.id)?;
            report.organisations.record(upsert_row!(
                conn,
                organisations,
                existing,
                fresh,
                |a: &OrganisationRow, b: &OrganisationRow| (
                    &a.name,
                    &a.kind,
                    a.coordinator,
                    &a.parent_id
                ) == (
                    &b.name,
                    &b.kind,
                    b.coordinator,
                    &b.parent_id
                )
            ));
        }
        for seed in &data.plans {
            report.plans.record(upsert_plan(conn, seed, at)?);
        }
        Ok(report)
    })
}

fn upsert_plan(
    conn: &mut DbConnection,
    seed: &PlanSeed,
    at: chrono::NaiveDateTime,
) -> StoreResult<Outcome> {
    use schema::{plan_clusters, plan_themes};

    let fresh = PlanRow {
        id: seed.id.clone(),
        kind: seed.kind.as_str().to_owned(),
        title: JsonValue(seed.title.clone()),
        period_start: seed.period_start,
        period_end: seed.period_end,
        reporting_frequency: seed.reporting_frequency.as_str().to_owned(),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let seeded_links = PlanLinks {
        cluster_ids: seed.cluster_ids.clone(),
        theme_ids: seed.theme_ids.clone(),
    };
    let existing = plans::find_row(conn, &seed.id)?;
    let stored_links = plans::load_links(conn, &[&seed.id])?
        .remove(&seed.id)
        .unwrap_or_default();
    let same_links = sorted(&stored_links.cluster_ids) == sorted(&seeded_links.cluster_ids)
        && sorted(&stored_links.theme_ids) == sorted(&seeded_links.theme_ids);
    let outcome = upsert_row!(conn, plans, existing, fresh, |a: &PlanRow, b: &PlanRow| {
        same_links
            && (
                &a.kind,
                &a.title,
                a.period_start,
                a.period_end,
                &a.reporting_frequency,
            ) == (
                &b.kind,
                &b.title,
                b.period_start,
                b.period_end,
                &b.reporting_frequency,
            )
    });
    if !same_links {
        diesel::delete(plan_clusters::table.filter(plan_clusters::plan_id.eq(&seed.id)))
            .execute(conn)?;
        diesel::delete(plan_themes::table.filter(plan_themes::plan_id.eq(&seed.id)))
            .execute(conn)?;
        for cluster_id in &seeded_links.cluster_ids {
            diesel::insert_into(plan_clusters::table)
                .values((
                    plan_clusters::plan_id.eq(&seed.id),
                    plan_clusters::cluster_id.eq(cluster_id),
                ))
                .execute(conn)?;
        }
        for theme_id in &seeded_links.theme_ids {
            diesel::insert_into(plan_themes::table)
                .values((
                    plan_themes::plan_id.eq(&seed.id),
                    plan_themes::theme_id.eq(theme_id),
                ))
                .execute(conn)?;
        }
    }
    Ok(outcome)
}

fn sorted(ids: &[String]) -> Vec<&str> {
    let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    ids.sort_unstable();
    ids
}
