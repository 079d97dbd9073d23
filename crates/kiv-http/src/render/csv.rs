//! Every CSV file kiv writes, and the one rule that keeps its texts from running as formulas.
//!
//! A spreadsheet opening a CSV file takes a cell that starts with `=`, `+`, `-` or `@` as a
//! formula, and some also after a leading tab or carriage return (OWASP, "CSV Injection"). A
//! reporter's narrative such as `=HYPERLINK("http://…","details")` would run on the coordinator's
//! machine. So every text cell kiv writes to CSV goes through [`neutralise`], which puts a single
//! quote (`'`) in front of such a text; spreadsheets show the text and never evaluate it. Numbers
//! are written as numbers (a progress or an indicator value of `-5` stays `-5`): only text cells
//! are touched, which is why a [`Cell`] says what it holds.
//!
//! The rule is a bijection, so that an export imports back unchanged ([`restore`] undoes it):
//!
//! - a text made of zero or more `'` followed by one of `=`, `+`, `-`, `@`, tab, CR gets one more
//!   `'` in front (`=1+2` → `'=1+2`, and a text that really starts with `'=` → `''=`);
//! - on import, a cell made of one or more `'` followed by one of those characters loses one `'`
//!   (`'=1+2` → `=1+2`, `''=` → `'=`);
//! - every other text is written and read as it is (`'hello` stays `'hello`, and a hand-written
//!   `=1+2` in an imported file is the text `=1+2`).

use std::borrow::Cow;

use chrono::SecondsFormat;

use super::cell::Cell;
use crate::problem::ApiError;

/// What makes a spreadsheet read a cell as a formula (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The text's leading single quotes, and whether a formula start follows them.
fn quoted_formula(text: &str) -> (usize, bool) {
    let rest = text.trim_start_matches('\'');
    let quotes = text.len() - rest.len();
    let formula = rest.starts_with(FORMULA_STARTS);
    (quotes, formula)
}

/// A text as it goes into a CSV cell: with one more leading `'` when, after its leading `'`s, it
/// starts with `=`, `+`, `-`, `@`, tab or CR; unchanged otherwise. See the module documentation.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    match quoted_formula(text) {
        (_, true) => Cow::Owned(format!("'{text}")),
        (_, false) => Cow::Borrowed(text),
    }
}

/// A CSV cell as the text it stands for: [`neutralise`] undone. One leading `'` less when the
/// cell is one or more `'` followed by `=`, `+`, `-`, `@`, tab or CR; unchanged otherwise.
pub fn restore(cell: &str) -> &str {
    match quoted_formula(cell) {
        (quotes, true) if quotes > 0 => cell.get(1..).unwrap_or(cell),
        _ => cell,
    }
}

/// A cell as CSV text: texts neutralised against formulas ([`neutralise`]), numbers as JSON
/// writes them (a negative number stays a number), times as RFC 3339.
pub fn field(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => neutralise(t).into_owned(),
        Cell::Count(n) => n.to_string(),
        Cell::Number(n) | Cell::Progress(n) | Cell::Rate(n) => n.to_string(),
        Cell::DateTime(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        Cell::Bool(b) => b.to_string(),
        Cell::Empty => String::new(),
    }
}

/// Rows of cells as CSV text (RFC 4180, comma-separated): text cells neutralised, numbers,
/// times and the like as [`field`] writes them.
pub fn write<'a>(rows: impl IntoIterator<Item = &'a [Cell]>) -> Result<String, ApiError> {
    let failed = |e: &dyn std::fmt::Display| ApiError::Internal(format!("cannot write CSV: {e}"));
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.iter().map(field))
            .map_err(|e| failed(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_get_a_quote_and_lose_it_again() {
        for (text, written) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1", "'+1"),
            ("-cmd", "'-cmd"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=1", "''=1"),
            ("''-1", "'''-1"),
            ("'hello", "'hello"),
            ("'", "'"),
            ("hello = world", "hello = world"),
            ("", ""),
            (" =1", " =1"),
        ] {
            assert_eq!(neutralise(text), written, "{text:?}");
            assert_eq!(restore(written), text, "{written:?}");
        }
    }

    #[test]
    fn a_hand_written_formula_imports_as_its_text() {
        assert_eq!(restore("=1+2"), "=1+2");
        assert_eq!(restore("-5"), "-5");
        assert_eq!(restore("'x"), "'x");
    }

    #[test]
    fn only_text_fields_are_neutralised() {
        let row = [
            Cell::text("-cmd"),
            Cell::Number(-5.0),
            Cell::Progress(-0.5),
            Cell::text("a,b"),
            Cell::Empty,
        ];
        let csv = write([row.as_slice()]).unwrap();
        assert_eq!(csv, "'-cmd,-5,-0.5,\"a,b\",\n");
    }
}
