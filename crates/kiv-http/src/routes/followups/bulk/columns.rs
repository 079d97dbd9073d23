//! Reading a CSV file of follow-ups: its header checked once, then each line in one pass over
//! its cells. Nothing here looks a column up by searching the header, so reading a file costs
//! as much as its size, however wide it is.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use kiv_domain::planning::IndicatorValue;
use kiv_domain::{
    FollowUpStatus, InputIssue, IssueLocation, Language, LocalizedText, ReportedValue,
    ReportingPeriod,
};
use kiv_store::followups::{ActionRef, FollowUpInput};
use serde_json::Value;

use crate::problem::ApiError;
use crate::render::csv::restore;

/// Most rows in one CSV file.
pub const MAX_CSV_ROWS: usize = 50_000;

/// The CSV columns an import reads, in the order of an export; then, per indicator, the
/// `indicator:<indicatorId>` column (its value) and its comment columns.
pub(super) const EDITABLE_COLUMNS: [&str; 10] = [
    "actionId",
    "actionExternalId",
    "organisationId",
    "period",
    "status",
    "progress",
    "narrativeNl",
    "narrativeFr",
    "narrativeDe",
    "narrativeEn",
];
/// Columns an export writes for people to read, after the editable ones: what the review
/// workflow sets, never a file. An import accepts them and ignores what they say.
pub(super) const READ_ONLY_COLUMNS: [&str; 12] = [
    "id",
    "state",
    "revision",
    "version",
    "reportingOrganisationId",
    "createdBy",
    "createdAt",
    "submittedAt",
    "reviewedBy",
    "reviewedAt",
    "reviewNote",
    "updatedAt",
];
pub(super) const INDICATOR_PREFIX: &str = "indicator:";
/// The comment columns of an indicator: `indicator:<indicatorId>:commentNl`, ...
const COMMENT_COLUMNS: [(&str, Language); 4] = [
    ("commentNl", Language::Nl),
    ("commentFr", Language::Fr),
    ("commentDe", Language::De),
    ("commentEn", Language::En),
];

/// Most indicators one file reports on. An action reports a handful, and a file of many
/// actions the union of theirs; an export of a whole organisation's period stays well below.
pub const MAX_CSV_INDICATORS: usize = 2_000;
/// Most columns in one file: the 22 columns of an export and the five of each of
/// [`MAX_CSV_INDICATORS`] indicators (its value and four comments), 10,022 in all. A wider
/// header is refused before any line is read.
pub const MAX_CSV_COLUMNS: usize = EDITABLE_COLUMNS.len()
    + READ_ONLY_COLUMNS.len()
    + MAX_CSV_INDICATORS * (1 + COMMENT_COLUMNS.len());

/// What a column of a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    /// One of [`EDITABLE_COLUMNS`].
    Field(&'static str),
    /// One of [`READ_ONLY_COLUMNS`]: ignored.
    ReadOnly,
    /// `indicator:<indicatorId>`: the indicator's value.
    Value(String),
    /// `indicator:<indicatorId>:commentNl` ...: the value's comment in one language.
    Comment(String, Language),
}

impl Column {
    fn parse(name: &str) -> Option<Self> {
        if let Some(field) = EDITABLE_COLUMNS.iter().find(|c| **c == name) {
            return Some(Column::Field(field));
        }
        if READ_ONLY_COLUMNS.contains(&name) {
            return Some(Column::ReadOnly);
        }
        let rest = name.strip_prefix(INDICATOR_PREFIX)?;
        match rest.split_once(':') {
            None if !rest.is_empty() => Some(Column::Value(rest.to_owned())),
            Some((id, suffix)) if !id.is_empty() => COMMENT_COLUMNS
                .iter()
                .find(|(column, _)| *column == suffix)
                .map(|(_, language)| Column::Comment(id.to_owned(), *language)),
            _ => None,
        }
    }
}

/// The comment column of an indicator in `language`: `indicator:<indicatorId>:commentNl`.
pub(super) fn comment_column(indicator_id: &str, language: Language) -> String {
    let suffix = COMMENT_COLUMNS
        .iter()
        .find(|(_, l)| *l == language)
        .map_or("", |(column, _)| column);
    format!("{INDICATOR_PREFIX}{indicator_id}:{suffix}")
}

