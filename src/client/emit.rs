//! Where a client's selected records go, the way ra sends them: printed
//! (flow records; management records only with `RA_PRINT_MAN_RECORDS=yes`
//! or `-M man`; events with `RA_PRINT_EVENT_RECORDS=yes`; `-N o` ranks),
//! or, with `-w` / `-E`, written to archives and not printed: every selected
//! record, management records included, goes to each `-w` file whose own
//! filter it passes, and the records the filter rejects go to `-E`'s file.
//! `-M rmon` hands every flow on twice, as seen from each side. Unchanged
//! records are written as read; changed ones are encoded anew.
//!
//! [`Emitter`] is a [`Job`]: records are printed (or collected for the
//! files) into an [`EmitAcc`] on any thread, and [`EmitOutput`] writes the
//! accumulators out in reading order.

use std::io::{self, Write};
use std::sync::{Mutex, OnceLock};

use super::limits::{Limits, OutputCounter, OutputDecision};
use super::options::ClientOptions;
use super::parallel::{Job, Merge, Stored};
use super::reader::{Flow, Item};
use super::totals::Totals;
use super::{printing, role};
use crate::codec::{self, DecodeOptions};
use crate::diag::Fatal;
use crate::filter::Filter;
use crate::output::append::AppendWriter;
use crate::print::{Format, PrintOptions, Printer, XML_END};
use crate::record::{Mar, Record, RecordClass};

/// Stdout is written in blocks of this size.
const FLUSH_AT: usize = 64 * 1024;

/// One `-w` target's own filter.
struct Target {
    filter: Option<Filter>,
    /// The `-E` file: rejected records only.
    except: bool,
}

/// ra's output rules, shared by the threads of a run.
pub struct Emitter {
    /// The printer configuration (none under `-q` or with `-w`).
    print: Option<PrintOptions>,
    targets: Vec<Target>,
    limits: Limits,
    print_man: bool,
    print_event: bool,
    rmon: bool,
    /// The first input's initial MAR (the XML header shows it).
    source: OnceLock<Mar>,
    /// Output ranks or order-dependent columns: one record after the other.
    ordered: bool,
    /// `-M rmon` hands flows on twice (ra); rasort only relabels.
    rmon_twice: bool,
    /// Emptied record and text buffers of merged accumulators ([`Job::reuse`]),
    /// at most [`SPARE_BUFFERS`].
    spare: Mutex<Vec<SpareBuffers>>,
    /// What of each record is decoded ([`Emitter::read_only_with`]).
    decode: DecodeOptions,
}

/// An emptied accumulator's record bytes, writes and text, kept for reuse.
type SpareBuffers = (Vec<u8>, Vec<Write1>, Vec<u8>);

/// Spare buffers kept for reuse: enough for a wave of chunks on a few
/// dozen threads, bounded so memory does not grow with the input.
const SPARE_BUFFERS: usize = 64;

/// One record to write to one `-w`/`-E` file.
struct Write1 {
    target: usize,
    /// Range of the bytes in [`EmitAcc::bytes`].
    from: usize,
    to: usize,
    /// The record is the input's initial MAR.
    initial: bool,
}

/// What one thread collected: printed text, or records for the files.
pub struct EmitAcc {
    printer: Option<Printer>,
    out: Vec<u8>,
    /// Parallel runs: the output's opening, captured at the first record
    /// this accumulator printed.
    opening: Option<Vec<u8>>,
    parallel: bool,
    printed: bool,
    ranks: OutputCounter,
    bytes: Vec<u8>,
    writes: Vec<Write1>,
    /// The initial MAR of the input of the first record collected for the
    /// files (a new file starts with it).
    start_mar: Vec<u8>,
}

fn io_fatal(what: &str, e: io::Error) -> Fatal {
    Fatal::err(format!("{what}: {}", crate::archive::strerror(&e)))
}

