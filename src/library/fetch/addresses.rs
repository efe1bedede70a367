//! Where a fetch may go: http and https only, no user information in the
//! address, and only public addresses that are not this computer's own,
//! decided before any connection is made (for a name, after it is
//! resolved; for every redirect, again).
//!
//! "Public" excludes everything the IANA special-purpose registries say is
//! not globally reachable (this computer, private and shared networks,
//! link-local, documentation ranges…). This computer can also be reached
//! through its public addresses, so those of its own interfaces are refused
//! too, and for IPv6 the whole on-link prefix of each (the router and the
//! other machines of a home network have global IPv6 addresses beside this
//! one's). The public IPv4 address of a router doing NAT is not on any of
//! this computer's interfaces and cannot be known without asking someone
//! outside, so it is not covered.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::{FetchError, Stop};

/// Which of this computer's own (loopback) addresses a fetch may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loopback {
    /// None: what Parley runs with.
    Never,
    /// 127.0.0.0/8 and ::1 on any port, by number or by name.
    Any,
    /// Only `127.0.0.1:<port>`, written as a number.
    OnlyPort(u16),
}

impl Loopback {
    /// Whether `url`, whose host is the loopback address `ip`, may be
    /// reached.
    fn allows(self, ip: IpAddr, url: &Url) -> bool {
        match self {
            Loopback::Never => false,
            Loopback::Any => true,
            Loopback::OnlyPort(port) => {
                ip == IpAddr::from([127, 0, 0, 1]) && url.port_or_known_default() == Some(port)
            }
        }
    }
}

/// An address of one of this computer's interfaces, and the length of its
/// network's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnAddress {
    pub ip: IpAddr,
    pub prefix_len: u8,
}

/// Where this computer's own addresses come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnAddresses {
    /// Its interfaces, read again at every check (addresses come and go:
    /// DHCP, IPv6's temporary addresses).
    System,
    /// A list given in advance, for tests: addresses from the
    /// documentation ranges stand in for real ones.
    Listed(Arc<[OwnAddress]>),
}

impl OwnAddresses {
    fn current(&self) -> Vec<OwnAddress> {
        match self {
            OwnAddresses::Listed(list) => list.to_vec(),
            OwnAddresses::System => if_addrs::get_if_addrs()
                .map(|interfaces| {
                    interfaces
                        .into_iter()
                        .map(|i| match i.addr {
                            if_addrs::IfAddr::V4(a) => OwnAddress {
                                ip: a.ip.into(),
                                prefix_len: a.prefixlen,
                            },
                            if_addrs::IfAddr::V6(a) => OwnAddress {
                                ip: a.ip.into(),
                                prefix_len: a.prefixlen,
                            },
                        })
                        .collect()
                })
                .unwrap_or_else(|e| {
                    log::warn!("could not list this computer's addresses: {e}");
                    Vec::new()
                }),
        }
    }
}

/// The rules a fetcher keeps about addresses (see the module's comment).
#[derive(Debug, Clone)]
pub(super) struct AddressPolicy {
    pub(super) loopback: Loopback,
    pub(super) own: OwnAddresses,
}

/// The shortest IPv6 prefix refused around one of this computer's
/// addresses: an interface configured with a shorter one (a mistake, or a
/// tunnel) must not make most of the internet unreachable.
const SHORTEST_OWN_PREFIX_V6: u8 = 48;

impl AddressPolicy {
    /// Checks a URL before it is requested, and each redirect's target:
    /// the scheme, user information, and a literal IP address (which skips
    /// name resolution).
    pub(super) fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Refused(format!(
                "Parley fetches only http and https addresses, not {}:",
                url.scheme()
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FetchError::Refused(
                "Parley does not fetch addresses with a user name or password in them \
                 (they would be sent to the server as they are)"
                    .into(),
            ));
        }
        let ip: IpAddr = match url.host() {
            Some(Host::Ipv4(v4)) => v4.into(),
            Some(Host::Ipv6(v6)) => v6.into(),
            Some(Host::Domain(_)) => return Ok(()),
            None => return Err(FetchError::Refused("the address has no host".into())),
        };
        let canonical = ip.to_canonical();
        if canonical.is_loopback() && self.loopback.allows(canonical, url) {
            return Ok(());
        }
        self.check_ip(ip, &ip.to_string(), false)
    }

    /// Whether `ip`, an address of `host`, may be connected to.
    pub(super) fn check_ip(
        &self,
        ip: IpAddr,
        host: &str,
        allow_loopback: bool,
    ) -> Result<(), FetchError> {
        let ip = ip.to_canonical();
        if allow_loopback && ip.is_loopback() {
            return Ok(());
        }
        for own in self.own.current() {
            if own.ip.to_canonical() == ip {
                return Err(FetchError::Refused(format!(
                    "Parley does not fetch from this computer ({host} is {ip}, one of its own addresses)"
                )));
            }
            if let (IpAddr::V6(mine), IpAddr::V6(theirs)) = (own.ip, ip) {
                let prefix = own.prefix_len.max(SHORTEST_OWN_PREFIX_V6);
                if is_global_v6(mine) && same_prefix(mine, theirs, prefix) {
                    return Err(FetchError::Refused(format!(
                        "Parley does not fetch from this computer's own network ({host} is {ip}, \
                         in {mine}/{prefix})"
                    )));
                }
            }
        }
        if is_public(ip) {
            return Ok(());
        }
        Err(FetchError::Refused(format!(
            "Parley does not fetch from this computer or its local network ({host} is {ip})"
        )))
    }

    /// Whether an address may be connected to, as a fetch would decide it
    /// (for tests and diagnostics; nothing is sent).
    pub fn allows(&self, ip: IpAddr) -> Result<(), FetchError> {
        self.check_ip(ip, &ip.to_string(), self.loopback == Loopback::Any)
    }
}

