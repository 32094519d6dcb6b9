//! Reading every input of a run in argus's order and handing the selected
//! records to a role: files (`-r`, `-R`, or stdin when nothing is named)
//! first, then remote servers (`-S`).
//!
//! For each input: an input that cannot be opened is reported in ra's words
//! (`open 'F': No such file or directory`) and makes the exit status 2; an
//! input that is not an argus stream is skipped (with a line saying so,
//! where ra says nothing); a damaged one is read up to the damage, which is
//! reported with its byte offset. Every record goes through the [`Selector`]; accepted and
//! rejected records go to the role's [`RecordSink`].

use super::options::{ClientOptions, InputSpec};
use super::select::{Selector, Verdict};
use super::totals::Totals;
use crate::archive::{self, remote::Endpoint, Input, Source};
use crate::codec::{End, RecordBuf, Records};
use crate::diag::{self, Fatal};
use crate::record::Record;

/// One record handed to a role.
pub struct Item<'a> {
    pub record: &'a Record,
    /// The bytes the record was read from (stale when `modified`).
    pub bytes: &'a [u8],
    /// Byte offset in its (decompressed) input.
    pub offset: u64,
    /// The input's initial MAR.
    pub initial: bool,
    /// The record was changed after reading (direction fix-up, `-M dsrs=`).
    pub modified: bool,
    /// The initial MAR of the input being read, as read.
    pub start_mar: &'a [u8],
    /// The input's place among the run's inputs ([`sources`]).
    pub input: usize,
}

/// Whether the role wants more records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Stop reading (output limit reached, output closed).
    Stop,
}

/// What a role does with the records.
pub trait RecordSink {
    /// A record passed the selection.
    fn accept(&mut self, item: &Item, totals: &mut Totals) -> Result<Flow, Fatal>;
    /// A record failed the filter (for `-E`).
    fn reject(&mut self, _item: &Item) -> Result<(), Fatal> {
        Ok(())
    }
}

/// How a run's reading ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// All inputs were read, or `-N` was satisfied.
    Done,
    /// The role asked to stop.
    Stopped,
}

/// One input to read, with the `file::start:stop` byte range if given.
pub type Planned = (Source, Option<(u64, u64)>);

/// The sources of a run, in reading order.
pub fn sources(opts: &ClientOptions) -> Result<Vec<Planned>, Fatal> {
    let mut out: Vec<Planned> =
        opts.inputs.iter().map(|i: &InputSpec| (Source::parse(&i.path), i.range)).collect();
    if opts.read_remote {
        for spec in &opts.remotes {
            let mut ep = Endpoint::parse(spec).map_err(Fatal::err)?;
            if let Some(port) = opts.remote_port {
                let explicit = spec.rsplit_once(':').is_some_and(|(h, p)| {
                    !h.is_empty() && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
                });
                if !explicit {
                    ep.port = port;
                }
            }
            out.push((Source::Remote(ep), None));
        }
    }
    if out.is_empty() {
        out.push((Source::Stdin, None));
    }
    Ok(out)
}

/// Opens one input of the run (a remote server gets the remote filter).
pub fn open(opts: &ClientOptions, source: &Source) -> Result<Input, archive::OpenError> {
    match source {
        Source::Remote(ep) => archive::remote::connect(ep, opts.filter.remote.as_deref()),
        s => archive::open(s),
    }
}

/// How reading one input ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// The input was read to its end.
    Finished,
    /// The `-N` input limit was reached: read no further input.
    LimitReached,
    /// The role asked to stop.
    Stopped,
}

/// Reads one opened input, one record after the other, through `selector`
/// into `sink`; `range` is the `file::start:stop` byte range, `index` the
/// input's place in the run.
#[allow(clippy::too_many_arguments)]
pub fn read_one(
    opts: &ClientOptions,
    input: &mut Input,
    range: Option<(u64, u64)>,
    index: usize,
    selector: &mut Selector,
    sink: &mut dyn RecordSink,
    rb: &mut RecordBuf,
) -> Result<Read, Fatal> {
    match range {
        Some((start, stop)) => read_range(opts, input, start, stop, index, selector, sink, rb),
        None => read_input(opts, input, index, selector, sink, rb),
    }
}