impl Emitter {
    /// The printer configuration (unless `-q`), or the `-w`/`-E` files with
    /// their filters when there are any (then nothing is printed); the
    /// files themselves are opened by [`EmitOutput::new`].
    pub fn new(opts: &ClientOptions) -> Result<Emitter, Fatal> {
        let mut targets = Vec::new();
        for w in &opts.writes {
            let except = opts.except_file.as_deref() == Some(w.path.as_str()) && w.filter.is_none();
            let filter = role::compile_write_filter(opts, w)?;
            targets.push(Target { filter, except });
        }
        let print = if targets.is_empty() && !opts.quiet {
            Some(printing::print_options(opts)?)
        } else {
            None
        };
        let ordered = opts.limits.output.end != 0
            || print.as_ref().is_some_and(|p| Printer::new(p.clone()).needs_order());
        Ok(Emitter {
            print,
            targets,
            limits: opts.limits,
            print_man: opts.print_man_records(),
            print_event: opts.print_event,
            rmon: opts.print.rmon,
            source: OnceLock::new(),
            ordered,
            rmon_twice: true,
            spare: Mutex::new(Vec::new()),
            decode: DecodeOptions::FULL,
        })
    }

    /// Print-only runs (no `-w`/`-E` file, where records may be encoded
    /// anew) need the decoded record for reading only: `decode` (from
    /// [`super::select::Judge::decode_for`]) then replaces the full decode,
    /// which also keeps what re-encoding needs.
    pub fn read_only_with(&mut self, decode: DecodeOptions) {
        if self.targets.is_empty() {
            self.decode = decode;
        }
    }

    /// The output rules of rasort's sorted records: events are printed
    /// like flows, and `-M rmon` changes labels only.
    pub fn for_sorted(opts: &ClientOptions) -> Result<Emitter, Fatal> {
        let mut e = Emitter::new(opts)?;
        e.print_event = true;
        e.rmon_twice = false;
        Ok(e)
    }

    fn print_one(&self, acc: &mut EmitAcc, item: &Item) -> Flow {
        let Some(p) = acc.printer.as_mut() else { return Flow::Continue };
        if let Record::Mar(m) = item.record {
            if item.initial {
                p.set_source(m);
            }
        }
        let twice = self.rmon && self.rmon_twice;
        let ranked = match item.record {
            Record::Mar(_) => None,
            Record::Flow(f) if f.header.class == RecordClass::Event && self.rmon_twice => None,
            Record::Flow(_) => Some(if twice { 2 } else { 1 }),
        };
        let wanted = match (item.record, ranked) {
            (Record::Mar(_), _) => self.print_man,
            (_, None) => self.print_event,
            (_, Some(_)) => {
                // rmon prints each flow twice, each with its own rank
                let (a, b) = if twice {
                    (acc.ranks.decide(), acc.ranks.decide())
                } else {
                    (acc.ranks.decide(), OutputDecision::Skip)
                };
                match (a, b) {
                    (OutputDecision::Emit, _) | (_, OutputDecision::Emit) => true,
                    (OutputDecision::Stop, _) => return Flow::Stop,
                    _ => false,
                }
            }
        };
        if wanted {
            if acc.parallel && acc.opening.is_none() {
                acc.opening = Some(p.opening(item.record));
            }
            acc.printed = true;
            if twice {
                p.print_at(item.record, Some(item.offset), &mut acc.out);
            } else {
                p.print_single(item.record, Some(item.offset), &mut acc.out);
            }
        } else if let Some(n) = ranked {
            p.skip_ranks(n);
        }
        Flow::Continue
    }

    fn collect(acc: &mut EmitAcc, target: usize, bytes: &[u8], item: &Item) {
        Emitter::collect_bytes(acc, target, bytes, item.start_mar, item.initial);
    }

    fn collect_bytes(
        acc: &mut EmitAcc,
        target: usize,
        bytes: &[u8],
        start_mar: &[u8],
        initial: bool,
    ) {
        if acc.writes.is_empty() {
            acc.start_mar.clear();
            acc.start_mar.extend_from_slice(start_mar);
        }
        let from = acc.bytes.len();
        acc.bytes.extend_from_slice(bytes);
        let to = acc.bytes.len();
        // A record for the same file right after the last one joins its
        // write (the file gets the same bytes, in fewer calls).
        if let Some(last) = acc.writes.last_mut() {
            if last.target == target && last.to == from && !last.initial && !initial {
                last.to = to;
                return;
            }
        }
        acc.writes.push(Write1 { target, from, to, initial });
    }

