//! Filtering a flow record from its stored bytes, without decoding it
//! whole: the fast path of a client that only selects records (`ra -w`).
//!
//! One walk finds the DSRs; only those the filter reads are decoded, with
//! the codec's own decoders ([`crate::codec::FlowView`]), and evaluated
//! through the same [`View`] a decoded record gets. The pass declines —
//! the caller then decodes the record and uses [`super::Filter::matches`]
//! — whenever the answer could differ from that: a record `ra` corrects
//! ([`needs_correction`]), a DSR walk that does not reach the record's
//! end or meets a DSR type twice, a record that is not a flow record, and
//! filters that read values only the whole record gives (floats, the DSRs
//! the model keeps raw).

use super::canon::{needs_correction, Lazy, Parts, View};
use super::node::Ctx;
use super::Filter;
use crate::codec::FlowView as Dsrs;
use crate::record::{ipproto, tcp_status, BufferPool, KeyAddrs, Network, RecordClass, Slot};

/// The DSRs a filter reads on this path, as bits `1 << Slot`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlotBits(u32);

impl SlotBits {
    pub fn of(slots: &[Slot]) -> SlotBits {
        SlotBits(slots.iter().fold(0, |b, s| b | 1 << *s as u32))
    }

    fn has(self, slot: Slot) -> bool {
        self.0 & (1 << slot as u32) != 0
    }
}

/// `Some(verdict)` when the stored record `bytes` (header included) can be
/// judged from its bytes; `None`: decode it and call `matches`.
pub fn matches(filter: &Filter, bytes: &[u8]) -> Option<bool> {
    if !filter.bytes_ok {
        return None;
    }
    let hdr = bytes.get(..4)?;
    let declared = usize::from(u16::from_be_bytes([hdr[2], hdr[3]])) * 4;
    if declared != bytes.len() {
        return None;
    }
    if !matches!(
        RecordClass::from_nibble(hdr[0] >> 4),
        RecordClass::Flow | RecordClass::NetFlow | RecordClass::Event
    ) {
        return None;
    }
    let dsrs = Dsrs::new(bytes);
    if !dsrs.is_plain() {
        return None;
    }
    let want = filter.bytes_slots;
    let get = |slot: Slot| want.has(slot);
    let key = dsrs.key();
    let metrics = dsrs.metrics();
    // The TCP object decides whether `ra` turns a TCP flow round.
    let tcp =
        matches!(&key, Some(k) if matches!(&k.addrs, KeyAddrs::Ipv4(a) if a.proto == ipproto::TCP));
    let mut pool = BufferPool::default();
    let network = if get(Slot::Network) || tcp { dsrs.network(&mut pool) } else { None };
    let agr = if get(Slot::Agr) { dsrs.agr() } else { None };
    let vlan = if get(Slot::Vlan) { dsrs.vlan() } else { None };
    let mpls = if get(Slot::Mpls) { dsrs.mpls() } else { None };
    let ipattr = if get(Slot::IpAttr) { dsrs.ipattr() } else { None };
    let mac = if get(Slot::Mac) { dsrs.mac() } else { None };
    let icmp = if get(Slot::Icmp) { dsrs.icmp() } else { None };
    let encaps = if get(Slot::Encaps) { dsrs.encaps() } else { None };
    let transport = if get(Slot::Transport) { dsrs.transport() } else { None };
    let parts = Parts {
        key: key.as_ref(),
        metrics: metrics.as_ref(),
        agr: agr.as_ref(),
        network: network.as_ref(),
        vlan: vlan.as_ref(),
        mpls: mpls.as_ref(),
        ipattr: ipattr.as_ref(),
        mac: mac.as_ref(),
        icmp: icmp.as_ref(),
        encaps: encaps.as_ref(),
        transport: transport.as_ref(),
    };
    if needs_correction(&parts, &filter.view) {
        return None;
    }
    if filter.port_direction && unknown_direction_tcp(&parts) {
        return None;
    }
    let lazy = Lazy::default();
    let view = View::of_parts(dsrs.header(), parts, filter.reads_key, &lazy);
    let ctx = Ctx { scale: filter.scale };
    Some(filter.root.eval(&view, &ctx).unwrap_or(false))
}

/// A TCP flow whose start the probe did not see (neither SYN nor SYN-ACK
/// in its TCP object, or no TCP object): one `RA_PORT_DIRECTION` may turn
/// round. Conservative, like the client's own test.
fn unknown_direction_tcp(parts: &Parts) -> bool {
    let tcp = match parts.key.map(|k| &k.addrs) {
        Some(KeyAddrs::Ipv4(a)) => a.proto == ipproto::TCP,
        Some(KeyAddrs::Ipv6(a)) => a.proto() == ipproto::TCP,
        _ => false,
    };
    let status = match parts.network {
        Some(Network::Tcp(t)) => t.status,
        Some(Network::TcpInit(t)) => t.status,
        Some(Network::TcpStatus(t)) => t.status,
        _ => 0,
    };
    tcp && status & (tcp_status::SYN | tcp_status::SYN_ACK) == 0
}
