//! Throw-away databases for tests: one fresh database per test, on the backend the environment
//! names. `KIV_TEST_DATABASE_URL=postgres://...` runs tests on PostgreSQL (each test creates its
//! own database next to the one named, and drops it afterwards); without it they run on SQLite
//! files in a temporary directory.
#![allow(clippy::expect_used, clippy::panic)]

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use crate::database::{DatabaseUrl, PoolOptions};
use crate::{Database, DbConnection};

/// The variable that points tests at PostgreSQL.
pub const TEST_DATABASE_URL: &str = "KIV_TEST_DATABASE_URL";

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    url: DatabaseUrl,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// Creates an empty database on the backend the environment names.
    pub fn new() -> Self {
        match std::env::var(TEST_DATABASE_URL) {
            Ok(url) if !url.trim().is_empty() => Self::postgres(&url),
            _ => Self::sqlite(),
        }
    }

    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("kiv-test.db");
        Self {
            url: DatabaseUrl::Sqlite {
                path: path.display().to_string(),
            },
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    fn postgres(admin_url: &str) -> Self {
        let name = format!("kiv_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL} does not connect: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let mut url = url::Url::parse(admin_url).expect("a valid PostgreSQL URL");
        url.set_path(&format!("/{name}"));
        Self {
            url: DatabaseUrl::Postgres { url: url.into() },
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        }
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// A pool on this database, migrated.
    pub fn migrated(&self) -> Database {
        let database = Database::connect(self.url.clone(), PoolOptions::default())
            .expect("connect to test database");
        let mut conn = database.connection().expect("a connection");
        crate::migrations::run_pending(&mut conn).expect("migrations");
        drop(conn);
        database
    }

    /// A single connection, not migrated.
    pub fn connect(&self) -> DbConnection {
        self.url.connect().expect("connect to test database")
    }

    /// Makes the database unreachable: on PostgreSQL it is dropped (closing every connection), on
    /// SQLite its directory is replaced by a file so that nothing can open it again.
    pub fn destroy(&self) {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => {
                std::fs::remove_dir_all(dir.path()).expect("remove database directory");
                std::fs::write(dir.path(), b"gone").expect("block database directory");
            }
            Cleanup::Postgres { admin_url, name } => drop_database(admin_url, name),
        }
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => {
                // `destroy` may have replaced the directory by a file.
                let _ = std::fs::remove_file(dir.path());
            }
            Cleanup::Postgres { admin_url, name } => drop_database(admin_url, name),
        }
    }
}

fn drop_database(admin_url: &str, name: &str) {
    if let Ok(mut admin) = PgConnection::establish(admin_url) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}
