//! `jwks_uri` checks shared by registration (the credential policy) and the
//! remote JWKS fetcher: scheme, authority, and which addresses are public.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Which `jwks_uri` values and addresses are acceptable (docs/SECURITY.md).
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
    if ends_in_a_number(host) {
        // WHATWG URL parsers (and inet_aton) read `2130706433`, `0x7f000001`,
        // `0177.0.0.1` and `127.1` as 127.0.0.1: only the dotted-quad
        // spelling is accepted, so the address checks see what a fetch would
        // connect to.
        return match canonical_ipv4(host) {
            Some(ip) => Ok((ip.to_string(), port)),
            None => Err("jwks_uri spells an IPv4 address in a non-canonical form".into()),
        };
    }
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

/// Whether the host's last label is a number (decimal, octal or `0x` hex),
/// which makes the whole host an IPv4 address to URL parsers.
fn ends_in_a_number(host: &str) -> bool {
    let last = host.strip_suffix('.').unwrap_or(host).rsplit('.').next().unwrap_or("");
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    match hex {
        Some(h) => h.bytes().all(|b| b.is_ascii_hexdigit()),
        None => !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// `a.b.c.d` with four decimal parts, each 0–255 without leading zeros.
fn canonical_ipv4(host: &str) -> Option<Ipv4Addr> {
    let ip: Ipv4Addr = host.parse().ok()?;
    // std's parser already refuses other part counts, hex and octal; it
    // accepts no leading zeros either, but say so here rather than rely on it.
    (ip.to_string() == host).then_some(ip)
}

/// The IPv4 address an IPv6 address embeds, by the standard forms:
/// IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96` (deprecated),
/// IPv4-translated `::ffff:0:0:0/96`, NAT64 `64:ff9b::/96` (RFC 6052) and
/// 6to4 `2002::/16` (RFC 3056).
fn embedded_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let o = v6.octets();
    let tail = |i: usize| o.get(i..i + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()).map(Ipv4Addr::from);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0xffff, 0, _, _] | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => {
            tail(12)
        }
        // ::/96 except :: and ::1, which are IPv6's own unspecified and loopback.
        [0, 0, 0, 0, 0, 0, hi, lo] if hi != 0 || lo > 1 => tail(12),
        [0x2002, ..] => tail(2),
        _ => None,
    }
}

/// Whether `ip` is a public unicast address: not loopback, private (RFC 1918,
/// ULA), link-local, shared (CGNAT), documentation, benchmarking, multicast,
/// broadcast, unspecified or reserved. An IPv6 address that embeds an IPv4
/// address (mapped, compatible, translated, NAT64, 6to4) is judged by the
/// IPv4 address; Teredo and local-use NAT64 are never public.
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_ipv4(v6) {
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
                || first == 0x0064 && s.get(1).copied().unwrap_or(0) == 0xff9b // local-use NAT64 64:ff9b:1::/48
                || (first == 0x2001 && s.get(1).copied().unwrap_or(0) == 0) // Teredo 2001::/32
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

    /// IPv6 forms that embed an IPv4 address are judged by that address.
    #[test]
    fn embedded_ipv4_is_judged_as_ipv4() {
        for (v6, public) in [
            ("::127.0.0.1", false),
            ("::ffff:0:7f00:1", false),
            ("::ffff:0:10.0.0.1", false),
            ("::ffff:127.0.0.1", false),
            ("64:ff9b::127.0.0.1", false),
            ("64:ff9b::a9fe:a9fe", false),
            ("2002:7f00:1::", false),
            ("2002:a00:1::1", false),
            ("64:ff9b:1::1", false),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", false),
            ("::", false),
            ("::1", false),
            ("::93.184.216.34", true),
            ("::ffff:93.184.216.34", true),
            ("::ffff:0:93.184.216.34", true),
            ("64:ff9b::93.184.216.34", true),
            ("2002:5db8:d822::1", true),
            ("2606:4700::1111", true),
        ] {
            let ip: IpAddr = v6.parse().unwrap();
            assert_eq!(is_public(ip), public, "{v6}");
            let url = format!("https://[{v6}]/jwks");
            assert_eq!(JwksUri::parse(&url, STRICT).is_ok(), public, "{url}");
        }
    }

    /// Every spelling of an IPv4 address but the dotted quad is refused at
    /// registration, whatever the address rules.
    #[test]
    fn numeric_hosts_must_be_dotted_quads() {
        for bad in [
            "2130706433",
            "0x7f000001",
            "0X7F000001",
            "0177.0.0.1",
            "127.1",
            "127.0.1",
            "0",
            "0x0",
            "1.2.3.04",
            "256.1.1.1",
            "1.2.3.4.5",
            "example.0x10",
            "example.123",
            "1.2.3.4.",
        ] {
            let url = format!("https://{bad}/jwks");
            for rules in [STRICT, LOOSE] {
                let e = JwksUri::parse(&url, rules).unwrap_err();
                assert!(e.contains("non-canonical"), "{url}: {e}");
            }
        }
        assert_eq!(JwksUri::parse("https://93.184.216.34/jwks", STRICT).unwrap().host(), "93.184.216.34");
        assert!(JwksUri::parse("https://127.0.0.1/jwks", STRICT).is_err());
        assert!(JwksUri::parse("https://a1.example.com/", STRICT).is_ok());
        assert!(JwksUri::parse("https://example.0xg/", STRICT).is_ok());
    }
}
