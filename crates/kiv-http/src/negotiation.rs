//! Content negotiation by `Accept` (RFC 9110 §12.5.1) on every resource, not only on the
//! reports: an answer the client said it cannot take is `406 Not Acceptable`, and every answer
//! to a read says `Vary: Accept`, since what it holds (a representation or a 406) depends on it.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, VARY};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;

use crate::middleware::RouteTable;
use crate::problem::ApiError;

/// The media ranges of `Accept` with their quality (`q`, default 1), essences in lower case;
/// `None` when the request sends no `Accept` or a blank one (which accepts anything).
pub fn accept_ranges(headers: &HeaderMap) -> Option<Vec<(String, f32)>> {
    let accept = headers
        .get_all(ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    if accept.trim().is_empty() {
        return None;
    }
    Some(
        accept
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let essence = pieces.next()?.trim().to_ascii_lowercase();
                if essence.is_empty() {
                    return None;
                }
                let quality = pieces
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((essence, quality))
            })
            .collect(),
    )
}

/// Whether a media type is JSON of some kind (`application/json`, `application/problem+json`,
/// ...): a client that asks for one JSON type takes any of them.
fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

/// How `ranges` accept the media type `essence` (lower case, without parameters): the quality
/// and the position in `Accept` of the most specific range that matches it (`text/csv` before
/// `text/*` before `*/*`), or `None` when no range does.
pub fn acceptance(ranges: &[(String, f32)], essence: &str) -> Option<(f32, usize)> {
    let major = essence.split('/').next().unwrap_or_default();
    let mut best: Option<(u8, f32, usize)> = None;
    for (position, (range, quality)) in ranges.iter().enumerate() {
        let specificity = if range == essence || (is_json(range) && is_json(essence)) {
            3
        } else if range.strip_suffix("/*") == Some(major) {
            2
        } else if range == "*/*" {
            1
        } else {
            continue;
        };
        if best.is_none_or(|(s, _, _)| specificity > s) {
            best = Some((specificity, *quality, position));
        }
    }
    best.map(|(_, quality, position)| (quality, position))
}

/// Whether `ranges` accept `essence` at all (a matching range with a quality above 0).
pub fn accepts(ranges: &[(String, f32)], essence: &str) -> bool {
    acceptance(ranges, essence).is_some_and(|(quality, _)| quality > 0.0)
}

/// The essence (`type/subtype`, lower case) of a `Content-Type` value.
fn essence(content_type: &HeaderValue) -> Option<String> {
    let text = content_type.to_str().ok()?;
    let essence = text.split(';').next()?.trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// The media type of bytes of no particular kind.
pub const OCTET_STREAM: &str = "application/octet-stream";

fn not_acceptable(types: &[String]) -> ApiError {
    ApiError::Status {
        status: StatusCode::NOT_ACCEPTABLE,
        detail: format!("This resource is available as {}", types.join(", ")),
    }
}

/// Refuses with `406 Not Acceptable` what a client could not take:
/// - a change (POST, PUT, PATCH, DELETE) whose documented answers the `Accept` header excludes,
///   before anything is changed;
/// - a read whose answer is of a type `Accept` excludes (reads change nothing, so the answer is
///   checked once made: the reports choose among their formats themselves).
///
/// Problems are answered as problem+json whatever `Accept` says: a client must learn why it
/// failed. Every answer to a read carries `Vary: Accept`.
pub async fn acceptable_answers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let ranges = accept_ranges(req.headers());
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let routes = req.app_data::<web::Data<RouteTable>>().cloned();
    let documented = routes
        .as_ref()
        .and_then(|routes| routes.produces(req.path(), req.method()))
        .unwrap_or_default();
    if let (Some(ranges), false) = (&ranges, read) {
        if !documented.is_empty() && !documented.iter().any(|t| accepts(ranges, t)) {
            let problem = not_acceptable(documented).render_for(req.request());
            return Ok(req.into_response(problem));
        }
    }
    // An operation that documents its file as bytes answers a client that asks for bytes with
    // the file under its own media type.
    let takes_bytes = ranges.as_ref().is_some_and(|ranges| {
        accepts(ranges, OCTET_STREAM) && documented.iter().any(|t| t == OCTET_STREAM)
    });
    let mut response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    if !read || !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return Ok(response);
    }
    let refused = match (
        &ranges,
        response.headers().get(CONTENT_TYPE).and_then(essence),
    ) {
        (Some(ranges), Some(essence))
            if status.is_success() && !takes_bytes && !accepts(ranges, &essence) =>
        {
            Some(essence)
        }
        _ => None,
    };
    if let Some(essence) = refused {
        let problem = not_acceptable(&[essence]).render_for(response.request());
        response = response.into_response(problem);
    }
    add_vary(response.headers_mut(), "Accept");
    Ok(response)
}

/// Adds `name` to the answer's `Vary` unless it is already there (or `Vary: *`).
pub fn add_vary(headers: &mut HeaderMap, name: &str) {
    let present = headers
        .get_all(VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|token| {
            let token = token.trim();
            token == "*" || token.eq_ignore_ascii_case(name)
        });
    if present {
        return;
    }
    let joined = headers
        .get(VARY)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| name.to_owned(), |existing| format!("{existing}, {name}"));
    if let Ok(value) = HeaderValue::from_str(&joined) {
        headers.insert(VARY, value);
    }
}

