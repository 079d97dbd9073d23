//! The two pieces that make every failure a problem+json answer: the fallback for requests no
//! route takes, and the middleware that renders every error response with absolute links.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{
    HeaderMap, HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    ETAG, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use kiv_domain::{InputIssue, IssueLocation};

use crate::body_schema::BodySchema;
use crate::problem::ApiError;
use serde_json::Value;

/// Paths, methods and query parameters of the API, taken from the OpenAPI document so that the
/// 405 answers, the refusal of unknown parameters and the documentation can never disagree.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

#[derive(Debug)]
struct Route {
    segments: Vec<Segment>,
    methods: Vec<Method>,
    operations: Vec<Operation>,
}

/// What the document says of one method on one path.
#[derive(Debug)]
struct Operation {
    method: Method,
    /// The query parameters it declares.
    query: Vec<String>,
    /// The media types (essences, lower case) of its successful answers; empty when none has a
    /// body.
    produces: Vec<String>,
    /// The schema of its JSON request body, if it takes one.
    body: Option<BodySchema>,
}

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

impl Route {
    fn matches(&self, parts: &[&str]) -> bool {
        self.segments.len() == parts.len()
            && self
                .segments
                .iter()
                .zip(parts)
                .all(|(segment, part)| match segment {
                    Segment::Literal(literal) => literal == part,
                    Segment::Parameter => !part.is_empty(),
                })
    }

    fn literals(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }
}

/// The names of the query parameters among `parameters`.
fn query_names(
    parameters: Option<&Vec<utoipa::openapi::RefOr<utoipa::openapi::path::Parameter>>>,
) -> impl Iterator<Item = String> + '_ {
    use utoipa::openapi::path::ParameterIn;
    parameters
        .into_iter()
        .flatten()
        .filter_map(|parameter| match parameter {
            utoipa::openapi::RefOr::T(p) if p.parameter_in == ParameterIn::Query => {
                Some(p.name.clone())
            }
            _ => None,
        })
}

/// The media types (essences) of the successful answers of `operation`, shared responses
/// resolved.
fn success_media_types(
    document: &utoipa::openapi::OpenApi,
    operation: &utoipa::openapi::path::Operation,
) -> Vec<String> {
    use utoipa::openapi::RefOr;
    let mut types: Vec<String> = Vec::new();
    for (status, response) in &operation.responses.responses {
        if !status.starts_with('2') {
            continue;
        }
        let response = match response {
            RefOr::T(response) => Some(response),
            RefOr::Ref(reference) => document.components.as_ref().and_then(|components| {
                let name = reference.ref_location.rsplit('/').next()?;
                match components.responses.get(name)? {
                    RefOr::T(response) => Some(response),
                    RefOr::Ref(_) => None,
                }
            }),
        };
        for media_type in response.into_iter().flat_map(|r| r.content.keys()) {
            let essence = media_type
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if !types.contains(&essence) {
                types.push(essence);
            }
        }
    }
    types
}

