//! Request extraction that refuses bad input with issues naming the offending parameter.

use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use kiv_domain::paging::{parse_sort, SortKey};
use kiv_domain::{InputIssue, IssueLocation, PageRequest, Validator};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::problem::ApiError;

/// Query parameters deserialized into `T`. Unknown parameters and malformed values are refused
/// with a `badRequest` problem whose issue names the parameter, instead of being ignored (a
/// mistyped filter must not silently return everything).
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // No text may hold NUL (U+0000): PostgreSQL cannot store or compare it.
    if let Some((name, value)) =
        form_urlencoded::parse(query.as_bytes()).find(|(_, value)| value.contains('\0'))
    {
        return Err(ApiError::bad_request(vec![nul_issue(
            IssueLocation::Query,
            &name,
            Some(Value::String(value.into_owned())),
        )]));
    }
    let query = &join_repeated_sort(query);
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let issue = issue_from(IssueLocation::Query, error, |name| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| Value::String(value.into_owned()))
        });
        ApiError::bad_request(vec![issue])
    })
}

/// The one parameter that may be repeated: `sort=code&sort=-plannedEnd` (belgif `col-sort`) reads
/// as `sort=code,-plannedEnd`. Any other parameter given twice stays twice, and is refused.
const REPEATABLE: &str = "sort";

/// The query with the values of a repeated `sort` joined by commas into the first one's place.
fn join_repeated_sort(query: &str) -> std::borrow::Cow<'_, str> {
    let pairs: Vec<_> = form_urlencoded::parse(query.as_bytes()).collect();
    if pairs.iter().filter(|(key, _)| key == REPEATABLE).count() < 2 {
        return query.into();
    }
    let keys: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key == REPEATABLE)
        .map(|(_, value)| value.as_ref())
        .collect();
    let mut joined = form_urlencoded::Serializer::new(String::new());
    let mut written = false;
    for (key, value) in &pairs {
        if key != REPEATABLE {
            joined.append_pair(key, value);
        } else if !written {
            joined.append_pair(key, &keys.join(","));
            written = true;
        }
    }
    joined.finish().into()
}

/// An issue from a deserialization error, naming the field by its path (`a.b[0].c`).
fn issue_from<E: std::fmt::Display>(
    location: IssueLocation,
    error: serde_path_to_error::Error<E>,
    value_of: impl Fn(&str) -> Option<Value>,
) -> InputIssue {
    let path = error.path().to_string();
    InputIssue::from_deserialization(location, &path, error.into_inner().to_string(), value_of)
}

/// A JSON body deserialized into `T`, refused (and nothing changed) when it is not JSON, too
/// large, malformed, of the wrong shape or carries unknown properties: each answer names the
/// property (`indicatorValues[0].value`).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json_type = is_json(req);
        let limit = crate::limits::of(req).body_limit;
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            if !json_type {
                return Err(not_json());
            }
            let bytes = body
                .await
                .map_err(|error| ApiError::unreadable_body(&error, limit))?;
            parse_json(&bytes)
                .map(ApiJson)
                .map_err(|error| with_every_issue(&req, error, &bytes))
        })
    }
}

/// The body of a `PATCH`: a JSON merge patch (RFC 7396), read into `T` exactly as [`ApiJson`]
/// reads a body. A merge patch is an object of the properties to change, so anything else (an
/// array, a string, `null`) is refused with 400 rather than read as a patch that changes
/// nothing.
#[derive(Debug)]
pub struct ApiPatch<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiPatch<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = ApiJson::<Value>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let ApiJson(body) = json.await?;
            if !body.is_object() {
                return Err(ApiError::bad_request(vec![InputIssue::schema_violation(
                    IssueLocation::Body,
                    "",
                    Some(body),
                    "a PATCH body is a JSON merge patch (RFC 7396): an object of the properties \
                     to change",
                )]));
            }
            parse_value(&body)
                .map(ApiPatch)
                .map_err(|error| every_issue_of(&req, error, &body))
        })
    }
}

