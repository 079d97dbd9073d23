//! Organisations: the FODs, the police, prosecutors, regions and every police zone.

mod queries;
mod rows;
mod service;

pub(crate) use queries::find_row;
pub use queries::{get, list, OrganisationFilter, OrganisationSort};
pub(crate) use rows::OrganisationRow;
pub use service::{create, update, NewOrganisation, OrganisationChanges};
