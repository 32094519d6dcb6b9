//! Reading a run's inputs on every core, with the same results as reading
//! them one record after the other.
//!
//! A role describes its work as a [`Job`]: a per-thread accumulator
//! ([`Job::acc`]) that records are folded into ([`Job::accept`]), and a
//! [`Merge`] that takes the accumulators in reading order on the main
//! thread. [`run`] then reads each input:
//!
//! * a memory-mapped file is split into chunks of whole records by one cheap
//!   pass over the record lengths ([`split`]); the chunks are decoded,
//!   selected and folded by rayon, a wave of chunks at a time, and merged in
//!   input order, so output order and totals never depend on the thread
//!   count;
//! * a stream (compressed file, stdin) is decompressed once, on the main
//!   thread, into windows of a few megabytes that are processed the same
//!   way, so memory stays bounded;
//! * each input's initial MAR is handled on the main thread first.
//!
//! What depends on the records before it cannot be split: `-N` input
//! limits, byte ranges (`file::a:b`), remote servers, `-M poll`, and
//! whatever the role says ([`Job::parallel`]). Such runs go through the
//! sequential reader ([`super::reader`]) with the same `Job` and `Merge`,
//! one accumulator merged whenever [`Job::due`] says so.
//!
//! A chunk that hits the end of an input's readable records (a truncated
//! tail, a record class `ra` does not read) reports it; the chunks after it
//! are dropped, as the sequential reader would never have read them.

use rayon::prelude::*;

use super::options::ClientOptions;
use super::reader::{self, Ended, Flow, Item, RecordSink};
use super::select::{Judge, Selector, Verdict};
use super::totals::Totals;
use crate::archive::{self, Input, ReadErrorKind, Source};
use crate::codec::stream::{Event, Scanner};
use crate::codec::{DecodeOptions, DsrWalk, End, RecordBuf, Records};
use crate::diag::{self, Fatal};
use crate::filter::StoredVerdict;
use crate::record::{Mar, Record, RecordClass};

/// Bytes of records per chunk: small enough to balance two to a few dozen
/// threads, large enough that per-chunk setup (a printer, a hash map) does
/// not show.
const CHUNK: usize = 512 * 1024;

/// Decompressed bytes read from a stream before they are processed.
const WINDOW: usize = 8 * 1024 * 1024;

/// What a role does with the records of a run.
pub trait Job: Sync {
    /// What one chunk's records are folded into.
    type Acc: Send;

    /// A fresh accumulator; `parallel`: it collects one chunk of a parallel
    /// run (the merge puts the chunks together), rather than every record
    /// of a sequential one.
    fn acc(&self, parallel: bool) -> Self::Acc;

    /// A record passed the selection.
    fn accept(&self, acc: &mut Self::Acc, item: &Item, totals: &mut Totals) -> Result<Flow, Fatal>;

    /// A record failed the filter (for `-E`).
    fn reject(&self, _acc: &mut Self::Acc, _item: &Item) -> Result<(), Fatal> {
        Ok(())
    }

    /// Sequential runs: whether the accumulator should be merged now (a
    /// full output buffer); it is merged at the end in any case.
    fn due(&self, _acc: &Self::Acc) -> bool {
        false
    }

    /// The initial MAR of each input, before its records (on the main
    /// thread).
    fn initial_mar(&self, _mar: &Mar) {}

    /// False when the role needs the records strictly one after the other
    /// (output ranks, repeated labels, ...).
    fn parallel(&self) -> bool {
        true
    }

    /// True when the role can take flow records as stored, without the
    /// decoded record ([`Job::accept_stored`], [`Job::reject_stored`]):
    /// then records the selection judges from their bytes
    /// ([`Judge::judge_stored`]) are never decoded.
    fn takes_stored(&self) -> bool {
        false
    }

    /// A flow record judged from its bytes passed the selection (only
    /// called when [`Job::takes_stored`]).
    fn accept_stored(
        &self,
        _acc: &mut Self::Acc,
        _record: &Stored,
        _totals: &mut Totals,
    ) -> Result<Flow, Fatal> {
        Ok(Flow::Continue)
    }

