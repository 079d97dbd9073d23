//! Throttling of failed log-ins, per account and per client address, shared by every node through
//! the database.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::schema::login_failures;

/// How many failures within which window block a key, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub max_failures: i32,
    pub window: TimeDelta,
    pub block: TimeDelta,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = login_failures, treat_none_as_null = true)]
struct FailureRow {
    throttle_key: String,
    failures: i32,
    window_started_at: NaiveDateTime,
    blocked_until: Option<NaiveDateTime>,
}

fn find(conn: &mut DbConnection, key: &str) -> StoreResult<Option<FailureRow>> {
    Ok(login_failures::table
        .find(key)
        .select(FailureRow::as_select())
        .first(conn)
        .optional()?)
}

/// How long `key` remains blocked at `now`, if it is.
pub fn blocked_for(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
) -> StoreResult<Option<TimeDelta>> {
    Ok(find(conn, key)?
        .and_then(|row| row.blocked_until)
        .filter(|until| *until > now)
        .map(|until| until - now))
}

/// Counts a failure for `key`; returns how long it is now blocked, if the failure blocked it.
pub fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    policy: ThrottlePolicy,
    now: NaiveDateTime,
) -> StoreResult<Option<TimeDelta>> {
    let attempt = |conn: &mut DbConnection| {
        crate::database::write_transaction(conn, |conn| {
            let existing = find(conn, key)?;
            let fresh_window = existing
                .as_ref()
                .is_none_or(|row| row.window_started_at + policy.window <= now);
            let mut row = match existing.clone() {
                Some(row) if !fresh_window => row,
                _ => FailureRow {
                    throttle_key: key.to_owned(),
                    failures: 0,
                    window_started_at: now,
                    blocked_until: None,
                },
            };
            row.failures += 1;
            if row.failures >= policy.max_failures {
                row.blocked_until = Some(now + policy.block);
            }
            if existing.is_some() {
                diesel::update(login_failures::table.find(key))
                    .set(&row)
                    .execute(conn)?;
            } else {
                diesel::insert_into(login_failures::table)
                    .values(&row)
                    .execute(conn)?;
            }
            Ok::<_, StoreError>(row.blocked_until.map(|until| until - now))
        })
    };
    match attempt(conn) {
        // A concurrent first failure inserted the row: count this one on top of it.
        Err(StoreError::Unique(_)) => attempt(conn),
        other => other,
    }
}

/// Forgets the failures of `key` (after a successful log-in).
pub fn clear(conn: &mut DbConnection, key: &str) -> StoreResult<()> {
    diesel::delete(login_failures::table.find(key)).execute(conn)?;
    Ok(())
}
