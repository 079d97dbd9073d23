//! The transversal themes. Written by the seeds only, so read here only: a theme's row
//! and its queries, without a service.

mod queries;
mod rows;

pub(crate) use queries::find_row;
pub use queries::{get, list, ThemeFilter, ThemeSort};
pub(crate) use rows::ThemeRow;