    /// A flow record judged from its bytes failed the filter (only called
    /// when [`Job::takes_stored`]).
    fn reject_stored(&self, _acc: &mut Self::Acc, _record: &Stored) -> Result<(), Fatal> {
        Ok(())
    }

    /// True when the role may take flow records from their bytes alone
    /// ([`Job::accept_raw`]) in runs whose selection looks at nothing
    /// inside a record ([`Judge::reads_nothing`]).
    fn takes_raw(&self) -> bool {
        false
    }

    /// A flow or NetFlow record (header included, at input offset `offset`
    /// of input `input`) that the selection accepts without looking at it,
    /// as stored: `None` when the role wants it decoded (it is then decoded
    /// and offered to [`Job::accept`] as usual; `acc` must be as it was).
    /// Only called when [`Job::takes_raw`].
    fn accept_raw(
        &self,
        _acc: &mut Self::Acc,
        _bytes: &[u8],
        _offset: u64,
        _input: usize,
    ) -> Option<Result<Flow, Fatal>> {
        None
    }

    /// An accumulator the merge has taken everything from, handed back so
    /// that the next chunk can reuse its buffers (fresh large buffers for
    /// every chunk cost a page fault per 4 KiB written).
    fn reuse(&self, _acc: Self::Acc) {}

    /// What of each record must be decoded.
    fn decode(&self) -> DecodeOptions {
        DecodeOptions::FULL
    }

    /// Whether [`Job::reject`] does anything: when it does not, records the
    /// filter rejects on their stored bytes are never decoded.
    fn wants_rejects(&self) -> bool {
        true
    }

    /// True when the role needs each input whole in memory after reading
    /// (rasort reads its records again by offset): a stream is then
    /// decompressed into memory once, before its records are read.
    fn whole_input(&self) -> bool {
        false
    }
}

/// A flow (or event) record handed on as stored, not decoded: never the
/// initial MAR, never modified.
pub struct Stored<'a> {
    /// The record, header included.
    pub bytes: &'a [u8],
    /// A flow record (FAR or NETFLOW class), not an event.
    pub flow: bool,
    /// Source plus destination packets and bytes (0 for a record the
    /// filter rejected: only those it passes are counted).
    pub pkts: u64,
    pub bytes_total: u64,
    /// The initial MAR of the input being read, as read.
    pub start_mar: &'a [u8],
}

/// Takes accumulators in reading order (main thread).
pub trait Merge<A> {
    /// Takes what `acc` collected; `Flow::Stop` ends the run.
    fn merge(&mut self, acc: &mut A) -> Result<Flow, Fatal>;

    /// An input was read to its end (or as far as the run read it); a
    /// role that reads records again keeps it.
    fn input_done(&mut self, _index: usize, _input: Input) {}
}

/// True when the options leave every record's fate independent of the
/// records before it.
pub fn splittable(opts: &ClientOptions) -> bool {
    let limits = opts.limits.input;
    let unlimited = limits.start <= 0 && limits.end < 0;
    unlimited
        && !opts.read_remote
        && opts.inputs.iter().all(|i| i.range.is_none())
        && !opts.has_mode("poll")
}

