//! Where a request came from and which address it was sent to: the base URL of every absolute
//! link kiv answers with (report links, `Location`, problem `href`s, paging links) and the
//! client address that log-in throttling and rate limiting count. Both are decided here, once.
//!
//! `Forwarded` and `X-Forwarded-*` headers are anyone's to write: kiv honours them only on a
//! connection from a configured trusted proxy (`KIV_TRUSTED_PROXIES`), and then only what that
//! proxy added (the last value). A configured public base URL (`KIV_PUBLIC_BASE_URL`) is used for
//! links whatever the headers say. Without either, links use the `Host` the client sent and the
//! address is the connection's.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use actix_web::http::header::{self, HeaderName};
use actix_web::{web, HttpRequest};
use ipnet::IpNet;

use crate::AppState;

/// How the service is reached: its public base URL, if configured, and the proxies it trusts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    public_base_url: Option<String>,
    trusted_proxies: Vec<IpNet>,
}

impl Origin {
    /// An origin with links rooted at `public_base_url` (when given; see
    /// [`Origin::parse_base_url`]) and forwarded headers honoured from `trusted_proxies`.
    pub fn new(public_base_url: Option<String>, trusted_proxies: Vec<IpNet>) -> Self {
        Self {
            public_base_url,
            trusted_proxies,
        }
    }

    /// A public base URL as links use it: `http` or `https`, a host, no query, no fragment, no
    /// credentials; a trailing `/` is dropped (`https://kiv.example.be`).
    pub fn parse_base_url(text: &str) -> Result<String, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("the scheme must be http or https".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("a host is required".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("a base URL has no query and no fragment".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("a base URL carries no credentials".into());
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }

    /// A trusted proxy: an address (`10.0.0.5`, `::1`) or a network (`10.0.0.0/8`).
    pub fn parse_proxy(text: &str) -> Result<IpNet, String> {
        let text = text.trim();
        text.parse::<IpNet>()
            .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| {
                format!("{text:?} is neither an IP address nor a network in CIDR notation")
            })
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.trusted_proxies
            .iter()
            .any(|net| net.contains(&address.to_canonical()))
    }

    fn trusted_peer(&self, req: &HttpRequest) -> bool {
        req.peer_addr().is_some_and(|peer| self.trusts(peer.ip()))
    }

    /// The scheme and host (and any path prefix) that absolute links start with.
    pub fn base_url_of(&self, req: &HttpRequest) -> String {
        if let Some(base) = &self.public_base_url {
            return base.clone();
        }
        let forwarded = self.trusted_peer(req);
        let proto = forwarded
            .then(|| forwarded_value(req, "proto", &header::X_FORWARDED_PROTO))
            .flatten()
            .map(|p| p.to_ascii_lowercase())
            .filter(|p| p == "http" || p == "https");
        let host = forwarded
            .then(|| forwarded_value(req, "host", &X_FORWARDED_HOST))
            .flatten()
            .filter(|h| valid_host(h));
        let scheme = proto.unwrap_or_else(|| {
            if req.app_config().secure() {
                "https".into()
            } else {
                "http".into()
            }
        });
        let host = host.unwrap_or_else(|| own_host(req));
        format!("{scheme}://{host}")
    }

    /// The client's address: the connection's, or, on a connection from a trusted proxy, the
    /// right-most address in `Forwarded: for=` (or else `X-Forwarded-For`) that is not a trusted
    /// proxy itself. Addresses left of it are the client's to write and are never used.
    pub fn client_address_of(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip().to_canonical();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops = if req.headers().contains_key(header::FORWARDED) {
            forwarded_elements(req)
                .into_iter()
                .map(|element| parameter(&element, "for"))
                .collect::<Vec<_>>()
        } else {
            header_values(req, &header::X_FORWARDED_FOR)
                .into_iter()
                .map(Some)
                .collect()
        };
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(address) = hop.as_deref().and_then(parse_node) else {
                // Unreadable: what lies beyond cannot be trusted either.
                break;
            };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        Some(client)
    }
}

const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// The configured origin of `req`'s app (the default outside one, as in unit tests).
pub fn of(req: &HttpRequest) -> Arc<Origin> {
    req.app_data::<web::Data<AppState>>()
        .map(|state| state.origin.clone())
        .unwrap_or_default()
}

/// The scheme and host that absolute links to this service start with.
pub fn base_url(req: &HttpRequest) -> String {
    of(req).base_url_of(req)
}

/// The address of the client that sent `req` (`None` without a connection, as in unit tests).
pub fn client_address(req: &HttpRequest) -> Option<IpAddr> {
    of(req).client_address_of(req)
}

/// Every comma-separated value of every `name` header, in order.
fn header_values(req: &HttpRequest, name: &HeaderName) -> Vec<String> {
    req.headers()
        .get_all(name)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .collect()
}

/// The elements of `Forwarded` (RFC 7239), in order.
fn forwarded_elements(req: &HttpRequest) -> Vec<String> {
    header_values(req, &header::FORWARDED)
}

/// A parameter of one `Forwarded` element, unquoted.
fn parameter(element: &str, name: &str) -> Option<String> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// What the nearest proxy said: `name` of the last `Forwarded` element when there is that
/// header, the last value of `legacy` otherwise.
fn forwarded_value(req: &HttpRequest, name: &str, legacy: &HeaderName) -> Option<String> {
    if req.headers().contains_key(header::FORWARDED) {
        forwarded_elements(req)
            .last()
            .and_then(|element| parameter(element, name))
    } else {
        header_values(req, legacy).pop()
    }
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or
/// `[2001:db8::1]:4711`.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })
        .map(|address: IpAddr| address.to_canonical())
}

/// A host and optional port, nothing else (no path, credentials or spaces to smuggle in).
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b))
}

