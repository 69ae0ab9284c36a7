//! [`TrustedProxies`]: the reverse proxies (a load balancer before several collectors) whose
//! `X-Forwarded-For` is believed. Behind one, every request comes from the proxy: without
//! this, every visitor would share one address, one rate limit and one triage history.
//!
//! A request from a trusted proxy is from the rightmost address of `X-Forwarded-For` that is
//! not itself a trusted proxy (what a client wrote further left is not believed); a request
//! from anyone else is from its peer, whatever it claims.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// Networks of trusted proxies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

/// What is wrong with a list of proxies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadProxy(pub String);

impl std::fmt::Display for BadProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not an address or network (10.0.0.0/8, 192.168.1.7, fd00::/8)",
            self.0
        )
    }
}

impl std::error::Error for BadProxy {}

impl TrustedProxies {
    /// Reads `10.0.0.0/8,192.168.1.7,fd00::/8` (commas or spaces between).
    pub fn parse(list: &str) -> Result<TrustedProxies, BadProxy> {
        let mut nets = Vec::new();
        for item in list
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let bad = || BadProxy(item.to_owned());
            let (addr, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b.parse::<u8>().map_err(|_| bad())?)),
                None => (item, None),
            };
            let addr: IpAddr = addr.parse().map_err(|_| bad())?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits = bits.unwrap_or(max);
            if bits > max {
                return Err(bad());
            }
            nets.push((addr, bits));
        }
        Ok(TrustedProxies(nets))
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|(net, bits)| within(ip, *net, *bits))
    }

    /// The client's address: `peer`'s, or, from a trusted proxy, the one it forwarded.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        let forwarded = headers.get_all("x-forwarded-for").iter().rev();
        for part in forwarded.flat_map(|v| v.to_str().unwrap_or("").rsplit(',')) {
            match part.trim().parse::<IpAddr>() {
                Ok(ip) => client = ip,
                Err(_) => return client,
            }
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

fn within(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u128::from(u32::from(a)), u128::from(u32::from(n)), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        // An IPv4 peer seen as IPv6 (::ffff:a.b.c.d).
        (IpAddr::V6(a), IpAddr::V4(_)) => {
            return a
                .to_ipv4_mapped()
                .is_some_and(|v4| within(IpAddr::V4(v4), net, bits));
        }
        _ => return false,
    };
    let shift = width - u32::from(bits);
    bits == 0 || (ip >> shift) == (net >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_a_trusted_proxy_says_who_the_client_is() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // From the proxy: the address it saw.
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &headers(&["203.0.113.9"])),
            ip("203.0.113.9")
        );
        // What the client wrote before it is not believed.
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &headers(&["1.1.1.1, 203.0.113.9"])),
            ip("203.0.113.9")
        );
        // Through two proxies.
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &headers(&["203.0.113.9", "192.168.1.7"])),
            ip("203.0.113.9")
        );
        // Not from a proxy: the peer, whatever it claims.
        assert_eq!(
            proxies.client(ip("203.0.113.5"), &headers(&["10.9.9.9"])),
            ip("203.0.113.5")
        );
        // Garbage stops the walk.
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &headers(&["nonsense"])),
            ip("10.1.2.3")
        );
        assert!(proxies.trusts(ip("::ffff:10.0.0.1")));
        assert!(!TrustedProxies::default().trusts(ip("10.0.0.1")));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
    }
}
