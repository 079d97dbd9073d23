//! The end-to-end tests over HTTP, one module per concern, linked into a single test binary
//! (one link instead of one per file). Each test starts its own kiv on a database of its own, so
//! the tests share nothing but the process and run in parallel threads as before.
//!
//! `tests/faults.rs` stays a binary of its own: it stops a private PostgreSQL server, exhausts
//! pools, signals and kills `kiv` processes, and times what follows; alone, it is not slowed or
//! disturbed by the many servers of this binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../common/mod.rs"]
mod common;

mod action_list;
mod administration;
mod auth;
mod belgif;
mod bulk;
mod cli;
mod contributions;
mod csv_injection;
mod draft_recommendations;
mod errors;
mod etags;
mod evaluations;
mod followups;
mod four_eyes;
mod headers;
mod http_semantics;
mod idempotency;
mod import_limits;
mod merge_patch;
mod numeric_bounds;
mod openapi_document;
mod operations;
mod origin;
mod planning;
mod recommendations;
mod reference_data;
mod report_formats;
mod report_periods;
mod reports;
mod rights_withdrawal;
mod rollup_property;
mod swagger_ui;
mod throttling;
mod unique_keys;
