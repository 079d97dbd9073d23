//! Inline SVG charts for the printable pages: no script, no external resource. Every text is
//! escaped; values arrive already formatted for the page's language.

use std::fmt::Write;

use super::escape;

/// Width of every chart, in SVG units (scaled to the page by `viewBox`).
const WIDTH: f64 = 720.0;
/// Where the bars start, after the row labels.
const BAR_X: f64 = 300.0;
/// Length of a full (100 %) bar.
const BAR_LENGTH: f64 = 340.0;
const ROW: f64 = 22.0;
const BAR_HEIGHT: f64 = 14.0;
const TOP: f64 = 20.0;
/// Longest row label before it is shortened (the whole label stays in the tooltip).
const LABEL_CHARS: usize = 46;

/// One horizontal bar: a label and a value from 0 to 100 (absent: no data).
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    /// The value as the page writes it (`53,33 %`), or the page's "no data".
    pub shown: String,
}

/// One stacked bar: a label and a count per series (same order as the series).
#[derive(Debug, Clone)]
pub struct Stack {
    pub label: String,
    pub counts: Vec<usize>,
}

/// A series of a stacked bar chart: its name and colour.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub colour: &'static str,
}

/// One point of a line chart: its label on the x axis and its value from 0 to 100.
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub shown: String,
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

fn clamp(value: f64) -> f64 {
    if value.is_finite() {
        value.clamp(0.0, 100.0)
    } else {
        0.0
    }
}

fn open(height: f64, title: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{title}" class="chart"><title>{title}</title>"#,
        title = escape(title)
    )
}

/// Vertical grid lines at 0, 25, 50, 75 and 100 % of the bar length, labelled at the top.
fn grid(out: &mut String, bottom: f64) {
    for step in 0..=4 {
        let x = BAR_X + BAR_LENGTH * f64::from(step) / 4.0;
        let _ = write!(
            out,
            r#"<line x1="{x}" y1="{y1}" x2="{x}" y2="{bottom}" class="grid"/><text x="{x}" y="{ty}" class="axis" text-anchor="middle">{v}</text>"#,
            y1 = TOP - 4.0,
            ty = TOP - 8.0,
            v = step * 25
        );
    }
}

fn row_label(out: &mut String, y: f64, label: &str) {
    let _ = write!(
        out,
        r#"<text x="{x}" y="{ty}" class="label" text-anchor="end"><title>{full}</title>{text}</text>"#,
        x = BAR_X - 8.0,
        ty = y + BAR_HEIGHT - 3.0,
        full = escape(label),
        text = escape(&short(label))
    );
}

/// Horizontal bars of a value from 0 to 100 each (progress per cluster).
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let height = TOP + ROW * bars.len() as f64 + 6.0;
    let mut out = open(height, title);
    grid(&mut out, height - 4.0);
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + ROW * i as f64 + 4.0;
        row_label(&mut out, y, &bar.label);
        let length = bar.value.map_or(0.0, |v| BAR_LENGTH * clamp(v) / 100.0);
        if bar.value.is_some() {
            let _ = write!(
                out,
                r#"<rect x="{BAR_X}" y="{y}" width="{length:.2}" height="{BAR_HEIGHT}" class="bar"><title>{label}: {shown}</title></rect>"#,
                label = escape(&bar.label),
                shown = escape(&bar.shown)
            );
        }
        let _ = write!(
            out,
            r#"<text x="{x:.2}" y="{ty}" class="{class}">{shown}</text>"#,
            x = BAR_X + length + 6.0,
            ty = y + BAR_HEIGHT - 3.0,
            class = if bar.value.is_some() {
                "value"
            } else {
                "value none"
            },
            shown = escape(&bar.shown)
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars split into coloured segments by series (actions by status per cluster), each
/// bar as long as the row's total, so rows compare by share; the total is written after it.
pub fn stacked_bars(title: &str, series: &[Series], rows: &[Stack]) -> String {
    let height = TOP + ROW * rows.len() as f64 + 6.0;
    let mut out = open(height, title);
    grid(&mut out, height - 4.0);
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64 + 4.0;
        row_label(&mut out, y, &row.label);
        let total: usize = row.counts.iter().sum();
        let mut x = BAR_X;
        if total > 0 {
            for (count, serie) in row.counts.iter().zip(series) {
                if *count == 0 {
                    continue;
                }
                let width = BAR_LENGTH * *count as f64 / total as f64;
                let _ = write!(
                    out,
                    r#"<rect x="{x:.2}" y="{y}" width="{width:.2}" height="{BAR_HEIGHT}" fill="{colour}"><title>{label}: {name} {count}</title></rect>"#,
                    colour = serie.colour,
                    label = escape(&row.label),
                    name = escape(&serie.name),
                );
                x += width;
            }
        }
        let _ = write!(
            out,
            r#"<text x="{tx:.2}" y="{ty}" class="value">{total}</text>"#,
            tx = x + 6.0,
            ty = y + BAR_HEIGHT - 3.0,
        );
    }
    out.push_str("</svg>");
    out
}