/// Reads every input of the run through `selector` into `job`, merging
/// with `merge`: in parallel when [`splittable`] and [`Job::parallel`]
/// allow it, else one record after the other.
pub fn run<J: Job, M: Merge<J::Acc>>(
    opts: &ClientOptions,
    selector: &mut Selector,
    job: &J,
    merge: &mut M,
) -> Result<Ended, Fatal> {
    let parallel = splittable(opts) && job.parallel();
    let mut run = Parallel { opts, job, merge, selector };
    let mut seq = if parallel { None } else { Some(job.acc(false)) };
    let mut rb = RecordBuf::with_options(job.decode());
    let mut ended = Ended::Done;
    for (index, (source, range)) in reader::sources(opts)?.into_iter().enumerate() {
        if !run.selector.wants_more() {
            break;
        }
        let mut input = match reader::open(opts, &source) {
            Ok(i) => i,
            Err(e) => {
                diag::log(&opts.prog, &e.to_string());
                run.selector.totals.open_failed = true;
                continue;
            }
        };
        if job.whole_input() && input.bytes().is_none() {
            if let Err(e) = input.load() {
                diag::log(&opts.prog, &e.to_string());
                continue;
            }
        }
        let flow = match seq.as_mut() {
            Some(acc) => {
                let mut sink = Sequential { job, acc, merge: &mut *run.merge };
                let read = reader::read_one(
                    opts,
                    &mut input,
                    range,
                    index,
                    &mut *run.selector,
                    &mut sink,
                    &mut rb,
                )?;
                match read {
                    reader::Read::Finished => Flow::Continue,
                    reader::Read::LimitReached => {
                        run.merge.input_done(index, input);
                        break;
                    }
                    reader::Read::Stopped => Flow::Stop,
                }
            }
            None if input.bytes().is_some() => {
                let flow = run.mapped(&input, index)?;
                if let Some(e) = input.take_load_error() {
                    diag::log(&opts.prog, &e.to_string());
                }
                flow
            }
            None => run.streamed(&mut input, &source, index)?,
        };
        run.merge.input_done(index, input);
        if flow == Flow::Stop {
            ended = Ended::Stopped;
            break;
        }
    }
    if let Some(acc) = seq.as_mut() {
        if run.merge.merge(acc)? == Flow::Stop {
            ended = Ended::Stopped;
        }
    }
    Ok(ended)
}

/// The sequential run: one accumulator, merged when due and at the end.
struct Sequential<'a, J: Job, M> {
    job: &'a J,
    acc: &'a mut J::Acc,
    merge: &'a mut M,
}

impl<J: Job, M: Merge<J::Acc>> RecordSink for Sequential<'_, J, M> {
    fn accept(&mut self, item: &Item, totals: &mut Totals) -> Result<Flow, Fatal> {
        if let Record::Mar(m) = item.record {
            if item.initial {
                self.job.initial_mar(m);
            }
        }
        let flow = self.job.accept(self.acc, item, totals)?;
        if flow == Flow::Continue && self.job.due(self.acc) {
            return self.merge.merge(self.acc);
        }
        Ok(flow)
    }

    fn reject(&mut self, item: &Item) -> Result<(), Fatal> {
        self.job.reject(self.acc, item)
    }
}

/// Splits `buf[from..]` into runs of whole records of about `target` bytes,
/// by hopping over the record length fields as the reader does (a header
/// with length zero is skipped four bytes at a time). The last run ends at
/// the end of `buf`, whatever is there.
pub fn split(buf: &[u8], from: usize, target: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::with_capacity(buf.len().saturating_sub(from) / target.max(1) + 1);
    let mut start = from;
    while start < buf.len() {
        let end = next_run(buf, start, target);
        runs.push((start, end));
        start = end;
    }
    runs
}

/// The end of the run of [`split`] that starts at `start` (before the end
/// of `buf`).
fn next_run(buf: &[u8], start: usize, target: usize) -> usize {
    let mut pos = start;
    while pos < buf.len() {
        let words = match buf.get(pos + 2..pos + 4) {
            Some(h) => usize::from(u16::from_be_bytes([h[0], h[1]])),
            None => break,
        };
        pos += if words == 0 { 4 } else { words * 4 };
        if pos - start >= target && pos < buf.len() {
            return pos;
        }
    }
    buf.len()
}

/// What one chunk produced.
struct ChunkOut<A> {
    acc: A,
    totals: Totals,
    matched: i64,
    /// Messages to log, in order, before the chunk is merged.
    logs: Vec<String>,
    /// How the chunk's records ended (`Clean` at its end).
    end: End,
    fatal: Option<Fatal>,
    stopped: bool,
    /// Where the next chunk starts: the end of the window, or where the
    /// chunk stopped at its size limit.
    next: usize,
}

