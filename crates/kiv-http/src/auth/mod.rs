//! Authentication and authorization at the HTTP edge. A handler that takes [`Auth`] cannot run
//! without a valid token; the roles it needs are checked with [`Auth::require`], and the objects
//! it touches with the rules of `kiv_domain::access`.

pub mod access;
pub mod claims_cache;
pub mod openapi;
pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use kiv_domain::access::{self as rules, AccountStanding};
use kiv_domain::{Caller, Role};

use crate::problem::ApiError;
pub use crate::problem::TokenProblem;
use crate::AppState;
pub use tokens::{Presented, TokenService, TokenSettings};

/// What an extractor hands back: a future, as checking the account may need the database.
type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Auth(pub Caller);

impl Auth {
    /// The caller, if it has one of `roles`; otherwise 403 `missingScope`.
    pub fn require(&self, roles: &[Role]) -> Result<&Caller, ApiError> {
        if self.0.has_any(roles) {
            Ok(&self.0)
        } else {
            Err(ApiError::MissingScope(roles.to_vec()))
        }
    }

    pub fn caller(&self) -> &Caller {
        &self.0
    }
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await.map(Auth) })
    }
}

/// The outcome of checking a request's bearer token (type, signature, claims; not yet the
/// account), kept in the request's extensions by the middleware that checked it first (the rate
/// limit), so a token is verified once per request.
#[derive(Debug, Clone)]
pub struct Verified(pub Result<Presented, TokenProblem>);

/// The outcome of checking the account behind a request's token, kept in the request's
/// extensions so the account is consulted once per request.
#[derive(Debug, Clone)]
struct Checked(Result<Caller, TokenProblem>);

/// The database could not be reached to check the account: the request is answered 503 without
/// waiting for it a second time.
#[derive(Debug, Clone)]
struct Unreachable(String);

/// Whom the request's bearer token names, without consulting the account: enough to key a
/// rate limit, never to grant anything.
pub fn presented(req: &HttpRequest) -> Result<Presented, TokenProblem> {
    let verified = req.extensions().get::<Verified>().map(|v| v.0.clone());
    verified.unwrap_or_else(|| verify(req))
}

/// The caller a request's bearer token stands for: a valid token of an account that is enabled
/// and still at the access version the token was issued under (what it may do has not changed
/// since). Otherwise 401: `withdrawn` tokens are answered as invalid ones, with a detail that
/// says why.
pub async fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    if let Some(Checked(outcome)) = req.extensions().get::<Checked>() {
        return outcome.clone().map_err(ApiError::Unauthenticated);
    }
    if let Some(Unreachable(cause)) = req.extensions().get::<Unreachable>() {
        return Err(ApiError::Unavailable(cause.clone()));
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state is missing".into()))?;
    let outcome = match presented(req) {
        Err(problem) => Err(problem),
        Ok(presented) => {
            let standing = match standing_of(&state, &presented.caller.login).await {
                Ok(standing) => standing,
                Err(ApiError::Unavailable(cause)) => {
                    req.extensions_mut().insert(Unreachable(cause.clone()));
                    return Err(ApiError::Unavailable(cause));
                }
                Err(other) => return Err(other),
            };
            if standing.is_some_and(|s| s.honours(presented.access_version)) {
                Ok(presented.caller)
            } else {
                Err(TokenProblem::Withdrawn)
            }
        }
    };
    req.extensions_mut().insert(Checked(outcome.clone()));
    outcome.map_err(ApiError::Unauthenticated)
}

/// Checks the account behind a request's token before the handler's extractors run, so they
/// find the outcome at once: a refused caller is answered 401 or 403 before its body is read,
/// as with a token refused outright. It answers nothing itself: the extractor answers with what
/// it found (503 when the database could not be reached). Mounted inside the request timeout.
pub async fn check_accounts(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if req.headers().contains_key(AUTHORIZATION) {
        // The outcome is kept in the request for the extractors, refusals and failures alike.
        let _ = authenticate(req.request()).await;
    }
    next.call(req)
        .await
        .map(actix_web::dev::ServiceResponse::map_into_boxed_body)
}

