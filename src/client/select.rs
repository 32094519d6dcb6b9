//! The input side every client shares: for each record read, in argus's
//! order (`ArgusHandleRecord`):
//!
//! 1. count it by class (`-A`'s TotalManRecords / TotalFarRecords);
//! 2. strip DSRs (`-M dsrs=`), fix the direction of unknown-direction TCP
//!    flows (`RA_PORT_DIRECTION`, not in rmon mode);
//! 3. the filter (a record failing it is rejected, and goes to `-E`'s
//!    file), then `-e`;
//! 4. the `-N` input count (records before the range start are skipped);
//! 5. the time range;
//! 6. then the stop test of `-N`.
//!
//! A role calls [`Selector::input_opened`] for each input it opens, then
//! [`Selector::offer`] for the input's initial MAR and for each record.

use super::direction::fix_direction;
use super::grep::UserDataGrep;
use super::limits::InputCounter;
use super::modes::DsrMask;
use super::options::{ClientOptions, PortDirection};
use super::timerange::TimeRange;
use super::totals::Totals;
use crate::codec::{DecodeOptions, SlotSet};
use crate::filter::{Filter, StoredVerdict};
use crate::record::field::{FlowView, ViewOptions};
use crate::record::{cause, Flow, Record, RecordClass, Slot, Timeval};

/// What to do with one offered record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Passed everything: process it.
    Accept,
    /// Failed the filter.
    Reject,
    /// Passed the filter but not `-e`, or is outside the `-N` start or the
    /// time range.
    Skip,
}

/// The outcome of [`Selector::offer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer {
    pub verdict: Verdict,
    /// DSRs were stripped (`-M dsrs=`): the bytes read no longer describe
    /// the record to write.
    pub modified: bool,
    /// The `-N` limit is reached: read no further.
    pub stop: bool,
}

/// The first and last time a flow record covers, as argus's time check
/// takes them: the smallest and the largest non-zero of the four direction
/// start/end times, after ra's repairs of the TIME DSR.
pub fn flow_span(flow: &Flow) -> Option<(Timeval, Timeval)> {
    let t = FlowView::new(flow, ViewOptions::default()).time()?;
    let stamps = [t.src.start, t.src.end, t.dst.start, t.dst.end];
    let mut it = stamps.into_iter().filter(|s| s.sec != 0);
    let first = it.next()?;
    let (lo, hi) = it.fold((first, first), |(lo, hi), s| (lo.min(s), hi.max(s)));
    Some((lo, hi))
}

/// Does `record` fall in `range`?
pub fn in_time_range(range: &TimeRange, record: &Record) -> bool {
    match record {
        Record::Mar(m) => range.matches_mar(m.start, m.now, m.header.cause == cause::START),
        Record::Flow(f) => match flow_span(f) {
            Some((s, l)) => range.matches_flow(s, l),
            // argus compares an empty time range (start "infinite", end 0)
            None => range.matches_flow(Timeval::new(0x7fff_ffff, 0), Timeval::ZERO),
        },
    }
}

/// The stateless part of the selection: what each record goes through on
/// its own (DSR stripping, the direction fix-up, the filter, `-e`, the
/// time range). It is shared by the threads of a parallel run.
pub struct Judge {
    filter: Option<Filter>,
    grep: Option<UserDataGrep>,
    strip: Option<DsrMask>,
    direction: PortDirection,
    time: Option<TimeRange>,
    /// Flow records can be judged from their stored bytes
    /// ([`Judge::judge_stored`]): the filter is all the selection does.
    stored: bool,
}

/// What the filter and `-e` say about a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matched {
    /// Passed both.
    Yes,
    /// Failed the filter (goes to `-E`'s file).
    Filtered,
    /// Passed the filter, not `-e`.
    Ungrepped,
}

impl Judge {
    /// Builds the judge; `filter` is the compiled main filter.
    pub fn new(opts: &ClientOptions, filter: Option<Filter>) -> Result<Judge, String> {
        let grep = match &opts.grep {
            Some(g) => Some(UserDataGrep::new(g, opts.ignore_case, opts.reverse > 0)?),
            None => None,
        };
        let rmon = opts.has_mode("rmon");
        let direction = if rmon { PortDirection::default() } else { opts.port_direction };
        let mut filter = filter;
        if let Some(f) = filter.as_mut() {
            // (for the filter's judgement on stored bytes)
            f.set_port_direction(direction.any());
        }
        let strip = opts.strip.filter(|m| !m.keeps_all());
        let time = opts.time_range.clone();
        // -e reads user data, -M dsrs= changes the record, -t reads its
        // times: each needs the decoded record. (The direction fix-up is
        // the filter's business: it declines the flows it would turn.)
        let stored = filter.is_some() && grep.is_none() && strip.is_none() && time.is_none();
        Ok(Judge { filter, grep, strip, direction, time, stored })
    }

    /// True when a filter or `-e` decides which records count (exit status).
    pub fn is_selective(&self) -> bool {
        self.filter.is_some() || self.grep.is_some()
    }