/// An input's end as found in a window that starts at input offset `base`.
fn rebase(end: End, base: u64) -> End {
    match end {
        End::Truncated { offset, have, need } => {
            End::Truncated { offset: offset + base, have, need }
        }
        End::UnknownClass { offset, byte } => End::UnknownClass { offset: offset + base, byte },
        End::InvalidRecord { offset } => End::InvalidRecord { offset: offset + base },
        e => e,
    }
}

/// Decodes, selects and folds the records of `buf[start..end]` (which
/// begins at input offset `base`), or of its first `limit` bytes or so:
/// it stops at the first record boundary `limit` bytes or more past
/// `start`, and says where in [`ChunkOut::next`].
#[allow(clippy::too_many_arguments)]
fn run_chunk<J: Job>(
    job: &J,
    judge: &Judge,
    buf: &[u8],
    (start, end, limit): (usize, usize, usize),
    base: u64,
    (start_mar, index): (&[u8], usize),
    decode: DecodeOptions,
) -> ChunkOut<J::Acc> {
    let mut out = ChunkOut {
        acc: job.acc(true),
        totals: Totals::default(),
        matched: 0,
        logs: Vec::new(),
        end: End::Clean,
        fatal: None,
        stopped: false,
        next: end.min(buf.len()),
    };
    let window = &buf[..end.min(buf.len())];
    // Where the chunk may stop.
    let stop_at = start.saturating_add(limit);
    let mut rb = RecordBuf::with_options(decode);
    // The fast path: records judged from their bytes are never decoded.
    let stored = job.takes_stored() && judge.judges_stored();
    // Else at least the records the filter rejects on their bytes.
    let rejects = job.wants_rejects();
    // When every record the scanner frames is decoded, the decode's DSR
    // walk tells where the input ends; the scanner need not walk first.
    let decodes_all = rejects || !judge.may_reject_bytes();
    let scanner_at = |pos: u64| {
        let s = Scanner::records_from(pos);
        if decodes_all {
            s.without_dsr_walk()
        } else {
            s
        }
    };
    let mut scanner = scanner_at(start as u64);
    // Records the selection takes unseen, for a role that reads them raw.
    let raw = job.takes_raw() && judge.reads_nothing();
    loop {
        // (A position in the window fits a usize.)
        let here = scanner.position() as usize;
        if here >= stop_at && here < window.len() {
            out.next = here;
            break;
        }
        if raw {
            // Framed by its length alone like a stored record above; the
            // role declines (`None`) whatever its DSR walk does not reach
            // the record's end with, so the scanner has nothing to say.
            let pos = scanner.position();
            let taken = usize::try_from(pos)
                .ok()
                .and_then(|p| stored_record(window, p))
                .filter(|b| matches!(b[0] >> 4, 0x1 | 0x3))
                .and_then(|b| Some((b.len(), job.accept_raw(&mut out.acc, b, base + pos, index)?)));
            if let Some((len, result)) = taken {
                scanner = scanner_at(pos + len as u64);
                // What Judge::offer_unlimited counts for a flow it accepts.
                out.totals.far_records += 1;
                out.matched += 1;
                match result {
                    Ok(Flow::Continue) => continue,
                    Ok(Flow::Stop) => out.stopped = true,
                    Err(f) => out.fatal = Some(f),
                }
                break;
            }
        }
        if stored {
            // A record the filter judges from its bytes has been walked
            // DSR by DSR to its exact end with no zero-length DSR, which is
            // all the scanner checks beyond the header: frame it here by
            // its length alone, and go on so while records are judged.
            // Anything else goes through the scanner.
            // (A position in the window fits a usize.)
            let mut pos = scanner.position() as usize;
            let mut done = false;
            while let Some(bytes) = stored_record(window, pos).filter(|_| pos < stop_at) {
                let Some(v) = judge.judge_stored(bytes) else { break };
                pos += bytes.len();
                match take_stored(job, &mut out, bytes, v, start_mar) {
                    Ok(Flow::Continue) => {}
                    Ok(Flow::Stop) => {
                        out.stopped = true;
                        done = true;
                        break;
                    }
                    Err(f) => {
                        out.fatal = Some(f);
                        done = true;
                        break;
                    }
                }
            }
            scanner = scanner_at(pos as u64);
            if done {
                break;
            }
            if pos >= stop_at {
                continue;
            }
        }
        let (offset, len) = match scanner.next(window, 0, true) {
            Event::Record { offset, len, .. } => (offset, len),
            Event::End(e) => {
                out.end = rebase(e, base);
                break;
            }
            Event::NeedMore => break,
        };
        let s = offset as usize;
        let Some(bytes) = window.get(s..s + len) else { break };
        let at = base + offset;
        if !rejects && judge.rejects_bytes(bytes, &mut out.totals) {
            continue;
        }
        if let Err(e) = rb.decode(bytes) {
            out.logs.push(format!("record at byte offset {at}: {e}"));
            continue;
        }
        if decodes_all
            && bytes[0] >> 4 != 0x8
            && matches!(rb.walk(), DsrWalk::ZeroLength { before_time: true, .. })
        {
            // (what the scanner's own walk would have ended on)
            out.end = rebase(End::InvalidRecord { offset }, base);
            break;
        }
        let offer =
            judge.offer_unlimited(rb.record_mut(), false, &mut out.totals, &mut out.matched);
        let item = Item {
            record: rb.record(),
            bytes,
            offset: at,
            initial: false,
            modified: offer.modified,
            start_mar,
            input: index,
        };
        let result = match offer.verdict {
            Verdict::Accept => job.accept(&mut out.acc, &item, &mut out.totals),
            Verdict::Reject => job.reject(&mut out.acc, &item).map(|()| Flow::Continue),
            Verdict::Skip => Ok(Flow::Continue),
        };
        match result {
            Ok(Flow::Continue) => {}
            Ok(Flow::Stop) => {
                out.stopped = true;
                break;
            }
            Err(f) => {
                out.fatal = Some(f);
                break;
            }
        }
    }
    out
}

