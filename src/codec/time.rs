//! The TIME DSR (0x03) in its three stored forms (see [`Time`]).
//!
//! * min/max ("legacy") form, no presence bits: words fill src.start,
//!   src.end, dst.start, dst.end in order, as many as the length says;
//! * absolute form with presence bits: one (sec, frac) pair per present
//!   stamp, in the order src start, src end, dst start, dst end;
//! * relative form with presence bits: the first present stamp absolute,
//!   each further one a signed 32-bit microsecond offset from it.
//!
//! Anything else (an end bit without its start, a length that fits neither
//! form, a relative offset that leaves the representable range, relative
//! offsets with the nanosecond qualifier) is read the way `ra` would, as
//! far as the bytes go, and kept raw for writing.

use super::bytes::{be32_at, Rd, Wr};
use super::dsr::Dec;
use crate::record::*;

const PRESENCE: [u8; 4] = [
    time_subtype::SRC_START,
    time_subtype::SRC_END,
    time_subtype::DST_START,
    time_subtype::DST_END,
];

fn stamp_mut(t: &mut Time, i: usize) -> &mut Timeval {
    match i {
        0 => &mut t.src.start,
        1 => &mut t.src.end,
        2 => &mut t.dst.start,
        _ => &mut t.dst.end,
    }
}

fn stamp(t: &Time, i: usize) -> Timeval {
    match i {
        0 => t.src.start,
        1 => t.src.end,
        2 => t.dst.start,
        _ => t.dst.end,
    }
}

/// Stored fraction -> (microseconds, sub-microsecond nanoseconds).
fn split_frac(ns: bool, frac: u32) -> (u32, u16) {
    if ns {
        (frac / 1000, (frac % 1000) as u16)
    } else {
        (frac, 0)
    }
}

fn join_frac(ns: bool, usec: u32, nanos: u16) -> u32 {
    if ns {
        usec.wrapping_mul(1000).wrapping_add(u32::from(nanos))
    } else {
        usec
    }
}

/// Can `usec` be stored back exactly in nanosecond form?
fn frac_fits(ns: bool, usec: u32, nanos: u16) -> bool {
    !ns || (u64::from(usec) * 1000 + u64::from(nanos) <= u64::from(u32::MAX) && nanos < 1000)
}

#[inline(always)]
pub(crate) fn decode(subtype: u8, qual: u8, len: u8, body: &[u8]) -> Dec<Time> {
    let ns = qual == time_qual::UTC_NANOSECONDS;
    let mut t = Time { subtype, qual, len, ..Time::default() };
    // Fast path: argus's own min/max forms.
    if subtype & (time_subtype::SRC_START | time_subtype::DST_START) == 0 && !ns {
        if let Ok(b) = <&[u8; 16]>::try_from(body) {
            t.src.start = Timeval::new(be32_at(b, 0), be32_at(b, 4));
            t.src.end = Timeval::new(be32_at(b, 8), be32_at(b, 12));
            return Dec::Exact(t);
        }
        if let Ok(b) = <&[u8; 8]>::try_from(body) {
            t.src.start = Timeval::new(be32_at(b, 0), be32_at(b, 4));
            return Dec::Exact(t);
        }
    }
    let mut r = Rd::new(body);

    if subtype & (time_subtype::SRC_START | time_subtype::DST_START) == 0 {
        // min/max form: up to 8 words in fixed order.
        let words = body.len() / 4;
        for i in 0..4 {
            if 2 * i < words {
                let sec = r.be32_or0();
                let frac = if 2 * i + 1 < words { r.be32_or0() } else { 0 };
                let (usec, nanos) = split_frac(ns, frac);
                *stamp_mut(&mut t, i) = Timeval::new(sec, usec);
                t.nanos[i] = nanos;
            }
        }
        let exact = words <= 8 && words.is_multiple_of(2) && body.len().is_multiple_of(4);
        return if exact { Dec::Exact(t) } else { Dec::Lossy(t) };
    }

    // Presence-bit forms. `ra` ignores an end bit whose start is absent.
    let mut present = [false; 4];
    for (i, bit) in PRESENCE.iter().enumerate() {
        present[i] = subtype & bit != 0;
    }
    let mut exact = true;
    if present[1] && !present[0] {
        present[1] = false;
        exact = false;
    }
    if present[3] && !present[2] {
        present[3] = false;
        exact = false;
    }
    let n = present.iter().filter(|p| **p).count();
    let words = body.len() / 4;
    let first = if present[0] { 0 } else { 2 };

    if words == 2 * n {
        for (i, p) in present.iter().enumerate() {
            if *p {
                let sec = r.be32_or0();
                let (usec, nanos) = split_frac(ns, r.be32_or0());
                *stamp_mut(&mut t, i) = Timeval::new(sec, usec);
                t.nanos[i] = nanos;
            }
        }
        return if exact { Dec::Exact(t) } else { Dec::Lossy(t) };
    }

    // Relative form (or something `ra` would read as one).
    if ns || words != n + 1 || n < 2 {
        exact = false;
    }
    let sec = r.be32_or0();
    let (usec, nanos) = split_frac(ns, r.be32_or0());
    let base = Timeval::new(sec, usec);
    *stamp_mut(&mut t, first) = base;
    t.nanos[first] = nanos;
    let base_us = base.as_micros();
    for (i, p) in present.iter().enumerate() {
        if *p && i != first {
            let off = r.be32_or0() as i32;
            let us = base_us + i64::from(off);
            if us < 0 || us / 1_000_000 > i64::from(u32::MAX) {
                exact = false;
            }
            *stamp_mut(&mut t, i) = Timeval::from_micros(us);
        }
    }
    if exact {
        Dec::Exact(t)
    } else {
        Dec::Lossy(t)
    }
}

