//! The `ra` role: read records, select them, and print them — or, with
//! `-w`, write them to archives.
//!
//! What is printed (ra 3.0.8.2's `RaProcessRecord`): flow records;
//! management records only with `RA_PRINT_MAN_RECORDS=yes` or `-M man`;
//! event records only with `RA_PRINT_EVENT_RECORDS=yes`. With `-w` (or
//! `-E`) nothing is printed: every selected record, management records
//! included, goes to each `-w` file whose own filter it passes, and the
//! records the filter rejects go to `-E`'s file. `-M rmon` handles every
//! flow twice, as seen from each side. Several inputs are read one after
//! the other as one stream.

use std::ffi::OsString;
use std::io::{self, Write};

use crate::client::options::{ClientOptions, RoleSpec};
use crate::client::reader::{self, Flow, Item, RecordSink};
use crate::client::select::Selector;
use crate::client::totals::Totals;
use crate::client::{limits::OutputCounter, limits::OutputDecision, printing, role, usage};
use crate::codec;
use crate::diag::{Fatal, EXIT_OK};
use crate::filter::Filter;
use crate::output::append::AppendWriter;
use crate::print::Printer;
use crate::record::{dsr::family, Record, RecordClass};

pub const SPEC: RoleSpec =
    RoleSpec { name: "ra", usage: usage::ra, long_options: &[], long_parser: None };

/// Runs `ra` with `args` (args[0] is the role name) and returns the exit status.
pub fn main(args: Vec<OsString>) -> i32 {
    role::run(&SPEC, args, run)
}

/// Compiles a filter expression, with ra's error message on failure.
pub fn compile_filter(prog: &str, expr: &str) -> Result<Filter, Fatal> {
    Filter::compile(expr).map_err(|e| {
        if !e.message.is_empty() && !e.message.starts_with("filter syntax error") {
            crate::diag::log(prog, &e.message);
        }
        Fatal::err(role::filter_syntax_message(expr))
    })
}

/// Stdout is written in blocks of this size.
const FLUSH_AT: usize = 64 * 1024;

/// One `-w` target and its own filter.
struct Target {
    writer: AppendWriter,
    filter: Option<Filter>,
    /// The `-E` file: rejected records only.
    except: bool,
}

/// Where ra's selected records go.
struct RaSink {
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

impl RaSink {
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

    /// The bytes to write for a record: as read, or encoded when changed.
    fn record_bytes<'a>(&'a mut self, item: &'a Item, record: &Record) -> Result<&'a [u8], Fatal> {
        if !item.modified {
            return Ok(item.bytes);
        }
        self.encoded.clear();
        codec::encode(record, &mut self.encoded)
            .map_err(|e| Fatal::err(format!("record at byte offset {}: {e}", item.offset)))?;
        Ok(&self.encoded)
    }

    fn write_one(&mut self, item: &Item, record: &Record, ranked: bool) -> Result<Flow, Fatal> {
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
            let bytes = self.record_bytes(item, record)?.to_vec();
            let t = &mut self.targets[i];
            t.writer
                .write(&bytes, item.start_mar, item.initial)
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

impl RecordSink for RaSink {
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

fn run(opts: ClientOptions) -> Result<i32, Fatal> {
    let filter = match opts.filter.effective() {
        Some(expr) => Some(compile_filter(&opts.prog, expr)?),
        None => None,
    };
    let mut targets = Vec::new();
    for w in &opts.writes {
        let except = opts.except_file.as_deref() == Some(w.path.as_str()) && w.filter.is_none();
        let filter = match &w.filter {
            Some(f) => Some(compile_filter(&opts.prog, f)?),
            None => None,
        };
        let writer = AppendWriter::new(&w.path).map_err(|e| io_fatal(&w.path, e))?;
        targets.push(Target { writer, filter, except });
    }
    let printer = if targets.is_empty() && !opts.quiet {
        Some(Printer::new(printing::print_options(&opts)?))
    } else {
        None
    };
    let mut selector = Selector::new(&opts, filter).map_err(Fatal::err)?;
    let mut sink = RaSink {
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
    };

    let ended = reader::read_all(&opts, &mut selector, &mut sink)?;

    if let Some(p) = sink.printer.as_mut() {
        if !sink.closed {
            p.finish(&mut sink.out);
        }
    }
    if opts.summary {
        sink.out.extend_from_slice(selector.totals.summary_line(&selector.counter).as_bytes());
    }
    sink.flush_stdout();
    for t in &mut sink.targets {
        t.writer.flush().map_err(|e| io_fatal(t.writer.path(), e))?;
    }
    if ended == reader::Ended::Stopped {
        // ra ends on its output limit (or a closed pipe) with status 0.
        return Ok(EXIT_OK);
    }
    Ok(selector.totals.exit_status(&selector.counter, selector.is_selective()))
}
