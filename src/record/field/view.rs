//! The canonical view of a record: what `ra` 3.0.8.2 makes of a record when
//! it reads it, before any field is printed, sorted or compared.
//!
//! `ra` does not print the record as stored. While reading it
//! (`ArgusGenerateRecordStruct`) it:
//!
//! * fills in and repairs the four timestamps from the packet counts (a side
//!   without packets loses its times, a one-packet side gets start = end,
//!   reversed ranges are put right) and keeps a set of "presence" bits that
//!   decide how start, end and duration are computed;
//! * synthesizes aggregation statistics (`trans` = 1, `mean`/`min`/`max` =
//!   the duration) for records without an AGR DSR;
//! * computes the per-direction rates and loads once, as C `float`s;
//! * reverses a TCP flow whose first packet argus saw was the SYN-ACK, an
//!   ICMP flow whose first packet was a reply, and the non-key parts of a
//!   reversed ARP record;
//! * marks records with more than 1000 packets and no duration as errors.
//!
//! [`View`] reproduces all of that without copying the record: it holds the
//! repaired times, metrics and statistics in the record's own orientation,
//! the key as `ra` shows it, and a `swapped` flag that makes every
//! src/dst accessor read the other side when `ra` reversed the record.
//! `-M rmon` doubling ([`View::rmon_reversed`]) is the same mechanism.

use crate::record::Flow;
use crate::record::{
    cause, family, ipproto, key_kind, Agr, DirMetrics, EspObject, FlowKey, IcmpObject, IpAttr,
    IpAttrDir, Jitter, KeyAddrs, Mac, Mar, Network, PacketSize, PacketSizeDir, Record, RecordClass,
    StatBlock, TcpDir, TcpPerf, TimeRange, Timeval, UserData,
};

/// Presence bits of the time DSR subtype, as `ra` keeps them.
pub mod time_bits {
    pub const SRC_START: u8 = 0x08;
    pub const SRC_END: u8 = 0x10;
    pub const DST_START: u8 = 0x20;
    pub const DST_END: u8 = 0x40;
    pub const MASK: u8 = SRC_START | SRC_END | DST_START | DST_END;
}
use time_bits::*;

/// `ra`'s error cause: the whole cause byte of an error record.
pub const CAUSE_ERROR_BYTE: u8 = cause::ERROR << 4;

/// TCP header flag bits.
pub mod th {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
}

/// The four timestamps of a flow after `ra`'s repairs, with the presence
/// bits that decide which of them count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CanonTime {
    pub src: TimeRange,
    pub dst: TimeRange,
    pub bits: u8,
}

/// Microseconds since the epoch with `ra`'s signed microsecond field.
fn micros(t: Timeval) -> i64 {
    t.sec as i64 * 1_000_000 + t.usec as i32 as i64
}

/// `ra` combines seconds and a signed microsecond field when it fetches a
/// start or last time; the result is a proper time.
fn normalized(t: Timeval) -> Timeval {
    Timeval::from_micros(micros(t))
}

fn min_time(a: Timeval, b: Timeval) -> Timeval {
    if micros(b) < micros(a) {
        b
    } else {
        a
    }
}

fn max_time(a: Timeval, b: Timeval) -> Timeval {
    if micros(b) > micros(a) {
        b
    } else {
        a
    }
}

/// `end - start` the way `ra` computes it: 32-bit second and microsecond
/// differences, summed in double precision and stored as a `float`.
fn float_span(start: Timeval, end: Timeval) -> f32 {
    let sec = end.sec.wrapping_sub(start.sec) as i32;
    let usec = end.usec.wrapping_sub(start.usec) as i32;
    (sec as f64 + usec as f64 / 1_000_000.0) as f32
}

impl CanonTime {
    /// Duration of the source side (`RaGetFloatSrcDuration`).
    pub fn src_dur(&self) -> f32 {
        float_span(self.src.start, self.src.end)
    }

    /// Duration of the destination side (`RaGetFloatDstDuration`).
    pub fn dst_dur(&self) -> f32 {
        float_span(self.dst.start, self.dst.end)
    }

    /// The first and last time of the record as the duration sees them
    /// (`RaGetFloatDuration`). Combinations of presence bits `ra` leaves
    /// undefined (it reads uninitialised memory) take the earliest present
    /// start and the latest present end.
    fn span(&self) -> (Timeval, Timeval) {
        let (s, d) = (self.src, self.dst);
        match self.bits & MASK {
            0 => (s.start, s.end),
            b if b == SRC_START | DST_START | DST_END => {
                (min_time(s.start, d.start), max_time(s.start, d.end))
            }
            // ra falls through from the three-bit case into the four-bit one.
            b if b == SRC_START | DST_START | SRC_END || b == MASK => {
                (min_time(s.start, d.start), max_time(s.end, d.end))
            }
            SRC_START => (s.start, s.start),
            b if b == SRC_START | SRC_END => (s.start, s.end),
            DST_START => (d.start, d.start),
            b if b == DST_START | DST_END => (d.start, d.end),
            b if b == SRC_START | DST_END => (s.start, d.end),
            b if b == DST_START | SRC_END => (d.start, s.end),
            b if b == SRC_START | DST_START => {
                (min_time(s.start, d.start), max_time(s.start, d.start))
            }
            b => {
                let mut first: Option<Timeval> = None;
                let mut last: Option<Timeval> = None;
                let mut take = |bit: u8, t: Timeval, is_start: bool| {
                    if b & bit != 0 {
                        if is_start {
                            first = Some(first.map_or(t, |f| min_time(f, t)));
                        } else {
                            last = Some(last.map_or(t, |l| max_time(l, t)));
                        }
                    }
                };
                take(SRC_START, s.start, true);
                take(DST_START, d.start, true);
                take(SRC_END, s.end, false);
                take(DST_END, d.end, false);
                let first = first.or(last).unwrap_or_default();
                (first, last.unwrap_or(first))
            }
        }
    }