/// The record that starts at `pos` of `window` by its header's length,
/// if the header is not a zero-length one (which the scanner skips).
#[inline]
fn stored_record(window: &[u8], pos: usize) -> Option<&[u8]> {
    let h = window.get(pos..pos + 4)?;
    let len = usize::from(u16::from_be_bytes([h[2], h[3]])) * 4;
    if len == 0 {
        return None;
    }
    window.get(pos..pos + len)
}

/// Hands a record judged from its bytes to `job`, counting it as
/// [`Judge::offer_unlimited`] would have.
#[inline]
fn take_stored<J: Job>(
    job: &J,
    out: &mut ChunkOut<J::Acc>,
    bytes: &[u8],
    v: StoredVerdict,
    start_mar: &[u8],
) -> Result<Flow, Fatal> {
    let class = bytes.first().map(|b| RecordClass::from_nibble(b >> 4));
    let flow = class != Some(RecordClass::Event);
    if flow {
        out.totals.far_records += 1;
    } else {
        out.totals.event_records += 1;
    }
    let record = Stored { bytes, flow, pkts: v.pkts, bytes_total: v.bytes, start_mar };
    if v.pass {
        out.matched += 1;
        job.accept_stored(&mut out.acc, &record, &mut out.totals)
    } else {
        job.reject_stored(&mut out.acc, &record).map(|()| Flow::Continue)
    }
}

/// The parallel run over the inputs.
struct Parallel<'a, J: Job, M> {
    opts: &'a ClientOptions,
    job: &'a J,
    merge: &'a mut M,
    selector: &'a mut Selector,
}

