//! Throw-away databases for tests: one fresh database per test, on the backend the environment
//! names. `KIV_TEST_DATABASE_URL=postgres://...` runs tests on PostgreSQL (each test creates its
//! own database next to the one named, and drops it afterwards); without it they run on SQLite
//! files in a temporary directory.
//!
//! Most tests want the database a new deployment with `--demo` has: migrated, seeded and with the
//! demo content. Building that takes longer than the test itself, so [`TestDatabase::with_demo`]
//! builds it once per test process as a template (a file on SQLite, a template database on
//! PostgreSQL) and hands each test a copy.
#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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
            Ok(url) if !url.trim().is_empty() => Self::postgres(&url, None),
            _ => Self::sqlite(),
        }
    }

    /// A database as `kiv serve --demo` leaves it on first start (migrations, reference data,
    /// demo content), copied from this process's template.
    pub fn with_demo() -> Self {
        static TEMPLATE: OnceLock<Template> = OnceLock::new();
        let template = TEMPLATE.get_or_init(Template::build);
        match &template.origin {
            TemplateOrigin::Sqlite(file) => {
                let copy = Self::sqlite();
                if let DatabaseUrl::Sqlite { path } = &copy.url {
                    std::fs::copy(file, path).expect("copy the template database");
                }
                copy
            }
            TemplateOrigin::Postgres { admin_url, name } => Self::postgres(admin_url, Some(name)),
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

    /// A new database on the server of `admin_url`, empty or a copy of `template`.
    fn postgres(admin_url: &str, template: Option<&str>) -> Self {
        let name = format!("kiv_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL} does not connect: {e}"));
        admin
            .batch_execute(&match template {
                Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
                None => format!("CREATE DATABASE {name}"),
            })
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

/// The prepared database of this test process, which tests copy. It outlives every test (statics
/// are never dropped), so a later process removes the templates of processes that have ended.
struct Template {
    origin: TemplateOrigin,
}

enum TemplateOrigin {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// What names a template: the prefix, then the id of the process that made it.
const TEMPLATE_PREFIX: &str = "kiv_template_";

impl Template {
    fn build() -> Self {
        let database = TestDatabase::new();
        {
            let pool = Database::connect(database.url.clone(), PoolOptions::default())
                .expect("connect to the template database");
            let mut conn = pool.connection().expect("a connection");
            crate::prepare(&mut conn).expect("migrations and reference data");
            crate::demo::apply(&mut conn).expect("demo content");
        } // every connection closed: on SQLite the write-ahead log is folded into the file
        let origin = match (&database.url, &database.cleanup) {
            (DatabaseUrl::Sqlite { path }, _) => {
                let dir = std::env::temp_dir().join("kiv-test-templates");
                std::fs::create_dir_all(&dir).expect("template directory");
                remove_ended_templates_files(&dir);
                let file = dir.join(format!("{TEMPLATE_PREFIX}{}.db", std::process::id()));
                std::fs::copy(path, &file).expect("keep the template");
                TemplateOrigin::Sqlite(file)
            }
            (_, Cleanup::Postgres { admin_url, name }) => {
                let mut admin = PgConnection::establish(admin_url).expect("connect as admin");
                remove_ended_template_databases(&mut admin);
                let template = format!(
                    "{TEMPLATE_PREFIX}{}_{}",
                    std::process::id(),
                    uuid::Uuid::new_v4().simple()
                );
                admin
                    .batch_execute(&format!("CREATE DATABASE {template} TEMPLATE {name}"))
                    .expect("keep the template");
                TemplateOrigin::Postgres {
                    admin_url: admin_url.clone(),
                    name: template,
                }
            }
            _ => unreachable!("a test database is either SQLite or PostgreSQL"),
        };
        Template { origin }
    }
}

/// Whether the process that made a template has ended: only known where `/proc` shows processes
/// (elsewhere no template is ever taken for ended).
fn process_ended(template_name: &str) -> bool {
    let Some(pid) = template_name
        .strip_prefix(TEMPLATE_PREFIX)
        .and_then(|rest| rest.split(['_', '.']).next())
    else {
        return false;
    };
    Path::new("/proc/self").exists() && !Path::new("/proc").join(pid).exists()
}

fn remove_ended_templates_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if process_ended(&entry.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn remove_ended_template_databases(admin: &mut PgConnection) {
    use diesel::sql_types::Text;
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        datname: String,
    }
    let names: Vec<Name> = diesel::sql_query(format!(
        "SELECT datname FROM pg_database WHERE datname LIKE '{TEMPLATE_PREFIX}%'"
    ))
    .load(admin)
    .unwrap_or_default();
    for Name { datname } in names {
        if process_ended(&datname) {
            drop_database_on(admin, &datname);
        }
    }
}

fn drop_database_on(admin: &mut PgConnection, name: &str) {
    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

fn drop_database(admin_url: &str, name: &str) {
    if let Ok(mut admin) = PgConnection::establish(admin_url) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}
