//! The tokens this node verified lately, with whom they name, until they expire: a client sends
//! the same token with every request for its lifetime, and checking its signature and decoding
//! its claims again each time is work done once per token, not per request.
//!
//! What keeps it from ever accepting a token the verifier would refuse:
//! - an entry is keyed by the whole token (header, claims and signature), so it answers only a
//!   token byte for byte equal to one the verifier accepted; only accepted tokens are entered;
//! - an entry is served only before the token's `exp`, while the verifier accepts a token until
//!   `exp` plus its leeway: after that the verifier answers again (and says "expired");
//! - the verifier's keys and settings are fixed for the life of the [`super::TokenService`] that
//!   owns the cache.
//!
//! Whether the account still stands behind a token is not cached here: that is checked on every
//! request (`auth::authenticate`, through the access check's own short cache).

use std::collections::HashMap;
use std::sync::Mutex;

/// At most this many tokens are kept (a few hundred bytes each): far more than the clients of
/// one node hold at once; when full, the expired ones go, then an arbitrary one.
pub const CAPACITY: usize = 4096;

/// Verified tokens and what they say (`T`: the token service's `Presented`), until their `exp`
/// (seconds since the epoch).
#[derive(Debug)]
pub struct ClaimsCache<T> {
    entries: Mutex<HashMap<Box<str>, Entry<T>>>,
}

impl<T> Default for ClaimsCache<T> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

#[derive(Debug, Clone)]
struct Entry<T> {
    presented: T,
    expires_at: u64,
}

impl<T: Clone> ClaimsCache<T> {
    /// What `token` says, if it was verified and has not expired at `now`.
    pub fn get(&self, token: &str, now: u64) -> Option<T> {
        // A poisoned lock only means a panic elsewhere: the token is verified again.
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(token)?;
        (now < entry.expires_at).then(|| entry.presented.clone())
    }

    /// Keeps what the verifier found in `token`, which expires at `expires_at`.
    pub fn insert(&self, token: &str, presented: &T, expires_at: u64, now: u64) {
        if now >= expires_at {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY && !entries.contains_key(token) {
            entries.retain(|_, entry| now < entry.expires_at);
            if entries.len() >= CAPACITY {
                if let Some(victim) = entries.keys().next().cloned() {
                    entries.remove(&victim);
                }
            }
        }
        entries.insert(
            token.into(),
            Entry {
                presented: presented.clone(),
                expires_at,
            },
        );
    }

    /// How many tokens are kept.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presented(login: &str) -> String {
        login.to_owned()
    }

    #[test]
    fn an_entry_is_served_until_its_expiry_and_not_at_it() {
        let cache = ClaimsCache::default();
        cache.insert("a.b.c", &presented("an"), 100, 10);
        assert_eq!(cache.get("a.b.c", 99), Some("an".into()));
        assert!(cache.get("a.b.c", 100).is_none());
        assert!(
            cache.get("a.b.d", 50).is_none(),
            "another token, even one byte off"
        );
        // An expired token is not even kept.
        cache.insert("x.y.z", &presented("an"), 100, 100);
        assert!(cache.get("x.y.z", 0).is_none());
    }

    #[test]
    fn it_never_holds_more_than_its_capacity() {
        let cache = ClaimsCache::default();
        for n in 0..CAPACITY + 100 {
            cache.insert(&format!("token-{n}"), &presented("an"), 1_000, 10);
        }
        assert_eq!(cache.len(), CAPACITY);
        // The newest is always kept.
        assert!(cache.get(&format!("token-{}", CAPACITY + 99), 10).is_some());
        // Expired entries make room first.
        let cache = ClaimsCache::default();
        for n in 0..CAPACITY {
            cache.insert(&format!("old-{n}"), &presented("an"), 20, 10);
        }
        cache.insert("new", &presented("bo"), 1_000, 30);
        assert_eq!(cache.len(), 1);
    }
}
