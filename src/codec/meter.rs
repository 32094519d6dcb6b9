//! The METER DSR (0x10, packet/byte counters) and the PSIZE DSR (0x12,
//! packet sizes). Both use the counter-layout qualifier of §2.6: width
//! (8/16/32/64 bits) and which sides are stored.

use super::bytes::{be16_at, be32_at, Rd, Wr};
use super::dsr::Dec;
use crate::record::*;

/// Which sides a layout qualifier stores and the counter width in bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Layout {
    pub(crate) src: bool,
    pub(crate) dst: bool,
    pub(crate) width: usize,
}

pub(crate) fn layout(qual: u8) -> Option<Layout> {
    let q = qual & 0x0f;
    let (src, dst) = match q {
        0x01..=0x04 => (true, true),
        0x05..=0x08 => (true, false),
        0x09..=0x0c => (false, true),
        _ => return None,
    };
    let width = match (q - 1) % 4 {
        0 => 1,
        1 => 2,
        2 => 4,
        _ => 8,
    };
    Some(Layout { src, dst, width })
}

/// Values per side: packets and bytes, plus application bytes for subtype
/// 0x04 (`ra` tests the 0x01 bit first). `None`: `ra` reads no counters.
fn per_side(subtype: u8) -> Option<usize> {
    if subtype & meter_subtype::PKTS_BYTES != 0 {
        Some(2)
    } else if subtype & meter_subtype::PKTS_BYTES_APP != 0 {
        Some(3)
    } else {
        None
    }
}

fn body_len(l: Layout, per: usize) -> usize {
    let sides = usize::from(l.src) + usize::from(l.dst);
    (sides * per * l.width).div_ceil(4) * 4
}

#[inline(always)]
pub(crate) fn decode_metrics(subtype: u8, qual: u8, body: &[u8]) -> Dec<Metrics> {
    let mut m = Metrics { subtype, qual, ..Metrics::default() };
    // Fast paths: the packets+bytes layouts argus writes most.
    if subtype == meter_subtype::PKTS_BYTES {
        match (qual, body.len()) {
            (meter_qual::SRCDST_BYTE, 4) => {
                let b = [body[0], body[1], body[2], body[3]];
                m.src.pkts = u64::from(b[0]);
                m.src.bytes = u64::from(b[1]);
                m.dst.pkts = u64::from(b[2]);
                m.dst.bytes = u64::from(b[3]);
                return Dec::Exact(m);
            }
            (meter_qual::SRCDST_SHORT, 8) => {
                if let Ok(b) = <&[u8; 8]>::try_from(body) {
                    m.src.pkts = u64::from(be16_at(b, 0));
                    m.src.bytes = u64::from(be16_at(b, 2));
                    m.dst.pkts = u64::from(be16_at(b, 4));
                    m.dst.bytes = u64::from(be16_at(b, 6));
                    return Dec::Exact(m);
                }
            }
            (meter_qual::SRCDST_INT, 16) => {
                if let Ok(b) = <&[u8; 16]>::try_from(body) {
                    m.src.pkts = u64::from(be32_at(b, 0));
                    m.src.bytes = u64::from(be32_at(b, 4));
                    m.dst.pkts = u64::from(be32_at(b, 8));
                    m.dst.bytes = u64::from(be32_at(b, 12));
                    return Dec::Exact(m);
                }
            }
            _ => {}
        }
    }
    let (Some(l), Some(per)) = (layout(qual), per_side(subtype)) else {
        return if body.is_empty() { Dec::Exact(m) } else { Dec::Lossy(m) };
    };
    let mut r = Rd::new(body);
    let mut read_side = |d: &mut DirMetrics| {
        d.pkts = r.uint(l.width).unwrap_or(0);
        d.bytes = r.uint(l.width).unwrap_or(0);
        if per == 3 {
            d.appbytes = r.uint(l.width).unwrap_or(0);
        }
    };
    if l.src {
        read_side(&mut m.src);
    }
    if l.dst {
        read_side(&mut m.dst);
    }
    let need = body_len(l, per);
    let used = (usize::from(l.src) + usize::from(l.dst)) * per * l.width;
    let pad = body.get(used..).unwrap_or(&[]);
    for (d, s) in m.pad.iter_mut().zip(pad) {
        *d = *s;
    }
    let exact = body.len() == need;
    if exact {
        Dec::Exact(m)
    } else {
        Dec::Lossy(m)
    }
}

fn fits(v: u64, width: usize) -> bool {
    width >= 8 || v < 1u64 << (8 * width)
}

