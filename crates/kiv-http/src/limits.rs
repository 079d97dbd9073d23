//! What one request may cost: the size of its body, how often a client may call, how long a
//! handler may take, and how large a page it may ask for. Each is configurable; each refusal is a
//! problem+json answer that says the limit.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth::{self, Verified};
use crate::problem::ApiError;
use crate::{AppState, BASE_PATH};

/// The limits the service enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body read, in bytes (a CSV import of some 50,000 lines fits 16 MiB).
    pub body_limit: usize,
    /// Requests a client may send per minute, in bursts of up to as many; 0 disables the limit.
    pub rate_limit_per_minute: u32,
    /// How long a request may take before it is abandoned with 503.
    pub request_timeout: Duration,
    /// The largest `pageSize` a collection serves.
    pub max_page_size: u32,
    /// Reports computed at the same time; more wait their turn. A whole-plan report holds
    /// tens of megabytes while it is made and keeps both cores busy, so more at once would
    /// only raise the memory used, not the reports answered.
    pub report_concurrency: usize,
}

/// The default body limit: 16 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// The default rate: 6,000 requests a minute per client (100 a second), generous enough for any
/// agency system's bulk sync, low enough to stop a runaway loop.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 6_000;
/// The default number of reports computed at the same time: half the cores, at least one. A
/// report keeps a core busy (the database's or kiv's) for its whole run; the other half is left
/// to everything else.
pub fn default_report_concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1))
}
/// The default time a request may take.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_limit: DEFAULT_BODY_LIMIT,
            rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_page_size: kiv_domain::MAX_PAGE_SIZE,
            report_concurrency: default_report_concurrency(),
        }
    }
}

/// The limits in force for `req` (the defaults outside a configured app, as in unit tests).
pub fn of(req: &HttpRequest) -> Limits {
    req.app_data::<web::Data<AppState>>()
        .map(|state| state.limits.clone())
        .unwrap_or_default()
}

/// Paths outside the rate limit: probes and scrapers poll them on their own schedule, and they
/// must keep answering when a client is being throttled.
fn exempt(path: &str) -> bool {
    path.strip_prefix(BASE_PATH)
        .is_some_and(|rest| rest == "/health" || rest == "/metrics")
}

/// Requests per client and minute (GCRA, via `governor`): a client may spend its whole minute at
/// once, then one request every `60 / rate` seconds.
#[derive(Debug)]
pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    checks: AtomicU64,
}

/// How many checks pass between two sweeps of clients that are back to a full allowance.
const SWEEP_EVERY: u64 = 4_096;

impl RateLimit {
    /// A limit of `per_minute` requests per client; `None` for 0 (no limit).
    pub fn per_minute(per_minute: u32) -> Option<Self> {
        let rate = NonZeroU32::new(per_minute)?;
        Some(Self {
            limiter: RateLimiter::keyed(Quota::per_minute(rate)),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        })
    }

    /// Counts a request of `client`; when it is over its allowance, how long until the next one
    /// is allowed.
    pub fn check(&self, client: &str) -> Result<(), Duration> {
        // Forget clients whose allowance is full again, so the table stays as small as the set
        // of recently active clients.
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(&client.to_owned())
            .map_err(|refused| refused.wait_time_from(self.clock.now()))
    }
}