fn same_prefix(a: Ipv6Addr, b: Ipv6Addr, prefix_len: u8) -> bool {
    let bits = u32::from(prefix_len.min(128));
    let mask = if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    };
    (u128::from(a) & mask) == (u128::from(b) & mask)
}

/// A global unicast IPv6 address: one whose prefix is the network's own
/// (link-local and unique-local prefixes are refused anyway, and are not
/// shared with the internet).
fn is_global_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    (first & 0xe000) == 0x2000
}

/// Resolves names like the system does, then refuses any name with an
/// address Parley does not fetch from: the connection is made to exactly
/// the addresses checked here, so a name cannot be re-pointed in between.
#[derive(Debug, Clone)]
pub(super) struct PublicOnly {
    pub(super) policy: Arc<AddressPolicy>,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addresses.is_empty() {
                return Err(Box::new(Stop(FetchError::Unreachable(host))) as _);
            }
            let allow_loopback = policy.loopback == Loopback::Any;
            for address in &addresses {
                policy
                    .check_ip(address.ip(), &host, allow_loopback)
                    .map_err(|e| Box::new(Stop(e)) as Box<dyn std::error::Error + Send + Sync>)?;
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// Whether `ip` is an address on the public internet. Everything in the
/// IANA special-purpose registries that is not globally reachable is not:
/// this computer, private and shared networks, link-local, documentation
/// and benchmarking ranges, multicast, and the transition ranges that
/// embed such an address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                 // "this network"
        || ip.is_private()                   // 10/8, 172.16/12, 192.168/16
        || ip.is_loopback()                  // 127/8
        || ip.is_link_local()                // 169.254/16
        || ip.is_broadcast()
        || ip.is_documentation()             // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || ip.is_multicast()                 // 224/4
        || a >= 240                          // reserved
        || (a == 100 && (b & 0xC0) == 64)    // 100.64/10 shared (CGNAT)
        || (a == 192 && b == 0 && c == 0)    // 192.0.0/24 protocol assignments
        || (a == 198 && (b & 0xFE) == 18)    // 198.18/15 benchmarking
        || (a == 192 && b == 88 && c == 99)) // 6to4 relay anycast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let [s0, s1, ..] = s;
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()                          // fc00::/7
        || ip.is_unicast_link_local()                    // fe80::/10
        || (s0 & 0xffc0) == 0xfec0                       // fec0::/10 site-local
        || s.get(..6) == Some(&[0; 6])                   // ::/96 IPv4-compatible
        || (s0 == 0x64 && s1 == 0xff9b)                  // 64:ff9b::/96, 64:ff9b:1::/48
        || (s0 == 0x100 && s.get(1..4) == Some(&[0; 3])) // 100::/64 discard
        || (s0 == 0x2001 && s1 < 0x200)                  // 2001::/23, Teredo included
        || (s0 == 0x2001 && s1 == 0xdb8)                 // documentation
        || (s0 & 0xfff0) == 0x3ff0                       // 3fff::/20 documentation
        || s0 == 0x2002) // 6to4, which embeds an IPv4 address
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        text.parse().unwrap()
    }

    fn policy(loopback: Loopback) -> AddressPolicy {
        AddressPolicy {
            loopback,
            own: OwnAddresses::Listed(Arc::from([])),
        }
    }

    #[test]
    fn only_public_addresses_are_public() {
        for public in [
            "93.184.215.14",
            "1.1.1.1",
            "8.8.8.8",
            "2606:4700:4700::1111",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
        for local in [
            "127.0.0.1",
            "127.8.8.8",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "2001::1",
            "ff02::1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip(local)), "{local}");
        }
    }

    #[test]
    fn this_computers_interfaces_are_read() {
        let own = OwnAddresses::System.current();
        assert!(
            own.iter().any(|a| a.ip == IpAddr::from([127, 0, 0, 1])),
            "{own:?}"
        );
    }

    #[test]
    fn urls_are_checked_before_any_request() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(policy(Loopback::Never)
            .check_url(&url("https://example.com/feed"))
            .is_ok());
        for refused in [
            "file:///etc/passwd",
            "ftp://example.com/",
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:192.168.0.1]/",
        ] {
            assert!(
                policy(Loopback::Never).check_url(&url(refused)).is_err(),
                "{refused}"
            );
        }
        assert!(policy(Loopback::Any)
            .check_url(&url("http://127.0.0.1:9/"))
            .is_ok());
        assert!(policy(Loopback::Any)
            .check_url(&url("http://[::1]:9/"))
            .is_ok());
        assert!(policy(Loopback::Any)
            .check_url(&url("http://10.0.0.1/"))
            .is_err());
        let one = Loopback::OnlyPort(9);
        assert!(policy(one).check_url(&url("http://127.0.0.1:9/")).is_ok());
        for refused in [
            "http://127.0.0.1:10/",
            "http://127.0.0.2:9/",
            "http://[::1]:9/",
        ] {
            assert!(policy(one).check_url(&url(refused)).is_err(), "{refused}");
        }
    }
}
