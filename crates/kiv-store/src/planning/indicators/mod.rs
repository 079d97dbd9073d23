//! Indicators: what measures an objective or an action, from a baseline to targets per period.

mod queries;
mod rows;
mod service;

pub use queries::{get, list, IndicatorFilter, IndicatorSort};
pub(crate) use rows::IndicatorRow;
pub use service::{create, delete, update, IndicatorChanges, IndicatorInput};