/// The host the client addressed, as it said it (`Host`, or the request target's authority).
fn own_host(req: &HttpRequest) -> String {
    req.headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()))
        .filter(|host| valid_host(host))
        .unwrap_or_else(|| req.app_config().host().to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use actix_web::test::TestRequest;

    fn peer(address: &str) -> SocketAddr {
        format!("{address}:5000").parse().unwrap()
    }

    fn trusting(proxies: &[&str]) -> Origin {
        Origin::new(
            None,
            proxies
                .iter()
                .map(|p| Origin::parse_proxy(p).unwrap())
                .collect(),
        )
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let req = TestRequest::default()
            .peer_addr(peer("203.0.113.9"))
            .insert_header(("host", "kiv.example.be"))
            .insert_header(("x-forwarded-host", "evil.example"))
            .insert_header(("x-forwarded-proto", "https"))
            .insert_header(("x-forwarded-for", "198.51.100.1"))
            .to_http_request();
        let untrusting = Origin::default();
        assert_eq!(untrusting.base_url_of(&req), "http://kiv.example.be");
        assert_eq!(
            untrusting.client_address_of(&req),
            Some("203.0.113.9".parse().unwrap())
        );
        let origin = trusting(&["203.0.113.0/24"]);
        assert_eq!(origin.base_url_of(&req), "https://evil.example");
        assert_eq!(
            origin.client_address_of(&req),
            Some("198.51.100.1".parse().unwrap())
        );
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let origin = trusting(&["10.0.0.0/8", "::1"]);
        let req = TestRequest::default()
            .peer_addr(peer("10.0.0.2"))
            .insert_header(("x-forwarded-for", "1.1.1.1, 192.0.2.4, 10.0.0.7"))
            .to_http_request();
        assert_eq!(
            origin.client_address_of(&req),
            Some("192.0.2.4".parse().unwrap())
        );
        let req = TestRequest::default()
            .peer_addr(peer("10.0.0.2"))
            .insert_header((
                "forwarded",
                r#"for=1.1.1.1, for="[2001:db8::5]:4711";proto=https;host=kiv.example.be"#,
            ))
            .to_http_request();
        assert_eq!(
            origin.client_address_of(&req),
            Some("2001:db8::5".parse().unwrap())
        );
        assert_eq!(origin.base_url_of(&req), "https://kiv.example.be");
        // Garbage stops the walk at the last address that could be read.
        let req = TestRequest::default()
            .peer_addr(peer("10.0.0.2"))
            .insert_header(("x-forwarded-for", "192.0.2.4, nonsense"))
            .to_http_request();
        assert_eq!(
            origin.client_address_of(&req),
            Some("10.0.0.2".parse().unwrap())
        );
    }

    #[test]
    fn a_public_base_url_wins_whatever_the_headers() {
        let base = Origin::parse_base_url("https://kiv.example.be/").unwrap();
        assert_eq!(base, "https://kiv.example.be");
        let origin = Origin::new(Some(base), vec![Origin::parse_proxy("0.0.0.0/0").unwrap()]);
        let req = TestRequest::default()
            .peer_addr(peer("10.0.0.2"))
            .insert_header(("x-forwarded-host", "evil.example"))
            .to_http_request();
        assert_eq!(origin.base_url_of(&req), "https://kiv.example.be");
        for bad in [
            "ftp://x",
            "https://",
            "https://x/?a=1",
            "https://u:p@x",
            "x",
        ] {
            assert!(Origin::parse_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forged_hosts_with_more_than_a_host_are_ignored() {
        let origin = trusting(&["127.0.0.1"]);
        let req = TestRequest::default()
            .peer_addr(peer("127.0.0.1"))
            .insert_header(("host", "kiv.example.be"))
            .insert_header(("x-forwarded-host", "evil.example/path?"))
            .insert_header(("x-forwarded-proto", "javascript"))
            .to_http_request();
        assert_eq!(origin.base_url_of(&req), "http://kiv.example.be");
        assert!(Origin::parse_proxy("10.0.0.0/33").is_err());
        assert!(Origin::parse_proxy("::1").is_ok());
    }
}
