//! Flow records (FAR, and the NETFLOW and EVENT classes that share its
//! layout): the DSR walk `ra` 3.0.8.2 does, into a reused [`Flow`], and the
//! encoder that writes it back.
//!
//! The walk stops, as `ra`'s does, at a DSR whose length is zero or runs
//! past the end of the record; the bytes from there on are kept in
//! [`Flow::trailing`]. A second DSR of a type already seen replaces the
//! first for reading (`ra` keeps the last); the first is kept raw.

use super::dsr::{dsr_len, dsr_words, Dec};
use super::{key, meter, misc, network, time, DecodeError, EncodeError};
use crate::record::*;

/// How the DSR walk of a flow record ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DsrWalk {
    /// The DSRs filled the record exactly.
    Complete,
    /// A DSR with length 0 at this byte offset within the record.
    /// `before_time`: no TIME DSR came before it; `ra` 3.0.8.2 then drops
    /// the record and stops reading the input.
    ZeroLength { at: usize, before_time: bool },
    /// The DSR at this offset claims more bytes than the record has left.
    Overrun { at: usize },
}

fn class_of(b0: u8) -> RecordClass {
    RecordClass::from_nibble(b0 >> 4)
}

pub(crate) fn header_of(b: [u8; 2]) -> RecordHeader {
    RecordHeader {
        class: class_of(b[0]),
        version: b[0] & 0x0f,
        cause: b[1] >> 4,
        option: b[1] & 0x0f,
    }
}

pub(crate) fn header_bytes(h: &RecordHeader) -> [u8; 2] {
    [(h.class.nibble() << 4) | (h.version & 0x0f), (h.cause << 4) | (h.option & 0x0f)]
}

/// Walks the DSRs of the record in `bytes` (header included, exactly the
/// record's length) and reports how the walk ends, without decoding.
/// `ra`'s rules; used by the scanner to find records that end the input.
pub fn walk_dsrs(bytes: &[u8]) -> DsrWalk {
    let mut at = 4;
    let mut seen_time = false;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let Some(n) = dsr_len(rest) else { return DsrWalk::Overrun { at } };
        if n == 0 {
            return DsrWalk::ZeroLength { at, before_time: !seen_time };
        }
        if n > rest.len() {
            return DsrWalk::Overrun { at };
        }
        if rest[0] & 0x7f == dsr_type::TIME {
            seen_time = true;
        }
        at += n;
    }
    DsrWalk::Complete
}

/// A set of [`Slot`]s: which DSRs a caller wants decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SlotSet(u16);

impl SlotSet {
    pub const ALL: SlotSet = SlotSet(0xffff);
    pub const NONE: SlotSet = SlotSet(0);

    /// The set of the given slots.
    pub const fn of(slots: &[Slot]) -> SlotSet {
        let mut bits = 0u16;
        let mut i = 0;
        while i < slots.len() {
            bits |= 1 << slots[i] as u16;
            i += 1;
        }
        SlotSet(bits)
    }

    pub const fn with(self, slot: Slot) -> SlotSet {
        SlotSet(self.0 | 1 << slot as u16)
    }

    pub const fn union(self, other: SlotSet) -> SlotSet {
        SlotSet(self.0 | other.0)
    }

    pub const fn contains(self, slot: Slot) -> bool {
        self.0 & (1 << slot as u16) != 0
    }
}

/// What [`decode_flow_with`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeOptions {
    /// The DSRs to decode into their slots; the others are skipped (or,
    /// with `layout`, kept raw).
    pub want: SlotSet,
    /// Keep what re-encoding needs: the DSR order, raw copies of DSRs the
    /// model cannot reproduce (and of unwanted or unknown DSRs), trailing
    /// bytes. Without it decoding is faster, and the record can still be
    /// encoded, but not necessarily to the bytes it was read from (to pass
    /// a record through unchanged, write the bytes it was read from).
    pub layout: bool,
}

impl DecodeOptions {
    /// Everything, re-encodable to the same bytes (the default).
    pub const FULL: DecodeOptions = DecodeOptions { want: SlotSet::ALL, layout: true };

