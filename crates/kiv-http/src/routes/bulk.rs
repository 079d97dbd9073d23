//! Follow-ups in bulk: a JSON batch, a CSV import (all or nothing, or row by row) and the CSV
//! export that an import reads back.

use std::collections::BTreeSet;

use actix_web::http::header;
use actix_web::{post, web, HttpMessage, HttpRequest, HttpResponse};
use chrono::Utc;
use kiv_domain::planning::IndicatorValue;
use kiv_domain::{
    Action, FollowUp, FollowUpStatus, InputIssue, IssueLocation, Language, LocalizedText,
    ReportedValue, ReportingPeriod,
};
use kiv_store::followups::{
    self, ActionRef, BulkRow, FollowUpInput, ImportMode, RowOutcome, RowResult,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::followups::NewFollowUp;
use crate::auth::Reporting;
use crate::extract::{is_json, parse_json, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::respond::href;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(batch).service(import_csv);
}

/// Most follow-ups in one JSON batch.
pub const MAX_BATCH: usize = 1_000;
/// Most rows in one CSV file.
pub const MAX_CSV_ROWS: usize = 50_000;

/// The CSV columns an import reads, in the order of an export; then, per indicator, the
/// `indicator:<indicatorId>` column (its value) and its comment columns.
const EDITABLE_COLUMNS: [&str; 10] = [
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
const READ_ONLY_COLUMNS: [&str; 12] = [
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
const INDICATOR_PREFIX: &str = "indicator:";
/// The comment columns of an indicator: `indicator:<indicatorId>:commentNl`, ...
const COMMENT_COLUMNS: [(&str, Language); 4] = [
    ("commentNl", Language::Nl),
    ("commentFr", Language::Fr),
    ("commentDe", Language::De),
    ("commentEn", Language::En),
];

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

fn comment_column(indicator_id: &str, language: Language) -> String {
    let suffix = COMMENT_COLUMNS
        .iter()
        .find(|(_, l)| *l == language)
        .map_or("", |(column, _)| column);
    format!("{INDICATOR_PREFIX}{indicator_id}:{suffix}")
}

/// How a bulk request is applied.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ModeQuery {
    /// `atomic` (default): all rows or none. `partial`: each row applied or refused on its own.
    #[param(example = "atomic", inline)]
    pub mode: Option<BulkMode>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BulkMode {
    Atomic,
    Partial,
}

fn import_mode(mode: Option<BulkMode>) -> ImportMode {
    match mode {
        Some(BulkMode::Partial) => ImportMode::Partial,
        Some(BulkMode::Atomic) | None => ImportMode::Atomic,
    }
}

/// What happened to one row.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RowReport {
    /// The row's place: 1 for the first follow-up of a batch, or the first data line of a file.
    pub row: usize,
    /// `created`, `updated`, `unchanged` or `refused`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Why the row was refused, as a single request would have been answered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<crate::problem::Issue>,
}

/// The outcome of a bulk request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkReport {
    /// `atomic` or `partial`.
    pub mode: String,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub refused: usize,
    pub rows: Vec<RowReport>,
}

fn count(results: &[RowResult], outcome: RowOutcome) -> usize {
    results.iter().filter(|r| r.outcome == outcome).count()
}

/// The answer: the per-row report, or, when an atomic request was refused, one problem whose
/// issues name each refused row's fields (`rows[3].progress`); nothing was applied then.
fn answer(
    req: &HttpRequest,
    mode: ImportMode,
    results: Vec<RowResult>,
    applied: bool,
) -> Result<HttpResponse, ApiError> {
    if !applied {
        let issues = results
            .into_iter()
            .enumerate()
            .flat_map(|(index, result)| {
                result.issues.into_iter().map(move |issue| InputIssue {
                    name: if issue.name.is_empty() {
                        format!("rows[{}]", index + 1)
                    } else {
                        format!("rows[{}].{}", index + 1, issue.name)
                    },
                    ..issue
                })
            })
            .collect();
        return Err(ApiError::bad_request(issues));
    }
    let report = BulkReport {
        mode: match mode {
            ImportMode::Atomic => "atomic",
            ImportMode::Partial => "partial",
        }
        .into(),
        created: count(&results, RowOutcome::Created),
        updated: count(&results, RowOutcome::Updated),
        unchanged: count(&results, RowOutcome::Unchanged),
        refused: count(&results, RowOutcome::Refused),
        rows: results
            .into_iter()
            .enumerate()
            .map(|(index, result)| RowReport {
                row: index + 1,
                outcome: result.outcome.as_str().into(),
                href: result
                    .follow_up
                    .as_ref()
                    .map(|f| href(req, &format!("followUps/{}", f.id))),
                follow_up_id: result.follow_up.map(|f| f.id),
                issues: result.issues.into_iter().map(Into::into).collect(),
            })
            .collect(),
    };
    Ok(HttpResponse::Ok().json(report))
}

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

fn input_of(follow_up: NewFollowUp) -> BulkRow {
    let period = follow_up.period.parse::<ReportingPeriod>().map_err(|e| {
        vec![InputIssue::invalid(
            IssueLocation::Body,
            "period",
            Some(Value::from(follow_up.period.as_str())),
            e.to_string(),
        )]
    })?;
    Ok(FollowUpInput {
        action_id: follow_up.action_id,
        period,
        status: follow_up.status,
        progress: follow_up.progress,
        narrative: follow_up.narrative,
        indicator_values: follow_up.indicator_values,
    })
}

/// Create or update follow-ups in a batch
///
/// Up to 1,000 follow-ups as a JSON array, each as `POST /followUps` takes it. A follow-up for an
/// action and period that exists is updated if it is a draft or returned, and left as it is if
/// it already says the same: sending a batch twice changes nothing. `mode=atomic` (default)
/// applies all or none; `mode=partial` applies each row on its own. Two rows for the same action
/// and period are both refused (`kiv:duplicateRow`, naming both, `rows[1]` being the first):
/// atomic, the whole batch is refused; partial, those rows are refused and the others applied.
/// Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "Follow-up",
    params(ModeQuery),
    request_body(content = Vec<NewFollowUp>, description = "At most 1,000 follow-ups"),
    responses(
        (status = 200, description = "What happened to each row", body = BulkReport),
        (status = 400, description = "Malformed, too large, or (atomic) a row was refused, two rows for one follow-up among them: nothing was applied; each issue names its row (`rows[3].progress`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a reporter or coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/followUps/batch")]
async fn batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    Reporting(caller): Reporting,
    ApiQuery(query): ApiQuery<ModeQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if !is_json(&req) {
        return Err(ApiError::Status {
            status: actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            detail: "The body must be a JSON array (Content-Type: application/json)".into(),
        });
    }
    let follow_ups: Vec<NewFollowUp> = parse_json(&body)?;
    if follow_ups.len() > MAX_BATCH {
        return Err(ApiError::bad_request(vec![InputIssue::invalid(
            IssueLocation::Body,
            "",
            None,
            format!(
                "a batch holds at most {MAX_BATCH} follow-ups, this one {}",
                follow_ups.len()
            ),
        )]));
    }
    let mode = import_mode(query.mode);
    let rows: Vec<BulkRow> = follow_ups.into_iter().map(input_of).collect();
    let name_row = |index: usize| format!("rows[{}]", index + 1);
    let (results, applied) = state
        .run(move |conn| followups::import(conn, &caller, rows, mode, today(), &name_row))
        .await?;
    answer(&req, mode, results, applied)
}

