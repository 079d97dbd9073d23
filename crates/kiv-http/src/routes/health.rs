//! Liveness and readiness: does kiv reach its database?

use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;

/// How long the database may take to answer before kiv reports itself DOWN.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_health);
}

/// Whether the service is usable (belgif health).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "UP"}))]
pub struct Health {
    /// `UP` when the database answers, `DOWN` otherwise.
    #[schema(example = "UP")]
    pub status: HealthStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
#[schema(example = json!("UP"))]
pub enum HealthStatus {
    Up,
    Down,
}

/// Health of the service
///
/// `UP` (200) when the database answers within two seconds, `DOWN` (503) otherwise. Needs no
/// token: load balancers and orchestrators poll it.
#[utoipa::path(
    tag = "Service",
    responses(
        (status = 200, description = "The service and its database are up", body = Health,
         example = json!({"status": "UP"})),
        (status = 503, description = "The database does not answer", body = Health,
         example = json!({"status": "DOWN"})),
    )
)]
#[get("/health")]
async fn get_health(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.clone();
    let ping = web::block(move || db.ping(PING_TIMEOUT));
    let up = matches!(
        actix_web::rt::time::timeout(PING_TIMEOUT + Duration::from_secs(1), ping).await,
        Ok(Ok(Ok(())))
    );
    let (mut response, status) = if up {
        (HttpResponse::Ok(), HealthStatus::Up)
    } else {
        (HttpResponse::ServiceUnavailable(), HealthStatus::Down)
    };
    response
        .insert_header(("Cache-Control", "no-store"))
        .json(Health { status })
}
