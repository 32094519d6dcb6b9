//! The in-memory model of Argus 3 records: what every stage of argus-tool
//! produces or consumes.
//!
//! A [`Record`] is either a management record ([`Mar`]) or a flow record
//! ([`Flow`], also used for the NETFLOW and EVENT classes, which share the
//! flow layout). The model is *semantic* where the wire format has quirks:
//!
//! * the flow key is stored in originator order (the side that sent the
//!   first packet is `src`), with the wire's REVERSE bit kept as a flag so the
//!   codec can store it back exactly as it was read;
//! * host-order (little-endian) fields that argus 3.0.8.2 forgot to swap are
//!   held as plain numbers; the codec knows which ones they are;
//! * anything the model does not understand (unknown DSR types, a DSR whose
//!   layout does not match what its header promises, bytes after the last
//!   parseable DSR) is kept verbatim, so that decode followed by encode gives
//!   back the bytes that were read.
//!
//! This module holds data and small pure helpers only; byte layouts live in
//! `codec`, and the client-side meaning of fields (what `ra` prints) lives in
//! `record::field`, the one name -> accessor table.

pub mod build;
pub mod dsr;
pub mod field;
pub mod flow;
pub mod mar;

pub use dsr::*;
pub use flow::{BufferPool, DsrRef, Flow, Slot};
pub use mar::{mar_status, Mar, ARGUS_COOKIE, ARGUS_V2_COOKIE, MAR_LEN};

/// High nibble of the first header byte: the record class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordClass {
    /// 0x8: management record (MAR).
    Mar,
    /// 0x1: flow activity record (FAR).
    Flow,
    /// 0x3: flow record imported from Cisco NetFlow; handled like a FAR.
    NetFlow,
    /// 0x4: event record; DSR-structured like a FAR.
    Event,
    /// Any other class nibble (0x2 index, 0x5 data supplement, 0x6 archival,
    /// 0x7, ...). `ra` 3.0.8.2 stops reading a stream at such a record.
    Other(u8),
}

impl RecordClass {
    pub fn from_nibble(n: u8) -> RecordClass {
        match n & 0x0f {
            0x8 => RecordClass::Mar,
            0x1 => RecordClass::Flow,
            0x3 => RecordClass::NetFlow,
            0x4 => RecordClass::Event,
            other => RecordClass::Other(other),
        }
    }

    pub fn nibble(self) -> u8 {
        match self {
            RecordClass::Mar => 0x8,
            RecordClass::Flow => 0x1,
            RecordClass::NetFlow => 0x3,
            RecordClass::Event => 0x4,
            RecordClass::Other(n) => n & 0x0f,
        }
    }
}

/// Record causes (high nibble of the second header byte).
pub mod cause {
    pub const START: u8 = 0x1;
    pub const STATUS: u8 = 0x2;
    pub const STOP: u8 = 0x3;
    pub const TIMEOUT: u8 = 0x4;
    pub const FLUSH: u8 = 0x5;
    pub const SHUTDOWN: u8 = 0x6;
    pub const CLOSED: u8 = 0x7;
    pub const ERROR: u8 = 0x8;
}

/// The 4-byte record header, minus the length (which the codec computes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    pub class: RecordClass,
    /// Low nibble of byte 0; argus 3.x writes 3, readers do not check it.
    pub version: u8,
    /// High nibble of byte 1, see [`cause`].
    pub cause: u8,
    /// Low nibble of byte 1 (error detail for ERROR MARs).
    pub option: u8,
}

impl RecordHeader {
    pub const fn new(class: RecordClass, cause: u8) -> RecordHeader {
        RecordHeader { class, version: 3, cause, option: 0 }
    }
}

/// One Argus record.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Mar(Mar),
    Flow(Box<Flow>),
}

impl Record {
    pub fn header(&self) -> &RecordHeader {
        match self {
            Record::Mar(m) => &m.header,
            Record::Flow(f) => &f.header,
        }
    }

    pub fn is_mar(&self) -> bool {
        matches!(self, Record::Mar(_))
    }

    pub fn as_flow(&self) -> Option<&Flow> {
        match self {
            Record::Flow(f) => Some(f),
            Record::Mar(_) => None,
        }
    }
}

/// Seconds and microseconds, as Argus stores every absolute time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timeval {
    pub sec: u32,
    pub usec: u32,
}

impl Timeval {
    pub const ZERO: Timeval = Timeval { sec: 0, usec: 0 };

    pub const fn new(sec: u32, usec: u32) -> Timeval {
        Timeval { sec, usec }
    }

    pub fn is_zero(self) -> bool {
        self.sec == 0 && self.usec == 0
    }

    /// Microseconds since the epoch.
    pub fn as_micros(self) -> i64 {
        self.sec as i64 * 1_000_000 + self.usec as i64
    }

    pub fn from_micros(us: i64) -> Timeval {
        let us = us.max(0);
        Timeval { sec: (us / 1_000_000) as u32, usec: (us % 1_000_000) as u32 }
    }

    pub fn as_secs_f64(self) -> f64 {
        self.sec as f64 + self.usec as f64 / 1e6
    }
}