/// Is this the relative presence-bit form (first stamp absolute, the rest
/// 32-bit offsets)? Decided from the stored length, as on read.
fn is_relative(t: &Time, n: usize) -> bool {
    n >= 2 && usize::from(t.len) == n + 2
}

/// True when `encode` can write `t` as it stands (the model may have been
/// built or changed by hand).
pub(crate) fn encodable(t: &Time) -> bool {
    let ns = t.qual == time_qual::UTC_NANOSECONDS;
    (0..4).all(|i| frac_fits(ns, stamp(t, i).usec, t.nanos[i]))
}

pub(crate) fn encode(t: &Time, out: &mut Vec<u8>) {
    let ns = t.qual == time_qual::UTC_NANOSECONDS;
    let start = out.len();
    let mut w = Wr(out);
    w.u8(dsr_type::TIME).u8(t.subtype).u8(t.qual).u8(0);
    if t.subtype & (time_subtype::SRC_START | time_subtype::DST_START) == 0 {
        let words = (usize::from(t.len.max(1)) - 1).min(8);
        let mut image = [0u32; 8];
        for i in 0..4 {
            let s = stamp(t, i);
            image[2 * i] = s.sec;
            image[2 * i + 1] = join_frac(ns, s.usec, t.nanos[i]);
        }
        for v in &image[..words] {
            w.be32(*v);
        }
    } else {
        let mut idx = [0usize; 4];
        let mut n = 0;
        for (i, bit) in PRESENCE.iter().enumerate() {
            if t.subtype & bit != 0 {
                idx[n] = i;
                n += 1;
            }
        }
        let present = &idx[..n];
        if is_relative(t, n) {
            let first = present[0];
            let base = stamp(t, first);
            w.be32(base.sec).be32(join_frac(ns, base.usec, t.nanos[first]));
            for &i in &present[1..] {
                let off = stamp(t, i).as_micros() - base.as_micros();
                w.be32(off as i32 as u32);
            }
        } else {
            for &i in present {
                let s = stamp(t, i);
                w.be32(s.sec).be32(join_frac(ns, s.usec, t.nanos[i]));
            }
        }
    }
    super::dsr::set_len8(out, start);
}