/// Whole seconds to wait, rounded up, at least 1 (`Retry-After` takes no fractions).
fn retry_after(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

/// Refuses a client over its rate with 429 `tooManyRequests` and `Retry-After`. The client is
/// the authenticated subject when the request carries a valid bearer token (verified once here;
/// the handler reuses the result), the client's address otherwise ([`crate::origin`]).
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limiter = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.rate_limit.clone());
    let Some(limiter) = limiter.filter(|_| !exempt(req.path())) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let verified = auth::verify(req.request());
    // The token's subject once its signature checks out, whether or not the account still
    // stands behind it: the key of a rate, never a grant (the handler checks the account).
    let client = match &verified {
        Ok(presented) => format!("sub:{}", presented.caller.login),
        // The connection's address, or what a trusted proxy says: anyone else could write any
        // address in `X-Forwarded-For`.
        Err(_) => format!(
            "addr:{}",
            crate::origin::client_address(req.request())
                .map(|a| a.to_string())
                .unwrap_or_default()
        ),
    };
    req.extensions_mut().insert(Verified(verified));
    match limiter.check(&client) {
        Ok(()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        Err(wait) => {
            let per_minute = of(req.request()).rate_limit_per_minute;
            let error = ApiError::TooManyRequests {
                retry_after: retry_after(wait),
                per_minute,
            };
            let response = error.render_for(req.request());
            Ok(req.into_response(response))
        }
    }
}

/// When [`timeout`] abandons the request, for work that can stop on its own by then.
#[derive(Debug, Clone, Copy)]
struct RequestDeadline(kiv_store::Deadline);

/// The moment the request is abandoned with 503; `None` outside the timeout layer. Work that
/// runs off the async workers (where the timeout cannot interrupt it) checks it and stops, so
/// an abandoned request does not keep a thread or a transaction busy.
pub fn deadline(req: &HttpRequest) -> Option<kiv_store::Deadline> {
    req.extensions().get::<RequestDeadline>().map(|d| d.0)
}

/// Abandons a request that takes longer than the configured timeout with 503
/// `serviceUnavailable`. The answer comes at the timeout only while the handler yields: CPU-heavy
/// work (reading a CSV file, rendering an export) runs on the blocking pool for that reason.
/// Work already handed to the blocking pool finishes on its own (a transaction commits or rolls
/// back whole) unless it checks [`deadline`] (a CSV import does and rolls back), so the client is
/// told to check before retrying.
///
/// The answer travels outwards as an error carrying the finished response: the request itself
/// went down with the abandoned future (and may not be cloned beforehand, which would stop
/// actix from routing it). Passing through the idempotency layer as an error keeps the
/// request's `Idempotency-Key` claimed until deemed abandoned, rather than released for a retry
/// that could do the work twice.
pub async fn timeout(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limit = of(req.request()).request_timeout;
    req.extensions_mut()
        .insert(RequestDeadline(kiv_store::Deadline {
            at: std::time::Instant::now() + limit,
            after: limit,
        }));
    let base = crate::origin::base_url(req.request());
    let trace_id = crate::observe::TraceId::get(req.request());
    match actix_web::rt::time::timeout(limit, next.call(req)).await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::warn!(timeout_seconds = limit.as_secs_f64(), "request timed out");
            let error = ApiError::Timeout { after: limit };
            let response = error.render_traced(&base, trace_id);
            Err(InternalError::from_response(error, response).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_client_past_its_allowance_and_says_how_long_to_wait() {
        let limit = RateLimit::per_minute(2).unwrap();
        assert!(limit.check("a").is_ok());
        assert!(limit.check("a").is_ok());
        let wait = limit.check("a").unwrap_err();
        assert!(wait <= Duration::from_secs(30), "{wait:?}");
        assert!((1..=30).contains(&retry_after(wait)));
        // Another client has its own allowance.
        assert!(limit.check("b").is_ok());
        assert!(RateLimit::per_minute(0).is_none());
    }

    #[test]
    fn probes_are_not_limited() {
        assert!(exempt("/kiv/v1/health"));
        assert!(exempt("/kiv/v1/metrics"));
        assert!(!exempt("/kiv/v1/clusters"));
        assert!(!exempt("/kiv/v1/healthz"));
    }

    #[test]
    fn rounds_waits_up_to_whole_seconds() {
        assert_eq!(retry_after(Duration::from_millis(10)), 1);
        assert_eq!(retry_after(Duration::from_millis(1_500)), 2);
        assert_eq!(retry_after(Duration::from_secs(3)), 3);
        assert_eq!(retry_after(Duration::ZERO), 1);
    }
}
