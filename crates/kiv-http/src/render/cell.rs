//! One cell of a report table, with what it holds: the lowest piece of the renderers, read by
//! the CSV writer, the report tables, Excel and HTML, and depending on none of them.

use chrono::{DateTime, Utc};
use kiv_domain::planning::IndicatorValue;

/// One cell, with what it holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count of things.
    Count(usize),
    /// A value as measured (an indicator's).
    Number(f64),
    /// Progress, 0-100.
    Progress(f64),
    /// A rate, 0-1.
    Rate(f64),
    DateTime(DateTime<Utc>),
    Bool(bool),
    Empty,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    pub(super) fn progress(value: Option<f64>) -> Cell {
        value.map_or(Cell::Empty, Cell::Progress)
    }

    pub(super) fn rate(value: Option<f64>) -> Cell {
        value.map_or(Cell::Empty, Cell::Rate)
    }

    pub(super) fn value(value: Option<&IndicatorValue>) -> Cell {
        match value {
            Some(IndicatorValue::Number(n)) => Cell::Number(*n),
            Some(IndicatorValue::Text(t)) => Cell::Text(t.clone()),
            None => Cell::Empty,
        }
    }
}