    /// Only `want`, for reading (the fast path of the clients).
    pub const fn read_only(want: SlotSet) -> DecodeOptions {
        DecodeOptions { want, layout: false }
    }
}

impl Default for DecodeOptions {
    fn default() -> DecodeOptions {
        DecodeOptions::FULL
    }
}

/// Decodes the flow record in `bytes` (header included; its length field
/// must match `bytes.len()`) into `flow`, reusing its allocations.
pub fn decode_flow(bytes: &[u8], flow: &mut Flow) -> Result<DsrWalk, DecodeError> {
    decode_flow_with(bytes, flow, DecodeOptions::FULL)
}

/// [`decode_flow`] with a choice of DSRs and of layout keeping.
pub fn decode_flow_with(
    bytes: &[u8],
    flow: &mut Flow,
    opts: DecodeOptions,
) -> Result<DsrWalk, DecodeError> {
    let hdr: [u8; 4] = bytes.get(..4).and_then(|h| h.try_into().ok()).ok_or(DecodeError::Short)?;
    let declared = usize::from(u16::from_be_bytes([hdr[2], hdr[3]])) * 4;
    if declared != bytes.len() {
        return Err(DecodeError::LengthMismatch { declared, actual: bytes.len() });
    }
    flow.clear();
    flow.header = header_of([hdr[0], hdr[1]]);
    if !opts.layout {
        let walk = decode_read_only(bytes, flow, opts.want);
        if matches!(flow.key, Some(FlowKey { addrs: KeyAddrs::Other { .. }, .. })) {
            // A key the model keeps as bytes may be read on into the DSR
            // that follows it (ra's short ARP keys), which only the layout
            // knows.
            return decode_flow_with(bytes, flow, DecodeOptions { layout: true, ..opts });
        }
        if arp_reversed(flow) {
            flow.swap_directions();
        }
        return Ok(walk);
    }
    let mut ctx = Ctx { record: bytes, spans: [(0, 0); 16], filled: 0, opts };
    let mut at = 4;
    let mut seen_time = false;
    let walk = loop {
        let Some(rest) = bytes.get(at..).filter(|r| !r.is_empty()) else {
            break DsrWalk::Complete;
        };
        let Some(n) = dsr_len(rest) else { break DsrWalk::Overrun { at } };
        if n == 0 {
            break DsrWalk::ZeroLength { at, before_time: !seen_time };
        }
        let Some(dsr) = rest.get(..n) else { break DsrWalk::Overrun { at } };
        let t = dsr[0] & 0x7f;
        if t == dsr_type::TIME {
            seen_time = true;
        }
        ctx.decode_dsr(at, dsr, flow);
        at += n;
    };
    if let Some(rest) = bytes.get(at..) {
        flow.trailing.extend_from_slice(rest);
    }
    if arp_reversed(flow) {
        flow.swap_directions();
    }
    Ok(walk)
}

