//! Every failure is answered as `application/problem+json` (RFC 9457) with belgif problem types,
//! so an integrator handles one error shape, whatever went wrong and wherever.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use kiv_domain::{InputIssue, IssueLocation, Role};
use kiv_store::StoreError;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Where the problem types are documented, relative to the server.
pub const PROBLEM_DOCS: &str = "/kiv/v1/doc/problems";

/// Why a presented token is refused. It lives here, beside the answer it becomes (401 with a
/// `WWW-Authenticate` challenge), so that the failure vocabulary sits below authentication;
/// authentication re-exports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Missing,
    Invalid,
    Expired,
    /// Well formed and signed, but the account was disabled or its rights changed since it was
    /// issued.
    Withdrawn,
}

/// An error answer (RFC 9457, belgif profile).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "type": "urn:problem-type:belgif:resourceNotFound",
    "href": "http://127.0.0.1:8080/kiv/v1/doc/problems/resourceNotFound",
    "title": "Resource Not Found",
    "status": 404,
    "detail": "No cluster with id or code \"11\"",
    "instance": "urn:uuid:0f7c5d0e-2b2a-4a53-a0d4-6b1c8f3e9a11",
    "traceId": "3f2c0a4e-8d1b-4c5e-9a77-52b1f0d6e2aa"
}))]
pub struct Problem {
    /// The problem type, a URN: `urn:problem-type:belgif:<name>` or `urn:problem-type:kiv:<name>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A page that documents the problem type.
    pub href: String,
    /// Short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// Identifies this occurrence; quote it when reporting a server error.
    pub instance: String,
    /// The request's `BelGov-Trace-Id` (also a header of the answer), under which the service
    /// logged it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "3f2c0a4e-8d1b-4c5e-9a77-52b1f0d6e2aa")]
    pub trace_id: Option<String>,
    /// The input values that were refused, one entry each (bad requests only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<Issue>,
    /// The id of the record that holds the unique key the request wanted (a code within its
    /// objective or plan, an external id, a login, a follow-up's action and period, ...): read or
    /// change that one instead. Only on a 409 for a duplicate, also when two requests created
    /// the same record at the same moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "5b7c2d1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e")]
    pub existing_id: Option<String>,
    /// The largest request body accepted, in bytes (belgif `payloadTooLarge`): split what was
    /// sent into requests no larger. Only on a 413.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 16777216)]
    pub limit: Option<usize>,
}

/// Where in the request a refused value was.
///
/// The values of a string the OpenAPI document shows as a closed set; never built.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = "body")]
#[allow(dead_code)] // describes a serialised string, is never built
pub enum IssueIn {
    Body,
    Query,
    Path,
    Header,
}

/// One refused input value.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:problem-type:belgif:input-validation:invalidInput",
    "title": "Invalid input",
    "detail": "progress must lie between 0 and 100",
    "in": "body",
    "name": "progress",
    "value": 140
}))]
pub struct Issue {
    /// The issue type, e.g. `urn:problem-type:belgif:input-validation:invalidInput`.
    #[serde(rename = "type")]
    pub issue_type: String,
    pub title: String,
    pub detail: String,
    /// Where the value was: `body`, `query`, `path` or `header`.
    #[serde(rename = "in")]
    #[schema(value_type = IssueIn)]
    pub location: String,
    /// The field, e.g. `pageSize` or `indicatorValues[0].value`; empty when the issue is about
    /// the whole input (a body that is not JSON at all).
    pub name: String,
    /// The value as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl From<InputIssue> for Issue {
    fn from(issue: InputIssue) -> Self {
        let InputIssue {
            issue_type,
            title,
            detail,
            location,
            name,
            value,
        } = issue;
        Issue {
            issue_type,
            title,
            detail,
            location: location.as_str().to_owned(),
            name,
            value,
        }
    }
}