fn language_slot(language: Language) -> usize {
    match language {
        Language::Nl => 0,
        Language::Fr => 1,
        Language::De => 2,
        Language::En => 3,
    }
}

fn file_problem(detail: impl Into<String>) -> ApiError {
    header_problem("", detail)
}

fn header_problem(name: &str, detail: impl Into<String>) -> ApiError {
    ApiError::bad_request(vec![InputIssue::invalid(
        IssueLocation::Body,
        name,
        None,
        detail,
    )])
}

/// Where the columns of one indicator are.
#[derive(Debug)]
struct IndicatorColumns {
    id: String,
    value: Option<usize>,
    /// Nl, Fr, De, En.
    comments: [Option<usize>; 4],
}

/// The columns of a CSV file, checked once for the whole file.
#[derive(Debug)]
struct Columns {
    /// Where each editable column is.
    fields: HashMap<&'static str, usize>,
    /// Each indicator the file names, in the order of its first column.
    indicators: Vec<IndicatorColumns>,
}

impl Columns {
    fn read(header: &csv::StringRecord) -> Result<Self, ApiError> {
        if header.len() > MAX_CSV_COLUMNS {
            return Err(header_problem(
                "header",
                format!(
                    "the header has {} columns; a file holds at most {MAX_CSV_COLUMNS} (the \
                     {} columns of an export and five per indicator for up to \
                     {MAX_CSV_INDICATORS} indicators): split it by action or organisation",
                    header.len(),
                    EDITABLE_COLUMNS.len() + READ_ONLY_COLUMNS.len()
                ),
            ));
        }
        let names: Vec<&str> = header.iter().map(str::trim).collect();
        if let [only] = names.as_slice() {
            for (separator, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "bars")] {
                if only.contains(separator) {
                    return Err(file_problem(format!(
                        "the file is separated by {name}; kiv reads comma-separated files (RFC 4180)"
                    )));
                }
            }
        }
        let parsed: Vec<Option<Column>> = names.iter().map(|n| Column::parse(n)).collect();
        let unknown: Vec<&str> = names
            .iter()
            .zip(&parsed)
            .filter(|(_, column)| column.is_none())
            .map(|(name, _)| *name)
            .collect();
        if !unknown.is_empty() {
            return Err(file_problem(format!(
                "unknown column(s) {}; the columns are {}, {INDICATOR_PREFIX}<indicatorId> and \
                 {INDICATOR_PREFIX}<indicatorId>:commentNl (Fr, De, En), and the read-only \
                 (ignored) {}",
                unknown.join(", "),
                EDITABLE_COLUMNS.join(", "),
                READ_ONLY_COLUMNS.join(", ")
            )));
        }
        let mut fields = HashMap::new();
        let mut indicators: Vec<IndicatorColumns> = Vec::new();
        let mut of_indicator: HashMap<String, usize> = HashMap::new();
        for (at, column) in parsed.into_iter().flatten().enumerate() {
            let (id, slot) = match column {
                Column::Field(field) => {
                    fields.insert(field, at);
                    continue;
                }
                Column::ReadOnly => continue,
                Column::Value(id) => (id, None),
                Column::Comment(id, language) => (id, Some(language_slot(language))),
            };
            let entry = *of_indicator.entry(id.clone()).or_insert_with(|| {
                indicators.push(IndicatorColumns {
                    id,
                    value: None,
                    comments: [None; 4],
                });
                indicators.len() - 1
            });
            if let Some(columns) = indicators.get_mut(entry) {
                match slot {
                    None => columns.value = Some(at),
                    Some(slot) => {
                        if let Some(comment) = columns.comments.get_mut(slot) {
                            *comment = Some(at);
                        }
                    }
                }
            }
        }
        let has = |name: &str| fields.contains_key(name);
        let mut missing: Vec<String> = ["period", "status"]
            .into_iter()
            .filter(|c| !has(c))
            .map(str::to_owned)
            .collect();
        let names_action = has("actionId") || (has("actionExternalId") && has("organisationId"));
        if !names_action {
            missing.push("actionId (or actionExternalId with organisationId)".into());
        }
        missing.extend(
            indicators
                .iter()
                .filter(|i| i.value.is_none())
                .map(|i| format!("{INDICATOR_PREFIX}{}", i.id)),
        );
        if !missing.is_empty() {
            return Err(file_problem(format!(
                "missing column(s): {}",
                missing.join(", ")
            )));
        }
        let mut seen = HashSet::with_capacity(names.len());
        if let Some(twice) = names.iter().find(|n| !seen.insert(**n)) {
            return Err(file_problem(format!("the column {twice} appears twice")));
        }
        if indicators.len() > MAX_CSV_INDICATORS {
            return Err(header_problem(
                "header",
                format!(
                    "the header names {} indicators; a file reports on at most \
                     {MAX_CSV_INDICATORS}: split it by action or organisation",
                    indicators.len()
                ),
            ));
        }
        Ok(Self { fields, indicators })
    }

    /// The indicators the file has a value column for.
    fn indicator_ids(&self) -> Vec<String> {
        self.indicators.iter().map(|i| i.id.clone()).collect()
    }

    /// A cell that holds a name, a number or a code: surrounding blanks are no part of it, nor
    /// the quote an export puts before a formula start ([`restore`]).
    fn cell<'r>(&self, record: &'r csv::StringRecord, name: &str) -> Option<&'r str> {
        self.fields
            .get(name)
            .and_then(|index| record.get(*index))
            .map(|value| restore(value.trim()))
            .filter(|value| !value.is_empty())
    }

    /// A cell that holds text (a narrative, a comment, a qualitative value): taken exactly as
    /// written, a leading `=`, `+`, `-` or `@` too, less the quote an export puts before such a
    /// start ([`restore`]); a blank cell is no text.
    fn text(record: &csv::StringRecord, index: Option<usize>) -> Option<String> {
        index
            .and_then(|index| record.get(index))
            .map(restore)
            .filter(|value| !value.trim().is_empty())
            .map(str::to_owned)
    }

    fn text_of(&self, record: &csv::StringRecord, name: &str) -> Option<String> {
        Self::text(record, self.fields.get(name).copied())
    }

    /// A required code read with `parse`: its issue when it is absent or malformed.
    fn required<T, E: std::fmt::Display>(
        &self,
        record: &csv::StringRecord,
        name: &str,
        parse: impl Fn(&str) -> Result<T, E>,
        issues: &mut Vec<InputIssue>,
    ) -> Option<T> {
        let Some(text) = self.cell(record, name) else {
            issues.push(InputIssue::invalid(
                IssueLocation::Body,
                name,
                None,
                format!("{name} is required"),
            ));
            return None;
        };
        parse(text)
            .map_err(|error| {
                issues.push(InputIssue::invalid(
                    IssueLocation::Body,
                    name,
                    Some(Value::from(text)),
                    error.to_string(),
                ));
            })
            .ok()
    }

    /// One data line as a follow-up (its action still to be resolved), or its issues.
    fn row(
        &self,
        record: &csv::StringRecord,
    ) -> Result<(ActionRef, FollowUpInput), Vec<InputIssue>> {
        let mut issues = Vec::new();
        let external_id = self.cell(record, "actionExternalId");
        let reference = ActionRef {
            id: self.cell(record, "actionId").map(str::to_owned),
            external: external_id
                .zip(self.cell(record, "organisationId"))
                .map(|(external, organisation)| (organisation.to_owned(), external.to_owned())),
        };
        if reference.id.is_none() && reference.external.is_none() {
            issues.push(InputIssue::invalid(
                IssueLocation::Body,
                "actionId",
                None,
                "give actionId, or actionExternalId with organisationId",
            ));
        } else if external_id.is_some() && reference.external.is_none() {
            issues.push(InputIssue::invalid(
                IssueLocation::Body,
                "organisationId",
                None,
                "actionExternalId needs the organisationId of the action's lead organisation",
            ));
        }
        let period = self.required(record, "period", str::parse::<ReportingPeriod>, &mut issues);
        let status = self.required(record, "status", str::parse::<FollowUpStatus>, &mut issues);
        let progress = match self.cell(record, "progress").map(|p| p.parse::<f64>()) {
            None => None,
            Some(Ok(progress)) => Some(progress),
            Some(Err(_)) => {
                issues.push(InputIssue::invalid(
                    IssueLocation::Body,
                    "progress",
                    self.cell(record, "progress").map(Value::from),
                    "progress must be a number between 0 and 100",
                ));
                None
            }
        };
        let narrative = LocalizedText {
            nl: self.text_of(record, "narrativeNl"),
            fr: self.text_of(record, "narrativeFr"),
            de: self.text_of(record, "narrativeDe"),
            en: self.text_of(record, "narrativeEn"),
        };
        let mut indicator_values = Vec::new();
        for indicator in &self.indicators {
            let [nl, fr, de, en] = indicator.comments.map(|at| Self::text(record, at));
            let comment = LocalizedText { nl, fr, de, en };
            match Self::text(record, indicator.value) {
                Some(value) => indicator_values.push(ReportedValue {
                    indicator_id: indicator.id.clone(),
                    value: IndicatorValue::Text(value),
                    comment: (!comment.is_empty()).then_some(comment),
                }),
                None => {
                    if let Some(language) = comment.languages().next() {
                        issues.push(InputIssue::invalid(
                            IssueLocation::Body,
                            comment_column(&indicator.id, language),
                            None,
                            format!(
                                "a comment needs a value in {INDICATOR_PREFIX}{}",
                                indicator.id
                            ),
                        ));
                    }
                }
            }
        }
        match (period, status) {
            (Some(period), Some(status)) if issues.is_empty() => Ok((
                reference,
                FollowUpInput {
                    action_id: String::new(),
                    period,
                    status,
                    progress,
                    narrative: (!narrative.is_empty()).then_some(narrative),
                    indicator_values,
                },
            )),
            _ => Err(issues),
        }
    }
}