impl RouteTable {
    pub fn new(document: &utoipa::openapi::OpenApi) -> Self {
        let components =
            std::sync::Arc::new(serde_json::to_value(&document.components).unwrap_or_default());
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .split('/')
                    .map(|s| {
                        if s.starts_with('{') && s.ends_with('}') {
                            Segment::Parameter
                        } else {
                            Segment::Literal(s.to_owned())
                        }
                    })
                    .collect();
                let operations: Vec<Operation> = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ]
                .into_iter()
                .filter_map(|(operation, method)| {
                    operation.as_ref().map(|operation| Operation {
                        method,
                        query: query_names(item.parameters.as_ref())
                            .chain(query_names(operation.parameters.as_ref()))
                            .collect(),
                        produces: success_media_types(document, operation),
                        body: operation.request_body.as_ref().and_then(|body| {
                            BodySchema::of(body, std::sync::Arc::clone(&components))
                        }),
                    })
                })
                .collect();
                Route {
                    segments,
                    methods: operations.iter().map(|o| o.method.clone()).collect(),
                    operations,
                }
            })
            .collect();
        Self { routes }
    }

    /// The route of `path`: of the templates that match it, the one with the most literal
    /// segments (`/followUps/missing` rather than `/followUps/{followUpId}`).
    fn route(&self, path: &str) -> Option<&Route> {
        let parts: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .filter(|route| route.matches(&parts))
            .max_by_key(|route| route.literals())
    }

    /// The methods the API accepts on `path` (HEAD wherever GET), or `None` when no route has
    /// that path.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        self.route(path).map(|route| {
            let mut methods = route.methods.clone();
            if methods.contains(&Method::GET) {
                methods.push(Method::HEAD);
            }
            methods
        })
    }

    /// The operation `method` on `path` (HEAD is read as GET).
    fn operation(&self, path: &str, method: &Method) -> Option<&Operation> {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.route(path)?
            .operations
            .iter()
            .find(|o| o.method == method)
    }

    /// The query parameters the operation `method` on `path` declares, or `None` when there is
    /// no such operation.
    pub fn query_parameters(&self, path: &str, method: &Method) -> Option<&[String]> {
        self.operation(path, method).map(|o| o.query.as_slice())
    }

    /// An issue for each value of `body` that the request schema of the operation `method` on
    /// `path` refuses (see [`crate::body_schema`]).
    pub fn body_issues(&self, path: &str, method: &Method, body: &Value) -> Vec<InputIssue> {
        self.operation(path, method)
            .and_then(|o| o.body.as_ref())
            .map(|schema| schema.issues(body))
            .unwrap_or_default()
    }

    /// The media types the operation `method` on `path` answers in when it succeeds, or `None`
    /// when there is no such operation.
    pub fn produces(&self, path: &str, method: &Method) -> Option<&[String]> {
        self.operation(path, method).map(|o| o.produces.as_slice())
    }
}

/// Refuses, for every operation, query parameters it does not declare (belgif: unknown input is
/// an error, not ignored): a mistyped filter must never silently answer as if it were absent,
/// and a parameter sent to a single resource is as much a mistake as one sent to a collection.
/// The declared parameters are the OpenAPI document's, so the rule and the documentation are
/// one. 400 with an `unknownInput` issue per unknown name; requests no operation takes pass on
/// to the fallback (404, 405).
pub async fn known_parameters(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let issues = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| {
            let declared = routes.query_parameters(req.path(), req.method())?;
            Some(unknown_parameters(req.query_string(), declared))
        })
        .unwrap_or_default();
    if issues.is_empty() {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    Ok(req
        .error_response(ApiError::bad_request(issues))
        .map_into_boxed_body())
}

/// An `unknownInput` issue for each parameter of `query` (once per name) not in `declared`.
fn unknown_parameters(query: &str, declared: &[String]) -> Vec<InputIssue> {
    let mut seen: Vec<String> = Vec::new();
    let mut issues = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if declared.iter().any(|d| *d == name) || seen.iter().any(|s| *s == name) {
            continue;
        }
        let takes = if declared.is_empty() {
            "none".to_owned()
        } else {
            declared.join(", ")
        };
        issues.push(InputIssue::unknown_input(
            IssueLocation::Query,
            name.as_ref(),
            Some(serde_json::Value::String(value.into_owned())),
            format!("{name} is not a parameter of this operation, which takes {takes}"),
        ));
        seen.push(name.into_owned());
    }
    issues
}

/// Answers requests no route takes: 405 with `Allow` when the path exists, 404 otherwise.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allowed) if !allowed.contains(req.method()) => ApiError::MethodNotAllowed {
            method: crate::head::requested_method(&req),
            allowed,
        },
        _ => ApiError::NoRoute(req.path().to_owned()),
    })
}

/// Renders every error response as problem+json with links on the request's own host, including
/// the errors actix raises itself (unreadable bodies, payload limits); logs server-side causes.
pub async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?;
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return Ok(response.map_into_boxed_body());
    }
    let req = response.request();
    let rendered = match response.response().error() {
        Some(error) => Some(match error.as_error::<ApiError>() {
            Some(api_error) => api_error.render_for(req),
            None => from_status(&response, error.to_string()).render_for(req),
        }),
        // An error status without an error: a deliberate answer (health's DOWN) when it has a
        // body type, an empty framework answer otherwise.
        None if !response.headers().contains_key(CONTENT_TYPE) => {
            Some(from_status(&response, String::new()).render_for(req))
        }
        None => None,
    };
    Ok(match rendered {
        Some(problem) => response.into_response(problem),
        None => response.map_into_boxed_body(),
    })
}

