//! Where a client's selected records go, the way ra sends them: printed
//! (flow records; management records only with `RA_PRINT_MAN_RECORDS=yes`
//! or `-M man`; events with `RA_PRINT_EVENT_RECORDS=yes`; `-N o` ranks),
//! or, with `-w` / `-E`, written to archives and not printed: every selected
//! record, management records included, goes to each `-w` file whose own
//! filter it passes, and the records the filter rejects go to `-E`'s file.
//! `-M rmon` hands every flow on twice, as seen from each side. Unchanged
//! records are written as read; changed ones are encoded anew.

use std::io::{self, Write};

use super::limits::{OutputCounter, OutputDecision};
use super::options::ClientOptions;
use super::reader::{Flow, Item, RecordSink};
use super::totals::Totals;
use super::{printing, role};
use crate::codec;
use crate::diag::Fatal;
use crate::filter::Filter;
use crate::output::append::AppendWriter;
use crate::print::Printer;
use crate::record::{dsr::family, Record, RecordClass};

/// Stdout is written in blocks of this size.
const FLUSH_AT: usize = 64 * 1024;

/// One `-w` target and its own filter.
struct Target {
    writer: AppendWriter,
    filter: Option<Filter>,
    /// The `-E` file: rejected records only.
    except: bool,
}

/// Where ra's selected records go: the printer, or the `-w`/`-E` files.
pub struct Emitter {
    printer: Option<Printer>,
    targets: Vec<Target>,
    out: Vec<u8>,
    stdout: io::Stdout,
    ranks: OutputCounter,
    print_man: bool,
    print_event: bool,
    rmon: bool,
    /// Scratch for records that must be encoded anew.
    encoded: Vec<u8>,
    /// Stdout went away (`ra ... | head`).
    closed: bool,
}

fn io_fatal(what: &str, e: io::Error) -> Fatal {
    Fatal::err(format!("{what}: {}", crate::archive::strerror(&e)))
}

impl Emitter {
    fn flush_stdout(&mut self) -> Flow {
        if self.out.is_empty() || self.closed {
            return if self.closed { Flow::Stop } else { Flow::Continue };
        }
        let r = self.stdout.lock().write_all(&self.out);
        self.out.clear();
        match r {
            Ok(()) => Flow::Continue,
            Err(_) => {
                self.closed = true;
                Flow::Stop
            }
        }
    }

    fn write_one(&mut self, item: &Item, record: &Record, ranked: bool) -> Result<Flow, Fatal> {
        // A changed record is encoded once, for the first file that takes it.
        let mut encoded = false;
        for i in 0..self.targets.len() {
            if self.targets[i].except {
                continue;
            }
            if let Some(f) = &self.targets[i].filter {
                if !f.matches(record) {
                    continue;
                }
            }
            if ranked {
                match self.ranks.decide() {
                    OutputDecision::Emit => {}
                    OutputDecision::Skip => continue,
                    OutputDecision::Stop => break,
                }
            }
            if item.modified && !encoded {
                self.encoded.clear();
                codec::encode(record, &mut self.encoded).map_err(|e| {
                    Fatal::err(format!("record at byte offset {}: {e}", item.offset))
                })?;
                encoded = true;
            }
            let bytes: &[u8] = if item.modified { &self.encoded } else { item.bytes };
            let t = &mut self.targets[i];
            t.writer
                .write(bytes, item.start_mar, item.initial)
                .map_err(|e| io_fatal(t.writer.path(), e))?;
        }
        Ok(Flow::Continue)
    }

    fn print_one(&mut self, item: &Item) -> Flow {
        let Some(p) = self.printer.as_mut() else { return Flow::Continue };
        if let Record::Mar(m) = item.record {
            if item.initial {
                p.set_source(m);
            }
        }
        let wanted = match item.record {
            Record::Mar(_) => self.print_man,
            Record::Flow(f) if f.header.class == RecordClass::Event => self.print_event,
            Record::Flow(_) => {
                // rmon prints each flow twice, each with its own rank
                let (a, b) = if self.rmon {
                    (self.ranks.decide(), self.ranks.decide())
                } else {
                    (self.ranks.decide(), OutputDecision::Skip)
                };
                match (a, b) {
                    (OutputDecision::Emit, _) | (_, OutputDecision::Emit) => true,
                    (OutputDecision::Stop, _) => return Flow::Stop,
                    _ => false,
                }
            }
        };
        if wanted {
            p.print_at(item.record, Some(item.offset), &mut self.out);
            if self.out.len() >= FLUSH_AT {
                return self.flush_stdout();
            }
        }
        Flow::Continue
    }
}

