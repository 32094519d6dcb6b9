//! Turning a flow record around: the other side becomes "src".
//!
//! Used by `RA_PORT_DIRECTION` (a mid-stream TCP flow whose server side was
//! seen first) and by `-M rmon` (every flow counted once from each side).
//! Every directional pair of the record is swapped, and the key's REVERSE
//! flag and ICMP direction bit are toggled, which is what argus's
//! `ArgusReverseRecord` does. Unlike 3.0.8.2 the ports of IPv6 keys are
//! swapped too (it leaves them in place; see `docs/differences.md`).

use crate::record::{
    dsr::{family, ipproto},
    Flow, KeyAddrs,
};

/// TIME DSR presence bits (src start/end, dst start/end).
const TIME_SRC_START: u8 = 0x08;
const TIME_SRC_END: u8 = 0x10;
const TIME_DST_START: u8 = 0x20;
const TIME_DST_END: u8 = 0x40;

/// PSIZE / METER qualifier layout codes for one-sided objects.
const SRC_SHORT: u8 = 0x06;
const DST_SHORT: u8 = 0x0A;

fn swap_bits(v: u8, a: u8, b: u8) -> u8 {
    let mut out = v & !(a | b);
    if v & a != 0 {
        out |= b;
    }
    if v & b != 0 {
        out |= a;
    }
    out
}

fn swap_ports(l4: &mut [u8]) {
    if l4.len() >= 4 {
        let (s, d) = ([l4[0], l4[1]], [l4[2], l4[3]]);
        l4[0..2].copy_from_slice(&d);
        l4[2..4].copy_from_slice(&s);
    }
}

/// Swaps source and destination throughout `flow`.
pub fn reverse_flow(flow: &mut Flow) {
    if let Some(key) = flow.key.as_mut() {
        key.reversed = !key.reversed;
        key.qual ^= family::DIRECTION;
        match &mut key.addrs {
            KeyAddrs::Ipv4(k) => {
                std::mem::swap(&mut k.src, &mut k.dst);
                if matches!(k.proto, ipproto::TCP | ipproto::UDP) {
                    swap_ports(&mut k.l4);
                }
            }
            KeyAddrs::Ipv6(k) => {
                std::mem::swap(&mut k.src, &mut k.dst);
                if matches!(k.proto(), ipproto::TCP | ipproto::UDP) {
                    swap_ports(&mut k.l4);
                }
            }
            KeyAddrs::Ether(k) => {
                std::mem::swap(&mut k.src, &mut k.dst);
                std::mem::swap(&mut k.dsap, &mut k.ssap);
            }
            KeyAddrs::Arp(k) => std::mem::swap(&mut k.spa, &mut k.tpa),
            KeyAddrs::Other { .. } => {}
        }
    }
    if let Some(t) = flow.time.as_mut() {
        std::mem::swap(&mut t.src, &mut t.dst);
        let bits = swap_bits(t.subtype, TIME_SRC_START, TIME_DST_START);
        t.subtype = swap_bits(bits, TIME_SRC_END, TIME_DST_END);
    }
    if let Some(m) = flow.metrics.as_mut() {
        std::mem::swap(&mut m.src, &mut m.dst);
    }
    if let Some(a) = flow.ipattr.as_mut() {
        std::mem::swap(&mut a.src, &mut a.dst);
        std::mem::swap(&mut a.src_options, &mut a.dst_options);
        let q = swap_bits(a.qual, 0x01, 0x02);
        let q = swap_bits(q, 0x04, 0x08);
        a.qual = swap_bits(q, 0x10, 0x20);
    }
    if let Some(p) = flow.psize.as_mut() {
        std::mem::swap(&mut p.src, &mut p.dst);
        p.qual = match p.qual & 0x0f {
            SRC_SHORT => (p.qual & 0xf0) | DST_SHORT,
            DST_SHORT => (p.qual & 0xf0) | SRC_SHORT,
            _ => p.qual,
        };
    }
    if let Some(m) = flow.mac.as_mut() {
        std::mem::swap(&mut m.src, &mut m.dst);
        std::mem::swap(&mut m.dsap, &mut m.ssap);
    }
    if let Some(v) = flow.vlan.as_mut() {
        std::mem::swap(&mut v.src_tci, &mut v.dst_tci);
        v.qual = swap_bits(v.qual, 0x01, 0x02);
    }
    if let Some(m) = flow.mpls.as_mut() {
        std::mem::swap(&mut m.src_labels, &mut m.dst_labels);
        m.qual = m.qual.rotate_right(4);
        m.subtype = swap_bits(m.subtype, 0x01, 0x02);
    }
    if let Some(j) = flow.jitter.as_mut() {
        std::mem::swap(&mut j.src_act, &mut j.dst_act);
        std::mem::swap(&mut j.src_idle, &mut j.dst_idle);
        let q = swap_bits(j.qual, 0x01, 0x04);
        j.qual = swap_bits(q, 0x02, 0x08);
    }
    if let Some(e) = flow.encaps.as_mut() {
        std::mem::swap(&mut e.src, &mut e.dst);
    }
    match flow.network.as_mut() {
        Some(crate::record::Network::Tcp(t)) => std::mem::swap(&mut t.src, &mut t.dst),
        Some(crate::record::Network::TcpStatus(t)) => {
            std::mem::swap(&mut t.src_flags, &mut t.dst_flags)
        }
        _ => {}
    }
    std::mem::swap(&mut flow.src_data, &mut flow.dst_data);
    for (data, subtype_bit) in [(&mut flow.src_data, 0x10u8), (&mut flow.dst_data, 0x20u8)] {
        if let Some(d) = data.as_mut() {
            d.subtype = (d.subtype & !0x30) | subtype_bit;
        }
    }
    // The stored DSR order still holds, but the record no longer matches
    // the bytes it was read from.
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::*;

    fn tcp4() -> Flow {
        let mut k = Ipv4Key { src: 0x0a000001, dst: 0x0a000002, proto: 6, ..Default::default() };
        k.set_ports(40000, 80);
        Flow {
            key: Some(FlowKey {
                kind: 1,
                reversed: false,
                qual: family::IPV4,
                addrs: KeyAddrs::Ipv4(k),
            }),
            metrics: Some(Metrics {
                subtype: 1,
                qual: 0,
                src: DirMetrics { pkts: 3, bytes: 300, appbytes: 0 },
                dst: DirMetrics { pkts: 2, bytes: 100, appbytes: 0 },
            }),
            time: Some(Time {
                subtype: 0x01 | TIME_SRC_START | TIME_SRC_END,
                qual: 0x18,
                len: 5,
                src: TimeRange { start: Timeval::new(10, 0), end: Timeval::new(12, 0) },
                dst: TimeRange::default(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn swaps_addresses_ports_metrics_and_times() {
        let mut f = tcp4();
        reverse_flow(&mut f);
        let key = f.key.unwrap();
        assert!(key.reversed);
        let KeyAddrs::Ipv4(k) = key.addrs else { panic!() };
        assert_eq!((k.src, k.dst, k.sport(), k.dport()), (0x0a000002, 0x0a000001, 80, 40000));
        assert_eq!(f.metrics.unwrap().src.pkts, 2);
        let t = f.time.unwrap();
        assert_eq!(t.dst.start, Timeval::new(10, 0));
        assert_eq!(t.subtype, 0x01 | TIME_DST_START | TIME_DST_END);
    }

    #[test]
    fn twice_is_the_identity() {
        let mut f = tcp4();
        reverse_flow(&mut f);
        reverse_flow(&mut f);
        assert_eq!(f, tcp4());
    }
}
