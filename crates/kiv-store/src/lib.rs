//! kiv's storage. One diesel schema serves SQLite (the default, nothing to install) and PostgreSQL
//! (production); the backend is picked from the database URL. Functions here take a connection and
//! return domain types or a [`StoreError`]; they know nothing of HTTP.

pub mod database;
pub mod error;
pub mod json;
pub mod migrations;
pub mod page;
pub mod reference;
pub mod schema;
pub mod seed;
#[cfg(feature = "test-support")]
pub mod testing;

pub use database::{Backend, Database, DatabaseUrl, DbConnection, PoolOptions};
pub use error::{StoreError, StoreResult};
pub use page::Page;
