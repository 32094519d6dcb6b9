//! Name lookups the filter language performs at compile time: host names
//! (getaddrinfo, every address), network names (`/etc/networks`), Ethernet
//! host names (`/etc/ethers`), Ethernet type names, services and protocols
//! (`crate::names`), DiffServ code points and encapsulation names.

use std::net::IpAddr;

/// Why a host name did not resolve, as getaddrinfo reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveError {
    /// EAI_AGAIN.
    Again,
    /// EAI_NONAME.
    NoName,
    /// EAI_ADDRFAMILY.
    NoAddress,
    /// EAI_SYSTEM, with errno.
    System(i32),
    /// Any other failure (the real tools print nothing specific).
    Other,
}

/// glibc's EAI_ADDRFAMILY (a GNU extension the libc crate does not export;
/// other C libraries do not report it).
#[cfg(target_env = "gnu")]
const EAI_ADDRFAMILY: i32 = -9;
#[cfg(not(target_env = "gnu"))]
const EAI_ADDRFAMILY: i32 = i32::MIN;

/// Every address getaddrinfo gives for `name` (duplicates included, in
/// order). `ipv4_only` asks for PF_INET, as `srcid NAME` does.
pub fn resolve(name: &str, ipv4_only: bool) -> Result<Vec<IpAddr>, ResolveError> {
    let Ok(cname) = std::ffi::CString::new(name) else {
        return Err(ResolveError::NoName);
    };
    // SAFETY: `hints` is a plain C struct, zero is a valid value for every
    // field; getaddrinfo gets valid NUL-terminated strings and a valid out
    // pointer, and on success we walk the list it returned (each node's
    // ai_addr points to ai_addrlen valid bytes) before freeing it once.
    unsafe {
        let mut hints: libc::addrinfo = std::mem::zeroed();
        if ipv4_only {
            hints.ai_family = libc::AF_INET;
        }
        let mut res: *mut libc::addrinfo = std::ptr::null_mut();
        let rc = libc::getaddrinfo(cname.as_ptr(), std::ptr::null(), &hints, &mut res);
        if rc != 0 {
            let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
            return Err(match rc {
                libc::EAI_AGAIN => ResolveError::Again,
                libc::EAI_NONAME => ResolveError::NoName,
                EAI_ADDRFAMILY => ResolveError::NoAddress,
                libc::EAI_SYSTEM => ResolveError::System(errno),
                _ => ResolveError::Other,
            });
        }
        let mut out = Vec::new();
        let mut p = res;
        while !p.is_null() {
            let ai = &*p;
            if !ai.ai_addr.is_null() {
                match ai.ai_family {
                    libc::AF_INET => {
                        let sa = &*(ai.ai_addr as *const libc::sockaddr_in);
                        out.push(IpAddr::from(u32::from_be(sa.sin_addr.s_addr).to_be_bytes()));
                    }
                    libc::AF_INET6 => {
                        let sa = &*(ai.ai_addr as *const libc::sockaddr_in6);
                        out.push(IpAddr::from(sa.sin6_addr.s6_addr));
                    }
                    _ => {}
                }
            }
            p = ai.ai_next;
        }
        libc::freeaddrinfo(res);
        Ok(out)
    }
}

/// `getnetbyname`: the network number of `name` from `/etc/networks`
/// (host order, as `inet_network` gives it).
pub fn network(name: &str) -> Option<u32> {
    let text = std::fs::read_to_string("/etc/networks").ok()?;
    network_in(&text, name)
}

fn network_in(text: &str, name: &str) -> Option<u32> {
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(net_name), Some(number)) = (words.next(), words.next()) else {
            continue;
        };
        if net_name == name || words.any(|alias| alias == name) {
            return inet_network(number);
        }
    }
    None
}

/// `inet_network`: up to four dotted parts, the last ones shifted in.
fn inet_network(text: &str) -> Option<u32> {
    let mut value: u32 = 0;
    let parts: Vec<&str> = text.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    for part in parts {
        let n: u32 = if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X"))
        {
            u32::from_str_radix(hex, 16).ok()?
        } else if part.len() > 1 && part.starts_with('0') {
            u32::from_str_radix(&part[1..], 8).ok()?
        } else {
            part.parse().ok()?
        };
        if n > 255 {
            return None;
        }
        value = (value << 8) | n;
    }
    Some(value)
}

/// The Ethernet address of a host name in `/etc/ethers`.
pub fn ether_host(name: &str) -> Option<[u8; 6]> {
    let text = std::fs::read_to_string("/etc/ethers").ok()?;
    ether_host_in(&text, name)
}

fn ether_host_in(text: &str, name: &str) -> Option<[u8; 6]> {
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(addr), Some(host)) = (words.next(), words.next()) else {
            continue;
        };
        if host == name {
            return parse_mac(addr);
        }
    }
    None
}

/// `B:B:B:B:B:B` with one or two hex digits per byte.
pub fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = text.split(':');
    for byte in out.iter_mut() {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *byte = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Ethernet type names (`ether proto NAME`).
pub fn ether_type(name: &str) -> Option<u32> {
    const TABLE: &str = include_str!("ethertypes");
    TABLE.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (number, tag) = line.split_once(' ')?;
        (tag == name).then(|| number.parse().ok()).flatten()
    })
}

