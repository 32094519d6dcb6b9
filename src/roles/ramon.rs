//! The `ramon` role: Argus 2's RMON-style reports, which 3.0 dropped.
//!
//! * `-M TopN` (the default): one row per host address with the packets
//!   and bytes it sent (out) and received (in), the top N by bytes
//!   (`-N n` or `--topn n`; 0 or absent = all). The numbers are those of
//!   3.0.8.2's `racluster -M rmon -m saddr`.
//! * `-M Matrix`: one row per (source, destination) address pair, the
//!   numbers of `racluster -m saddr daddr`.
//!
//! The report is a table ([`report`]) or, with `-w file` / `-w -`, argus
//! records ([`records`]) that every ra* client reads. The stages are the
//! shared ones: options, [`reader::read_all`] with the [`Selector`] (filter,
//! `-t`), and the tables of [`crate::aggregate`].

use std::ffi::OsString;
use std::io::Write;

use crate::aggregate::report::{self, Column, Row, Style};
use crate::aggregate::{records, Counters, Endpoint, HostTable, PairTable, RawAdd};
use crate::client::getopt::LongOpt;
use crate::client::limits::Limits;
use crate::client::options::{ClientOptions, LayoutStep, RoleSpec};
use crate::client::parallel::{self, Job, Merge};
use crate::client::reader::{self, Flow, Item};
use crate::client::role;
use crate::client::select::Selector;
use crate::client::totals::Totals;
use crate::codec::{self, raw, DecodeOptions, RecordBuf, SlotSet};
use crate::diag::Fatal;
use crate::output::append::AppendWriter;
use crate::print::timefmt::TimeFormatter;
use crate::record::field::DEFAULT_FIELDS;
use crate::record::{Slot, MAR_LEN};

const USAGE: &str = "\
Ramon Version 3.0.8.2
usage: {prog} -M TopN [options] [- filter-expression]
usage: {prog} -M Matrix [options] [- filter-expression]
options: -M <mode>              report to produce:
            TopN                per host: packets and bytes sent (out) and received (in)
            Matrix              per source and destination address pair
         -N <num>               report the top <num> rows by bytes (0: all); <a-b>: ranks a to b.
         --topn <num>           the same as -N <num>.
         -A                     print record summaries on termination.
         -c <char>              specify a delimiter <char> for output columns.
         -F <conffile>          read configuration from <conffile>.
         -h                     print help.
         -L -1                  don't print the header line.
         -n                     don't convert numbers to names.
         -p <digits>            print fractional time with <digits> precision.
         -q                     quiet mode. don't print the report.
         -r <file ...>          read argus data from <file>. '-' denotes stdin.
         -R <dir>               recursively process files in directory
         -s [-][+]field         specify fields to print.
                   fields:      rank, saddr, daddr, dir, trans, pkts, spkts, dpkts,
                                bytes, sbytes, dbytes, appbytes, sappbytes, dappbytes,
                                stime, ltime, dur
         -S <host[:port]>       specify remote argus and optional port number
         -t <timerange>         specify <timerange> for reading records.
         -u                     print time in Unix time format.
         -w <file>              write the report as argus records to <file>. '-' denotes stdout.
         -X                     don't read default rarc file.
";

fn usage(prog: &str) -> String {
    USAGE.replace("{prog}", prog)
}

static LONG: [LongOpt; 1] = [LongOpt { name: "topn", takes_value: true }];

fn long_parser() -> clap::Command {
    clap::Command::new("ramon")
        .arg(clap::Arg::new("topn").long("topn").value_parser(clap::value_parser!(u64)))
}

pub const SPEC: RoleSpec =
    RoleSpec { name: "ramon", usage, long_options: &LONG, long_parser: Some(long_parser) };

/// Runs `ramon` with `args` (args[0] is the role name) and returns the exit status.
pub fn main(args: Vec<OsString>) -> i32 {
    role::run(&SPEC, args, run)
}

/// Which report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Report {
    TopN,
    Matrix,
}

