//! Reading flow records straight from an archive's bytes, for the clients
//! that only add up a few values per record (`racount`'s sums): frame the
//! records of a memory-mapped input by their 4-byte headers
//! ([`RawRecords`]), find the FLOW, METER and NETWORK DSRs in one walk
//! ([`RawDsrs`]), and read the few fields needed with plain loads.
//!
//! The values are the ones [`super::view::FlowView`] gives (the last DSR of
//! each type wins); whatever this module does not read in a few loads it
//! declines (`None`), and the caller decodes the record instead. Framing
//! declines anything the stream scanner ([`super::stream::Scanner`])
//! would report or treat specially (zero-length padding, a truncated tail,
//! an unreadable class, a DSR walk that does not reach the record's end),
//! so a caller that gets [`RawItem::Unusual`] reads the input the ordinary
//! way instead.
//!
//! `src/filter/raw.rs` holds a similar DSR walk for filtering on stored
//! bytes; it reads more fields (and different ones), so the two are kept
//! apart for now.

use super::dsr::{dsr_at, dsr_len, Dec};
use super::{meter, time};
use crate::record::{
    data_subtype, dsr_type, family, key_kind, network_subtype, Metrics, Time, ARGUS_COOKIE, MAR_LEN,
};

/// One record of the walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawItem<'a> {
    /// A flow or NetFlow record (header included).
    Flow(&'a [u8]),
    /// A management record.
    Mar,
    /// Something the ordinary reader handles with a message or a special
    /// case: stop and read the input that way.
    Unusual,
}

/// The records after an input's initial MAR.
pub struct RawRecords<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> RawRecords<'a> {
    /// The records of a whole input, when it starts with a big-endian
    /// initial MAR (`None` otherwise: read it the ordinary way).
    pub fn after_initial_mar(input: &'a [u8]) -> Option<RawRecords<'a>> {
        let id = input.get(8..12)?;
        if u32::from_be_bytes([id[0], id[1], id[2], id[3]]) != ARGUS_COOKIE || input.len() < MAR_LEN
        {
            return None;
        }
        Some(RawRecords { buf: input, pos: MAR_LEN })
    }
}

impl<'a> Iterator for RawRecords<'a> {
    type Item = RawItem<'a>;

    fn next(&mut self) -> Option<RawItem<'a>> {
        let rest = self.buf.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let len = match rest.get(..4) {
            Some(h) => usize::from(u16::from_be_bytes([h[2], h[3]])) * 4,
            None => 0,
        };
        let Some(rec) = rest.get(..len).filter(|_| len > 0) else {
            // The walk ends here.
            self.pos = self.buf.len();
            return Some(RawItem::Unusual);
        };
        self.pos += len;
        Some(match rec[0] >> 4 {
            0x1 | 0x3 => RawItem::Flow(rec),
            0x8 => RawItem::Mar,
            _ => RawItem::Unusual,
        })
    }
}

/// Where a flow record's FLOW, METER, NETWORK and IPATTR DSRs start
/// (byte offsets in the record; 0 when absent).
#[derive(Clone, Copy, Debug, Default)]
pub struct DsrOffsets {
    pub key: usize,
    pub meter: usize,
    pub network: usize,
    pub attr: usize,
}

