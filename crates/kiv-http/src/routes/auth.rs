//! `/auth`: access tokens (OAuth 2.0, RFC 6749) and the keys that verify them.

use actix_web::http::header::{self, ContentType};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use kiv_domain::AccountKind;
use kiv_store::login::{self, LoginOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The OAuth client id of people logging in with the password grant.
pub const PASSWORD_CLIENT_ID: &str = "kiv";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(issue_token).service(get_public_keys);
}

/// A token request (RFC 6749), as a form (`application/x-www-form-urlencoded`) or as JSON.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({
    "grant_type": "client_credentials",
    "client_id": "demo-federale-politie",
    "client_secret": "demo"
}))]
pub struct TokenRequest {
    /// `client_credentials` for agency systems, `password` for people; another grant type is
    /// answered `unsupported_grant_type` (RFC 6749).
    #[schema(example = "client_credentials", required = true, value_type = String, pattern = "^(client_credentials|password)$")]
    pub grant_type: Option<String>,
    /// The agency system's client id (or send it with HTTP Basic authentication).
    #[schema(example = "demo-federale-politie")]
    pub client_id: Option<String>,
    /// The agency system's client secret.
    #[schema(example = "demo")]
    pub client_secret: Option<String>,
    /// A person's username.
    pub username: Option<String>,
    /// A person's password.
    pub password: Option<String>,
    /// Ignored: a token always carries all of the account's roles.
    pub scope: Option<String>,
}

impl TokenRequest {
    fn holds_nul(&self) -> bool {
        [
            &self.grant_type,
            &self.client_id,
            &self.client_secret,
            &self.username,
            &self.password,
            &self.scope,
        ]
        .into_iter()
        .flatten()
        .any(|text| text.contains('\0'))
    }
}

/// An access token (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFZERTQSJ9.eyJzdWIiOiJkZW1vLWZlZGVyYWxlLXBvbGl0aWUifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900,
    "scope": "reporter"
}))]
pub struct TokenResponse {
    /// A JWT (`typ: at+jwt`) to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(value_type = TokenType)]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// The account's roles, space-separated.
    #[schema(example = "reporter")]
    pub scope: String,
}

/// A refused token request (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "error": "invalid_client",
    "error_description": "Unknown client or wrong secret"
}))]
pub struct TokenError {
    #[schema(value_type = TokenErrorCode)]
    pub error: &'static str,
    pub error_description: String,
}

fn token_error(status: StatusCode, error: &'static str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="kiv""#));
    }
    response.json(TokenError {
        error,
        error_description: description.to_owned(),
    })
}

/// Client credentials from an `Authorization: Basic` header (RFC 6749 §2.3.1).
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

fn parse_request(req: &HttpRequest, body: &[u8]) -> Option<TokenRequest> {
    let is_json = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|mime| mime.subtype() == "json");
    if is_json {
        serde_json::from_slice(body).ok()
    } else {
        serde_urlencoded::from_bytes(body).ok()
    }
}

