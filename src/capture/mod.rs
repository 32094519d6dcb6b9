//! Packet sources: capture files read with our own zero-copy reader
//! (classic pcap in both byte orders with micro- or nanosecond stamps, and
//! pcapng), and the BPF capture filter compiled and run by libpcap.
//!
//! Why our own reader: libpcap's file reader alone costs about 1.2 s of CPU
//! on the 4.3 M-packet benchmark capture, a third of what Debian's argus
//! needs in total, so the speed target cannot be met through it. Files are
//! memory-mapped and consumed pages are dropped as we go (RSS stays flat);
//! stdin is read through a small buffer. libpcap (the `pcap` crate) is used
//! for what it is needed for: compiling and running BPF filters (`bpf`), and
//! live capture from interfaces (`live`). The `pcap` crate stays inside this module.

pub mod bpf;
pub mod dump;
pub mod live;
mod pcapng;
mod reader;

pub use reader::{CaptureFile, InputError};

/// Link-layer header types (LINKTYPE_* values as stored in capture files).
pub mod linktype {
    pub const NULL: u16 = 0;
    pub const ETHERNET: u16 = 1;
    pub const PPP: u16 = 9;
    /// OpenBSD's DLT_RAW number, found in some files.
    pub const RAW_12: u16 = 12;
    pub const RAW_14: u16 = 14;
    pub const PPP_HDLC: u16 = 50;
    pub const PPP_ETHER: u16 = 51;
    pub const RAW: u16 = 101;
    pub const C_HDLC: u16 = 104;
    pub const IEEE802_11: u16 = 105;
    pub const LOOP: u16 = 108;
    pub const LINUX_SLL: u16 = 113;
    pub const IEEE802_11_RADIOTAP: u16 = 127;
    pub const IPV4: u16 = 228;
    pub const IPV6: u16 = 229;
    pub const LINUX_SLL2: u16 = 276;
}

/// One captured packet, borrowed from the reader's buffer.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    /// Seconds since the epoch.
    pub sec: u32,
    /// Microseconds (nanosecond stamps are truncated, as libpcap does).
    pub usec: u32,
    /// The bytes captured (at most the snap length).
    pub data: &'a [u8],
    /// The length of the packet on the wire.
    pub wire_len: u32,
    /// LINKTYPE of the interface the packet was captured on.
    pub linktype: u16,
    /// Where libpcap would hold `data` in its packet buffer (0 for pcap; a
    /// pcapng block is read whole, so past its headers), and the block's
    /// bytes after `data`. 3.0.8.2 reads past short 802.11 frames.
    pub buf_off: u32,
    pub buf_tail: &'a [u8],
}

/// Fuzzing entry point: reads every packet of a capture file held in
/// memory; must never panic, whatever the bytes.
pub fn fuzz_read(data: &[u8]) {
    let Ok(mut cf) =
        CaptureFile::from_reader("fuzz", Box::new(std::io::Cursor::new(data.to_vec())))
    else {
        return;
    };
    while let Ok(Some(p)) = cf.next_packet() {
        let _ = p.data.len();
    }
}
