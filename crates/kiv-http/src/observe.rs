//! What operators see of each request: a `BelGov-Trace-Id` on every answer (and in every log
//! line and problem of the request), and Prometheus metrics of requests and of the database pool.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest};
use kiv_store::PoolState;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::AppState;

/// The belgif header that identifies a request across the systems it passes through (belgif
/// `trc-header`): each system gives the request an id of its own.
pub const TRACE_ID_HEADER: &str = "BelGov-Trace-Id";

/// The belgif header that names the id the calling system gave the request, so that its logs
/// and kiv's can be joined.
pub const RELATED_TRACE_ID_HEADER: &str = "BelGov-Related-Trace-Id";

/// The longest trace id taken from a client.
pub const MAX_TRACE_ID_LENGTH: usize = 64;

/// The trace ids of a request (belgif `trc-header`): `id`, a new UUID v4 kiv generates for every
/// request, answered as `BelGov-Trace-Id`; and `related`, the caller's own `BelGov-Trace-Id` when
/// it sent a well-formed one (1 to 64 letters, digits, `-`, `_`, `.` or `:`), answered as
/// `BelGov-Related-Trace-Id`. Anything else a client sends is dropped rather than echoed, so that
/// logs and answers never carry arbitrary text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceId {
    pub id: String,
    pub related: Option<String>,
}

impl TraceId {
    fn of(value: Option<&HeaderValue>) -> Self {
        TraceId {
            id: uuid::Uuid::new_v4().to_string(),
            related: value
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|id| well_formed(id))
                .map(str::to_owned),
        }
    }

    /// kiv's own trace id of a request that passed through [`observe`].
    pub fn get(req: &HttpRequest) -> Option<String> {
        req.extensions().get::<TraceId>().map(|id| id.id.clone())
    }

    /// Both trace ids of a request that passed through [`observe`].
    pub fn of_request(req: &HttpRequest) -> Option<TraceId> {
        req.extensions().get::<TraceId>().cloned()
    }

    /// Sets `BelGov-Trace-Id` and, when the caller sent one, `BelGov-Related-Trace-Id`.
    fn answer(&self, headers: &mut actix_web::http::header::HeaderMap) {
        let pairs = [
            (TRACE_ID_HEADER, Some(&self.id)),
            (RELATED_TRACE_ID_HEADER, self.related.as_ref()),
        ];
        for (name, value) in pairs {
            let value = value.and_then(|v| HeaderValue::from_str(v).ok());
            if let (Ok(name), Some(value)) = (HeaderName::try_from(name), value) {
                headers.insert(name, value);
            }
        }
    }
}

fn well_formed(id: &str) -> bool {
    (1..=MAX_TRACE_ID_LENGTH).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Declares `BelGov-Trace-Id` and `BelGov-Related-Trace-Id` in the OpenAPI document: once each as
/// a component, and by reference on every response of every operation.
pub fn declare(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::path::Operation;
    use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Type};

    let header = |description: &str, example: &str| {
        HeaderBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(MAX_TRACE_ID_LENGTH))
                    .pattern(Some("^[A-Za-z0-9._:-]{1,64}$")),
            ))
            .description(Some(description))
            .example(Some(serde_json::Value::from(example)))
            .build()
    };
    let headers = [
        (
            TRACE_ID_HEADER,
            header(
                "Identifies the request in the service's logs: a new UUID the service gives \
                 every request. Quote it when reporting a problem.",
                "3f2c0a4e-8d1b-4c5e-9a77-52b1f0d6e2aa",
            ),
        ),
        (
            RELATED_TRACE_ID_HEADER,
            header(
                "The `BelGov-Trace-Id` the request carried, when it was well formed (1 to 64 \
                 letters, digits, `-`, `_`, `.` or `:`): the caller's own id of the request, \
                 logged beside the service's.",
                "agency-42.req:7",
            ),
        ),
    ];
    let components = document.components.get_or_insert_with(Default::default);
    for (name, header) in &headers {
        components
            .headers
            .insert((*name).to_owned(), RefOr::T(header.clone()));
    }
    for item in document.paths.paths.values_mut() {
        let operations: [&mut Option<Operation>; 5] = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            for response in operation.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    for (name, _) in &headers {
                        response.headers.insert(
                            (*name).to_owned(),
                            RefOr::Ref(Ref::new(format!("#/components/headers/{name}"))),
                        );
                    }
                }
            }
        }
    }
}