    fn write_one(
        &self,
        acc: &mut EmitAcc,
        item: &Item,
        record: &Record,
        ranked: bool,
    ) -> Result<(), Fatal> {
        // A changed record is encoded once, for the first file that takes it.
        let mut encoded: Option<Vec<u8>> = None;
        for (i, t) in self.targets.iter().enumerate() {
            if t.except {
                continue;
            }
            if let Some(f) = &t.filter {
                if !f.matches(record) {
                    continue;
                }
            }
            if ranked {
                match acc.ranks.decide() {
                    OutputDecision::Emit => {}
                    OutputDecision::Skip => continue,
                    OutputDecision::Stop => break,
                }
            }
            if item.modified && encoded.is_none() {
                let mut buf = Vec::new();
                codec::encode(record, &mut buf).map_err(|e| {
                    Fatal::err(format!("record at byte offset {}: {e}", item.offset))
                })?;
                encoded = Some(buf);
            }
            let bytes: &[u8] = match &encoded {
                Some(b) => b,
                None => item.bytes,
            };
            Emitter::collect(acc, i, bytes, item);
        }
        Ok(())
    }
}

impl Job for Emitter {
    type Acc = EmitAcc;

    fn acc(&self, parallel: bool) -> EmitAcc {
        let printer = self.print.as_ref().map(|o| {
            let mut p = Printer::new(o.clone());
            if let Some(m) = self.source.get() {
                p.set_source(m);
            }
            if parallel {
                p.detach();
            }
            p
        });
        let (bytes, writes, mut out) =
            self.spare.lock().ok().and_then(|mut spare| spare.pop()).unwrap_or_default();
        if self.print.is_some() {
            out.reserve(FLUSH_AT * 2);
        }
        EmitAcc {
            printer,
            out,
            opening: None,
            parallel,
            printed: false,
            ranks: OutputCounter::new(&self.limits),
            bytes,
            writes,
            start_mar: Vec::new(),
        }
    }

    fn reuse(&self, acc: EmitAcc) {
        let (mut bytes, mut writes, mut out) = (acc.bytes, acc.writes, acc.out);
        bytes.clear();
        writes.clear();
        out.clear();
        if let Ok(mut spare) = self.spare.lock() {
            if spare.len() < SPARE_BUFFERS {
                spare.push((bytes, writes, out));
            }
        }
    }

    fn accept(&self, acc: &mut EmitAcc, item: &Item, totals: &mut Totals) -> Result<Flow, Fatal> {
        let is_flow = matches!(item.record, Record::Flow(f)
            if matches!(f.header.class, RecordClass::Flow | RecordClass::NetFlow));
        if is_flow {
            if let Record::Flow(f) = item.record {
                // (no METER DSR counts nothing)
                if let Some(m) = &f.metrics {
                    totals.pkts = totals.pkts.wrapping_add(m.src.pkts.wrapping_add(m.dst.pkts));
                    totals.bytes = totals.bytes.wrapping_add(m.src.bytes.wrapping_add(m.dst.bytes));
                }
            }
        }
        if self.targets.is_empty() {
            return Ok(self.print_one(acc, item));
        }
        if is_flow && self.rmon && self.rmon_twice {
            if let Record::Flow(f) = item.record {
                let (fwd, rev) = super::direction::rmon_pair(f);
                let (fwd, rev) = (Record::Flow(Box::new(fwd)), Record::Flow(Box::new(rev)));
                let changed = Item { modified: true, ..*item };
                self.write_one(acc, &changed, &fwd, true)?;
                self.write_one(acc, &changed, &rev, true)?;
                return Ok(Flow::Continue);
            }
        }
        self.write_one(acc, item, item.record, is_flow)?;
        Ok(Flow::Continue)
    }

    fn reject(&self, acc: &mut EmitAcc, item: &Item) -> Result<(), Fatal> {
        // argus never writes an input's start MAR to the -E file as a record.
        let start_mar =
            matches!(item.record, Record::Mar(m) if m.header.cause == crate::record::cause::START);
        if start_mar {
            return Ok(());
        }
        for (i, t) in self.targets.iter().enumerate() {
            if t.except {
                Emitter::collect(acc, i, item.bytes, item);
            }
        }
        Ok(())
    }

    /// Records go to `-w`/`-E` files as read: nothing is printed, no
    /// file has a filter of its own, no `-N o` ranks, no `-M rmon` pairs.
    fn takes_stored(&self) -> bool {
        self.print.is_none()
            && !self.targets.is_empty()
            && self.targets.iter().all(|t| t.filter.is_none())
            && self.limits.output.end == 0
            && !self.rmon
    }

    fn accept_stored(
        &self,
        acc: &mut EmitAcc,
        record: &Stored,
        totals: &mut Totals,
    ) -> Result<Flow, Fatal> {
        if record.flow {
            totals.pkts = totals.pkts.wrapping_add(record.pkts);
            totals.bytes = totals.bytes.wrapping_add(record.bytes_total);
        }
        for (i, t) in self.targets.iter().enumerate() {
            if !t.except {
                Emitter::collect_bytes(acc, i, record.bytes, record.start_mar, false);
            }
        }
        Ok(Flow::Continue)
    }