/// What the account `login` may do now, as this node last read it within the access check's
/// TTL, or read now.
pub async fn standing_of(
    state: &AppState,
    login: &str,
) -> Result<Option<AccountStanding>, ApiError> {
    if let Some(known) = state.access.fresh(login) {
        return Ok(known);
    }
    let ticket = state.access.ticket();
    let key = login.to_owned();
    let standing = state
        .run(move |conn| kiv_store::accounts::standing(conn, &key))
        .await?;
    state.access.store(login, standing.clone(), ticket);
    Ok(standing)
}

/// Checks the request's bearer token (not the account behind it).
pub fn verify(req: &HttpRequest) -> Result<Presented, TokenProblem> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or(TokenProblem::Invalid)?;
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .ok_or(TokenProblem::Missing)?;
    let token = header
        .to_str()
        .ok()
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty())
        .ok_or(TokenProblem::Invalid)?;
    state.tokens.verify(token)
}

/// Declares an extractor that admits only callers with one of `roles`; anyone else is refused
/// (403 `missingScope`) before the request body is even read.
macro_rules! role_extractor {
    ($(#[$meta:meta])* $name:ident, $roles:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Caller);

        impl $name {
            pub const ROLES: &'static [Role] = $roles;
        }

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Extracted<Self>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let req = req.clone();
                Box::pin(async move {
                    let caller = authenticate(&req).await?;
                    if caller.has_any(Self::ROLES) {
                        Ok($name(caller))
                    } else {
                        Err(ApiError::MissingScope(Self::ROLES.to_vec()))
                    }
                })
            }
        }
    };
}

role_extractor!(
    /// An authenticated administrator.
    Admin,
    rules::ADMINISTRATORS
);
role_extractor!(
    /// An authenticated coordinator (FOD Justitie, FOD Binnenlandse Zaken).
    Coordinator,
    rules::COORDINATORS
);
role_extractor!(
    /// Somebody who reports follow-ups: a reporter (for its own organisation's actions) or a
    /// coordinator.
    Reporting,
    rules::FOLLOW_UP_WRITERS
);
role_extractor!(
    /// Somebody who may pull reports: a coordinator, an evaluator or an administrator.
    ReportReader,
    rules::REPORT_READERS
);

role_extractor!(
    /// Somebody who may read the audit trail: a coordinator or an administrator.
    Auditor,
    rules::AUDITORS
);

/// Access to a report: a caller who may pull reports, or a valid signed report link (which
/// needs no token at all) that was neither revoked nor outlived its maker's right to pull
/// reports.
#[derive(Debug, Clone)]
pub enum ReportAccess {
    Caller(Caller),
    Link,
}

impl FromRequest for ReportAccess {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let signed = form_urlencoded::parse(req.query_string().as_bytes())
                .any(|(key, _)| key == crate::links::SIGNATURE);
            if !signed {
                let caller = authenticate(&req).await?;
                return if caller.has_any(ReportReader::ROLES) {
                    Ok(ReportAccess::Caller(caller))
                } else {
                    Err(ApiError::MissingScope(ReportReader::ROLES.to_vec()))
                };
            }
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::Internal("application state is missing".into()))?;
            let key = state.link_key().await?;
            let now = chrono::Utc::now().timestamp();
            let id = crate::links::verify(&key, req.path(), req.query_string(), now).map_err(
                |problem| match problem {
                    crate::links::LinkProblem::Invalid => ApiError::InvalidLink,
                    crate::links::LinkProblem::Expired => ApiError::ExpiredLink,
                },
            )?;
            let lookup = id.clone();
            let link = state
                .run(move |conn| kiv_store::report_links::get(conn, &lookup))
                .await?
                .filter(|link| link.revoked_at.is_none())
                .ok_or(ApiError::RevokedLink)?;
            let maker = standing_of(&state, &link.created_by).await?;
            if !maker.is_some_and(|m| m.may_pull_reports()) {
                return Err(ApiError::RevokedLink);
            }
            Ok(ReportAccess::Link)
        })
    }
}
