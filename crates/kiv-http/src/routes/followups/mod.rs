//! `/followUps`: what each organisation reports per action and reporting period, and its review
//! by the coordinating FODs; the partners' contributions beside it; follow-ups in bulk (a JSON
//! batch, a CSV import and export). Each part depends on [`views`], none on another, except the
//! list endpoint on the bulk CSV export.

pub mod bulk;
mod contributions;
mod handlers;
mod views;

use utoipa_actix_web::service_config::ServiceConfig;

pub use views::{
    ContributionBody, ContributionView, FollowUpEventView, FollowUpPatch, FollowUpView,
    NewFollowUp, ReturnReview, Review,
};

pub fn configure(cfg: &mut ServiceConfig) {
    // The bulk routes first, as they always were mounted.
    bulk::configure(cfg);
    handlers::configure(cfg);
    contributions::configure(cfg);
}
