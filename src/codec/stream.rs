//! How `ra` 3.0.8.2 reads a stream of records, as a scanner over bytes.
//!
//! The same rules hold for files, stdin, decompressed data and the port-561
//! stream (argus-format.md §1.2, §1.4):
//!
//! 1. The first 16 bytes must carry the argus 3 cookie at offset 8, in
//!    either byte order; then the first 128 bytes are the initial MAR,
//!    whatever its length field says. The argus 2.x cookie is recognised
//!    (and not supported); without a cookie the input is not an argus
//!    stream.
//! 2. Then records follow: headers whose length is zero are skipped four
//!    bytes at a time; a record is `length * 4` bytes; the version nibble is
//!    not checked; classes other than MAR, FAR, NETFLOW and EVENT end the
//!    input; a flow record with a zero-length DSR before its TIME DSR ends
//!    the input (without being delivered).
//!
//! The scanner does not own the bytes: it is given a window into the input
//! and says where the next record is, that it needs more bytes, or why the
//! input ends. A memory-mapped file is one window with `eof` set; a stream
//! is read into a buffer window by window (see `archive`).

use super::flow::{walk_dsrs, DsrWalk};
use crate::record::{ARGUS_COOKIE, ARGUS_V2_COOKIE, MAR_LEN};
use std::fmt;

/// Why an input ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// At a record boundary at the end of the data.
    Clean,
    /// No data at all.
    Empty,
    /// Shorter than the 16 bytes needed to recognise a stream, or no argus
    /// cookie: `ra` ignores such an input without a word.
    NotArgus,
    /// An argus 2.x stream (cookie 0xE5617ACB), which is not supported.
    Argus2,
    /// The initial MAR was cut short (`have` of 128 bytes).
    TruncatedInitialMar { have: usize },
    /// The data ended inside the record (or record header) at `offset`.
    Truncated { offset: u64, have: usize, need: usize },
    /// A record of a class `ra` does not read (index, archival, ...): `ra`
    /// stops reading the input there.
    UnknownClass { offset: u64, byte: u8 },
    /// A flow record with a zero-length DSR before its TIME DSR: `ra` drops
    /// it and stops reading the input.
    InvalidRecord { offset: u64 },
}

impl End {
    /// True when the input did not end cleanly: the caller should report it.
    pub fn is_error(&self) -> bool {
        !matches!(self, End::Clean | End::Empty)
    }

    /// True when no record was delivered (the input was not read at all).
    pub fn nothing_read(&self) -> bool {
        matches!(self, End::Empty | End::NotArgus | End::Argus2 | End::TruncatedInitialMar { .. })
    }

    /// The byte offset the problem was found at, if there is one.
    pub fn offset(&self) -> Option<u64> {
        match *self {
            End::Truncated { offset, .. }
            | End::UnknownClass { offset, .. }
            | End::InvalidRecord { offset } => Some(offset),
            End::TruncatedInitialMar { .. } => Some(0),
            _ => None,
        }
    }
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::Clean => f.write_str("end of data"),
            End::Empty => f.write_str("empty input"),
            End::NotArgus => f.write_str("not an argus stream (no argus 3 cookie in the first record)"),
            End::Argus2 => f.write_str("argus 2.x data is not supported"),
            End::TruncatedInitialMar { have } => {
                write!(f, "truncated at byte offset {have}: initial management record has {have} of 128 bytes")
            }
            End::Truncated { offset, have, need } => write!(
                f,
                "truncated record at byte offset {offset} ({have} of {need} bytes)"
            ),
            End::UnknownClass { offset, byte } => write!(
                f,
                "unsupported record type 0x{byte:02x} at byte offset {offset}; stopped reading"
            ),
            End::InvalidRecord { offset } => write!(
                f,
                "invalid record at byte offset {offset} (zero-length DSR before the time DSR); stopped reading"
            ),
        }
    }
}

/// What the scanner found next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A record: `offset` in the input, `len` bytes. `initial` for the
    /// stream-opening MAR (always 128 bytes).
    Record { offset: u64, len: usize, initial: bool },
    /// More bytes are needed to go on (never returned with `eof`).
    NeedMore,
    /// The input ends.
    End(End),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Initial,
    Records,
    Done(End),
}

/// The reading rules of `ra` 3.0.8.2 as a resumable scanner.
#[derive(Clone, Debug)]
pub struct Scanner {
    state: State,
    /// Offset in the input of the next byte to look at.
    pos: u64,
    /// Walk each flow record's DSRs for ra's "zero-length DSR before the
    /// time" end (off: the caller checks the walk of its own decode).
    check_dsrs: bool,
}

impl Default for Scanner {
    fn default() -> Scanner {
        Scanner::new()
    }
}

/// The class nibbles `ra` reads: MAR, FAR, NETFLOW, EVENT.
pub fn readable_class(b0: u8) -> bool {
    matches!(b0 >> 4, 0x8 | 0x1 | 0x3 | 0x4)
}

impl Scanner {
    /// A scanner at the start of an input.
    pub fn new() -> Scanner {
        Scanner { state: State::Initial, pos: 0, check_dsrs: true }
    }

    /// A scanner positioned at a record boundary past the initial MAR (for
    /// re-scanning one chunk of an already indexed buffer).
    pub fn at_record(pos: u64) -> Scanner {
        Scanner {
            state: if pos == 0 { State::Initial } else { State::Records },
            pos,
            check_dsrs: true,
        }
    }

    /// A scanner that reads records (not an initial MAR) from `pos` on,
    /// whatever is there.
    pub fn records_from(pos: u64) -> Scanner {
        Scanner { state: State::Records, pos, check_dsrs: true }
    }

