//! Connections and the pool. The backend is chosen from the URL scheme, explicitly: diesel's derived
//! `establish` tries every backend in turn and reports only that none worked, which hides the one
//! error an operator needs to see.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::R2D2Connection;
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::{StoreError, StoreResult};

/// A connection to either backend; queries written once against the shared schema run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl fmt::Debug for DbConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DbConnection::Postgres(_) => "DbConnection::Postgres",
            DbConnection::Sqlite(_) => "DbConnection::Sqlite",
        })
    }
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgres(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Runs `$body` with `$conn` bound to the backend's own connection, for what the shared subset of
/// `MultiConnection` cannot express (`RETURNING`, `ON CONFLICT`, multi-row inserts, migrations).
#[macro_export]
macro_rules! on_backend {
    ($connection:expr, |$conn:ident| $body:expr) => {
        match $connection {
            $crate::database::DbConnection::Postgres($conn) => $body,
            $crate::database::DbConnection::Sqlite($conn) => $body,
        }
    };
}

/// Runs `work` in one transaction that is a writer from its first statement. On SQLite that is
/// `BEGIN IMMEDIATE`: a deferred transaction that reads before it writes fails at once with
/// "database is locked" when another writer got there first, instead of waiting its turn (the
/// busy timeout applies to taking the write lock, not to upgrading a read). On PostgreSQL it is a
/// plain transaction.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};

    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    if AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()?
        .is_some()
    {
        // Already inside a transaction: a savepoint, as `transaction` would.
        return conn.transaction(work);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    // The work runs in a savepoint of the immediate transaction, which ends here.
    let result = conn.transaction(work);
    let ended = match &result {
        Ok(_) => <DbConnection as Connection>::TransactionManager::commit_transaction(conn),
        Err(_) => <DbConnection as Connection>::TransactionManager::rollback_transaction(conn),
    };
    match (result, ended) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(error)) => {
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
            Err(error.into())
        }
        (Err(error), _) => Err(error),
    }
}

/// The two database engines kiv runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://kiv.db`, `sqlite:///var/lib/kiv/kiv.db`: a file, created when missing.
    Sqlite { path: String },
    /// `postgres://user:password@host:5432/db?sslmode=disable`.
    Postgres { url: String },
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres {
                url: url.to_owned(),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| StoreError::UnsupportedUrl(redact(url)))?;
        // An in-memory database would be a different, empty database on each pooled connection.
        if path.is_empty() || path.contains(":memory:") {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        Ok(DatabaseUrl::Sqlite {
            path: path.to_owned(),
        })
    }
}

impl DatabaseUrl {
    /// The URL in full, password included: for handing to another process, never for logs.
    pub fn connection_string(&self) -> String {
        match self {
            DatabaseUrl::Sqlite { path } => format!("sqlite://{path}"),
            DatabaseUrl::Postgres { url } => url.clone(),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite { .. } => Backend::Sqlite,
            DatabaseUrl::Postgres { .. } => Backend::Postgres,
        }
    }

    /// Opens one connection outside any pool (for migrations, tools and tests).
    pub fn connect(&self) -> Result<DbConnection, ConnectError> {
        match self {
            DatabaseUrl::Sqlite { path } => {
                let mut conn = SqliteConnection::establish(path)?;
                // busy_timeout first: switching to WAL needs a lock another connection may hold.
                // The soft heap limit (process-wide) makes SQLite give back page cache beyond
                // 16 MiB: each pooled connection otherwise kept its own cache, which under load
                // added some 35 MB to kiv's memory for a few percent of speed.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA soft_heap_limit = 16777216;",
                )?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres { url } => {
                let mut conn = PgConnection::establish(&with_connect_timeout(url))?;
                // kiv's queries are short; compiling one (JIT, PostgreSQL 11+) costs more than
                // it saves and is triggered by the planner's cost estimates, not by the real
                // work: a whole-plan report took 20 to 600 ms longer with it.
                conn.batch_execute("SET jit = off")?;
                Ok(DbConnection::Postgres(conn))
            }
        }
    }
}

/// How long libpq may take to open a connection when the URL does not say (`connect_timeout`):
/// without a bound, a database host that drops packets would hold a request for minutes.
pub const PG_CONNECT_TIMEOUT_SECONDS: u64 = 5;

/// The URL with `connect_timeout` added when it has none.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={PG_CONNECT_TIMEOUT_SECONDS}")
}

