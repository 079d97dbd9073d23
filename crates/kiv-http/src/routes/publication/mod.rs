//! What the coordinating FODs publish about a plan: cluster follow-ups (`/clusterFollowUps`),
//! evaluations (`/evaluations`) and their recommendations (`/recommendations`). Each is written
//! as a draft and published in revisions; coordinators read the drafts, everybody else what was
//! last published. The handlers of each resource stand on [`views`] (what they answer with) and
//! on the shared floor, never on each other.

pub mod cluster_followups;
pub mod evaluations;
pub mod recommendations;
pub mod views;

use utoipa_actix_web::service_config::ServiceConfig;

/// Mounts the publication resources.
pub fn configure(cfg: &mut ServiceConfig) {
    cluster_followups::configure(cfg);
    evaluations::configure(cfg);
    recommendations::configure(cfg);
}
