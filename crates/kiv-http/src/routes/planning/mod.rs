//! The plans' content: `/objectives`, `/actions` and `/indicators`. Readable by every
//! authenticated caller, written by coordinators (and an action synced by its lead
//! organisation's reporters too). Each resource's handlers depend on [`views`], none on another.

mod actions;
mod indicators;
mod objectives;
mod views;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    objectives::configure(cfg);
    actions::configure(cfg);
    indicators::configure(cfg);
}
