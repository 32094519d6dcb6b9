//! The management record (MAR): 128 bytes that start every stream and report
//! probe status periodically and at shutdown.

use super::{cause, RecordClass, RecordHeader, Timeval};

/// The argus 3 stream cookie, stored at offset 8 of the initial MAR.
pub const ARGUS_COOKIE: u32 = 0xE571_2DCB;
/// The argus 2.x cookie (recognised, not supported).
pub const ARGUS_V2_COOKIE: u32 = 0xE561_7ACB;
/// Every MAR argus 3.0.8.2 writes is exactly this long.
pub const MAR_LEN: usize = 128;

/// `status` bits of a MAR.
pub mod mar_status {
    /// SASL authentication required (initial MAR of a TCP stream only).
    pub const SASL: u32 = 0x0000_1000;
    /// The source id is a string.
    pub const ID_IS_STRING: u32 = 0x0020_0000;
    /// The source id is an integer.
    pub const ID_IS_INT: u32 = 0x0040_0000;
    /// The source id is an IPv4 address.
    pub const ID_IS_IPV4: u32 = 0x0080_0000;
}

/// A management record, field for field (offsets in `docs/argus-format.md` §1.3).
///
/// `argusid` holds the cookie in the initial MAR and the probe's source id
/// in later ones. `suserlen`/`duserlen` are stored little-endian on the wire
/// (an argus 3.0.8.2 quirk); here they are plain numbers.
///
/// Layout-only fields, so that odd MARs come back byte for byte: `hdr_len`
/// is the header's length field (words; 32 for every MAR argus writes) and
/// `size` the number of bytes the record occupied. They differ for an
/// initial MAR, which readers take as 128 bytes whatever its length field
/// says. A shorter MAR holds the first `size` bytes of the layout (missing
/// fields read as zero); a longer one keeps the bytes after the 128th in
/// `extra`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mar {
    pub header: RecordHeader,
    pub status: u32,
    pub argusid: u32,
    pub localnet: u32,
    pub netmask: u32,
    pub next_seq: u32,
    pub start: Timeval,
    pub now: Timeval,
    pub major_version: u8,
    pub minor_version: u8,
    pub interface_type: u8,
    pub interface_status: u8,
    pub report_interval: u16,
    pub mar_interval: u16,
    pub pkts_rcvd: u64,
    pub bytes_rcvd: u64,
    pub drift: i64,
    pub records: u32,
    pub flows: u32,
    pub dropped: u32,
    pub queue: u32,
    pub output: u32,
    pub clients: u32,
    pub bufs: u32,
    pub bytes: u32,
    pub suserlen: u16,
    pub duserlen: u16,
    pub pad: [u32; 3],
    pub thisid: u32,
    pub record_len: u32,
    pub hdr_len: u16,
    pub size: u32,
    pub extra: Vec<u8>,
}

impl Default for Mar {
    fn default() -> Mar {
        Mar {
            header: RecordHeader::new(RecordClass::Mar, cause::START),
            status: 0,
            argusid: ARGUS_COOKIE,
            localnet: 0,
            netmask: 0,
            next_seq: 0,
            start: Timeval::ZERO,
            now: Timeval::ZERO,
            major_version: 3,
            minor_version: 0,
            interface_type: 0,
            interface_status: 0,
            report_interval: 5,
            mar_interval: 60,
            pkts_rcvd: 0,
            bytes_rcvd: 0,
            drift: 0,
            records: 0,
            flows: 0,
            dropped: 0,
            queue: 0,
            output: 0,
            clients: 0,
            bufs: 0,
            bytes: 0,
            suserlen: 0,
            duserlen: 0,
            pad: [0; 3],
            thisid: 0,
            record_len: 0xFFFF_FFFF,
            hdr_len: (MAR_LEN / 4) as u16,
            size: MAR_LEN as u32,
            extra: Vec::new(),
        }
    }
}

impl Mar {
    /// True for the stream-opening MAR (cause START with the cookie, in
    /// either byte order).
    pub fn is_initial(&self) -> bool {
        self.header.cause == cause::START
            && (self.argusid == ARGUS_COOKIE || self.argusid == ARGUS_COOKIE.swap_bytes())
    }
}
