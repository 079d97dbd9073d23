//! The documentation the service serves about itself: the OpenAPI document (JSON and YAML), the
//! Swagger UI, and one page per problem type (the `href` of every problem answer).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa_swagger_ui::SwaggerUi;

use crate::problem::{ApiError, PROBLEM_DOCS};
use crate::BASE_PATH;

/// The problem types kiv answers with, and what an integrator should do about each.
pub const PROBLEM_TYPES: &[(&str, &str, &str)] = &[
    ("badRequest", "Bad Request",
     "The request was refused as it stands. Each entry of `issues` names one refused value (`in`, `name`, `value`) and why; fix them all and send the request again."),
    ("resourceNotFound", "Resource Not Found",
     "Nothing exists at this path, or no resource has the id it names. Check the id, or list the collection to find it."),
    ("methodNotAllowed", "Method Not Allowed",
     "The resource exists but does not accept this HTTP method; the `Allow` header lists the methods it does accept."),
    ("notAcceptable", "Not Acceptable",
     "The resource cannot be represented in any media type the `Accept` header allows."),
    ("payloadTooLarge", "Payload Too Large",
     "The request body is larger than the service accepts; split it into smaller requests."),
    ("unsupportedMediaType", "Unsupported Media Type",
     "The request body's `Content-Type` is not one this resource reads."),
    ("tooManyRequests", "Too Many Requests",
     "The client sent too many requests; wait for the number of seconds in `Retry-After`."),
    ("serviceUnavailable", "Service is unavailable",
     "The service cannot reach its database at the moment. Nothing was changed; try again shortly."),
    ("internalServerError", "Internal Server Error",
     "The service met an unexpected condition. Quote the problem's `instance` when reporting it: the details are in the service's log under that id."),
];

/// Mounts the documentation next to the API.
pub fn configure(cfg: &mut web::ServiceConfig, document: utoipa::openapi::OpenApi) {
    let yaml = document
        .to_yaml()
        .unwrap_or_else(|e| format!("# the document could not be rendered: {e}\n"));
    cfg.service(
        web::resource(format!("{BASE_PATH}/doc"))
            .route(web::get().to(|| async { redirect(&format!("{BASE_PATH}/doc/")) })),
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
    .service(
        SwaggerUi::new(format!("{BASE_PATH}/doc/{{_:.*}}"))
            .url(format!("{BASE_PATH}/doc/openapi.json"), document),
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
            format!("<li><a href=\"{PROBLEM_DOCS}/{name}\">{title}</a> <code>urn:problem-type:belgif:{name}</code></li>")
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
        .find(|(known, _, _)| *known == name.as_str())
        .ok_or_else(|| ApiError::not_found("problem type", &name))?;
    Ok(page(
        title,
        &format!("<h1>{title}</h1><p><code>urn:problem-type:belgif:{name}</code></p><p>{text}</p><p><a href=\"{PROBLEM_DOCS}\">All problem types</a></p>"),
    ))
}
