//! What reports are made of, as of a moment: the database sums the actions of each objective per
//! status (one aggregate query, however many actions a plan has), and `kiv_domain::rollup` turns
//! those sums into the figures of every level. The progress report is made here; the trend,
//! compliance and indicator reports in their modules, the trend out of progress reports;
//! `service` answers the API's requests for them.

pub mod compliance;
pub mod indicator_report;
pub mod service;
pub mod trend;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;
use kiv_domain::evaluation::{ClusterFollowUp, Evaluation};
use kiv_domain::followup::action_status;
use kiv_domain::planning::{IndicatorValue, Target};
use kiv_domain::report::{ClusterReport, ObjectiveReport, ProgressReport, PublishedJudgement};
use kiv_domain::rollup::{on_track, roll_up_groups, target_for, Figures, StatusGroup, METHOD};
use kiv_domain::{
    ActionStatus, IndicatorDirection, IndicatorMeasure, LocalizedText, Plan, ReportingPeriod,
};

use crate::database::{Backend, DbConnection};
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::judgements::{self, Judgement};
use crate::schema::{actions, clusters, indicators, objectives};
use diesel::sql_types::{BigInt, Date, Double, Nullable, Text, Timestamp};

/// Which actions a report covers.
#[derive(Debug, Clone)]
pub struct Scope {
    pub plan_id: String,
    pub cluster_id: Option<String>,
    /// Actions with this theme, or under an objective with it.
    pub theme_id: Option<String>,
    /// Actions this organisation leads.
    pub organisation_id: Option<String>,
}

/// An objective in a report.
#[derive(Debug, Clone)]
pub struct ObjectiveLine {
    pub id: String,
    pub code: String,
    pub title: LocalizedText,
    pub cluster_id: Option<String>,
    pub parent_id: Option<String>,
}

/// The actions of one objective that share a status, summed by the database.
#[derive(Debug, Clone)]
pub struct ObjectiveGroup {
    pub objective_id: String,
    pub group: StatusGroup,
}

/// An indicator in a report, with its value for the period.
#[derive(Debug, Clone)]
pub struct IndicatorLine {
    pub id: String,
    /// The objective it belongs to, directly or through its action.
    pub objective_id: String,
    pub measure: IndicatorMeasure,
    pub direction: IndicatorDirection,
    pub targets: Vec<Target>,
    /// The approved value for the period, as of the report's moment.
    pub actual: Option<IndicatorValue>,
}

/// Everything a progress report is computed from: the objectives in scope, their actions summed
/// per status, and their indicators.
#[derive(Debug, Clone)]
pub struct ReportData {
    pub objectives: Vec<ObjectiveLine>,
    pub groups: Vec<ObjectiveGroup>,
    pub indicators: Vec<IndicatorLine>,
}

/// Id, objective, objective of its action, measure, direction and targets of an indicator.
type IndicatorRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    JsonValue<Vec<Target>>,
);

/// Id, code, title, cluster and parent of an objective.
type ObjectiveRow = (
    String,
    String,
    JsonValue<LocalizedText>,
    Option<String>,
    Option<String>,
);

/// One row of the aggregate: an objective's actions with one status.
#[derive(Debug, QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = Text)]
    objective_id: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    actions: i64,
    #[diesel(sql_type = Double)]
    weighted_progress: f64,
    #[diesel(sql_type = Double)]
    weights: f64,
    #[diesel(sql_type = BigInt)]
    no_progress: i64,
    #[diesel(sql_type = BigInt)]
    due: i64,
    #[diesel(sql_type = BigInt)]
    due_reported: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

/// An indicator value of the period's latest approval per action.
#[derive(Debug, QueryableByName)]
struct PeriodValueRow {
    #[diesel(sql_type = Text)]
    indicator_id: String,
    #[diesel(sql_type = Nullable<Double>)]
    number_value: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    text_value: Option<String>,
}

/// Numbered placeholders (`$1` on PostgreSQL, `?1` on SQLite), so a value can appear twice.
struct Placeholders {
    prefix: &'static str,
    next: usize,
}

impl Placeholders {
    fn new(backend: Backend) -> Self {
        let prefix = match backend {
            Backend::Postgres => "$",
            Backend::Sqlite => "?",
        };
        Placeholders { prefix, next: 0 }
    }