/// Everything a request can fail with. Each variant knows its status and problem type; anything
/// unexpected becomes an opaque 500 whose details go to the log only, under the problem's
/// `instance`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// One or more input values were refused.
    #[error("the input message is incorrect")]
    BadRequest(Vec<InputIssue>),
    /// The resource named in the path does not exist.
    #[error("{0}")]
    NotFound(String),
    /// No route has this path.
    #[error("no resource at {0}")]
    NoRoute(String),
    /// The path exists, but not with this method.
    #[error("{method} is not allowed here")]
    MethodNotAllowed {
        method: Method,
        allowed: Vec<Method>,
    },
    /// Any other refusal, by status (payload too large, unsupported media type, ...).
    #[error("{detail}")]
    Status { status: StatusCode, detail: String },
    /// No token, or one that is not valid.
    #[error("access token refused: {0:?}")]
    Unauthenticated(TokenProblem),
    /// The caller has none of the roles the operation needs.
    #[error("one of the roles {0:?} is required")]
    MissingScope(Vec<Role>),
    /// The caller may not act on this object; the text says why.
    #[error("{0}")]
    MissingPermission(String),
    /// A workflow move the current state does not allow; the text names the state and the
    /// allowed moves.
    #[error("{0}")]
    InvalidTransition(String),
    /// The change contradicts the current state; the text says what.
    #[error("{0}")]
    Conflict(String),
    /// The record would duplicate one that exists: `existing_id` names it.
    #[error("{detail}")]
    Duplicate { detail: String, existing_id: String },
    /// A report link whose signature does not match its parameters.
    #[error("invalid report link")]
    InvalidLink,
    /// A report link past its expiry.
    #[error("expired report link")]
    ExpiredLink,
    /// A report link that was revoked, or whose maker may no longer pull reports.
    #[error("revoked report link")]
    RevokedLink,
    /// A change was sent without `If-Match`.
    #[error("If-Match is required")]
    PreconditionRequired,
    /// The resource changed since the entity tag in `If-Match` was read.
    #[error("the resource has changed")]
    PreconditionFailed,
    /// The `Idempotency-Key` was used before for another request.
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
    /// The `Idempotency-Key` belongs to a request that is still being answered.
    #[error("the idempotency key is in use")]
    IdempotencyKeyInUse,
    /// Too many failed log-ins; try again after the given number of seconds.
    #[error("too many failed log-ins")]
    TooManyFailedRequests { retry_after: u64 },
    /// The client sent more requests than its rate allows; try again after the given number of
    /// seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after: u64, per_minute: u32 },
    /// The request body is larger than the configured limit (in bytes).
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The request took longer than the configured timeout and was abandoned.
    #[error("the request took longer than {after:?}")]
    Timeout { after: std::time::Duration },
    /// The database did not answer in time.
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// A failure the client cannot fix; the message is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(issues: Vec<InputIssue>) -> Self {
        ApiError::BadRequest(issues)
    }

    /// `what` with `id` does not exist: `ApiError::not_found("cluster", "11")`.
    pub fn not_found(what: &str, id: &str) -> Self {
        ApiError::NotFound(format!("No {what} with id {id:?}"))
    }

    /// A `NotFound` from the store (which knows that a record is absent or not the caller's
    /// to see, not which path named it) as the 404 of the resource the path points at.
    pub fn not_found_as(self, what: &str, id: &str) -> Self {
        match self {
            ApiError::NotFound(_) => ApiError::not_found(what, id),
            other => other,
        }
    }

    /// The problem type, its title and the answer's status. `belgif:<name>` only for the types
    /// the belgif REST guide defines (an integrator's belgif library maps those by name); every
    /// type of kiv's own, the statuses belgif has no type for included, is `kiv:<name>`.
    fn kind(&self) -> (&'static str, &'static str, StatusCode) {
        match self {
            ApiError::BadRequest(_) => {
                ("belgif:badRequest", "Bad Request", StatusCode::BAD_REQUEST)
            }
            ApiError::NotFound(_) | ApiError::NoRoute(_) => (
                "belgif:resourceNotFound",
                "Resource Not Found",
                StatusCode::NOT_FOUND,
            ),
            ApiError::MethodNotAllowed { .. } => (
                "kiv:methodNotAllowed",
                "Method Not Allowed",
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            ApiError::Unauthenticated(TokenProblem::Missing) => (
                "belgif:noAccessToken",
                "No Access Token",
                StatusCode::UNAUTHORIZED,
            ),
            ApiError::Unauthenticated(TokenProblem::Invalid | TokenProblem::Withdrawn) => (
                "belgif:invalidAccessToken",
                "Invalid Access Token",
                StatusCode::UNAUTHORIZED,
            ),
            ApiError::Unauthenticated(TokenProblem::Expired) => (
                "belgif:expiredAccessToken",
                "Expired Access Token",
                StatusCode::UNAUTHORIZED,
            ),
            ApiError::MissingScope(_) => (
                "belgif:missingScope",
                "Missing Scope",
                StatusCode::FORBIDDEN,
            ),
            ApiError::MissingPermission(_) => (
                "belgif:missingPermission",
                "Missing Permission",
                StatusCode::FORBIDDEN,
            ),
            ApiError::Conflict(_) | ApiError::Duplicate { .. } => {
                ("kiv:conflict", "Conflict", StatusCode::CONFLICT)
            }
            ApiError::InvalidLink => ("kiv:invalidLink", "Invalid link", StatusCode::UNAUTHORIZED),
            ApiError::ExpiredLink => ("kiv:expiredLink", "Expired link", StatusCode::FORBIDDEN),
            ApiError::RevokedLink => ("kiv:revokedLink", "Revoked link", StatusCode::GONE),
            ApiError::InvalidTransition(_) => (
                "kiv:invalidTransition",
                "Invalid transition",
                StatusCode::CONFLICT,
            ),
            ApiError::IdempotencyKeyReused => (
                "kiv:idempotencyKeyReused",
                "Idempotency Key Reused",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            ApiError::IdempotencyKeyInUse => (
                "kiv:idempotencyKeyInUse",
                "Idempotency Key In Use",
                StatusCode::CONFLICT,
            ),
            ApiError::PreconditionRequired => (
                "kiv:preconditionRequired",
                "Precondition Required",
                StatusCode::PRECONDITION_REQUIRED,
            ),
            ApiError::PreconditionFailed => (
                "kiv:preconditionFailed",
                "Precondition Failed",
                StatusCode::PRECONDITION_FAILED,
            ),
            ApiError::TooManyFailedRequests { .. } => (
                "belgif:tooManyFailedRequests",
                "Too Many Failed Requests",
                StatusCode::TOO_MANY_REQUESTS,
            ),
            ApiError::Status { status, .. } => {
                let name = match *status {
                    StatusCode::NOT_ACCEPTABLE => "kiv:notAcceptable",
                    StatusCode::PAYLOAD_TOO_LARGE => "belgif:payloadTooLarge",
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => "kiv:unsupportedMediaType",
                    StatusCode::TOO_MANY_REQUESTS => "belgif:tooManyRequests",
                    _ => "",
                };
                (name, status.canonical_reason().unwrap_or("Error"), *status)
            }
            ApiError::TooManyRequests { .. } => (
                "belgif:tooManyRequests",
                "Too Many Requests",
                StatusCode::TOO_MANY_REQUESTS,
            ),
            ApiError::PayloadTooLarge { .. } => (
                "belgif:payloadTooLarge",
                "Payload Too Large",
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            ApiError::Unavailable(_) | ApiError::Timeout { .. } => (
                "belgif:serviceUnavailable",
                "Service is unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            ApiError::Internal(_) => (
                "belgif:internalServerError",
                "Internal Server Error",
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        }
    }

    /// The text sent to the client: never a database message, a path or a panic.
    fn public_detail(&self) -> String {
        match self {
            ApiError::BadRequest(_) => "The input message is incorrect".into(),
            ApiError::NotFound(detail)
            | ApiError::Status { detail, .. }
            | ApiError::MissingPermission(detail)
            | ApiError::Conflict(detail)
            | ApiError::Duplicate { detail, .. }
            | ApiError::InvalidTransition(detail) => detail.clone(),
            ApiError::Unauthenticated(TokenProblem::Missing) => {
                "This resource needs an access token: Authorization: Bearer <token> (POST /kiv/v1/auth/token)".into()
            }
            ApiError::Unauthenticated(TokenProblem::Invalid) => {
                "The access token is not valid for this service".into()
            }
            ApiError::Unauthenticated(TokenProblem::Expired) => {
                "The access token has expired; request a new one".into()
            }
            ApiError::Unauthenticated(TokenProblem::Withdrawn) => {
                "The access token was withdrawn: its account was disabled, or its roles or secret changed since the token was issued; request a new one".into()
            }
            ApiError::MissingScope(roles) => format!(
                "This operation needs the role {}",
                roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")
            ),
            ApiError::InvalidLink => {
                "The link's signature does not match its parameters; ask for a new link".into()
            }
            ApiError::ExpiredLink => "The link has expired; ask for a new one".into(),
            ApiError::RevokedLink => {
                "The link was revoked, or its maker may no longer pull reports; ask for a new one"
                    .into()
            }
            ApiError::PreconditionRequired => {
                "Send the resource's ETag in If-Match (the version read, not *), so that concurrent changes are detected".into()
            }
            ApiError::PreconditionFailed => {
                "The resource has changed since the ETag in If-Match; read it again and retry".into()
            }
            ApiError::IdempotencyKeyReused => {
                "This Idempotency-Key was used for a different request; use a new key for a new request".into()
            }
            ApiError::IdempotencyKeyInUse => {
                "A request with this Idempotency-Key is still being answered; retry in a moment".into()
            }
            ApiError::TooManyFailedRequests { retry_after } => format!(
                "Too many failed log-ins; try again in {retry_after} seconds"
            ),
            ApiError::NoRoute(path) => format!("No resource at {path}"),
            ApiError::MethodNotAllowed { method, allowed } => format!(
                "{method} is not allowed on this resource; allowed: {}",
                join_methods(allowed)
            ),
            ApiError::TooManyRequests {
                retry_after,
                per_minute,
            } => format!(
                "More than {per_minute} requests a minute from this client; try again in {retry_after} seconds"
            ),
            ApiError::PayloadTooLarge { limit } => format!(
                "The body is larger than the limit of {limit} bytes ({}); split it into smaller requests",
                human_size(*limit)
            ),
            ApiError::Timeout { after } => format!(
                "The request took longer than {} seconds and was abandoned; a change it carried may still have been applied: read before retrying, or retry with the same Idempotency-Key",
                after.as_secs_f64()
            ),
            ApiError::Unavailable(_) => {
                "The service cannot reach its database; try again shortly".into()
            }
            ApiError::Internal(_) => {
                "The server met an unexpected condition; quote the instance when reporting it"
                    .into()
            }
        }
    }

    /// The answer to `req`: links on the request's own host, and its trace id.
    pub fn render_for(&self, req: &actix_web::HttpRequest) -> HttpResponse {
        self.render_traced(
            &crate::origin::base_url(req),
            crate::observe::TraceId::get(req),
        )
    }

    /// The answer with links rooted at `base_url` and the request's trace id, for where the
    /// request itself is out of reach.
    pub fn render_traced(&self, base_url: &str, trace_id: Option<String>) -> HttpResponse {
        let mut problem = self.to_problem(base_url);
        problem.trace_id = trace_id;
        self.log(&problem);
        self.response(&problem)
    }

    /// The problem for a request body that could not be read: too large (the limit in force is
    /// `limit`), or broken off.
    pub fn unreadable_body(error: &actix_web::Error, limit: usize) -> Self {
        if error.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit }
        } else {
            ApiError::bad_request(vec![InputIssue::schema_violation(
                IssueLocation::Body,
                "",
                None,
                format!("the body cannot be read: {error}"),
            )])
        }
    }

    /// The problem document, its `href` rooted at `base_url` (scheme and host of the request).
    pub fn to_problem(&self, base_url: &str) -> Problem {
        let (name, title, status) = self.kind();
        let instance = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        // Statuses without a problem type get RFC 9457's `about:blank` and the index page.
        let (problem_type, href) = match name.split_once(':') {
            Some((_, short)) => (
                format!("urn:problem-type:{name}"),
                format!("{base_url}{PROBLEM_DOCS}/{short}"),
            ),
            None => (
                "about:blank".to_owned(),
                format!("{base_url}{PROBLEM_DOCS}"),
            ),
        };
        Problem {
            problem_type,
            href,
            title: title.into(),
            status: status.as_u16(),
            detail: self.public_detail(),
            instance,
            trace_id: None,
            issues: match self {
                ApiError::BadRequest(issues) => issues.iter().cloned().map(Issue::from).collect(),
                _ => Vec::new(),
            },
            existing_id: match self {
                ApiError::Duplicate { existing_id, .. } => Some(existing_id.clone()),
                _ => None,
            },
            limit: match self {
                ApiError::PayloadTooLarge { limit } => Some(*limit),
                _ => None,
            },
        }
    }

    /// The full answer, with the server-side cause of a 5xx logged under the problem's instance
    /// (the only place the cause ever appears).
    pub fn render(&self, base_url: &str) -> HttpResponse {
        let problem = self.to_problem(base_url);
        self.log(&problem);
        self.response(&problem)
    }

    fn log(&self, problem: &Problem) {
        match self {
            ApiError::Internal(cause) => {
                tracing::error!(instance = %problem.instance, %cause, "request failed");
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(instance = %problem.instance, %cause, "database unavailable");
            }
            _ => {}
        }
    }

    fn response(&self, problem: &Problem) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        // Titles and details are written in English.
        response.insert_header((header::CONTENT_LANGUAGE, "en"));
        match self {
            ApiError::MethodNotAllowed { allowed, .. } => {
                if let Ok(value) = HeaderValue::from_str(&join_methods(allowed)) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            ApiError::Unauthenticated(problem) => {
                let challenge = match problem {
                    TokenProblem::Missing => r#"Bearer realm="kiv""#,
                    TokenProblem::Invalid => r#"Bearer realm="kiv", error="invalid_token""#,
                    TokenProblem::Expired => {
                        r#"Bearer realm="kiv", error="invalid_token", error_description="expired""#
                    }
                    TokenProblem::Withdrawn => {
                        r#"Bearer realm="kiv", error="invalid_token", error_description="withdrawn""#
                    }
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            // RFC 6750 §3.1, as belgif asks of `missingScope`: the token is fine, its scopes are
            // not, and the challenge names the scopes (kiv's roles) that would be admitted.
            ApiError::MissingScope(roles) => {
                let scopes = roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let challenge = format!(r#"Bearer error="insufficient_scope", scope="{scopes}""#);
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    response.insert_header((header::WWW_AUTHENTICATE, value));
                }
            }
            ApiError::TooManyFailedRequests { retry_after }
            | ApiError::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            // The first request is still being answered: its answer is usually a moment away.
            ApiError::IdempotencyKeyInUse => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            _ => {}
        }
        match serde_json::to_vec(problem) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}

/// `16 MiB`, `512 KiB`, `100 bytes`.
fn human_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes % KIB == 0 {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn join_methods(methods: &[Method]) -> String {
    methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().2
    }

    /// Without the request at hand the `href` is relative; the problem middleware renders the
    /// answer again with the request's base URL, and logs it.
    fn error_response(&self) -> HttpResponse {
        self.response(&self.to_problem(""))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => ApiError::Unavailable(cause),
            StoreError::DeadlinePassed { after } => ApiError::Timeout { after },
            StoreError::NotFound => ApiError::NotFound("The resource does not exist".into()),
            StoreError::VersionMismatch { .. } => ApiError::PreconditionFailed,
            StoreError::VersionRequired => ApiError::PreconditionRequired,
            StoreError::Conflict(detail) => ApiError::Conflict(detail),
            StoreError::Duplicate {
                existing_id,
                detail,
            } => ApiError::Duplicate {
                detail,
                existing_id,
            },
            // A unique key no lookup names (none of the API's records): still a conflict with
            // what another request wrote at the same moment, not a server error.
            StoreError::Unique(_) => ApiError::Conflict(
                "Another request stored the same key at the same moment; read the current state and retry".into(),
            ),
            // The schema's own reference and check rules, caught only at the write: the checks
            // before it passed, so another request changed the data in between. A conflict to
            // retry after reading again, not a server error.
            StoreError::Reference(_) => ApiError::Conflict(
                "Another request removed or changed a record this one refers to at the same moment; read the current state and retry".into(),
            ),
            StoreError::Check(_) => ApiError::Conflict(
                "Another request changed the record at the same moment and the change no longer fits it; read the current state and retry".into(),
            ),
            StoreError::Rejected(issues) => ApiError::bad_request(issues),
            StoreError::NotPermitted(detail) => ApiError::MissingPermission(detail),
            StoreError::InvalidTransition(refused) => {
                ApiError::InvalidTransition(refused.to_string())
            }
            StoreError::MissingReference { field, id } => {
                ApiError::bad_request(vec![InputIssue::referenced_resource_not_found(
                    IssueLocation::Body,
                    field,
                    &id,
                )])
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(format!("blocking task failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema's reference and check rules fire only when another request changed the data
    /// after this one's checks: a conflict to retry (409), while stored data that no longer fits stays a 500.
    #[test]
    fn schema_rule_violations_are_conflicts() {
        let status = |error: StoreError| ApiError::from(error).status_code();
        assert_eq!(
            status(StoreError::Reference(
                "FOREIGN KEY constraint failed".into()
            )),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status(StoreError::Check("CHECK constraint failed".into())),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status(StoreError::Corrupt("kind 'ministry'".into())),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
