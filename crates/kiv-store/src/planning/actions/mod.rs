//! Actions: who leads, who takes part, when, for which objective.

mod queries;
mod rows;
mod service;

pub(crate) use queries::involving;
pub use queries::{find_by_external_id, get, get_many, list, ActionFilter, ActionSort};
pub(crate) use rows::action_state;
pub use service::{create, delete, update, upsert_by_external_id, ActionChanges, ActionInput};
