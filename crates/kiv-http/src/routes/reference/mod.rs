//! Reference data: the plans, the clusters, the transversal themes and the organisations, read
//! by everyone; plans and organisations are also changed by administrators. Each resource's
//! handlers depend on [`views`], none on another.

mod clusters;
mod organisations;
mod plans;
mod themes;
mod views;

use utoipa_actix_web::service_config::ServiceConfig;

pub use views::{
    ClusterQuery, ClusterView, NewOrganisationRequest, NewPlan, OrganisationPatch,
    OrganisationQuery, PlanPatch, PlanQuery, PlanView, ThemeQuery, ThemeView,
};

pub fn configure(cfg: &mut ServiceConfig) {
    plans::configure(cfg);
    clusters::configure(cfg);
    themes::configure(cfg);
    organisations::configure(cfg);
}