fn file_problem(detail: impl Into<String>) -> ApiError {
    ApiError::bad_request(vec![InputIssue::invalid(
        IssueLocation::Body,
        "",
        None,
        detail,
    )])
}

/// The columns of a CSV file, checked once for the whole file.
struct Columns {
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Columns {
    fn read(header: &csv::StringRecord) -> Result<Self, ApiError> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        if let [only] = names.as_slice() {
            for (separator, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "bars")] {
                if only.contains(separator) {
                    return Err(file_problem(format!(
                        "the file is separated by {name}; kiv reads comma-separated files (RFC 4180)"
                    )));
                }
            }
        }
        let unknown: Vec<&str> = names
            .iter()
            .filter(|n| Column::parse(n).is_none())
            .map(String::as_str)
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
        let columns: Vec<Column> = names.iter().filter_map(|n| Column::parse(n)).collect();
        let has = |name: &str| names.iter().any(|n| n == name);
        let mut missing: Vec<String> = ["period", "status"]
            .into_iter()
            .filter(|c| !has(c))
            .map(str::to_owned)
            .collect();
        let names_action = has("actionId") || (has("actionExternalId") && has("organisationId"));
        if !names_action {
            missing.push("actionId (or actionExternalId with organisationId)".into());
        }
        for column in &columns {
            if let Column::Comment(id, _) = column {
                let value = format!("{INDICATOR_PREFIX}{id}");
                if !has(&value) && !missing.contains(&value) {
                    missing.push(value);
                }
            }
        }
        if !missing.is_empty() {
            return Err(file_problem(format!(
                "missing column(s): {}",
                missing.join(", ")
            )));
        }
        let mut seen = BTreeSet::new();
        if let Some(twice) = names.iter().find(|n| !seen.insert(n.as_str())) {
            return Err(file_problem(format!("the column {twice} appears twice")));
        }
        Ok(Self { names, columns })
    }

    /// The indicators the file has a value column for.
    fn indicator_ids(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter_map(|c| match c {
                Column::Value(id) => Some(id.clone()),
                _ => None,
            })
            .collect()
    }

    /// A cell that holds a name, a number or a code: surrounding blanks are no part of it.
    fn cell<'r>(&self, record: &'r csv::StringRecord, name: &str) -> Option<&'r str> {
        self.names
            .iter()
            .position(|n| n == name)
            .and_then(|index| record.get(index))
            .map(str::trim)
            .filter(|value| !value.is_empty())
    }

    /// A cell that holds text (a narrative, a comment, a qualitative value): taken exactly as
    /// written, a leading `=`, `+`, `-` or `@` too; a blank cell is no text.
    fn text(record: &csv::StringRecord, index: usize) -> Option<String> {
        record
            .get(index)
            .filter(|value| !value.trim().is_empty())
            .map(str::to_owned)
    }

    fn text_of(&self, record: &csv::StringRecord, name: &str) -> Option<String> {
        self.names
            .iter()
            .position(|n| n == name)
            .and_then(|index| Self::text(record, index))
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
        let period = match self
            .cell(record, "period")
            .map(str::parse::<ReportingPeriod>)
        {
            Some(Ok(period)) => Some(period),
            Some(Err(error)) => {
                issues.push(InputIssue::invalid(
                    IssueLocation::Body,
                    "period",
                    self.cell(record, "period").map(Value::from),
                    error.to_string(),
                ));
                None
            }
            None => {
                issues.push(InputIssue::invalid(
                    IssueLocation::Body,
                    "period",
                    None,
                    "period is required",
                ));
                None
            }
        };
        let status = match self
            .cell(record, "status")
            .map(str::parse::<FollowUpStatus>)
        {
            Some(Ok(status)) => Some(status),
            Some(Err(error)) => {
                issues.push(InputIssue::invalid(
                    IssueLocation::Body,
                    "status",
                    self.cell(record, "status").map(Value::from),
                    error.to_string(),
                ));
                None
            }
            None => {
                issues.push(InputIssue::invalid(
                    IssueLocation::Body,
                    "status",
                    None,
                    "status is required",
                ));
                None
            }
        };
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
        for (index, column) in self.columns.iter().enumerate() {
            let Column::Value(id) = column else { continue };
            let mut comment = LocalizedText::default();
            for (at, other) in self.columns.iter().enumerate() {
                if let Column::Comment(of, language) = other {
                    if of == id {
                        let text = Self::text(record, at);
                        match language {
                            Language::Nl => comment.nl = text,
                            Language::Fr => comment.fr = text,
                            Language::De => comment.de = text,
                            Language::En => comment.en = text,
                        }
                    }
                }
            }
            match Self::text(record, index) {
                Some(value) => indicator_values.push(ReportedValue {
                    indicator_id: id.clone(),
                    value: IndicatorValue::Text(value),
                    comment: (!comment.is_empty()).then_some(comment),
                }),
                None => {
                    if let Some(language) = comment.languages().next() {
                        issues.push(InputIssue::invalid(
                            IssueLocation::Body,
                            comment_column(id, language),
                            None,
                            format!("a comment needs a value in {INDICATOR_PREFIX}{id}"),
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

/// Import follow-ups from a CSV file
///
/// `Content-Type: text/csv`, UTF-8, comma-separated, with a header row. Columns: `actionId` (or
/// `actionExternalId` with the lead `organisationId`; when both are given they must name the
/// same action), `period`, `status`, `progress`, `narrativeNl`, `narrativeFr`, `narrativeDe`,
/// `narrativeEn`, and per indicator `indicator:<indicatorId>` (its value) with
/// `indicator:<indicatorId>:commentNl` (`commentFr`, `commentDe`, `commentEn`, each needing the
/// value column). The read-only columns of an export (`id`, `state`, `revision`, `version`,
/// `reportingOrganisationId`, `createdBy`, `createdAt`, `submittedAt`, `reviewedBy`,
/// `reviewedAt`, `reviewNote`, `updatedAt`) are accepted and ignored; any other column is
/// refused. A line is the whole follow-up: an empty cell is no value, and texts are taken
/// exactly as written (a leading `=`, `+`, `-` or `@` is data).
///
/// Each line creates or updates the follow-up of its action and period (drafts and returned ones
/// only), or leaves it when it already says the same: importing a file twice changes nothing,
/// and so does importing an export of `GET /followUps` (as `text/csv`) unchanged. Two lines for
/// the same action (however named) and period are both refused (`kiv:duplicateRow`, naming
/// both: `rows[3] (line 4)`, `rows[N]` being the Nth line after the header): with
/// `mode=atomic` (default), which applies all lines or none, the whole file is refused; with
/// `mode=partial`, which applies each line on its own, those lines are refused and the others
/// applied. A file that is not UTF-8, not comma-separated or has a wrong header is refused as a
/// whole. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "Follow-up",
    params(ModeQuery),
    request_body(content = String, content_type = "text/csv", description = "The follow-ups, one per line after the header",
        example = "actionExternalId,organisationId,period,status,progress,narrativeNl\nFGP-2016-044,federale-politie,2017S1,onTrack,40,Twee eenheden operationeel\n"),
    responses(
        (status = 200, description = "What happened to each line", body = BulkReport),
        (status = 400, description = "Not UTF-8, not comma-separated, a wrong header, or (atomic) a refused line, two lines for one follow-up among them: nothing was applied", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a reporter or coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/followUps")]
async fn import_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    Reporting(caller): Reporting,
    ApiQuery(query): ApiQuery<ModeQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let is_csv = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.type_() == "text" && m.subtype() == "csv");
    if !is_csv {
        return Err(ApiError::Status {
            status: actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            detail: "The body must be a CSV file (Content-Type: text/csv)".into(),
        });
    }
    let text = std::str::from_utf8(&body).map_err(|e| {
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
    let mut rows: Vec<Result<(ActionRef, FollowUpInput), Vec<InputIssue>>> = Vec::new();
    // The line of the file where each row starts (a quoted text may span lines).
    let mut lines: Vec<Option<u64>> = Vec::new();
    for record in reader.records() {
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
    let mode = import_mode(query.mode);
    let indicator_ids = columns.indicator_ids();
    let (results, applied) = state
        .run(move |conn| {
            let external: Vec<(String, String)> = rows
                .iter()
                .filter_map(|row| row.as_ref().ok()?.0.external.clone())
                .collect();
            let resolved = followups::resolve_external_ids(conn, &external)?;
            let ids: Vec<&str> = indicator_ids.iter().map(String::as_str).collect();
            let measures = followups::indicator_measures(conn, &ids)?;
            let bulk: Vec<BulkRow> = rows
                .into_iter()
                .map(|row| {
                    let (reference, mut input) = row?;
                    input.action_id = followups::resolve_action(&resolved, reference)?;
                    followups::read_text_values(&measures, &mut input.indicator_values);
                    Ok(input)
                })
                .collect();
            let name_row = |index: usize| match lines.get(index).copied().flatten() {
                Some(line) => format!("rows[{}] (line {line})", index + 1),
                None => format!("rows[{}]", index + 1),
            };
            followups::import(conn, &caller, bulk, mode, today(), &name_row)
        })
        .await?;
    answer(&req, mode, results, applied)
}

/// A time as the JSON answers give it (RFC 3339, UTC).
fn timestamp(time: chrono::NaiveDateTime) -> String {
    crate::respond::utc(time).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Follow-ups as CSV: every column an import reads (so that an unchanged export imports as
/// `unchanged`), the read-only columns an import ignores, and per indicator reported its value
/// and comment columns.
pub fn export(follow_ups: &[FollowUp], actions: &[Action]) -> Result<String, ApiError> {
    let indicator_ids: BTreeSet<&str> = follow_ups
        .iter()
        .flat_map(|f| f.indicator_values.iter().map(|v| v.indicator_id.as_str()))
        .collect();
    let header: Vec<String> = EDITABLE_COLUMNS
        .iter()
        .chain(READ_ONLY_COLUMNS.iter())
        .map(|c| (*c).to_owned())
        .chain(indicator_ids.iter().flat_map(|id| {
            std::iter::once(format!("{INDICATOR_PREFIX}{id}"))
                .chain(Language::ALL.into_iter().map(|l| comment_column(id, l)))
        }))
        .collect();
    let mut rows = vec![header];
    for follow_up in follow_ups {
        let action = actions.iter().find(|a| a.id == follow_up.action_id);
        let narrative = follow_up.narrative.clone().unwrap_or_default();
        let mut record: Vec<String> = vec![
            follow_up.action_id.clone(),
            action
                .and_then(|a| a.external_id.clone())
                .unwrap_or_default(),
            action
                .map(|a| a.lead_organisation_id.clone())
                .unwrap_or_default(),
            follow_up.period.to_string(),
            follow_up.status.as_str().to_owned(),
            follow_up
                .progress
                .map(|p| p.to_string())
                .unwrap_or_default(),
            narrative.nl.unwrap_or_default(),
            narrative.fr.unwrap_or_default(),
            narrative.de.unwrap_or_default(),
            narrative.en.unwrap_or_default(),
            // Read-only, in the order of READ_ONLY_COLUMNS.
            follow_up.id.clone(),
            follow_up.state.as_str().to_owned(),
            follow_up.revision.to_string(),
            follow_up.version.to_string(),
            follow_up.organisation_id.clone(),
            follow_up.created_by.clone(),
            timestamp(follow_up.created_at),
            follow_up.submitted_at.map(timestamp).unwrap_or_default(),
            follow_up.reviewed_by.clone().unwrap_or_default(),
            follow_up.reviewed_at.map(timestamp).unwrap_or_default(),
            follow_up.review_note.clone().unwrap_or_default(),
            timestamp(follow_up.updated_at),
        ];
        for id in &indicator_ids {
            let reported = follow_up
                .indicator_values
                .iter()
                .find(|v| v.indicator_id == *id);
            record.push(
                reported
                    .map(|v| match &v.value {
                        IndicatorValue::Number(n) => n.to_string(),
                        IndicatorValue::Text(t) => t.clone(),
                    })
                    .unwrap_or_default(),
            );
            let comment = reported.and_then(|v| v.comment.as_ref());
            for language in Language::ALL {
                record.push(
                    comment
                        .and_then(|c| c.get(language))
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
        }
        rows.push(record);
    }
    csv_text(rows)
}

/// Rows as CSV text (RFC 4180, comma-separated).
pub fn csv_text(rows: impl IntoIterator<Item = Vec<String>>) -> Result<String, ApiError> {
    let failed = |e: &dyn std::fmt::Display| ApiError::Internal(format!("cannot write CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(&row).map_err(|e| failed(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

/// A CSV answer.
pub fn csv_response(body: String, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}
