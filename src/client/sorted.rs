//! rasort's run: collect a compact sort key per flow record while the
//! inputs are read (in parallel), sort, and hand the records on in sorted
//! order to ra's output rules ([`Emitter`]).
//!
//! Memory: per record, the sort keys as words whose order is the sort
//! order (one per key, three for an address; [`SortSpec::push_words`]),
//! or, for keys that do not order records totally, their values ([`Val`],
//! a few words per key), and one word locating the record (input number
//! and byte offset). The records themselves stay where they are: a plain file stays
//! mapped, and a compressed file or stdin is decompressed into memory once
//! (rasort must see every record before printing the first; spilling to a
//! temporary file would only trade that memory for disk and a second
//! read). Printing decodes each record again from there.
//!
//! With no selection to look inside the records, counter keys (`bytes`,
//! `spkts`, ...) are read straight from the record bytes
//! ([`crate::codec::raw`]); other records are decoded and seen as `ra`
//! sees them.

use rayon::prelude::*;

use super::emit::{EmitAcc, EmitOutput, Emitter};
use super::parallel::{Job, Merge};
use super::reader::{Flow, Item};
use super::select::Judge;
use super::totals::Totals;
use crate::archive::Input;
use crate::codec::raw::RawDsrs;
use crate::codec::{DecodeOptions, RecordBuf};
use crate::diag::Fatal;
use crate::record::field::{FlowView, ViewOptions};
use crate::record::{Record, RecordClass};
use crate::sort::keys::{counter_word, Algo};
use crate::sort::{msort, radix, SortSpec, Val};

/// Record offsets are kept in the low 48 bits of a location word, the
/// input number above them.
const OFFSET_BITS: u32 = 48;
const OFFSET_MASK: u64 = (1 << OFFSET_BITS) - 1;

/// Sorted records handed to the output at a time.
const REPLAY_CHUNK: usize = 4096;

/// How many records ahead of the one being printed the next is asked
/// into the cache: printing one takes far longer than fetching one.
const PREFETCH_AHEAD: usize = 2;