    fn next(&mut self) -> String {
        self.next += 1;
        format!("{}{}", self.prefix, self.next)
    }
}

/// The scope's actions as SQL (`scope_actions`), with its parameters: the plan, then the
/// cluster, organisation and theme when the scope names them, in that order.
fn scope_sql(scope: &Scope, placeholders: &mut Placeholders) -> String {
    let mut sql = format!(
        "scope_actions AS (SELECT a.id, a.objective_id, a.weight, a.planned_start, a.planned_end \
         FROM actions a JOIN objectives o ON o.id = a.objective_id WHERE o.plan_id = {}",
        placeholders.next()
    );
    if scope.cluster_id.is_some() {
        sql.push_str(&format!(" AND o.cluster_id = {}", placeholders.next()));
    }
    if scope.organisation_id.is_some() {
        sql.push_str(&format!(
            " AND a.lead_organisation_id = {}",
            placeholders.next()
        ));
    }
    if scope.theme_id.is_some() {
        let theme = placeholders.next();
        sql.push_str(&format!(
            " AND (a.id IN (SELECT action_id FROM action_themes WHERE theme_id = {theme}) \
             OR a.objective_id IN (SELECT objective_id FROM objective_themes WHERE theme_id = {theme}))"
        ));
    }
    sql.push(')');
    sql
}

/// Binds the scope's parameters in the order [`scope_sql`] numbered them.
macro_rules! bind_scope {
    ($query:expr, $scope:expr) => {{
        let mut query = $query.bind::<Text, _>($scope.plan_id.clone());
        if let Some(cluster_id) = &$scope.cluster_id {
            query = query.bind::<Text, _>(cluster_id.clone());
        }
        if let Some(organisation_id) = &$scope.organisation_id {
            query = query.bind::<Text, _>(organisation_id.clone());
        }
        if let Some(theme_id) = &$scope.theme_id {
            query = query.bind::<Text, _>(theme_id.clone());
        }
        query
    }};
}

