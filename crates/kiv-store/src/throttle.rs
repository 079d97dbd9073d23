//! The counters of log-in attempts (table `login_attempts`), shared by every node through the
//! database. What the counters mean and how long a key waits is `kiv_domain::throttle`'s; this
//! module only keeps them, atomically.
//!
//! An attempt *reserves* its keys before its secret is checked: in one transaction it makes
//! sure no key is waiting and counts the attempt as a failure. So two attempts at the same
//! moment cannot both slip through a key's last free failure or the end of its wait. When the
//! secret turns out right, [`succeeded`] takes the failure back.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use kiv_domain::throttle::{BackOff, KeyState};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::schema::login_attempts;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = login_attempts, treat_none_as_null = true)]
struct AttemptRow {
    throttle_key: String,
    failures: i32,
    last_failure_at: Option<NaiveDateTime>,
    wait_until: Option<NaiveDateTime>,
    last_success_at: Option<NaiveDateTime>,
    expires_at: NaiveDateTime,
}

impl AttemptRow {
    fn state(&self) -> KeyState {
        KeyState {
            failures: u32::try_from(self.failures).unwrap_or(0),
            last_failure: self.last_failure_at,
            wait_until: self.wait_until,
        }
    }

    fn set_state(&mut self, state: KeyState, forget_after: TimeDelta, known_for: TimeDelta) {
        self.failures = i32::try_from(state.failures).unwrap_or(i32::MAX);
        self.last_failure_at = state.last_failure;
        self.wait_until = state.wait_until;
        self.expires_at = [
            state.last_failure.map(|at| at + forget_after),
            state.wait_until,
            self.last_success_at.map(|at| at + known_for),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.expires_at);
    }
}

/// A key an attempt is counted under, and its back-off.
#[derive(Debug, Clone)]
pub struct Counted {
    pub key: String,
    pub policy: BackOff,
}

/// What [`reserve`] counted, to take back after a successful log-in.
#[derive(Debug, Clone)]
pub struct Reservation {
    counted: Vec<(Counted, KeyState, KeyState)>,
    at: NaiveDateTime,
}

/// Whether an attempt may be evaluated.
#[derive(Debug, Clone)]
pub enum Gate {
    /// A key is waiting: no attempt before this much time has passed.
    Wait(TimeDelta),
    /// Every key was free; the attempt is counted as a failure until [`succeeded`] says not.
    Reserved(Reservation),
}

fn fresh(key: &str, now: NaiveDateTime) -> AttemptRow {
    AttemptRow {
        throttle_key: key.to_owned(),
        failures: 0,
        last_failure_at: None,
        wait_until: None,
        last_success_at: None,
        expires_at: now,
    }
}

/// The rows of `keys`, created when missing, locked until the transaction ends.
fn lock(
    conn: &mut DbConnection,
    keys: &[&str],
    now: NaiveDateTime,
) -> StoreResult<Vec<AttemptRow>> {
    let mut sorted = keys.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    for key in &sorted {
        crate::on_backend!(conn, |inner| diesel::insert_into(login_attempts::table)
            .values(fresh(key, now))
            .on_conflict_do_nothing()
            .execute(inner))?;
    }
    macro_rules! query {
        () => {
            login_attempts::table
                .filter(login_attempts::throttle_key.eq_any(sorted.clone()))
                .order(login_attempts::throttle_key)
                .select(AttemptRow::as_select())
        };
    }
    Ok(match conn {
        // SQLite's write transaction already holds the only write lock.
        DbConnection::Sqlite(inner) => query!().load(inner)?,
        DbConnection::Postgres(inner) => query!().for_update().load(inner)?,
    })
}

fn save(conn: &mut DbConnection, row: &AttemptRow) -> StoreResult<()> {
    diesel::update(login_attempts::table.find(&row.throttle_key))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// When the pair key `key` last logged in successfully, if it did.
pub fn last_success(conn: &mut DbConnection, key: &str) -> StoreResult<Option<NaiveDateTime>> {
    Ok(login_attempts::table
        .find(key)
        .select(login_attempts::last_success_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}

/// Checks that none of `counted` is waiting at `now` and counts a failure on each;
/// `known_for` keeps a row that remembers a successful log-in.
pub fn reserve(
    conn: &mut DbConnection,
    counted: &[Counted],
    known_for: TimeDelta,
    now: NaiveDateTime,
) -> StoreResult<Gate> {
    crate::database::write_transaction(conn, |conn| {
        // Counters that say nothing any more go; the index keeps this cheap.
        diesel::delete(login_attempts::table.filter(login_attempts::expires_at.lt(now)))
            .execute(conn)?;
        let keys: Vec<&str> = counted.iter().map(|c| c.key.as_str()).collect();
        let mut rows = lock(conn, &keys, now)?;
        let wait = rows
            .iter()
            .filter_map(|row| row.state().remaining_wait(now))
            .max();
        if let Some(wait) = wait {
            return Ok::<_, StoreError>(Gate::Wait(wait));
        }
        let mut reserved = Vec::with_capacity(counted.len());
        for item in counted {
            let Some(row) = rows.iter_mut().find(|row| row.throttle_key == item.key) else {
                continue;
            };
            let before = row.state();
            let after = before.after_failure(&item.policy, now);
            row.set_state(after, item.policy.forget_after, known_for);
            save(conn, row)?;
            reserved.push((item.clone(), before, after));
        }
        Ok(Gate::Reserved(Reservation {
            counted: reserved,
            at: now,
        }))
    })
}

/// Takes back what `reservation` counted, the attempt having succeeded: the pair key `pair`
/// is cleared and remembers the success (its address is known for `known_for`); every other key
/// is as before the attempt, or, when other attempts were counted since, one failure less.
pub fn succeeded(
    conn: &mut DbConnection,
    reservation: &Reservation,
    pair: &str,
    known_for: TimeDelta,
) -> StoreResult<()> {
    let now = reservation.at;
    crate::database::write_transaction(conn, |conn| {
        let keys: Vec<&str> = reservation
            .counted
            .iter()
            .map(|(c, _, _)| c.key.as_str())
            .chain([pair])
            .collect();
        let mut rows = lock(conn, &keys, now)?;
        for row in &mut rows {
            if row.throttle_key == pair {
                row.last_success_at = Some(now);
                row.set_state(
                    KeyState {
                        failures: 0,
                        last_failure: None,
                        wait_until: None,
                    },
                    TimeDelta::zero(),
                    known_for,
                );
                row.expires_at = now + known_for;
            } else if let Some((item, before, after)) = reservation
                .counted
                .iter()
                .find(|(c, _, _)| c.key == row.throttle_key)
            {
                let current = row.state();
                let restored = if current == *after {
                    *before
                } else {
                    KeyState {
                        failures: current.failures.saturating_sub(1),
                        ..current
                    }
                };
                row.set_state(restored, item.policy.forget_after, known_for);
            }
            save(conn, row)?;
        }
        Ok::<_, StoreError>(())
    })
}