/// Shown in logs: the password of a PostgreSQL URL is never printed.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite { path } => write!(f, "sqlite://{path}"),
            DatabaseUrl::Postgres { url } => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Replaces the password in `scheme://user:password@host/...` with `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// Why a connection could not be made; kept whole so the operator sees the real cause.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Setup(#[from] diesel::result::Error),
}

/// A connection kept by the pool, with what the pool needs to know to trust it again.
#[derive(Debug)]
pub struct Pooled {
    conn: DbConnection,
    /// When it was last handed out.
    last_used: Instant,
    /// Its server went away while a request used it: the pool drops it instead of keeping it.
    lost: bool,
}

impl Pooled {
    /// Marks the connection lost, so the pool discards it when it comes back.
    pub fn mark_lost(&mut self) {
        self.lost = true;
    }
}

impl std::ops::Deref for Pooled {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// Opens connections for the pool.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Pooled;
    type Error = ConnectError;

    fn connect(&self) -> Result<Pooled, ConnectError> {
        Ok(Pooled {
            conn: self.url.connect()?,
            last_used: Instant::now(),
            lost: false,
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), ConnectError> {
        Ok(pooled.conn.ping()?)
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        pooled.lost || pooled.conn.is_broken()
    }
}

/// A connection borrowed from the pool.
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// A connection idle for longer than this is checked with a trivial query before it is handed
/// out: its server may have gone away (a restart, a fail-over) while it waited, which nothing
/// tells until it is used. Connections in steady use skip the round trip; one whose server goes
/// away under a request is marked lost by that request ([`Pooled::mark_lost`]).
pub const IDLE_CHECK_AFTER: Duration = Duration::from_secs(1);

/// Pool settings.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    /// Connections kept at most. Beyond about 8 on two cores, tail latency grows.
    pub max_size: u32,
    /// How long a request waits for a connection before the database counts as unavailable.
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 8,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// A snapshot of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Connections open, in use or idle.
    pub connections: u32,
    /// Open connections waiting in the pool.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

impl PoolState {
    /// Connections borrowed by requests.
    pub fn in_use(&self) -> u32 {
        self.connections.saturating_sub(self.idle)
    }
}

/// The database: a pool of connections to one backend. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<ConnectionManager>,
    url: DatabaseUrl,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database").field("url", &self.url).finish()
    }
}

impl Database {
    /// Connects once, so that an unreachable database is reported with its real cause at start,
    /// then builds the pool.
    pub fn connect(url: DatabaseUrl, options: PoolOptions) -> StoreResult<Self> {
        url.connect()
            .map_err(|e| StoreError::Unavailable(format!("cannot connect to {url}: {e}")))?;
        Ok(Self::connect_lazily(url, options))
    }

    /// Builds the pool without connecting: connections are made on first use, and failures show
    /// up there as [`StoreError::Unavailable`].
    pub fn connect_lazily(url: DatabaseUrl, options: PoolOptions) -> Self {
        let pool = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(0))
            .connection_timeout(options.acquire_timeout)
            // Checked by `connection` when idle for a while rather than on every check-out,
            // which cost a round trip per request.
            .test_on_check_out(false)
            .error_handler(Box::new(r2d2::LoggingErrorHandler))
            .build_unchecked(ConnectionManager { url: url.clone() });
        Self { pool, url }
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// How the pool is used right now (for metrics).
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            connections: state.connections,
            idle: state.idle_connections,
            max: self.pool.max_size(),
        }
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// Borrows a connection, waiting at most the pool's acquire timeout. One idle for longer
    /// than [`IDLE_CHECK_AFTER`] is checked first; a dead one is discarded and another taken,
    /// so requests after a database restart do not fail on connections from before it.
    pub fn connection(&self) -> StoreResult<PooledConnection> {
        // Every connection in the pool may be dead after a restart; one more attempt then opens
        // a new one.
        for _ in 0..=self.pool.max_size() {
            let mut pooled = self
                .pool
                .get()
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            let idle_for = pooled.last_used.elapsed();
            pooled.last_used = Instant::now();
            if idle_for < IDLE_CHECK_AFTER || pooled.conn.ping().is_ok() {
                return Ok(pooled);
            }
            pooled.mark_lost();
        }
        Err(StoreError::Unavailable(
            "no connection to the database answers".to_owned(),
        ))
    }

    /// Whether the database answers a trivial query within `timeout`. For SQLite the file must
    /// also still be there: connections opened before it was removed keep answering from the
    /// unlinked file, whose writes nobody would ever see again.
    pub fn ping(&self, timeout: Duration) -> StoreResult<()> {
        if let DatabaseUrl::Sqlite { path } = &self.url {
            if !std::path::Path::new(path).is_file() {
                return Err(StoreError::Unavailable(format!("{path} no longer exists")));
            }
        }
        let mut conn = self
            .pool
            .get_timeout(timeout)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        conn.ping().map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_backend_from_scheme() {
        assert_eq!(
            "sqlite://kiv.db".parse::<DatabaseUrl>().unwrap(),
            DatabaseUrl::Sqlite {
                path: "kiv.db".into()
            }
        );
        assert_eq!(
            "sqlite:///var/lib/kiv.db"
                .parse::<DatabaseUrl>()
                .unwrap()
                .backend(),
            Backend::Sqlite
        );
        assert_eq!(
            "postgresql://u@h/db"
                .parse::<DatabaseUrl>()
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        assert!(matches!(
            "mysql://u@h/db".parse::<DatabaseUrl>(),
            Err(StoreError::UnsupportedUrl(_))
        ));
        assert!("sqlite::memory:".parse::<DatabaseUrl>().is_err());
    }

    #[test]
    fn bounds_the_time_to_connect() {
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?sslmode=disable"),
            "postgres://u@h/db?sslmode=disable&connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db"),
            "postgres://u@h/db?connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?connect_timeout=1"),
            "postgres://u@h/db?connect_timeout=1"
        );
    }

    #[test]
    fn never_shows_a_password() {
        let url: DatabaseUrl = "postgres://kiv:s3cret@db:5432/kiv".parse().unwrap();
        assert_eq!(url.to_string(), "postgres://kiv:***@db:5432/kiv");
        assert!(!format!("{url:?}").contains("s3cret"));
    }
}
