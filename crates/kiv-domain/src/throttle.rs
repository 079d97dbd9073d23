//! How failed log-ins slow down further attempts: the policy as numbers and formulas, with no
//! clock and no storage of its own (the store keeps the counters, the caller passes the time).
//!
//! Guessing is slowed, never stopped: after a number of failures a key must wait before its
//! next attempt is *evaluated*, and each further failure doubles the wait up to a cap. An attempt
//! during the wait is refused without looking at the secret (so it is no oracle) and without
//! being counted (so hammering does not lengthen the wait). Three keys are counted:
//!
//! - the account **at one address** ([`LoginPolicy::pair`]): the guesser's own key. Whoever guesses
//!   from one address slows down only that address's attempts on that account; the owner at any
//!   other address is not affected. The right secret, once the wait is over, succeeds and clears
//!   the key.
//! - the **address**, whatever the account ([`LoginPolicy::address`]): against password spraying
//!   (a few common passwords tried on many accounts from one place). Its threshold is high, since
//!   many people may share an address (an office behind one NAT).
//! - the **account**, from anywhere ([`LoginPolicy::account`]): against guessing spread over many
//!   addresses. It only slows, and little (waits of a few seconds, at most 30), since every
//!   address shares it: whoever can make requests could otherwise keep the owner out.
//!
//! The address and account keys do not apply at an address where the account logged in
//! successfully within [`LoginPolicy::known_for`]: an agency system calling from its usual server,
//! or a person at their usual desk, is never slowed by guessing from elsewhere. Their own key
//! (the account at that address) still applies, so that address gains no extra guesses.

use std::net::IpAddr;

use chrono::{NaiveDateTime, TimeDelta};

/// The wait of one kind of key as failures accumulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackOff {
    /// After this many failures in a row, every further attempt waits.
    pub threshold: u32,
    /// The wait after the `threshold`-th failure; each further failure doubles it.
    pub first_wait: TimeDelta,
    /// The longest wait.
    pub max_wait: TimeDelta,
    /// Failures are forgotten when the key has had none for this long.
    pub forget_after: TimeDelta,
}

impl BackOff {
    /// The wait imposed after the `failures`-th failure in a row: none before the threshold,
    /// then `first_wait`, twice that, four times... up to `max_wait`.
    pub fn wait_after(&self, failures: u32) -> TimeDelta {
        let Some(past) = failures.checked_sub(self.threshold) else {
            return TimeDelta::zero();
        };
        let doublings = past.min(30);
        self.first_wait
            .checked_mul(1_i32 << doublings)
            .map_or(self.max_wait, |wait| wait.min(self.max_wait))
    }

    /// The failures that still count at `now`, given the last one at `last_failure`.
    pub fn failures_at(
        &self,
        failures: u32,
        last_failure: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> u32 {
        match last_failure {
            Some(at) if at + self.forget_after > now => failures,
            _ => 0,
        }
    }
}

/// The whole log-in policy: one back-off per kind of key, and how long a successful log-in makes
/// its address known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    /// The account at one address.
    pub pair: BackOff,
    /// One address, whatever the account.
    pub address: BackOff,
    /// One account, whatever the address.
    pub account: BackOff,
    /// How long after a successful log-in its address stays exempt from the address and
    /// account keys.
    pub known_for: TimeDelta,
}

/// The account at one address: after 5 failures (typos) 1 s, 2 s, 4 s ... up to 15 minutes.
/// The 14th failure imposes 8.5 minutes, the 15th and later 15: after the first 17 minutes an
/// address gets 4 guesses an hour on one account (about 100 a day); forgotten after a day
/// without failure.
pub const PAIR: BackOff = BackOff {
    threshold: 5,
    first_wait: TimeDelta::seconds(1),
    max_wait: TimeDelta::minutes(15),
    forget_after: TimeDelta::hours(24),
};

/// One address, whatever the account: after 30 failures (an office of people behind one
/// NAT mistyping within the hour) 1 s, doubling up to 15 minutes; forgotten after an hour
/// without failure. A spray of one password over many accounts gets some 40 tries in its first
/// hour and 4 an hour after that.
pub const ADDRESS: BackOff = BackOff {
    threshold: 30,
    first_wait: TimeDelta::seconds(1),
    max_wait: TimeDelta::minutes(15),
    forget_after: TimeDelta::hours(1),
};

/// One account, whatever the address: after 20 failures (far more than its owner makes) 1 s,
/// doubling up to 30 s; forgotten after an hour without failure. A guesser with any number of
/// addresses gets at most 120 evaluated guesses an hour (some 2,900 a day) on one account; the
/// owner at a new address waits at most 30 s, and at a known address not at all.
pub const ACCOUNT: BackOff = BackOff {
    threshold: 20,
    first_wait: TimeDelta::seconds(1),
    max_wait: TimeDelta::seconds(30),
    forget_after: TimeDelta::hours(1),
};

impl Default for LoginPolicy {
    /// [`PAIR`], [`ADDRESS`] and [`ACCOUNT`]; an address is known for 30 days after a successful
    /// log-in (a month covers holidays; an address reassigned in between only gains the pair's
    /// guesses, which it has anyway).
    fn default() -> Self {
        Self {
            pair: PAIR,
            address: ADDRESS,
            account: ACCOUNT,
            known_for: TimeDelta::days(30),
        }
    }
}

/// The counters of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyState {
    /// Failures in a row (as of `last_failure`).
    pub failures: u32,
    pub last_failure: Option<NaiveDateTime>,
    /// No attempt is evaluated before this time.
    pub wait_until: Option<NaiveDateTime>,
}

