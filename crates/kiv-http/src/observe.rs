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

/// The belgif header that identifies a request across the systems it passes through.
pub const TRACE_ID_HEADER: &str = "BelGov-Trace-Id";

/// The longest trace id taken from a client.
pub const MAX_TRACE_ID_LENGTH: usize = 64;

/// The trace id of a request: the client's `BelGov-Trace-Id` when it is well-formed (1 to 64
/// letters, digits, `-`, `_`, `.` or `:`), otherwise a new UUID v4. Anything else a client sends
/// is replaced rather than echoed, so that logs and answers never carry arbitrary text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceId(pub String);

impl TraceId {
    fn of(value: Option<&HeaderValue>) -> Self {
        value
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|id| well_formed(id))
            .map_or_else(
                || TraceId(uuid::Uuid::new_v4().to_string()),
                |id| TraceId(id.to_owned()),
            )
    }

    /// The trace id of a request that passed through [`observe`].
    pub fn get(req: &HttpRequest) -> Option<String> {
        req.extensions().get::<TraceId>().map(|id| id.0.clone())
    }
}

fn well_formed(id: &str) -> bool {
    (1..=MAX_TRACE_ID_LENGTH).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Declares `BelGov-Trace-Id` in the OpenAPI document: once as a component, and by reference on
/// every response of every operation.
pub fn declare(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::path::Operation;
    use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Type};

    let header = HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_TRACE_ID_LENGTH))
                .pattern(Some("^[A-Za-z0-9._:-]{1,64}$")),
        ))
        .description(Some(
            "Identifies the request in the service's logs: the request's own `BelGov-Trace-Id` \
             when it sent a well-formed one, a new UUID otherwise. Quote it when reporting a \
             problem.",
        ))
        .example(Some(serde_json::Value::from(
            "3f2c0a4e-8d1b-4c5e-9a77-52b1f0d6e2aa",
        )))
        .build();
    document
        .components
        .get_or_insert_with(Default::default)
        .headers
        .insert(TRACE_ID_HEADER.to_owned(), RefOr::T(header));
    let reference = Ref::new(format!("#/components/headers/{TRACE_ID_HEADER}"));
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
                    response
                        .headers
                        .insert(TRACE_ID_HEADER.to_owned(), RefOr::Ref(reference.clone()));
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
    let trace_id = TraceId::of(req.headers().get(TRACE_ID_HEADER));
    let header = HeaderValue::from_str(&trace_id.0).ok();
    req.extensions_mut().insert(trace_id);
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
    let name = HeaderName::from_static("belgov-trace-id");
    match result {
        Ok(response) => {
            let mut response = response.map_into_boxed_body();
            if let Some(value) = header {
                response.headers_mut().insert(name, value);
            }
            Ok(response)
        }
        // An error that an inner layer passed on as such (the timeout's answer): its response,
        // with the trace id too.
        Err(error) => {
            let mut response = error.error_response();
            if let Some(value) = header {
                response.headers_mut().insert(name, value);
            }
            Err(InternalError::from_response(error.to_string(), response).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_well_formed_ids_and_replaces_the_rest() {
        let id = |v: &str| TraceId::of(Some(&HeaderValue::from_str(v).unwrap())).0;
        assert_eq!(id("abc-123"), "abc-123");
        assert_eq!(
            id("0f7c5d0e-2b2a-4a53-a0d4-6b1c8f3e9a11"),
            "0f7c5d0e-2b2a-4a53-a0d4-6b1c8f3e9a11"
        );
        for refused in ["", "a b", "<script>", "x\"y", &"a".repeat(65)] {
            let generated = id(refused);
            assert_ne!(generated, refused);
            assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");
        }
        assert!(uuid::Uuid::parse_str(&TraceId::of(None).0).is_ok());
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
