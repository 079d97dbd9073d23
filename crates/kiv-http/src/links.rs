//! Signed report links: a read-only URL for one report with its parameters, which an evaluator
//! can open in a browser or send on without a token. The HMAC signature covers the path and every
//! parameter (the expiry and the link's id included), so a changed parameter breaks it; the key
//! is kiv's own, generated once and kept in the database. Each link is also kept, by its id, so
//! that it can be listed and revoked.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The query parameter that carries the signature.
pub const SIGNATURE: &str = "signature";
/// The query parameter that carries the expiry (Unix seconds).
pub const EXPIRES: &str = "expires";
/// The query parameter that carries the link's id (its record in `report_links`).
pub const LINK: &str = "link";
/// The name under which the signing key is kept.
pub const KEY_NAME: &str = "report-link-key";

type HmacSha256 = Hmac<Sha256>;

/// What is signed: the path and the parameters but the signature, sorted, form-encoded.
fn canonical(path: &str, query: &str) -> String {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key != SIGNATURE)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    for (key, value) in &pairs {
        encoded.append_pair(key, value);
    }
    format!("{path}?{}", encoded.finish())
}

fn mac(key: &[u8], path: &str, query: &str) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(canonical(path, query).as_bytes());
    Some(mac)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (text.len() % 2 == 0)
        .then(|| {
            (0..text.len())
                .step_by(2)
                .map(|i| {
                    text.get(i..i + 2)
                        .and_then(|b| u8::from_str_radix(b, 16).ok())
                })
                .collect()
        })
        .flatten()
}

/// The signature of `path` with `query` (which must already hold the expiry).
pub fn sign(key: &[u8], path: &str, query: &str) -> Option<String> {
    Some(hex(&mac(key, path, query)?.finalize().into_bytes()))
}

/// Why a link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// The signature does not match the path and parameters (a changed parameter, a forged link).
    Invalid,
    /// The link is past its expiry.
    Expired,
}

/// Checks a signed link's path and query at Unix time `now`; the link's id when they hold. A
/// link without an id (made before links were kept) is invalid.
pub fn verify(key: &[u8], path: &str, query: &str, now: i64) -> Result<String, LinkProblem> {
    let parameter = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    let signature = parameter(SIGNATURE)
        .and_then(|s| unhex(&s))
        .ok_or(LinkProblem::Invalid)?;
    let expires: i64 = parameter(EXPIRES)
        .and_then(|e| e.parse().ok())
        .ok_or(LinkProblem::Invalid)?;
    let id = parameter(LINK).ok_or(LinkProblem::Invalid)?;
    mac(key, path, query)
        .ok_or(LinkProblem::Invalid)?
        .verify_slice(&signature)
        .map_err(|_| LinkProblem::Invalid)?;
    if expires < now {
        return Err(LinkProblem::Expired);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_every_parameter_and_the_expiry() {
        let key = b"a key of some length";
        let path = "/kiv/v1/reports/progress";
        let query = "planId=kiv-2016-2019&period=2017S2&expires=2000&link=l1";
        let signature = sign(key, path, query).unwrap();
        let signed = format!("{query}&signature={signature}");
        assert_eq!(verify(key, path, &signed, 1999), Ok("l1".into()));
        // Order does not matter; content does.
        let reordered = format!(
            "period=2017S2&signature={signature}&link=l1&expires=2000&planId=kiv-2016-2019"
        );
        assert_eq!(verify(key, path, &reordered, 1999), Ok("l1".into()));
        let other_link = signed.replace("link=l1", "link=l2");
        assert_eq!(
            verify(key, path, &other_link, 1999),
            Err(LinkProblem::Invalid)
        );
        // A link signed without an id is no longer honoured.
        let old = "planId=kiv-2016-2019&expires=2000";
        let old = format!("{old}&signature={}", sign(key, path, old).unwrap());
        assert_eq!(verify(key, path, &old, 1999), Err(LinkProblem::Invalid));
        let changed = signed.replace("2017S2", "2018S1");
        assert_eq!(verify(key, path, &changed, 1999), Err(LinkProblem::Invalid));
        let longer = signed.replace("expires=2000", "expires=9999");
        assert_eq!(verify(key, path, &longer, 1999), Err(LinkProblem::Invalid));
        assert_eq!(
            verify(key, "/kiv/v1/reports/trend", &signed, 1999),
            Err(LinkProblem::Invalid)
        );
        assert_eq!(
            verify(b"another key", path, &signed, 1999),
            Err(LinkProblem::Invalid)
        );
        assert_eq!(verify(key, path, &signed, 2001), Err(LinkProblem::Expired));
        assert_eq!(verify(key, path, query, 1999), Err(LinkProblem::Invalid));
    }
}
