//! The client's address: the TCP peer, unless the peer is the one reverse
//! proxy the operator trusts (`--trusted-proxy`), and then the last hop that
//! proxy wrote into `X-Forwarded-For`. Any other peer's `X-Forwarded-For` is
//! ignored: anyone can write that header. Used by the login rate limit, the
//! password throttle and the audit log.
//!
//! The rate limit and the throttle count a *network*, not an address: an
//! IPv4 address, or the /64 an IPv6 address is in. One subscriber, one
//! phone or one server gets a whole /64 and can pick any of its 2^64
//! addresses for each request; counting them apart would give each guess
//! a fresh allowance.

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request};
use std::net::{IpAddr, SocketAddr};
use tower_governor::GovernorError;
use tower_governor::key_extractor::KeyExtractor;

/// The last address in the `X-Forwarded-For` headers, if it parses.
fn last_forwarded(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|s| !s.is_empty())?;
    if let Ok(ip) = last.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    // "203.0.113.7:51234" or "[2001:db8::1]:443"
    last.parse::<SocketAddr>()
        .ok()
        .map(|s| s.ip().to_canonical())
}

/// Resolves the client address for a request from `peer`.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted_proxy: Option<IpAddr>) -> IpAddr {
    let peer = peer.to_canonical();
    if trusted_proxy.is_some_and(|p| p.to_canonical() == peer) {
        return last_forwarded(headers).unwrap_or(peer);
    }
    peer
}

/// The client address of an axum request, if it came over TCP.
pub fn of_request<T>(req: &Request<T>, trusted_proxy: Option<IpAddr>) -> Option<IpAddr> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    Some(resolve(peer, req.headers(), trusted_proxy))
}

/// The network an address is counted under: itself for IPv4, its /64 for IPv6.
pub fn network(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

/// Whether two addresses as the audit log writes them are in one network
/// (the same IPv4 address, or the same IPv6 /64). Unreadable ones never are.
pub fn same_network(a: &str, b: &str) -> bool {
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(a), Ok(b)) => network(a) == network(b),
        _ => false,
    }
}

/// tower_governor's key: the resolved client's network (not the proxy's).
#[derive(Debug, Clone, Copy)]
pub struct ClientIpKey {
    pub trusted_proxy: Option<IpAddr>,
}

impl KeyExtractor for ClientIpKey {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        of_request(req, self.trusted_proxy)
            .map(network)
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn xff(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_peer_unless_it_is_the_trusted_proxy() {
        let proxy = Some(ip("10.0.0.1"));
        let h = xff(&["198.51.100.9, 203.0.113.7"]);
        // No proxy configured: the header is ignored.
        assert_eq!(resolve(ip("10.0.0.1"), &h, None), ip("10.0.0.1"));
        // From the trusted proxy: its last hop (what it saw), not the first (what the client wrote).
        assert_eq!(resolve(ip("10.0.0.1"), &h, proxy), ip("203.0.113.7"));
        // From anyone else: the header is ignored.
        assert_eq!(resolve(ip("192.0.2.5"), &h, proxy), ip("192.0.2.5"));
    }

    #[test]
    fn several_headers_ports_and_junk() {
        let proxy = Some(ip("127.0.0.1"));
        let peer = ip("127.0.0.1");
        assert_eq!(
            resolve(peer, &xff(&["1.1.1.1", "2.2.2.2, 3.3.3.3"]), proxy),
            ip("3.3.3.3")
        );
        assert_eq!(
            resolve(peer, &xff(&["203.0.113.7:51234"]), proxy),
            ip("203.0.113.7")
        );
        assert_eq!(
            resolve(peer, &xff(&["[2001:db8::1]:443"]), proxy),
            ip("2001:db8::1")
        );
        assert_eq!(
            resolve(peer, &xff(&["2001:db8::2"]), proxy),
            ip("2001:db8::2")
        );
        assert_eq!(resolve(peer, &xff(&["1.1.1.1, "]), proxy), ip("1.1.1.1"));
        // Unparseable or missing: the peer.
        assert_eq!(resolve(peer, &xff(&["unknown"]), proxy), peer);
        assert_eq!(resolve(peer, &HeaderMap::new(), proxy), peer);
    }

    #[test]
    fn ipv6_counts_by_its_64() {
        assert_eq!(network(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            network(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            network(ip("2001:db8:1:2::7"))
        );
        assert_ne!(
            network(ip("2001:db8:1:3::1")),
            network(ip("2001:db8:1:2::1"))
        );
        assert_eq!(network(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(network(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
        assert!(same_network("2001:db8::1", "2001:db8::2:3"));
        assert!(same_network("203.0.113.7", "203.0.113.7"));
        assert!(!same_network("203.0.113.7", "203.0.113.8"));
        assert!(!same_network("-", "-"));
    }

    #[test]
    fn ipv4_mapped_addresses_compare_as_ipv4() {
        let h = xff(&["203.0.113.7"]);
        assert_eq!(
            resolve(ip("::ffff:10.0.0.1"), &h, Some(ip("10.0.0.1"))),
            ip("203.0.113.7")
        );
        assert_eq!(resolve(ip("::ffff:192.0.2.5"), &h, None), ip("192.0.2.5"));
    }
}
