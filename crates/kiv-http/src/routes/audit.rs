//! `/auditEvents`: the trail of every change, for coordinators and administrators.

use actix_web::{get, web, HttpRequest, HttpResponse};
use kiv_store::audit::{self, AuditFilter};
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::auth::Auditor;
use crate::extract::{page_and_sort, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::respond::Collection;
use crate::views::{AuditEntityType, AuditEventView};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_events);
}

collection_query! {
    /// Filters of the audit trail.
    pub struct AuditQuery {
        /// The kind of record changed.
        pub entity_type: Option<AuditEntityType>,
        pub entity_id: Option<String>,
        /// Changes by this account (username or client id).
        pub account: Option<String>,
    }
}

/// The audit trail
///
/// Every change, oldest first. Coordinators and administrators only.
#[utoipa::path(
    tag = "Planning",
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of changes", body = Collection<AuditEventView>),
        (status = 403, description = "Neither a coordinator nor an administrator (missingScope)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auditEvents")]
async fn list_audit_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auditor: Auditor,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let filter = AuditFilter {
        entity_type: query.entity_type.map(|kind| kind.as_str().to_owned()),
        entity_id: query.entity_id,
        account_login: query.account,
    };
    let found = state
        .run(move |conn| audit::list(conn, &filter, page))
        .await?;
    Ok(Collection::new(&req, page, found, AuditEventView::from).respond())
}
