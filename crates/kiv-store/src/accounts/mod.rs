//! Accounts of people and agency systems, and their credentials: the hashed secrets
//! (`credentials`) and logging in with them (`login`).

pub mod credentials;
pub mod login;
mod queries;
mod rows;
mod service;

pub use queries::{
    authenticate, count, find_by_login, get, list, standing, with_organisation, AccountFilter,
};
pub use service::{create, set_secret, update, AccountChanges, NewAccount};
