//! Access tokens: short-lived JWTs (RFC 9068 profile, `typ: at+jwt`). The accepted algorithm is
//! the configured one, never the one a token claims; every token names its key (`kid`, the key's
//! JWK thumbprint) so that a retired key stays valid beside a new one during a rotation.

use std::time::Duration;

use jsonwebtoken::jwk::{Jwk, JwkSet, ThumbprintHash};
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use kiv_domain::{Account, Caller, Role};
use serde::{Deserialize, Serialize};

use super::claims_cache::ClaimsCache;
use crate::problem::TokenProblem;

/// The media type of kiv's access tokens, in the `typ` header.
pub const TOKEN_TYPE: &str = "at+jwt";

/// Who issues tokens, for whom, and for how long.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    pub ttl: Duration,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            issuer: "kiv".into(),
            audience: "kiv".into(),
            ttl: Duration::from_secs(15 * 60),
        }
    }
}

/// Why the signing configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the HS256 secret must have at least 32 bytes")]
    WeakSecret,
    #[error("{0} is neither an Ed25519 (EdDSA) nor a P-256 (ES256) private key in PEM form")]
    UnsupportedPrivateKey(String),
    #[error("{0} is not an Ed25519 or P-256 public key in PEM form")]
    UnsupportedPublicKey(String),
    #[error("public key {0} is for another algorithm than the private key")]
    MixedAlgorithms(String),
    #[error("cannot describe the key: {0}")]
    Jwk(#[from] jsonwebtoken::errors::Error),
}

/// The claims of a kiv access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The account's login: username or client id.
    pub sub: String,
    pub exp: u64,
    pub iat: u64,
    pub jti: String,
    /// The OAuth client: the agency system itself, or `kiv` for people logging in.
    pub client_id: String,
    /// The account's organisation.
    pub org: String,
    pub roles: Vec<Role>,
    /// The account's access version when the token was issued: the token speaks for the
    /// account only while this is still the account's (see `kiv_domain::access::AccountStanding`).
    /// Required: a token without it predates the check and is refused.
    pub ver: i32,
}

/// A token whose type, signature and claims check out, before the account behind it is
/// consulted: whom it names, and the access version it was issued under.
#[derive(Debug, Clone)]
pub struct Presented {
    pub caller: Caller,
    pub access_version: i32,
}

/// A token just issued.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
    /// The account's roles, space-separated (OAuth `scope`).
    pub scope: String,
}

struct VerifyingKey {
    kid: String,
    key: DecodingKey,
}

/// Issues and verifies access tokens with one signing key and any number of verifying keys.
pub struct TokenService {
    settings: TokenSettings,
    algorithm: Algorithm,
    signing_key: EncodingKey,
    signing_kid: String,
    verifying: Vec<VerifyingKey>,
    jwks: JwkSet,
    /// Tokens verified lately, until their expiry (see [`ClaimsCache`]).
    verified: ClaimsCache<Presented>,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("algorithm", &self.algorithm)
            .field("kid", &self.signing_kid)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn thumbprint(jwk: &Jwk) -> Result<String, KeyError> {
    Ok(jwk.thumbprint(ThumbprintHash::SHA256)?)
}

impl TokenService {
    /// HS256 with a shared secret: the default, for a single deployment that verifies its own
    /// tokens. No keys are published.
    pub fn hs256(secret: &[u8], settings: TokenSettings) -> Result<Self, KeyError> {
        if secret.len() < 32 {
            return Err(KeyError::WeakSecret);
        }
        let signing_key = EncodingKey::from_secret(secret)?;
        let kid = thumbprint(&Jwk::from_encoding_key(&signing_key, Algorithm::HS256)?)?;
        Ok(Self {
            settings,
            algorithm: Algorithm::HS256,
            signing_key,
            verifying: vec![VerifyingKey {
                kid: kid.clone(),
                key: DecodingKey::from_secret(secret)?,
            }],
            signing_kid: kid,
            jwks: JwkSet { keys: Vec::new() },
            verified: ClaimsCache::default(),
        })
    }

