//! Judging a flow record straight from its stored bytes, for filters that
//! read only the common fields: the header, the flow key, the counters,
//! the TCP object and the IP attributes (`tcp and dst port 443 and bytes
//! gt 1000`, `host`, `net`, `port`, `syn`, `ttl` ...). This is what lets a
//! client that only selects records (`ra -w`) filter in a few nanoseconds
//! per record: one walk over the DSR headers, then a handful of loads, no
//! decoding into the model.
//!
//! The values are exactly those [`super::canon::View`] reads from a fully
//! decoded record; the wire layouts read here are those of
//! `codec::{key, meter, network, misc}` (argus-format.md §2), and the
//! equivalence is checked record by record on every reference archive
//! (tests/filter_diff.rs). Whatever this reader does not handle in the
//! same few loads it declines, and the caller falls back to a decode: a
//! record `ra` corrects on reading ([`super::canon::needs_correction`]), a
//! DSR walk that does not reach the record's end, a read DSR that comes
//! twice or in an odd form, IPv4/IPv6 keys other than plain 5-tuples.

use super::canon::{Dsr, FloatField, IntField, KeyImage, MacField, TcpWords};
use super::node::Fields;
use crate::codec::raw::{dsr_offsets, DsrOffsets};
use crate::codec::view::key_of;
use crate::record::field::ViewOptions;
use crate::record::{
    family, ipattr_qual, ipproto, key_kind, network_subtype, tcp_status, RecordClass,
};

/// Whether [`RawView`] reads `field`.
pub fn supports(field: IntField) -> bool {
    use IntField::*;
    matches!(
        field,
        RecType
            | Cause
            | KeyU8(_)
            | KeyU16(_)
            | KeyU32(_)
            | SrcPkts
            | SrcBytes
            | SrcAppBytes
            | DstPkts
            | DstBytes
            | DstAppBytes
            | AttrQual
            | AttrSrcTtl
            | AttrSrcTos
            | AttrSrcIpId
            | AttrDstTtl
            | AttrDstTos
            | AttrDstIpId
    ) || is_net(field)
}

/// Whether `field` is one of the TCP object's.
pub fn is_net(field: IntField) -> bool {
    use IntField::*;
    matches!(
        field,
        NetSubtype
            | NetStatus
            | NetTcpOptions
            | NetIcmpType
            | NetSrcFlags
            | NetDstFlags
            | NetSrcSeqBase
            | NetDstSeqBase
    )
}

/// The flow key as the filter reads it.
#[derive(Clone, Copy)]
enum Key {
    Absent,
    /// An IPv4 5-tuple key, not a fragment; REVERSE undone.
    V4 {
        qual: u8,
        src: u32,
        dst: u32,
        proto: u8,
        ports: Option<(u16, u16)>,
    },
    /// An IPv6 5-tuple key; `swap`: REVERSE is set, the stored source
    /// address is the destination's.
    V6 {
        qual: u8,
        swap: bool,
        proto: u8,
        ports: Option<(u16, u16)>,
    },
    /// Any other key: read through its image.
    Other,
}

/// The network object, for the TCP fields.
#[derive(Clone, Copy)]
enum Net {
    Empty,
    Tcp(TcpWords),
    /// An object only a decode reads (ICMP, ESP, RTP, ...).
    Other,
}

/// One flow record's bytes, located for the filter. Only the flow key and
/// the packet counts (which decide whether `ra` corrects the record) are
/// read up front; every other value is read from its DSR when the filter
/// asks for it.
pub struct RawView<'a> {
    /// The record header's first two bytes (type, cause).
    hdr: [u8; 2],
    /// The FLOW DSR, header included.
    key_dsr: &'a [u8],
    key: Key,
    /// The counters.
    meter: Option<Meter<'a>>,
    /// The NETWORK DSR, header included.
    net: Option<&'a [u8]>,
    /// The IPATTR DSR, header included.
    attr: Option<&'a [u8]>,
}

