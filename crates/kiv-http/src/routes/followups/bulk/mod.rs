//! Follow-ups in bulk: a JSON batch, a CSV import (all or nothing, or row by row) and the CSV
//! export that an import reads back.

mod columns;
mod export;
mod upload;

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use kiv_domain::{InputIssue, IssueLocation, ReportingPeriod};
use kiv_store::followups::{self, BulkRow, FollowUpInput, ImportMode, RowOutcome, RowResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::NewFollowUp;
use crate::auth::Reporting;
use crate::extract::{is_json, parse_json, with_every_issue, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::respond::href;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(batch_follow_ups).service(import_follow_ups);
}

pub use columns::{MAX_CSV_COLUMNS, MAX_CSV_INDICATORS, MAX_CSV_ROWS};
pub use export::export;

/// Most follow-ups in one JSON batch.
pub const MAX_BATCH: usize = 1_000;

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
#[schema(example = "atomic")]
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

/// What happened to one row: `created`, `updated`, `unchanged` (the same as stored) or `refused`.
///
/// The values of a string the OpenAPI document shows as a closed set; never built.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = "created")]
#[allow(dead_code)] // describes a serialised string, is never built
pub enum BulkRowOutcome {
    Created,
    Updated,
    Unchanged,
    Refused,
}

/// What happened to one row.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "row": 1,
    "outcome": "created",
    "followUpId": "c7394b20-c27d-4f0c-b686-0fb3e2c0249a",
    "href": "http://127.0.0.1:8080/kiv/v1/followUps/c7394b20-c27d-4f0c-b686-0fb3e2c0249a"
}))]
pub struct RowReport {
    /// The row's place: 1 for the first follow-up of a batch, or the first data line of a file.
    pub row: usize,
    #[schema(value_type = BulkRowOutcome)]
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
#[schema(example = json!({
    "mode": "partial",
    "created": 1,
    "updated": 0,
    "unchanged": 0,
    "refused": 1,
    "rows": [{"row": 1, "outcome": "created", "followUpId": "c7394b20-c27d-4f0c-b686-0fb3e2c0249a", "href": "http://127.0.0.1:8080/kiv/v1/followUps/c7394b20-c27d-4f0c-b686-0fb3e2c0249a"}, {"row": 2, "outcome": "refused", "issues": [{"type": "urn:problem-type:belgif:input-validation:invalidInput", "title": "Invalid input", "detail": "progress must lie between 0 and 100", "in": "body", "name": "rows[2].progress", "value": 140}]}]
}))]
pub struct BulkReport {
    /// `atomic` or `partial`.
    #[schema(value_type = BulkMode)]
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

/// Follow-ups sent together.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "followUps": [{"actionId": "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e", "period": "2017S1", "status": "onTrack", "progress": 40, "narrative": {"nl": "Twee regionale eenheden operationeel."}}, {"actionId": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", "period": "2017S1", "status": "delayed", "progress": 15}]
}))]
pub struct Batch {
    /// The follow-ups, at most 1,000; issues name them `rows[1]`, `rows[2]`, ... in this order.
    #[schema(max_items = 1000)]
    pub follow_ups: Vec<NewFollowUp>,
}

/// Create or update follow-ups in a batch
///
/// Up to 1,000 follow-ups in `followUps`, each as `POST /followUps` takes it (a bare JSON array
/// of them, as earlier versions took, is still read). A follow-up for an
/// action and period that exists is updated if it is a draft or returned, and left as it is if
/// it already says the same: sending a batch twice changes nothing. `mode=atomic` (default)
/// applies all or none; `mode=partial` applies each row on its own. Two rows for the same action
/// and period are both refused (`kiv:duplicateRow`, naming both, `rows[1]` being the first):
/// atomic, the whole batch is refused; partial, those rows are refused and the others applied.
/// Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "Follow-up",
    params(ModeQuery),
    request_body(content = Batch, description = "At most 1,000 follow-ups"),
    responses(
        (status = 200, description = "What happened to each row", body = BulkReport),
        (status = 400, description = "Malformed, too large, or (atomic) a row was refused, two rows for one follow-up among them: nothing was applied; each issue names its row (`rows[3].progress`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a reporter or coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/followUps/batch")]