    /// What of a flow record the selection reads, with `role`'s own
    /// needs: a filter, `-e` or `-M dsrs=` may look at anything; otherwise
    /// the direction fix-up and the time range read the key, counters,
    /// network object and times.
    pub fn decode_for(&self, role: SlotSet) -> DecodeOptions {
        if self.filter.is_some() || self.grep.is_some() || self.strip.is_some() {
            return DecodeOptions::FULL;
        }
        let own = SlotSet::of(&[Slot::Key, Slot::Time, Slot::Metrics, Slot::Network]);
        DecodeOptions::read_only(own.union(role))
    }

    /// True when the filter rejects a record (not an input's initial MAR)
    /// on its stored bytes alone; the record is then counted by class in
    /// `totals` and needs no decoding. False when it passes or must be
    /// decoded to be judged.
    pub fn rejects_bytes(&self, bytes: &[u8], totals: &mut Totals) -> bool {
        // Stripped DSRs change what the filter sees.
        let Some(f) = self.filter.as_ref().filter(|_| self.strip.is_none()) else {
            return false;
        };
        if f.matches_bytes(bytes) != Some(false) {
            return false;
        }
        // The filter judges flow, NetFlow and event records only.
        match RecordClass::from_nibble(bytes.first().map_or(0, |b| b >> 4)) {
            RecordClass::Event => totals.event_records += 1,
            _ => totals.far_records += 1,
        }
        true
    }

    /// True when [`Judge::rejects_bytes`] may reject a record (then it is
    /// never decoded).
    pub fn may_reject_bytes(&self) -> bool {
        self.filter.is_some() && self.strip.is_none()
    }

    /// True when no part of the selection looks inside a flow record (no
    /// filter, `-e`, `-M dsrs=`, direction policy or time range).
    pub fn reads_nothing(&self) -> bool {
        self.filter.is_none()
            && self.grep.is_none()
            && self.strip.is_none()
            && self.time.is_none()
            && !self.direction.any()
    }

    /// Counts the record by class in `totals` (`-A`'s record counts).
    #[inline]
    pub fn count_class(record: &Record, totals: &mut Totals) {
        match record.header().class {
            RecordClass::Mar => totals.mar_records += 1,
            RecordClass::Event => totals.event_records += 1,
            RecordClass::Flow | RecordClass::NetFlow => totals.far_records += 1,
            RecordClass::Other(_) => {}
        }
    }

    /// Strips DSRs (`-M dsrs=`) and fixes the direction of flows whose
    /// start was not seen; true when the record no longer matches the bytes
    /// it was read from.
    #[inline]
    pub fn prepare(&self, record: &mut Record) -> bool {
        let mut modified = false;
        if let Record::Flow(f) = record {
            if let Some(mask) = &self.strip {
                mask.strip(f);
                modified = true;
            }
            // The direction fix-up is for filtering and printing: a written
            // record keeps its stored orientation (so that reading it again
            // with the same settings gives the same result, as with 3.0.8.2,
            // whose rewritten key comes back in the stored orientation).
            if f.header.class != RecordClass::Event {
                fix_direction(&self.direction, f);
            }
        }
        modified
    }

    /// The filter, then `-e`.
    #[inline]
    pub fn matches(&self, record: &Record) -> Matched {
        if let Some(f) = &self.filter {
            if !f.matches(record) {
                return Matched::Filtered;
            }
        }
        // A record without matching user data is dropped before it is
        // counted, but it is not one the filter rejected (-E).
        if let Some(g) = &self.grep {
            match record {
                Record::Flow(f) if g.matches(f) => {}
                _ => return Matched::Ungrepped,
            }
        }
        Matched::Yes
    }

    /// Judges a flow record from its stored bytes without decoding it,
    /// when nothing but the filter decides its fate: `Some` with what
    /// [`Judge::offer_unlimited`] would conclude (`pass`: accepted, else
    /// rejected by the filter; the record is never modified), or `None`:
    /// decode the record and offer it.
    #[inline]
    pub fn judge_stored(&self, bytes: &[u8]) -> Option<StoredVerdict> {
        if !self.stored {
            return None;
        }
        self.filter.as_ref()?.judge_stored(bytes)
    }

    /// True when [`Judge::judge_stored`] may judge records at all.
    pub fn judges_stored(&self) -> bool {
        self.stored
    }

    /// The time range (`-t`), true without one.
    #[inline]
    pub fn in_time(&self, record: &Record) -> bool {
        self.time.as_ref().is_none_or(|r| in_time_range(r, record))
    }

    /// One record through everything that does not depend on the records
    /// before it (no `-N` limit): the class count, [`Judge::prepare`], the
    /// filter, `-e` and the time range. `matched` counts the records that
    /// passed the filter and `-e` (the `-N` input count).
    #[inline]
    pub fn offer_unlimited(
        &self,
        record: &mut Record,
        initial: bool,
        totals: &mut Totals,
        matched: &mut i64,
    ) -> Offer {
        Judge::count_class(record, totals);
        let modified = self.prepare(record);
        let verdict = match self.matches(record) {
            Matched::Filtered => Verdict::Reject,
            Matched::Ungrepped => Verdict::Skip,
            Matched::Yes => {
                if !initial {
                    *matched += 1;
                }
                if self.in_time(record) {
                    Verdict::Accept
                } else {
                    Verdict::Skip
                }
            }
        };
        Offer { verdict, modified, stop: false }
    }
}