/// The report from the `-M` words (the last report word wins); other
/// words are left to the shared options, as ra leaves unknown modes.
fn report_of(opts: &ClientOptions) -> Report {
    let mut r = Report::TopN;
    for m in &opts.modes {
        if m.eq_ignore_ascii_case("topn") {
            r = Report::TopN;
        } else if m.eq_ignore_ascii_case("matrix") {
            r = Report::Matrix;
        }
    }
    r
}

/// The first and last rank reported (1-based, inclusive; `None` = to the
/// end). `--topn` wins; `-N n` (input or output stream alike) means the
/// top n, `-N a-b` ranks a to b. ramon reads all its input: the `-N`
/// limits are taken away from the record selection.
fn ranks(opts: &mut ClientOptions) -> (usize, Option<usize>) {
    let limits = std::mem::take(&mut opts.limits);
    let long = opts.long.as_ref().and_then(|m| m.get_one::<u64>("topn").copied());
    if let Some(n) = long {
        return (1, (n > 0).then_some(n as usize));
    }
    let d = Limits::default();
    let range = if limits.input != d.input {
        limits.input
    } else if limits.output != d.output {
        limits.output
    } else {
        return (1, None);
    };
    let first = range.start.max(1) as usize;
    let last = (range.end > 0).then_some(range.end as usize);
    (first, last.map(|l| l.max(first)))
}

/// The table of one chunk of records (or of the whole run, merged).
enum Table {
    Hosts(HostTable),
    Pairs(PairTable),
}

impl Table {
    fn new(report: Report) -> Table {
        match report {
            Report::TopN => Table::Hosts(HostTable::new()),
            Report::Matrix => Table::Pairs(PairTable::new()),
        }
    }

    fn add(&mut self, rec: &crate::record::Record) {
        match self {
            Table::Hosts(t) => t.add(rec),
            Table::Pairs(t) => t.add(rec),
        }
    }

    /// Counts a flow or NetFlow record from its bytes; see
    /// [`HostTable::add_raw`].
    fn add_raw(&mut self, rec: &[u8], times: bool) -> RawAdd {
        match self {
            Table::Hosts(t) => t.add_raw(rec, times),
            Table::Pairs(t) => t.add_raw(rec, times),
        }
    }

    /// The records of a whole memory-mapped input (`input` starts with its
    /// initial MAR), read from their bytes where they tell and decoded
    /// with `rb` where not; as [`raw::RawRecords`] and [`RawAdd`] say,
    /// `None` when the input must be read the ordinary way (then the
    /// table holds part of it). Else (flow records, other MARs) read.
    /// `times`: keep the rows' times (see [`HostTable::add_raw`]).
    fn add_input(&mut self, input: &[u8], rb: &mut RecordBuf, times: bool) -> Option<(u64, u64)> {
        // The walk starts after an initial MAR of the usual length.
        let head = input.get(..4)?;
        if usize::from(u16::from_be_bytes([head[2], head[3]])) * 4 != MAR_LEN {
            return None;
        }
        let (mut flows, mut mars) = (0u64, 0u64);
        for item in raw::RawRecords::after_initial_mar(input)? {
            let rec = match item {
                raw::RawItem::Flow(rec) => rec,
                raw::RawItem::Mar => {
                    mars += 1;
                    continue;
                }
                raw::RawItem::Unusual => return None,
            };
            flows += 1;
            match self.add_raw(rec, times) {
                RawAdd::Added => {}
                RawAdd::Decode => self.add(rb.decode(rec).ok()?),
                RawAdd::Unusual => return None,
            }
        }
        Some((flows, mars))
    }

    /// The first `n` ranked rows (all for `None`), as (source,
    /// destination for pairs, totals).
    fn into_ranked(self, n: Option<usize>) -> Vec<Row3> {
        match self {
            Table::Hosts(t) => t.into_ranked(n).into_iter().map(|(h, c)| (h, None, c)).collect(),
            Table::Pairs(t) => {
                t.into_ranked(n).into_iter().map(|((s, d), c)| (s, Some(d), c)).collect()
            }
        }
    }

    /// Adds `other` into this table (same report).
    fn merge(&mut self, other: Table) {
        match (self, other) {
            (Table::Hosts(a), Table::Hosts(b)) => a.merge(b),
            (Table::Pairs(a), Table::Pairs(b)) => a.merge(b),
            _ => {}
        }
    }
}

