//! Metrics for Prometheus.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::problem::ApiError;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_metrics);
}

/// Metrics of the service
///
/// In the Prometheus text format: `kiv_http_requests_total` (by `method`, `route` pattern and
/// `status`), `kiv_http_request_duration_seconds` (a histogram by `method` and `route`),
/// `kiv_db_pool_connections` (by `state`: `inUse`, `idle`) and `kiv_db_pool_max_connections`.
/// Needs no token, like health, and is not rate limited: it reveals request counts, not data;
/// where that is too much, keep it off the public listener at the reverse proxy.
#[utoipa::path(
    tag = "Service",
    responses(
        (status = 200, description = "The metrics, Prometheus text format 0.0.4", body = String,
         content_type = "text/plain; version=0.0.4",
         example = json!("# TYPE kiv_http_requests_total counter\nkiv_http_requests_total{method=\"GET\",route=\"/kiv/v1/clusters\",status=\"200\"} 12\n")),
    )
)]
#[get("/metrics")]
async fn get_metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let metrics = state
        .metrics
        .as_ref()
        .ok_or_else(|| ApiError::Internal("metrics are not available".into()))?;
    let text = metrics
        .render(state.db.pool_state())
        .map_err(|e| ApiError::Internal(format!("cannot render metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .insert_header(("Cache-Control", "no-store"))
        .body(text))
}
