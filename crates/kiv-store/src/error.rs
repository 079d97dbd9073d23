//! The store's one error type. It speaks of data and databases, never of HTTP: the HTTP layer
//! decides which status each variant becomes.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use kiv_domain::{Tagged, Validator};

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no backend kiv supports.
    #[error("unsupported database URL {0:?}: use sqlite://<file> or postgres://user@host/db")]
    UnsupportedUrl(String),
    /// No connection could be made or borrowed in time; the database may be down or saturated.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A query failed.
    #[error("database error: {0}")]
    Query(DieselError),
    /// The record to change does not exist.
    #[error("not found")]
    NotFound,
    /// The write would replace a record the caller has not said it read (no version given).
    #[error("the record exists: say which version is replaced")]
    VersionRequired,
    /// The record changed since the caller read it (its version is now `current`).
    #[error("the record is at version {current}")]
    VersionMismatch { current: i32 },
    /// The write would duplicate or contradict existing data; the text says what.
    #[error("{0}")]
    Conflict(String),
    /// The write would give a second record a key that must be unique (a code within its
    /// objective, an external id, a login, ...): `existing_id` is the record that holds it.
    #[error("{detail}")]
    Duplicate { existing_id: String, detail: String },
    /// The input breaks rules that need the stored data to check (references, the plan's
    /// period, ...): one issue per broken rule.
    #[error("the input breaks {} rule(s)", .0.len())]
    Rejected(Vec<kiv_domain::InputIssue>),
    /// The caller's role allows the operation, but not on this record; the text says why.
    #[error("{0}")]
    NotPermitted(String),
    /// A workflow move the record's state does not allow.
    #[error(transparent)]
    InvalidTransition(#[from] kiv_domain::followup::InvalidTransition),
    /// A field names a record that does not exist.
    #[error("{field} names {id:?}, which does not exist")]
    MissingReference { field: &'static str, id: String },
    /// A write broke a uniqueness rule of the schema: another write stored the same key first.
    #[error("unique key violated: {0}")]
    Unique(String),
    /// A write broke a reference of the schema: it names a record that another write removed
    /// after the checks ran, or removes a record that another write made something name. Reading
    /// the current state and retrying resolves it.
    #[error("reference violated: {0}")]
    Reference(String),
    /// A write broke a check rule of the schema (a period that ends before it starts, a
    /// progress outside 0-100, ...): the stored record together with the change breaks a rule
    /// the checks before the write did not see, typically because another write changed the
    /// record in between.
    #[error("check rule violated: {0}")]
    Check(String),
    /// Applying or reverting migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// Seed files could not be read or break a rule of the reference data.
    #[error("invalid seed data: {0}")]
    Seed(String),
    /// A stored value no longer fits the domain (for example a kind outside its vocabulary).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// The work ran past its [`Deadline`]: the caller no longer waits for it, so it stopped and
    /// its transaction was rolled back.
    #[error("stopped after {after:?}: the caller no longer waits; nothing was written")]
    DeadlinePassed { after: std::time::Duration },
}

/// When the caller of a long piece of work (an import) stops waiting for it. Work that checks
/// its deadline stops at the next step past it and rolls its transaction back, rather than
/// holding a connection (and, on SQLite, the write lock) for an answer nobody reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The moment past which the work stops.
    pub at: std::time::Instant,
    /// How long the caller waits in all (what the error reports).
    pub after: std::time::Duration,
}

impl Deadline {
    /// `Err(DeadlinePassed)` once the deadline has passed.
    pub fn check(deadline: Option<Deadline>) -> StoreResult<()> {
        match deadline {
            Some(d) if std::time::Instant::now() >= d.at => {
                Err(StoreError::DeadlinePassed { after: d.after })
            }
            _ => Ok(()),
        }
    }
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => StoreError::Unavailable(info.message().to_owned()),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Unique(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                StoreError::Reference(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info) => {
                StoreError::Check(info.message().to_owned())
            }
            // A missing value is a defect of the store's own queries, not of the data: it stays
            // a failed query (an internal error).
            _ => StoreError::Query(error),
        }
    }
}

impl StoreError {
    /// `record` holds the unique key a write wanted too; `detail` says which key.
    pub(crate) fn duplicate(record: impl Into<String>, detail: impl Into<String>) -> Self {
        StoreError::Duplicate {
            existing_id: record.into(),
            detail: detail.into(),
        }
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}

/// Refuses a change made from another state than the stored one: `expected` is the validator
/// of the entity tag the caller sent in `If-Match` (`None` when it accepts whatever is stored,
/// as `If-Match: *` does), compared with the tag the stored record has now, derived parts
/// included, inside the write's transaction.
pub fn check_version(expected: Option<Validator>, current: &impl Tagged) -> StoreResult<()> {
    let now = current.validator();
    match expected {
        Some(validator) if validator != now => Err(StoreError::VersionMismatch {
            current: now.version,
        }),
        _ => Ok(()),
    }
}

/// A conditional update (`... WHERE version = expected`) wrote nothing: the record changed in
/// between, and the caller must read it again.
pub(crate) fn expect_one_written(written: usize, expected: i32) -> StoreResult<()> {
    if written == 0 {
        Err(StoreError::VersionMismatch {
            current: expected + 1,
        })
    } else {
        Ok(())
    }
}

/// Writes a record with a unique key after its check found the key free: `write` runs in a
/// savepoint, and when the key was taken in between (a concurrent request wrote the same key
/// after this one checked; on PostgreSQL the unique index fires only then) the savepoint is
/// rolled back and `holder`, the very lookup the check ran, names the record that holds the key
/// now, in a statement of its own. So a duplicate is the same 409 with the existing record's id
/// whether the check or the index caught it.
///
/// Generic over the connection so that this module, the lowest of the store, names no other.
pub(crate) fn unique_write<C: diesel::Connection, T>(
    conn: &mut C,
    write: impl FnOnce(&mut C) -> StoreResult<T>,
    holder: impl FnOnce(&mut C) -> StoreResult<Option<StoreError>>,
) -> StoreResult<T> {
    match conn.transaction(write) {
        Err(StoreError::Unique(message)) => match holder(conn)? {
            Some(duplicate) => Err(duplicate),
            None => Err(StoreError::Unique(message)),
        },
        other => other,
    }
}
