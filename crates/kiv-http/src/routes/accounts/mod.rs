//! `/accounts` and `/me`: the people and agency systems that use kiv. The handlers depend on
//! [`views`], which holds what they read and answer.

mod handlers;
mod views;

pub use handlers::configure;
pub use views::{
    AccountPatch, AccountQuery, AccountView, AccountWithSecret, Me, NewAccountRequest,
};
