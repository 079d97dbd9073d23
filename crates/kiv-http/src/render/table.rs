//! Reports as tables of typed cells: one definition of the columns, written out as CSV text,
//! as Excel cells (numbers as numbers, dates as dates) and as HTML tables.

use kiv_domain::report::{ProgressReport, PublishedJudgement};
use kiv_domain::rollup::{Figures, METHOD};
use kiv_domain::{ActionStatus, Language, LocalizedText};

pub use super::cell::Cell;
use crate::problem::ApiError;
use kiv_domain::report::{ComplianceReport, IndicatorReport, TrendReport};

/// A header row (column names, as in CSV) and rows of cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    fn new(columns: impl IntoIterator<Item = impl Into<String>>) -> Table {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// The table as CSV text with a header row.
    pub fn csv(&self) -> Result<String, ApiError> {
        let header: Vec<Cell> = self.columns.iter().map(Cell::text).collect();
        super::csv::write(
            std::iter::once(header.as_slice()).chain(self.rows.iter().map(Vec::as_slice)),
        )
    }
}

/// A localized text in `language`, falling back to any language it has.
pub fn text(t: &LocalizedText, language: Language) -> String {
    t.resolve(language)
        .map(|(_, s)| s.to_owned())
        .unwrap_or_default()
}

/// The columns of [`figure_cells`], after the status counts.
const FIGURE_COLUMNS: [&str; 9] = [
    "progress",
    "method",
    "leftOutCancelled",
    "leftOutNoProgress",
    "reportingRate",
    "overdue",
    "indicatorsOnTrack",
    "indicatorsOffTrack",
    "indicatorsNoData",
];

/// `actions`, the count per status, then [`FIGURE_COLUMNS`].
pub fn figure_columns() -> Vec<String> {
    std::iter::once("actions")
        .chain(ActionStatus::NAMES.iter().copied())
        .chain(FIGURE_COLUMNS)
        .map(str::to_owned)
        .collect()
}

/// The cells of [`figure_columns`].
pub fn figure_cells(f: &Figures) -> Vec<Cell> {
    let mut cells = vec![Cell::Count(f.actions)];
    cells.extend(
        ActionStatus::NAMES
            .iter()
            .map(|s| Cell::Count(f.by_status.get(*s).copied().unwrap_or(0))),
    );
    cells.extend([
        Cell::progress(f.progress),
        Cell::text(METHOD),
        Cell::Count(f.left_out.cancelled),
        Cell::Count(f.left_out.no_progress),
        Cell::rate(f.reporting_rate),
        Cell::Count(f.overdue),
        Cell::Count(f.indicators.on_track),
        Cell::Count(f.indicators.off_track),
        Cell::Count(f.indicators.no_data),
    ]);
    cells
}

/// A progress report as flat rows: the totals, then each cluster followed by its objectives.
pub fn progress(report: &ProgressReport, language: Language) -> Table {
    let mut table = Table::new(
        ["level", "clusterId", "objectiveId", "code", "name"]
            .into_iter()
            .map(str::to_owned)
            .chain(figure_columns())
            .chain(["assessment".to_owned(), "evaluationRating".to_owned()]),
    );
    let judged = |j: Option<&PublishedJudgement>| Cell::text(j.map_or("", |j| j.value.as_str()));
    let row = |level: &str,
               cluster: Option<&str>,
               objective: Option<&str>,
               code: &str,
               name: String,
               f: &Figures| {
        let mut cells = vec![
            Cell::text(level),
            Cell::text(cluster.unwrap_or_default()),
            Cell::text(objective.unwrap_or_default()),
            Cell::text(code),
            Cell::Text(name),
        ];
        cells.extend(figure_cells(f));
        cells
    };
    let mut total = row(
        "total",
        None,
        None,
        "",
        report.plan_id.clone(),
        &report.totals,
    );
    total.extend([judged(None), judged(None)]);
    table.rows.push(total);
    for cluster in &report.clusters {
        let name = cluster
            .name
            .as_ref()
            .map(|n| text(n, language))
            .unwrap_or_default();
        let mut cells = row(
            "cluster",
            cluster.cluster_id.as_deref(),
            None,
            "",
            name,
            &cluster.figures,
        );
        cells.extend([
            judged(cluster.assessment.as_ref()),
            judged(cluster.evaluation.as_ref()),
        ]);
        table.rows.push(cells);
        for objective in &cluster.objectives {
            let mut cells = row(
                "objective",
                cluster.cluster_id.as_deref(),
                Some(&objective.objective_id),
                &objective.code,
                text(&objective.title, language),
                &objective.figures,
            );
            cells.extend([judged(None), judged(None)]);
            table.rows.push(cells);
        }
    }
    table
}

/// A trend: one row per reporting period.
pub fn trend(report: &TrendReport) -> Table {
    let mut table = Table::new(
        ["period", "asOf"]
            .into_iter()
            .map(str::to_owned)
            .chain(figure_columns()),
    );
    for point in &report.points {
        let mut cells = vec![Cell::text(&point.period), Cell::DateTime(point.as_of)];
        cells.extend(figure_cells(&point.figures));
        table.rows.push(cells);
    }
    table
}

/// Compliance: one row per organisation, worst first.
pub fn compliance(report: &ComplianceReport, language: Language) -> Table {
    let mut table = Table::new([
        "organisationId",
        "name",
        "due",
        "submitted",
        "approved",
        "missing",
        "rate",
    ]);
    for o in &report.organisations {
        table.rows.push(vec![
            Cell::text(&o.organisation_id),
            Cell::Text(
                o.name
                    .as_ref()
                    .map(|n| text(n, language))
                    .unwrap_or_default(),
            ),
            Cell::Count(o.due),
            Cell::Count(o.submitted),
            Cell::Count(o.approved),
            Cell::Count(o.missing),
            Cell::Rate(o.rate),
        ]);
    }
    table
}

/// Indicators: one row per indicator and period with an approved value; an indicator without
/// any value has one row with the period empty, so that every indicator is listed.
pub fn indicators(report: &IndicatorReport, language: Language) -> Table {
    let mut table = Table::new([
        "indicatorId",
        "clusterId",
        "objectiveId",
        "actionId",
        "name",
        "unit",
        "measure",
        "direction",
        "baseline",
        "baselineYear",
        "period",
        "value",
        "target",
        "onTrack",
    ]);
    for line in &report.indicators {
        let fixed = vec![
            Cell::text(&line.indicator_id),
            Cell::text(line.cluster_id.as_deref().unwrap_or_default()),
            Cell::text(line.objective_id.as_deref().unwrap_or_default()),
            Cell::text(line.action_id.as_deref().unwrap_or_default()),
            Cell::Text(text(&line.name, language)),
            Cell::text(line.unit.as_deref().unwrap_or_default()),
            Cell::text(line.measure.as_str()),
            Cell::text(line.direction.as_str()),
            Cell::value(line.baseline.as_ref().map(|b| &b.value)),
            line.baseline
                .as_ref()
                .map_or(Cell::Empty, |b| Cell::Number(f64::from(b.year))),
        ];
        if line.values.is_empty() {
            let mut cells = fixed.clone();
            cells.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
            table.rows.push(cells);
        }
        for value in &line.values {
            let mut cells = fixed.clone();
            cells.extend([
                Cell::text(&value.period),
                Cell::value(Some(&value.value)),
                Cell::value(value.target.as_ref()),
                value.on_track.map_or(Cell::Empty, Cell::Bool),
            ]);
            table.rows.push(cells);
        }
    }
    table
}