/// The actions in `scope` summed per objective and status, as approved by `as_of` for `period`:
/// each action counts with the status and progress of its latest approved follow-up of a period
/// up to `period` (`notReported` without one), and is overdue by the rule of
/// [`kiv_domain::rollup::is_overdue`]. One query; the database does the counting.
///
/// The action's current state (`action_states`, kept at approval time) is that follow-up
/// whenever it was approved by `as_of` for a period up to `period`, which is the case for
/// nearly every action in a report of the current period; only the others look through the
/// approval history, one index probe each. Ranking the whole history instead took three times
/// as long on a plan of 10,000 actions.
fn status_groups(
    conn: &mut DbConnection,
    scope: &Scope,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
) -> StoreResult<Vec<ObjectiveGroup>> {
    let mut p = Placeholders::new(conn.backend());
    let scope_actions = scope_sql(scope, &mut p);
    let (as_of_p, start_p, end_p) = (p.next(), p.next(), p.next());
    let history = |column: &str| {
        format!(
            "(SELECT af.{column} FROM approved_follow_ups af WHERE af.action_id = x.id \
             AND af.period_start <= {start_p} AND af.approved_at <= {as_of_p} \
             ORDER BY af.period_start DESC, af.approved_at DESC LIMIT 1)"
        )
    };
    let (history_status, history_progress) = (history("status"), history("progress"));
    // Weights are bounded on every write; an action stored before the bound counts at the
    // maximum, so the weighted sums stay finite on both backends whatever is stored.
    let max_weight = format!("{:.1}", kiv_domain::planning::MAX_WEIGHT);
    let sql = format!(
        "WITH {scope_actions}, \
         states AS (SELECT s.id, s.objective_id, s.weight, s.planned_start, s.planned_end, \
           st.status, st.progress, st.period_start, \
           CASE WHEN st.approved_at <= {as_of_p} AND st.period_start <= {start_p} \
             THEN 1 ELSE 0 END AS is_current \
           FROM scope_actions s LEFT JOIN action_states st ON st.action_id = s.id), \
         latest AS (SELECT x.objective_id, x.weight, x.planned_start, x.planned_end, \
           CASE WHEN x.is_current = 1 THEN x.status ELSE {history_status} END AS status, \
           CASE WHEN x.is_current = 1 THEN x.progress ELSE {history_progress} END AS progress, \
           CASE WHEN x.is_current = 1 AND x.period_start = {start_p} THEN 1 \
             WHEN EXISTS (SELECT 1 FROM approved_follow_ups af WHERE af.action_id = x.id \
               AND af.period_start = {start_p} AND af.approved_at <= {as_of_p}) THEN 1 \
             ELSE 0 END AS reported \
           FROM states x), \
         facts AS (SELECT objective_id, COALESCE(status, 'notReported') AS status, \
           CASE WHEN weight > {max_weight} THEN {max_weight} ELSE weight END AS weight, \
           CASE WHEN status = 'cancelled' THEN NULL ELSE progress END AS progress, \
           CASE WHEN planned_start <= {end_p} AND planned_end >= {start_p} THEN 1 ELSE 0 END AS due, \
           reported, planned_end FROM latest) \
         SELECT objective_id, status, COUNT(*) AS actions, \
           COALESCE(SUM(weight * progress), 0.0) AS weighted_progress, \
           COALESCE(SUM(CASE WHEN progress IS NULL THEN 0.0 ELSE weight END), 0.0) AS weights, \
           SUM(CASE WHEN progress IS NULL AND status <> 'cancelled' THEN 1 ELSE 0 END) AS no_progress, \
           SUM(due) AS due, SUM(due * reported) AS due_reported, \
           SUM(CASE WHEN planned_end <= {end_p} AND status NOT IN ('completed', 'cancelled') \
             THEN 1 ELSE 0 END) AS overdue \
         FROM facts GROUP BY objective_id, status"
    );
    let rows: Vec<GroupRow> = crate::on_backend!(conn, |inner| {
        let query = bind_scope!(diesel::sql_query(sql.as_str()).into_boxed(), scope);
        query
            .bind::<Timestamp, _>(as_of)
            .bind::<Date, _>(period.start())
            .bind::<Date, _>(period.end())
            .load::<GroupRow>(inner)?
    });
    let count = |n: i64| usize::try_from(n).map_err(StoreError::corrupt);
    rows.into_iter()
        .map(|row| {
            let status = match row.status.as_str() {
                "notReported" => ActionStatus::NotReported,
                other => action_status(other.parse().map_err(StoreError::corrupt)?),
            };
            Ok(ObjectiveGroup {
                objective_id: row.objective_id,
                group: StatusGroup {
                    status,
                    actions: count(row.actions)?,
                    weighted_progress: row.weighted_progress,
                    weights: row.weights,
                    no_progress: count(row.no_progress)?,
                    due: count(row.due)?,
                    due_reported: count(row.due_reported)?,
                    overdue: count(row.overdue)?,
                },
            })
        })
        .collect()
}

/// The indicator values of the latest approval for `period` of each action in `scope`, as of
/// `as_of`, in no particular order.
fn period_values(
    conn: &mut DbConnection,
    scope: &Scope,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
) -> StoreResult<Vec<PeriodValueRow>> {
    let mut p = Placeholders::new(conn.backend());
    let scope_actions = scope_sql(scope, &mut p);
    let (start_p, as_of_p) = (p.next(), p.next());
    let sql = format!(
        "WITH {scope_actions}, \
         latest AS (SELECT af.id, ROW_NUMBER() OVER (PARTITION BY af.action_id \
           ORDER BY af.approved_at DESC) AS rn \
           FROM approved_follow_ups af JOIN scope_actions s ON s.id = af.action_id \
           WHERE af.period_start = {start_p} AND af.approved_at <= {as_of_p}) \
         SELECT av.indicator_id, av.number_value, av.text_value FROM approved_values av \
         JOIN latest l ON l.id = av.approved_id AND l.rn = 1"
    );
    let rows: Vec<PeriodValueRow> = crate::on_backend!(conn, |inner| {
        let query = bind_scope!(diesel::sql_query(sql.as_str()).into_boxed(), scope);
        query
            .bind::<Date, _>(period.start())
            .bind::<Timestamp, _>(as_of)
            .load::<PeriodValueRow>(inner)?
    });
    Ok(rows)
}