    fn reject_stored(&self, acc: &mut EmitAcc, record: &Stored) -> Result<(), Fatal> {
        for (i, t) in self.targets.iter().enumerate() {
            if t.except {
                Emitter::collect_bytes(acc, i, record.bytes, record.start_mar, false);
            }
        }
        Ok(())
    }

    fn due(&self, acc: &EmitAcc) -> bool {
        acc.out.len() >= FLUSH_AT || acc.bytes.len() >= FLUSH_AT
    }

    fn initial_mar(&self, mar: &Mar) {
        let _ = self.source.set(mar.clone());
    }

    fn parallel(&self) -> bool {
        !self.ordered
    }

    fn decode(&self) -> DecodeOptions {
        self.decode
    }

    fn wants_rejects(&self) -> bool {
        self.targets.iter().any(|t| t.except)
    }
}

/// Stdout and the `-w`/`-E` files, written in reading order.
pub struct EmitOutput {
    stdout: io::Stdout,
    out: Vec<u8>,
    writers: Vec<AppendWriter>,
    /// The output's opening (header, XML prologue) was written.
    opened: bool,
    xml: bool,
    /// Stdout went away (`ra ... | head`).
    closed: bool,
}

impl EmitOutput {
    /// Stdout, and a writer for each `-w`/`-E` file (opened at the first
    /// record written to it).
    pub fn new(opts: &ClientOptions, emitter: &Emitter) -> Result<EmitOutput, Fatal> {
        let mut writers = Vec::new();
        for w in &opts.writes {
            writers.push(AppendWriter::new(&w.path).map_err(|e| io_fatal(&w.path, e))?);
        }
        Ok(EmitOutput {
            stdout: io::stdout(),
            out: Vec::new(),
            writers,
            opened: false,
            xml: emitter.print.as_ref().is_some_and(|p| p.format == Format::Xml),
            closed: false,
        })
    }

    fn write_stdout(&mut self, bytes: &[u8]) -> Flow {
        if self.closed {
            return Flow::Stop;
        }
        if bytes.is_empty() {
            return Flow::Continue;
        }
        match self.stdout.lock().write_all(bytes) {
            Ok(()) => Flow::Continue,
            Err(_) => {
                self.closed = true;
                Flow::Stop
            }
        }
    }

    /// Ends the output: the XML closing tag, the `-A` line, and every
    /// buffer flushed.
    pub fn finish(&mut self, summary: Option<String>) -> Result<(), Fatal> {
        let mut tail = std::mem::take(&mut self.out);
        if self.xml && self.opened && !self.closed {
            tail.extend_from_slice(XML_END);
        }
        if let Some(line) = summary {
            tail.extend_from_slice(line.as_bytes());
        }
        self.write_stdout(&tail);
        let _ = self.stdout.lock().flush();
        for w in &mut self.writers {
            w.flush().map_err(|e| io_fatal(w.path(), e))?;
        }
        Ok(())
    }
}

impl Merge<EmitAcc> for EmitOutput {
    fn merge(&mut self, acc: &mut EmitAcc) -> Result<Flow, Fatal> {
        if let Some(opening) = acc.opening.take() {
            if !self.opened {
                self.out.extend_from_slice(&opening);
            }
        }
        if acc.printed {
            self.opened = true;
            acc.printed = false;
        }
        let mut flow = Flow::Continue;
        if self.out.len() + acc.out.len() >= FLUSH_AT {
            // Large blocks go out as they are, without another copy.
            let pending = std::mem::take(&mut self.out);
            flow = self.write_stdout(&pending);
            if flow == Flow::Continue {
                flow = self.write_stdout(&acc.out);
            }
            self.out = pending;
            self.out.clear();
        } else {
            self.out.extend_from_slice(&acc.out);
        }
        acc.out.clear();
        for w in acc.writes.drain(..) {
            let Some(writer) = self.writers.get_mut(w.target) else { continue };
            let bytes = acc.bytes.get(w.from..w.to).unwrap_or(&[]);
            writer
                .write(bytes, &acc.start_mar, w.initial)
                .map_err(|e| io_fatal(writer.path(), e))?;
        }
        acc.bytes.clear();
        Ok(flow)
    }
}