/// What one chunk of records adds: its table, and the first start MAR seen
/// (for the `-w` header).
struct Acc {
    table: Table,
    start_mar: Vec<u8>,
}

/// The aggregation as the parallel reader runs it: a table per chunk,
/// merged in reading order on the main thread.
struct Aggregation {
    report: Report,
    decode: DecodeOptions,
    /// `-A`: the totals line needs the packet and byte sums.
    summary: bool,
}

impl Job for Aggregation {
    type Acc = Acc;

    fn acc(&self, _parallel: bool) -> Acc {
        Acc { table: Table::new(self.report), start_mar: Vec::new() }
    }

    fn decode(&self) -> DecodeOptions {
        self.decode
    }

    /// One table for the whole run: a table per chunk costs as many hash
    /// insertions again when the chunks are merged (every chunk sees most
    /// of the busy hosts), and the CPU time is what a report over months
    /// of archives is paid in. Reading stays the shared reader's.
    fn parallel(&self) -> bool {
        false
    }

    fn accept(&self, acc: &mut Acc, item: &Item, totals: &mut Totals) -> Result<Flow, Fatal> {
        if acc.start_mar.is_empty() && !item.start_mar.is_empty() {
            acc.start_mar = item.start_mar.to_vec();
        }
        if self.summary {
            if let crate::record::Record::Flow(f) = item.record {
                let (s, d) = (f.src_metrics(), f.dst_metrics());
                totals.pkts = totals.pkts.wrapping_add(s.pkts.wrapping_add(d.pkts));
                totals.bytes = totals.bytes.wrapping_add(s.bytes.wrapping_add(d.bytes));
            }
        }
        acc.table.add(item.record);
        Ok(Flow::Continue)
    }
}

impl Merge<Acc> for Acc {
    fn merge(&mut self, acc: &mut Acc) -> Result<Flow, Fatal> {
        let other = std::mem::replace(&mut acc.table, Table::new(Report::TopN));
        self.table.merge(other);
        if self.start_mar.is_empty() {
            self.start_mar = std::mem::take(&mut acc.start_mar);
        }
        Ok(Flow::Continue)
    }
}

/// The `-s` columns: the role's defaults, then every `-s` list in order. A
/// list equal to ra's default columns is what `-X` puts back, so it means
/// "the defaults" here too.
fn columns(opts: &ClientOptions, report: Report) -> Vec<Column> {
    let defaults = match report {
        Report::TopN => report::HOST_COLUMNS,
        Report::Matrix => report::PAIR_COLUMNS,
    };
    let mut cols = defaults.to_vec();
    for step in &opts.print.layout {
        if let LayoutStep::Fields(words) = step {
            let ra_defaults = words.len() == DEFAULT_FIELDS.len()
                && words.iter().zip(DEFAULT_FIELDS).all(|(w, f)| w == f.name());
            if ra_defaults {
                cols = defaults.to_vec();
            } else {
                report::apply_field_words(&mut cols, words);
            }
        }
    }
    cols
}