/// The objectives, action groups and indicators of `scope`, as approved by `as_of` for
/// `period`. Indicators come in no particular order and without their names, which the figures
/// do not need and which were a third of the bytes a whole-plan report read
/// ([`indicator_labels`] has them).
pub fn progress_data(
    conn: &mut DbConnection,
    scope: &Scope,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
) -> StoreResult<ReportData> {
    let mut objective_query = objectives::table
        .filter(objectives::plan_id.eq(scope.plan_id.clone()))
        .into_boxed();
    if let Some(cluster_id) = &scope.cluster_id {
        objective_query = objective_query.filter(objectives::cluster_id.eq(cluster_id.clone()));
    }
    let objective_rows: Vec<ObjectiveRow> = objective_query
        .order(objectives::code)
        .select((
            objectives::id,
            objectives::code,
            objectives::title,
            objectives::cluster_id,
            objectives::parent_id,
        ))
        .load(conn)?;
    let objective_ids: Vec<&str> = objective_rows.iter().map(|o| o.0.as_str()).collect();
    let groups = status_groups(conn, scope, period, as_of)?;

    // Indicators of the objectives in scope and of their actions (of the scope's organisation
    // only, when it names one), with the objective of an action's indicator from its action.
    let of_objectives = indicators::objective_id.eq_any(&objective_ids);
    let of_actions = actions::objective_id.eq_any(&objective_ids);
    let with_action = indicators::table
        .left_join(actions::table.on(indicators::action_id.eq(actions::id.nullable())));
    let select = (
        indicators::id,
        indicators::objective_id,
        actions::objective_id.nullable(),
        indicators::measure,
        indicators::direction,
        indicators::targets,
    );
    // An objective-level indicator may be reported by several of its actions; the report keeps
    // one of their values.
    let mut actual: HashMap<String, IndicatorValue> = HashMap::new();
    for row in period_values(conn, scope, period, as_of)? {
        let value = match (row.number_value, row.text_value) {
            (Some(number), _) => IndicatorValue::Number(number),
            (None, text) => IndicatorValue::Text(text.unwrap_or_default()),
        };
        actual.insert(row.indicator_id, value);
    }
    // Rows are turned into lines as they are read rather than collected first: a whole plan has
    // tens of thousands, and holding both at once doubled what a report took in memory.
    let mut indicator_lines = Vec::new();
    let mut add = |row: QueryResult<IndicatorRow>| -> StoreResult<()> {
        let (id, objective_id, action_objective_id, measure, direction, targets) = row?;
        if let Some(objective_id) = objective_id.or(action_objective_id) {
            indicator_lines.push(IndicatorLine {
                actual: actual.remove(&id),
                id,
                objective_id,
                measure: measure.parse().map_err(StoreError::corrupt)?,
                direction: direction.parse().map_err(StoreError::corrupt)?,
                targets: targets.0,
            });
        }
        Ok(())
    };
    match &scope.organisation_id {
        None => with_action
            .filter(of_objectives.or(of_actions.nullable()))
            .select(select)
            .load_iter::<IndicatorRow, DefaultLoadingMode>(conn)?
            .try_for_each(&mut add)?,
        Some(organisation_id) => with_action
            .filter(
                of_objectives.or(of_actions
                    .and(actions::lead_organisation_id.eq(organisation_id))
                    .nullable()),
            )
            .select(select)
            .load_iter::<IndicatorRow, DefaultLoadingMode>(conn)?
            .try_for_each(&mut add)?,
    };

    Ok(ReportData {
        objectives: objective_rows
            .into_iter()
            .map(|(id, code, title, cluster_id, parent_id)| ObjectiveLine {
                id,
                code,
                title: title.0,
                cluster_id,
                parent_id,
            })
            .collect(),
        groups,
        indicators: indicator_lines,
    })
}

/// The names and units of the indicators `ids`, by id.
pub fn indicator_labels(
    conn: &mut DbConnection,
    ids: &[&str],
) -> StoreResult<HashMap<String, (LocalizedText, Option<String>)>> {
    let mut labels = HashMap::with_capacity(ids.len());
    // SQLite takes at most 32,766 bound values in one statement.
    for chunk in ids.chunks(10_000) {
        let rows: Vec<(String, JsonValue<LocalizedText>, Option<String>)> = indicators::table
            .filter(indicators::id.eq_any(chunk))
            .select((indicators::id, indicators::name, indicators::unit))
            .load(conn)?;
        labels.extend(
            rows.into_iter()
                .map(|(id, name, unit)| (id, (name.0, unit))),
        );
    }
    Ok(labels)
}