/// Headers every answer carries, whatever answered it (a route, the fallback, a problem, the
/// rate limit, the timeout):
/// - `X-Content-Type-Options: nosniff`, so that a browser never reads an answer as another type
///   than the one it states;
/// - on HTML (the printable reports, the Swagger UI), `X-Frame-Options: DENY` and, when the
///   page sets no policy of its own, `Content-Security-Policy: frame-ancestors 'none'`: no other
///   site may frame them. The Swagger UI keeps its own scripts and styles;
/// - on answers to requests that carried credentials (an `Authorization` header or a signed
///   report link) and whose handler set no `Cache-Control`: `private, no-cache` when the answer
///   has an `ETag` (no shared cache keeps it, and a client may keep it only to revalidate with
///   `If-None-Match`, which a 304 answers), `no-store` otherwise.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Taken now: the request may not be held while the inner layers run.
    let credentialed = req.headers().contains_key(AUTHORIZATION)
        || form_urlencoded::parse(req.query_string().as_bytes())
            .any(|(key, _)| key == crate::links::SIGNATURE);
    match next.call(req).await {
        Ok(response) => {
            let mut response = response.map_into_boxed_body();
            secure(response.headers_mut(), credentialed);
            Ok(response)
        }
        // An error an inner layer passed on as such (the timeout's answer): its response, secured.
        Err(error) => {
            let mut response = error.error_response();
            secure(response.headers_mut(), credentialed);
            Err(InternalError::from_response(error.to_string(), response).into())
        }
    }
}

fn secure(headers: &mut HeaderMap, credentialed: bool) {
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("text/html")
        });
    if html {
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        if !headers.contains_key(CONTENT_SECURITY_POLICY) {
            headers.insert(
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("frame-ancestors 'none'"),
            );
        }
    }
    if credentialed && !headers.contains_key(CACHE_CONTROL) {
        let policy = if headers.contains_key(ETAG) {
            "private, no-cache"
        } else {
            "no-store"
        };
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
}

/// The problem for an error actix raised itself, from its status.
fn from_status<B>(response: &ServiceResponse<B>, message: String) -> ApiError {
    match response.status() {
        StatusCode::BAD_REQUEST => ApiError::bad_request(vec![InputIssue::schema_violation(
            IssueLocation::Body,
            "",
            None,
            message,
        )]),
        StatusCode::NOT_FOUND => ApiError::NoRoute(response.request().path().to_owned()),
        // Whichever reader refused the body (bytes, a form, JSON), the answer states the limit.
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge {
            limit: crate::limits::of(response.request()).body_limit,
        },
        status if status.is_server_error() => ApiError::Internal(message),
        status => ApiError::Status {
            status,
            detail: if message.is_empty() {
                status.canonical_reason().unwrap_or_default().to_owned()
            } else {
                message
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_templates_segment_by_segment() {
        let table = RouteTable::new(&crate::openapi());
        assert_eq!(
            table.allowed("/kiv/v1/clusters/6"),
            Some(vec![Method::GET, Method::HEAD])
        );
        assert_eq!(
            table.allowed("/kiv/v1/clusters"),
            Some(vec![Method::GET, Method::HEAD])
        );
        assert_eq!(table.allowed("/kiv/v1/clusters/"), None);
        assert_eq!(table.allowed("/kiv/v1/clusters/6/x"), None);
        assert_eq!(table.allowed("/kiv/v2/clusters"), None);
    }
}

/// The span of each request in the logs: its trace ids (kiv's own `BelGov-Trace-Id`, and the
/// caller's as `related_trace_id` when it sent one), method, route, path and status,
/// but never the query string, which may carry a report link's signature (a credential). Every
/// line logged while the request is handled carries the span, so grepping the trace id finds them
/// all.
#[derive(Debug)]
pub struct RequestSpan;

impl tracing_actix_web::RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> tracing::Span {
        let trace = request
            .extensions()
            .get::<crate::observe::TraceId>()
            .cloned();
        let (trace_id, related) = trace.map_or_else(Default::default, |t| (t.id, t.related));
        tracing::info_span!(
            "HTTP request",
            trace_id = %trace_id,
            related_trace_id = %related.as_deref().unwrap_or_default(),
            http.method = %request.method(),
            http.route = %request.match_pattern().unwrap_or_default(),
            http.path = %request.path(),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: tracing::Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