    /// Record duration (`RaGetFloatDuration`).
    pub fn dur(&self) -> f32 {
        let (a, b) = self.span();
        float_span(a, b)
    }

    /// Start time (`ArgusFetchStartuSecTime`): the earlier of the present
    /// starts, a zero start not counting.
    pub fn start(&self) -> Timeval {
        let (s, d) = (self.src.start, self.dst.start);
        normalized(match self.bits & (SRC_START | DST_START) {
            SRC_START => s,
            DST_START => d,
            _ => {
                if s.sec > 0 && d.sec > 0 {
                    min_time(s, d)
                } else if s.sec > 0 {
                    s
                } else {
                    d
                }
            }
        })
    }

    /// Last time (`ArgusFetchLastuSecTime`).
    pub fn last(&self) -> Timeval {
        let (s, d) = (self.src.end, self.dst.end);
        normalized(match self.bits & (SRC_END | DST_END) {
            SRC_END => s,
            DST_END => d,
            _ => max_time(s, d),
        })
    }

    /// The same times seen from the other side.
    pub fn swapped(&self) -> CanonTime {
        let mut bits = self.bits & !MASK;
        if self.bits & SRC_START != 0 {
            bits |= DST_START;
        }
        if self.bits & DST_START != 0 {
            bits |= SRC_START;
        }
        if self.bits & SRC_END != 0 {
            bits |= DST_END;
        }
        if self.bits & DST_END != 0 {
            bits |= SRC_END;
        }
        CanonTime { src: self.dst, dst: self.src, bits }
    }

    /// The times of a flow record as [`FlowView`] holds them before any
    /// turn: the TIME DSR `t` decoded and repaired for the stored packet
    /// counts (`has_icmp_dsr`: the record has an ICMP DSR).
    pub fn of_stored(
        t: &crate::record::Time,
        spkts: u64,
        dpkts: u64,
        has_icmp_dsr: bool,
    ) -> CanonTime {
        let mut c = CanonTime::decode(t);
        c.repair(spkts, dpkts, has_icmp_dsr);
        c
    }

    /// The timestamps as `ra` decodes the TIME DSR, before the repairs that
    /// depend on the packet counts.
    #[inline(always)]
    fn decode(t: &crate::record::Time) -> CanonTime {
        let mut c = CanonTime::default();
        if t.subtype & (SRC_START | DST_START) != 0 {
            // Bidirectional form: presence bits say which stamps exist; an
            // end without its start is ignored.
            let mut bits = t.subtype & MASK;
            if bits & SRC_START == 0 {
                bits &= !SRC_END;
            }
            if bits & DST_START == 0 {
                bits &= !DST_END;
            }
            let pick = |bit: u8, v: Timeval| if bits & bit != 0 { v } else { Timeval::ZERO };
            c.src.start = pick(SRC_START, t.src.start);
            c.src.end = pick(SRC_END, t.src.end);
            c.dst.start = pick(DST_START, t.dst.start);
            c.dst.end = pick(DST_END, t.dst.end);
            if c.src.end.sec == 0 {
                c.src.end = c.src.start;
            } else if micros(c.src.start) > micros(c.src.end) {
                std::mem::swap(&mut c.src.start, &mut c.src.end);
            }
            if c.dst.end.sec == 0 {
                if c.dst.start.sec != 0 {
                    c.dst.end = c.dst.start;
                }
            } else if micros(c.dst.start) > micros(c.dst.end) {
                std::mem::swap(&mut c.dst.start, &mut c.dst.end);
            }
            c.bits = bits;
        } else {
            // Legacy form: the stamps in stored order; presence from the
            // non-zero source stamps only.
            c.src = t.src;
            c.dst = t.dst;
            if t.subtype & 0x07 == 0x03 {
                // Absolute start + relative end: the end's second word
                // holds a microsecond delta.
                let delta = t.src.end.sec;
                c.src.end.sec = t.src.start.sec.wrapping_add(delta / 1_000_000);
                c.src.end.usec = t.src.start.usec.wrapping_add(delta % 1_000_000);
                if c.src.end.usec > 1_000_000 {
                    c.src.end.sec = c.src.end.sec.wrapping_add(1);
                    c.src.end.usec -= 1_000_000;
                }
            }
            if c.src.start.sec != 0 {
                c.bits |= SRC_START;
            }
            if c.src.end.sec != 0 {
                c.bits |= SRC_END;
            }
            if matches!(t.subtype & 0x3f, 1..=3) {
                if c.src.start.sec == 0 {
                    c.src.start = c.src.end;
                }
                if c.src.end.sec == 0 {
                    c.src.end = c.src.start;
                }
            }
        }
        // ra's microsecond fields are signed: only large positive values
        // are clamped.
        if c.src.start.usec as i32 > 1_000_000 {
            c.src.start.usec = 999_999;
        }
        if c.src.end.usec as i32 > 1_000_000 {
            c.src.end.usec = 999_999;
        }
        c
    }