/// An action due a report for a period without an approved one (as of a moment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreportedAction {
    pub id: String,
    pub code: String,
    pub lead_organisation_id: String,
}

/// The actions in `scope` due a report for `period` without a follow-up for it approved by
/// `as_of`, by code.
pub fn unreported(
    conn: &mut DbConnection,
    scope: &Scope,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
) -> StoreResult<Vec<UnreportedAction>> {
    let mut p = Placeholders::new(conn.backend());
    let scope_actions = scope_sql(scope, &mut p);
    let (end_p, start_p, period_p, as_of_p) = (p.next(), p.next(), p.next(), p.next());
    let sql = format!(
        "WITH {scope_actions} \
         SELECT a.id, a.code, a.lead_organisation_id FROM actions a \
         JOIN scope_actions s ON s.id = a.id \
         WHERE s.planned_start <= {end_p} AND s.planned_end >= {start_p} \
         AND NOT EXISTS (SELECT 1 FROM approved_follow_ups af WHERE af.action_id = a.id \
           AND af.period = {period_p} AND af.approved_at <= {as_of_p}) \
         ORDER BY a.code"
    );
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        id: String,
        #[diesel(sql_type = Text)]
        code: String,
        #[diesel(sql_type = Text)]
        lead_organisation_id: String,
    }
    let rows: Vec<Row> = crate::on_backend!(conn, |inner| {
        let query = bind_scope!(diesel::sql_query(sql.as_str()).into_boxed(), scope);
        query
            .bind::<Date, _>(period.end())
            .bind::<Date, _>(period.start())
            .bind::<Text, _>(period.to_string())
            .bind::<Timestamp, _>(as_of)
            .load::<Row>(inner)?
    });
    Ok(rows
        .into_iter()
        .map(|r| UnreportedAction {
            id: r.id,
            code: r.code,
            lead_organisation_id: r.lead_organisation_id,
        })
        .collect())
}

impl ReportData {
    /// The figures of the actions and indicators under `objective_ids`, for `period`.
    pub fn figures(&self, period: ReportingPeriod, objective_ids: &[&str]) -> Figures {
        self.by_objective(period).figures(objective_ids)
    }

    /// The figures of everything in the data: the progress report's totals.
    pub fn totals(&self, period: ReportingPeriod) -> Figures {
        let all: Vec<&str> = self.objectives.iter().map(|o| o.id.as_str()).collect();
        self.figures(period, &all)
    }

    /// The action groups and indicator assessments of each objective, for `period`: judged once,
    /// then summed for any set of objectives. (Filtering all indicators for each cluster and
    /// objective of a whole-plan report took longer than its SQL.)
    pub fn by_objective(&self, period: ReportingPeriod) -> ObjectiveFacts<'_> {
        let mut facts = ObjectiveFacts::default();
        for group in &self.groups {
            facts
                .groups
                .entry(group.objective_id.as_str())
                .or_default()
                .push(group.group);
        }
        for indicator in &self.indicators {
            facts
                .assessments
                .entry(indicator.objective_id.as_str())
                .or_default()
                .push(on_track(
                    indicator.measure,
                    indicator.direction,
                    target_for(&indicator.targets, period),
                    indicator.actual.as_ref(),
                ));
        }
        facts
    }
}

/// The action groups and indicator assessments of a report, by objective id.
#[derive(Debug, Default)]
pub struct ObjectiveFacts<'a> {
    groups: HashMap<&'a str, Vec<StatusGroup>>,
    assessments: HashMap<&'a str, Vec<Option<bool>>>,
}

impl ObjectiveFacts<'_> {
    /// The figures of the objectives `objective_ids` together.
    pub fn figures(&self, objective_ids: &[&str]) -> Figures {
        let mut groups = Vec::new();
        let mut assessments = Vec::new();
        for id in objective_ids {
            if let Some(of_objective) = self.groups.get(id) {
                groups.extend_from_slice(of_objective);
            }
            if let Some(of_objective) = self.assessments.get(id) {
                assessments.extend_from_slice(of_objective);
            }
        }
        roll_up_groups(&groups, &assessments)
    }
}

