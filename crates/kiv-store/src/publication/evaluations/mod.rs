//! Evaluations of a cluster (or a transversal theme) of a plan, their evidence, their
//! recommendations, and the follow-up figures an evaluator reads beside them.
//!
//! `rows` holds the records and the inputs, `queries` the reads (each as the caller may read it),
//! `checks` what a write must satisfy against the stored data, `service` the writes and the
//! publication steps, `recommendations` the recommendations of an evaluation (their records and
//! published copies are `crate::publication::recommendations`).

mod checks;
mod queries;
mod recommendations;
mod rows;
mod service;

pub use crate::publication::recommendations::{
    RecommendationChanges, RecommendationFilter, RecommendationInput, RecommendationSort,
};
pub use queries::{context, get, history, list, readable};
pub use recommendations::{
    add_recommendation, delete_recommendation, recommendation, recommendations_of, register,
    update_recommendation,
};
pub use rows::{EvaluationChanges, EvaluationFilter, EvaluationInput};
pub use service::{create, step, update};