    /// `ra`'s repairs that depend on how many packets each side sent.
    fn repair(&mut self, spkts: u64, dpkts: u64, has_icmp_dsr: bool) {
        let z = TimeRange::default();
        if spkts > 0 && dpkts > 0 {
            if spkts == 1 && dpkts == 1 {
                if self.src.start.sec == 0 && self.dst.start.sec != 0 {
                    self.src.start = self.dst.end;
                    self.src.end = self.dst.end;
                    self.dst.end = self.dst.start;
                } else if self.src.start.sec != 0 && self.dst.start.sec == 0 {
                    self.dst.start = self.src.end;
                    self.dst.end = self.src.end;
                    self.src.end = self.src.start;
                }
            } else {
                if self.src.start.sec == 0 && self.dst.start.sec != 0 {
                    self.src = self.dst;
                } else if self.src.start.sec != 0 && self.dst.start.sec == 0 {
                    self.dst = self.src;
                }
                if spkts == 1 {
                    one_packet_side(&mut self.src);
                }
                if dpkts == 1 {
                    one_packet_side(&mut self.dst);
                }
            }
            self.bits |= MASK;
        } else if spkts > 0 {
            if self.src.start.sec == 0 && self.dst.start.sec != 0 {
                self.src = self.dst;
                self.dst = z;
                self.bits &= !(DST_START | DST_END);
                self.bits |= SRC_START | SRC_END;
            }
        } else if dpkts > 0 && self.dst.start.sec == 0 && self.src.start.sec != 0 {
            self.dst = self.src;
            self.src = z;
            self.bits &= !(SRC_START | SRC_END);
            self.bits |= DST_START | DST_END;
        }

        if self.bits & (SRC_START | DST_START) == 0 {
            self.bits &= !MASK;
            if self.src.start.sec != 0 {
                self.bits |= SRC_START;
            }
            if self.src.end.sec != 0 {
                self.bits |= SRC_END;
            }
            if self.dst.start.sec != 0 {
                self.bits |= DST_START;
            }
            if self.dst.end.sec != 0 {
                self.bits |= DST_END;
            }
        }
        if self.bits & SRC_START != 0 && self.bits & SRC_END != 0 && self.src.start == self.src.end
        {
            self.bits &= !SRC_END;
        }
        if self.bits & DST_START != 0 && self.bits & DST_END != 0 && self.dst.start == self.dst.end
        {
            self.bits &= !DST_END;
        }
        if spkts == 0 {
            self.bits &= !(SRC_START | SRC_END);
        }
        if dpkts == 0 {
            self.bits &= !(DST_START | DST_END);
        }
        if self.src.start.sec != 0 && self.src.end.sec == 0 {
            self.src.end = self.src.start;
        }
        if self.dst.start.sec != 0 && self.dst.end.sec == 0 {
            self.dst.end = self.dst.start;
        }

        let mut sdur = self.src_dur();
        let mut ddur = self.dst_dur();
        if !non_negative(sdur) || !non_negative(ddur) {
            if sdur < 0.0 {
                std::mem::swap(&mut self.src.start, &mut self.src.end);
                sdur = self.src_dur();
            }
            if ddur < 0.0 {
                // ra takes the source end here, and re-measures the source
                // side; both look like slips, kept for identical output.
                let t = self.dst.start;
                self.dst.start = self.src.end;
                self.dst.end = t;
                ddur = self.src_dur();
            }
        }
        if sdur > 0.0 && spkts == 0 && ddur == 0.0 && dpkts > 0 {
            self.dst = self.src;
            self.src = z;
            self.bits &= !(SRC_START | SRC_END);
        }
        if ddur > 0.0 && dpkts == 0 && sdur == 0.0 && spkts > 0 {
            self.src = self.dst;
            self.dst = z;
            self.bits &= !(DST_START | DST_END);
        }
        if spkts.wrapping_add(dpkts) == 1 {
            if spkts == 1 && self.src_dur() != 0.0 {
                if !has_icmp_dsr {
                    self.src.start = self.src.end;
                }
            } else if dpkts == 1 && self.dst_dur() != 0.0 {
                self.dst.start = self.dst.end;
            }
        }
    }
}

/// `x >= 0`, false for NaN (ra's `!(x >= 0)` tests catch NaN too).
fn non_negative(x: f32) -> bool {
    matches!(x.partial_cmp(&0.0), Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal))
}

/// `x > 0`, false for NaN.
pub(crate) fn positive(x: f64) -> bool {
    x.partial_cmp(&0.0) == Some(std::cmp::Ordering::Greater)
}

/// A side that saw exactly one packet gets a single timestamp.
fn one_packet_side(r: &mut TimeRange) {
    if r.start.sec != r.end.sec {
        if r.end.sec == 0 && r.start.sec != 0 {
            r.end = r.start;
        } else if r.start.sec == 0 && r.end.sec != 0 {
            r.start = r.end;
        } else {
            r.end = r.start;
        }
    }
}

/// Reader options that change the canonical view.
#[derive(Clone, Copy, Debug, Default)]
pub struct ViewOptions {
    /// `-M rmon`: one-sided records count as having a source.
    pub rmon: bool,
    /// Set under `-nnn` (`ra`'s name mode 0): a TCP flow without SYN from a
    /// reserved port that this function knows as a TCP service (and to a
    /// non-reserved one) is turned around, as `ra` does.
    pub known_tcp_service: Option<fn(u16) -> bool>,
}

/// The network object as `ra` holds it: the three TCP forms become one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NetObject {
    None,
    /// A TCP object; `subtype` is the stored form (3 init, 4 status, 5 perf).
    Tcp {
        subtype: u8,
        tcp: TcpPerf,
    },
    Icmp(IcmpObject),
    Esp(EspObject),
    /// Any other object: subtype, qualifier, its first word read both ways
    /// (`ra` reads a TCP status from there on TCP flows that carry another
    /// object; fragment objects are host order), and an RTP object's
    /// (source, destination) drop counts.
    Other {
        subtype: u8,
        qual: u8,
        word_be: u32,
        word_le: u32,
        drops: (u16, u16),
    },
}

/// NETWORK DSR subtypes `ra` names.
pub mod net_subtype {
    pub const TCP_INIT: u8 = 0x03;
    pub const TCP_STATUS: u8 = 0x04;
    pub const TCP_PERF: u8 = 0x05;
    pub const RTCP: u8 = 0x09;
    pub const RTP: u8 = 0x0A;
    pub const UDT: u8 = 0x0D;
    pub const FRAG: u8 = 0x45;
    pub const ICMP: u8 = 0x34;
    pub const ESP: u8 = 0x38;
}

