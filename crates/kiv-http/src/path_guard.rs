//! No text may hold NUL (U+0000): PostgreSQL can neither store nor compare it, so a path id with
//! `%00` reached the database and failed there (500) while SQLite answered 400. Queries, JSON and
//! CSV are checked where they are read; path parameters are checked here, once for every route,
//! before any handler runs.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use kiv_domain::{InputIssue, IssueLocation};
use serde_json::Value;

use crate::problem::ApiError;

/// Refuses a request whose path holds an encoded NUL with a 400 naming the path parameter (from
/// the route's pattern: `actionId`), or `path` when no route takes it.
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let segments: Vec<String> = req.path().split('/').map(decoded).collect();
    let Some(position) = segments.iter().position(|s| s.contains('\0')) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let name = req
        .match_pattern()
        .and_then(|pattern| {
            pattern
                .split('/')
                .nth(position)
                .and_then(|p| p.strip_prefix('{'))
                .and_then(|p| p.strip_suffix('}'))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "path".to_owned());
    let value = segments.get(position).cloned().map(Value::String);
    let issue = InputIssue::invalid(
        IssueLocation::Path,
        &name,
        value,
        format!("{name} holds a NUL character (U+0000), which no text may contain"),
    );
    let response = ApiError::bad_request(vec![issue]).render_for(req.request());
    Ok(req.into_response(response))
}

/// A path segment as the handler would read it (percent-decoded).
fn decoded(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}
