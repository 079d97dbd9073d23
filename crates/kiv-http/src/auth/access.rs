//! Whether the accounts behind tokens and report links still hold their rights. The database is
//! the truth every node shares; each node keeps what it read for a few seconds, so that a
//! withdrawal (an account disabled, its roles or secret changed) takes effect everywhere within
//! [`DEFAULT_ACCESS_CHECK_TTL`] while most requests cost no query at all. The node that makes a
//! change forgets its copy at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kiv_domain::access::AccountStanding;

/// How long a node trusts what it read about an account: the longest a withdrawn right keeps
/// working on another node.
pub const DEFAULT_ACCESS_CHECK_TTL: Duration = Duration::from_secs(5);

/// The most accounts remembered at once; past it, what has expired is dropped, and if that is
/// not enough, everything (the next requests read again).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone)]
struct Entry {
    standing: Option<AccountStanding>,
    read_at: Instant,
}

/// A short-lived, bounded memory of account standings, by login.
#[derive(Debug)]
pub struct AccessCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
    /// Goes up whenever an entry is forgotten: a read that began before cannot be stored, since
    /// it may predate the change that made the node forget.
    forgotten: AtomicU64,
}

/// A read in progress: what the cache must know to store its outcome.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    epoch: u64,
    started: Instant,
}

impl AccessCache {
    /// A cache that trusts a read for `ttl` (zero: never, every request reads).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
            forgotten: AtomicU64::new(0),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// What is known of `login` and still fresh: `Some(None)` for an account known not to
    /// exist, `None` when it must be read.
    pub fn fresh(&self, login: &str) -> Option<Option<AccountStanding>> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        entries
            .get(login)
            .filter(|entry| entry.read_at.elapsed() < self.ttl)
            .map(|entry| entry.standing.clone())
    }

    /// To be taken before reading the database, and handed to [`AccessCache::store`] after.
    pub fn ticket(&self) -> Ticket {
        Ticket {
            epoch: self.forgotten.load(Ordering::SeqCst),
            started: Instant::now(),
        }
    }

    /// Remembers what a read begun with `ticket` found, unless something was forgotten since.
    pub fn store(&self, login: &str, standing: Option<AccountStanding>, ticket: Ticket) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if self.forgotten.load(Ordering::SeqCst) != ticket.epoch {
            return;
        }
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(login) {
            let ttl = self.ttl;
            entries.retain(|_, entry| entry.read_at.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.shrink_to_fit();
        }
        entries.insert(
            login.to_owned(),
            Entry {
                standing,
                read_at: ticket.started,
            },
        );
    }

    /// Forgets `login`, after a change to the account: this node sees the change at once.
    pub fn forget(&self, login: &str) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        self.forgotten.fetch_add(1, Ordering::SeqCst);
        entries.remove(login);
    }

    /// How many accounts are remembered (for tests).
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |entries| entries.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiv_domain::Role;

    fn standing(version: i32) -> AccountStanding {
        AccountStanding {
            login: "demo-coordinator".into(),
            organisation_id: "fod-justitie".into(),
            roles: vec![Role::Coordinator],
            disabled: false,
            access_version: version,
        }
    }

    #[test]
    fn remembers_for_the_ttl_only() {
        let cache = AccessCache::new(Duration::from_millis(50));
        cache.store("demo-coordinator", Some(standing(1)), cache.ticket());
        assert_eq!(cache.fresh("demo-coordinator"), Some(Some(standing(1))));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.fresh("demo-coordinator"), None);
    }

    #[test]
    fn a_zero_ttl_remembers_nothing() {
        let cache = AccessCache::new(Duration::ZERO);
        cache.store("demo-coordinator", Some(standing(1)), cache.ticket());
        assert_eq!(cache.fresh("demo-coordinator"), None);
        assert!(cache.is_empty());
    }

    #[test]
    fn a_read_begun_before_a_forget_is_not_kept() {
        let cache = AccessCache::new(Duration::from_secs(5));
        let ticket = cache.ticket();
        cache.forget("demo-coordinator");
        cache.store("demo-coordinator", Some(standing(1)), ticket);
        assert_eq!(cache.fresh("demo-coordinator"), None);
        cache.store("demo-coordinator", Some(standing(2)), cache.ticket());
        cache.forget("demo-coordinator");
        assert_eq!(cache.fresh("demo-coordinator"), None);
    }

    #[test]
    fn stays_bounded() {
        let cache = AccessCache::new(Duration::from_secs(5));
        for i in 0..MAX_ENTRIES + 10 {
            cache.store(&format!("login-{i}"), None, cache.ticket());
        }
        assert!(cache.len() <= MAX_ENTRIES);
    }
}
