//! A lazy view of one flow record: one walk finds where each DSR is, and
//! the accessors decode only the DSR asked for. The cheapest way to read a
//! few values per record (a counter needs only the METER DSR, a filter may
//! need only the key), without touching a `Flow`.
//!
//! The walk follows `ra`'s rules (a zero-length or overrunning DSR ends it;
//! a later DSR of the same type replaces an earlier one). The accessors
//! give the same values a full decode puts in the slots (except that an
//! ARP key with REVERSE, whose record `ra` reads with the directions
//! swapped, is not special-cased here: use a full decode for ARP records).

use super::dsr::{dsr_at, dsr_len, Dec};
use super::flow::SLOT_OF;
use super::{key, meter, misc, network, time};
use crate::record::*;

/// Where each typed DSR of a flow record is.
#[derive(Clone, Copy, Debug)]
pub struct FlowView<'a> {
    record: &'a [u8],
    /// Byte offset of the DSR of each slot (0 = absent).
    at: [u16; 16],
    /// The walk reached the record's end and no slot was filled twice.
    plain: bool,
}

fn get<T>(d: Dec<T>) -> Option<T> {
    match d {
        Dec::Exact(v) | Dec::Lossy(v) => Some(v),
        Dec::Raw => None,
    }
}

/// Decodes one FLOW DSR (header included) as a full decode does: the key
/// `ra` reads, REVERSE undone.
pub fn key_of(dsr: &[u8]) -> Option<FlowKey> {
    let h = dsr.get(..4)?;
    get(key::decode(h[1], h[2], &dsr[4..]))
}

impl<'a> FlowView<'a> {
    /// Walks the DSRs of a flow record (header included).
    pub fn new(record: &'a [u8]) -> FlowView<'a> {
        let mut at = [0u16; 16];
        let mut pos = 4usize;
        let mut plain = true;
        while let Some(rest) = record.get(pos..).filter(|r| !r.is_empty()) {
            let n = match dsr_len(rest) {
                Some(n) if n > 0 && n <= rest.len() => n,
                _ => {
                    plain = false;
                    break;
                }
            };
            let (t, st) = (rest[0], rest[1]);
            let mut slot = SLOT_OF[usize::from(t & 0x7f)];
            if t == dsr_type::DATA && st & data_subtype::SRC_DATA != 0 {
                slot = Slot::SrcData as u8;
            }
            let typed = t & dsr_type::IMMEDIATE == 0
                && (t == dsr_type::DATA) == (st & data_subtype::LEN_16BITS != 0);
            if typed && slot != 0xff {
                if pos > usize::from(u16::MAX) {
                    // Past what an offset here can hold.
                    plain = false;
                    pos += n;
                    continue;
                }
                let seen = &mut at[usize::from(slot & 0x0f)];
                plain &= *seen == 0;
                *seen = pos as u16;
            }
            pos += n;
        }
        FlowView { record, at, plain }
    }

    /// True when the walk reached the end of the record and no DSR type
    /// came twice: then each accessor gives exactly what a full decode
    /// puts in its slot. (A second DSR of a type replaces the first in a
    /// full decode only if it decodes, and a walk that stops early leaves
    /// trailing bytes: cases for a full decode.)
    pub fn is_plain(&self) -> bool {
        self.plain
    }

    /// The record's header.
    pub fn header(&self) -> RecordHeader {
        let b = |i| self.record.get(i).copied().unwrap_or(0);
        super::flow::header_of([b(0), b(1)])
    }

    /// Is there a DSR for this slot?
    pub fn has(&self, slot: Slot) -> bool {
        self.at[slot as usize] != 0
    }

    /// (subtype, qualifier, length byte, body) of the slot's DSR.
    fn dsr(&self, slot: Slot) -> Option<(u8, u8, u8, &'a [u8])> {
        let pos = usize::from(self.at[slot as usize]);
        dsr_at(self.record, pos)
    }

    pub fn metrics(&self) -> Option<Metrics> {
        let (st, q, _, body) = self.dsr(Slot::Metrics)?;
        get(meter::decode_metrics(st, q, body))
    }

    pub fn key(&self) -> Option<FlowKey> {
        let (st, q, _, body) = self.dsr(Slot::Key)?;
        get(key::decode(st, q, body))
    }

    pub fn time(&self) -> Option<Time> {
        let (st, q, len, body) = self.dsr(Slot::Time)?;
        get(time::decode(st, q, len, body))
    }

    pub fn transport(&self) -> Option<Transport> {
        let (st, q, _, body) = self.dsr(Slot::Transport)?;
        get(misc::decode_transport(st, q, body))
    }

    pub fn network(&self, pool: &mut BufferPool) -> Option<Network> {
        let (st, q, _, body) = self.dsr(Slot::Network)?;
        Some(network::decode(st, q, body, pool))
    }

    pub fn ipattr(&self) -> Option<IpAttr> {
        let (st, q, _, body) = self.dsr(Slot::IpAttr)?;
        get(misc::decode_ipattr(st, q, body))
    }

    pub fn encaps(&self) -> Option<Encaps> {
        let (st, q, _, body) = self.dsr(Slot::Encaps)?;
        get(misc::decode_encaps(st, q, body))
    }

    pub fn agr(&self) -> Option<Agr> {
        let (st, q, _, body) = self.dsr(Slot::Agr)?;
        get(misc::decode_agr(st, q, body))
    }

    pub fn vlan(&self) -> Option<Vlan> {
        let (st, q, _, body) = self.dsr(Slot::Vlan)?;
        get(misc::decode_vlan(st, q, body))
    }

    pub fn mpls(&self) -> Option<Mpls> {
        let (st, q, _, body) = self.dsr(Slot::Mpls)?;
        get(misc::decode_mpls(st, q, body))
    }

    pub fn mac(&self) -> Option<Mac> {
        let (st, q, _, body) = self.dsr(Slot::Mac)?;
        get(misc::decode_mac(st, q, body))
    }

    pub fn icmp(&self) -> Option<IcmpEvent> {
        let (st, q, _, body) = self.dsr(Slot::Icmp)?;
        get(misc::decode_icmp(st, q, body))
    }
}
