//! Logging in: credentials checked against their hash, failures slowing down further attempts
//! per account at one address, per address and per account (`kiv_domain::throttle` says how),
//! so that guessing a secret takes longer than it is worth without letting anyone keep the
//! owner out.

use std::net::IpAddr;

use chrono::{DurationRound, NaiveDateTime, TimeDelta};
use kiv_domain::throttle::{self as policy, Keys, LoginPolicy};
use kiv_domain::{Account, AccountKind};

use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::throttle::{self, Counted, Gate};

/// How a log-in ended.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    /// The credentials are right and the account is enabled.
    Granted(Account),
    /// Unknown login, wrong secret, wrong kind of account or disabled: deliberately one answer.
    Refused,
    /// Too many failures: the secret was not checked; retry after this many seconds.
    Blocked { retry_after: u64 },
}

/// One attempt to log in.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub kind: AccountKind,
    pub login: &'a str,
    pub secret: &'a str,
    /// The client's address (`None` when it cannot be told).
    pub address: Option<IpAddr>,
}

/// Checks the attempt's secret at `now` under `rules`, unless one of its keys is waiting.
pub fn log_in(
    conn: &mut DbConnection,
    rules: &LoginPolicy,
    attempt: Attempt<'_>,
    now: NaiveDateTime,
) -> StoreResult<LoginOutcome> {
    // Whole milliseconds: what both databases store exactly, so a stored time compares equal
    // to the one written.
    let now = now
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap_or(now);
    let keys = Keys::new(attempt.login, attempt.address);
    let known = policy::is_known(rules, throttle::last_success(conn, &keys.pair)?, now);
    let mut counted = vec![Counted {
        key: keys.pair.clone(),
        policy: rules.pair,
    }];
    if !known {
        counted.push(Counted {
            key: keys.address.clone(),
            policy: rules.address,
        });
        counted.push(Counted {
            key: keys.account.clone(),
            policy: rules.account,
        });
    }
    let reservation = match throttle::reserve(conn, &counted, rules.known_for, now)? {
        Gate::Wait(wait) => {
            return Ok(LoginOutcome::Blocked {
                retry_after: policy::retry_after_seconds(wait),
            })
        }
        Gate::Reserved(reservation) => reservation,
    };
    match super::authenticate(conn, attempt.kind, attempt.login, attempt.secret)? {
        Some(account) => {
            throttle::succeeded(conn, &reservation, &keys.pair, rules.known_for)?;
            Ok(LoginOutcome::Granted(account))
        }
        // The failure was counted when the keys were reserved.
        None => Ok(LoginOutcome::Refused),
    }
}