/// Reads an already parsed JSON body into `T`, with issues naming the offending property.
fn parse_value<T: DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(body).map_err(|error| {
        let issue = issue_from(IssueLocation::Body, error, |name| {
            kiv_domain::merge_patch::value_at(body, name).cloned()
        });
        ApiError::bad_request(vec![issue])
    })
}

/// A JSON body that may be left out: an empty body is `None` (as is a JSON `null`); anything else
/// is read exactly as [`ApiJson`] reads it, so a malformed body or one of the wrong shape is
/// refused with 400 (and one that is not JSON with 415), never taken for no body at all.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json_type = is_json(req);
        let limit = crate::limits::of(req).body_limit;
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let bytes = body
                .await
                .map_err(|error| ApiError::unreadable_body(&error, limit))?;
            if bytes.is_empty() {
                return Ok(OptionalJson(None));
            }
            if !json_type {
                return Err(not_json());
            }
            parse_json::<Option<T>>(&bytes)
                .map(OptionalJson)
                .map_err(|error| with_every_issue(&req, error, &bytes))
        })
    }
}

/// A refusal of the JSON body `bytes` completed with every other value the operation's request
/// schema refuses (see [`crate::body_schema`]); a body that is not JSON at all stays one issue.
pub fn with_every_issue(req: &HttpRequest, error: ApiError, bytes: &[u8]) -> ApiError {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(body) => every_issue_of(req, error, &body),
        Err(_) => error,
    }
}

fn every_issue_of(req: &HttpRequest, error: ApiError, body: &Value) -> ApiError {
    let ApiError::BadRequest(first) = error else {
        return error;
    };
    let Some(routes) = req.app_data::<web::Data<crate::middleware::RouteTable>>() else {
        return ApiError::BadRequest(first);
    };
    let mut issues = routes.body_issues(req.path(), req.method(), body);
    // The reader's own account of a value wins over the schema's (it says what it expected).
    for issue in first {
        match issues.iter_mut().find(|i| i.name == issue.name) {
            Some(same) => *same = issue,
            None => issues.push(issue),
        }
    }
    ApiError::BadRequest(issues)
}

fn not_json() -> ApiError {
    ApiError::Status {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        detail: "The body must be JSON (Content-Type: application/json)".into(),
    }
}

/// The issue for a text that holds NUL (U+0000), which no text may: PostgreSQL can neither store
/// nor compare it, and no reader expects it.
fn nul_issue(location: IssueLocation, name: &str, value: Option<Value>) -> InputIssue {
    InputIssue::invalid(
        location,
        name,
        value,
        format!("{name} holds a NUL character (U+0000), which no text may contain"),
    )
}

/// The path (`a.b[0].c`) of the first string in `value` that holds NUL, keys included.
fn nul_path(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::String(text) => text.contains('\0').then(|| path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_path(item, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if key.contains('\0') {
                Some(here)
            } else {
                nul_path(item, &here)
            }
        }),
        _ => None,
    }
}

/// Parses a JSON body, with issues naming the offending property.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // A body that does not parse is wrong as a whole, checked before its shape: where the parser
    // stopped (or what a truncated body lacks) names no field the client could fix.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(malformed_json)?;
    // JSON can only carry NUL escaped; look closer only when the escape is there.
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        if let Ok(raw) = serde_json::from_slice::<Value>(bytes) {
            if let Some(path) = nul_path(&raw, "") {
                return Err(ApiError::bad_request(vec![nul_issue(
                    IssueLocation::Body,
                    &path,
                    None,
                )]));
            }
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let raw: Option<Value> = serde_json::from_slice(bytes).ok();
        let issue = issue_from(IssueLocation::Body, error, |name| {
            raw.as_ref()
                .and_then(|raw| kiv_domain::merge_patch::value_at(raw, name))
                .cloned()
        });
        ApiError::bad_request(vec![issue])
    })?;
    deserializer.end().map_err(malformed_json)?;
    Ok(value)
}