/// The DSR walk of [`decode_flow_with`] without the layout: each wanted
/// DSR goes straight into its slot (a later DSR of the same type replaces
/// an earlier one, as `ra` reads it; one the model cannot read leaves the
/// slot as it was), everything else is stepped over. The clients' hot
/// path, so it dispatches on the type byte once and keeps no record of
/// the order.
fn decode_read_only(bytes: &[u8], flow: &mut Flow, want: SlotSet) -> DsrWalk {
    let mut at = 4;
    loop {
        if at >= bytes.len() {
            return DsrWalk::Complete;
        }
        let Some(&h) = bytes.get(at..).and_then(|r| r.first_chunk::<4>()) else {
            return DsrWalk::Overrun { at };
        };
        let [t, st, q, len8] = h;
        let words = dsr_words(h);
        if words == 0 {
            return DsrWalk::ZeroLength { at, before_time: !time_before(bytes, at) };
        }
        let (from, to) = (at + 4, at + words * 4);
        if to > bytes.len() {
            return DsrWalk::Overrun { at };
        }
        at = to;
        // Whether the DSR is read, and into which slots, in one look-up.
        if READABLE[usize::from(t) | usize::from(st & 0x80) << 1] & want.0 == 0 {
            continue;
        }
        let body = bytes.get(from..to).unwrap_or(&[]);
        match t {
            dsr_type::TRANSPORT => set(&mut flow.transport, misc::decode_transport(st, q, body)),
            dsr_type::FLOW => key::read_into(st, q, body, &mut flow.key),
            dsr_type::TIME => set(&mut flow.time, time::decode(st, q, len8, body)),
            dsr_type::METER => set(&mut flow.metrics, meter::decode_metrics(st, q, body)),
            dsr_type::AGR => set(&mut flow.agr, misc::decode_agr(st, q, body)),
            dsr_type::NETWORK => {
                // Recycle an earlier object's buffer before replacing it.
                if let Some(Network::Other { body, .. }) = flow.network.take() {
                    flow.pool.give(body);
                }
                flow.network = Some(network::decode(st, q, body, &mut flow.pool));
            }
            dsr_type::VLAN => set(&mut flow.vlan, misc::decode_vlan(st, q, body)),
            dsr_type::MPLS => set(&mut flow.mpls, misc::decode_mpls(st, q, body)),
            dsr_type::JITTER => set(&mut flow.jitter, misc::decode_jitter(st, q, body)),
            dsr_type::IPATTR => set(&mut flow.ipattr, misc::decode_ipattr(st, q, body)),
            dsr_type::PSIZE => set(&mut flow.psize, meter::decode_psize(st, q, body)),
            dsr_type::DATA => {
                let src = st & data_subtype::SRC_DATA != 0;
                let slot = if src { Slot::SrcData } else { Slot::DstData };
                if !want.contains(slot) {
                    continue;
                }
                let Some(d) = misc::decode_data(st, body, &mut flow.pool).value() else {
                    continue;
                };
                let old = if src { &mut flow.src_data } else { &mut flow.dst_data };
                if let Some(old) = old.replace(d) {
                    flow.pool.give(old.data);
                }
            }
            dsr_type::MAC => set(&mut flow.mac, misc::decode_mac(st, q, body)),
            dsr_type::ICMP => set(&mut flow.icmp, misc::decode_icmp(st, q, body)),
            dsr_type::ENCAPS => set(&mut flow.encaps, misc::decode_encaps(st, q, body)),
            _ => {}
        }
    }
}

/// True when a TIME DSR comes before byte `end` of the record, whose DSRs
/// up to there are whole (only asked when the walk meets a zero-length
/// DSR, which ends the input unless a TIME DSR came first).
#[cold]
fn time_before(bytes: &[u8], end: usize) -> bool {
    let mut at = 4;
    while at < end {
        let Some(rest) = bytes.get(at..) else { return false };
        if rest.first().is_some_and(|t| t & 0x7f == dsr_type::TIME) {
            return true;
        }
        match dsr_len(rest) {
            Some(n) if n > 0 => at += n,
            _ => return false,
        }
    }
    false
}

/// For each DSR type byte, and again (from 0x100 on) for a subtype with
/// the 16-bit-length bit: the slots [`decode_read_only`] can fill from it,
/// as [`SlotSet`] bits. Immediate DSRs, 16-bit-length forms of the 8-bit
/// types and 8-bit-length DATA DSRs carry nothing the model reads.
const READABLE: [u16; 512] = {
    let mut t = [0u16; 512];
    let mut i = 0;
    while i < 128 {
        if i as u8 == dsr_type::DATA {
            t[0x100 | i] = WANTABLE[i];
        } else {
            t[i] = WANTABLE[i];
        }
        i += 1;
    }
    t
};

/// A read-only decode fills the slot, unless the DSR could not be read.
#[inline(always)]
fn set<T>(slot: &mut Option<T>, dec: Dec<T>) {
    if let Some(v) = dec.value() {
        *slot = Some(v);
    }
}

