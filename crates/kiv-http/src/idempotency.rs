//! `Idempotency-Key` on POST: a retried request (same key, same body) gets the first successful
//! answer again and creates nothing new; the same key with another body is refused (422). Keys
//! belong to the account that sent them and are remembered for 24 hours.
//!
//! Only a success (2xx) is kept. A refusal (a 400, a 412 after a stale `If-Match`, a 409) or a
//! server error changed nothing, so the key is released and the corrected retry, with the same
//! key, is carried out: a refusal replayed forever would leave the client no way to follow what
//! the problem told it to do. A replay carries the replaying request's `BelGov-Trace-Id` (the
//! outermost layer sets it on every answer); a kept body holds no per-request value.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use kiv_domain::{InputIssue, IssueLocation};
use kiv_store::idempotency::{self, Claim, StoredResponse};
use sha2::{Digest, Sha256};

use crate::problem::ApiError;
use crate::AppState;

pub const HEADER: &str = "Idempotency-Key";

/// Headers of the first answer that a replay repeats.
const KEPT_HEADERS: [&str; 4] = ["content-type", "location", "etag", "content-language"];

/// Whether an answer is one that must never be kept: its handler marked it `no-store` because it
/// shows a secret exactly once.
fn holds_a_secret(headers: &actix_web::http::header::HeaderMap) -> bool {
    headers
        .get(actix_web::http::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
        })
}

fn refuse(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    let response = error.render_for(req.request());
    req.into_response(response)
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req.headers().get(HEADER).cloned();
    let (Some(key), true) = (key, req.method() == Method::POST) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) => key.to_owned(),
        _ => {
            let issue = InputIssue::invalid(
                IssueLocation::Header,
                HEADER,
                None,
                "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, say)",
            );
            return Ok(refuse(req, ApiError::bad_request(vec![issue])));
        }
    };
    // Keys belong to an account; without a valid token the handler refuses anyway.
    let (Ok(caller), Some(state)) = (
        crate::auth::authenticate(req.request()).await,
        req.app_data::<web::Data<AppState>>().cloned(),
    ) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let body = match req.extract::<web::Bytes>().await {
        Ok(body) => body,
        Err(error) => {
            let limit = crate::limits::of(req.request()).body_limit;
            return Ok(refuse(req, ApiError::unreadable_body(&error, limit)));
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b" ");
    hasher.update(req.uri().to_string());
    hasher.update(b"\n");
    hasher.update(&body);
    let hash = format!("{:x}", hasher.finalize());
    req.set_payload(Payload::from(body));

    let login = caller.login.clone();
    let claimed_key = key.clone();
    let claim = state
        .run(move |conn| {
            idempotency::claim(conn, &login, &claimed_key, &hash, kiv_store::clock::now())
        })
        .await;
    match claim {
        Err(error) => Ok(refuse(req, error)),
        Ok(Claim::Mismatch) => Ok(refuse(req, ApiError::IdempotencyKeyReused)),
        Ok(Claim::InProgress) => Ok(refuse(req, ApiError::IdempotencyKeyInUse)),
        Ok(Claim::Replay(stored)) => {
            let mut response =
                HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
            for (name, value) in &stored.headers {
                if let (Ok(name), Ok(value)) = (
                    HeaderName::try_from(name.as_str()),
                    HeaderValue::from_str(value),
                ) {
                    response.insert_header((name, value));
                }
            }
            response.insert_header(("Idempotent-Replayed", "true"));
            Ok(req.into_response(response.body(stored.body)))
        }
        Ok(Claim::Fresh) => {
            // An error passed on as such (the timeout's answer) keeps the key claimed until it is
            // deemed abandoned: the work may still complete, and a retry must not do it twice.
            let response = next.call(req).await?;
            let login = caller.login;
            if !response.status().is_success() || holds_a_secret(response.headers()) {
                // Refused or failed: nothing was done, so a retry (corrected) runs again. An
                // answer that shows a secret once (a new client secret or password, a signed
                // report link: `Cache-Control: no-store`) is never written down either; its
                // retry runs again (an account created again is a 409 naming it).
                let released = state
                    .run(move |conn| idempotency::release(conn, &login, &key))
                    .await;
                if let Err(error) = released {
                    tracing::warn!(%error, "could not release the key of an idempotent request");
                }
                return Ok(response.map_into_boxed_body());
            }
            let (request, response) = response.into_parts();
            let (head, body) = response.into_parts();
            let bytes = to_bytes(body).await.unwrap_or_default();
            let stored = StoredResponse {
                status: head.status().as_u16(),
                headers: KEPT_HEADERS
                    .iter()
                    .filter_map(|name| {
                        let value = head.headers().get(*name)?.to_str().ok()?;
                        Some(((*name).to_owned(), value.to_owned()))
                    })
                    .collect(),
                body: bytes.to_vec(),
            };
            let recorded = state
                .run(move |conn| idempotency::complete(conn, &login, &key, &stored))
                .await;
            if let Err(error) = recorded {
                tracing::warn!(%error, "could not keep the answer of an idempotent request");
            }
            let response = head.set_body(BoxBody::new(bytes));
            Ok(ServiceResponse::new(request, response))
        }
    }
}
