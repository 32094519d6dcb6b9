//! rasort's run: collect a compact sort key per flow record while the
//! inputs are read (in parallel), sort, and hand the records on in sorted
//! order to ra's output rules ([`Emitter`]).
//!
//! Memory: per record, the values of the sort keys ([`Val`], a few words
//! per key) and one word locating the record (input number and byte
//! offset). The records themselves stay where they are: a plain file stays
//! mapped, and a compressed file or stdin is decompressed into memory once
//! (rasort must see every record before printing the first; spilling to a
//! temporary file would only trade that memory for disk and a second
//! read). Printing decodes each record again from there.

use rayon::prelude::*;

use super::emit::{EmitAcc, EmitOutput, Emitter};
use super::parallel::{Job, Merge};
use super::reader::{Flow, Item};
use super::select::Judge;
use super::totals::Totals;
use crate::archive::Input;
use crate::codec::{DecodeOptions, RecordBuf};
use crate::diag::Fatal;
use crate::record::field::{FlowView, ViewOptions};
use crate::record::{Record, RecordClass};
use crate::sort::{msort, SortSpec, Val};

/// Record offsets are kept in the low 48 bits of a location word, the
/// input number above them.
const OFFSET_BITS: u32 = 48;
const OFFSET_MASK: u64 = (1 << OFFSET_BITS) - 1;

/// Sorted records handed to the output at a time.
const REPLAY_CHUNK: usize = 4096;

/// Collects sort keys (the [`Job`] of rasort's reading phase).
pub struct KeyCollector {
    pub spec: SortSpec,
    pub view: ViewOptions,
    /// What of each record is decoded ([`super::select::Judge::decode_for`]
    /// with [`SortSpec::slots`]).
    pub decode: DecodeOptions,
}

/// Keys and locations of the records one thread collected.
#[derive(Default)]
pub struct Keys {
    locs: Vec<u64>,
    vals: Vec<Val>,
}

impl Job for KeyCollector {
    type Acc = Keys;

    fn acc(&self, _parallel: bool) -> Keys {
        Keys::default()
    }

    fn accept(&self, acc: &mut Keys, item: &Item, _totals: &mut Totals) -> Result<Flow, Fatal> {
        // rasort queues flow, netflow and event records; never MARs.
        let Record::Flow(f) = item.record else { return Ok(Flow::Continue) };
        if !matches!(f.header.class, RecordClass::Flow | RecordClass::NetFlow | RecordClass::Event)
        {
            return Ok(Flow::Continue);
        }
        let input = u64::try_from(item.input).unwrap_or(u64::MAX);
        if item.offset > OFFSET_MASK || input >= 1 << (64 - OFFSET_BITS) {
            return Err(Fatal::err(format!(
                "record at byte offset {}: input too large to sort",
                item.offset
            )));
        }
        acc.locs.push(input << OFFSET_BITS | item.offset);
        let view = FlowView::new(f, self.view);
        self.spec.extract(&view, &mut acc.vals);
        Ok(Flow::Continue)
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
        self.keys.locs.append(&mut acc.locs);
        self.keys.vals.append(&mut acc.vals);
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
    pub fn sorted(&self, spec: &SortSpec) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        let k = spec.algos.len();
        if k == 0 || order.len() < 2 {
            return order;
        }
        let vals = &self.keys.vals;
        if let Some(words) = spec.ordered_words(vals) {
            // A total order: any stable sort gives glibc's result, and
            // packed words with the record number as the last tie-break
            // sort fastest.
            let row = |n: u32| &words[n as usize * k..n as usize * k + k];
            order.par_sort_unstable_by(|&a, &b| row(a).cmp(row(b)).then(a.cmp(&b)));
            return order;
        }
        let cmp = |a: &u32, b: &u32| {
            let (a, b) = (*a as usize * k, *b as usize * k);
            spec.compare(&vals[a..a + k], &vals[b..b + k])
        };
        msort::sort(&mut order, &cmp);
        order
    }

    /// The initial MAR of the first input that was read.
    pub fn first_mar(&self) -> Option<&[u8]> {
        let buf = self.inputs.iter().flatten().next()?.bytes()?;
        buf.get(..crate::record::MAR_LEN)
    }

    /// The bytes of record `n` and its input's initial MAR; `bufs` are
    /// the inputs' bytes.
    fn record<'b>(
        locs: &[u64],
        bufs: &[&'b [u8]],
        n: u32,
    ) -> Option<(&'b [u8], u64, &'b [u8], usize)> {
        let loc = *locs.get(n as usize)?;
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
        let bufs: Vec<&[u8]> =
            self.inputs.iter().map(|i| i.as_ref().and_then(Input::bytes).unwrap_or(&[])).collect();
        let bufs = &bufs;
        let locs = &self.keys.locs[..];
        let fill = |acc: &mut EmitAcc, part: &[u32]| -> Result<Flow, Fatal> {
            let mut rb = RecordBuf::with_options(decode);
            let mut totals = Totals::default();
            for &n in part {
                let Some((bytes, offset, start_mar, input)) = SortTable::record(locs, bufs, n)
                else {
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
            for part in order.chunks(REPLAY_CHUNK) {
                let flow = fill(&mut acc, part)?;
                if output.merge(&mut acc)? == Flow::Stop || flow == Flow::Stop {
                    break;
                }
            }
            return Ok(());
        }
        let wave = rayon::current_num_threads() * 4;
        for group in order.chunks(REPLAY_CHUNK * wave) {
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