/// An ARP key stored with REVERSE: `ra` 3.0.8.2 keeps the key as stored
/// and swaps the record's per-direction data instead.
fn arp_reversed(flow: &Flow) -> bool {
    matches!(flow.key, Some(FlowKey { reversed: true, addrs: KeyAddrs::Arp(_), .. }))
}

fn push_raw(flow: &mut Flow, bytes: &[u8], shadows: Option<Slot>) {
    let mut v = flow.pool.take();
    v.extend_from_slice(bytes);
    let i = flow.raw.len() as u16;
    flow.raw.push(RawDsr { bytes: v, shadows });
    flow.order.push(DsrRef::Raw(i));
}

/// For each DSR type (without the immediate bit), the slots it can fill,
/// as [`SlotSet`] bits (DATA: either user-data slot).
const WANTABLE: [u16; 128] = {
    let mut t = [0u16; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = match slot_for(i as u8, 0) {
            Some(s) => 1 << s as u16,
            None => 0,
        };
        i += 1;
    }
    t[dsr_type::DATA as usize] = 1 << Slot::SrcData as u16 | 1 << Slot::DstData as u16;
    t
};

/// [`slot_for`] as a table: the slot number of each DSR type (without the
/// immediate bit), 0xff for types without a slot; DATA gives the
/// destination slot (the source slot when its subtype has the source bit).
pub(crate) const SLOT_OF: [u8; 128] = {
    let mut t = [0xffu8; 128];
    let mut i = 0;
    while i < 128 {
        if let Some(s) = slot_for(i as u8, 0) {
            t[i] = s as u8;
        }
        i += 1;
    }
    t
};

/// The typed slot a DSR type goes to (DATA: by its source bit).
pub(crate) const fn slot_for(t: u8, st: u8) -> Option<Slot> {
    Some(match t {
        dsr_type::TRANSPORT => Slot::Transport,
        dsr_type::FLOW => Slot::Key,
        dsr_type::TIME => Slot::Time,
        dsr_type::METER => Slot::Metrics,
        dsr_type::AGR => Slot::Agr,
        dsr_type::NETWORK => Slot::Network,
        dsr_type::VLAN => Slot::Vlan,
        dsr_type::MPLS => Slot::Mpls,
        dsr_type::JITTER => Slot::Jitter,
        dsr_type::IPATTR => Slot::IpAttr,
        dsr_type::PSIZE => Slot::PacketSize,
        dsr_type::DATA if st & data_subtype::SRC_DATA != 0 => Slot::SrcData,
        dsr_type::DATA => Slot::DstData,
        dsr_type::MAC => Slot::Mac,
        dsr_type::ICMP => Slot::Icmp,
        dsr_type::ENCAPS => Slot::Encaps,
        _ => return None,
    })
}

/// State of one record's DSR walk when the layout is kept.
struct Ctx<'a> {
    record: &'a [u8],
    /// Where the DSR now in each slot was read (for duplicates).
    spans: [(u32, u32); 16],
    /// Slots filled so far.
    filled: u16,
    opts: DecodeOptions,
}