/// The one walk over a flow record's DSRs (header included), by `ra`'s
/// length rule ([`dsr_len`]); `None` when it does not reach the record's
/// end (a zero-length or overrunning DSR). Only the typed form (8-bit
/// length) of a DSR is located, as in a full decode. `STRICT` (the
/// filter's reader, which must judge exactly as a decode does): `None` as
/// well when one of the four comes twice or in its 16-bit-length form,
/// since a decode keeps such forms raw and lets a second DSR replace the
/// first only if it decodes. Otherwise the last one wins, as
/// [`super::view::FlowView`] has it, and one past its 16-bit offsets is
/// refused.
#[inline(always)]
pub fn dsr_offsets<const STRICT: bool>(record: &[u8]) -> Option<DsrOffsets> {
    // One arm per local, not a `&mut` to one: the walk keeps the four
    // offsets in registers. The walk runs while a whole DSR header is left
    // and must then stand exactly at the record's end: a DSR that overruns
    // the record, or a tail too short for a header, fails that test (the
    // offset of an overrunning DSR may have been noted, but nothing is
    // returned). This is [`dsr_len`]'s rule, with one bounds check per
    // DSR. The header is read as one word; the typed form with an 8-bit
    // length (neither bit 7 of the type nor of the subtype set) is tested
    // first, and a table of the type byte says whether the DSR is one of
    // the four, so the others cost no comparison of their type.
    let (mut k, mut m, mut n, mut a) = (0usize, 0usize, 0usize, 0usize);
    let mut pos = 4usize;
    while let Some(&h) = record.get(pos..pos.wrapping_add(4)).and_then(|h| h.first_chunk::<4>()) {
        let h = u32::from_be_bytes(h);
        let words = if h & 0x8080_0000 == 0 {
            (h & 0xff) as usize
        } else if h & 0x8000_0000 != 0 {
            1
        } else {
            (h & 0xffff) as usize
        };
        if words == 0 {
            return None;
        }
        // (A u8 index into 256 entries: no bounds check.)
        let slot = SLOT_OF_TYPE[usize::from((h >> 24) as u8)];
        if slot != 0 {
            let typed = h & 0x0080_0000 == 0;
            let place = |at: usize| -> Option<usize> {
                if STRICT {
                    (typed && at == 0).then_some(pos)
                } else if !typed {
                    Some(at)
                } else {
                    (pos <= usize::from(u16::MAX)).then_some(pos)
                }
            };
            match slot {
                1 => k = place(k)?,
                2 => m = place(m)?,
                3 => n = place(n)?,
                _ => a = place(a)?,
            }
        }
        pos += words * 4;
    }
    (pos == record.len()).then_some(DsrOffsets { key: k, meter: m, network: n, attr: a })
}

/// [`dsr_offsets`]' slot of each DSR type byte: 1 FLOW, 2 METER, 3
/// NETWORK, 4 IPATTR, 0 any other (an immediate DSR's type byte, with bit
/// 7 set, is none of them).
static SLOT_OF_TYPE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[dsr_type::FLOW as usize] = 1;
    t[dsr_type::METER as usize] = 2;
    t[dsr_type::NETWORK as usize] = 3;
    t[dsr_type::IPATTR as usize] = 4;
    t
};

/// Where the FLOW, METER and NETWORK DSRs of a flow record are (byte
/// offsets in the record, 0 for none).
#[derive(Clone, Copy, Debug)]
pub struct RawDsrs<'a> {
    record: &'a [u8],
    key: usize,
    meter: usize,
    network: usize,
}

