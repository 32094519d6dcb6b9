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

use super::dsr::{dsr_len, Dec};
use super::meter;
use crate::record::{
    data_subtype, dsr_type, family, key_kind, network_subtype, Metrics, ARGUS_COOKIE, MAR_LEN,
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
    // DSR.
    let (mut k, mut m, mut n, mut a) = (0usize, 0usize, 0usize, 0usize);
    let mut pos = 4usize;
    while let Some(&h) = record.get(pos..).and_then(|r| r.first_chunk::<4>()) {
        let (t, st) = (h[0], h[1]);
        let words = if t & 0x80 != 0 {
            1
        } else if st & 0x80 != 0 {
            usize::from(u16::from_be_bytes([h[2], h[3]]))
        } else {
            usize::from(h[3])
        };
        if words == 0 {
            return None;
        }
        let typed = st & data_subtype::LEN_16BITS == 0;
        let place = |at: usize| -> Option<usize> {
            if STRICT {
                (typed && at == 0).then_some(pos)
            } else if !typed {
                Some(at)
            } else {
                (pos <= usize::from(u16::MAX)).then_some(pos)
            }
        };
        match t {
            dsr_type::FLOW => k = place(k)?,
            dsr_type::METER => m = place(m)?,
            dsr_type::NETWORK => n = place(n)?,
            dsr_type::IPATTR => a = place(a)?,
            _ => {}
        }
        pos += words * 4;
    }
    (pos == record.len()).then_some(DsrOffsets { key: k, meter: m, network: n, attr: a })
}

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
        if pos == 0 {
            return None;
        }
        let rest = self.record.get(pos..)?;
        let n = dsr_len(rest).filter(|n| *n >= 4)?;
        let d = rest.get(..n)?;
        Some((d[1], d[2], &d[4..]))
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
