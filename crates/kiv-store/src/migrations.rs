//! Schema migrations, embedded in the binary: one folder per backend, the same names in both.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Serialises start-up (migrations, reference data, the first administrator) between kiv nodes
/// starting at once against one PostgreSQL database.
const MIGRATION_LOCK: i64 = 0x006b_6976_5f6d_6967; // "kiv_mig" in ASCII

/// Runs `work` holding the start-up lock, so that of several nodes starting at once against one
/// fresh PostgreSQL database one migrates and seeds while the others wait, then find it done
/// (without it, two nodes seeded the same reference rows and one died on a duplicate key). The
/// lock is PostgreSQL's session-level advisory lock, taken again by [`run_pending`] inside (it
/// counts), and released whatever `work` returns. SQLite, one node's file, needs none.
pub fn exclusively<T, E: From<StoreError>>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        return work(conn);
    }
    conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .map_err(|e| E::from(StoreError::from(e)))?;
    let result = work(conn);
    let unlocked = conn
        .batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
        .map_err(|e| E::from(StoreError::from(e)));
    let value = result?;
    unlocked?;
    Ok(value)
}

fn migration_error(error: impl std::fmt::Display) -> StoreError {
    StoreError::Migration(error.to_string())
}

/// Applies every pending migration; returns the names of those applied.
pub fn run_pending(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    exclusively(conn, |conn| {
        match conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE),
            DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES),
        }
        .map(names)
        .map_err(migration_error)
    })
}

/// Reverts every applied migration, newest first; returns the names of those reverted.
pub fn revert_all(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE).map(names),
        DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES).map(names),
    }
    .map_err(migration_error)
}

fn names(versions: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    versions.iter().map(ToString::to_string).collect()
}