pub(super) use kiv_store::followups::FileRow;

/// A file read: its lines, where each starts, and the indicators it names.
#[derive(Debug)]
pub(super) struct File {
    pub rows: Vec<FileRow>,
    /// The line of the file where each row starts (a quoted text may span lines).
    pub lines: Vec<Option<u64>>,
    pub indicator_ids: Vec<String>,
}

/// Reads a CSV file of follow-ups. CPU work only (the caller runs it off the I/O workers), in
/// time proportional to the file's size; it gives up with `gave_up` once `deadline` has passed,
/// so a file that outlasts the request timeout does not keep a thread busy.
pub(super) fn read(
    body: &[u8],
    deadline: Option<Instant>,
    gave_up: impl Fn() -> ApiError,
) -> Result<File, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        file_problem(format!(
            "the file is not UTF-8 (invalid byte at position {}); save it as UTF-8",
            e.valid_up_to()
        ))
    })?;
    if let Some(position) = text.find('\0') {
        return Err(file_problem(format!(
            "the file holds a NUL character (at byte {position}), which no text may contain"
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| file_problem(format!("the header row cannot be read: {e}")))?
        .clone();
    let columns = Columns::read(&header)?;
    let mut rows: Vec<FileRow> = Vec::new();
    let mut lines: Vec<Option<u64>> = Vec::new();
    for record in reader.records() {
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Err(gave_up());
        }
        if rows.len() == MAX_CSV_ROWS {
            return Err(file_problem(format!(
                "a file holds at most {MAX_CSV_ROWS} lines; split it"
            )));
        }
        lines.push(
            record
                .as_ref()
                .ok()
                .and_then(|r| r.position())
                .map(csv::Position::line),
        );
        rows.push(match record {
            Ok(record) if record.len() != header.len() => Err(vec![InputIssue::invalid(
                IssueLocation::Body,
                "",
                None,
                format!(
                    "the line has {} fields, the header {}",
                    record.len(),
                    header.len()
                ),
            )]),
            Ok(record) => columns.row(&record),
            Err(error) => Err(vec![InputIssue::invalid(
                IssueLocation::Body,
                "",
                None,
                error.to_string(),
            )]),
        });
    }
    Ok(File {
        rows,
        lines,
        indicator_ids: columns.indicator_ids(),
    })
}