impl<'a> RawDsrs<'a> {
    /// Walks the DSRs of `record` (header included); `None` when the walk
    /// does not reach the record's end (a zero-length or overrunning DSR),
    /// or a wanted DSR lies where [`super::view::FlowView`] keeps no
    /// offset.
    #[inline]
    pub fn walk(record: &'a [u8]) -> Option<RawDsrs<'a>> {
        let o = dsr_offsets::<false>(record)?;
        Some(RawDsrs { record, key: o.key, meter: o.meter, network: o.network })
    }

    /// (subtype, qualifier, body) of the DSR at `pos`.
    fn dsr(&self, pos: usize) -> Option<(u8, u8, &'a [u8])> {
        let (st, q, _, body) = dsr_at(self.record, pos)?;
        Some((st, q, body))
    }

    /// The counters, as a full decode reads them.
    #[inline]
    pub fn metrics(&self) -> Option<Metrics> {
        let (st, q, body) = self.dsr(self.meter)?;
        match meter::decode_metrics(st, q, body) {
            Dec::Exact(m) | Dec::Lossy(m) => Some(m),
            Dec::Raw => None,
        }
    }

    /// Whether the record has a FLOW DSR at all.
    pub fn has_key(&self) -> bool {
        self.key != 0
    }

    /// The key of an IPv4 5-tuple or layer-3 flow, as (protocol, the
    /// family qualifier); `None` for any other key.
    #[inline]
    pub fn ipv4_key(&self) -> Option<(u8, u8)> {
        let (st, q, body) = self.dsr(self.key)?;
        let kind = st & !key_kind::REVERSE & 0x3f;
        let ip = matches!(kind, key_kind::CLASSIC5TUPLE | key_kind::LAYER_3_MATRIX);
        (ip && q & 0x1f == family::IPV4 && body.len() == 16).then(|| (body[8], q))
    }

    /// Whether the key is a plain IPv6 5-tuple or layer-3 key (the
    /// 40-byte layout), which no client correction turns round.
    #[inline]
    pub fn is_ipv6_key(&self) -> bool {
        self.dsr(self.key).is_some_and(|(st, q, body)| {
            let kind = st & !key_kind::REVERSE & 0x3f;
            matches!(kind, key_kind::CLASSIC5TUPLE | key_kind::LAYER_3_MATRIX)
                && q & 0x1f == family::IPV6
                && body.len() == 40
        })
    }

    /// The ICMP type of the record's network object when it is an ICMP
    /// object (the one layout a full decode reads as such); `None` for no
    /// network object or any other.
    #[inline]
    pub fn icmp_object_type(&self) -> Option<u8> {
        icmp_object_type(self.dsr(self.network))
    }

    /// True when `ra`'s view of the record keeps its stored direction and
    /// key for sure, so that its per-side values can be read as stored:
    /// no key, a plain IPv6 key, or an IPv4 key that
    /// [`ipv4_kept_as_stored`] keeps.
    #[inline]
    pub fn keeps_direction(&self, guess_by_port: bool) -> bool {
        let Some((proto, qual)) = self.ipv4_key() else {
            return !self.has_key() || self.is_ipv6_key();
        };
        ipv4_kept_as_stored(
            proto,
            qual,
            || self.tcp_status(),
            || {
                let (spkts, dpkts) = self.metrics().map_or((0, 0), |m| (m.src.pkts, m.dst.pkts));
                icmp_turned(spkts, dpkts, self.icmp_object_type())
            },
            guess_by_port,
        )
    }

    /// The status word of a TCP network object (the three layouts a full
    /// decode reads as TCP); `None` when there is none.
    #[inline]
    pub fn tcp_status(&self) -> Option<u32> {
        let (st, _, body) = self.dsr(self.network)?;
        let tcp = matches!(
            (st, body.len()),
            (network_subtype::TCP_PERF, 116)
                | (network_subtype::TCP_INIT, 16)
                | (network_subtype::TCP_STATUS, 8)
        );
        let b = body.get(..4).filter(|_| tcp)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// The type byte of an ICMP network object given as (subtype, qualifier,
/// body): a full decode reads only the 24-byte form with a zero
/// qualifier as one.
#[inline]
fn icmp_object_type(net: Option<(u8, u8, &[u8])>) -> Option<u8> {
    let (st, q, body) = net?;
    (st == network_subtype::ICMP && q == 0 && body.len() == 24).then(|| body[0])
}

/// The one rule of the raw readers (racount's sums, rasort's keys, ramon's
/// tables) for an IPv4 flow key (`proto`, `qual`): true when `ra` shows
/// the record with its stored direction for sure, false when it may turn
/// it round, so that the record must be decoded. ra turns round an ICMP
/// flow with the DIRECTION bit that `icmp_turned` says (a fragment key
/// never), and a TCP flow that saw the SYN-ACK but not the SYN (or, under
/// `-nnn`'s `guess_by_port`, neither). The TCP status word and the ICMP
/// test are asked for only for those protocols.
#[inline]
pub fn ipv4_kept_as_stored(
    proto: u8,
    qual: u8,
    tcp_status: impl FnOnce() -> Option<u32>,
    icmp_turned: impl FnOnce() -> bool,
    guess_by_port: bool,
) -> bool {
    use crate::record::{ipproto, tcp_status as st};
    match proto {
        ipproto::ICMP if qual & family::DIRECTION != 0 && qual & family::FRAGMENT == 0 => {
            !icmp_turned()
        }
        ipproto::TCP => match tcp_status() {
            Some(status) => match status & (st::SYN | st::SYN_ACK) {
                st::SYN_ACK => false,
                0 => !guess_by_port,
                _ => true,
            },
            None => true,
        },
        _ => true,
    }
}

/// Whether `ra` turns round an IPv4 ICMP flow whose key has the DIRECTION
/// bit (and no FRAGMENT bit), given its stored packet counts and the type
/// of its ICMP network object ([`RawDsrs::icmp_object_type`]): a flow
/// seen one way only whose object is an echo, timestamp, information or
/// mask reply, or that has no ICMP object (type 0 then).
#[inline]
pub fn icmp_turned(spkts: u64, dpkts: u64, icmp_type: Option<u8>) -> bool {
    spkts > 0 && dpkts == 0 && matches!(icmp_type.unwrap_or(0), 0 | 14 | 16 | 18)
}

/// Where a flow record's FLOW, TIME, METER, AGR, NETWORK and ICMP DSRs
/// start (byte offsets in the record; 0 when absent), by the rule of
/// [`dsr_offsets`] without `STRICT`: the last typed form of each wins.
#[derive(Clone, Copy, Debug, Default)]
struct FlowOffsets {
    key: usize,
    time: usize,
    meter: usize,
    agr: usize,
    network: usize,
    icmp: usize,
}

/// The addresses of an IP flow key, as a full decode reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawKey {
    /// A 16-byte IPv4 5-tuple or layer-3 key: addresses, protocol and the
    /// family qualifier byte.
    Ipv4 { src: u32, dst: u32, proto: u8, qual: u8 },
    /// A 40- or 44-byte IPv6 5-tuple or layer-3 key: the addresses'
    /// big-endian bytes.
    Ipv6 { src: [u8; 16], dst: [u8; 16] },
}

/// The DSRs a per-host or per-pair table reads (`ramon`): key, times,
/// counters, and what decides whether `ra` turns the record round. Every
/// accessor answers `None` for "decode the record instead".
#[derive(Clone, Copy, Debug)]
pub struct RawFlow<'a> {
    record: &'a [u8],
    o: FlowOffsets,
}

impl<'a> RawFlow<'a> {
    /// Walks the DSRs of `record` (header included); `None` when the walk
    /// does not reach the record's end (a zero-length or overrunning DSR)
    /// or a wanted DSR lies past 16-bit offsets, as [`RawDsrs::walk`].
    #[inline]
    pub fn walk(record: &'a [u8]) -> Option<RawFlow<'a>> {
        let mut o = FlowOffsets::default();
        let mut pos = 4usize;
        while pos < record.len() {
            let rest = &record[pos..];
            let len = dsr_len(rest)?;
            if len == 0 || len > rest.len() {
                return None;
            }
            let (t, st) = (rest[0], rest[1]);
            if st & data_subtype::LEN_16BITS == 0 {
                let slot = match t {
                    dsr_type::FLOW => &mut o.key,
                    dsr_type::TIME => &mut o.time,
                    dsr_type::METER => &mut o.meter,
                    dsr_type::AGR => &mut o.agr,
                    dsr_type::NETWORK => &mut o.network,
                    dsr_type::ICMP => &mut o.icmp,
                    _ => {
                        pos += len;
                        continue;
                    }
                };
                if pos > usize::from(u16::MAX) {
                    return None;
                }
                *slot = pos;
            }
            pos += len;
        }
        Some(RawFlow { record, o })
    }

    /// (subtype, qualifier, length byte, body) of the DSR at `pos`.
    #[inline]
    fn dsr(&self, pos: usize) -> Option<(u8, u8, u8, &'a [u8])> {
        dsr_at(self.record, pos)
    }

    /// The key's addresses when it is a plain IPv4 or IPv6 5-tuple or
    /// layer-3 key, un-reversed as a full decode un-reverses a key stored
    /// with the REVERSE bit (an IPv4 fragment key only of the classic
    /// kind); `None` for no key or any other key.
    #[inline]
    pub fn ip_key(&self) -> Option<RawKey> {
        let (st, q, _, body) = self.dsr(self.o.key)?;
        let kind = st & !key_kind::REVERSE & 0x3f;
        if !matches!(kind, key_kind::CLASSIC5TUPLE | key_kind::LAYER_3_MATRIX) {
            return None;
        }
        let reversed = st & key_kind::REVERSE != 0;
        match (q & 0x1f, body.len()) {
            (family::IPV4, 16) => {
                let w =
                    |i: usize| u32::from_be_bytes([body[i], body[i + 1], body[i + 2], body[i + 3]]);
                let (mut src, mut dst) = (w(0), w(4));
                let fragment = q & family::FRAGMENT != 0;
                if reversed && (!fragment || kind == key_kind::CLASSIC5TUPLE) {
                    std::mem::swap(&mut src, &mut dst);
                }
                Some(RawKey::Ipv4 { src, dst, proto: body[8], qual: q })
            }
            (family::IPV6, 40 | 44) => {
                let mut src = [0u8; 16];
                let mut dst = [0u8; 16];
                src.copy_from_slice(&body[..16]);
                dst.copy_from_slice(&body[16..32]);
                if reversed {
                    std::mem::swap(&mut src, &mut dst);
                }
                Some(RawKey::Ipv6 { src, dst })
            }
            _ => None,
        }
    }

    /// The counters: `Some(None)` without a METER DSR, `None` when the
    /// last one does not decode.
    #[inline]
    pub fn metrics(&self) -> Option<Option<Metrics>> {
        let Some((st, q, _, body)) = self.dsr(self.o.meter) else { return Some(None) };
        match meter::decode_metrics(st, q, body) {
            Dec::Exact(m) | Dec::Lossy(m) => Some(Some(m)),
            Dec::Raw => None,
        }
    }

    /// The TIME DSR: `Some(None)` without one, `None` when the last one
    /// does not decode.
    #[inline]
    pub fn time(&self) -> Option<Option<Time>> {
        let Some((st, q, len, body)) = self.dsr(self.o.time) else { return Some(None) };
        match time::decode(st, q, len, body) {
            Dec::Exact(t) | Dec::Lossy(t) => Some(Some(t)),
            Dec::Raw => None,
        }
    }

    /// Whether the record has an AGR DSR (an aggregate of other records).
    pub fn has_agr(&self) -> bool {
        self.o.agr != 0
    }

    /// Whether the record has an ICMP DSR (which always decodes).
    pub fn has_icmp(&self) -> bool {
        self.o.icmp != 0
    }

    /// The ICMP type of the network object; see
    /// [`RawDsrs::icmp_object_type`].
    #[inline]
    pub fn icmp_object_type(&self) -> Option<u8> {
        icmp_object_type(self.dsr(self.o.network).map(|(st, q, _, body)| (st, q, body)))
    }

    /// The status word of a TCP network object: `Some(None)` when the
    /// record has no network object or one that is no TCP object; `None`
    /// when it has a TCP subtype in a form not read here.
    #[inline]
    pub fn tcp_status(&self) -> Option<Option<u32>> {
        let Some((st, q, _, body)) = self.dsr(self.o.network) else { return Some(None) };
        let tcp = matches!(
            st,
            network_subtype::TCP_PERF | network_subtype::TCP_INIT | network_subtype::TCP_STATUS
        );
        if !tcp {
            return Some(None);
        }
        let known = matches!(
            (st, body.len()),
            (network_subtype::TCP_PERF, 116)
                | (network_subtype::TCP_INIT, 16)
                | (network_subtype::TCP_STATUS, 8)
        );
        let b = body.get(..4).filter(|_| known && q == 0)?;
        Some(Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_declines_padding_and_truncation() {
        let mut input = vec![0u8; MAR_LEN];
        input[8..12].copy_from_slice(&ARGUS_COOKIE.to_be_bytes());
        input.extend_from_slice(&[0x10, 0, 0, 1]);
        input.extend_from_slice(&[0x80, 0, 0, 1]);
        let items: Vec<_> = RawRecords::after_initial_mar(&input).unwrap().collect();
        assert_eq!(items, [RawItem::Flow(&[0x10, 0, 0, 1][..]), RawItem::Mar]);
        input.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(RawRecords::after_initial_mar(&input).unwrap().last(), Some(RawItem::Unusual));
        input.truncate(input.len() - 4);
        input.extend_from_slice(&[0x10, 0, 0, 2]);
        assert_eq!(RawRecords::after_initial_mar(&input).unwrap().last(), Some(RawItem::Unusual));
        assert!(RawRecords::after_initial_mar(&input[..20]).is_none());
    }

    #[test]
    fn walk_stops_at_a_bad_dsr() {
        // header, then a METER DSR of length 0
        assert!(RawDsrs::walk(&[0x10, 0, 0, 2, 0x10, 0, 0, 0]).is_none());
        let rec = [0x10, 0, 0, 3, 0x10, 0x01, 0x01, 2, 1, 60, 0, 0];
        let d = RawDsrs::walk(&rec).unwrap();
        assert!(!d.has_key());
        let m = d.metrics().unwrap();
        assert_eq!((m.src.pkts, m.src.bytes, m.dst.pkts), (1, 60, 0));
    }
}
