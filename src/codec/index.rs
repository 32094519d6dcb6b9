//! One cheap pass over an in-memory input (a mapped file, a decompressed
//! buffer) that finds record boundaries, so work can be split into chunks
//! for rayon. Memory stays bounded: a chunk holds many records, and only
//! chunk boundaries are kept.
//!
//! ```
//! use argus_tool::codec::index;
//! use argus_tool::codec::stream::Records;
//! # let buf: Vec<u8> = Vec::new();
//! let (chunks, end) = index::chunks(&buf, 1 << 20);
//! for c in &chunks {
//!     for rec in Records::range(&buf, c.start, c.end) {
//!         // decode, filter, fold ... (each chunk on its own thread)
//!         let _ = rec;
//!     }
//! }
//! let _ = end; // report a truncated or corrupt tail once, after the chunks
//! ```

use super::stream::{End, Event, Scanner};

/// A run of whole records: `buf[start..end]`, `records` of them, the first
/// of which is record number `first` (0-based, counting the initial MAR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub first: u64,
    pub records: u64,
}

/// Splits the records of `buf` into chunks of about `target` bytes (at
/// least one record each), and says how the records end. Records after
/// the end (a truncated tail, a record that stops `ra`) are in no chunk.
pub fn chunks(buf: &[u8], target: usize) -> (Vec<Chunk>, End) {
    let mut out = Vec::new();
    let mut scanner = Scanner::new();
    let mut cur: Option<Chunk> = None;
    let mut n = 0u64;
    let end = loop {
        match scanner.next(buf, 0, true) {
            Event::Record { offset, len, .. } => {
                let (s, e) = (offset as usize, offset as usize + len);
                let c = cur.get_or_insert(Chunk { start: s, end: s, first: n, records: 0 });
                c.end = e;
                c.records += 1;
                n += 1;
                if c.end - c.start >= target {
                    out.extend(cur.take());
                }
            }
            Event::End(e) => break e,
            Event::NeedMore => break End::Clean,
        }
    };
    out.extend(cur);
    (out, end)
}

/// Offsets and lengths of every record of `buf` (for random access, e.g.
/// sorting by reference). Grows with the input: prefer [`chunks`] when a
/// pass in order will do.
pub fn offsets(buf: &[u8]) -> (Vec<(u64, u32)>, End) {
    let mut out = Vec::new();
    let mut scanner = Scanner::new();
    let end = loop {
        match scanner.next(buf, 0, true) {
            Event::Record { offset, len, .. } => out.push((offset, len as u32)),
            Event::End(e) => break e,
            Event::NeedMore => break End::Clean,
        }
    };
    (out, end)
}