    /// EdDSA (Ed25519) or ES256 (P-256) with a private key, the production option: the public
    /// keys are published at `/auth/jwks.json`, so other services can verify kiv's tokens.
    /// `previous_public_keys` (PEM) stay valid for tokens signed before a rotation.
    pub fn asymmetric(
        private_key_pem: &[u8],
        previous_public_keys: &[(String, Vec<u8>)],
        settings: TokenSettings,
    ) -> Result<Self, KeyError> {
        let (algorithm, signing_key) = EncodingKey::from_ed_pem(private_key_pem)
            .map(|key| (Algorithm::EdDSA, key))
            .or_else(|_| {
                EncodingKey::from_ec_pem(private_key_pem).map(|key| (Algorithm::ES256, key))
            })
            .map_err(|_| KeyError::UnsupportedPrivateKey("KIV_JWT_PRIVATE_KEY".into()))?;
        let public = Jwk::from_encoding_key(&signing_key, algorithm)
            .map_err(|_| KeyError::UnsupportedPrivateKey("KIV_JWT_PRIVATE_KEY".into()))?;
        let mut keys = vec![public];
        for (name, pem) in previous_public_keys {
            let key = match algorithm {
                Algorithm::EdDSA => DecodingKey::from_ed_pem(pem),
                _ => DecodingKey::from_ec_pem(pem),
            }
            .map_err(|_| KeyError::UnsupportedPublicKey(name.clone()))?;
            let jwk = Jwk::from_decoding_key(&key, Some(algorithm))
                .map_err(|_| KeyError::MixedAlgorithms(name.clone()))?;
            keys.push(jwk);
        }
        let mut verifying = Vec::new();
        let mut published = Vec::new();
        for mut jwk in keys {
            let kid = thumbprint(&jwk)?;
            jwk.common.key_id = Some(kid.clone());
            jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
            verifying.push(VerifyingKey {
                kid,
                key: DecodingKey::from_jwk(&jwk)?,
            });
            published.push(jwk);
        }
        let signing_kid = verifying.first().map(|k| k.kid.clone()).unwrap_or_default();
        Ok(Self {
            settings,
            algorithm,
            signing_key,
            signing_kid,
            verifying,
            jwks: JwkSet { keys: published },
            verified: ClaimsCache::default(),
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    /// The public keys, for `/auth/jwks.json` (empty with HS256).
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// A token for `account`, acting through the OAuth client `client_id`.
    pub fn issue(&self, account: &Account, client_id: &str) -> Result<IssuedToken, KeyError> {
        let now = jsonwebtoken::get_current_timestamp();
        let expires_in = self.settings.ttl.as_secs();
        let claims = Claims {
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            sub: account.login.clone(),
            exp: now + expires_in,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            client_id: client_id.to_owned(),
            org: account.organisation_id.clone(),
            roles: account.roles.clone(),
            ver: account.access_version,
        };
        let mut header = Header::new(self.algorithm);
        header.typ = Some(TOKEN_TYPE.into());
        header.kid = Some(self.signing_kid.clone());
        Ok(IssuedToken {
            access_token: encode(&header, &claims, &self.signing_key)?,
            expires_in,
            scope: account
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    /// Whom a token names, after checking its type, algorithm, key, signature, issuer, audience,
    /// expiry and not-before time. Whether the account still stands behind it is checked apart
    /// (`auth::authenticate`), as that needs the database. A token verified before is answered
    /// from the cache of verified tokens until its expiry, with what its verification found.
    pub fn verify(&self, token: &str) -> Result<Presented, TokenProblem> {
        let now = jsonwebtoken::get_current_timestamp();
        if let Some(presented) = self.verified.get(token, now) {
            return Ok(presented);
        }
        let (presented, expires_at) = self.verify_anew(token)?;
        self.verified.insert(token, &presented, expires_at, now);
        Ok(presented)
    }

    /// [`TokenService::verify`] without the cache: what the token says, and its `exp`.
    fn verify_anew(&self, token: &str) -> Result<(Presented, u64), TokenProblem> {
        let header = decode_header(token).map_err(|_| TokenProblem::Invalid)?;
        let typ_ok = header.typ.as_deref().is_some_and(|typ| {
            typ.eq_ignore_ascii_case(TOKEN_TYPE) || typ.eq_ignore_ascii_case("application/at+jwt")
        });
        if !typ_ok || header.alg != self.algorithm {
            return Err(TokenProblem::Invalid);
        }
        let key = match header.kid.as_deref() {
            Some(kid) => self.verifying.iter().find(|k| k.kid == kid),
            None => self.verifying.first(),
        }
        .ok_or(TokenProblem::Invalid)?;
        let mut validation = Validation::new(self.algorithm);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // A token is refused before its `nbf` as after its `exp`, with the same leeway for
        // clocks that differ.
        validation.validate_nbf = true;
        validation.leeway = 30;
        let data =
            decode::<Claims>(token, &key.key, &validation).map_err(|error| match error.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenProblem::Expired,
                _ => TokenProblem::Invalid,
            })?;
        let Claims {
            sub,
            org,
            roles,
            ver,
            exp,
            ..
        } = data.claims;
        Ok((
            Presented {
                caller: Caller {
                    login: sub,
                    organisation_id: org,
                    roles,
                },
                access_version: ver,
            },
            exp,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiv_domain::AccountKind;

    fn service(secret: u8) -> TokenService {
        TokenService::hs256(&[secret; 32], TokenSettings::default()).unwrap()
    }

    fn account() -> Account {
        let at = chrono::DateTime::from_timestamp(0, 0).unwrap().naive_utc();
        Account {
            id: "1".into(),
            kind: AccountKind::Person,
            login: "an".into(),
            organisation_id: "fod-justitie".into(),
            roles: vec![Role::Coordinator],
            disabled: false,
            version: 1,
            access_version: 3,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn a_token_verified_again_says_the_same_and_nothing_else_is_accepted_for_it() {
        let tokens = service(7);
        let token = tokens.issue(&account(), "kiv").unwrap().access_token;
        let first = tokens.verify(&token).unwrap();
        assert_eq!(tokens.verified.len(), 1);
        let again = tokens.verify(&token).unwrap();
        assert_eq!(
            (again.caller.login, again.access_version),
            (first.caller.login, first.access_version)
        );
        // A token one byte off its cached twin is verified, and refused.
        let mut forged = token.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        assert!(matches!(tokens.verify(&forged), Err(TokenProblem::Invalid)));
        // The same claims under another key: refused, though the claims are cached.
        let other = service(8).issue(&account(), "kiv").unwrap().access_token;
        assert!(matches!(tokens.verify(&other), Err(TokenProblem::Invalid)));
        assert_eq!(tokens.verified.len(), 1);
    }

    #[test]
    fn an_expired_token_is_refused_by_the_verifier_not_served_from_the_cache() {
        let tokens = service(7);
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            iss: "kiv".into(),
            aud: "kiv".into(),
            sub: "an".into(),
            exp: now - 60,
            iat: now - 120,
            jti: "j".into(),
            client_id: "kiv".into(),
            org: "fod-justitie".into(),
            roles: vec![Role::Coordinator],
            ver: 3,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some(TOKEN_TYPE.into());
        header.kid = Some(tokens.signing_kid.clone());
        let token = encode(&header, &claims, &tokens.signing_key).unwrap();
        // Verified while it was valid, kept until its expiry.
        let presented = Presented {
            caller: Caller {
                login: "an".into(),
                organisation_id: "fod-justitie".into(),
                roles: vec![Role::Coordinator],
            },
            access_version: 3,
        };
        tokens
            .verified
            .insert(&token, &presented, claims.exp, now - 100);
        assert!(matches!(tokens.verify(&token), Err(TokenProblem::Expired)));
        assert!(tokens.verified.get(&token, now).is_none());
    }
}