/// The service's metrics, in a registry of its own (several apps in one process, as in tests,
/// keep separate counts).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    pool_max: IntGauge,
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new_custom(Some("kiv".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by method, route pattern and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer HTTP requests, by method and route pattern",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["method", "route"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database connections open, by state (inUse: borrowed by a request; idle)",
            ),
            &["state"],
        )?;
        let pool_max = IntGauge::new(
            "db_pool_max_connections",
            "The most database connections the pool opens",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(pool_max.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            pool,
            pool_max,
        })
    }

    /// Counts one answered request. `route` is the matched route pattern
    /// (`/kiv/v1/clusters/{clusterId}`), never the raw path, so the number of series stays
    /// bounded whatever clients send.
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    /// Everything, in the Prometheus text format, with the pool as it is now.
    pub fn render(&self, pool: PoolState) -> prometheus::Result<String> {
        self.pool
            .with_label_values(&["inUse"])
            .set(i64::from(pool.in_use()));
        self.pool
            .with_label_values(&["idle"])
            .set(i64::from(pool.idle));
        self.pool_max.set(i64::from(pool.max));
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// The route label of requests no route takes.
const UNMATCHED: &str = "unmatched";

/// The outermost middleware: gives the request its trace id (for the log span, problems and the
/// answer's header) and records it in the metrics once answered, whatever answered it.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let trace = TraceId::of(req.headers().get(TRACE_ID_HEADER));
    req.extensions_mut().insert(trace.clone());
    // Taken now: holding a clone of the request while the inner layers run would stop actix from
    // routing it.
    let method = req.method().as_str().to_owned();
    let route = req.match_pattern();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.metrics.clone());
    let result = next.call(req).await;
    let status = match &result {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    if let Some(metrics) = metrics {
        metrics.record(
            &method,
            route.as_deref().unwrap_or(UNMATCHED),
            status.as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    match result {
        Ok(response) => {
            let mut response = response.map_into_boxed_body();
            trace.answer(response.headers_mut());
            Ok(response)
        }
        // An error that an inner layer passed on as such (the timeout's answer): its response,
        // with the trace id too.
        Err(error) => {
            let mut response = error.error_response();
            trace.answer(response.headers_mut());
            Err(InternalError::from_response(error.to_string(), response).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_its_own_id_and_relates_well_formed_ones() {
        let of = |v: &str| TraceId::of(Some(&HeaderValue::from_str(v).unwrap()));
        for sent in ["abc-123", "0f7c5d0e-2b2a-4a53-a0d4-6b1c8f3e9a11"] {
            let trace = of(sent);
            assert_eq!(trace.related.as_deref(), Some(sent));
            assert_ne!(trace.id, sent);
            assert!(uuid::Uuid::parse_str(&trace.id).is_ok());
        }
        for refused in ["", "a b", "<script>", "x\"y", &"a".repeat(65)] {
            let trace = of(refused);
            assert_eq!(trace.related, None, "{refused}");
            assert!(uuid::Uuid::parse_str(&trace.id).is_ok(), "{}", trace.id);
        }
        assert_eq!(TraceId::of(None).related, None);
    }

    #[test]
    fn renders_the_prometheus_text_format() {
        let metrics = Metrics::new().unwrap();
        metrics.record("GET", "/kiv/v1/clusters/{clusterId}", 200, 0.02);
        let text = metrics
            .render(PoolState {
                connections: 3,
                idle: 1,
                max: 8,
            })
            .unwrap();
        assert!(text.contains(
            r#"kiv_http_requests_total{method="GET",route="/kiv/v1/clusters/{clusterId}",status="200"} 1"#
        ), "{text}");
        assert!(text.contains("kiv_http_request_duration_seconds_bucket"));
        assert!(text.contains(r#"kiv_db_pool_connections{state="inUse"} 2"#));
        assert!(text.contains(r#"kiv_db_pool_connections{state="idle"} 1"#));
        assert!(text.contains("kiv_db_pool_max_connections 8"));
    }
}