/// Declares the `406 Not Acceptable` of every operation that answers with a body.
pub fn declare(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::response::Response;
    use utoipa::openapi::{Content, Ref, RefOr};

    let refused = Response::builder()
        .description(
            "The `Accept` header excludes every media type the operation answers in \
             (`notAcceptable`)",
        )
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build();
    for item in document.paths.paths.values_mut() {
        for operation in crate::openapi_common::operations(item)
            .into_iter()
            .flatten()
        {
            let answers_content = operation.responses.responses.iter().any(|(status, r)| {
                status.starts_with('2') && matches!(r, RefOr::T(r) if !r.content.is_empty())
            });
            if answers_content {
                operation
                    .responses
                    .responses
                    .entry("406".into())
                    .or_insert_with(|| refused.clone().into());
            }
        }
    }
}

/// The component schemas of bodies that carry a `label` in the language `Accept-Language` asks
/// for, collections of them included.
fn labelled_schemas(document: &utoipa::openapi::OpenApi) -> Vec<String> {
    use utoipa::openapi::schema::{ArrayItems, Schema};
    use utoipa::openapi::RefOr;
    let Some(components) = document.components.as_ref() else {
        return Vec::new();
    };
    let name_of = |schema: &RefOr<Schema>| match schema {
        RefOr::Ref(reference) => reference
            .ref_location
            .strip_prefix("#/components/schemas/")
            .map(str::to_owned),
        RefOr::T(_) => None,
    };
    let labelled: Vec<String> = components
        .schemas
        .iter()
        .filter(|(_, schema)| {
            matches!(schema, RefOr::T(Schema::Object(o)) if o.properties.contains_key("label"))
        })
        .map(|(name, _)| name.clone())
        .collect();
    let collections = components.schemas.iter().filter_map(|(name, schema)| {
        let RefOr::T(Schema::Object(object)) = schema else {
            return None;
        };
        let Some(RefOr::T(Schema::Array(items))) = object.properties.get("items") else {
            return None;
        };
        let ArrayItems::RefOrSchema(item) = &items.items else {
            return None;
        };
        name_of(item)
            .filter(|item| labelled.contains(item))
            .map(|_| name.clone())
    });
    let collections: Vec<String> = collections.collect();
    labelled.into_iter().chain(collections).collect()
}

/// Declares, on every operation whose answer carries `label`s, the `Accept-Language` it reads
/// and the `Content-Language` and `Vary` of its answers.
pub fn declare_languages(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, RefOr, Required, Type};

    let labelled = labelled_schemas(document);
    let text = || ObjectBuilder::new().schema_type(Type::String);
    let accept_language = ParameterBuilder::new()
        .name("Accept-Language")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Adds a `label` in this language (nl, fr, de or en; quality values honoured). One \
             that names none of them gets Dutch, the language every text has",
        ))
        .schema(Some(text()))
        .example(Some(serde_json::json!("fr-BE, fr;q=0.9, nl;q=0.5")))
        .build();
    let content_language = HeaderBuilder::new()
        .schema(Some(text().enum_values(Some(["nl", "fr", "de", "en"]))))
        .description(Some(
            "The language of the `label`s, when `Accept-Language` asked for one",
        ))
        .example(Some(serde_json::json!("fr")))
        .build();
    let vary = HeaderBuilder::new()
        .schema(Some(text()))
        .description(Some(
            "Names `Accept-Language` (and, on reads, `Accept`): the body follows it, so no cache \
             hands one language's body to another",
        ))
        .example(Some(serde_json::json!("Accept-Language, Accept")))
        .build();
    for item in document.paths.paths.values_mut() {
        for operation in crate::openapi_common::operations(item)
            .into_iter()
            .flatten()
        {
            let mut labels = false;
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                let carries_labels = status.starts_with('2')
                    && response.content.values().any(|content| {
                        matches!(content, RefOr::T(content) if matches!(&content.schema,
                            Some(RefOr::Ref(r)) if r.ref_location
                                .strip_prefix("#/components/schemas/")
                                .is_some_and(|name| labelled.iter().any(|l| l == name))))
                    });
                if carries_labels {
                    labels = true;
                    response
                        .headers
                        .entry("Content-Language".into())
                        .or_insert_with(|| RefOr::T(content_language.clone()));
                    response
                        .headers
                        .entry("Vary".into())
                        .or_insert_with(|| RefOr::T(vary.clone()));
                }
            }
            if !labels {
                continue;
            }
            let parameters = operation.parameters.get_or_insert_with(Vec::new);
            parameters.retain(
                |p| !matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case("Accept-Language")),
            );
            parameters.push(RefOr::T(accept_language.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(accept: &str) -> Vec<(String, f32)> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_str(accept).unwrap_or(HeaderValue::from_static("")),
        );
        accept_ranges(&headers).unwrap_or_default()
    }

    #[test]
    fn matches_the_most_specific_range() {
        assert!(accepts(&ranges("text/*"), "text/csv"));
        assert!(accepts(
            &ranges("application/problem+json"),
            "application/json"
        ));
        assert!(accepts(
            &ranges("application/json"),
            "application/jwk-set+json"
        ));
        assert!(!accepts(&ranges("text/csv"), "application/json"));
        assert!(!accepts(
            &ranges("*/*, application/json;q=0"),
            "application/json"
        ));
        assert!(accepts(&ranges("*/*;q=0.1"), "application/json"));
    }
}
