//! `jwks_uri` checks shared by registration (the credential policy) and the
//! remote JWKS fetcher: scheme, authority, and which addresses are public.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Which `jwks_uri` values and addresses are acceptable (DESIGN.md §5, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UriRules {
    /// Accept `http://` as well as `https://` (tests, local development).
    pub allow_http: bool,
    /// Accept loopback, private, link-local and other non-public addresses
    /// (and the name `localhost`). Off by default: a registered URL must not
    /// let a client make the server fetch from its own network (SSRF).
    pub allow_private_addresses: bool,
}

/// A `jwks_uri`, checked: scheme, host, port, path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksUri {
    url: String,
    https: bool,
    host: String,
    port: u16,
    path: String,
}

impl JwksUri {
    /// Check `url` against `rules`. Host names are resolved only when fetching;
    /// the fetcher checks the addresses they resolve to with the same rules.
    ///
    /// # Errors
    /// A human-readable reason.
    pub fn parse(url: &str, rules: UriRules) -> Result<Self, String> {
        if url.len() > 2048 {
            return Err("jwks_uri is longer than 2048 bytes".into());
        }
        if url.bytes().any(|b| b <= b' ' || b == 0x7f || b >= 0x80) {
            return Err("jwks_uri contains spaces, control or non-ASCII characters".into());
        }
        let (https, rest) = if let Some(r) = strip_prefix_ignore_case(url, "https://") {
            (true, r)
        } else if let Some(r) = strip_prefix_ignore_case(url, "http://") {
            if !rules.allow_http {
                return Err("jwks_uri must use https".into());
            }
            (false, r)
        } else {
            return Err("jwks_uri must be an https URL".into());
        };
        if rest.contains('#') {
            return Err("jwks_uri must not have a fragment".into());
        }
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err("jwks_uri must not contain credentials".into());
        }
        let (host, port) = split_host_port(authority)?;
        let port = port.unwrap_or(if https { 443 } else { 80 });
        let path = if tail.is_empty() {
            "/".to_owned()
        } else if tail.starts_with('?') {
            format!("/{tail}")
        } else {
            tail.to_owned()
        };
        if !rules.allow_private_addresses {
            let lower = host.to_ascii_lowercase();
            if lower == "localhost" || lower.ends_with(".localhost") {
                return Err("jwks_uri names localhost".into());
            }
            if let Ok(ip) = host.parse::<IpAddr>()
                && !is_public(ip)
            {
                return Err(format!("jwks_uri names a non-public address ({ip})"));
            }
        }
        Ok(Self { url: url.to_owned(), https, host, port, path })
    }

    /// The URL as registered.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// Whether the scheme is https.
    #[must_use]
    pub const fn is_https(&self) -> bool {
        self.https
    }

    /// The host (brackets removed from IPv6 literals).
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (default 443 or 80).
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Path and query (at least `/`).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for JwksUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) { s.get(prefix.len()..) } else { None }
}

fn split_host_port(authority: &str) -> Result<(String, Option<u16>), String> {
    let bad_port = || "jwks_uri has an invalid port".to_owned();
    let parse_port = |p: &str| -> Result<Option<u16>, String> {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_port());
        }
        p.parse::<u16>().ok().filter(|p| *p != 0).map(Some).ok_or_else(bad_port)
    };
    if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("jwks_uri has an unclosed IPv6 literal")?;
        let ip: Ipv6Addr = addr.parse().map_err(|_| "jwks_uri has an invalid IPv6 literal")?;
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None if after.is_empty() => None,
            None => return Err("jwks_uri has an invalid authority".into()),
        };
        return Ok((ip.to_string(), port));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, parse_port(p)?),
        None => (authority, None),
    };
    let valid_name = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !valid_name {
        return Err("jwks_uri has an invalid host".into());
    }
    Ok((host.to_ascii_lowercase(), port))
}

/// Whether `ip` is a public unicast address: not loopback, private (RFC 1918,
/// ULA), link-local, shared (CGNAT), documentation, benchmarking, multicast,
/// broadcast, unspecified or reserved. IPv4-mapped IPv6 is judged as IPv4.
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            let first = s.first().copied().unwrap_or(0);
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
                || (first == 0x2001 && s.get(1).copied().unwrap_or(0) == 0x0db8) // documentation
                || first == 0x0064 && s.get(1).copied().unwrap_or(0) == 0xff9b // NAT64 (may reach IPv4-private)
                || first == 0x2002 // 6to4 (embeds an IPv4 address)
                || first == 0x0100 && s.get(1..4).is_some_and(|r| r == [0, 0, 0])) // discard-only
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (b & 0xc0) == 64) // shared address space 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // benchmarking 198.18.0.0/15
        || a >= 240) // reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: UriRules = UriRules { allow_http: false, allow_private_addresses: false };
    const LOOSE: UriRules = UriRules { allow_http: true, allow_private_addresses: true };

    #[test]
    fn accepts_public_https() {
        let u = JwksUri::parse("https://Client.Example.com/.well-known/jwks.json", STRICT).unwrap();
        assert_eq!((u.host(), u.port(), u.path()), ("client.example.com", 443, "/.well-known/jwks.json"));
        let u = JwksUri::parse("https://93.184.216.34:8443?x=1", STRICT).unwrap();
        assert_eq!((u.host(), u.port(), u.path()), ("93.184.216.34", 8443, "/?x=1"));
        let u = JwksUri::parse("https://[2606:4700::1111]/k", STRICT).unwrap();
        assert_eq!(u.host(), "2606:4700::1111");
    }

    #[test]
    fn refuses_what_the_policy_forbids() {
        for bad in [
            "http://client.example.com/jwks",
            "ftp://client.example.com/jwks",
            "https://user:pw@client.example.com/jwks",
            "https://localhost/jwks",
            "https://127.0.0.1/jwks",
            "https://10.1.2.3/jwks",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://[::1]/jwks",
            "https://[fd00::1]/jwks",
            "https://[::ffff:127.0.0.1]/jwks",
            "https://client.example.com/jwks#frag",
            "https://client.example.com:0/jwks",
            "https://client.example.com:99999/jwks",
            "https:///jwks",
            "https://exa mple.com/",
        ] {
            assert!(JwksUri::parse(bad, STRICT).is_err(), "{bad}");
        }
        assert!(JwksUri::parse("http://127.0.0.1:8080/jwks", LOOSE).is_ok());
    }
}
