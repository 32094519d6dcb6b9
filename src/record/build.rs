//! Building records the way argus 3.0.8.2 lays them out, for the flow
//! engine: argus's key canonicalisation and REVERSE bit (argus-format.md
//! §2.4), the TIME min/max form, the narrowest METER width (§2.6), and the
//! DSR order (a [`Flow`] with an empty `order` is encoded in argus's index
//! order, [`Slot`] order).
//!
//! ```
//! use argus_tool::record::*;
//! let mut f = Flow::argus(cause::START);
//! f.transport = Some(Transport::argus(srcid_kind::NONE, [0; 4], 1));
//! // 127.0.0.1:52866 -> 127.0.0.1:19001, UDP: argus stores it reversed.
//! f.key = Some(FlowKey::ipv4_ports(0x7f00_0001, 0x7f00_0001, ipproto::UDP, 52866, 19001));
//! assert!(f.key.unwrap().reversed);
//! f.time = Some(Time::min_max(Timeval::new(1, 5), Timeval::new(1, 9)));
//! f.metrics = Some(Metrics::argus(
//!     DirMetrics { pkts: 4, bytes: 510, appbytes: 0 },
//!     DirMetrics { pkts: 4, bytes: 852, appbytes: 0 },
//!     false,
//! ));
//! assert_eq!(f.metrics.unwrap().qual, meter_qual::SRCDST_SHORT);
//! f.network = Some(Network::Empty);
//! f.encaps = Some(Encaps::new(encaps::ETHER, encaps::ETHER));
//! ```

use super::dsr::*;
use super::flow::Flow;
use super::{RecordClass, RecordHeader, Timeval};

impl Flow {
    /// An empty flow record (class FAR, version 3) with the given cause
    /// ([`super::cause`]: START for a flow's first report, STATUS after,
    /// SHUTDOWN when flushed at exit).
    pub fn argus(cause: u8) -> Flow {
        Flow { header: RecordHeader::new(RecordClass::Flow, cause), ..Flow::default() }
    }
}

impl Transport {
    /// argus's TRANSPORT DSR: subtype 0x03 (source id + sequence), 3 words.
    pub fn argus(srcid_kind: u8, srcid: [u8; 4], seq: u32) -> Transport {
        Transport { subtype: 0x03, srcid_kind, srcid, seq, len: 3 }
    }
}

impl FlowKey {
    /// An IPv4 classic 5-tuple key in originator order (`src` sent the
    /// first packet), with argus's bidirectional canonicalisation: stored
    /// swapped (REVERSE) when `src > dst`, or when the addresses are equal
    /// and the TCP/UDP source port is larger. `l4` is the 6-byte union
    /// after the protocol bytes (ports + masks, ICMP type/code/id/seq, ESP
    /// SPI ...), in originator order.
    pub fn ipv4(src: u32, dst: u32, proto: u8, tp_p: u8, l4: [u8; 6]) -> FlowKey {
        let k = Ipv4Key { src, dst, proto, tp_p, l4 };
        let ports = matches!(proto, ipproto::TCP | ipproto::UDP);
        let reversed = src > dst || (src == dst && ports && k.sport() > k.dport());
        FlowKey {
            kind: key_kind::CLASSIC5TUPLE,
            reversed,
            qual: family::IPV4,
            addrs: KeyAddrs::Ipv4(k),
        }
    }

    /// [`FlowKey::ipv4`] for a TCP or UDP flow (masks zero).
    pub fn ipv4_ports(src: u32, dst: u32, proto: u8, sport: u16, dport: u16) -> FlowKey {
        let mut l4 = [0u8; 6];
        l4[..2].copy_from_slice(&sport.to_be_bytes());
        l4[2..4].copy_from_slice(&dport.to_be_bytes());
        FlowKey::ipv4(src, dst, proto, 0, l4)
    }

