//! Objectives: the tree of a plan (strategic → operational).

mod queries;
mod rows;
mod service;

pub use queries::{get, list, ObjectiveFilter, ObjectiveSort};
pub use service::{create, delete, update, ObjectiveChanges, ObjectiveInput};
