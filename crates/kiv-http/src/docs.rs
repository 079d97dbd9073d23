//! The documentation the service serves about itself: the OpenAPI document (JSON and YAML), the
//! Swagger UI, and one page per problem type (the `href` of every problem answer).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::problem::{ApiError, PROBLEM_DOCS};
use crate::BASE_PATH;

/// The problem types kiv answers with (namespace and name), and what an integrator should do
/// about each: `belgif:` for the types the belgif REST guide defines, `kiv:` for kiv's own. The
/// page of each is under its name alone, whatever its namespace.
pub const PROBLEM_TYPES: &[(&str, &str, &str)] = &[
    ("belgif:badRequest", "Bad Request",
     "The request was refused as it stands. Each entry of `issues` names one refused value (`in`, `name`, `value`) and why; fix them all and send the request again. Nothing was changed."),
    ("belgif:resourceNotFound", "Resource Not Found",
     "Nothing exists at this path, or no resource has the id it names. Check the id, or list the collection to find it."),
    ("kiv:methodNotAllowed", "Method Not Allowed",
     "The resource exists but does not accept this HTTP method; the `Allow` header lists the methods it does accept."),
    ("belgif:noAccessToken", "No Access Token",
     "The resource needs an access token. Obtain one at `POST /kiv/v1/auth/token` and send it as `Authorization: Bearer <token>`."),
    ("belgif:invalidAccessToken", "Invalid Access Token",
     "The access token was not issued by this service for this audience, has been altered, or was withdrawn: its account was disabled, or its roles or secret changed since it was issued (such a change takes effect within seconds on every node). Obtain a new one."),
    ("belgif:expiredAccessToken", "Expired Access Token",
     "The access token has expired (they live 15 minutes by default). Obtain a new one with the same credentials."),
    ("belgif:missingScope", "Missing Scope",
     "The caller's roles do not allow this operation; the detail names the role it needs, and the `WWW-Authenticate` challenge (`error=\"insufficient_scope\"`) lists them as `scope`."),
    ("belgif:missingPermission", "Missing Permission",
     "The caller's role allows the operation, but not on this object (it belongs to another organisation)."),
    ("belgif:tooManyFailedRequests", "Too Many Failed Requests",
     "Too many failed log-ins for this account or from this address: the attempt was not evaluated. Wait for the number of seconds in `Retry-After`, then try again (the right secret then succeeds)."),
    ("kiv:conflict", "Conflict",
     "The request contradicts the current state (a duplicate, or a dependency); the detail says which. Nothing was changed. For a duplicate (a unique key such as a code within its objective, an external id, a login, one follow-up per action and period) the problem's `existingId` is the id of the record that holds the key, also when two requests created it at the same moment: read or change that one."),
    ("kiv:preconditionRequired", "Precondition Required",
     "Changes need `If-Match` with the resource's current `ETag`, so that concurrent edits are detected. Read the resource, then send its ETag."),
    ("kiv:preconditionFailed", "Precondition Failed",
     "The resource changed since the `ETag` sent in `If-Match` (also when what changed is shown in it but stored elsewhere, such as an action's status after an approval). Read it again, reapply the change and retry. Nothing was changed."),
    ("kiv:idempotencyKeyReused", "Idempotency Key Reused",
     "The `Idempotency-Key` was sent before with a different request. A key stands for one request: retries repeat it exactly, a new request takes a new key."),
    ("kiv:idempotencyKeyInUse", "Idempotency Key In Use",
     "A request with this `Idempotency-Key` is still being answered. Retry in a moment to receive its answer."),
    ("kiv:invalidLink", "Invalid link",
     "A report link whose signature does not match its path and parameters: a parameter was changed, or the link was not made by kiv. Ask for a new link (POST /kiv/v1/reports/links)."),
    ("kiv:expiredLink", "Expired link",
     "A report link past its expiry. Ask for a new link (POST /kiv/v1/reports/links)."),
    ("kiv:revokedLink", "Revoked link",
     "A report link that was revoked (DELETE /kiv/v1/reports/links/{linkId}), or whose maker may no longer pull reports (the account was disabled or lost its roles). Ask somebody who may pull reports for a new link."),
    ("kiv:invalidTransition", "Invalid transition",
     "The follow-up's review state does not allow this move (a draft cannot be approved, an approved follow-up cannot be submitted). The detail names the state and the moves it allows."),
    ("kiv:periodInFuture", "Period not begun",
     "The reporting period has not begun yet: nobody reports on it before it starts."),
    ("kiv:duplicateRow", "Duplicate row",
     "Two or more rows of one batch or CSV file are the follow-up of the same action (named by `actionId`, or by `actionExternalId` with `organisationId`) and period; the detail names them all. Send one row per action and period: each of them was refused."),
    ("kiv:periodOutsidePlan", "Period outside the plan",
     "A date or reporting period lies outside the period of the plan it belongs to. It is refused, never clamped: check the plan's `periodStart`, `periodEnd` and `reportingPeriods`."),
    ("kiv:notAcceptable", "Not Acceptable",
     "The resource cannot be represented in any media type the `Accept` header allows."),
    ("belgif:payloadTooLarge", "Payload Too Large",
     "The request body is larger than the service accepts (16 MiB unless configured otherwise; the problem's `limit` states the limit in force, in bytes). Split it into smaller requests."),
    ("kiv:unsupportedMediaType", "Unsupported Media Type",
     "The request body's `Content-Type` is not one this resource reads."),
    ("belgif:tooManyRequests", "Too Many Requests",
     "The client sent more requests in the last minute than the service allows one client (the token's subject, or the address without a token); the detail states the rate. Wait for the number of seconds in `Retry-After`."),
    ("belgif:serviceUnavailable", "Service is unavailable",
     "The service cannot reach its database at the moment (nothing was changed; try again shortly), or the request took longer than the service allows and was abandoned (the detail says so: a change it carried may still have been applied, so read before retrying)."),
    ("belgif:internalServerError", "Internal Server Error",
     "The service met an unexpected condition. Quote the problem's `instance` when reporting it: the details are in the service's log under that id."),
];