/// The record as `-M rmon` hands it on first: REVERSE and DIRECTION bits
/// cleared; and its reversal, likewise cleared.
fn rmon_pair(record: &Record) -> Option<(Record, Record)> {
    let Record::Flow(f) = record else { return None };
    let clear = |f: &mut crate::record::Flow| {
        if let Some(k) = f.key.as_mut() {
            k.reversed = false;
            k.qual &= !family::DIRECTION;
        }
    };
    let mut fwd = f.clone();
    clear(&mut fwd);
    let mut rev = f.clone();
    rev.reverse();
    clear(&mut rev);
    Some((Record::Flow(fwd), Record::Flow(rev)))
}

impl RecordSink for Emitter {
    fn accept(&mut self, item: &Item, totals: &mut Totals) -> Result<Flow, Fatal> {
        let is_flow = matches!(item.record, Record::Flow(f)
            if matches!(f.header.class, RecordClass::Flow | RecordClass::NetFlow));
        if is_flow {
            if let Record::Flow(f) = item.record {
                let (s, d) = (f.src_metrics(), f.dst_metrics());
                totals.pkts += s.pkts + d.pkts;
                totals.bytes += s.bytes + d.bytes;
            }
        }
        if self.targets.is_empty() {
            return Ok(self.print_one(item));
        }
        if is_flow && self.rmon {
            if let Some((fwd, rev)) = rmon_pair(item.record) {
                let changed = Item { modified: true, ..*item };
                self.write_one(&changed, &fwd, true)?;
                self.write_one(&changed, &rev, true)?;
                return Ok(Flow::Continue);
            }
        }
        self.write_one(item, item.record, is_flow)
    }

    fn wants_whole_records(&self) -> bool {
        self.targets.is_empty() || self.rmon || self.targets.iter().any(|t| t.filter.is_some())
    }

    fn wants_rejects(&self) -> bool {
        self.targets.iter().any(|t| t.except)
    }

    fn reject(&mut self, item: &Item) -> Result<(), Fatal> {
        // argus never writes an input's start MAR to the -E file as a record.
        let start_mar =
            matches!(item.record, Record::Mar(m) if m.header.cause == crate::record::cause::START);
        if start_mar {
            return Ok(());
        }
        for t in self.targets.iter_mut().filter(|t| t.except) {
            t.writer
                .write(item.bytes, item.start_mar, false)
                .map_err(|e| io_fatal(t.writer.path(), e))?;
        }
        Ok(())
    }
}

impl Emitter {
    /// The printer (unless `-q`), or the `-w`/`-E` files with their
    /// filters when there are any (then nothing is printed).
    pub fn new(opts: &ClientOptions) -> Result<Emitter, Fatal> {
        let mut targets = Vec::new();
        for w in &opts.writes {
            let except = opts.except_file.as_deref() == Some(w.path.as_str()) && w.filter.is_none();
            let filter = match &w.filter {
                Some(f) => Some(role::compile_filter_or(
                    &opts.prog,
                    f,
                    opts.print.precision,
                    Some("setArgusWfile: ArgusFilterCompile returned error"),
                )?),
                None => None,
            };
            let writer = AppendWriter::new(&w.path).map_err(|e| io_fatal(&w.path, e))?;
            targets.push(Target { writer, filter, except });
        }
        let printer = if targets.is_empty() && !opts.quiet {
            Some(Printer::new(printing::print_options(opts)?))
        } else {
            None
        };
        Ok(Emitter {
            printer,
            targets,
            out: Vec::with_capacity(FLUSH_AT * 2),
            stdout: io::stdout(),
            ranks: OutputCounter::new(&opts.limits),
            print_man: opts.print_man_records(),
            print_event: opts.print_event,
            rmon: opts.print.rmon,
            encoded: Vec::new(),
            closed: false,
        })
    }

    /// Ends the output: the XML closing tag, the `-A` line, and every
    /// buffer flushed.
    pub fn finish(&mut self, summary: Option<String>) -> Result<(), Fatal> {
        if let Some(p) = self.printer.as_mut() {
            if !self.closed {
                p.finish(&mut self.out);
            }
        }
        if let Some(line) = summary {
            self.out.extend_from_slice(line.as_bytes());
        }
        self.flush_stdout();
        for t in &mut self.targets {
            t.writer.flush().map_err(|e| io_fatal(t.writer.path(), e))?;
        }
        Ok(())
    }
}