/// The problem for a body that is not JSON at all: one issue about the whole body.
fn malformed_json(error: serde_json::Error) -> ApiError {
    ApiError::bad_request(vec![InputIssue::schema_violation(
        IssueLocation::Body,
        "",
        None,
        format!("the body is not well-formed JSON: {error}"),
    )])
}

/// What an `If-Match` header may hold: a comma-separated list of entity tags, each
/// `"..."` or `W/"..."` of visible ASCII characters other than `"` (RFC 9110), or a
/// representation's `version` as its body shows it (`3`, `3-5e0c41d2a1b4c7f0`). The OpenAPI
/// document gives it as the header's pattern, and [`expected_version`] refuses anything else
/// with 400, except `*` (RFC 9110 allows it), which it answers 428: a change names the version it
/// read.
pub const IF_MATCH_PATTERN: &str =
    r#"^([0-9]+(-[0-9a-f]{16})?|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)$"#;

/// The state a change expects, from `If-Match`: the validator of the entity tag the caller
/// read (`"3"`, `"3-5e0c41d2a1b4c7f0"`; a language a body was in, `"3@fr"`, does not matter to
/// a change, which is compared with the stored state whatever language it was read in). 428
/// without it, 400 when it is not an entity tag list at all; a well-formed tag that is not one
/// of ours (weak, of another form, or a list of several) can match nothing, so 412. `*` is
/// refused as if the header were missing (428): it matches whatever state is current, so it
/// would let a write overwrite a change it never saw, which optimistic locking is there to stop;
/// every write names the version it read.
pub fn expected_version(req: &HttpRequest) -> Result<Option<Validator>, ApiError> {
    let Some(value) = req.headers().get(actix_web::http::header::IF_MATCH) else {
        return Err(ApiError::PreconditionRequired);
    };
    let malformed = || {
        ApiError::bad_request(vec![InputIssue::invalid(
            IssueLocation::Header,
            "If-Match",
            value.to_str().ok().map(|v| Value::String(v.to_owned())),
            "If-Match is an entity tag such as \"3\" (the ETag of the resource as read) or its version",
        )])
    };
    let text = value
        .to_str()
        .map_err(|_| malformed())?
        .trim_matches([' ', '\t']);
    if text == "*" {
        return Err(ApiError::PreconditionRequired);
    }
    // The `version` of a representation as it stands in the body, unquoted: what a generated
    // client that cannot read headers sends.
    if !text.starts_with(['"', 'W']) {
        return match text.parse::<Validator>() {
            Ok(version) => Ok(Some(version)),
            // Shaped like a version but none kiv gave out (a number beyond any version).
            Err(kiv_domain::tag::ForeignTag::OutOfRange) => Err(ApiError::PreconditionFailed),
            Err(kiv_domain::tag::ForeignTag::Malformed) => Err(malformed()),
        };
    }
    let tags = entity_tags(text).ok_or_else(malformed)?;
    let [tag] = tags.as_slice() else {
        return Err(ApiError::PreconditionFailed);
    };
    let Some(opaque) = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return Err(ApiError::PreconditionFailed);
    };
    let state = match opaque.split_once('@') {
        Some((state, language))
            if kiv_domain::Language::ALL
                .iter()
                .any(|l| l.as_str() == language) =>
        {
            state
        }
        Some(_) => return Err(ApiError::PreconditionFailed),
        None => opaque,
    };
    state
        .parse::<Validator>()
        .map(Some)
        .map_err(|_| ApiError::PreconditionFailed)
}

/// The entity tags of a list such as `"3", W/"x"` (each `"..."` or `W/"..."` of visible ASCII
/// other than `"`, separated by commas with optional spaces and tabs); none when malformed.
fn entity_tags(text: &str) -> Option<Vec<&str>> {
    let mut tags = Vec::new();
    let mut rest = text;
    loop {
        let start = rest;
        let opaque = rest.strip_prefix("W/").unwrap_or(rest).strip_prefix('"')?;
        let end = opaque.find('"')?;
        let (inside, after) = opaque.split_at(end);
        if !inside
            .bytes()
            .all(|b| b == b'!' || (b'#'..=b'~').contains(&b))
        {
            return None;
        }
        let after = after.get(1..)?;
        tags.push(start.get(..start.len() - after.len())?);
        rest = after.trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            return Some(tags);
        }
        rest = rest.strip_prefix(',')?.trim_start_matches([' ', '\t']);
    }
}