    /// The key of an IPv4 fragment whose first fragment was not seen
    /// (qualifier FRAGMENT; `ip_id` little-endian on the wire as in
    /// 3.0.8.2). Stored swapped, with the DIRECTION qualifier bit, when
    /// `src > dst`.
    pub fn ipv4_fragment(src: u32, dst: u32, proto: u8, ip_id: u16) -> FlowKey {
        let mut l4 = [0u8; 6];
        l4[4..].copy_from_slice(&ip_id.to_le_bytes());
        let reversed = src > dst;
        let mut qual = family::IPV4 | family::FRAGMENT;
        if reversed {
            qual |= family::DIRECTION;
        }
        FlowKey {
            kind: key_kind::CLASSIC5TUPLE,
            reversed,
            qual,
            addrs: KeyAddrs::Ipv4(Ipv4Key { src, dst, proto, tp_p: 0, l4 }),
        }
    }

    /// An IPv6 classic key in originator order. argus compares the
    /// addresses 32 bits at a time and stores the key swapped when, at the
    /// first differing word, `src < dst`; equal addresses are never
    /// swapped. `flow_word` is next header << 24 | flow label.
    pub fn ipv6(src: u128, dst: u128, flow_word: u32, l4: [u8; 4]) -> FlowKey {
        FlowKey {
            kind: key_kind::CLASSIC5TUPLE,
            reversed: src < dst,
            qual: family::IPV6,
            addrs: KeyAddrs::Ipv6(Ipv6Key { src, dst, flow_word, l4, masks: None }),
        }
    }

    /// [`FlowKey::ipv6`] for a TCP or UDP flow.
    pub fn ipv6_ports(src: u128, dst: u128, proto: u8, sport: u16, dport: u16) -> FlowKey {
        let mut l4 = [0u8; 4];
        l4[..2].copy_from_slice(&sport.to_be_bytes());
        l4[2..].copy_from_slice(&dport.to_be_bytes());
        FlowKey::ipv6(src, dst, u32::from(proto) << 24, l4)
    }

    /// A non-IP Ethernet/LLC key from the first frame's addresses. argus
    /// stores the smaller MAC as the source and sets REVERSE when it
    /// swapped; like `ra`, the model keeps Ethernet keys as stored, so the
    /// returned key has the swapped addresses when `reversed`.
    pub fn ether(src: [u8; 6], dst: [u8; 6], ether_type: u16, dsap: u8, ssap: u8) -> FlowKey {
        let reversed = src > dst;
        let k = if reversed {
            EtherKey { dst: src, src: dst, ether_type, dsap: ssap, ssap: dsap }
        } else {
            EtherKey { dst, src, ether_type, dsap, ssap }
        };
        FlowKey {
            kind: key_kind::CLASSIC5TUPLE,
            reversed,
            qual: family::ETHER,
            addrs: KeyAddrs::Ether(k),
        }
    }

    /// An ARP key as argus writes it: for a request the sender and target
    /// as in the packet; for a reply (`reply`) the roles swapped back to
    /// the request's, `op` 1 (request) and REVERSE set. `haddr`: the
    /// request's sender hardware address, of which 3.0.8.2 keeps 4 bytes.
    ///
    /// For a reply-first flow the rest of the record is read (by `ra`, and
    /// so by the codec) with the directions swapped, so that it agrees with
    /// the request-form key: in the model the requester is `src`. Put the
    /// replier's counters (argus's first sender) on the `dst` side; the
    /// encoder writes them where argus does.
    pub fn arp(spa: u32, tpa: u32, haddr: [u8; 4], reply: bool) -> FlowKey {
        let (spa, tpa) = if reply { (tpa, spa) } else { (spa, tpa) };
        let k = ArpKey { hrd: 1, pro: 0x0800, hln: 6, pln: 4, op: 1, spa, tpa, haddr };
        FlowKey { kind: key_kind::ARP, reversed: reply, qual: family::ARP, addrs: KeyAddrs::Arp(k) }
    }
}

impl Time {
    /// argus's default TIME DSR: UTC microseconds, subtype 0x01 with one
    /// stamp when `start == end`, else subtype 0x02 with both.
    pub fn min_max(start: Timeval, end: Timeval) -> Time {
        let one = start == end;
        Time {
            subtype: if one {
                time_subtype::ABSOLUTE_TIMESTAMP
            } else {
                time_subtype::ABSOLUTE_RANGE
            },
            qual: time_qual::UTC_MICROSECONDS,
            len: if one { 3 } else { 5 },
            src: TimeRange { start, end: if one { Timeval::ZERO } else { end } },
            ..Time::default()
        }
    }