impl Time {
    /// The four stamps as `ra` 3.0.8.2 has them right after reading the TIME
    /// DSR (`ArgusGenerateRecordStruct`), before its METER-based fix-ups:
    /// a missing end takes its start's value, a start later than its end is
    /// swapped with it, the min/max form's subtype 0x03 turns the stored
    /// microsecond delta into an end time, and fractions of a second past
    /// 1,000,000 µs are clamped to 999,999 on the source side.
    pub fn reconstructed(&self) -> (TimeRange, TimeRange) {
        let (mut src, mut dst) = (self.src, self.dst);
        let presence = self.subtype & (time_subtype::SRC_START | time_subtype::DST_START) != 0;
        if presence {
            if self.subtype & time_subtype::SRC_END == 0 || src.end.sec == 0 {
                src.end = src.start;
            } else if src.start.as_micros() > src.end.as_micros() {
                std::mem::swap(&mut src.start, &mut src.end);
            }
            if self.subtype & time_subtype::DST_END == 0 || dst.end.sec == 0 {
                if dst.start.sec != 0 {
                    dst.end = dst.start;
                }
            } else if dst.start.as_micros() > dst.end.as_micros() {
                std::mem::swap(&mut dst.start, &mut dst.end);
            }
        } else {
            let kind = self.subtype & 0x07;
            if kind == time_subtype::ABSOLUTE_RELATIVE_RANGE {
                let delta = self.src.end.sec;
                src.end.sec = src.start.sec.wrapping_add(delta / 1_000_000);
                src.end.usec = src.start.usec.wrapping_add(delta % 1_000_000);
                if src.end.usec > 1_000_000 {
                    src.end.sec = src.end.sec.wrapping_add(1);
                    src.end.usec -= 1_000_000;
                }
            }
            if matches!(
                kind,
                time_subtype::ABSOLUTE_TIMESTAMP
                    | time_subtype::ABSOLUTE_RANGE
                    | time_subtype::ABSOLUTE_RELATIVE_RANGE
            ) {
                if src.start.sec == 0 {
                    src.start = src.end;
                }
                if src.end.sec == 0 {
                    src.end = src.start;
                }
            }
        }
        if src.start.usec > 1_000_000 {
            src.start.usec = 999_999;
        }
        if src.end.usec > 1_000_000 {
            src.end.usec = 999_999;
        }
        (src, dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[u32]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    fn roundtrip(subtype: u8, qual: u8, body: &[u8]) -> Time {
        let len = (1 + body.len() / 4) as u8;
        let Dec::Exact(t) = decode(subtype, qual, len, body) else { panic!("not exact") };
        let mut out = Vec::new();
        encode(&t, &mut out);
        assert_eq!(&out[4..], body);
        assert_eq!(out[..4], [3, subtype, qual, len]);
        t
    }

    #[test]
    fn clients_relative_form_expands_to_absolute_stamps() {
        // ra -w: 03 7d 18 06 | start | +9664 µs | +0 | +9664 µs
        let s = 0x6b09_07d7;
        let t = roundtrip(0x7d, 0x18, &words(&[s, 0x000b_4c03, 9664, 0, 9664]));
        assert_eq!(t.src.start, Timeval::new(s, 0x000b_4c03));
        assert_eq!(t.src.end, Timeval::new(s, 0x000b_4c03 + 9664));
        assert_eq!(t.dst.start, t.src.start);
        assert_eq!(t.dst.end, t.src.end);
        // A negative offset crossing a second boundary.
        let t = roundtrip(0x2d, 0x18, &words(&[100, 5, (-10i32) as u32]));
        assert_eq!(t.dst.start, Timeval::new(99, 999_995));
    }

    #[test]
    fn bidirectional_form_and_missing_ends() {
        let t = roundtrip(0x2a, 0x18, &words(&[10, 1, 11, 2]));
        assert_eq!(t.src.start, Timeval::new(10, 1));
        assert_eq!(t.dst.start, Timeval::new(11, 2));
        let (src, dst) = t.reconstructed();
        assert_eq!(src.end, src.start);
        assert_eq!(dst.end, dst.start);
    }

    #[test]
    fn nanosecond_stamps_come_back_exactly() {
        let t = roundtrip(0x02, 0x19, &words(&[10, 123_456_789, 11, 999_999_999]));
        assert_eq!(t.src.start, Timeval::new(10, 123_456));
        assert_eq!(t.nanos[0], 789);
        assert_eq!(t.src.end, Timeval::new(11, 999_999));
    }

    #[test]
    fn min_max_forms_and_ras_reconstruction() {
        let t = roundtrip(0x01, 0x18, &words(&[10, 5]));
        assert_eq!(
            t.reconstructed().0,
            TimeRange { start: Timeval::new(10, 5), end: Timeval::new(10, 5) }
        );
        // Subtype 0x03: the end word holds a microsecond delta.
        let t = roundtrip(0x03, 0x18, &words(&[10, 999_000, 2_500_000, 0]));
        assert_eq!(t.reconstructed().0.end, Timeval::new(13, 499_000));
    }

    #[test]
    fn odd_forms_are_read_but_kept_raw() {
        // An end bit without its start (a source end with only the
        // destination start present), and lengths that fit no form.
        assert!(matches!(decode(0x32, 0x18, 5, &words(&[1, 2, 3, 4])), Dec::Lossy(_)));
        // Without any start bit it is the min/max form, end bit or not.
        assert!(matches!(decode(0x12, 0x18, 3, &words(&[1, 2])), Dec::Exact(_)));
        assert!(matches!(decode(0x28, 0x18, 6, &words(&[1, 2, 3, 4, 5])), Dec::Lossy(_)));
        assert!(matches!(decode(0x02, 0x18, 4, &words(&[1, 2, 3])), Dec::Lossy(_)));
    }
}
