//! Derived per-record values the filter compares (duration, rates, loads,
//! producer/consumer ratio, loss, average duration), computed the way `ra`
//! computes them for its record struct, in single precision.

use super::canon::{Derived, FloatField};
use crate::record::{Record, TimeRange, Timeval};

/// The values as `ra` 3.0.8.2 holds them when it filters.
pub struct RaDerived;

/// Seconds between two stamps as `ra` computes them: integer seconds and
/// microseconds subtracted separately, combined in double precision and
/// returned in single precision (its duration functions return `float`).
fn span(start: Timeval, end: Timeval) -> f64 {
    let sec = end.sec as i64 - start.sec as i64;
    let usec = end.usec as i64 - start.usec as i64;
    if sec == 0 && usec == 0 {
        0.0
    } else {
        (sec as f64 + usec as f64 / 1_000_000.0) as f32 as f64
    }
}

fn side_duration(r: &TimeRange) -> f64 {
    if r.start.is_zero() && r.end.is_zero() {
        return 0.0;
    }
    let end = if r.end.is_zero() { r.start } else { r.end };
    span(r.start, end)
}

/// The record's duration: first start to last end over both sides.
pub fn duration(rec: &Record) -> f32 {
    let Some(f) = rec.as_flow() else { return 0.0 };
    let Some(t) = f.time else { return 0.0 };
    let stamps = [t.src.start, t.src.end, t.dst.start, t.dst.end];
    let mut it = stamps.iter().copied().filter(|s| !s.is_zero());
    let Some(first) = it.next() else { return 0.0 };
    let (min, max) = it.fold((first, first), |(lo, hi), s| (lo.min(s), hi.max(s)));
    span(min, max) as f32
}

impl Derived for RaDerived {
    fn value(&self, rec: &Record, field: FloatField) -> f32 {
        let Some(f) = rec.as_flow() else { return 0.0 };
        let m = f.metrics.unwrap_or_default();
        let dur = duration(rec) as f64;
        let side = |src: bool| {
            let (pkts, bytes, range) = if src {
                (m.src.pkts, m.src.bytes, f.time.map(|t| t.src))
            } else {
                (m.dst.pkts, m.dst.bytes, f.time.map(|t| t.dst))
            };
            let mut seconds = range.as_ref().map_or(0.0, side_duration);
            if seconds <= 0.0 {
                seconds = dur;
            }
            if seconds > 0.0 && pkts > 1 {
                let per_pkt = (bytes / pkts) as f64;
                let rate = ((pkts - 1) as f32) as f64 / seconds;
                let load = (bytes as f64 - per_pkt) * 8.0 / seconds;
                (rate as f32, load as f32)
            } else {
                (0.0, 0.0)
            }
        };
        match field {
            FloatField::Dur => dur as f32,
            FloatField::SrcRate => side(true).0,
            FloatField::DstRate => side(false).0,
            FloatField::SrcLoad => side(true).1,
            FloatField::DstLoad => side(false).1,
            // 3.0.8.2 never fills these in for `ra`.
            FloatField::SrcPloss | FloatField::DstPloss => 0.0,
            FloatField::Pcr => {
                if f.metrics.is_none() {
                    return 0.0;
                }
                let n = m.src.appbytes as f64 - m.dst.appbytes as f64;
                let d = m.src.appbytes as f64 + m.dst.appbytes as f64;
                if d > 0.0 {
                    (n / d) as f32
                } else {
                    -0.0
                }
            }
            FloatField::AvgDur => match f.agr {
                Some(a) if a.count > 0 => a.act.mean,
                Some(_) => 0.0,
                None if m.src.pkts + m.dst.pkts > 0 => dur as f32,
                None => 0.0,
            },
            FloatField::Jitter { .. } => 0.0,
        }
    }
}