fn run(mut opts: ClientOptions) -> Result<i32, Fatal> {
    let report = report_of(&opts);
    let (first, last) = ranks(&mut opts);
    if report == Report::TopN && !opts.has_mode("rmon") {
        // As racluster -M rmon: no port-direction turn-arounds.
        opts.modes.push("rmon".to_string());
    }
    let mut writers = Vec::new();
    for w in &opts.writes {
        let filter = role::compile_write_filter(&opts, w)?;
        let writer = AppendWriter::new(&w.path).map_err(|e| io_fatal(&w.path, e))?;
        writers.push((writer, filter));
    }
    let filter = match opts.filter.effective() {
        Some(expr) => Some(role::compile_filter(&opts.prog, expr, opts.print.precision)?),
        None => None,
    };
    let mut selector = Selector::new(&opts, filter).map_err(Fatal::err)?;
    // The tables read the key, times, counters, AGR count and the network
    // and ICMP objects (ra's direction and time repairs), plus whatever
    // the selection reads.
    let slots = [Slot::Key, Slot::Time, Slot::Metrics, Slot::Agr, Slot::Network, Slot::Icmp];
    // Without the DSR layout (15% fewer instructions over big.argus). An
    // ARP key of an odd length, which ra reads with the bytes of the DSR
    // after it, is decoded in full even so, and reads as ra reads it.
    let decode = selector.judge.decode_for(SlotSet::of(&slots));
    let job = Aggregation { report, decode, summary: opts.summary };
    let mut sink = job.acc(false);
    // Plain files and a selection that reads nothing: the records are
    // counted from their bytes (codec::raw), the few the bytes do not
    // tell decoded one by one. (-A's sums come from the ordinary path.)
    // The rows' times are only kept for records out (-w) or a time column.
    let time_columns = [Column::Stime, Column::Ltime, Column::Dur];
    let times = !writers.is_empty()
        || (!opts.quiet && columns(&opts, report).iter().any(|c| time_columns.contains(c)));
    let raw = selector.judge.reads_nothing()
        && !opts.summary
        && reader::raw_inputs(&opts, &mut selector, |input| {
            if sink.start_mar.is_empty() {
                sink.start_mar = input.get(..MAR_LEN)?.to_vec();
            }
            let mut rb = RecordBuf::with_options(decode);
            sink.table.add_input(input, &mut rb, times)
        })?;
    if !raw {
        sink = job.acc(false);
        parallel::run(&opts, &mut selector, &job, &mut sink)?;
    }

    // Only the rows up to the last rank wanted are sorted.
    let rows = sink.table.into_ranked(last);
    let end = last.unwrap_or(rows.len()).min(rows.len());
    let begin = (first - 1).min(end);
    let chosen = &rows[begin..end];

    if !writers.is_empty() {
        write_records(&mut writers, chosen, &sink.start_mar)?;
    } else if !opts.quiet {
        print_table(&opts, report, begin, chosen)?;
    }
    if opts.summary {
        let line = selector.totals.summary_line(&selector.counter);
        let _ = std::io::stdout().lock().write_all(line.as_bytes());
    }
    let status = selector.totals.exit_status(&selector.counter, selector.is_selective());
    Ok(status)
}

fn io_fatal(what: &str, e: std::io::Error) -> Fatal {
    Fatal::err(format!("{what}: {}", crate::archive::strerror(&e)))
}

type Row3 = (Endpoint, Option<Endpoint>, Counters);

fn write_records(
    writers: &mut [(AppendWriter, Option<crate::filter::Filter>)],
    rows: &[Row3],
    start_mar: &[u8],
) -> Result<(), Fatal> {
    let mut bytes = Vec::new();
    for (src, dst, c) in rows {
        let rec = records::row_record(*src, *dst, c);
        bytes.clear();
        codec::encode(&rec, &mut bytes).map_err(|e| Fatal::err(format!("encoding a row: {e}")))?;
        for (w, f) in writers.iter_mut() {
            if f.as_ref().is_some_and(|f| !f.matches(&rec)) {
                continue;
            }
            w.write(&bytes, start_mar, false).map_err(|e| io_fatal(w.path(), e))?;
        }
    }
    for (w, _) in writers.iter_mut() {
        w.flush().map_err(|e| io_fatal(w.path(), e))?;
    }
    Ok(())
}

fn print_table(
    opts: &ClientOptions,
    report: Report,
    begin: usize,
    rows: &[Row3],
) -> Result<(), Fatal> {
    let precision = opts.print.precision.clamp(0, 9) as usize;
    let mut style = Style {
        columns: columns(opts, report),
        hosts: report == Report::TopN,
        header: opts.print.label_every != 0,
        delimiter: opts.print.delimiter,
        times: TimeFormatter::new(&opts.print.time_format, opts.print.unix_time, precision, false),
        precision,
    };
    let shown: Vec<Row> = rows
        .iter()
        .enumerate()
        .map(|(i, (src, dst, c))| Row { rank: begin + i + 1, src: *src, dst: *dst, counters: c })
        .collect();
    let mut out = Vec::new();
    report::render(&shown, &mut style, &mut out);
    // A closed pipe (`ramon ... | head`) is not an error.
    let _ = std::io::stdout().lock().write_all(&out);
    Ok(())
}
