//! The clusters of security phenomena. Written by the seeds only, so read here only: a cluster's row
//! and its queries, without a service.

mod queries;
mod rows;

pub(crate) use queries::find_row;
pub use queries::{get, list, ClusterFilter, ClusterSort};
pub(crate) use rows::ClusterRow;