impl KeyState {
    /// How long an attempt at `now` must still wait, if it must.
    pub fn remaining_wait(&self, now: NaiveDateTime) -> Option<TimeDelta> {
        self.wait_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// The counters after one more failure at `now` under `policy`.
    pub fn after_failure(&self, policy: &BackOff, now: NaiveDateTime) -> KeyState {
        let failures = policy
            .failures_at(self.failures, self.last_failure, now)
            .saturating_add(1);
        let wait = policy.wait_after(failures);
        KeyState {
            failures,
            last_failure: Some(now),
            wait_until: (wait > TimeDelta::zero()).then(|| now + wait),
        }
    }
}

/// Whether a successful log-in at `last_success` still makes the address known at `now`.
pub fn is_known(
    policy: &LoginPolicy,
    last_success: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    last_success.is_some_and(|at| at + policy.known_for > now)
}

/// How an address is counted: an IPv4 address (an IPv4-mapped IPv6 one too) as itself, an IPv6
/// address by its /64 network, since one subscriber is usually given a whole /64 and could
/// otherwise take a fresh address for every guess.
pub fn address_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                let prefix = std::net::Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
    }
}

/// The keys one log-in attempt is counted under. Logins are digested: the table holds no names
/// and no key is longer than a digest, whatever length of login a caller sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The account at the address.
    pub pair: String,
    /// The address.
    pub address: String,
    /// The account.
    pub account: String,
}

impl Keys {
    /// The keys of an attempt on `login` from `address` (`None` when the address is unknown:
    /// such attempts share one address key).
    pub fn new(login: &str, address: Option<IpAddr>) -> Self {
        let address = address.map_or_else(|| "unknown".to_owned(), address_key);
        Self {
            pair: format!("pair:{}", digest(&format!("{address}\n{login}"))),
            account: format!("account:{}", digest(login)),
            address: format!("address:{address}"),
        }
    }
}

fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whole seconds of `wait`, rounded up, at least 1: what `Retry-After` says.
pub fn retry_after_seconds(wait: TimeDelta) -> u64 {
    let millis = wait.num_milliseconds().max(1);
    u64::try_from((millis + 999) / 1000).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_700_000_000 + seconds, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn waits_double_from_the_threshold_up_to_the_cap() {
        let waits: Vec<i64> = (0..=16).map(|n| PAIR.wait_after(n).num_seconds()).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
        );
        assert_eq!(PAIR.wait_after(u32::MAX), TimeDelta::minutes(15));
        assert_eq!(ACCOUNT.wait_after(20).num_seconds(), 1);
        assert_eq!(ACCOUNT.wait_after(25).num_seconds(), 30);
        assert_eq!(ACCOUNT.wait_after(1_000), TimeDelta::seconds(30));
        assert_eq!(ADDRESS.wait_after(29), TimeDelta::zero());
        assert_eq!(ADDRESS.wait_after(30).num_seconds(), 1);
    }

    #[test]
    fn the_account_wait_stays_short_whatever_the_failures() {
        // The owner must never be kept out for long by guessing from elsewhere.
        for failures in 0..10_000 {
            assert!(ACCOUNT.wait_after(failures) <= TimeDelta::seconds(30));
        }
    }

    #[test]
    fn failures_are_counted_until_a_quiet_period_forgets_them() {
        let mut state = KeyState {
            failures: 0,
            last_failure: None,
            wait_until: None,
        };
        for n in 1..=5 {
            state = state.after_failure(&PAIR, at(n));
        }
        assert_eq!(state.failures, 5);
        assert_eq!(state.wait_until, Some(at(6)));
        assert_eq!(state.remaining_wait(at(5)), Some(TimeDelta::seconds(1)));
        assert_eq!(state.remaining_wait(at(6)), None);
        let state = state.after_failure(&PAIR, at(7));
        assert_eq!(state.failures, 6);
        assert_eq!(state.wait_until, Some(at(9)));
        // A day later it starts again from the first.
        let later = state.after_failure(&PAIR, at(7 + 24 * 3600));
        assert_eq!(later.failures, 1);
        assert_eq!(later.wait_until, None);
    }

    #[test]
    fn an_address_is_known_for_a_while_after_a_successful_log_in() {
        let policy = LoginPolicy::default();
        assert!(!is_known(&policy, None, at(0)));
        assert!(is_known(&policy, Some(at(0)), at(29 * 24 * 3600)));
        assert!(!is_known(&policy, Some(at(0)), at(30 * 24 * 3600)));
    }

    #[test]
    fn ipv6_addresses_count_by_their_network() {
        let key = |text: &str| address_key(text.parse().unwrap());
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff::1"), key("2001:db8:1:2::9"));
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
    }

    #[test]
    fn keys_separate_accounts_and_addresses() {
        let a = Some("192.0.2.1".parse().unwrap());
        let b = Some("192.0.2.2".parse().unwrap());
        let (one, other) = (Keys::new("demo", a), Keys::new("demo", b));
        assert_ne!(one.pair, other.pair);
        assert_eq!(one.account, other.account);
        assert_ne!(one.address, other.address);
        assert_eq!(one.address, "address:192.0.2.1");
        assert_ne!(Keys::new("x", a).account, one.account);
        assert!(Keys::new(&"x".repeat(10_000), a).pair.len() < 80);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(TimeDelta::milliseconds(1)), 1);
        assert_eq!(retry_after_seconds(TimeDelta::zero()), 1);
        assert_eq!(retry_after_seconds(TimeDelta::milliseconds(1_001)), 2);
        assert_eq!(retry_after_seconds(TimeDelta::minutes(15)), 900);
    }
}
