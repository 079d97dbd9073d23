//! Conditional reads for every cacheable GET, not only for single resources: a client that
//! polls a collection, a report or the missing follow-ups revalidates with `If-None-Match` and
//! gets `304 Not Modified` without the body when nothing changed.
//!
//! Single resources carry the entity tag of the state they are made of (see
//! [`crate::respond::single`]) and answer `If-None-Match` themselves. Every other successful read
//! gets a strong entity tag from a digest of its body (`"c-5e0c41d2a1b4c7f0"`): the body changes
//! whenever anything it shows changes, filters, page and language included, so the tag does too.
//! Answers that must not be kept (`Cache-Control: no-store`: health, metrics, tokens) get none.

use actix_web::body::{self, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    EntityTag, HeaderValue, IfNoneMatch, CACHE_CONTROL, CONTENT_TYPE, ETAG,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpMessage;

/// The operations whose answers are never kept, so that they carry no entity tag and declare no
/// `If-None-Match`: a probe and the metrics must always show the present.
pub const NOT_CACHEABLE: &[&str] = &["getHealth", "getMetrics"];

/// Tags the successful reads that carry no entity tag of their own and answers `If-None-Match`
/// for them (see the module's comment).
pub async fn tag_reads(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?.map_into_boxed_body();
    let no_store = response
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("no-store"));
    if response.request().method() != Method::GET
        || response.status() != StatusCode::OK
        || response.headers().contains_key(ETAG)
        || no_store
        || !matches!(response.response().body().size(), BodySize::Sized(_))
    {
        return Ok(response);
    }
    let (req, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|error| actix_web::error::ErrorInternalServerError(error.to_string()))?;
    let tag = EntityTag::new_strong(format!("c-{:016x}", kiv_domain::tag::digest(&bytes)));
    if let Ok(value) = HeaderValue::from_str(&tag.to_string()) {
        head.headers_mut().insert(ETAG, value);
    }
    let fresh = match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&tag)),
        None => false,
    };
    let response = if fresh {
        *head.status_mut() = StatusCode::NOT_MODIFIED;
        head.headers_mut().remove(CONTENT_TYPE);
        head.set_body(BoxBody::new(()))
    } else {
        head.set_body(BoxBody::new(bytes))
    };
    Ok(ServiceResponse::new(req, response))
}

/// Declares, on every cacheable GET, the `If-None-Match` header, the `ETag` of the answer and
/// the `304 Not Modified` it may give.
pub fn declare(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::response::Response;
    use utoipa::openapi::{ObjectBuilder, RefOr, Required, Type};

    let text = || ObjectBuilder::new().schema_type(Type::String);
    let if_none_match = ParameterBuilder::new()
        .name("If-None-Match")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "The `ETag` of the representation the client holds (or a list of them, or `*`): \
             when it is still current the answer is `304 Not Modified` without a body. A value \
             that is no entity tag of this service matches nothing",
        ))
        .schema(Some(text()))
        .example(Some(serde_json::json!("\"3\"")))
        .build();
    let etag = HeaderBuilder::new()
        .schema(Some(text()))
        .description(Some(
            "Entity tag of this representation: send it in `If-None-Match` to revalidate \
             (and, for a resource that can change, in `If-Match` to change it)",
        ))
        .example(Some(serde_json::json!("\"3\"")))
        .build();
    let not_modified = Response::builder()
        .description("Not modified since the entity tag sent in If-None-Match")
        .header("ETag", etag.clone())
        .build();
    for item in document.paths.paths.values_mut() {
        let Some(get) = item.get.as_mut() else {
            continue;
        };
        let cacheable = get
            .operation_id
            .as_deref()
            .is_none_or(|id| !NOT_CACHEABLE.contains(&id));
        if !cacheable {
            continue;
        }
        let parameters = get.parameters.get_or_insert_with(Vec::new);
        let declared = parameters
            .iter()
            .any(|p| matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case("If-None-Match")));
        if !declared {
            parameters.push(RefOr::T(if_none_match.clone()));
        }
        let responses = &mut get.responses.responses;
        if let Some(RefOr::T(ok)) = responses.get_mut("200") {
            ok.headers
                .entry("ETag".into())
                .or_insert_with(|| RefOr::T(etag.clone()));
        }
        match responses.get_mut("304") {
            Some(RefOr::T(response)) => {
                response
                    .headers
                    .entry("ETag".into())
                    .or_insert_with(|| RefOr::T(etag.clone()));
            }
            Some(RefOr::Ref(_)) => {}
            None => {
                responses.insert("304".into(), RefOr::T(not_modified.clone()));
            }
        }
    }
}