/// Asks the CPU to bring the start of the record at `loc` into the cache
/// ahead of its turn: sorted order reads the inputs at random, and each
/// record would otherwise cost its few cache and TLB misses in turn.
#[inline]
fn prefetch(bufs: &[&[u8]], loc: u64) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let Some(buf) = bufs.get((loc >> OFFSET_BITS) as usize) else { return };
        let Some(rest) = usize::try_from(loc & OFFSET_MASK).ok().and_then(|at| buf.get(at..))
        else {
            return;
        };
        for line in 0..3 {
            // SAFETY: a prefetch is only a hint: it never faults and never
            // changes memory, whatever the address (here within `buf` or
            // at most 128 bytes past it).
            unsafe { _mm_prefetch::<_MM_HINT_T0>(rest.as_ptr().wrapping_add(line * 64).cast()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (bufs, loc);
}

/// Collects sort keys (the [`Job`] of rasort's reading phase).
pub struct KeyCollector {
    pub spec: SortSpec,
    pub view: ViewOptions,
    /// What of each record is decoded ([`super::select::Judge::decode_for`]
    /// with [`SortSpec::slots`]).
    pub decode: DecodeOptions,
    /// Words per record when the keys can order records by words.
    width: Option<usize>,
    /// Every key is a counter read from the record bytes when `ra` keeps
    /// the record as stored ([`KeyCollector::accept_raw`]).
    raw: bool,
    /// Some key reads one side's counter (the direction matters).
    sided: bool,
}

/// Keys and locations of the records one thread collected.
pub struct Keys {
    locs: Vec<u64>,
    /// The keys' words, `width` per record, while every record had words.
    words: Vec<u64>,
    worded: bool,
    /// The keys' values, one per key and record, when they have no words.
    vals: Vec<Val>,
    /// One record's values on their way to words.
    scratch: Vec<Val>,
}

impl Keys {
    fn new() -> Keys {
        Keys {
            locs: Vec::new(),
            words: Vec::new(),
            worded: true,
            vals: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// A record's keys had no words: the sort extracts them again.
    fn unword(&mut self) {
        self.worded = false;
        self.words = Vec::new();
    }
}

impl Default for Keys {
    fn default() -> Keys {
        Keys::new()
    }
}

/// The location word of the record at `offset` of input `input`.
fn location(input: usize, offset: u64) -> Result<u64, Fatal> {
    let input = u64::try_from(input).unwrap_or(u64::MAX);
    if offset > OFFSET_MASK || input >= 1 << (64 - OFFSET_BITS) {
        return Err(Fatal::err(format!("record at byte offset {offset}: input too large to sort")));
    }
    Ok(input << OFFSET_BITS | offset)
}

impl KeyCollector {
    pub fn new(spec: SortSpec, view: ViewOptions, decode: DecodeOptions) -> KeyCollector {
        let width = spec.words_per_record();
        let raw = width.is_some()
            && !view.rmon
            && !spec.algos.is_empty()
            && spec.algos.iter().all(|&a| SortSpec::is_counter(a));
        let sided =
            !spec.algos.iter().all(|a| matches!(a, Algo::Bytes | Algo::Pkts | Algo::AppBytes));
        KeyCollector { spec, view, decode, width, raw, sided }
    }

    /// The keys of a record `ra` keeps as stored, from its bytes: `None`
    /// when the record may be turned round or have its counters cleared
    /// (more than 1000 packets), or a counter has no exact word.
    fn raw_words(&self, bytes: &[u8], out: &mut Vec<u64>) -> Option<()> {
        let d = RawDsrs::walk(bytes)?;
        let (s, t) = d.metrics().map(|m| (m.src, m.dst)).unwrap_or_default();
        if s.pkts.saturating_add(t.pkts) > 1000 {
            return None;
        }
        if self.sided && !d.keeps_direction(self.view.known_tcp_service.is_some()) {
            return None;
        }
        let start = out.len();
        for &a in &self.spec.algos {
            let x = match a {
                Algo::Bytes => s.bytes.checked_add(t.bytes),
                Algo::SrcBytes => Some(s.bytes),
                Algo::DstBytes => Some(t.bytes),
                Algo::Pkts => s.pkts.checked_add(t.pkts),
                Algo::SrcPkts => Some(s.pkts),
                Algo::DstPkts => Some(t.pkts),
                Algo::AppBytes => s.appbytes.checked_add(t.appbytes),
                Algo::SrcAppBytes => Some(s.appbytes),
                Algo::DstAppBytes => Some(t.appbytes),
                _ => None,
            };
            match x.and_then(|x| counter_word(x, self.spec.reverse)) {
                Some(w) => out.push(w),
                None => {
                    out.truncate(start);
                    return None;
                }
            }
        }
        Some(())
    }

    /// Appends one decoded record's keys to `acc`.
    fn extract(&self, acc: &mut Keys, view: &FlowView) {
        if self.width.is_none() {
            self.spec.extract(view, &mut acc.vals);
        } else if acc.worded {
            acc.scratch.clear();
            self.spec.extract(view, &mut acc.scratch);
            if !self.spec.push_words(&acc.scratch, &mut acc.words) {
                acc.unword();
            }
        }
    }
}

impl Job for KeyCollector {
    type Acc = Keys;

    fn acc(&self, _parallel: bool) -> Keys {
        Keys::new()
    }

    fn accept(&self, acc: &mut Keys, item: &Item, _totals: &mut Totals) -> Result<Flow, Fatal> {
        // rasort queues flow, netflow and event records; never MARs.
        let Record::Flow(f) = item.record else { return Ok(Flow::Continue) };
        if !matches!(f.header.class, RecordClass::Flow | RecordClass::NetFlow | RecordClass::Event)
        {
            return Ok(Flow::Continue);
        }
        acc.locs.push(location(item.input, item.offset)?);
        self.extract(acc, &FlowView::new(f, self.view));
        Ok(Flow::Continue)
    }

    fn takes_raw(&self) -> bool {
        self.raw
    }

    fn accept_raw(
        &self,
        acc: &mut Keys,
        bytes: &[u8],
        offset: u64,
        input: usize,
    ) -> Option<Result<Flow, Fatal>> {
        if acc.worded {
            self.raw_words(bytes, &mut acc.words)?;
        } else {
            // The words are gone; only the location matters now.
            let mut none = Vec::new();
            self.raw_words(bytes, &mut none)?;
        }
        Some(location(input, offset).map(|loc| {
            acc.locs.push(loc);
            Flow::Continue
        }))
    }

    fn whole_input(&self) -> bool {
        true
    }

    fn decode(&self) -> DecodeOptions {
        self.decode
    }
}

/// Every record's keys, in reading order, and the inputs they are in.
#[derive(Default)]
pub struct SortTable {
    keys: Keys,
    inputs: Vec<Option<Input>>,
}

impl Merge<Keys> for SortTable {
    fn merge(&mut self, acc: &mut Keys) -> Result<Flow, Fatal> {
        if self.keys.locs.is_empty() && self.keys.worded && self.keys.vals.is_empty() {
            // The first chunk: take its buffers as they are.
            std::mem::swap(&mut self.keys.locs, &mut acc.locs);
            std::mem::swap(&mut self.keys.words, &mut acc.words);
            std::mem::swap(&mut self.keys.vals, &mut acc.vals);
            self.keys.worded = acc.worded;
        } else {
            self.keys.locs.append(&mut acc.locs);
            self.keys.vals.append(&mut acc.vals);
            if self.keys.worded && acc.worded {
                self.keys.words.append(&mut acc.words);
            } else if self.keys.worded {
                self.keys.unword();
            }
        }
        acc.locs.clear();
        acc.words.clear();
        acc.vals.clear();
        acc.worded = true;
        Ok(Flow::Continue)
    }

    fn input_done(&mut self, index: usize, input: Input) {
        if self.inputs.len() <= index {
            self.inputs.resize_with(index + 1, || None);
        }
        self.inputs[index] = Some(input);
    }
}

impl SortTable {
    /// Number of records collected.
    pub fn len(&self) -> usize {
        self.keys.locs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.locs.is_empty()
    }

    /// The records' numbers (reading order) in sorted order: as 3.0.8.2's
    /// rasort sorts them (glibc's merge sort), nothing to sort without keys.
    /// Keys with words whose order is the sort order are radix sorted by
    /// them; else the keys' values are merge sorted with 3.0.8.2's
    /// comparison (extracted again, from records read as when they were
    /// selected by `judge`, if the words were given up).
    pub fn sorted(&self, collector: &KeyCollector, judge: &Judge) -> Vec<u32> {
        let spec = &collector.spec;
        let k = spec.algos.len();
        if k == 0 || self.len() < 2 {
            return (0..self.len() as u32).collect();
        }
        if let Some(width) = collector.width.filter(|_| self.keys.worded) {
            return radix::sort_rows(&self.keys.words, width);
        }
        let again;
        let vals = if collector.width.is_some() {
            again = self.extract_again(collector, judge);
            &again
        } else {
            &self.keys.vals
        };
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        let cmp = |a: &u32, b: &u32| {
            let (a, b) = (*a as usize * k, *b as usize * k);
            spec.compare(&vals[a..a + k], &vals[b..b + k])
        };
        msort::sort(&mut order, &cmp);
        order
    }

    /// Every record's key values, from the records decoded again.
    fn extract_again(&self, collector: &KeyCollector, judge: &Judge) -> Vec<Val> {
        let k = collector.spec.algos.len();
        let bufs = self.bufs();
        let mut rb = RecordBuf::with_options(collector.decode);
        let mut vals = Vec::with_capacity(self.len() * k);
        for n in 0..self.len() {
            let start = vals.len();
            let loc = self.keys.locs[n];
            if let Some((bytes, ..)) = SortTable::record(&bufs, loc) {
                if rb.decode(bytes).is_ok() {
                    judge.prepare(rb.record_mut());
                    if let Record::Flow(f) = rb.record() {
                        collector.spec.extract(&FlowView::new(f, collector.view), &mut vals);
                    }
                }
            }
            vals.resize(start + k, Val::Absent);
        }
        vals
    }

    /// The inputs' bytes.
    fn bufs(&self) -> Vec<&[u8]> {
        self.inputs.iter().map(|i| i.as_ref().and_then(Input::bytes).unwrap_or(&[])).collect()
    }

    /// The initial MAR of the first input that was read.
    pub fn first_mar(&self) -> Option<&[u8]> {
        let buf = self.inputs.iter().flatten().next()?.bytes()?;
        buf.get(..crate::record::MAR_LEN)
    }

    /// The bytes of the record at location `loc`, its offset, its input's
    /// initial MAR and its input number; `bufs` are the inputs' bytes.
    fn record<'b>(bufs: &[&'b [u8]], loc: u64) -> Option<(&'b [u8], u64, &'b [u8], usize)> {
        let input = (loc >> OFFSET_BITS) as usize;
        let offset = loc & OFFSET_MASK;
        let buf: &'b [u8] = bufs.get(input)?;
        let at = usize::try_from(offset).ok()?;
        let header = buf.get(at..at + 4)?;
        let len = usize::from(u16::from_be_bytes([header[2], header[3]])) * 4;
        let bytes = buf.get(at..at + len)?;
        let start_mar = buf.get(..crate::record::MAR_LEN).unwrap_or(&[]);
        Some((bytes, offset, start_mar, input))
    }

    /// Hands the records to `emitter` in `order` and writes them out
    /// through `output`: records are decoded again and fixed up as when
    /// they were selected (`judge`), in parallel chunks unless the output
    /// needs them one after the other.
    pub fn replay(
        &self,
        order: &[u32],
        judge: &Judge,
        emitter: &Emitter,
        output: &mut EmitOutput,
    ) -> Result<(), Fatal> {
        let decode = emitter.decode();
        let bufs = &self.bufs();
        // The locations in sorted order, gathered in one pass whose loads
        // the CPU overlaps.
        let locs: Vec<u64> = order.iter().map(|&n| self.keys.locs[n as usize]).collect();
        let fill = |acc: &mut EmitAcc, part: &[u64]| -> Result<Flow, Fatal> {
            let mut rb = RecordBuf::with_options(decode);
            let mut totals = Totals::default();
            for (i, &loc) in part.iter().enumerate() {
                if let Some(&next) = part.get(i + PREFETCH_AHEAD) {
                    prefetch(bufs, next);
                }
                let Some((bytes, offset, start_mar, input)) = SortTable::record(bufs, loc) else {
                    continue;
                };
                if rb.decode(bytes).is_err() {
                    continue;
                }
                let modified = judge.prepare(rb.record_mut());
                // rasort's copies of the records forget where they were
                // read: its `offset` column shows 0.
                let _ = offset;
                let item = Item {
                    record: rb.record(),
                    bytes,
                    offset: 0,
                    initial: false,
                    modified,
                    start_mar,
                    input,
                };
                if emitter.accept(acc, &item, &mut totals)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        };
        if !emitter.parallel() || rayon::current_num_threads() <= 1 {
            let mut acc = emitter.acc(false);
            for part in locs.chunks(REPLAY_CHUNK) {
                let flow = fill(&mut acc, part)?;
                if output.merge(&mut acc)? == Flow::Stop || flow == Flow::Stop {
                    break;
                }
            }
            return Ok(());
        }
        let wave = rayon::current_num_threads() * 4;
        for group in locs.chunks(REPLAY_CHUNK * wave) {
            let outs: Vec<Result<(EmitAcc, Flow), Fatal>> = group
                .par_chunks(REPLAY_CHUNK)
                .map(|part| {
                    let mut acc = emitter.acc(true);
                    fill(&mut acc, part).map(|f| (acc, f))
                })
                .collect();
            for out in outs {
                let (mut acc, flow) = out?;
                if output.merge(&mut acc)? == Flow::Stop || flow == Flow::Stop {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