/// Decodes, selects and dispatches one record.
#[allow(clippy::too_many_arguments)]
fn handle(
    opts: &ClientOptions,
    rb: &mut RecordBuf,
    bytes: &[u8],
    (offset, index): (u64, usize),
    initial: bool,
    start_mar: &[u8],
    selector: &mut Selector,
    sink: &mut dyn RecordSink,
) -> Result<Read, Fatal> {
    if let Err(e) = rb.decode(bytes) {
        diag::log(&opts.prog, &format!("record at byte offset {offset}: {e}"));
        return Ok(Read::Finished);
    }
    let offer = selector.offer(rb.record_mut(), initial);
    let item = Item {
        record: rb.record(),
        bytes,
        offset,
        initial,
        modified: offer.modified,
        start_mar,
        input: index,
    };
    match offer.verdict {
        Verdict::Accept => {
            if sink.accept(&item, &mut selector.totals)? == Flow::Stop {
                return Ok(Read::Stopped);
            }
        }
        Verdict::Reject => sink.reject(&item)?,
        Verdict::Skip => {}
    }
    Ok(if offer.stop { Read::LimitReached } else { Read::Finished })
}

fn read_input(
    opts: &ClientOptions,
    input: &mut Input,
    index: usize,
    selector: &mut Selector,
    sink: &mut dyn RecordSink,
    rb: &mut RecordBuf,
) -> Result<Read, Fatal> {
    let mut start_mar: Vec<u8> = Vec::new();
    let poll = opts.has_mode("poll");
    // -T secs: a remote source is read for that long (checked as records
    // arrive; an idle connection is not interrupted).
    let deadline = match opts.run_time {
        Some(t) if t > 0 && input.is_remote() => {
            Some(std::time::Instant::now() + std::time::Duration::from_secs(t as u64))
        }
        _ => None,
    };
    while let Some(item) = input.next_record() {
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            break;
        }
        let rec = match item {
            Ok(r) => r,
            Err(e) => {
                // ra skips an input that is not argus data without a word;
                // we name it (docs/differences.md), except an empty one.
                let silent = matches!(e.kind, archive::ReadErrorKind::Format(End::Empty));
                if !silent {
                    diag::log(&opts.prog, &e.to_string());
                }
                break;
            }
        };
        if rec.initial {
            start_mar.clear();
            start_mar.extend_from_slice(rec.bytes);
            selector.input_opened();
        }
        let initial = rec.initial;
        let at = (rec.offset, index);
        match handle(opts, rb, rec.bytes, at, initial, &start_mar, selector, sink)? {
            Read::Finished => {}
            other => return Ok(other),
        }
        // -M poll: only the initial MAR of each input.
        if initial && poll {
            break;
        }
    }
    Ok(Read::Finished)
}

/// `-r file::start:stop`: the initial MAR, then the records between two
/// byte offsets (argus skips the initial MAR's own processing here).
/// Possible for inputs held in memory (plain files).
#[allow(clippy::too_many_arguments)]
fn read_range(
    opts: &ClientOptions,
    input: &mut Input,
    start: u64,
    stop: u64,
    index: usize,
    selector: &mut Selector,
    sink: &mut dyn RecordSink,
    rb: &mut RecordBuf,
) -> Result<Read, Fatal> {
    let name = input.name().to_string();
    let Some(buf) = input.bytes() else {
        return Err(Fatal::err(format!(
            "{name}: byte offsets need an uncompressed file, not a stream"
        )));
    };
    let mut all = Records::new(buf);
    let Some(first) = all.next().filter(|r| r.initial) else { return Ok(Read::Finished) };
    let start_mar = first.bytes.to_vec();
    selector.input_opened();
    // Records that start before `stop` are read (ra stops once its read
    // offset reaches it), whole.
    let begin = usize::try_from(start).unwrap_or(usize::MAX).min(buf.len());
    for rec in Records::range(buf, begin, buf.len()).take_while(|r| r.offset < stop) {
        match handle(opts, rb, rec.bytes, (rec.offset, index), false, &start_mar, selector, sink)? {
            Read::Finished => {}
            other => return Ok(other),
        }
    }
    Ok(Read::Finished)
}