/// Checks paging (against the service's page size cap) and sorting together, so one answer lists
/// every problem.
pub fn page_and_sort<F: Copy>(
    req: &HttpRequest,
    page: Option<i64>,
    page_size: Option<i64>,
    sort: Option<&str>,
    fields: &[(&'static str, F)],
) -> Result<(PageRequest, Vec<SortKey<F>>), ApiError> {
    let paging = PageRequest::new(page, page_size, crate::limits::of(req).max_page_size);
    let sorting = sort.map_or(Ok(Vec::new()), |s| parse_sort(s, fields));
    match (paging, sorting) {
        (Ok(page), Ok(sort)) => Ok((page, sort)),
        (paging, sorting) => Err(ApiError::bad_request(
            paging
                .err()
                .into_iter()
                .chain(sorting.err())
                .flatten()
                .collect(),
        )),
    }
}

/// For JSON merge patch (RFC 7396): an absent property stays `None`, `null` becomes `Some(None)`
/// (remove the value), anything else `Some(Some(value))`. Use with `#[serde(default)]`.
pub fn patch_field<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// An issue for a merge patch that sets a required property to `null`.
pub fn cannot_remove(name: &str) -> InputIssue {
    InputIssue::invalid(
        IssueLocation::Body,
        name,
        Some(Value::Null),
        format!("{name} is required and cannot be removed"),
    )
}

/// The value of a required property in a merge patch: absent stays `None`, `null` is an issue.
pub fn required<T>(
    name: &str,
    value: Option<Option<T>>,
    issues: &mut Vec<InputIssue>,
) -> Option<T> {
    match value {
        Some(None) => {
            issues.push(cannot_remove(name));
            None
        }
        Some(Some(value)) => Some(value),
        None => None,
    }
}

/// The language `Accept-Language` asks for: the one it prefers among kiv's, or Dutch (the
/// language every text has) when it names none of them; `None` without the header, which asks
/// for no language in particular.
pub fn preferred_language(req: &HttpRequest) -> Option<kiv_domain::Language> {
    let asked = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)?
        .to_str()
        .ok()
        .filter(|v| !v.trim().is_empty())?;
    Some(kiv_domain::Language::negotiate(asked).unwrap_or(kiv_domain::Language::Nl))
}

/// A label in the language the client asked for (falling back to Dutch, then any language),
/// when it asked for one.
pub fn label(req: &HttpRequest, text: &kiv_domain::LocalizedText) -> Option<String> {
    let language = preferred_language(req)?;
    text.get(language)
        .or_else(|| text.resolve(kiv_domain::Language::Nl).map(|(_, t)| t))
        .map(str::to_owned)
}

/// Whether the body is JSON: `application/json` or any `+json` type (merge patch, problem).
pub fn is_json(req: &HttpRequest) -> bool {
    req.mime_type()
        .ok()
        .flatten()
        .is_some_and(|mime| mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::entity_tags;

    #[test]
    fn reads_entity_tag_lists_as_the_documented_pattern_describes_them() {
        assert_eq!(entity_tags(r#""3""#), Some(vec![r#""3""#]));
        assert_eq!(
            entity_tags("W/\"a,b\" ,\t\"\""),
            Some(vec![r#"W/"a,b""#, r#""""#])
        );
        for malformed in [
            "",
            "3",
            r#""3"#,
            r#""3","#,
            r#"w/"3""#,
            "\"a b\"",
            r#""3" "4""#,
        ] {
            assert_eq!(entity_tags(malformed), None, "{malformed:?}");
        }
    }
}