    /// This scanner without the DSR walk of each flow record: for a caller
    /// that decodes every record it is given and ends the input itself
    /// where the decode's walk ([`crate::codec::RecordBuf::walk`]) is a
    /// zero-length DSR before the time DSR ([`End::InvalidRecord`]), as
    /// this scanner would have.
    pub fn without_dsr_walk(mut self) -> Scanner {
        self.check_dsrs = false;
        self
    }

    /// Offset of the next byte the scanner will look at; bytes before it
    /// are no longer needed.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Looks for the next record in `window`, which holds the input's bytes
    /// from offset `base` on (`base` must not be past [`Scanner::position`]).
    /// `eof`: the window reaches the end of the input.
    pub fn next(&mut self, window: &[u8], base: u64, eof: bool) -> Event {
        let ev = self.step(window, base, eof);
        if let Event::End(e) = ev {
            self.state = State::Done(e);
        }
        ev
    }

    fn step(&mut self, window: &[u8], base: u64, eof: bool) -> Event {
        let rel = usize::try_from(self.pos.saturating_sub(base)).unwrap_or(usize::MAX);
        let buf = window.get(rel..).unwrap_or(&[]);
        match self.state {
            State::Done(e) => Event::End(e),
            State::Initial => {
                if buf.len() < 16 {
                    return match (eof, buf.is_empty()) {
                        (false, _) => Event::NeedMore,
                        (true, true) => Event::End(End::Empty),
                        (true, false) => Event::End(End::NotArgus),
                    };
                }
                let id = u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]);
                if id == ARGUS_COOKIE || id == ARGUS_COOKIE.swap_bytes() {
                    if buf.len() < MAR_LEN {
                        return if eof {
                            Event::End(End::TruncatedInitialMar { have: buf.len() })
                        } else {
                            Event::NeedMore
                        };
                    }
                    let offset = self.pos;
                    self.pos += MAR_LEN as u64;
                    self.state = State::Records;
                    Event::Record { offset, len: MAR_LEN, initial: true }
                } else if id == ARGUS_V2_COOKIE && buf[0] & 0x80 != 0 {
                    Event::End(End::Argus2)
                } else {
                    Event::End(End::NotArgus)
                }
            }
            State::Records => {
                let mut i = 0;
                // Zero-length headers are skipped four bytes at a time.
                while let Some(h) = buf.get(i..i + 4) {
                    if h[2] != 0 || h[3] != 0 {
                        break;
                    }
                    i += 4;
                }
                self.pos += i as u64;
                let buf = &buf[i..];
                let offset = self.pos;
                if buf.len() < 4 {
                    return match (eof, buf.is_empty()) {
                        (false, _) => Event::NeedMore,
                        (true, true) => Event::End(End::Clean),
                        (true, false) => {
                            Event::End(End::Truncated { offset, have: buf.len(), need: 4 })
                        }
                    };
                }
                let len = usize::from(u16::from_be_bytes([buf[2], buf[3]])) * 4;
                let Some(rec) = buf.get(..len) else {
                    return if eof {
                        Event::End(End::Truncated { offset, have: buf.len(), need: len })
                    } else {
                        Event::NeedMore
                    };
                };
                if !readable_class(rec[0]) {
                    return Event::End(End::UnknownClass { offset, byte: rec[0] });
                }
                if self.check_dsrs && rec[0] >> 4 != 0x8 {
                    if let DsrWalk::ZeroLength { before_time: true, .. } = walk_dsrs(rec) {
                        return Event::End(End::InvalidRecord { offset });
                    }
                }
                self.pos += len as u64;
                Event::Record { offset, len, initial: false }
            }
        }
    }
}

/// The records of an input held whole in memory (a mapped file, a
/// decompressed buffer), as `(offset, bytes, initial)`; [`Records::end`]
/// says why they ended once the iterator is exhausted.
pub struct Records<'a> {
    buf: &'a [u8],
    scanner: Scanner,
    limit: usize,
    end: Option<End>,
}

/// One record of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef<'a> {
    /// Byte offset of the record in the input.
    pub offset: u64,
    /// The record, header included.
    pub bytes: &'a [u8],
    /// The stream-opening MAR.
    pub initial: bool,
}

impl<'a> Records<'a> {
    /// Every record of `buf`, from its start.
    pub fn new(buf: &'a [u8]) -> Records<'a> {
        Records { buf, scanner: Scanner::new(), limit: buf.len(), end: None }
    }

    /// The records between two record boundaries `start..end` of `buf`, as
    /// found by an earlier scan (see [`super::index::chunks`]).
    pub fn range(buf: &'a [u8], start: usize, end: usize) -> Records<'a> {
        Records {
            buf,
            scanner: Scanner::at_record(start as u64),
            limit: end.min(buf.len()),
            end: None,
        }
    }

    /// Why the records ended (`None` until the iterator returned `None`).
    pub fn end(&self) -> Option<End> {
        self.end
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = RecordRef<'a>;

    fn next(&mut self) -> Option<RecordRef<'a>> {
        if self.end.is_some() {
            return None;
        }
        let window = &self.buf[..self.limit];
        match self.scanner.next(window, 0, true) {
            Event::Record { offset, len, initial } => {
                let s = offset as usize;
                let bytes = window.get(s..s + len)?;
                Some(RecordRef { offset, bytes, initial })
            }
            Event::End(e) => {
                self.end = Some(e);
                None
            }
            Event::NeedMore => {
                self.end = Some(End::Clean);
                None
            }
        }
    }
}
