//! Reports as Excel workbooks: numbers as numbers, progress and rates as numbers with a number
//! format, moments as Excel date-times; a bold, frozen header row and columns wide enough for
//! their contents.

use kiv_domain::report::ProgressReport;
use kiv_domain::Language;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::cell::Cell;
use super::table::{self, figure_cells, figure_columns, Table};
use crate::problem::ApiError;

/// Narrowest and widest column, in characters.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

struct Formats {
    header: Format,
    progress: Format,
    rate: Format,
    datetime: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            progress: Format::new().set_num_format("0.00"),
            rate: Format::new().set_num_format("0%"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }
}

/// How many characters a cell takes on screen, roughly.
fn cell_width(cell: &Cell) -> usize {
    match cell {
        Cell::Text(t) => t.chars().count(),
        Cell::Count(n) => n.to_string().len(),
        Cell::Number(n) => n.to_string().len(),
        Cell::Progress(_) => 6,
        Cell::Rate(_) => 5,
        Cell::DateTime(_) => 19,
        Cell::Bool(_) => 5,
        Cell::Empty => 0,
    }
}

/// Adds a sheet holding `table`, with its columns as the header row.
fn add_sheet(
    workbook: &mut Workbook,
    formats: &Formats,
    name: &str,
    table: &Table,
) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.chars().count()).collect();
    for (col, column) in (0u16..).zip(&table.columns) {
        sheet.write_string_with_format(0, col, column, &formats.header)?;
    }
    for (row, cells) in (1u32..).zip(&table.rows) {
        for ((col, cell), width) in (0u16..).zip(cells).zip(widths.iter_mut()) {
            *width = (*width).max(cell_width(cell));
            match cell {
                // Always as a string: a text starting with `=` stays text, never a formula
                // (no type-guessing `write`, no `write_formula`).
                Cell::Text(t) => {
                    sheet.write_string(row, col, t)?;
                }
                Cell::Count(n) => {
                    sheet.write_number(row, col, *n as f64)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(row, col, *n)?;
                }
                Cell::Progress(p) => {
                    sheet.write_number_with_format(row, col, *p, &formats.progress)?;
                }
                Cell::Rate(r) => {
                    sheet.write_number_with_format(row, col, *r, &formats.rate)?;
                }
                Cell::DateTime(t) => {
                    sheet.write_datetime_with_format(row, col, t.naive_utc(), &formats.datetime)?;
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(row, col, *b)?;
                }
                Cell::Empty => {}
            }
        }
    }
    for (col, width) in (0u16..).zip(&widths) {
        let width = (*width).clamp(MIN_WIDTH, MAX_WIDTH) as f64 + 2.0;
        sheet.set_column_width(col, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn finish(mut workbook: Workbook) -> Result<Vec<u8>, ApiError> {
    workbook
        .save_to_buffer()
        .map_err(|e| ApiError::Internal(format!("cannot write the workbook: {e}")))
}

fn failed(e: XlsxError) -> ApiError {
    ApiError::Internal(format!("cannot write the workbook: {e}"))
}

/// A workbook of one sheet.
pub fn single(name: &str, table: &Table) -> Result<Vec<u8>, ApiError> {
    let mut workbook = Workbook::new();
    add_sheet(&mut workbook, &Formats::new(), name, table).map_err(failed)?;
    finish(workbook)
}

/// The progress report as a workbook of four sheets: `summary` (plan, period, asOf, method and
/// the totals, one per row), `clusters` (one row per cluster), `objectives` (one row per
/// objective) and `indicators` (indicators on track, off track and without data per cluster and
/// objective).
pub fn progress(report: &ProgressReport, language: Language) -> Result<Vec<u8>, ApiError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();

    let mut summary = Table {
        columns: vec!["field".into(), "value".into()],
        rows: vec![
            vec![Cell::text("planId"), Cell::text(&report.plan_id)],
            vec![Cell::text("period"), Cell::text(&report.period)],
            vec![Cell::text("asOf"), Cell::DateTime(report.as_of)],
            vec![Cell::text("method"), Cell::text(report.method)],
        ],
    };
    for (column, cell) in figure_columns()
        .into_iter()
        .zip(figure_cells(&report.totals))
    {
        if column != "method" {
            summary.rows.push(vec![Cell::Text(column), cell]);
        }
    }

    let name_of = |cluster: &kiv_domain::report::ClusterReport| {
        cluster
            .name
            .as_ref()
            .map(|n| table::text(n, language))
            .unwrap_or_default()
    };
    let mut clusters = Table {
        columns: ["clusterId", "name"]
            .into_iter()
            .map(str::to_owned)
            .chain(figure_columns())
            .chain(["assessment".to_owned(), "evaluationRating".to_owned()])
            .collect(),
        rows: Vec::new(),
    };
    let mut objectives = Table {
        columns: ["clusterId", "objectiveId", "code", "title"]
            .into_iter()
            .map(str::to_owned)
            .chain(figure_columns())
            .collect(),
        rows: Vec::new(),
    };
    let mut indicators = Table {
        columns: [
            "level",
            "clusterId",
            "objectiveId",
            "code",
            "name",
            "indicatorsOnTrack",
            "indicatorsOffTrack",
            "indicatorsNoData",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
        rows: Vec::new(),
    };
    let counts = |f: &kiv_domain::rollup::Figures| {
        [
            Cell::Count(f.indicators.on_track),
            Cell::Count(f.indicators.off_track),
            Cell::Count(f.indicators.no_data),
        ]
    };
    for cluster in &report.clusters {
        let cluster_id = Cell::text(cluster.cluster_id.as_deref().unwrap_or_default());
        let mut row = vec![cluster_id.clone(), Cell::Text(name_of(cluster))];
        row.extend(figure_cells(&cluster.figures));
        for judgement in [&cluster.assessment, &cluster.evaluation] {
            row.push(
                judgement
                    .as_ref()
                    .map_or(Cell::Empty, |j| Cell::text(j.value.as_str())),
            );
        }
        clusters.rows.push(row);
        let mut row = vec![
            Cell::text("cluster"),
            cluster_id.clone(),
            Cell::Empty,
            Cell::Empty,
            Cell::Text(name_of(cluster)),
        ];
        row.extend(counts(&cluster.figures));
        indicators.rows.push(row);
        for objective in &cluster.objectives {
            let title = table::text(&objective.title, language);
            let mut row = vec![
                cluster_id.clone(),
                Cell::text(&objective.objective_id),
                Cell::text(&objective.code),
                Cell::text(&title),
            ];
            row.extend(figure_cells(&objective.figures));
            objectives.rows.push(row);
            let mut row = vec![
                Cell::text("objective"),
                cluster_id.clone(),
                Cell::text(&objective.objective_id),
                Cell::text(&objective.code),
                Cell::Text(title),
            ];
            row.extend(counts(&objective.figures));
            indicators.rows.push(row);
        }
    }
    let mut row = vec![
        Cell::text("total"),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::text(&report.plan_id),
    ];
    row.extend(counts(&report.totals));
    indicators.rows.insert(0, row);

    for (name, table) in [
        ("summary", &summary),
        ("clusters", &clusters),
        ("objectives", &objectives),
        ("indicators", &indicators),
    ] {
        add_sheet(&mut workbook, &formats, name, table).map_err(failed)?;
    }
    finish(workbook)
}