impl Ctx<'_> {
    /// Puts a decoded DSR into its slot, keeping the order and, for a
    /// duplicate, the earlier DSR's bytes.
    fn place<T>(
        &mut self,
        flow: &mut Flow,
        slot: Slot,
        dec: Dec<T>,
        dsr: &[u8],
        at: usize,
        set: impl FnOnce(&mut Flow, T),
    ) {
        let bit = 1u16 << slot as u16;
        if matches!(dec, Dec::Raw) {
            push_raw(flow, dsr, None);
            return;
        }
        if self.filled & bit != 0 {
            // The earlier DSR becomes a plain raw DSR (the new one is what
            // `ra` reads).
            if let Some(pos) = flow.order.iter().position(|r| *r == DsrRef::Slot(slot)) {
                let (s, e) = self.spans[slot as usize];
                let mut v = flow.pool.take();
                v.extend_from_slice(self.record.get(s as usize..e as usize).unwrap_or(&[]));
                flow.order[pos] = DsrRef::Raw(flow.raw.len() as u16);
                flow.raw.push(RawDsr { bytes: v, shadows: None });
            } else if let Some(r) = flow.raw.iter_mut().find(|r| r.shadows == Some(slot)) {
                r.shadows = None;
            }
        }
        self.filled |= bit;
        match dec {
            Dec::Exact(v) => {
                set(flow, v);
                flow.order.push(DsrRef::Slot(slot));
                self.spans[slot as usize] = (at as u32, (at + dsr.len()) as u32);
            }
            Dec::Lossy(v) => {
                set(flow, v);
                push_raw(flow, dsr, Some(slot));
            }
            Dec::Raw => {}
        }
    }

    fn decode_dsr(&mut self, at: usize, dsr: &[u8], flow: &mut Flow) {
        let (t, st, q) = (dsr[0], dsr[1], dsr[2]);
        let body = &dsr[4..];
        let slot = slot_for(t, st);
        // Immediate (one-word) DSRs, 16-bit-length forms of the 8-bit types
        // and 8-bit-length DATA DSRs carry no layout the model knows; unknown
        // and unwanted types are not decoded either.
        let odd = t & dsr_type::IMMEDIATE != 0
            || (t == dsr_type::DATA) != (st & data_subtype::LEN_16BITS != 0);
        let Some(slot) = slot.filter(|s| !odd && self.opts.want.contains(*s)) else {
            push_raw(flow, dsr, None);
            return;
        };
        macro_rules! put {
            ($dec:expr, $field:ident) => {
                self.place(flow, slot, $dec, dsr, at, |f, v| f.$field = Some(v))
            };
        }
        match slot {
            Slot::Transport => put!(misc::decode_transport(st, q, body), transport),
            Slot::Key => put!(key::decode(st, q, body), key),
            Slot::Time => put!(time::decode(st, q, dsr[3], body), time),
            Slot::Metrics => put!(meter::decode_metrics(st, q, body), metrics),
            Slot::Agr => put!(misc::decode_agr(st, q, body), agr),
            Slot::Network => {
                // Recycle an earlier object's buffer before replacing it.
                if let Some(Network::Other { body, .. }) = flow.network.take() {
                    flow.pool.give(body);
                }
                let n = network::decode(st, q, body, &mut flow.pool);
                put!(Dec::Exact(n), network)
            }
            Slot::Vlan => put!(misc::decode_vlan(st, q, body), vlan),
            Slot::Mpls => put!(misc::decode_mpls(st, q, body), mpls),
            Slot::Jitter => put!(misc::decode_jitter(st, q, body), jitter),
            Slot::IpAttr => put!(misc::decode_ipattr(st, q, body), ipattr),
            Slot::PacketSize => put!(meter::decode_psize(st, q, body), psize),
            Slot::SrcData => {
                let d = misc::decode_data(st, body, &mut flow.pool);
                if !matches!(d, Dec::Raw) {
                    if let Some(old) = flow.src_data.take() {
                        flow.pool.give(old.data);
                    }
                }
                put!(d, src_data)
            }
            Slot::DstData => {
                let d = misc::decode_data(st, body, &mut flow.pool);
                if !matches!(d, Dec::Raw) {
                    if let Some(old) = flow.dst_data.take() {
                        flow.pool.give(old.data);
                    }
                }
                put!(d, dst_data)
            }
            Slot::Mac => put!(misc::decode_mac(st, q, body), mac),
            Slot::Icmp => put!(misc::decode_icmp(st, q, body), icmp),
            Slot::Encaps => put!(misc::decode_encaps(st, q, body), encaps),
        }
    }
}

