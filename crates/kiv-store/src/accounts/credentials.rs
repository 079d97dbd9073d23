//! Secrets: generated from the operating system's random source, stored only as argon2id hashes.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::{StoreError, StoreResult};

/// A new random secret: 32 bytes, base64url (43 characters).
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The argon2id hash (PHC string, with its own salt and parameters) of `secret`.
pub fn hash_secret(secret: &str) -> StoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Corrupt(format!("cannot hash a secret: {e}")))
}

/// Whether `secret` matches `hash`. A malformed stored hash never matches.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no secret matches, verified against when a login is unknown so that an unknown login
/// takes as long to refuse as a wrong secret (no account enumeration by timing).
pub(crate) fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$3mVZqeCq2m5q9H2BfXz1cXhT8N9Gf0HkG1l9q5y0r8E"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let secret = generate_secret();
        assert_eq!(secret.len(), 43);
        let hash = hash_secret(&secret).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains(&secret));
        assert!(verify_secret(&secret, &hash));
        assert!(!verify_secret("other", &hash));
        assert_ne!(hash, hash_secret(&secret).unwrap());
        assert!(!verify_secret("anything", decoy_hash()));
        assert!(PasswordHash::new(decoy_hash()).is_ok());
    }
}
