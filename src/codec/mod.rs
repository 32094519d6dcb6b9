//! Argus 3 records <-> [`crate::record::Record`]: every record and DSR
//! argus 3.0.8.2 (and its clients) write, byte for byte.
//!
//! * [`RecordBuf::decode_ref`] decodes one record into reused storage (no
//!   allocation per record once warmed up); [`decode_flow`] and
//!   [`decode_mar`] are the per-class decoders. [`DecodeOptions`] limits
//!   the work to the DSRs a client needs, and [`FlowView`] reads single
//!   DSRs of a record without decoding the rest (the cheapest path).
//! * [`encode`], [`encode_flow`], [`encode_mar`] append a record's bytes.
//!   Decode followed by encode gives back the bytes read, for every record
//!   `ra` 3.0.8.2 accepts (malformed parts are kept verbatim, see
//!   [`crate::record::Flow`]).
//! * [`stream`] has `ra`'s reading rules (initial MAR, record lengths,
//!   classes that stop reading) as a scanner and an iterator over
//!   in-memory inputs; [`index`] splits an in-memory input into chunks of
//!   whole records for parallel work.
//!
//! The host-order (little-endian) fields of argus 3.0.8.2 (argus-format.md
//! §1.7) are handled here; the model holds plain numbers.

mod bytes;
pub(crate) mod dsr;
mod flow;
pub mod index;
mod key;
mod mar;
mod meter;
mod misc;
mod network;
pub mod raw;
pub mod stream;
mod time;
pub mod view;

pub use dsr::dsr_len;
pub use flow::{
    decode_flow, decode_flow_with, encode_flow, walk_dsrs, DecodeOptions, DsrWalk, SlotSet,
};
pub use mar::{decode_mar, encode_mar};
pub use stream::{End, Event, RecordRef, Records, Scanner};
pub use view::FlowView;

use crate::record::{Flow, Record, RecordClass, Slot};
use std::fmt;

/// Why bytes could not be decoded as a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Fewer than 4 bytes.
    Short,
    /// The header's length field does not match the bytes given.
    LengthMismatch { declared: usize, actual: usize },
    /// A record class `ra` does not read (byte 0 of the record).
    UnknownClass(u8),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Short => f.write_str("record shorter than its 4-byte header"),
            DecodeError::LengthMismatch { declared, actual } => {
                write!(f, "record length field says {declared} bytes, record has {actual}")
            }
            DecodeError::UnknownClass(b) => write!(f, "unsupported record type 0x{b:02x}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a record could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The record would exceed 65535 words (or is not word aligned).
    RecordTooLong(usize),
    /// A DSR would exceed its 8-bit length (255 words).
    DsrTooLong(Slot),
    /// A value the stored form cannot hold (e.g. a nanosecond TIME DSR
    /// whose microseconds overflow).
    Unrepresentable(&'static str),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::RecordTooLong(n) => write!(f, "record too long to encode ({n} bytes)"),
            EncodeError::DsrTooLong(s) => write!(f, "{s:?} DSR too long to encode"),
            EncodeError::Unrepresentable(what) => write!(f, "{what} DSR value cannot be encoded"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Appends the record's bytes to `out`.
pub fn encode(record: &Record, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    match record {
        Record::Mar(m) => {
            encode_mar(m, out);
            Ok(())
        }
        Record::Flow(f) => encode_flow(f, out),
    }
}

/// Decodes one record (owned result; allocates). Prefer [`RecordBuf`] in
/// loops.
pub fn decode(bytes: &[u8]) -> Result<Record, DecodeError> {
    let mut buf = RecordBuf::new();
    buf.decode(bytes)?;
    Ok(buf.take())
}

/// A reusable decode target: one [`Record`] whose flow storage survives
/// from record to record, so a stream decodes without allocating per
/// record.
///
/// ```
/// use argus_tool::codec::{RecordBuf, Records};
/// # let buf: Vec<u8> = Vec::new();
/// let mut rb = RecordBuf::new();
/// let mut records = Records::new(&buf);
/// for r in records.by_ref() {
///     match rb.decode_ref(&r) {
///         Ok(record) => { let _ = record; /* filter, print ... */ }
///         Err(e) => eprintln!("offset {}: {e}", r.offset),
///     }
/// }
/// if let Some(end) = records.end().filter(|e| e.is_error()) {
///     eprintln!("{end}");
/// }
/// ```
#[derive(Debug)]
pub struct RecordBuf {
    record: Record,
    spare: Option<Box<Flow>>,
    walk: DsrWalk,
    options: DecodeOptions,
}

impl Default for RecordBuf {
    fn default() -> RecordBuf {
        RecordBuf::new()
    }
}

impl RecordBuf {
    pub fn new() -> RecordBuf {
        RecordBuf::with_options(DecodeOptions::FULL)
    }

    /// A decode target that decodes only some DSRs, or skips what
    /// re-encoding needs (see [`DecodeOptions`]): the clients' fast path,
    /// e.g. `DecodeOptions::read_only(SlotSet::of(&[Slot::Metrics]))` for a
    /// counter.
    pub fn with_options(options: DecodeOptions) -> RecordBuf {
        RecordBuf {
            record: Record::Flow(Box::default()),
            spare: None,
            walk: DsrWalk::Complete,
            options,
        }
    }

    pub fn set_options(&mut self, options: DecodeOptions) {
        self.options = options;
    }

    /// Decodes a record as delivered by [`Records`] or the archive
    /// readers. Prefer this to [`RecordBuf::decode`]: the stream-opening
    /// MAR is recognised by its cookie alone and is decoded as a MAR
    /// whatever its header says, as `ra` does.
    pub fn decode_ref(&mut self, r: &RecordRef<'_>) -> Result<&Record, DecodeError> {
        self.decode_as(r.bytes, r.initial)
    }

    /// Decodes `bytes` (one record, header included) and returns it.
    pub fn decode(&mut self, bytes: &[u8]) -> Result<&Record, DecodeError> {
        self.decode_as(bytes, false)
    }

    fn decode_as(&mut self, bytes: &[u8], initial: bool) -> Result<&Record, DecodeError> {
        let b0 = *bytes.first().ok_or(DecodeError::Short)?;
        let class = if initial { RecordClass::Mar } else { RecordClass::from_nibble(b0 >> 4) };
        match class {
            RecordClass::Mar => {
                let mar = decode_mar(bytes)?;
                if let Record::Flow(f) = std::mem::replace(&mut self.record, Record::Mar(mar)) {
                    self.spare = Some(f);
                }
                self.walk = DsrWalk::Complete;
            }
            RecordClass::Flow | RecordClass::NetFlow | RecordClass::Event => {
                if !matches!(self.record, Record::Flow(_)) {
                    let f = self.spare.take().unwrap_or_default();
                    self.record = Record::Flow(f);
                }
                if let Record::Flow(f) = &mut self.record {
                    self.walk = decode_flow_with(bytes, f, self.options)?;
                }
            }
            RecordClass::Other(_) => return Err(DecodeError::UnknownClass(b0)),
        }
        Ok(&self.record)
    }

    /// The last record decoded.
    pub fn record(&self) -> &Record {
        &self.record
    }

    pub fn record_mut(&mut self) -> &mut Record {
        &mut self.record
    }

    /// How the DSR walk of the last flow record ended.
    pub fn walk(&self) -> DsrWalk {
        self.walk
    }

    /// Moves the last record out (for keeping it, e.g. to sort); the next
    /// decode allocates afresh.
    pub fn take(&mut self) -> Record {
        std::mem::replace(&mut self.record, Record::Flow(Box::default()))
    }
}