fn encode_slot(flow: &Flow, slot: Slot, out: &mut Vec<u8>) {
    match slot {
        Slot::Transport => flow.transport.iter().for_each(|v| misc::encode_transport(v, out)),
        Slot::Key => flow.key.iter().for_each(|v| key::encode(v, out)),
        Slot::Time => flow.time.iter().for_each(|v| time::encode(v, out)),
        Slot::Metrics => flow.metrics.iter().for_each(|v| meter::encode_metrics(v, out)),
        Slot::Agr => flow.agr.iter().for_each(|v| misc::encode_agr(v, out)),
        Slot::Network => flow.network.iter().for_each(|v| network::encode(v, out)),
        Slot::Vlan => flow.vlan.iter().for_each(|v| misc::encode_vlan(v, out)),
        Slot::Mpls => flow.mpls.iter().for_each(|v| misc::encode_mpls(v, out)),
        Slot::Jitter => flow.jitter.iter().for_each(|v| misc::encode_jitter(v, out)),
        Slot::IpAttr => flow.ipattr.iter().for_each(|v| misc::encode_ipattr(v, out)),
        Slot::PacketSize => flow.psize.iter().for_each(|v| meter::encode_psize(v, out)),
        Slot::SrcData => flow.src_data.iter().for_each(|v| misc::encode_data(v, out)),
        Slot::DstData => flow.dst_data.iter().for_each(|v| misc::encode_data(v, out)),
        Slot::Mac => flow.mac.iter().for_each(|v| misc::encode_mac(v, out)),
        Slot::Icmp => flow.icmp.iter().for_each(|v| misc::encode_icmp(v, out)),
        Slot::Encaps => flow.encaps.iter().for_each(|v| misc::encode_encaps(v, out)),
    }
}

fn checked_slot(flow: &Flow, slot: Slot, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    if slot == Slot::Time && flow.time.as_ref().is_some_and(|t| !time::encodable(t)) {
        return Err(EncodeError::Unrepresentable("TIME"));
    }
    let start = out.len();
    encode_slot(flow, slot, out);
    let written = out.len() - start;
    if written > 0 && dsr_len(&out[start..]) != Some(written) {
        return Err(EncodeError::DsrTooLong(slot));
    }
    Ok(())
}

/// Appends the flow record to `out`. See [`Flow`] for the DSR order.
pub fn encode_flow(flow: &Flow, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    if arp_reversed(flow) {
        let mut stored = flow.clone();
        stored.swap_directions();
        return encode_stored(&stored, out);
    }
    encode_stored(flow, out)
}

fn encode_stored(flow: &Flow, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let start = out.len();
    let h = header_bytes(&flow.header);
    out.extend_from_slice(&[h[0], h[1], 0, 0]);
    let result = encode_body(flow, out);
    let len = out.len() - start;
    let words = u16::try_from(len / 4).ok().filter(|_| len.is_multiple_of(4));
    match (result, words) {
        (Ok(()), Some(w)) => {
            out[start + 2..start + 4].copy_from_slice(&w.to_be_bytes());
            Ok(())
        }
        (Err(e), _) => {
            out.truncate(start);
            Err(e)
        }
        (Ok(()), None) => {
            out.truncate(start);
            Err(EncodeError::RecordTooLong(len))
        }
    }
}

fn encode_body(flow: &Flow, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let mut done = 0u16;
    let mut raw_done = vec![false; flow.raw.len()];
    for r in &flow.order {
        match *r {
            DsrRef::Slot(s) => {
                if flow.has(s) && done & (1 << s as u16) == 0 {
                    checked_slot(flow, s, out)?;
                    done |= 1 << s as u16;
                }
            }
            DsrRef::Raw(i) => {
                if let (Some(raw), Some(flag)) =
                    (flow.raw.get(usize::from(i)), raw_done.get_mut(usize::from(i)))
                {
                    out.extend_from_slice(&raw.bytes);
                    *flag = true;
                    if let Some(s) = raw.shadows {
                        done |= 1 << s as u16;
                    }
                }
            }
        }
    }
    for s in Slot::ALL {
        if flow.has(s) && done & (1 << s as u16) == 0 {
            checked_slot(flow, s, out)?;
        }
    }
    for (raw, written) in flow.raw.iter().zip(&raw_done) {
        if !written && raw.shadows.is_none() {
            out.extend_from_slice(&raw.bytes);
        }
    }
    out.extend_from_slice(&flow.trailing);
    Ok(())
}
