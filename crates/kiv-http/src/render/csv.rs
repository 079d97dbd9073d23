//! Every CSV file kiv writes goes through [`write`].

use super::table::Cell;
use crate::problem::ApiError;

/// Rows of cells as CSV text (RFC 4180, comma-separated), each as [`Cell::csv`] writes it.
pub fn write<'a>(rows: impl IntoIterator<Item = &'a [Cell]>) -> Result<String, ApiError> {
    let failed = |e: &dyn std::fmt::Display| ApiError::Internal(format!("cannot write CSV: {e}"));
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.iter().map(Cell::csv))
            .map_err(|e| failed(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}