/// A METER DSR's counters, located by the layout qualifier (width 1, 2, 4
/// or 8 bytes; both sides, source only or destination only): packets and
/// bytes, plus application bytes for the 0x04 subtype.
#[derive(Clone, Copy)]
struct Meter<'a> {
    body: &'a [u8],
    /// Bytes per counter.
    width: usize,
    /// Counters per side: 2, 3, or 0 when the decoder reads none (every
    /// counter is then 0).
    per: usize,
    src: bool,
    dst: bool,
}

impl<'a> Meter<'a> {
    /// Reads a METER DSR's layout.
    #[inline(always)]
    fn read(dsr: &'a [u8]) -> Meter<'a> {
        let (st, qual) = (dsr.get(1).copied().unwrap_or(0), dsr.get(2).copied().unwrap_or(0));
        let body = dsr.get(4..).unwrap_or(&[]);
        let per = if st & 0x01 != 0 {
            2
        } else if st & 0x04 != 0 {
            3
        } else {
            0
        };
        let q = qual & 0x0f;
        let (src, dst) = match q {
            0x01..=0x04 => (true, true),
            0x05..=0x08 => (true, false),
            0x09..=0x0c => (false, true),
            _ => return Meter { body, width: 1, per: 0, src: false, dst: false },
        };
        let width = 1 << ((q - 1) % 4);
        Meter { body, width, per, src, dst }
    }

    /// Counter `i` (0 packets, 1 bytes, 2 application bytes) of the
    /// source side, or of the destination side (`dst`); 0 when absent.
    #[inline(always)]
    fn get(&self, dst: bool, i: usize) -> u64 {
        let present = if dst { self.dst } else { self.src };
        if !present || i >= self.per {
            return 0;
        }
        let side = if dst && self.src { self.per * self.width } else { 0 };
        counter(self.body, side + i * self.width, self.width)
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// A big-endian counter of `width` (1, 2, 4 or 8) bytes at `at`, 0 past
/// the end (the counter decoder's rule).
#[inline]
fn counter(b: &[u8], at: usize, width: usize) -> u64 {
    match width {
        1 => b.get(at).map_or(0, |x| u64::from(*x)),
        2 => be16(b, at).map_or(0, u64::from),
        4 => be32(b, at).map_or(0, u64::from),
        _ => b
            .get(at..at + 8)
            .and_then(|v| <[u8; 8]>::try_from(v).ok())
            .map_or(0, u64::from_be_bytes),
    }
}

/// The status word of a NETWORK DSR holding a TCP object (the typed forms a
/// decode recognises, as [`read_net`]).
#[inline]
fn tcp_status_of(dsr: &[u8]) -> Option<u32> {
    let (st, qual) = (*dsr.get(1)?, *dsr.get(2)?);
    let b = dsr.get(4..)?;
    let tcp = qual == 0
        && matches!(
            (st, b.len()),
            (network_subtype::TCP_PERF, 116)
                | (network_subtype::TCP_INIT, 16)
                | (network_subtype::TCP_STATUS, 8)
        );
    if tcp {
        be32(b, 0)
    } else {
        None
    }
}

impl<'a> RawView<'a> {
    /// Locates what the filter reads in `rec` (one stored record, header
    /// included), or `None` when a decode must judge it. `reads_net`: the
    /// filter reads the TCP object; `port_direction`: the client may turn
    /// TCP flows of unknown direction round before filtering
    /// (`RA_PORT_DIRECTION`), so those are left to a decode.
    #[inline(always)]
    pub fn new(
        rec: &'a [u8],
        opts: &ViewOptions,
        reads_net: bool,
        port_direction: bool,
    ) -> Option<RawView<'a>> {
        let hdr = rec.get(..4)?;
        if usize::from(u16::from_be_bytes([hdr[2], hdr[3]])) * 4 != rec.len() {
            return None;
        }
        if !matches!(
            RecordClass::from_nibble(hdr[0] >> 4),
            RecordClass::Flow | RecordClass::NetFlow | RecordClass::Event
        ) {
            return None;
        }
        // Where the FLOW, METER, NETWORK and IPATTR DSRs are; a record
        // whose DSRs a decode would treat specially is left to a decode.
        let DsrOffsets { key: k, meter: m, network: n, attr: a } = dsr_offsets::<true>(rec)?;
        // (A located DSR is typed, with a length of one word at least.)
        let dsr = |at: usize| -> Option<&'a [u8]> {
            let words = usize::from(*rec.get(at + 3)?);
            rec.get(at..at + words * 4)
        };
        let key_dsr = if k != 0 { dsr(k)? } else { &[] };
        let key = if k != 0 { read_key(key_dsr)? } else { Key::Absent };
        let meter = if m != 0 { Some(Meter::read(dsr(m)?)) } else { None };
        let net = if n != 0 { Some(dsr(n)?) } else { None };
        let attr = if a != 0 { Some(dsr(a)?) } else { None };

        // The records `ra` corrects on reading (canon::needs_correction).
        let (s, d) = meter.map_or((0, 0), |m| (m.get(false, 0), m.get(true, 0)));
        if s.wrapping_add(d) > 1000 {
            return None;
        }
        let status = || net.and_then(tcp_status_of);
        let tcp = match key {
            Key::V4 { qual, proto, .. } => {
                let direction = qual & family::DIRECTION != 0;
                match proto {
                    ipproto::TCP if !direction => {
                        if let Some(status) = status() {
                            match status & (tcp_status::SYN | tcp_status::SYN_ACK) {
                                tcp_status::SYN_ACK => return None,
                                0 if opts.known_tcp_service.is_some() => return None,
                                _ => {}
                            }
                        }
                    }
                    ipproto::ICMP if direction && s > 0 && d == 0 => return None,
                    _ => {}
                }
                proto == ipproto::TCP
            }
            Key::V6 { proto, .. } => proto == ipproto::TCP,
            _ => false,
        };
        if port_direction && tcp {
            let start_seen =
                status().is_some_and(|s| s & (tcp_status::SYN | tcp_status::SYN_ACK) != 0);
            if !start_seen {
                return None;
            }
        }
        if reads_net {
            // The clients give keys with argus 2's RTCP tag an RTCP object.
            let rtcp = key_dsr.get(13) == Some(&0x10)
                && matches!(key, Key::V4 { proto: ipproto::UDP, .. });
            if rtcp || net.is_some_and(|n| matches!(read_net(n), Net::Other)) {
                return None;
            }
        }
        let hdr = [hdr[0], hdr[1]];
        Some(RawView { hdr, key_dsr, key, meter, net, attr })
    }

    /// Packets and bytes of both directions (0 without counters), as a
    /// decoded record's `src_metrics() + dst_metrics()` give them.
    pub fn totals(&self) -> (u64, u64) {
        self.meter.map_or((0, 0), |m| {
            (
                m.get(false, 0).wrapping_add(m.get(true, 0)),
                m.get(false, 1).wrapping_add(m.get(true, 1)),
            )
        })
    }

    #[inline(always)]
    fn key_field(&self, field: IntField) -> Option<u64> {
        use IntField::*;
        let fast = match self.key {
            Key::Absent => return None,
            Key::V4 { qual, src, dst, proto, ports } => match (field, ports) {
                // The family byte: the clients force the mask-length bit in.
                (KeyU8(2), _) => Some((qual | family::MASKLEN) as u64),
                (KeyU32(4), _) => Some(src as u64),
                (KeyU32(8), _) => Some(dst as u64),
                (KeyU8(12), _) => Some(proto as u64),
                (KeyU16(14), Some((s, _))) => Some(s as u64),
                (KeyU16(16), Some((_, d))) => Some(d as u64),
                // Past the end of the image (20 bytes): the IPv6 offsets.
                (KeyU8(o), _) if o > 20 => return None,
                (KeyU16(o), _) if o > 18 => return None,
                (KeyU32(o), _) if o > 16 => return None,
                _ => None,
            },
            Key::V6 { qual, swap, proto, ports } => match (field, ports) {
                (KeyU8(2), _) => Some((qual | family::MASKLEN) as u64),
                (KeyU8(39), _) => Some(proto as u64),
                (KeyU16(40), Some((s, _))) => Some(s as u64),
                (KeyU16(42), Some((_, d))) => Some(d as u64),
                // Address words, in memory order: the stored addresses
                // sit at the same offsets as in the image, swapped back
                // for a reversed key.
                (KeyU32(o @ 4..=32), _) if o % 4 == 0 => {
                    let o = usize::from(o);
                    let at = match (swap, o < 20) {
                        (false, _) => o,
                        (true, true) => o + 16,
                        (true, false) => o - 16,
                    };
                    word_le(self.key_dsr, at)
                }
                // Past the end of the image (48 bytes).
                (KeyU8(o), _) if o > 48 => return None,
                (KeyU16(o), _) if o > 46 => return None,
                (KeyU32(o), _) if o > 44 => return None,
                _ => None,
            },
            Key::Other => None,
        };
        if fast.is_some() {
            return fast;
        }
        self.key_image_field(field)
    }

    /// A key field read through the key's image (rare).
    #[cold]
    #[inline(never)]
    fn key_image_field(&self, field: IntField) -> Option<u64> {
        use IntField::*;
        let img = KeyImage::build(&key_of(self.key_dsr)?);
        match field {
            KeyU8(off) => img.u8_at(off as usize).map(u64::from),
            KeyU16(off) => img.u16_at(off as usize).map(u64::from),
            KeyU32(off) => img.u32_at(off as usize).map(u64::from),
            _ => None,
        }
    }

    #[inline(never)]
    fn net_field(&self, field: IntField) -> Option<u64> {
        let Net::Tcp(tcp) = read_net(self.net?) else { return None };
        let (spkts, dpkts) = self.meter.map_or((0, 0), |m| (m.get(false, 0), m.get(true, 0)));
        tcp.field(field, spkts, dpkts)
    }

    #[inline(never)]
    fn attr_field(&self, field: IntField) -> Option<u64> {
        use IntField::*;
        let dsr = self.attr?;
        let qual = dsr[2];
        let body = &dsr[4..];
        // The words follow the qualifier bits: source, source options,
        // destination, destination options.
        let src_at = 0;
        let dst_at = 4
            * (usize::from(qual & ipattr_qual::SRC != 0)
                + usize::from(qual & ipattr_qual::SRC_OPTIONS != 0));
        let side = |present: u8, at: usize| -> [u64; 3] {
            match body.get(at..at + 4) {
                Some(w) if qual & present != 0 => {
                    [w[0] as u64, w[1] as u64, u16::from_be_bytes([w[2], w[3]]) as u64]
                }
                _ => [0; 3],
            }
        };
        Some(match field {
            AttrQual => qual as u64,
            AttrSrcTtl => side(ipattr_qual::SRC, src_at)[0],
            AttrSrcTos => side(ipattr_qual::SRC, src_at)[1],
            AttrSrcIpId => side(ipattr_qual::SRC, src_at)[2],
            AttrDstTtl => side(ipattr_qual::DST, dst_at)[0],
            AttrDstTos => side(ipattr_qual::DST, dst_at)[1],
            AttrDstIpId => side(ipattr_qual::DST, dst_at)[2],
            _ => return None,
        })
    }
}

/// The little-endian word at `at` of an address's bytes.
fn word_le(addr: &[u8], at: usize) -> Option<u64> {
    Some(u32::from_le_bytes(addr.get(at..at + 4)?.try_into().ok()?) as u64)
}

/// Reads a FLOW DSR; `None` for the keys a decode must judge. Inlined:
/// returned through memory, the key was written field by field and read
/// back whole, a store-forwarding stall on every record.
#[inline(always)]
fn read_key(dsr: &[u8]) -> Option<Key> {
    let (st, qual) = (dsr[1], dsr[2]);
    let body = &dsr[4..];
    let reversed = st & key_kind::REVERSE != 0;
    let classic = st & !key_kind::REVERSE == key_kind::CLASSIC5TUPLE;
    let ported = |proto: u8| matches!(proto, ipproto::TCP | ipproto::UDP);
    match qual & 0x1f {
        family::IPV4 if classic && qual & family::FRAGMENT == 0 => {
            // (A fixed-size body: no bounds check per field.)
            let b: &[u8; 16] = body.try_into().ok()?;
            let w = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
            let (mut src, mut dst) = (w(0), w(4));
            let proto = b[8];
            let (mut sport, mut dport) =
                (u16::from_be_bytes([b[10], b[11]]), u16::from_be_bytes([b[12], b[13]]));
            if reversed {
                std::mem::swap(&mut src, &mut dst);
                if ported(proto) {
                    std::mem::swap(&mut sport, &mut dport);
                }
            }
            let ports = ported(proto).then_some((sport, dport));
            Some(Key::V4 { qual, src, dst, proto, ports })
        }
        family::IPV6 if classic && matches!(body.len(), 40 | 44) => {
            let proto = body[32];
            let (mut sport, mut dport) = (be16(body, 36)?, be16(body, 38)?);
            if reversed && ported(proto) {
                std::mem::swap(&mut sport, &mut dport);
            }
            let ports = ported(proto).then_some((sport, dport));
            Some(Key::V6 { qual, swap: reversed, proto, ports })
        }
        // Other IP keys (fragments, matrices, odd lengths) may be corrected
        // or un-reversed in ways only a decode knows.
        family::IPV4 | family::IPV6 => None,
        // `ra` swaps the sides of a reversed ARP record.
        _ if reversed => None,
        _ => Some(Key::Other),
    }
}

/// Reads a NETWORK DSR's TCP object (the typed forms a decode recognises:
/// qualifier 0 and the exact length).
fn read_net(dsr: &[u8]) -> Net {
    let (st, qual) = (dsr[1], dsr[2]);
    let b = &dsr[4..];
    if qual != 0 {
        return Net::Other;
    }
    let w = |at: usize| be32(b, at).unwrap_or(0);
    let byte = |at: usize| b.get(at).copied().unwrap_or(0);
    match (st, b.len()) {
        (network_subtype::EMPTY, 0) => Net::Empty,
        (network_subtype::TCP_PERF, 116) => Net::Tcp(TcpWords {
            subtype: st,
            status: w(0),
            options: w(8),
            // Per direction (48 bytes from 20 and 68): seqbase at +12,
            // flags at +46.
            sbase: w(32),
            sflags: byte(66),
            dbase: w(80),
            dflags: byte(114),
        }),
        (network_subtype::TCP_INIT, 16) => Net::Tcp(TcpWords {
            subtype: st,
            status: w(0),
            sbase: w(4),
            options: w(8),
            sflags: byte(14),
            dflags: 0,
            dbase: 0,
        }),
        (network_subtype::TCP_STATUS, 8) => Net::Tcp(TcpWords {
            subtype: st,
            status: w(0),
            options: 0,
            sflags: byte(4),
            dflags: byte(5),
            sbase: 0,
            dbase: 0,
        }),
        _ => Net::Other,
    }
}

impl Fields for RawView<'_> {
    #[inline(always)]
    fn int(&self, field: IntField) -> Option<u64> {
        use IntField::*;
        match field {
            RecType => Some(self.hdr[0] as u64),
            Cause => Some(self.hdr[1] as u64),
            KeyU8(_) | KeyU16(_) | KeyU32(_) => self.key_field(field),
            SrcPkts => self.meter.map(|m| m.get(false, 0)),
            SrcBytes => self.meter.map(|m| m.get(false, 1)),
            SrcAppBytes => self.meter.map(|m| m.get(false, 2)),
            DstPkts => self.meter.map(|m| m.get(true, 0)),
            DstBytes => self.meter.map(|m| m.get(true, 1)),
            DstAppBytes => self.meter.map(|m| m.get(true, 2)),
            f if is_net(f) => self.net_field(f),
            f => self.attr_field(f),
        }
    }

    // A filter reading these never gets here (`supports`).
    fn float(&self, _: FloatField) -> Option<f32> {
        None
    }

    fn mac(&self, _: MacField) -> Option<[u8; 6]> {
        None
    }

    fn has(&self, _: Dsr) -> bool {
        false
    }
}
