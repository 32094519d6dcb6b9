//! Packet headers below the flow layer: link types and encapsulations,
//! decoded without copying and without ever panicking on short or lying
//! headers.
//!
//! [`decode`] walks a captured frame the way argus 3.0.8.2 does (its
//! `ArgusProcessPacketHdrs` chain): link header, 802.1Q, MPLS, LLC/SNAP,
//! PPP, PPPoE, GRE, down to the network layer, and reports what the flow
//! engine needs: where the IP (or ARP) header starts, the Ethernet header
//! (real or synthesised, as argus does for Linux SLL), the VLAN tag and MPLS
//! label, the encapsulation bits for the ENCAPS DSR, the byte count argus
//! charges for the packet, and the "remaining length" argus tracks.

mod link;

pub use link::decode;

/// An Ethernet header as argus sees it (`ArgusThisEpHdr`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EtherHdr {
    pub dst: [u8; 6],
    pub src: [u8; 6],
    /// The type/length field as found in the header (host order).
    pub ether_type: u16,
}

/// What the network layer of a frame is (`ArgusThisNetworkFlowType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetKind {
    Ipv4,
    Ipv6,
    Arp,
    Rarp,
    /// Anything else; the value is argus's flow type (an ether type, or 1
    /// for "plain Ethernet", 100 for IPX, ...). Such frames become Ethernet
    /// flows keyed on the MAC addresses.
    Other(u32),
    /// An 802.11 management, control, null-data or protected frame: argus
    /// keys it on the header's three addresses (`ArgusCreate80211Flow`);
    /// `net_off` is the 802.11 header.
    Wlan,
}

/// A decoded frame, borrowing the captured bytes.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// The captured bytes.
    pub data: &'a [u8],
    /// Bytes argus charges to the flow for this packet.
    pub bytes: u32,
    /// ENCAPS DSR bits seen on the way down.
    pub encaps: u32,
    /// The Ethernet header (`None` for link types without one).
    pub ether: Option<EtherHdr>,
    /// Offset of the byte following the Ethernet header (ARP state reads
    /// there, even behind a VLAN tag, as argus does).
    pub after_ether: usize,
    /// LLC SAPs when the frame was 802.3/LLC (`ArgusThisLLC`).
    pub llc: Option<(u8, u8)>,
    /// The 802.1Q tag control field of the last tag seen.
    pub vlan: Option<u16>,
    /// The first MPLS label stack entry.
    pub mpls: Option<u32>,
    pub net: NetKind,
    /// Offset of the network header (IP, ARP, ...).
    pub net_off: usize,
    /// argus's running "this length" once the link headers are removed
    /// (wire length minus the headers consumed).
    pub remaining: i64,
    /// WLAN frames only: libpcap's packet buffer from the frame's first
    /// byte on, past the captured bytes (empty when not emulated).
    pub pcap_buf: &'a [u8],
}

/// ENCAPS DSR bits.
pub mod encaps {
    pub use crate::record::encaps::*;
}

/// Big-endian u16 at `off`, if captured.
#[inline]
pub fn be16(d: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(off)?, *d.get(off + 1)?]))
}

/// Big-endian u32 at `off`, if captured.
#[inline]
pub fn be32(d: &[u8], off: usize) -> Option<u32> {
    let b = d.get(off..off + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Fuzzing entry point: the first byte picks a link type, the rest is a
/// frame, decoded down to its flow key; must never panic.
pub fn fuzz_decode(data: &[u8]) {
    use crate::capture::linktype::ALL;
    let Some((&sel, frame)) = data.split_first() else { return };
    let lt = ALL[usize::from(sel) % ALL.len()];
    for wire_len in [frame.len() as u32, 0, u32::MAX] {
        if let Some(f) = decode(lt, frame, wire_len) {
            let _ = crate::flow::key::create(&f);
        }
    }
}
