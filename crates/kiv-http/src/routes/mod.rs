//! The API's resources, one module each, mounted under `/kiv/v1`.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod accounts;
pub mod actions;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod cluster_followups;
pub mod clusters;
pub mod evaluations;
pub mod followups;
pub mod health;
pub mod indicators;
pub mod metrics;
pub mod objectives;
pub mod organisations;
pub mod plans;
pub mod reports;
pub mod themes;

/// Mounts every resource; used by the server and by the OpenAPI generator alike.
pub fn configure(cfg: &mut ServiceConfig) {
    health::configure(cfg);
    metrics::configure(cfg);
    auth::configure(cfg);
    accounts::configure(cfg);
    plans::configure(cfg);
    clusters::configure(cfg);
    themes::configure(cfg);
    organisations::configure(cfg);
    objectives::configure(cfg);
    actions::configure(cfg);
    indicators::configure(cfg);
    bulk::configure(cfg);
    followups::configure(cfg);
    cluster_followups::configure(cfg);
    evaluations::configure(cfg);
    audit::configure(cfg);
    reports::configure(cfg);
}

/// Query parameters of a collection: the collection's own filters plus `page`, `pageSize` and
/// `sort`, documented once here.
macro_rules! collection_query {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Page number, from 1.
            #[param(minimum = 1, example = 1)]
            pub page: Option<i64>,
            /// Items per page, from 1 to the service's cap: 100 unless configured otherwise
            /// (`KIV_MAX_PAGE_SIZE`); default 20.
            #[param(minimum = 1, example = 20)]
            pub page_size: Option<i64>,
            /// Sort keys separated by commas; prefix `-` for descending (`-number`).
            pub sort: Option<String>,
        }
    };
}
pub(crate) use collection_query;
