//! Printable, self-contained HTML pages of the reports: inline CSS and inline SVG only, no
//! script and nothing loaded from elsewhere (fonts, images, styles), so a page saved to disk or
//! printed to PDF looks the same as in the browser. Every text from data is escaped.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use kiv_domain::report::{ClusterReport, ProgressReport, PublishedJudgement};
use kiv_domain::rollup::Figures;
use kiv_domain::{ActionStatus, Language};

use super::cell::Cell;
use super::escape;
use super::labels::{labels, Labels};
use super::svg::{self, Bar, Point, Series, Stack};
use super::table::{self, Table};
use kiv_domain::report::{ComplianceReport, IndicatorReport, TrendPoint, TrendReport};

const STYLE: &str = r#"
:root { color-scheme: light; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Liberation Sans", "Helvetica Neue", Arial, sans-serif; margin: 0; color: #1a1a1a; font-size: 14px; line-height: 1.35; background: #fff; }
main { max-width: 190mm; margin: 0 auto; padding: 16px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 16px; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 1px solid #c8ccd2; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 8px; }
dl.meta dt { color: #555; }
dl.meta dd { margin: 0; font-weight: 600; }
p.note { color: #555; font-size: 12px; margin: 4px 0 0; }
dl.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px 10px; margin: 0; }
dl.figures div { border: 1px solid #dde1e6; border-radius: 4px; padding: 5px 8px; }
dl.figures dt { color: #555; font-size: 11px; }
dl.figures dd { margin: 0; font-size: 17px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { padding: 3px 6px; border-bottom: 1px solid #e1e4e8; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
th.num { font-weight: 600; hyphens: auto; }
td.name { width: 38%; }
tr.group td { font-weight: 600; background: #f6f8fa; }
tr.member td:first-child { padding-left: 20px; }
.chart { display: block; max-width: 100%; height: auto; }
.chart text { font-size: 11px; fill: #333; }
.chart .axis { fill: #777; font-size: 10px; }
.chart .none { fill: #999; font-style: italic; }
.chart .grid { stroke: #e3e6ea; stroke-width: 1; }
.chart .bar { fill: #1f5fa8; }
.chart .line { fill: none; stroke: #1f5fa8; stroke-width: 2; }
.chart .dot { fill: #1f5fa8; }
ul.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; }
ul.legend svg { vertical-align: -1px; margin-right: 5px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  section { break-inside: avoid; }
  section.tables { break-inside: auto; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"#;

/// Colours of the action statuses, in the order of [`ActionStatus::NAMES`].
const STATUS_COLOURS: [(&str, &str); 6] = [
    ("notStarted", "#9aa5b1"),
    ("onTrack", "#2e7d32"),
    ("delayed", "#ef6c00"),
    ("completed", "#1565c0"),
    ("cancelled", "#5d4037"),
    ("notReported", "#d5dae0"),
];

/// The colour of a status the palette does not know (one added later).
const OTHER_COLOUR: &str = "#8e24aa";

/// A decimal number the way the language writes it: `53,33` (nl, fr, de), `53.33` (en); at most
/// two decimals, no trailing zeros.
fn decimal(value: f64, language: Language) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match language {
        Language::En => text.to_owned(),
        _ => text.replace('.', ","),
    }
}

fn percent(value: f64, language: Language) -> String {
    match language {
        Language::En => format!("{}%", decimal(value, language)),
        _ => format!("{}\u{a0}%", decimal(value, language)),
    }
}

fn progress(value: Option<f64>, language: Language) -> String {
    value.map_or_else(
        || labels(language).no_data.to_owned(),
        |v| percent(v, language),
    )
}

fn rate(value: Option<f64>, language: Language) -> String {
    value.map_or_else(
        || labels(language).no_data.to_owned(),
        |v| percent(v * 100.0, language),
    )
}

fn moment(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A cell as the page shows it, and whether it is a number (right-aligned).
fn cell(cell: &Cell, language: Language) -> (String, bool) {
    let l = labels(language);
    match cell {
        Cell::Text(t) => (escape(t), false),
        Cell::Count(n) => (n.to_string(), true),
        Cell::Number(n) => (decimal(*n, language), true),
        Cell::Progress(p) => (percent(*p, language), true),
        Cell::Rate(r) => (percent(r * 100.0, language), true),
        Cell::DateTime(t) => (moment(t), false),
        Cell::Bool(true) => (l.yes.to_owned(), false),
        Cell::Bool(false) => (l.no.to_owned(), false),
        Cell::Empty => (String::new(), false),
    }
}

/// A table of cells with its column headings in the page's language; `skip` names columns left
/// out of the page (identifiers nobody reads on paper).
fn table_html(table: &Table, language: Language, skip: &[&str]) -> String {
    let l = labels(language);
    let keep: Vec<bool> = table
        .columns
        .iter()
        .map(|c| !skip.contains(&c.as_str()))
        .collect();
    let numeric: Vec<bool> = (0..table.columns.len())
        .map(|i| {
            table.rows.iter().any(|r| {
                r.get(i)
                    .is_some_and(|c| cell(c, language).1 && !matches!(c, Cell::Empty))
            })
        })
        .collect();
    let mut out = String::from("<table><thead><tr>");
    for (i, column) in table.columns.iter().enumerate() {
        if keep.get(i) == Some(&true) {
            let class = if numeric.get(i) == Some(&true) {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(out, "<th{class}>{}</th>", escape(l.column(column)));
        }
    }
    out.push_str("</tr></thead><tbody>");
    for row in &table.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            if keep.get(i) == Some(&true) {
                let (text, number) = cell(c, language);
                let class = if number { " class=\"num\"" } else { "" };
                let _ = write!(out, "<td{class}>{text}</td>");
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The page around `body`: head, inline style, title and the report's particulars.
fn document(language: Language, title: &str, meta: &[(&str, String)], body: &str) -> String {
    let mut out = format!(
        r#"<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{policy}"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><style>{STYLE}</style></head><body><main><header><h1>{title}</h1><dl class="meta">"#,
        lang = language.as_str(),
        title = escape(title),
        policy = super::SAVED_PAGE_POLICY,
    );
    for (label, value) in meta {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(label), escape(value));
    }
    out.push_str("</dl></header>");
    out.push_str(body);
    out.push_str("</main></body></html>\n");
    out
}

/// A cluster's name on the page: `3. Drugs`, or the group of transversal objectives.
fn cluster_label(cluster: &ClusterReport, l: &Labels, language: Language) -> String {
    match (&cluster.cluster_id, &cluster.name) {
        (Some(id), Some(name)) => format!("{id}. {}", table::text(name, language)),
        (Some(id), None) => format!("{} {id}", l.cluster),
        (None, _) => l.transversal.to_owned(),
    }
}

/// The statuses to chart: the known ones in their order, then any other the figures carry.
fn statuses(totals: &Figures) -> Vec<(String, &'static str)> {
    let mut all: Vec<(String, &'static str)> = STATUS_COLOURS
        .iter()
        .filter(|(name, _)| ActionStatus::NAMES.contains(name))
        .map(|(name, colour)| ((*name).to_owned(), *colour))
        .collect();
    for name in ActionStatus::NAMES
        .iter()
        .copied()
        .chain(totals.by_status.keys().map(String::as_str))
    {
        if !all.iter().any(|(known, _)| known == name) {
            all.push((name.to_owned(), OTHER_COLOUR));
        }
    }
    all
}

fn trend_line(title: &str, points: &[TrendPoint], language: Language) -> String {
    let points: Vec<Point> = points
        .iter()
        .map(|p| Point {
            label: p.period.clone(),
            value: p.figures.progress,
            shown: p
                .figures
                .progress
                .map(|v| decimal(v, language))
                .unwrap_or_default(),
        })
        .collect();
    svg::line(title, &points)
}

/// The printable progress report: particulars, totals, progress per cluster, actions by status
/// per cluster, total progress over the reporting periods up to the report's (`trend`), and the
/// clusters with their objectives.
pub fn progress_page(report: &ProgressReport, trend: &[TrendPoint], language: Language) -> String {
    let l = labels(language);
    let totals = &report.totals;
    let mut body = String::new();

    body.push_str("<section><h2>");
    body.push_str(&escape(l.totals));
    body.push_str("</h2><dl class=\"figures\">");
    let mut figure = |label: &str, value: String| {
        let _ = write!(
            body,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            escape(label),
            escape(&value)
        );
    };
    figure(l.column("actions"), totals.actions.to_string());
    figure(l.column("progress"), progress(totals.progress, language));
    figure(
        l.column("reportingRate"),
        rate(totals.reporting_rate, language),
    );
    figure(l.column("overdue"), totals.overdue.to_string());
    let all_statuses = statuses(totals);
    for (status, _) in &all_statuses {
        figure(
            l.status(status),
            totals
                .by_status
                .get(status)
                .copied()
                .unwrap_or(0)
                .to_string(),
        );
    }
    figure(
        l.column("leftOutCancelled"),
        totals.left_out.cancelled.to_string(),
    );
    figure(
        l.column("leftOutNoProgress"),
        totals.left_out.no_progress.to_string(),
    );
    figure(
        l.column("indicatorsOnTrack"),
        totals.indicators.on_track.to_string(),
    );
    figure(
        l.column("indicatorsOffTrack"),
        totals.indicators.off_track.to_string(),
    );
    figure(
        l.column("indicatorsNoData"),
        totals.indicators.no_data.to_string(),
    );
    body.push_str("</dl>");
    let _ = write!(
        body,
        "<p class=\"note\">{}</p></section>",
        escape(l.method_note)
    );

    let bars: Vec<Bar> = report
        .clusters
        .iter()
        .map(|c| Bar {
            label: cluster_label(c, l, language),
            value: c.figures.progress,
            shown: progress(c.figures.progress, language),
        })
        .collect();
    let _ = write!(
        body,
        "<section><h2>{title}</h2>{chart}</section>",
        title = escape(l.progress_per_cluster),
        chart = svg::bars(l.progress_per_cluster, &bars)
    );

    let series: Vec<Series> = all_statuses
        .iter()
        .map(|(status, colour)| Series {
            name: l.status(status).to_owned(),
            colour,
        })
        .collect();
    let stacks: Vec<Stack> = report
        .clusters
        .iter()
        .map(|c| Stack {
            label: cluster_label(c, l, language),
            counts: all_statuses
                .iter()
                .map(|(status, _)| c.figures.by_status.get(status).copied().unwrap_or(0))
                .collect(),
        })
        .collect();
    let _ = write!(
        body,
        "<section><h2>{title}</h2>{chart}<ul class=\"legend\">",
        title = escape(l.status_per_cluster),
        chart = svg::stacked_bars(l.status_per_cluster, &series, &stacks)
    );
    for serie in &series {
        let _ = write!(
            body,
            r#"<li><svg xmlns="http://www.w3.org/2000/svg" width="11" height="11" aria-hidden="true"><rect width="11" height="11" fill="{}"/></svg>{}</li>"#,
            serie.colour,
            escape(&serie.name)
        );
    }
    body.push_str("</ul></section>");

    let _ = write!(
        body,
        "<section><h2>{title}</h2>{chart}</section>",
        title = escape(l.progress_over_time),
        chart = trend_line(l.progress_over_time, trend, language)
    );

    let _ = write!(
        body,
        "<section class=\"tables\"><h2>{}</h2><table><thead><tr><th>{}</th>",
        escape(l.clusters),
        escape(l.column("name"))
    );
    let columns = [
        "actions",
        "progress",
        "reportingRate",
        "overdue",
        "indicatorsOnTrack",
        "indicatorsOffTrack",
        "indicatorsNoData",
    ];
    for column in columns {
        let _ = write!(body, "<th class=\"num\">{}</th>", escape(l.column(column)));
    }
    let _ = write!(
        body,
        "<th>{} / {}</th>",
        escape(l.column("assessment")),
        escape(l.column("evaluation"))
    );
    body.push_str("</tr></thead><tbody>");
    // In the table an absent figure is a dash; the note under the totals says why.
    let dash = |text: Option<String>| text.unwrap_or_else(|| "–".to_owned());
    // The FODs' latest published judgements of a cluster, in words.
    let judged = |kind: &str, judgement: Option<&PublishedJudgement>| {
        judgement
            .map(|j| {
                let key = format!("{kind}.{}", j.value);
                format!("{} ({})", l.column(&key), j.period)
            })
            .unwrap_or_default()
    };
    let row = |body: &mut String, class: &str, name: &str, f: &Figures, judgements: [String; 2]| {
        let [assessment, evaluation] = judgements;
        let _ = write!(
            body,
            "<tr class=\"{class}\"><td class=\"name\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(name),
            f.actions,
            escape(&dash(f.progress.map(|p| percent(p, language)))),
            escape(&dash(f.reporting_rate.map(|r| percent(r * 100.0, language)))),
            f.overdue,
            f.indicators.on_track,
            f.indicators.off_track,
            f.indicators.no_data,
            [assessment, evaluation]
                .iter()
                .filter(|j| !j.is_empty())
                .map(|j| escape(j))
                .collect::<Vec<_>>()
                .join("<br>"),
        );
    };
    for cluster in &report.clusters {
        row(
            &mut body,
            "group",
            &cluster_label(cluster, l, language),
            &cluster.figures,
            [
                judged("assessment", cluster.assessment.as_ref()),
                judged("rating", cluster.evaluation.as_ref()),
            ],
        );
        for objective in &cluster.objectives {
            let title = table::text(&objective.title, language);
            let name = if objective.code.is_empty() {
                title
            } else {
                format!("{} {title}", objective.code)
            };
            row(
                &mut body,
                "member",
                &name,
                &objective.figures,
                Default::default(),
            );
        }
    }
    row(&mut body, "group", l.totals, totals, Default::default());
    body.push_str("</tbody></table></section>");

    document(
        language,
        l.progress_title,
        &[
            (l.plan, report.plan_id.clone()),
            (l.period, report.period.clone()),
            (l.as_of, moment(&report.as_of)),
            (l.method, report.method.to_owned()),
        ],
        &body,
    )
}

/// The trend as a page: the line of total progress and the figures per period.
pub fn trend_page(report: &TrendReport, language: Language) -> String {
    let l = labels(language);
    let mut meta = vec![(l.plan, report.plan_id.clone())];
    if let Some(cluster) = &report.cluster_id {
        meta.push((l.cluster, cluster.clone()));
    }
    meta.push((l.method, report.method.to_owned()));
    let body = format!(
        "<section><h2>{title}</h2>{chart}</section><section class=\"tables\">{table}</section>",
        title = escape(l.progress_over_time),
        chart = trend_line(l.progress_over_time, &report.points, language),
        table = table_html(&table::trend(report), language, &["method"]),
    );
    document(language, l.trend_title, &meta, &body)
}

/// Compliance as a page: one row per organisation, worst first.
pub fn compliance_page(report: &ComplianceReport, language: Language) -> String {
    let l = labels(language);
    let body = format!(
        "<section class=\"tables\">{}</section>",
        table_html(&table::compliance(report, language), language, &[])
    );
    document(
        language,
        l.compliance_title,
        &[
            (l.plan, report.plan_id.clone()),
            (l.period, report.period.clone()),
        ],
        &body,
    )
}

/// Indicators as a page: one row per indicator and period with a value.
pub fn indicators_page(report: &IndicatorReport, language: Language) -> String {
    let l = labels(language);
    let mut meta = vec![(l.plan, report.plan_id.clone())];
    if let Some(cluster) = &report.cluster_id {
        meta.push((l.cluster, cluster.clone()));
    }
    let body = format!(
        "<section class=\"tables\">{}</section>",
        table_html(
            &table::indicators(report, language),
            language,
            &["indicatorId", "objectiveId", "actionId"]
        )
    );
    document(language, l.indicators_title, &meta, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_numbers_the_way_the_language_does() {
        assert_eq!(decimal(53.33, Language::Fr), "53,33");
        assert_eq!(decimal(40.0, Language::Nl), "40");
        assert_eq!(decimal(0.5, Language::En), "0.5");
        assert_eq!(rate(Some(0.6), Language::En), "60%");
        assert_eq!(rate(None, Language::De), "keine Daten");
    }
}