impl<J: Job, M: Merge<J::Acc>> Parallel<'_, J, M> {
    /// The initial MAR of an input, on this thread.
    fn initial(&mut self, bytes: &[u8], offset: u64, index: usize) -> Result<Flow, Fatal> {
        let mut rb = RecordBuf::with_options(self.job.decode());
        self.selector.input_opened();
        let record = match rb.decode_ref(&crate::codec::RecordRef { offset, bytes, initial: true })
        {
            Ok(_) => rb.record_mut(),
            Err(e) => {
                diag::log(&self.opts.prog, &format!("record at byte offset {offset}: {e}"));
                return Ok(Flow::Continue);
            }
        };
        if let Record::Mar(m) = &*record {
            self.job.initial_mar(m);
        }
        let offer = self.selector.offer(record, true);
        let item = Item {
            record: rb.record(),
            bytes,
            offset,
            initial: true,
            modified: false,
            start_mar: bytes,
            input: index,
        };
        let mut acc = self.job.acc(true);
        let flow = match offer.verdict {
            Verdict::Accept => self.job.accept(&mut acc, &item, &mut self.selector.totals)?,
            Verdict::Reject => {
                self.job.reject(&mut acc, &item)?;
                Flow::Continue
            }
            Verdict::Skip => Flow::Continue,
        };
        if self.merge.merge(&mut acc)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        Ok(flow)
    }

    /// Processes the records of `buf[from..]` (input offset `base + i` for
    /// `buf[i]`) in chunks; true in `.1` when the input ended there (an
    /// error end was reported).
    fn chunks(
        &mut self,
        name: &str,
        buf: &[u8],
        from: usize,
        base: u64,
        start_mar: &[u8],
        index: usize,
    ) -> Result<(Flow, bool), Fatal> {
        let decode = self.job.decode();
        let job = self.job;
        if rayon::current_num_threads() <= 1 {
            // One chunk after the other, each found as it comes: no pass
            // over the whole input before its records are read.
            // (Each chunk stops where its records reach CHUNK bytes, so
            // the records are framed once, as they are judged.)
            let mut start = from;
            while start < buf.len() {
                let judge = &self.selector.judge;
                let span = (start, buf.len(), CHUNK);
                let out = run_chunk(job, judge, buf, span, base, (start_mar, index), decode);
                let next = out.next;
                if let Some(done) = self.take_chunk(name, out)? {
                    return Ok(done);
                }
                if next <= start {
                    break;
                }
                start = next;
            }
            return Ok((Flow::Continue, false));
        }
        let runs = split(buf, from, CHUNK);
        let wave = (rayon::current_num_threads() * 4).max(1);
        for group in runs.chunks(wave) {
            let judge = &self.selector.judge;
            let outs: Vec<ChunkOut<J::Acc>> = group
                .par_iter()
                .map(|&(s, e)| {
                    run_chunk(job, judge, buf, (s, e, usize::MAX), base, (start_mar, index), decode)
                })
                .collect();
            for out in outs {
                if let Some(done) = self.take_chunk(name, out)? {
                    return Ok(done);
                }
            }
        }
        Ok((Flow::Continue, false))
    }

    /// Merges what one chunk produced, in reading order; `Some` when the
    /// input (or the run) ends there, as [`Parallel::chunks`] returns it.
    fn take_chunk(
        &mut self,
        name: &str,
        mut out: ChunkOut<J::Acc>,
    ) -> Result<Option<(Flow, bool)>, Fatal> {
        for line in &out.logs {
            diag::log(&self.opts.prog, line);
        }
        self.selector.absorb(&out.totals, out.matched);
        if self.merge.merge(&mut out.acc)? == Flow::Stop || out.stopped {
            return Ok(Some((Flow::Stop, true)));
        }
        if let Some(f) = out.fatal {
            return Err(f);
        }
        self.job.reuse(out.acc);
        if out.end.is_error() {
            let e =
                archive::ReadError { name: name.to_string(), kind: ReadErrorKind::Format(out.end) };
            diag::log(&self.opts.prog, &e.to_string());
            return Ok(Some((Flow::Continue, true)));
        }
        Ok(None)
    }

    /// A memory-mapped input.
    fn mapped(&mut self, input: &Input, index: usize) -> Result<Flow, Fatal> {
        let buf = input.bytes().unwrap_or(&[]);
        let mut records = Records::new(buf);
        let Some(first) = records.next() else {
            let end = records.end().unwrap_or(End::Empty);
            if end.is_error() {
                let e = archive::ReadError {
                    name: input.name().to_string(),
                    kind: ReadErrorKind::Format(end),
                };
                diag::log(&self.opts.prog, &e.to_string());
            }
            return Ok(Flow::Continue);
        };
        if self.initial(first.bytes, first.offset, index)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        let from = first.bytes.len();
        Ok(self.chunks(input.name(), buf, from, 0, first.bytes, index)?.0)
    }

    /// A streamed input, in windows.
    fn streamed(
        &mut self,
        input: &mut Input,
        source: &Source,
        index: usize,
    ) -> Result<Flow, Fatal> {
        let name = source.name();
        let mut start_mar: Vec<u8> = Vec::new();
        let mut window: Vec<u8> = Vec::with_capacity(WINDOW + 65536);
        let mut base = 0u64;
        let mut stop_error: Option<archive::ReadError> = None;
        loop {
            let item = input.next_record();
            let rec = match item {
                Some(Ok(r)) => Some(r),
                Some(Err(e)) => {
                    stop_error = Some(e);
                    None
                }
                None => None,
            };
            let Some(rec) = rec else { break };
            if rec.initial {
                start_mar = rec.bytes.to_vec();
                if self.initial(rec.bytes, rec.offset, index)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
                base = rec.offset + rec.bytes.len() as u64;
                continue;
            }
            // Skipped zero-length headers stay in the window as zeros, so
            // offsets within it are input offsets minus `base`.
            let expected = base + window.len() as u64;
            if rec.offset > expected {
                window.resize(window.len() + (rec.offset - expected) as usize, 0);
            }
            window.extend_from_slice(rec.bytes);
            if window.len() >= WINDOW {
                let (flow, ended) = self.chunks(&name, &window, 0, base, &start_mar, index)?;
                if flow == Flow::Stop || ended {
                    return Ok(flow);
                }
                base += window.len() as u64;
                window.clear();
            }
        }
        if !window.is_empty() {
            let (flow, ended) = self.chunks(&name, &window, 0, base, &start_mar, index)?;
            if flow == Flow::Stop || ended {
                return Ok(flow);
            }
        }
        if let Some(e) = stop_error {
            // ra skips an input that is not argus data without a word; we
            // name it (docs/differences.md), except an empty one.
            if !matches!(e.kind, ReadErrorKind::Format(End::Empty)) {
                diag::log(&self.opts.prog, &e.to_string());
            }
        }
        Ok(Flow::Continue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(words: u16) -> Vec<u8> {
        let mut r = vec![0x10, 0, 0, 0];
        r[2..4].copy_from_slice(&words.to_be_bytes());
        r.resize(words as usize * 4, 0xaa);
        r
    }

    #[test]
    fn split_follows_record_lengths_and_zero_headers() {
        let mut buf = Vec::new();
        for w in [3u16, 5, 2, 7, 4] {
            buf.extend(record(w));
            buf.extend([0xff, 0xff, 0, 0]); // zero-length header: 4 bytes
        }
        let runs = split(&buf, 0, 20);
        // Every run starts where the reader would find a record or a
        // zero header, and together they cover the buffer.
        assert_eq!(runs.first().unwrap().0, 0);
        assert_eq!(runs.last().unwrap().1, buf.len());
        for w in runs.windows(2) {
            assert_eq!(w[0].1, w[1].0);
        }
        let starts: Vec<usize> = runs.iter().map(|r| r.0).collect();
        assert_eq!(starts, vec![0, 36, 80, 100]);
    }

    #[test]
    fn split_keeps_a_truncated_tail_in_the_last_run() {
        let mut buf = record(4);
        buf.extend(&record(4)[..6]);
        assert_eq!(split(&buf, 0, 1), vec![(0, 16), (16, 22)]);
        assert!(split(&[], 0, 8).is_empty());
    }
}