    /// The (min, max) argus 3.0.8.2 writes for a flow's four internal
    /// stamps (src start, src end, dst start, dst end; zero = unset),
    /// including its quirk: of stamps with the same second the first one
    /// in that order is taken as the minimum, whatever its microseconds.
    pub fn argus_min_max(stamps: [Timeval; 4]) -> (Timeval, Timeval) {
        let mut max = Timeval::ZERO;
        let mut min = Timeval::new(0xEFFF_FFFF, 0);
        for t in stamps.into_iter().filter(|t| t.sec != 0) {
            if t > max {
                max = t;
            }
            if t.sec < min.sec {
                min = t;
            }
        }
        (min, max)
    }

    /// The bidirectional form (`ARGUS_GENERATE_BIDIRECTIONAL_TIMESTAMPS`):
    /// one absolute stamp per present one, presence bits in the subtype.
    pub fn bidirectional(src: Option<TimeRange>, dst: Option<TimeRange>) -> Time {
        let mut t = Time { qual: time_qual::UTC_MICROSECONDS, ..Time::default() };
        let mut n = 0;
        let mut subtype = time_subtype::ABSOLUTE_RANGE;
        for (range, start_bit, end_bit, slot) in [
            (src, time_subtype::SRC_START, time_subtype::SRC_END, &mut t.src),
            (dst, time_subtype::DST_START, time_subtype::DST_END, &mut t.dst),
        ] {
            if let Some(r) = range {
                *slot = r;
                subtype |= start_bit;
                n += 1;
                if r.end != r.start {
                    subtype |= end_bit;
                    n += 1;
                }
            }
        }
        t.subtype = subtype;
        t.len = 1 + 2 * n;
        t
    }
}

impl Metrics {
    /// argus's METER DSR for these counts: the narrowest layout (§2.6), and
    /// subtype 0x04 with application bytes when `with_app` (argus `-A`) and
    /// there are any. A flow with no packets gets qualifier 0 and no
    /// counters, as argus writes it.
    pub fn argus(src: DirMetrics, dst: DirMetrics, with_app: bool) -> Metrics {
        use meter_qual::*;
        let qual = match (src.pkts > 0, dst.pkts > 0) {
            (true, true) => {
                if src.pkts <= 0xff && dst.pkts <= 0xff && src.bytes <= 0xff && dst.bytes <= 0xff {
                    SRCDST_BYTE
                } else if src.bytes <= 0xffff && dst.bytes <= 0xffff {
                    SRCDST_SHORT
                } else if src.bytes <= 0xffff_ffff && dst.bytes <= 0xffff_ffff {
                    SRCDST_INT
                } else {
                    SRCDST_LONG
                }
            }
            (true, false) => narrow_side(src.bytes, SRC_SHORT),
            (false, true) => narrow_side(dst.bytes, DST_SHORT),
            (false, false) => 0,
        };
        let app = with_app && (src.appbytes > 0 || dst.appbytes > 0);
        let (src, dst) = if app {
            (src, dst)
        } else {
            (DirMetrics { appbytes: 0, ..src }, DirMetrics { appbytes: 0, ..dst })
        };
        Metrics {
            subtype: if app { meter_subtype::PKTS_BYTES_APP } else { meter_subtype::PKTS_BYTES },
            qual,
            src,
            dst,
            pad: [0; 3],
        }
    }
}

/// One-sided layout by byte count: 16, 32 or 64 bits (argus never uses
/// the 8-bit one-sided form).
fn narrow_side(bytes: u64, short: u8) -> u8 {
    if bytes <= 0xffff {
        short
    } else if bytes <= 0xffff_ffff {
        short + 1
    } else {
        short + 2
    }
}

impl IpAttr {
    /// IPATTR with the attribute words of the sides that have packets.
    pub fn new(src: Option<IpAttrDir>, dst: Option<IpAttrDir>) -> IpAttr {
        let mut a = IpAttr::default();
        if let Some(s) = src {
            a.src = s;
            a.qual |= ipattr_qual::SRC;
        }
        if let Some(d) = dst {
            a.dst = d;
            a.qual |= ipattr_qual::DST;
        }
        a
    }
}

