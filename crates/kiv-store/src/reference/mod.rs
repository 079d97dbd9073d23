//! Reference data: read by everyone, written by the seeds and, for plans and organisations, by
//! administrators. Each resource is a directory: `rows`, `queries` and, where it is written
//! through the API, `service`.

pub mod clusters;
pub mod organisations;
pub mod plans;
pub mod themes;
