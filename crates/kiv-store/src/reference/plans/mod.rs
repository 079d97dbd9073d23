//! Plans and the clusters and themes each covers: the next plan cycle is rows, not code.

mod queries;
mod rows;
mod service;

pub(crate) use queries::{find_row, load_links};
pub use queries::{get, list, schedule, PlanFilter, PlanSort};
pub(crate) use rows::{PlanLinks, PlanRow};
pub use service::{create, update, PlanChanges, PlanInput};
