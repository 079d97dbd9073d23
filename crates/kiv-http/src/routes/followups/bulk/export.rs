//! The CSV export of follow-ups, in the columns an import reads back.

use std::collections::{BTreeSet, HashMap};

use kiv_domain::planning::IndicatorValue;
use kiv_domain::{Action, FollowUp, Language};

use super::columns::{comment_column, EDITABLE_COLUMNS, INDICATOR_PREFIX, READ_ONLY_COLUMNS};
use crate::problem::ApiError;
use crate::render::table::Cell;

/// A time as the JSON answers give it (RFC 3339, UTC).
fn timestamp(time: chrono::NaiveDateTime) -> Cell {
    Cell::DateTime(crate::respond::utc(time))
}

fn text_or_empty(text: Option<&str>) -> Cell {
    text.map_or(Cell::Empty, Cell::text)
}

/// Follow-ups as CSV: every column an import reads (so that an unchanged export imports as
/// `unchanged`), the read-only columns an import ignores, and per indicator reported its value
/// and comment columns. Texts are neutralised against spreadsheet formulas
/// ([`crate::render::csv`]), which the import undoes; numbers are written as numbers.
pub fn export(follow_ups: &[FollowUp], actions: &[Action]) -> Result<String, ApiError> {
    let indicator_ids: BTreeSet<&str> = follow_ups
        .iter()
        .flat_map(|f| f.indicator_values.iter().map(|v| v.indicator_id.as_str()))
        .collect();
    let actions: HashMap<&str, &Action> = actions.iter().map(|a| (a.id.as_str(), a)).collect();
    let header: Vec<Cell> = EDITABLE_COLUMNS
        .iter()
        .chain(READ_ONLY_COLUMNS.iter())
        .map(|c| Cell::text(*c))
        .chain(indicator_ids.iter().flat_map(|id| {
            std::iter::once(Cell::Text(format!("{INDICATOR_PREFIX}{id}"))).chain(
                Language::ALL
                    .into_iter()
                    .map(|l| Cell::Text(comment_column(id, l))),
            )
        }))
        .collect();
    let mut rows = vec![header];
    for follow_up in follow_ups {
        let action = actions.get(follow_up.action_id.as_str());
        let narrative = follow_up.narrative.clone().unwrap_or_default();
        let mut record: Vec<Cell> = vec![
            Cell::text(&follow_up.action_id),
            text_or_empty(action.and_then(|a| a.external_id.as_deref())),
            text_or_empty(action.map(|a| a.lead_organisation_id.as_str())),
            Cell::Text(follow_up.period.to_string()),
            Cell::text(follow_up.status.as_str()),
            follow_up.progress.map_or(Cell::Empty, Cell::Progress),
            text_or_empty(narrative.nl.as_deref()),
            text_or_empty(narrative.fr.as_deref()),
            text_or_empty(narrative.de.as_deref()),
            text_or_empty(narrative.en.as_deref()),
            // Read-only, in the order of READ_ONLY_COLUMNS.
            Cell::text(&follow_up.id),
            Cell::text(follow_up.state.as_str()),
            Cell::Count(follow_up.revision.try_into().unwrap_or_default()),
            Cell::Count(follow_up.version.try_into().unwrap_or_default()),
            Cell::text(&follow_up.organisation_id),
            Cell::text(&follow_up.created_by),
            timestamp(follow_up.created_at),
            follow_up.submitted_at.map_or(Cell::Empty, timestamp),
            text_or_empty(follow_up.reviewed_by.as_deref()),
            follow_up.reviewed_at.map_or(Cell::Empty, timestamp),
            text_or_empty(follow_up.review_note.as_deref()),
            timestamp(follow_up.updated_at),
        ];
        let reported: HashMap<&str, _> = follow_up
            .indicator_values
            .iter()
            .map(|v| (v.indicator_id.as_str(), v))
            .collect();
        for id in &indicator_ids {
            let reported = reported.get(id);
            record.push(match reported.map(|v| &v.value) {
                Some(IndicatorValue::Number(n)) => Cell::Number(*n),
                Some(IndicatorValue::Text(t)) => Cell::text(t),
                None => Cell::Empty,
            });
            let comment = reported.and_then(|v| v.comment.as_ref());
            for language in Language::ALL {
                record.push(text_or_empty(comment.and_then(|c| c.get(language))));
            }
        }
        rows.push(record);
    }
    crate::render::csv::write(rows.iter().map(Vec::as_slice))
}