/// A line of values from 0 to 100 over labelled points (total progress per period); a point
/// without a value breaks the line.
pub fn line(title: &str, points: &[Point]) -> String {
    const HEIGHT: f64 = 260.0;
    const LEFT: f64 = 48.0;
    const RIGHT: f64 = 24.0;
    const PLOT_TOP: f64 = 24.0;
    const BOTTOM: f64 = 40.0;
    let plot_height = HEIGHT - PLOT_TOP - BOTTOM;
    let plot_width = WIDTH - LEFT - RIGHT;
    let y_of = |v: f64| PLOT_TOP + plot_height * (1.0 - clamp(v) / 100.0);
    let step = if points.len() > 1 {
        plot_width / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if points.len() > 1 {
            LEFT + step * i as f64
        } else {
            LEFT + plot_width / 2.0
        }
    };
    let mut out = open(HEIGHT, title);
    for tick in 0..=4 {
        let value = f64::from(tick) * 25.0;
        let y = y_of(value);
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" y1="{y:.2}" x2="{x2}" y2="{y:.2}" class="grid"/><text x="{tx}" y="{ty:.2}" class="axis" text-anchor="end">{value}</text>"#,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0,
        );
    }
    let mut segment: Vec<String> = Vec::new();
    let mut segments: Vec<Vec<String>> = Vec::new();
    for (i, point) in points.iter().enumerate() {
        match point.value {
            Some(v) => segment.push(format!("{:.2},{:.2}", x_of(i), y_of(v))),
            None => segments.push(std::mem::take(&mut segment)),
        }
    }
    segments.push(segment);
    for segment in segments.iter().filter(|s| s.len() > 1) {
        let _ = write!(
            out,
            r#"<polyline points="{}" class="line"/>"#,
            segment.join(" ")
        );
    }
    for (i, point) in points.iter().enumerate() {
        let x = x_of(i);
        let _ = write!(
            out,
            r#"<text x="{x:.2}" y="{ty}" class="axis" text-anchor="middle">{label}</text>"#,
            ty = HEIGHT - BOTTOM + 18.0,
            label = escape(&point.label)
        );
        if let Some(v) = point.value {
            let y = y_of(v);
            let _ = write!(
                out,
                r#"<circle cx="{x:.2}" cy="{y:.2}" r="4" class="dot"><title>{label}: {shown}</title></circle><text x="{x:.2}" y="{ty:.2}" class="value" text-anchor="middle">{shown}</text>"#,
                ty = y - 9.0,
                label = escape(&point.label),
                shown = escape(&point.shown)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_labels_and_survives_odd_values() {
        let svg = bars(
            "<title>",
            &[
                Bar {
                    label: "<script>alert(1)</script>".into(),
                    value: Some(250.0),
                    shown: "250".into(),
                },
                Bar {
                    label: "x".repeat(80),
                    value: None,
                    shown: "—".into(),
                },
            ],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(r#"width="340.00""#), "clamped to 100");
        let empty = line("t", &[]);
        assert!(empty.ends_with("</svg>"));
        let single = line(
            "t",
            &[Point {
                label: "2017S2".into(),
                value: f64::NAN.into(),
                shown: "?".into(),
            }],
        );
        assert!(!single.contains("NaN"));
    }
}