/// The record selection state of one run.
pub struct Selector {
    pub judge: Judge,
    pub counter: InputCounter,
    pub totals: Totals,
}

impl Selector {
    /// Builds the selector; `filter` is the compiled main filter.
    pub fn new(opts: &ClientOptions, filter: Option<Filter>) -> Result<Selector, String> {
        Ok(Selector {
            judge: Judge::new(opts, filter)?,
            counter: InputCounter::new(&opts.limits),
            totals: Totals::default(),
        })
    }

    /// True when a filter or `-e` decides which records count (exit status).
    pub fn is_selective(&self) -> bool {
        self.judge.is_selective()
    }

    /// False once `-N` has been satisfied: open no further input.
    pub fn wants_more(&self) -> bool {
        self.counter.wants_more()
    }

    /// An input was opened and its initial MAR read.
    pub fn input_opened(&mut self) {
        self.totals.mar_records += 1;
        self.counter.connection();
    }

    /// Runs one record through the selection; `initial` marks an input's
    /// initial MAR.
    pub fn offer(&mut self, record: &mut Record, initial: bool) -> Offer {
        Judge::count_class(record, &mut self.totals);
        let modified = self.judge.prepare(record);
        let verdict = self.judge_one(record, initial);
        let stop = if initial {
            self.counter.after_initial_mar();
            false
        } else {
            self.counter.after_record()
        };
        Offer { verdict, modified, stop }
    }

    fn judge_one(&mut self, record: &Record, initial: bool) -> Verdict {
        match self.judge.matches(record) {
            Matched::Filtered => return Verdict::Reject,
            Matched::Ungrepped => return Verdict::Skip,
            Matched::Yes => {}
        }
        if !self.counter.matched(initial) {
            return Verdict::Skip;
        }
        if !self.judge.in_time(record) {
            return Verdict::Skip;
        }
        Verdict::Accept
    }

    /// Adds what a parallel run counted (records of each class, packets,
    /// bytes, and `matched` records that passed the filter).
    pub fn absorb(&mut self, totals: &Totals, matched: i64) {
        self.totals.mar_records += totals.mar_records;
        self.totals.far_records += totals.far_records;
        self.totals.event_records += totals.event_records;
        self.totals.pkts = self.totals.pkts.wrapping_add(totals.pkts);
        self.totals.bytes = self.totals.bytes.wrapping_add(totals.bytes);
        self.counter.total += matched;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::options::ClientOptions;
    use crate::record::{DirMetrics, Mar, Metrics, Time, TimeRange as DirRange};

    fn flow_at(sec: u32) -> Record {
        Record::Flow(Box::new(Flow {
            time: Some(Time {
                subtype: 1,
                qual: 0x18,
                len: 5,
                src: DirRange { start: Timeval::new(sec, 0), end: Timeval::new(sec + 1, 0) },
                dst: DirRange::default(),
                nanos: [0; 4],
            }),
            metrics: Some(Metrics {
                src: DirMetrics { pkts: 2, bytes: 120, appbytes: 0 },
                ..Default::default()
            }),
            ..Default::default()
        }))
    }

    fn initial_mar() -> Record {
        Record::Mar(Mar::default())
    }

    #[test]
    fn counts_limits_and_time_in_argus_order() {
        crate::client::localtime::set_timezone("UTC");
        let mut opts = ClientOptions::new("ra");
        opts.limits.apply("3").unwrap();
        // 1615712400 = 2021-03-14 09:00:00 UTC
        opts.set_time_range("2021/03/14.09").unwrap();
        let mut s = Selector::new(&opts, None).unwrap();
        s.input_opened();
        let o = s.offer(&mut initial_mar(), true);
        // the initial MAR's start/now are 0: outside the range
        assert_eq!(o.verdict, Verdict::Skip);
        let times = [1_615_712_400, 1_615_600_000, 1_615_712_500, 1_615_712_600];
        let mut seen = Vec::new();
        for t in times {
            let o = s.offer(&mut flow_at(t), false);
            seen.push(o.verdict);
            if o.stop {
                break;
            }
        }
        // -N 3 takes three records; the time range is applied after
        // counting, so the second one still counts.
        assert_eq!(seen, vec![Verdict::Accept, Verdict::Skip, Verdict::Accept]);
        assert_eq!(s.totals.mar_records, 2);
        assert_eq!(s.totals.far_records, 3);
    }

    #[test]
    fn flow_span_ignores_zero_stamps() {
        let Record::Flow(f) = flow_at(100) else { unreachable!() };
        assert_eq!(flow_span(&f), Some((Timeval::new(100, 0), Timeval::new(101, 0))));
        assert_eq!(flow_span(&Flow::default()), None);
    }
}
