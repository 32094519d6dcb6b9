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

/// Reads every input through `selector` into `sink`, one record after the
/// other, fully decoded (the sequential reader; [`super::parallel::run`]
/// reads on every core).
pub fn read_all(
    opts: &ClientOptions,
    selector: &mut Selector,
    sink: &mut dyn RecordSink,
) -> Result<Ended, Fatal> {
    let mut rb = RecordBuf::new();
    for (index, (source, range)) in sources(opts)?.into_iter().enumerate() {
        if !selector.wants_more() {
            break;
        }
        let mut input = match open(opts, &source) {
            Ok(i) => i,
            Err(e) => {
                diag::log(&opts.prog, &e.to_string());
                selector.totals.open_failed = true;
                continue;
            }
        };
        match read_one(opts, &mut input, range, index, selector, sink, &mut rb)? {
            Read::Finished => {}
            Read::LimitReached => break,
            Read::Stopped => return Ok(Ended::Stopped),
        }
    }
    Ok(Ended::Done)
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

/// Reads plain files whole, as memory-mapped bytes, for a role that walks
/// their records itself (`codec::raw`): `each` gets each input's bytes
/// (its initial MAR first) and answers the number of (flow, management)
/// records it read after the initial MAR, or `None` when the input needs
/// the ordinary reader. The selection's counts are then as if the records
/// had been offered one by one, which only holds when the selection reads
/// nothing ([`Judge::reads_nothing`]: the caller's part).
///
/// False, with nothing counted, when some input needs the ordinary reader
/// (a compressed file, stdin, a byte range, a record it reports on, a
/// limit on the records read): the caller then reads the whole run that
/// way, forgetting what `each` added.
///
/// [`Judge::reads_nothing`]: super::select::Judge::reads_nothing
pub fn raw_inputs(
    opts: &ClientOptions,
    selector: &mut Selector,
    mut each: impl FnMut(&[u8]) -> Option<(u64, u64)>,
) -> Result<bool, Fatal> {
    use crate::codec::{DecodeOptions, RecordRef};
    use crate::record::MAR_LEN;
    if !super::parallel::splittable(opts) {
        return Ok(false);
    }
    let sources = sources(opts)?;
    if !sources.iter().all(|(s, range)| matches!(s, Source::File(_)) && range.is_none()) {
        return Ok(false);
    }
    // (flow records, MARs after the initial one) of each input
    let mut counts = Vec::with_capacity(sources.len());
    let mut rb = RecordBuf::with_options(DecodeOptions::FULL);
    for (source, _) in &sources {
        let Ok(input) = open(opts, source) else { return Ok(false) };
        let Some(bytes) = input.bytes() else { return Ok(false) };
        let mar = bytes.get(..MAR_LEN).unwrap_or(&[]);
        let initial = RecordRef { offset: 0, bytes: mar, initial: true };
        if !matches!(rb.decode_ref(&initial), Ok(Record::Mar(_))) {
            return Ok(false);
        }
        match each(bytes) {
            None => return Ok(false),
            Some(result) => counts.push(result),
        }
    }
    for (flows, mars) in counts {
        selector.input_opened();
        selector.totals.mar_records += 1 + mars;
        selector.totals.far_records += flows;
        selector.counter.total += (flows + mars) as i64;
    }
    Ok(true)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::options::{parse, RoleSpec};
    use crate::record::RecordClass;

    fn usage(_: &str) -> String {
        String::new()
    }
    const SPEC: RoleSpec = RoleSpec { name: "ra", usage, long_options: &[], long_parser: None };

    /// Counts what it is handed, by class.
    #[derive(Default)]
    struct Count {
        flows: usize,
        mars: usize,
        inputs: Vec<usize>,
    }

    impl RecordSink for Count {
        fn accept(&mut self, item: &Item, _totals: &mut Totals) -> Result<Flow, Fatal> {
            match item.record.header().class {
                RecordClass::Mar => self.mars += 1,
                _ => self.flows += 1,
            }
            self.inputs.push(item.input);
            Ok(Flow::Continue)
        }
    }

    #[test]
    fn read_all_reads_every_input_in_order() {
        let synth =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/cases/data/synth.argus");
        let argv = ["ra", "-X", "-r", synth, "-r", synth].map(String::from).to_vec();
        let opts = parse(&SPEC, argv).unwrap();
        let mut selector = Selector::new(&opts, None).unwrap();
        let mut count = Count::default();
        assert_eq!(read_all(&opts, &mut selector, &mut count).unwrap(), Ended::Done);
        // synth.argus: 43 flows after its initial MAR
        assert_eq!(count.flows, 86);
        assert!(count.mars >= 2, "each input's initial MAR");
        assert!(count.inputs.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(count.inputs.last(), Some(&1));
    }
}