fn short_name(urn_name: &str) -> &str {
    urn_name
        .split_once(':')
        .map_or(urn_name, |(_, short)| short)
}

/// Mounts the documentation next to the API: the OpenAPI document, rendered once per server
/// (JSON and YAML), and the Swagger UI that reads it.
pub fn configure(cfg: &mut web::ServiceConfig, json: web::Bytes, yaml: web::Bytes) {
    let json_url = format!("{BASE_PATH}/doc/openapi.json");
    cfg.service(
        web::resource(format!("{BASE_PATH}/doc"))
            .route(web::get().to(|| async { redirect(&format!("{BASE_PATH}/doc/")) })),
    )
    .service(
        web::resource(json_url.clone()).route(web::get().to(move || {
            let json = json.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(json)
            }
        })),
    )
    .service(
        web::resource(format!("{BASE_PATH}/doc/openapi.yaml")).route(web::get().to(move || {
            let yaml = yaml.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("application/yaml; charset=utf-8")
                    .body(yaml)
            }
        })),
    )
    .service(web::resource(PROBLEM_DOCS).route(web::get().to(problem_index)))
    .service(web::resource(format!("{PROBLEM_DOCS}/{{name}}")).route(web::get().to(problem_page)))
    // `validatorUrl: "none"`: Swagger UI otherwise sends the document's URL to
    // validator.swagger.io for a badge whenever the host is not a loopback name, the one
    // request the page would make outside this service (its scripts and styles are served here).
    .service(
        SwaggerUi::new(format!("{BASE_PATH}/doc/{{_:.*}}"))
            .config(Config::new([json_url]).validator_url("none")),
    );
}

fn redirect(location: &str) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, location))
        .finish()
}

fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
             <style>body{{font-family:sans-serif;max-width:44rem;margin:2rem auto;line-height:1.5}}\
             code{{background:#f3f3f3;padding:0 .2em}}</style></head><body>{body}</body></html>"
        ))
}

async fn problem_index() -> HttpResponse {
    let items: String = PROBLEM_TYPES
        .iter()
        .map(|(name, title, _)| {
            let short = short_name(name);
            format!("<li><a href=\"{PROBLEM_DOCS}/{short}\">{title}</a> <code>urn:problem-type:{name}</code></li>")
        })
        .collect();
    page(
        "kiv problem types",
        &format!("<h1>Problem types</h1><p>Every error answer of kiv is <code>application/problem+json</code> (RFC 9457) with one of these types.</p><ul>{items}</ul>"),
    )
}

async fn problem_page(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (name, title, text) = PROBLEM_TYPES
        .iter()
        .find(|(known, _, _)| short_name(known) == name.as_str())
        .ok_or_else(|| ApiError::not_found("problem type", &name))?;
    Ok(page(
        title,
        &format!("<h1>{title}</h1><p><code>urn:problem-type:{name}</code></p><p>{text}</p><p><a href=\"{PROBLEM_DOCS}\">All problem types</a></p>"),
    ))
}