/// The progress report of `plan` for `scope`, `period` and `as_of`: totals, and per cluster of
/// the plan (only the scope's cluster when it names one) and per objective. Transversal
/// objectives, which have no cluster, come last in a group without a cluster id.
pub fn progress_report(
    conn: &mut DbConnection,
    plan: &Plan,
    scope: &Scope,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
) -> StoreResult<ProgressReport> {
    let data = progress_data(conn, scope, period, as_of)?;
    report_from(conn, plan, scope, period, as_of, &data)
}

/// The progress report made of `data`, loaded for the same scope, period and moment.
pub fn report_from(
    conn: &mut DbConnection,
    plan: &Plan,
    scope: &Scope,
    period: ReportingPeriod,
    as_of: NaiveDateTime,
    data: &ReportData,
) -> StoreResult<ProgressReport> {
    let names: HashMap<String, LocalizedText> = clusters::table
        .select((clusters::id, clusters::name))
        .load::<(String, JsonValue<LocalizedText>)>(conn)?
        .into_iter()
        .map(|(id, name)| (id, name.0))
        .collect();
    let assessments =
        judgements::latest_judgements::<ClusterFollowUp>(conn, &plan.id, period, as_of)?;
    let ratings = judgements::latest_judgements::<Evaluation>(conn, &plan.id, period, as_of)?;
    let judged = |judgements: &[Judgement], cluster_id: Option<&str>| {
        judgements
            .iter()
            .find(|j| cluster_id.is_some() && j.cluster_id.as_deref() == cluster_id)
            .map(|j| PublishedJudgement {
                id: j.entity_id.clone(),
                value: j.judgement.clone(),
                period: j.period.to_string(),
                round: j.round.clone(),
                revision: j.revision,
                published_at: j.published_at.and_utc(),
            })
    };
    let facts = data.by_objective(period);
    let tree = ObjectiveTree::new(&data.objectives);
    let group = |cluster_id: Option<&str>| -> ClusterReport {
        let members: Vec<&ObjectiveLine> = data
            .objectives
            .iter()
            .filter(|o| o.cluster_id.as_deref() == cluster_id)
            .collect();
        let ids: Vec<&str> = members.iter().map(|o| o.id.as_str()).collect();
        ClusterReport {
            cluster_id: cluster_id.map(str::to_owned),
            name: cluster_id.and_then(|id| names.get(id).cloned()),
            figures: facts.figures(&ids),
            assessment: judged(&assessments, cluster_id),
            evaluation: judged(&ratings, cluster_id),
            objectives: members
                .iter()
                .map(|o| ObjectiveReport {
                    objective_id: o.id.clone(),
                    code: o.code.clone(),
                    title: o.title.clone(),
                    figures: facts.figures(&tree.subtree(&o.id)),
                })
                .collect(),
        }
    };
    let mut cluster_reports: Vec<ClusterReport> = plan
        .cluster_ids
        .iter()
        .filter(|id| scope.cluster_id.as_ref().is_none_or(|only| only == *id))
        .map(|id| group(Some(id)))
        .collect();
    if data.objectives.iter().any(|o| o.cluster_id.is_none()) {
        cluster_reports.push(group(None));
    }
    let all: Vec<&str> = data.objectives.iter().map(|o| o.id.as_str()).collect();
    Ok(ProgressReport {
        plan_id: plan.id.clone(),
        as_of: as_of.and_utc(),
        period: period.to_string(),
        method: METHOD,
        totals: facts.figures(&all),
        clusters: cluster_reports,
    })
}

/// The objectives of a report as a tree, so that an objective's row counts what hangs under it.
#[derive(Debug)]
struct ObjectiveTree<'a> {
    children: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> ObjectiveTree<'a> {
    fn new(objectives: &'a [ObjectiveLine]) -> Self {
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for objective in objectives {
            if let Some(parent) = &objective.parent_id {
                children
                    .entry(parent.as_str())
                    .or_default()
                    .push(objective.id.as_str());
            }
        }
        ObjectiveTree { children }
    }

    /// `id` and every objective under it (in the report's scope), each once.
    fn subtree(&self, id: &'a str) -> Vec<&'a str> {
        let mut ids = vec![id];
        let mut next = 0;
        while let Some(current) = ids.get(next).copied() {
            next += 1;
            for child in self.children.get(current).into_iter().flatten() {
                if !ids.contains(child) {
                    ids.push(child);
                }
            }
        }
        ids
    }
}