async fn batch_follow_ups(
    req: HttpRequest,
    state: web::Data<AppState>,
    Reporting(caller): Reporting,
    ApiQuery(query): ApiQuery<ModeQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if !is_json(&req) {
        return Err(ApiError::Status {
            status: actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            detail: "The body must be a JSON object (Content-Type: application/json)".into(),
        });
    }
    let bare_array = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let follow_ups: Vec<NewFollowUp> = if bare_array {
        parse_json(&body)?
    } else {
        parse_json::<Batch>(&body)
            .map_err(|error| with_every_issue(&req, error, &body))?
            .follow_ups
    };
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
    let deadline = crate::limits::deadline(&req);
    let rows: Vec<BulkRow> = follow_ups.into_iter().map(input_of).collect();
    let name_row = |index: usize| format!("rows[{}]", index + 1);
    let (results, applied) = state
        .run(move |conn| {
            followups::import(
                conn,
                &caller,
                rows,
                mode,
                kiv_store::clock::today(),
                &name_row,
                deadline,
            )
        })
        .await?;
    answer(&req, mode, results, applied)
}

/// Import follow-ups from a CSV file
///
/// `Content-Type: text/csv` (or the file as the part `file` of a `multipart/form-data` form),
/// UTF-8, comma-separated, with a header row. Columns: `actionId` (or
/// `actionExternalId` with the lead `organisationId`; when both are given they must name the
/// same action), `period`, `status`, `progress`, `narrativeNl`, `narrativeFr`, `narrativeDe`,
/// `narrativeEn`, and per indicator `indicator:<indicatorId>` (its value) with
/// `indicator:<indicatorId>:commentNl` (`commentFr`, `commentDe`, `commentEn`, each needing the
/// value column). The read-only columns of an export (`id`, `state`, `revision`, `version`,
/// `reportingOrganisationId`, `createdBy`, `createdAt`, `submittedAt`, `reviewedBy`,
/// `reviewedAt`, `reviewNote`, `updatedAt`) are accepted and ignored; any other column is
/// refused. A file has at most 10,022 columns (the 22 of an export and five for each of up to
/// 2,000 indicators) and 50,000 lines; a wider header is refused naming `header`. A line is the
/// whole follow-up: an empty cell is no value, and texts are taken exactly as written (a leading
/// `=`, `+`, `-` or `@` is data), with one exception that makes exports read back unchanged:
/// kiv's CSV files put a `'` before a text that would start a spreadsheet formula (a text made
/// of zero or more `'` followed by `=`, `+`, `-`, `@`, tab or carriage return gets one more
/// `'`), and the import takes exactly that one `'` off again (`'=SUM(A1)` is read as `=SUM(A1)`,
/// `''=x` as `'=x`; `'hello` stays `'hello`).
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
///
/// An import that outlasts the request timeout is answered `503` at the timeout; kiv then stops
/// it and rolls it back whole, partial mode too, unless it had already begun to commit. Since
/// importing a file twice changes nothing, sending the same file again is the safe way to find
/// out (lines already applied come back `unchanged`).
#[utoipa::path(
    tag = "Follow-up",
    params(ModeQuery),
    request_body(description = "The follow-ups, one per line after the header: the CSV file as the body, or as the part `file` of a form", content(
        (String = "text/csv", example = "actionExternalId,organisationId,period,status,progress,narrativeNl\nFGP-2016-044,federale-politie,2017S1,onTrack,40,Twee eenheden operationeel\n"),
        (upload::CsvUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "What happened to each line", body = BulkReport),
        (status = 400, description = "Not UTF-8, not comma-separated, a wrong header (more than 10,022 columns or 2,000 indicators: `header`), more than 50,000 lines, or (atomic) a refused line, two lines for one follow-up among them: nothing was applied", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a reporter or coordinator (missingScope)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither text/csv nor multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The import outlasted the request timeout and was stopped and rolled back (unless it was already committing): send the same file again", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/followUps")]
async fn import_follow_ups(
    req: HttpRequest,
    state: web::Data<AppState>,
    Reporting(caller): Reporting,
    ApiQuery(query): ApiQuery<ModeQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = upload::csv_file(&req, body).await?;
    let deadline = crate::limits::deadline(&req);
    let after = crate::limits::of(&req).request_timeout;
    // Reading the file is CPU work in proportion to its size: off the I/O workers, so that they
    // keep answering (and the timeout keeps running) while it is read.
    let file = web::block(move || {
        columns::read(&body, deadline.map(|d| d.at), || ApiError::Timeout {
            after,
        })
    })
    .await??;
    let mode = import_mode(query.mode);
    let columns::File {
        rows,
        lines,
        indicator_ids,
    } = file;
    let (results, applied) = state
        .run(move |conn| {
            let name_row = |index: usize| match lines.get(index).copied().flatten() {
                Some(line) => format!("rows[{}] (line {line})", index + 1),
                None => format!("rows[{}]", index + 1),
            };
            followups::import_file(
                conn,
                &caller,
                rows,
                &indicator_ids,
                mode,
                kiv_store::clock::today(),
                &name_row,
                deadline,
            )
        })
        .await?;
    answer(&req, mode, results, applied)
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
