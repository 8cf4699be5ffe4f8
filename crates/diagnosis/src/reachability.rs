// Owns: whether a Moodle host looks reachable from the internet, judged by its addresses
// and name. Must not: claim certainty — split DNS can hide a public address; it only warns.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

/// Where an address lives, as far as the SIS's servers on the internet are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressKind {
    Public,
    Loopback,
    Private,
    /// 100.64.0.0/10, used by carrier NAT and VPNs such as Tailscale.
    SharedOrVpn,
    LinkLocal,
    Other,
}

impl AddressKind {
    pub fn describe(self) -> &'static str {
        match self {
            AddressKind::Public => "a public address",
            AddressKind::Loopback => "this computer only (loopback)",
            AddressKind::Private => "a private network address",
            AddressKind::SharedOrVpn => "a VPN or carrier-NAT address (100.64.0.0/10)",
            AddressKind::LinkLocal => "a link-local address",
            AddressKind::Other => "a reserved address",
        }
    }
}

pub fn classify(ip: IpAddr) -> AddressKind {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return classify_v4(v4);
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                AddressKind::Loopback
            } else if first & 0xfe00 == 0xfc00 {
                AddressKind::Private
            } else if first & 0xffc0 == 0xfe80 {
                AddressKind::LinkLocal
            } else if v6.is_unspecified() || v6.is_multicast() || v6 == Ipv6Addr::LOCALHOST {
                AddressKind::Other
            } else {
                AddressKind::Public
            }
        }
    }
}

fn classify_v4(v4: Ipv4Addr) -> AddressKind {
    let [a, b, ..] = v4.octets();
    if v4.is_loopback() {
        AddressKind::Loopback
    } else if v4.is_private() {
        AddressKind::Private
    } else if a == 100 && (64..128).contains(&b) {
        AddressKind::SharedOrVpn
    } else if v4.is_link_local() {
        AddressKind::LinkLocal
    } else if v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() || a == 0 {
        AddressKind::Other
    } else {
        AddressKind::Public
    }
}

/// Host names that only resolve inside a local network.
pub fn is_local_only_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || [
            ".local",
            ".localhost",
            ".lan",
            ".internal",
            ".intranet",
            ".home.arpa",
            ".corp",
        ]
        .iter()
        .any(|suffix| host.ends_with(suffix))
        || (!host.contains('.') && !host.contains(':'))
}

/// Resolves a host name (or reads an IP literal) to its addresses.
pub async fn resolve(host: &str, port: u16) -> std::io::Result<Vec<IpAddr>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let mut addresses: Vec<IpAddr> = tokio::net::lookup_host((bare, port))
        .await?
        .map(|a| a.ip())
        .collect();
    addresses.sort();
    addresses.dedup();
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> AddressKind {
        classify(s.parse().unwrap())
    }

    #[test]
    fn address_kinds() {
        assert_eq!(kind("127.0.0.1"), AddressKind::Loopback);
        assert_eq!(kind("::1"), AddressKind::Loopback);
        assert_eq!(kind("10.2.3.4"), AddressKind::Private);
        assert_eq!(kind("172.20.0.1"), AddressKind::Private);
        assert_eq!(kind("192.168.1.10"), AddressKind::Private);
        assert_eq!(kind("100.101.102.103"), AddressKind::SharedOrVpn);
        assert_eq!(kind("169.254.1.1"), AddressKind::LinkLocal);
        assert_eq!(kind("fd12:3456::1"), AddressKind::Private);
        assert_eq!(kind("fe80::1"), AddressKind::LinkLocal);
        assert_eq!(kind("::ffff:192.168.0.1"), AddressKind::Private);
        assert_eq!(kind("93.184.216.34"), AddressKind::Public);
        assert_eq!(kind("2606:2800:220:1::1"), AddressKind::Public);
        assert_eq!(kind("100.128.0.1"), AddressKind::Public);
    }

    #[test]
    fn local_only_names() {
        assert!(is_local_only_name("moodle.local"));
        assert!(is_local_only_name("moodle"));
        assert!(is_local_only_name("LOCALHOST"));
        assert!(!is_local_only_name("moodle.school.org"));
        assert!(!is_local_only_name("127.0.0.1"));
    }

    #[tokio::test]
    async fn ip_literals_resolve_without_dns() {
        assert_eq!(
            resolve("[::1]", 443).await.unwrap(),
            vec!["::1".parse::<IpAddr>().unwrap()]
        );
    }
}