/// The canonical view of a flow record.
#[derive(Clone, Debug)]
pub struct FlowView<'a> {
    pub flow: &'a Flow,
    /// The record class (flow, netflow or event).
    pub class: RecordClass,
    /// The cause byte (cause << 4 | option), as `ra` may have rewritten it.
    pub cause: u8,
    /// The flow key as `ra` shows it (after its corrections).
    pub key: Option<FlowKey>,
    /// True when `ra` turned the record round: every src/dst part other
    /// than the key (held here already turned) is the other side's.
    pub swapped: bool,
    /// The record was reversed for `-M rmon`.
    pub rmon: bool,
    time: Option<CanonTime>,
    metrics: Option<[DirMetrics; 2]>,
    net: NetObject,
}

/// The canonical view of any record.
// A view lives on the stack for one record; boxing the flow half would
// allocate per record on the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum View<'a> {
    Mar(&'a Mar),
    Flow(FlowView<'a>),
}

impl<'a> View<'a> {
    /// Derives the view of `rec` with default reader options.
    pub fn new(rec: &'a Record) -> View<'a> {
        View::with_options(rec, ViewOptions::default())
    }

    #[inline(always)]
    pub fn with_options(rec: &'a Record, opts: ViewOptions) -> View<'a> {
        match rec {
            Record::Mar(m) => View::Mar(m),
            Record::Flow(f) => View::Flow(FlowView::new(f, opts)),
        }
    }

    pub fn as_flow(&self) -> Option<&FlowView<'a>> {
        match self {
            View::Flow(f) => Some(f),
            View::Mar(_) => None,
        }
    }

    /// The second record `-M rmon` makes of a flow: the flow seen from its
    /// destination. `None` for management records, which rmon leaves alone.
    pub fn rmon_reversed(&self) -> Option<View<'a>> {
        match self {
            View::Flow(f) => Some(View::Flow(f.rmon_reversed())),
            View::Mar(_) => None,
        }
    }

    pub fn is_mar(&self) -> bool {
        matches!(self, View::Mar(_))
    }
}

impl<'a> FlowView<'a> {
    /// Aggregation statistics: the record's AGR DSR, or (for records with
    /// packets) one record whose duration is every statistic, as `ra`
    /// synthesizes them.
    pub fn agr(&self) -> Option<Agr> {
        self.flow.agr.or_else(|| {
            let [s, d] = self.metrics.unwrap_or_default();
            (s.pkts.wrapping_add(d.pkts) > 0).then(|| {
                // The duration of the stored times, before ra's repairs.
                let x = self.flow.time.as_ref().map_or(0.0, |t| CanonTime::decode(t).dur());
                let act = StatBlock { n: 1, min: x, mean: x, stddev: 0.0, max: x, fdist: [0; 8] };
                Agr { subtype: 0x01, qual: 0x01, count: 1, act, ..Agr::default() }
            })
        })
    }

    /// Duration as computed when the record was read (`float`).
    pub fn dur(&self) -> f32 {
        self.time.map_or(0.0, |t| t.dur())
    }

    /// Source load in bits/s as computed when the record was read; `ra`
    /// never swaps it, not even when it reverses the record.
    pub fn sload(&self) -> f32 {
        self.stored_rate_and_load(true).1
    }

    /// Destination load in bits/s, as [`FlowView::sload`].
    pub fn dload(&self) -> f32 {
        self.stored_rate_and_load(false).1
    }

    /// Source packet rate as computed when read (`float`), never swapped.
    pub fn srate(&self) -> f32 {
        self.stored_rate_and_load(true).0
    }

    /// Destination packet rate as computed when read, never swapped.
    pub fn drate(&self) -> f32 {
        self.stored_rate_and_load(false).0
    }

    fn stored_rate_and_load(&self, src: bool) -> (f32, f32) {
        // These are computed on the record as read, before any turn.
        let t = self.time.unwrap_or_default();
        let [s, d] = self.metrics.unwrap_or_default();
        if src != self.swapped {
            rate_and_load(t.src_dur(), t.dur(), s)
        } else {
            rate_and_load(t.dst_dur(), t.dur(), d)
        }
    }

    #[inline(always)]
    pub fn new(flow: &'a Flow, opts: ViewOptions) -> FlowView<'a> {
        let metrics = flow.metrics.map(|m| [m.src, m.dst]);
        let [sm, dm] = metrics.unwrap_or_default();
        let (spkts, dpkts) = (sm.pkts, dm.pkts);

        let mut time = flow.time.as_ref().map(CanonTime::decode);
        if let Some(t) = time.as_mut() {
            t.repair(spkts, dpkts, flow.icmp.is_some());
        }
        let net = canon_net(flow, spkts, dpkts);
        // The corrections work on the parts, and the view is put together
        // once, last: it is large, and is built where the caller keeps it.
        let mut p = Parts {
            key: flow.key.as_ref().map(|k| display_key(k, flow)),
            swapped: false,
            time,
            metrics,
            net,
        };
        p.correct_direction(opts);

        let mut cause = (flow.header.cause << 4) | (flow.header.option & 0x0f);
        if spkts.wrapping_add(dpkts) as f64 > 1000.0 && p.time.map_or(0.0, |t| t.dur()) == 0.0 {
            cause = CAUSE_ERROR_BYTE;
            if p.metrics.is_some() {
                p.metrics = Some([DirMetrics::default(); 2]);
            }
        }
        FlowView {
            flow,
            class: flow.header.class,
            cause,
            key: p.key,
            swapped: p.swapped,
            rmon: opts.rmon,
            time: p.time,
            metrics: p.metrics,
            net: p.net,
        }
    }

    fn rmon_reversed(&self) -> FlowView<'a> {
        let mut v = self.clone();
        if let Some(k) = v.key.as_mut() {
            reverse_key(k);
        }
        v.turn_round();
        v.rmon = true;
        v
    }

    /// Turns the non-key parts round ([`turn_round`]).
    fn turn_round(&mut self) {
        turn_round(&mut self.swapped, &mut self.time, &mut self.metrics, &mut self.net);
    }

    /// The record's times after `ra`'s repairs, oriented like the view.
    pub fn time(&self) -> Option<CanonTime> {
        self.time
    }

    /// Packets/bytes/app bytes of (source, destination), or `None` without
    /// a METER DSR.
    pub fn metrics(&self) -> Option<[DirMetrics; 2]> {
        self.metrics
    }

    /// Source metrics, zero without a METER DSR.
    pub fn src(&self) -> DirMetrics {
        self.metrics().unwrap_or_default()[0]
    }

    /// Destination metrics, zero without a METER DSR.
    pub fn dst(&self) -> DirMetrics {
        self.metrics().unwrap_or_default()[1]
    }

    /// Orders a (stored source, stored destination) pair like the view.
    pub fn sides<T>(&self, src: T, dst: T) -> (T, T) {
        if self.swapped {
            (dst, src)
        } else {
            (src, dst)
        }
    }

    /// The network object: a TCP object with its sides ordered like the
    /// view, or the other objects as stored.
    pub fn net(&self) -> &NetObject {
        &self.net
    }

    /// The status word `ra` reads on a TCP flow: the TCP object's, or the
    /// first word of whatever other object the record carries.
    pub fn tcp_status_word(&self) -> Option<u32> {
        match self.net {
            NetObject::None => None,
            NetObject::Tcp { tcp, .. } => Some(tcp.status),
            NetObject::Other { subtype, word_be, word_le, .. } => {
                Some(if subtype == net_subtype::FRAG { word_le } else { word_be })
            }
            NetObject::Icmp(o) => Some(u32::from_le_bytes([
                o.icmp_type,
                o.icmp_code,
                o.seq as u8,
                (o.seq >> 8) as u8,
            ])),
            NetObject::Esp(e) => Some(e.status),
        }
    }

    /// The TCP object, if the record has one.
    pub fn tcp(&self) -> Option<(u8, &TcpPerf)> {
        match &self.net {
            NetObject::Tcp { subtype, tcp } => Some((*subtype, tcp)),
            _ => None,
        }
    }

    /// Subtype of the NETWORK DSR `ra` keeps (none for the empty object).
    pub fn net_subtype(&self) -> Option<u8> {
        match self.net {
            NetObject::None => None,
            NetObject::Tcp { subtype, .. } => Some(subtype),
            NetObject::Icmp(_) => Some(net_subtype::ICMP),
            NetObject::Esp(_) => Some(net_subtype::ESP),
            NetObject::Other { subtype, .. } => Some(subtype),
        }
    }

    /// IP attributes of (source, destination); `None` where absent.
    pub fn ipattr(&self) -> (Option<IpAttrDir>, Option<IpAttrDir>) {
        let Some(a) = self.flow.ipattr else { return (None, None) };
        let s = (a.qual & 0x01 != 0).then_some(a.src);
        let d = (a.qual & 0x02 != 0).then_some(a.dst);
        self.sides(s, d)
    }

    /// The IPATTR DSR itself (fragment and option bits are symmetric).
    pub fn ipattr_dsr(&self) -> Option<&IpAttr> {
        self.flow.ipattr.as_ref()
    }

    /// Source and destination MAC addresses.
    pub fn macs(&self) -> Option<([u8; 6], [u8; 6])> {
        let m: &Mac = self.flow.mac.as_ref()?;
        Some(self.sides(m.src, m.dst))
    }

    /// Source and destination VLAN tag control fields, each with presence.
    pub fn vlans(&self) -> (Option<u16>, Option<u16>) {
        let Some(v) = self.flow.vlan else { return (None, None) };
        let s = (v.qual & 0x01 != 0 || v.src_tci > 0).then_some(v.src_tci);
        let d = (v.qual & 0x02 != 0 || v.dst_tci > 0).then_some(v.dst_tci);
        self.sides(s, d)
    }

    /// VLAN ids with `ra`'s stricter presence test (the qualifier bit only).
    pub fn vids(&self) -> (Option<u16>, Option<u16>) {
        let Some(v) = self.flow.vlan else { return (None, None) };
        let s = (v.qual & 0x01 != 0).then_some(v.src_tci & 0x0fff);
        let d = (v.qual & 0x02 != 0).then_some(v.dst_tci & 0x0fff);
        self.sides(s, d)
    }

    /// First MPLS label entry of each side.
    pub fn mpls(&self) -> (Option<u32>, Option<u32>) {
        let Some(m) = &self.flow.mpls else { return (None, None) };
        let s = (m.subtype & 0x01 != 0).then_some(m.src_label);
        let d = (m.subtype & 0x02 != 0).then_some(m.dst_label);
        self.sides(s, d)
    }

    /// Jitter statistics of (source, destination), each (active, idle).
    pub fn jitter(&self) -> Option<[(StatBlock, StatBlock); 2]> {
        let j: &Jitter = self.flow.jitter.as_ref()?;
        let z = StatBlock::default();
        let b = |bit: u8, s: StatBlock| if j.qual & bit != 0 { s } else { z };
        let s = (b(0x01, j.src_act), b(0x02, j.src_idle));
        let d = (b(0x04, j.dst_act), b(0x08, j.dst_idle));
        let (s, d) = self.sides(s, d);
        Some([s, d])
    }

    /// Packet size ranges of (source, destination).
    pub fn psize(&self) -> Option<(PacketSizeDir, PacketSizeDir)> {
        let p: &PacketSize = self.flow.psize.as_ref()?;
        let z = PacketSizeDir::default();
        let (s, d) = match p.qual & 0x0f {
            0x02 => (p.src, p.dst),
            0x06 => (p.src, z),
            0x0a => (z, p.dst),
            _ => (p.src, p.dst),
        };
        Some(self.sides(s, d))
    }

    /// User data of (source, destination).
    pub fn user_data(&self) -> (Option<&'a UserData>, Option<&'a UserData>) {
        self.sides(self.flow.src_data.as_ref(), self.flow.dst_data.as_ref())
    }

    /// The start and last time of the record (zero without a TIME DSR).
    pub fn start(&self) -> Timeval {
        self.time.map_or(Timeval::ZERO, |t| t.start())
    }

    pub fn last(&self) -> Timeval {
        self.time.map_or(Timeval::ZERO, |t| t.last())
    }

    /// True when `ra` sees the record's first-packet side as the source of
    /// a TCP handshake turned around, or any other reversal.
    pub fn is_swapped(&self) -> bool {
        self.swapped
    }

    /// IP protocol of the key, for IPv4 and IPv6 keys.
    pub fn ip_proto(&self) -> Option<u8> {
        self.key.and_then(|k| k.ip_proto())
    }
}

/// What `ra`'s direction corrections change, while [`FlowView::new`]
/// makes them.
struct Parts {
    key: Option<FlowKey>,
    swapped: bool,
    time: Option<CanonTime>,
    metrics: Option<[DirMetrics; 2]>,
    net: NetObject,
}

impl Parts {
    /// Everything but the key turned round (see [`turn_round`]).
    fn turn_round(&mut self) {
        turn_round(&mut self.swapped, &mut self.time, &mut self.metrics, &mut self.net);
    }

    /// `ra`'s direction corrections (`ArgusPerformCorrection`, on by
    /// default), and the reversal of ARP records stored reversed.
    fn correct_direction(&mut self, opts: ViewOptions) {
        let Some(key) = self.key else { return };
        let direction_bit = key.qual & family::DIRECTION != 0;
        let [sm, dm] = self.metrics.unwrap_or_default();
        match (key.kind, &key.addrs) {
            (key_kind::CLASSIC5TUPLE | key_kind::LAYER_3_MATRIX, KeyAddrs::Ipv4(k))
                if key.qual & family::FRAGMENT == 0 =>
            {
                match k.proto {
                    ipproto::TCP
                        if !direction_bit
                            && self.tcp_should_reverse(k.sport(), k.dport(), sm, dm, opts) =>
                    {
                        self.reverse_key();
                        self.turn_round();
                        // ra marks the turn-around with its DIRECTION flag,
                        // which lands on the TCP status word where it reads
                        // as "normal close".
                        if let NetObject::Tcp { tcp, .. } = &mut self.net {
                            tcp.status |= crate::record::tcp_status::NORMAL_CLOSE;
                        }
                    }
                    ipproto::ICMP if direction_bit && sm.pkts > 0 && dm.pkts == 0 => {
                        let (t, c) = match self.net {
                            NetObject::Icmp(o) => (o.icmp_type, o.icmp_code),
                            _ => (0, 0),
                        };
                        if let Some(KeyAddrs::Ipv4(k)) = self.key.as_mut().map(|k| &mut k.addrs) {
                            k.l4[0] = t;
                            k.l4[1] = c;
                        }
                        // echo, timestamp, information and mask replies
                        if matches!(t, 0 | 14 | 16 | 18) {
                            self.reverse_key();
                            self.turn_round();
                        }
                    }
                    _ => {}
                }
            }
            (_, KeyAddrs::Arp(_)) if key.reversed => {
                // The key stays as stored; everything else is turned round.
                self.turn_round();
            }
            _ => {}
        }
    }

    fn tcp_should_reverse(
        &self,
        sport: u16,
        dport: u16,
        sm: DirMetrics,
        dm: DirMetrics,
        opts: ViewOptions,
    ) -> bool {
        use crate::record::tcp_status::*;
        let NetObject::Tcp { subtype, tcp } = self.net else { return false };
        let status = tcp.status;
        if status & (SYN | SYN_ACK) != 0 {
            if status & SYN != 0 {
                return false;
            }
            // Only the SYN-ACK was seen: the first packet came from the
            // server. (ra's TCP_INIT test reads a field that is always zero
            // in its converted object, so it never fires.)
            let established = status & (ESTABLISHED | NORMAL_CLOSE | FIN | FIN_ACK) != 0;
            match subtype {
                net_subtype::TCP_STATUS => established,
                net_subtype::TCP_PERF => {
                    let syn_no_reset = tcp.src.flags & th::SYN != 0 && tcp.dst.flags & th::RST == 0;
                    let busy = sm.pkts > 5 && dm.pkts > 5;
                    let one_way_syn_fin = sm.pkts > 0
                        && dm.pkts == 0
                        && tcp.src.flags & th::FIN != 0
                        && sm.bytes / sm.pkts > 60;
                    established || (syn_no_reset && (busy || one_way_syn_fin))
                }
                _ => false,
            }
        } else {
            let known = opts.known_tcp_service.is_some_and(|f| f(sport));
            known && sport <= 1024 && dport > 1024 && sport != 20
        }
    }

    /// Turns the key round the way `ra`'s `ArgusReverseRecord` does: IPv4
    /// addresses and TCP/UDP ports, IPv6 addresses only (its port swap is a
    /// no-op), Ethernet addresses and SAPs; other keys stay.
    fn reverse_key(&mut self) {
        if let Some(k) = self.key.as_mut() {
            reverse_key(k);
        }
    }
}

/// Turns the non-key parts of a view round (`ArgusReverseRecord`): times,
/// metrics and the TCP object's sides swap; the other DSRs are read
/// through [`FlowView::sides`].
fn turn_round(
    swapped: &mut bool,
    time: &mut Option<CanonTime>,
    metrics: &mut Option<[DirMetrics; 2]>,
    net: &mut NetObject,
) {
    *swapped = !*swapped;
    if let Some(t) = time.as_mut() {
        *t = t.swapped();
    }
    if let Some([s, d]) = metrics.as_mut() {
        std::mem::swap(s, d);
    }
    if let NetObject::Tcp { tcp, .. } = net {
        std::mem::swap(&mut tcp.src, &mut tcp.dst);
    }
}

/// Per-direction packet rate and load as `ra` computes them when reading:
/// `float` results of double arithmetic, zero for fewer than two packets.
fn rate_and_load(side_dur: f32, dur: f32, m: DirMetrics) -> (f32, f32) {
    let mut seconds = side_dur as f64;
    if !positive(seconds) {
        seconds = dur as f64;
    }
    if seconds > 0.0 && m.pkts > 1 {
        // ra keeps the count in a C int. A count whose low 32 bits are 0
        // would trap there (a division by zero); here it gives no bytes
        // per packet.
        let pkts = m.pkts as i32;
        let per_packet = (m.bytes as i64).checked_div(i64::from(pkts)).unwrap_or(0) as i32;
        let rate = ((pkts.wrapping_sub(1) as f64) as f32 as f64 / seconds) as f32;
        let load = ((((m.bytes as i64).wrapping_sub(i64::from(per_packet)) as f64 * 8.0) as f32)
            as f64
            / seconds) as f32;
        (rate, load)
    } else {
        (0.0, 0.0)
    }
}

/// The key as `ra` shows it before its corrections (the codec already
/// un-reversed the IP keys and left ARP keys as stored, like `ra`). An ARP
/// key the codec kept as bytes (an unexpected length) is read as `ra`
/// reads it.
#[inline(always)]
fn display_key(k: &FlowKey, flow: &Flow) -> FlowKey {
    // Every record has a key: the common ones are shown as stored.
    match k.addrs {
        KeyAddrs::Other { .. } | KeyAddrs::Arp(_) => arp_display_key(*k, flow),
        _ => *k,
    }
}

/// [`display_key`] of the keys `ra` reads otherwise than stored.
#[cold]
#[inline(never)]
fn arp_display_key(mut k: FlowKey, flow: &Flow) -> FlowKey {
    match k.addrs {
        KeyAddrs::Other { bytes, len }
            if matches!(k.family(), family::ARP | family::RARP) && len >= 12 =>
        {
            // A key too short for the target address: ra reads the
            // bytes that follow it in the record, the next DSR's.
            let next = next_dsr_header(flow);
            let b = |j: usize| {
                let len = len as usize;
                if j < len {
                    bytes[j]
                } else {
                    next.map_or(0, |h| h.get(j - len).copied().unwrap_or(0))
                }
            };
            let be16 = |i: usize| u16::from_be_bytes([b(i), b(i + 1)]);
            let word = |i: usize| [b(i), b(i + 1), b(i + 2), b(i + 3)];
            let pln = b(5);
            // ra converts the protocol addresses to host order only
            // when they are 4 bytes long.
            let addr = |i: usize| {
                if pln == 4 {
                    u32::from_be_bytes(word(i))
                } else {
                    u32::from_le_bytes(word(i))
                }
            };
            k.addrs = KeyAddrs::Arp(crate::record::ArpKey {
                hrd: be16(0),
                pro: be16(2),
                hln: b(4),
                pln,
                op: be16(6),
                spa: addr(8),
                tpa: addr(12),
                haddr: word(16),
            });
        }
        KeyAddrs::Arp(ref mut a) if a.pln != 4 && k.kind & 0x3f == key_kind::ARP => {
            a.spa = a.spa.swap_bytes();
            a.tpa = a.tpa.swap_bytes();
        }
        _ => {}
    }
    k
}

/// The first 4 bytes of the DSR stored right after the flow key (its
/// header), when the record says what followed the key.
fn next_dsr_header(flow: &Flow) -> Option<[u8; 4]> {
    use crate::record::flow::{DsrRef, Slot};
    let at = flow.order.iter().position(|r| *r == DsrRef::Slot(Slot::Key))?;
    match flow.order.get(at + 1)? {
        DsrRef::Slot(Slot::Time) => {
            let t = flow.time.as_ref()?;
            Some([crate::record::dsr_type::TIME, t.subtype, t.qual, t.len])
        }
        DsrRef::Raw(n) => flow.raw.get(*n as usize)?.bytes.get(..4)?.try_into().ok(),
        _ => None,
    }
}

fn reverse_key(k: &mut FlowKey) {
    match &mut k.addrs {
        KeyAddrs::Ipv4(a) if k.kind & 0x3f == key_kind::CLASSIC5TUPLE => {
            std::mem::swap(&mut a.src, &mut a.dst);
            if matches!(a.proto, ipproto::TCP | ipproto::UDP) {
                let (s, d) = (a.sport(), a.dport());
                a.set_ports(d, s);
            }
        }
        KeyAddrs::Ipv6(a) if k.kind & 0x3f == key_kind::CLASSIC5TUPLE => {
            std::mem::swap(&mut a.src, &mut a.dst);
        }
        KeyAddrs::Ether(e) => {
            std::mem::swap(&mut e.src, &mut e.dst);
            std::mem::swap(&mut e.ssap, &mut e.dsap);
        }
        KeyAddrs::Arp(a) => std::mem::swap(&mut a.spa, &mut a.tpa),
        _ => {}
    }
}

/// The network object `ra` works with. The TCP forms become one object
/// (window and flags of a side without packets cleared); the empty object
/// is dropped; an IPv4 UDP key tagged as RTCP gets an RTCP object.
fn canon_net(flow: &Flow, spkts: u64, dpkts: u64) -> NetObject {
    use net_subtype::*;
    let net = match &flow.network {
        None | Some(Network::Empty) => NetObject::None,
        Some(Network::Tcp(t)) => {
            let mut tcp = *t;
            if spkts == 0 {
                tcp.src.win = 0;
                tcp.src.flags = 0;
            }
            if dpkts == 0 {
                tcp.dst.win = 0;
                tcp.dst.flags = 0;
            }
            NetObject::Tcp { subtype: TCP_PERF, tcp }
        }
        Some(Network::TcpInit(i)) => {
            let tcp = TcpPerf {
                status: i.status,
                options: i.options,
                src: TcpDir {
                    seqbase: i.seqbase,
                    win: i.win,
                    flags: i.flags,
                    winshift: i.winshift,
                    ..TcpDir::default()
                },
                ..TcpPerf::default()
            };
            NetObject::Tcp { subtype: TCP_INIT, tcp }
        }
        Some(Network::TcpStatus(s)) => {
            let tcp = TcpPerf {
                status: s.status,
                src: TcpDir { flags: if spkts > 0 { s.src_flags } else { 0 }, ..TcpDir::default() },
                dst: TcpDir { flags: if dpkts > 0 { s.dst_flags } else { 0 }, ..TcpDir::default() },
                ..TcpPerf::default()
            };
            NetObject::Tcp { subtype: TCP_STATUS, tcp }
        }
        Some(Network::Icmp(o)) => NetObject::Icmp(*o),
        Some(Network::Esp(o)) => NetObject::Esp(*o),
        Some(Network::Arp { .. }) => other_object(0x10, 0, &[]),
        Some(Network::Other { subtype, qual, body }) => {
            // ra keeps an RTP object only when it has exactly its size.
            if *subtype == RTP && body.len() != 36 {
                NetObject::None
            } else {
                other_object(*subtype, *qual, body)
            }
        }
    };
    // An IPv4 UDP key with the old RTCP flow tag gets an RTCP object.
    if let Some(FlowKey { kind, qual, addrs: KeyAddrs::Ipv4(k), .. }) = &flow.key {
        if kind & 0x3f == key_kind::CLASSIC5TUPLE
            && qual & family::FRAGMENT == 0
            && k.proto == ipproto::UDP
            && k.tp_p == 0x10
        {
            return other_object(RTCP, 0, &[]);
        }
    }
    // RTP objects on flows too small to be RTP are dropped by ra. Its test
    // reads the IPv4 protocol byte, which for an IPv6 key is byte 8 of the
    // source address.
    if let NetObject::Other { subtype: RTP, .. } = net {
        let udp = match flow.key.map(|k| k.addrs) {
            Some(KeyAddrs::Ipv4(k)) => k.proto == ipproto::UDP,
            Some(KeyAddrs::Ipv6(k)) => k.src.to_be_bytes()[8] == ipproto::UDP,
            _ => false,
        };
        if !udp || (spkts < 5 && dpkts < 5) {
            return NetObject::None;
        }
    }
    net
}

fn other_object(subtype: u8, qual: u8, body: &[u8]) -> NetObject {
    let w: [u8; 4] = body.get(..4).and_then(|b| b.try_into().ok()).unwrap_or_default();
    let h = |i: usize| body.get(i..i + 2).map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
    let drops = if subtype == net_subtype::RTP { (h(28), h(30)) } else { (0, 0) };
    NetObject::Other {
        subtype,
        qual,
        word_be: u32::from_be_bytes(w),
        word_le: u32::from_le_bytes(w),
        drops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Metrics, Time};

    fn tv(sec: u32, usec: u32) -> Timeval {
        Timeval::new(sec, usec)
    }

    fn legacy(start: Timeval, end: Timeval) -> Time {
        Time {
            subtype: 0x02,
            qual: 0x18,
            len: 5,
            src: TimeRange { start, end },
            dst: TimeRange::default(),
            ..Time::default()
        }
    }

    fn flow_with(time: Time, spkts: u64, dpkts: u64) -> Flow {
        Flow {
            time: Some(time),
            metrics: Some(Metrics {
                subtype: 1,
                qual: 3,
                src: DirMetrics { pkts: spkts, bytes: spkts * 100, appbytes: 0 },
                dst: DirMetrics { pkts: dpkts, bytes: dpkts * 60, appbytes: 0 },
                ..Metrics::default()
            }),
            ..Flow::default()
        }
    }

    #[test]
    fn two_sided_legacy_times_span_the_record() {
        let f = flow_with(legacy(tv(100, 500_000), tv(104, 510_000)), 5, 5);
        let v = FlowView::new(&f, ViewOptions::default());
        assert_eq!(v.start(), tv(100, 500_000));
        assert_eq!(v.last(), tv(104, 510_000));
        assert_eq!(v.dur(), 4.01);
        // (5-1)/4.01 in float
        assert_eq!(v.srate(), (4.0f64 / 4.01f32 as f64) as f32);
        assert_eq!(v.agr().unwrap().count, 1);
    }

    #[test]
    fn one_packet_flow_starts_at_its_end() {
        let f = flow_with(legacy(tv(100, 0), tv(101, 0)), 1, 0);
        let v = FlowView::new(&f, ViewOptions::default());
        assert_eq!(v.start(), tv(101, 0));
        assert_eq!(v.dur(), 0.0);
        // the synthesized statistics saw the stored span
        assert_eq!(v.agr().unwrap().act.mean, 1.0);
    }

    #[test]
    fn thousand_packets_without_duration_is_an_error() {
        let f = flow_with(legacy(tv(100, 0), tv(100, 0)), 800, 300);
        let v = FlowView::new(&f, ViewOptions::default());
        assert_eq!(v.cause, CAUSE_ERROR_BYTE);
        assert_eq!(v.src().pkts, 0);
    }

    #[test]
    fn swapped_view_reads_the_other_side() {
        let f = flow_with(legacy(tv(100, 0), tv(102, 0)), 3, 2);
        let mut v = FlowView::new(&f, ViewOptions::default());
        v.turn_round();
        assert_eq!((v.src().pkts, v.dst().pkts), (2, 3));
        let t = v.time().unwrap();
        assert_eq!(t.bits & MASK, MASK);
    }
}
