//! Authentication and authorization at the HTTP edge. A handler that takes [`Auth`] cannot run
//! without a valid token; the roles it needs are checked with [`Auth::require`], and the objects
//! it touches with the rules of `kiv_domain::access`.

pub mod openapi;
pub mod tokens;

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use kiv_domain::{Caller, Role};

use crate::problem::ApiError;
use crate::AppState;
pub use tokens::{TokenProblem, TokenService, TokenSettings};

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
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(Auth))
    }
}

/// The outcome of checking a request's bearer token, kept in the request's extensions by the
/// middleware that checked it first (the rate limit), so a token is verified once per request.
#[derive(Debug, Clone)]
pub struct Verified(pub Result<Caller, TokenProblem>);

/// The caller a request's bearer token stands for.
pub fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    if req.app_data::<web::Data<AppState>>().is_none() {
        return Err(ApiError::Internal("application state is missing".into()));
    }
    let verified = req.extensions().get::<Verified>().map(|v| v.0.clone());
    verified
        .unwrap_or_else(|| verify(req))
        .map_err(ApiError::Unauthenticated)
}

/// Checks the request's bearer token.
pub fn verify(req: &HttpRequest) -> Result<Caller, TokenProblem> {
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
    ($(#[$meta:meta])* $name:ident, [$($role:expr),+]) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Caller);

        impl $name {
            pub const ROLES: &'static [Role] = &[$($role),+];
        }

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Ready<Result<Self, ApiError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                ready(authenticate(req).and_then(|caller| {
                    if caller.has_any(Self::ROLES) {
                        Ok($name(caller))
                    } else {
                        Err(ApiError::MissingScope(Self::ROLES.to_vec()))
                    }
                }))
            }
        }
    };
}

role_extractor!(
    /// An authenticated administrator.
    Admin,
    [Role::Admin]
);
role_extractor!(
    /// An authenticated coordinator (FOD Justitie, FOD Binnenlandse Zaken).
    Coordinator,
    [Role::Coordinator]
);
role_extractor!(
    /// Somebody who reports follow-ups: a reporter (for its own organisation's actions) or a
    /// coordinator.
    Reporting,
    [Role::Reporter, Role::Coordinator]
);
role_extractor!(
    /// Somebody who may pull reports: a coordinator, an evaluator or an administrator.
    ReportReader,
    [Role::Coordinator, Role::Evaluator, Role::Admin]
);
role_extractor!(
    /// Somebody who may read the audit trail: a coordinator or an administrator.
    Auditor,
    [Role::Coordinator, Role::Admin]
);

/// Access to a report: a caller who may pull reports, or a valid signed report link (which
/// needs no token at all).
#[derive(Debug, Clone)]
pub enum ReportAccess {
    Caller(Caller),
    Link,
}

impl FromRequest for ReportAccess {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let signed = form_urlencoded::parse(req.query_string().as_bytes())
                .any(|(key, _)| key == crate::links::SIGNATURE);
            if !signed {
                let caller = authenticate(&req)?;
                return if caller.has_any(ReportReader::ROLES) {
                    Ok(ReportAccess::Caller(caller))
                } else {
                    Err(ApiError::MissingScope(ReportReader::ROLES.to_vec()))
                };
            }
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal("application state is missing".into()))?;
            let key = state.link_key().await?;
            let now = chrono::Utc::now().timestamp();
            crate::links::verify(&key, req.path(), req.query_string(), now).map_err(|problem| {
                match problem {
                    crate::links::LinkProblem::Invalid => ApiError::InvalidLink,
                    crate::links::LinkProblem::Expired => ApiError::ExpiredLink,
                }
            })?;
            Ok(ReportAccess::Link)
        })
    }
}
