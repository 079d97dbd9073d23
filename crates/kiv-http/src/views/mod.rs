//! Representations that more than one route module answers with: an organisation (also inside
//! an account), a recorded change (the audit trail and every object's history) and an action
//! (also among the actions awaiting a report).
//!
//! Route modules never import each other: a view one module owns stays in it, and a view a
//! second module needs moves here, one submodule per resource, so that both read it from the
//! floor. Views read the floor below them (`respond`, `extract`) and nothing of the routes.

pub mod action;
pub mod audit_event;
pub mod organisation;

pub use action::ActionView;
pub use audit_event::{AuditEntityType, AuditEventView};
pub use organisation::OrganisationView;