impl PacketSize {
    /// PSIZE with the sides that have packets (qualifier 0x02/0x06/0x0A).
    pub fn new(src: Option<PacketSizeDir>, dst: Option<PacketSizeDir>) -> PacketSize {
        let qual = match (src.is_some(), dst.is_some()) {
            (true, true) => meter_qual::SRCDST_SHORT,
            (true, false) => meter_qual::SRC_SHORT,
            (false, true) => meter_qual::DST_SHORT,
            (false, false) => 0,
        };
        PacketSize { subtype: 0, qual, src: src.unwrap_or_default(), dst: dst.unwrap_or_default() }
    }
}

impl Vlan {
    /// VLAN with the tags of the sides that were seen.
    pub fn new(src: Option<u16>, dst: Option<u16>) -> Vlan {
        let qual = u8::from(src.is_some()) | u8::from(dst.is_some()) << 1;
        Vlan { subtype: 0, qual, src_tci: src.unwrap_or(0), dst_tci: dst.unwrap_or(0) }
    }
}

impl UserData {
    /// Source (`src` true) or destination user data, `-U size`.
    pub fn new(src: bool, size: u16, data: Vec<u8>) -> UserData {
        let dir = if src { data_subtype::SRC_DATA } else { data_subtype::DST_DATA };
        UserData { subtype: data_subtype::LEN_16BITS | dir, size, data }
    }
}

impl Encaps {
    pub fn new(src: u32, dst: u32) -> Encaps {
        Encaps { subtype: 0, qual: 0, src, dst }
    }
}

impl Network {
    /// The ARP object as argus 3.0.8.2 writes it (44 words, zero filled).
    pub fn arp(responder: [u8; 6]) -> Network {
        Network::Arp { responder, len: 44 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pkts: u64, bytes: u64) -> DirMetrics {
        DirMetrics { pkts, bytes, appbytes: 0 }
    }

    #[test]
    fn meter_width_follows_argus() {
        use meter_qual::*;
        assert_eq!(Metrics::argus(m(4, 255), m(4, 200), false).qual, SRCDST_BYTE);
        assert_eq!(Metrics::argus(m(4, 256), m(4, 200), false).qual, SRCDST_SHORT);
        assert_eq!(Metrics::argus(m(300, 65535), m(4, 200), false).qual, SRCDST_SHORT);
        assert_eq!(Metrics::argus(m(4, 65536), m(4, 200), false).qual, SRCDST_INT);
        assert_eq!(Metrics::argus(m(4, 1 << 32), m(4, 200), false).qual, SRCDST_LONG);
        assert_eq!(Metrics::argus(m(2, 98), m(0, 0), false).qual, SRC_SHORT);
        assert_eq!(Metrics::argus(m(2, 70000), m(0, 0), false).qual, SRC_INT);
        assert_eq!(Metrics::argus(m(0, 0), m(3, 1 << 33), false).qual, DST_LONG);
        assert_eq!(Metrics::argus(m(0, 0), m(0, 0), false).qual, 0);
    }

    #[test]
    fn ipv4_canonicalisation() {
        assert!(FlowKey::ipv4_ports(2, 1, ipproto::TCP, 1, 2).reversed);
        assert!(!FlowKey::ipv4_ports(1, 2, ipproto::TCP, 9, 2).reversed);
        assert!(FlowKey::ipv4_ports(1, 1, ipproto::UDP, 9, 2).reversed);
        assert!(!FlowKey::ipv4_ports(1, 1, ipproto::UDP, 2, 9).reversed);
    }

    #[test]
    fn argus_min_max_keeps_the_first_stamp_of_a_second() {
        let (min, max) = Time::argus_min_max([
            Timeval::new(10, 500),
            Timeval::new(12, 1),
            Timeval::new(10, 200),
            Timeval::ZERO,
        ]);
        assert_eq!(min, Timeval::new(10, 500));
        assert_eq!(max, Timeval::new(12, 1));
    }
}