/// The stored qualifier if every counter fits its width, otherwise the
/// narrowest width of the same side layout that holds them all (so the
/// encoder never truncates a counter).
fn effective_qual(m: &Metrics) -> u8 {
    let Some(l) = layout(m.qual) else { return m.qual };
    let vals = [m.src.pkts, m.src.bytes, m.src.appbytes, m.dst.pkts, m.dst.bytes, m.dst.appbytes];
    let ok = |w: usize| {
        (!l.src || vals[..3].iter().all(|v| fits(*v, w)))
            && (!l.dst || vals[3..].iter().all(|v| fits(*v, w)))
    };
    if ok(l.width) {
        return m.qual;
    }
    let base = m.qual & 0x0f;
    let first = base - (base - 1) % 4;
    for (i, w) in [1usize, 2, 4, 8].into_iter().enumerate() {
        if w > l.width && ok(w) {
            return (m.qual & 0xf0) | (first + i as u8);
        }
    }
    m.qual
}

pub(crate) fn encode_metrics(m: &Metrics, out: &mut Vec<u8>) {
    let start = out.len();
    let qual = effective_qual(m);
    let mut w = Wr(out);
    w.u8(dsr_type::METER).u8(m.subtype).u8(qual).u8(0);
    if let (Some(l), Some(per)) = (layout(qual), per_side(m.subtype)) {
        let body = w.0.len();
        for (present, d) in [(l.src, &m.src), (l.dst, &m.dst)] {
            if present {
                w.uint(l.width, d.pkts).uint(l.width, d.bytes);
                if per == 3 {
                    w.uint(l.width, d.appbytes);
                }
            }
        }
        let used = w.0.len() - body;
        let padding = (4 - used % 4) % 4;
        w.bytes(&m.pad[..padding]);
    }
    super::dsr::set_len8(out, start);
}

pub(crate) fn decode_psize(subtype: u8, qual: u8, body: &[u8]) -> Dec<PacketSize> {
    let mut p = PacketSize { subtype, qual, ..PacketSize::default() };
    let mut r = Rd::new(body);
    let (src, dst) = match qual & 0x0f {
        meter_qual::SRCDST_SHORT => (true, true),
        meter_qual::SRC_SHORT => (true, false),
        meter_qual::DST_SHORT => (false, true),
        _ => return if body.is_empty() { Dec::Exact(p) } else { Dec::Lossy(p) },
    };
    let mut read = |d: &mut PacketSizeDir| {
        d.min = r.be16().unwrap_or(0);
        d.max = r.be16().unwrap_or(0);
    };
    if src {
        read(&mut p.src);
    }
    if dst {
        read(&mut p.dst);
    }
    let need = 4 * (usize::from(src) + usize::from(dst));
    // A histogram (subtype bit 0x04) adds words the model does not keep.
    if body.len() == need && subtype & 0x04 == 0 {
        Dec::Exact(p)
    } else {
        Dec::Lossy(p)
    }
}

pub(crate) fn encode_psize(p: &PacketSize, out: &mut Vec<u8>) {
    let start = out.len();
    let mut w = Wr(out);
    w.u8(dsr_type::PSIZE).u8(p.subtype).u8(p.qual).u8(0);
    let (src, dst) = match p.qual & 0x0f {
        meter_qual::SRCDST_SHORT => (true, true),
        meter_qual::SRC_SHORT => (true, false),
        meter_qual::DST_SHORT => (false, true),
        _ => (false, false),
    };
    if src {
        w.be16(p.src.min).be16(p.src.max);
    }
    if dst {
        w.be16(p.dst.min).be16(p.dst.max);
    }
    super::dsr::set_len8(out, start);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_follow_the_qualifier_table() {
        assert_eq!(layout(0x01), Some(Layout { src: true, dst: true, width: 1 }));
        assert_eq!(layout(0x04), Some(Layout { src: true, dst: true, width: 8 }));
        assert_eq!(layout(0x06), Some(Layout { src: true, dst: false, width: 2 }));
        assert_eq!(layout(0x0b), Some(Layout { src: false, dst: true, width: 4 }));
        assert_eq!(layout(0x00), None);
        assert_eq!(layout(0x0d), None);
    }

    #[test]
    fn encoder_widens_instead_of_truncating() {
        let m = Metrics {
            subtype: 1,
            qual: 0x06,
            src: DirMetrics { pkts: 3, bytes: 70000, appbytes: 0 },
            ..Metrics::default()
        };
        assert_eq!(effective_qual(&m), 0x07);
    }
}
