//! `RA_PORT_DIRECTION`: guess the client side of TCP flows whose start was
//! not seen, before any filtering (ra-clients.md §3.9).
//!
//! Only flows whose direction is unknown are touched: TCP (IPv4 or IPv6)
//! with a network object that saw neither SYN nor SYN-ACK (the `?` in the
//! Dir column). The rules, in this order, each deciding only when it
//! applies:
//!
//! * `wellknown`: if either port is below 1024, the lower port is the server;
//! * `services`: a port listed in the services table is the server (both
//!   listed: the lower one);
//! * `registered`: like `wellknown` for ports 1024..49151.
//!
//! When the source port is judged the server's, the record is reversed
//! ([`Flow::reverse`], argus's `ArgusReverseRecord`).
//! 3.0.8.2 reads IPv6 ports at the IPv4 offsets and so practically never
//! turns IPv6 flows around; we use the real ports (`docs/differences.md`).

use super::options::PortDirection;
use crate::names::{services, Transport};
use crate::record::{dsr::family, dsr::ipproto, dsr::tcp_status, Flow, KeyAddrs, Network};

/// The TCP status word of the network DSR, as argus reads it for any
/// network object of a TCP flow.
fn tcp_status_word(net: &Network) -> u32 {
    match net {
        Network::Tcp(t) => t.status,
        Network::TcpInit(t) => t.status,
        Network::TcpStatus(t) => t.status,
        Network::Other { body, .. } => {
            body.get(..4).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        }
        _ => 0,
    }
}

/// The ports of a TCP flow whose direction is unknown, or `None`.
fn unknown_direction_ports(flow: &Flow) -> Option<(u16, u16)> {
    flow.metrics.as_ref()?;
    let key = flow.key.as_ref()?;
    if key.kind != crate::record::dsr::key_kind::CLASSIC5TUPLE {
        return None;
    }
    let ports = match &key.addrs {
        KeyAddrs::Ipv4(k) if k.proto == ipproto::TCP => (k.sport(), k.dport()),
        KeyAddrs::Ipv6(k) if k.proto() == ipproto::TCP => (k.sport(), k.dport()),
        _ => return None,
    };
    let status = tcp_status_word(flow.network.as_ref()?);
    if status & (tcp_status::SYN | tcp_status::SYN_ACK) != 0 {
        return None;
    }
    Some(ports)
}

/// Should a flow with these ports be turned around under `policy`?
pub fn should_reverse(policy: &PortDirection, sport: u16, dport: u16) -> bool {
    if policy.wellknown && (sport < 1024 || dport < 1024) {
        return sport < dport;
    }
    if policy.services {
        let known = |p: u16| services().name_of(p, Transport::Tcp).is_some();
        match (known(sport), known(dport)) {
            (true, true) => return sport < dport,
            (true, false) => return true,
            _ => {}
        }
    }
    let registered = |p: u16| (1024..49152).contains(&p);
    if policy.registered && (registered(sport) || registered(dport)) {
        return sport < dport;
    }
    false
}

/// Applies the policy to one flow; returns true when it was reversed.
#[inline]
pub fn fix_direction(policy: &PortDirection, flow: &mut Flow) -> bool {
    if !policy.any() {
        return false;
    }
    match unknown_direction_ports(flow) {
        Some((sport, dport)) if should_reverse(policy, sport, dport) => {
            flow.reverse();
            true
        }
        _ => false,
    }
}

/// The flow as `-M rmon` hands it on (racount, ra, racluster's rmon
/// mode): first as stored, then reversed, each with the REVERSE and
/// DIRECTION bits cleared, so each end is counted once as a source.
pub fn rmon_pair(f: &Flow) -> (Flow, Flow) {
    let clear = |f: &mut Flow| {
        if let Some(k) = f.key.as_mut() {
            k.reversed = false;
            k.qual &= !family::DIRECTION;
        }
    };
    let mut fwd = f.clone();
    clear(&mut fwd);
    let mut rev = f.clone();
    rev.reverse();
    clear(&mut rev);
    (fwd, rev)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN: PortDirection =
        PortDirection { services: true, wellknown: true, registered: false };

    #[test]
    fn wellknown_then_services() {
        // the mid-stream 15:00 flow of synth: 192.168.1.10:45678 -> 10.0.0.1:80
        // was first seen from the server; ports (80, 45678) -> reverse
        assert!(should_reverse(&DEBIAN, 80, 45678));
        assert!(!should_reverse(&DEBIAN, 45678, 80));
        // no port below 1024: services decide (8080 is http-alt in netbase)
        assert!(should_reverse(&DEBIAN, 8080, 50000));
        assert!(!should_reverse(&DEBIAN, 50000, 50001));
        let reg = PortDirection { registered: true, ..Default::default() };
        assert!(should_reverse(&reg, 2000, 3000));
        assert!(!should_reverse(&reg, 50000, 50001));
    }
}