/// The protocol a port name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortProto {
    Tcp,
    Udp,
    /// A TCP and a UDP service of the same number.
    Both,
    /// Only some other protocol (sctp, ddp, ...).
    Other,
}

/// `argus_nametoport`: the first service entry with that name; if the other
/// of TCP/UDP has the name too, both protocols when the numbers agree, a
/// failure when they do not.
pub fn port_name(name: &str) -> Option<(u16, PortProto)> {
    use crate::names::Transport;
    let services = crate::names::services();
    let first = services.lookup(name).next()?;
    let other = if first.transport == Transport::Tcp { Transport::Udp } else { Transport::Tcp };
    match services.lookup(name).find(|e| e.transport == other) {
        Some(e) if e.port != first.port => None,
        Some(_) => Some((first.port, PortProto::Both)),
        None => Some((
            first.port,
            match first.transport {
                Transport::Tcp => PortProto::Tcp,
                Transport::Udp => PortProto::Udp,
                Transport::Other => PortProto::Other,
            },
        )),
    }
}

/// `getprotobyname`.
pub fn protocol(name: &str) -> Option<u8> {
    crate::names::protocols().number_of(name)
}

/// DiffServ code points: the first label that `name` starts with
/// (case-insensitive), as the real tools match them.
pub fn dscp(name: &str) -> Option<u32> {
    const TABLE: &[(u32, &str)] = &[
        (0x00, "cs0"),
        (0x08, "cs1"),
        (0x10, "cs2"),
        (0x18, "cs3"),
        (0x20, "cs4"),
        (0x28, "cs5"),
        (0x30, "cs6"),
        (0x38, "cs7"),
        (0x0A, "af11"),
        (0x0C, "af12"),
        (0x0E, "af13"),
        (0x12, "af21"),
        (0x14, "af22"),
        (0x16, "af23"),
        (0x1A, "af31"),
        (0x1C, "af32"),
        (0x1E, "af33"),
        (0x22, "af41"),
        (0x24, "af42"),
        (0x26, "af43"),
        (0x2E, "ef"),
    ];
    prefix_lookup(TABLE, name)
}

/// Encapsulation names (`encaps NAME`), matched like code points.
pub fn encapsulation(name: &str) -> Option<u32> {
    use crate::record::encaps::*;
    const TABLE: &[(u32, &str)] = &[
        (MPLS, "mpls"),
        (ETHER, "eth"),
        (VLAN, "802q"),
        (LLC, "llc"),
        (PPP, "pppoe"),
        (ISL, "isl"),
        (GRE, "gre"),
        (AH, "ah"),
        (IP, "ipnip"),
        (IPV6, "ipnip6"),
        (HDLC, "hdlc"),
        (CHDLC, "chdlc"),
        (ATM, "atm"),
        (SLL, "sll"),
        (FDDI, "fddi"),
        (SLIP, "slip"),
        (ARCNET, "arc"),
        (WLAN, "wlan"),
        (PRISM, "prism"),
        (AVS, "avs"),
        (IB_LRH, "lrh"),
        (IB_GRH, "grh"),
        (TEREDO, "teredo"),
        (UDT, "udt"),
        (SPI, "ipsec"),
        (JUNIPER, "juniper"),
        (ERSPAN_II, "erspan"),
    ];
    prefix_lookup(TABLE, name)
}

fn prefix_lookup(table: &[(u32, &str)], name: &str) -> Option<u32> {
    table.iter().find_map(|&(code, label)| {
        let head = name.as_bytes().get(..label.len())?;
        head.eq_ignore_ascii_case(label.as_bytes()).then_some(code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_ethers_parse() {
        let nets = "default 0.0.0.0\nloopback 127.0.0.0 lo\nshort 10\n";
        assert_eq!(network_in(nets, "loopback"), Some(0x7f00_0000));
        assert_eq!(network_in(nets, "lo"), Some(0x7f00_0000));
        assert_eq!(network_in(nets, "short"), Some(10));
        assert_eq!(network_in(nets, "nope"), None);
        let ethers = "0:1:2:3:4:5 gw # comment\n";
        assert_eq!(ether_host_in(ethers, "gw"), Some([0, 1, 2, 3, 4, 5]));
        assert_eq!(parse_mac("aa:bb:cc:dd:ee:f"), Some([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f]));
        assert_eq!(parse_mac("aa:bb"), None);
    }

    #[test]
    fn tables_match_by_prefix() {
        assert_eq!(dscp("af11"), Some(0x0A));
        assert_eq!(dscp("EF"), Some(0x2E));
        assert_eq!(dscp("cs"), None);
        assert_eq!(encapsulation("eth"), Some(crate::record::encaps::ETHER));
        // "ipnip6" starts with "ipnip", which comes first.
        assert_eq!(encapsulation("ipnip6"), Some(crate::record::encaps::IP));
        assert_eq!(ether_type("atalk"), Some(32923));
        assert_eq!(ether_type("nosuch"), None);
    }

    #[test]
    fn port_names_follow_getservbyname() {
        assert_eq!(port_name("http"), Some((80, PortProto::Tcp)));
        assert_eq!(port_name("domain"), Some((53, PortProto::Both)));
        assert_eq!(port_name("no-such-service"), None);
    }
}
