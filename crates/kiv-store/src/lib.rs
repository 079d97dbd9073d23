//! kiv's storage. One diesel schema serves SQLite (the default, nothing to install) and PostgreSQL
//! (production); the backend is picked from the database URL. Functions here take a connection and
//! return domain types or a [`StoreError`]; they know nothing of HTTP.

pub mod accounts;
pub mod audit;
pub mod clock;
pub mod database;
pub mod demo;
pub mod demo_plan;
pub mod error;
pub mod followups;
pub mod idempotency;
pub mod json;
pub mod judgements;
pub mod migrations;
pub mod page;
pub(crate) mod patch;
pub mod planning;
pub mod publication;
pub(crate) mod records;
pub mod reference;
pub mod report_links;
pub mod reports;
pub mod schema;
pub mod secrets;
pub mod seed;
pub mod synthetic;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod throttle;

/// The accounts' credentials and logging in, part of the accounts feature, at their former paths
/// too.
pub use accounts::{credentials, login};
pub use database::{Backend, Database, DatabaseUrl, DbConnection, PoolOptions, PoolState};
pub use error::{Deadline, StoreError, StoreResult};
/// The partners' contributions, part of the follow-ups feature, at their former path too.
pub use followups::contributions;
pub use page::Page;
pub use publication::{cluster_followups, evaluations};

/// What [`prepare`] did to bring a database into service.
#[derive(Debug, Clone, Default)]
pub struct Preparation {
    /// Migrations applied, oldest first.
    pub migrations: Vec<String>,
    /// The reference data loaded, when the database had none.
    pub seeded: Option<seed::SeedReport>,
}

/// Brings a database into service: applies pending migrations and, into a database without any
/// plan, loads the built-in reference data. Reference data already present is left as it is (an
/// administrator's later changes survive a restart); `kiv seed` reloads it on purpose.
pub fn prepare(conn: &mut DbConnection) -> StoreResult<Preparation> {
    migrations::exclusively(conn, |conn| {
        let migrations = migrations::run_pending(conn)?;
        let seeded = if seed::is_seeded(conn)? {
            None
        } else {
            Some(seed::apply(conn, &seed::ReferenceData::embedded()?)?)
        };
        Ok(Preparation { migrations, seeded })
    })
}
