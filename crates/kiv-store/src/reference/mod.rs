//! Reference data: read by everyone, written by seeds (and, later, by administrators).

pub mod clusters;
pub mod organisations;
pub mod plans;
pub mod themes;