/// Obtain an access token
///
/// OAuth 2.0 token endpoint. Agency systems use `grant_type=client_credentials` with
/// `client_id` and `client_secret` (in the form, or as HTTP Basic credentials); people use
/// `grant_type=password` with `username` and `password`. The answer is an access token valid for
/// `expires_in` seconds (15 minutes by default); request a new one when it expires.
///
/// Refusals follow RFC 6749 (`{"error": "invalid_client"}`). Repeated failures slow further
/// attempts down rather than lock the account: after 5 failures for one account from one
/// address, 30 from one address whatever the account, or 20 for one account from anywhere,
/// the next attempt from there must wait (1 s, doubling with each further failure, up to 15
/// minutes; up to 30 s for the account from anywhere). An attempt during the wait is answered
/// `429` with `Retry-After` and its secret is not checked; the right secret after the wait
/// succeeds. An address where the account logged in successfully within 30 days is slowed only
/// by its own failures, never by guessing from elsewhere.
///
/// The body is a form, as RFC 6749 has it, and as OAuth libraries send it; the same fields as a
/// JSON object are accepted too, for clients that can only send JSON.
#[utoipa::path(
    tag = "Authentication",
    request_body(content((TokenRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "An access token", body = TokenResponse,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "Malformed request, unknown grant type or wrong password (RFC 6749)", body = TokenError),
        (status = 401, description = "Unknown client or wrong client secret (RFC 6749)", body = TokenError),
        (status = 429, description = "Too many failed attempts: the secret was not checked; retry after `Retry-After` seconds", body = Problem,
         content_type = "application/problem+json", headers(("Retry-After" = u64))),
    )
)]
#[post("/auth/token")]
async fn issue_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Some(request) = parse_request(&req, &body) else {
        return Ok(token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be a form (application/x-www-form-urlencoded) or JSON",
        ));
    };
    // No text may hold NUL (PostgreSQL can neither store nor compare it): any field with one,
    // even one kiv ignores, makes the request malformed, refused before any look-up.
    if request.holds_nul() {
        return Ok(token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "no field of the request may hold a NUL character (U+0000)",
        ));
    }
    let (kind, login, secret, client_id) = match request.grant_type.as_deref() {
        Some("client_credentials") => {
            let (id, secret) = match (request.client_id, request.client_secret) {
                (Some(id), Some(secret)) => (id, secret),
                _ => match basic_credentials(&req) {
                    Some(credentials) => credentials,
                    None => {
                        return Ok(token_error(
                            StatusCode::UNAUTHORIZED,
                            "invalid_client",
                            "client_id and client_secret are required",
                        ))
                    }
                },
            };
            (AccountKind::Client, id.clone(), secret, id)
        }
        Some("password") => match (request.username, request.password) {
            (Some(username), Some(password)) => (
                AccountKind::Person,
                username,
                password,
                PASSWORD_CLIENT_ID.to_owned(),
            ),
            _ => {
                return Ok(token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "username and password are required",
                ))
            }
        },
        Some(_) => {
            return Ok(token_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be client_credentials or password",
            ))
        }
        None => {
            return Ok(token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            ))
        }
    };
    // No text may hold NUL (PostgreSQL can neither store nor compare it): refused before any
    // look-up, as a malformed request.
    if login.contains('\0') || secret.contains('\0') {
        return Ok(token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "username, client_id and their secrets may not hold a NUL character (U+0000)",
        ));
    }
    let address = crate::origin::client_address(&req);
    let who = login.clone();
    let rules = state.login_policy;
    let outcome = state
        .run(move |conn| {
            let attempt = login::Attempt {
                kind,
                login: &login,
                secret: &secret,
                address,
            };
            login::log_in(conn, &rules, attempt, kiv_store::clock::now())
        })
        .await?;
    match outcome {
        LoginOutcome::Granted(account) => {
            let issued = state
                .tokens
                .issue(&account, &client_id)
                .map_err(|e| ApiError::Internal(format!("cannot sign a token: {e}")))?;
            tracing::info!(login = %who, "issued an access token");
            Ok(HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((header::PRAGMA, "no-cache"))
                .insert_header(ContentType::json())
                .json(TokenResponse {
                    access_token: issued.access_token,
                    token_type: "Bearer",
                    expires_in: issued.expires_in,
                    scope: issued.scope,
                }))
        }
        LoginOutcome::Refused => {
            tracing::warn!(login = %who, "refused a log-in");
            Ok(match kind {
                AccountKind::Client => token_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "unknown client or wrong client secret",
                ),
                AccountKind::Person => token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown username or wrong password",
                ),
            })
        }
        LoginOutcome::Blocked { retry_after } => {
            tracing::warn!(login = %who, retry_after, "log-in attempt made to wait after repeated failures");
            Err(ApiError::TooManyFailedRequests { retry_after })
        }
    }
}

/// The keys that verify kiv's tokens
///
/// A JSON Web Key Set (RFC 7517). With EdDSA or ES256 signing it lists the current key and any
/// previous keys still accepted, each with its `kid`; with the default HS256 it is empty (the
/// shared secret is never published).
#[utoipa::path(
    tag = "Authentication",
    responses((status = 200, description = "The public keys", content_type = "application/jwk-set+json",
               body = Object, example = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "kXTwQ0jN5g9aY1r8v3sKxXg0C2mJz6nHq4Wb7uE1fPo", "use": "sig", "alg": "EdDSA"}]})))
)]
#[get("/auth/jwks.json")]
async fn get_public_keys(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(state.tokens.jwks())
}

/// The kind of token: always `Bearer`.
///
/// The values of a string the OpenAPI document shows as a closed set; never built.
#[derive(Debug, ToSchema)]
#[schema(example = "Bearer")]
#[allow(dead_code)] // describes a serialised string, is never built
pub enum TokenType {
    Bearer,
}

/// Why a token request was refused (RFC 6749 §5.2): `invalid_request`, `invalid_client`, `invalid_grant` or `unsupported_grant_type`.
///
/// The values of a string the OpenAPI document shows as a closed set; never built.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "invalid_client")]
#[allow(dead_code)] // describes a serialised string, is never built
pub enum TokenErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnsupportedGrantType,
}
