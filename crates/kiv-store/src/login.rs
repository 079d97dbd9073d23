//! Logging in: credentials checked against their hash, failures throttled per account and per
//! client address so that guessing a secret takes longer than it is worth.

use chrono::{NaiveDateTime, TimeDelta};
use kiv_domain::{Account, AccountKind};

use crate::accounts;
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::throttle::{self, ThrottlePolicy};

/// Failed log-ins of one account: 5 within 15 minutes block it for 5 minutes.
pub const ACCOUNT_POLICY: ThrottlePolicy = ThrottlePolicy {
    max_failures: 5,
    window: TimeDelta::minutes(15),
    block: TimeDelta::minutes(5),
};

/// Failed log-ins from one address, whatever the account: 30 within 15 minutes block it for 15.
pub const ADDRESS_POLICY: ThrottlePolicy = ThrottlePolicy {
    max_failures: 30,
    window: TimeDelta::minutes(15),
    block: TimeDelta::minutes(15),
};

/// How a log-in ended.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    /// The credentials are right and the account is enabled.
    Granted(Account),
    /// Unknown login, wrong secret, wrong kind of account or disabled: deliberately one answer.
    Refused,
    /// Too many failures: no attempt was made; retry after this many seconds.
    Blocked { retry_after: u64 },
}

fn account_key(login: &str) -> String {
    format!("account:{login}")
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// Checks `secret` for the account `login` of `kind`, calling from `address`.
pub fn log_in(
    conn: &mut DbConnection,
    kind: AccountKind,
    login: &str,
    secret: &str,
    address: &str,
    now: NaiveDateTime,
) -> StoreResult<LoginOutcome> {
    let (account_key, address_key) = (account_key(login), address_key(address));
    let blocked = [
        throttle::blocked_for(conn, &account_key, now)?,
        throttle::blocked_for(conn, &address_key, now)?,
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(remaining) = blocked {
        return Ok(LoginOutcome::Blocked {
            retry_after: seconds_up(remaining),
        });
    }
    match accounts::authenticate(conn, kind, login, secret)? {
        Some(account) => {
            throttle::clear(conn, &account_key)?;
            Ok(LoginOutcome::Granted(account))
        }
        None => {
            throttle::record_failure(conn, &account_key, ACCOUNT_POLICY, now)?;
            throttle::record_failure(conn, &address_key, ADDRESS_POLICY, now)?;
            Ok(LoginOutcome::Refused)
        }
    }
}

fn seconds_up(delta: TimeDelta) -> u64 {
    let millis = delta.num_milliseconds().max(0);
    u64::try_from((millis + 999) / 1000).unwrap_or(u64::MAX)
}
