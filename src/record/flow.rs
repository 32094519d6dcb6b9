//! The flow record: a header and one optional slot per DSR kind, plus what
//! the codec needs to give back the exact bytes it read.

use super::dsr::*;
use super::{cause, RecordClass, RecordHeader};

/// Where a DSR sits in a flow record. The discriminants are argus's DSR
/// index numbers, which are also the order in which argus writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Slot {
    Transport = 0,
    Key = 1,
    Time = 2,
    Metrics = 3,
    Agr = 4,
    Network = 5,
    Vlan = 6,
    Mpls = 7,
    Jitter = 8,
    IpAttr = 9,
    PacketSize = 10,
    SrcData = 11,
    DstData = 12,
    Mac = 13,
    Icmp = 14,
    Encaps = 15,
}

impl Slot {
    /// Every slot, in argus's emission order.
    pub const ALL: [Slot; 16] = [
        Slot::Transport,
        Slot::Key,
        Slot::Time,
        Slot::Metrics,
        Slot::Agr,
        Slot::Network,
        Slot::Vlan,
        Slot::Mpls,
        Slot::Jitter,
        Slot::IpAttr,
        Slot::PacketSize,
        Slot::SrcData,
        Slot::DstData,
        Slot::Mac,
        Slot::Icmp,
        Slot::Encaps,
    ];
}

/// One entry of [`Flow::order`]: a typed slot, or the n-th raw DSR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DsrRef {
    Slot(Slot),
    Raw(u16),
}

/// Byte buffers kept for reuse, so decoding a stream into one `Flow` does
/// not allocate per record once the buffers have grown. Invisible to
/// comparison and cloning.
#[derive(Default)]
pub struct BufferPool(Vec<Vec<u8>>);

impl BufferPool {
    /// Buffers kept at most; more are dropped.
    const MAX: usize = 64;

    /// An empty buffer, reused if one is available.
    pub fn take(&mut self) -> Vec<u8> {
        let mut v = self.0.pop().unwrap_or_default();
        v.clear();
        v
    }

    /// Returns a buffer for later reuse.
    pub fn give(&mut self, v: Vec<u8>) {
        if self.0.len() < Self::MAX && v.capacity() > 0 {
            self.0.push(v);
        }
    }
}

impl Clone for BufferPool {
    fn clone(&self) -> BufferPool {
        BufferPool::default()
    }
}

impl PartialEq for BufferPool {
    fn eq(&self, _: &BufferPool) -> bool {
        true
    }
}

impl std::fmt::Debug for BufferPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BufferPool({})", self.0.len())
    }
}

/// A flow record (also used for the NETFLOW and EVENT record classes).
///
/// A `None` slot means the DSR is absent. `raw` holds the DSRs kept
/// verbatim (see [`RawDsr`]). `order`, when non-empty, is the order the
/// DSRs were read in; the encoder follows it so that decode -> encode is the
/// identity, then writes any present slot it did not mention (in [`Slot`]
/// order). With an empty `order`, as for records built by the flow engine,
/// the encoder writes argus's index order (the [`Slot`] order), raw DSRs
/// last. `trailing` holds bytes after the last DSR that could be parsed (a
/// DSR overrunning the record, a zero-length DSR and what follows it).
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub header: RecordHeader,
    pub transport: Option<Transport>,
    pub key: Option<FlowKey>,
    pub time: Option<Time>,
    pub metrics: Option<Metrics>,
    pub agr: Option<Agr>,
    pub network: Option<Network>,
    pub vlan: Option<Vlan>,
    pub mpls: Option<Mpls>,
    pub jitter: Option<Jitter>,
    pub ipattr: Option<IpAttr>,
    pub psize: Option<PacketSize>,
    pub src_data: Option<UserData>,
    pub dst_data: Option<UserData>,
    pub mac: Option<Mac>,
    pub icmp: Option<IcmpEvent>,
    pub encaps: Option<Encaps>,
    pub raw: Vec<RawDsr>,
    pub order: Vec<DsrRef>,
    pub trailing: Vec<u8>,
    /// Reusable buffers (see [`BufferPool`]).
    pub pool: BufferPool,
}

impl Default for Flow {
    fn default() -> Flow {
        Flow {
            header: RecordHeader::new(RecordClass::Flow, cause::START),
            transport: None,
            key: None,
            time: None,
            metrics: None,
            agr: None,
            network: None,
            vlan: None,
            mpls: None,
            jitter: None,
            ipattr: None,
            psize: None,
            src_data: None,
            dst_data: None,
            mac: None,
            icmp: None,
            encaps: None,
            raw: Vec::new(),
            order: Vec::new(),
            trailing: Vec::new(),
            pool: BufferPool::default(),
        }
    }
}

impl Flow {
    /// Empties every slot, keeping allocations, so a decoder can reuse one
    /// `Flow` for a whole stream.
    pub fn clear(&mut self) {
        self.header = RecordHeader::new(RecordClass::Flow, cause::START);
        self.transport = None;
        self.key = None;
        self.time = None;
        self.metrics = None;
        self.agr = None;
        if let Some(Network::Other { body, .. }) = self.network.take() {
            self.pool.give(body);
        }
        self.vlan = None;
        self.mpls = None;
        self.jitter = None;
        self.ipattr = None;
        self.psize = None;
        if let Some(d) = self.src_data.take() {
            self.pool.give(d.data);
        }
        if let Some(d) = self.dst_data.take() {
            self.pool.give(d.data);
        }
        self.mac = None;
        self.icmp = None;
        self.encaps = None;
        for r in self.raw.drain(..) {
            self.pool.give(r.bytes);
        }
        self.order.clear();
        self.trailing.clear();
    }

    /// Is the slot filled?
    pub fn has(&self, slot: Slot) -> bool {
        match slot {
            Slot::Transport => self.transport.is_some(),
            Slot::Key => self.key.is_some(),
            Slot::Time => self.time.is_some(),
            Slot::Metrics => self.metrics.is_some(),
            Slot::Agr => self.agr.is_some(),
            Slot::Network => self.network.is_some(),
            Slot::Vlan => self.vlan.is_some(),
            Slot::Mpls => self.mpls.is_some(),
            Slot::Jitter => self.jitter.is_some(),
            Slot::IpAttr => self.ipattr.is_some(),
            Slot::PacketSize => self.psize.is_some(),
            Slot::SrcData => self.src_data.is_some(),
            Slot::DstData => self.dst_data.is_some(),
            Slot::Mac => self.mac.is_some(),
            Slot::Icmp => self.icmp.is_some(),
            Slot::Encaps => self.encaps.is_some(),
        }
    }

    /// Drops what ties the record to the bytes it was read from (the DSR
    /// order, raw copies of DSRs whose meaning is in a typed slot, trailing
    /// bytes), so the encoder lays it out afresh from the typed slots, as
    /// argus would. Call this after changing a decoded record.
    pub fn forget_layout(&mut self) {
        self.order.clear();
        let mut kept = Vec::with_capacity(self.raw.len());
        for r in self.raw.drain(..) {
            if r.shadows.is_none() {
                kept.push(r);
            } else {
                self.pool.give(r.bytes);
            }
        }
        self.raw = kept;
        self.trailing.clear();
    }

    /// Source-side metrics, zero when the METER DSR is absent.
    pub fn src_metrics(&self) -> DirMetrics {
        self.metrics.map(|m| m.src).unwrap_or_default()
    }

    /// Destination-side metrics, zero when the METER DSR is absent.
    pub fn dst_metrics(&self) -> DirMetrics {
        self.metrics.map(|m| m.dst).unwrap_or_default()
    }

    /// The TCP performance object, if the network DSR holds one.
    pub fn tcp(&self) -> Option<&TcpPerf> {
        match &self.network {
            Some(Network::Tcp(t)) => Some(t),
            _ => None,
        }
    }

    /// The TCP state as `ra` 3.0.8.2 works with it: every TCP network
    /// object (TCP_PERF, TCP_INIT, TCP_STATUS) widened to a [`TcpPerf`],
    /// the way `ra` converts them when it reads a record (TCP_INIT fills
    /// the source side; TCP_STATUS the two flag bytes). Without a TCP object
    /// `None`.
    pub fn tcp_view(&self) -> Option<TcpPerf> {
        match &self.network {
            Some(Network::Tcp(t)) => Some(*t),
            Some(Network::TcpInit(i)) => {
                let mut t = TcpPerf { status: i.status, options: i.options, ..TcpPerf::default() };
                t.src.seqbase = i.seqbase;
                t.src.win = i.win;
                t.src.flags = i.flags;
                t.src.winshift = i.winshift;
                Some(t)
            }
            Some(Network::TcpStatus(s)) => {
                let mut t = TcpPerf { status: s.status, ..TcpPerf::default() };
                t.src.flags = s.src_flags;
                t.dst.flags = s.dst_flags;
                Some(t)
            }
            _ => None,
        }
    }

    /// Swaps the per-direction data of every DSR except the flow key, the
    /// transport, ENCAPS, ICMP and AGR DSRs — the DSRs `ra` 3.0.8.2's
    /// `ArgusReverseRecord` swaps. Qualifier and subtype bits that say
    /// which side is stored swap with the data, so the record still encodes
    /// consistently, and doing it twice gives back the original. A TCP_INIT
    /// object has only a source side and is left as it is.
    pub fn swap_directions(&mut self) {
        // The min/max form (no presence bits) has no sides: argus's
        // ArgusReverseRecord leaves it alone, and swapping it would move the
        // times where that form cannot store them.
        if let Some(t) = self.time.as_mut().filter(|t| t.subtype & time_subtype::PRESENCE != 0) {
            std::mem::swap(&mut t.src, &mut t.dst);
            t.nanos.swap(0, 2);
            t.nanos.swap(1, 3);
            let s = t.subtype;
            let mut n = s & !time_subtype::PRESENCE;
            n |= swap_bits(s, time_subtype::SRC_START, time_subtype::DST_START);
            n |= swap_bits(s, time_subtype::SRC_END, time_subtype::DST_END);
            t.subtype = n;
        }
        if let Some(m) = &mut self.metrics {
            std::mem::swap(&mut m.src, &mut m.dst);
            m.qual = swap_side_qual(m.qual);
        }
        match &mut self.network {
            Some(Network::Tcp(t)) => std::mem::swap(&mut t.src, &mut t.dst),
            Some(Network::TcpStatus(s)) => std::mem::swap(&mut s.src_flags, &mut s.dst_flags),
            _ => {}
        }
        if let Some(v) = &mut self.vlan {
            std::mem::swap(&mut v.src_tci, &mut v.dst_tci);
            v.qual = (v.qual & !0x03) | swap_bits(v.qual, 0x01, 0x02);
        }
        if let Some(m) = &mut self.mpls {
            std::mem::swap(&mut m.src_label, &mut m.dst_label);
            m.subtype = (m.subtype & !0x03) | swap_bits(m.subtype, 0x01, 0x02);
        }
        if let Some(j) = &mut self.jitter {
            std::mem::swap(&mut j.src_act, &mut j.dst_act);
            std::mem::swap(&mut j.src_idle, &mut j.dst_idle);
            let q = j.qual;
            j.qual = (q & !0x0f) | swap_bits(q, 0x01, 0x04) | swap_bits(q, 0x02, 0x08);
        }
        if let Some(a) = &mut self.ipattr {
            std::mem::swap(&mut a.src, &mut a.dst);
            std::mem::swap(&mut a.src_options, &mut a.dst_options);
            let q = a.qual;
            a.qual = (q & !0x0f) | swap_bits(q, 0x01, 0x02) | swap_bits(q, 0x04, 0x08);
        }
        if let Some(p) = &mut self.psize {
            std::mem::swap(&mut p.src, &mut p.dst);
            p.qual = swap_side_qual(p.qual);
        }
        if let Some(m) = &mut self.mac {
            std::mem::swap(&mut m.src, &mut m.dst);
            std::mem::swap(&mut m.dsap, &mut m.ssap);
        }
        std::mem::swap(&mut self.src_data, &mut self.dst_data);
        for d in [&mut self.src_data, &mut self.dst_data].into_iter().flatten() {
            let s = d.subtype;
            d.subtype = (s & !0x30) | swap_bits(s, data_subtype::SRC_DATA, data_subtype::DST_DATA);
        }
        for r in &mut self.order {
            *r = match *r {
                DsrRef::Slot(Slot::SrcData) => DsrRef::Slot(Slot::DstData),
                DsrRef::Slot(Slot::DstData) => DsrRef::Slot(Slot::SrcData),
                other => other,
            };
        }
        for r in &mut self.raw {
            r.shadows = match r.shadows {
                Some(Slot::SrcData) => Some(Slot::DstData),
                Some(Slot::DstData) => Some(Slot::SrcData),
                other => other,
            };
        }
    }

    /// Reverses the flow: the key's endpoints ([`FlowKey::swap_endpoints`])
    /// and every DSR's per-direction data ([`Flow::swap_directions`]), as
    /// `ra` 3.0.8.2's `ArgusReverseRecord` does (used by its direction
    /// corrections and by `-M rmon`).
    pub fn reverse(&mut self) {
        if let Some(k) = &mut self.key {
            k.swap_endpoints();
        }
        self.swap_directions();
    }
}

impl FlowKey {
    /// Swaps the key's endpoints: addresses, and TCP/UDP ports of IP keys;
    /// sender and target of ARP keys; MACs and SAPs of Ethernet keys. The
    /// wire REVERSE bit and the DIRECTION qualifier bit toggle, as in `ra`
    /// 3.0.8.2. (That `ra` forgets to swap IPv6 ports here is its bug; this
    /// swaps them.) Doing it twice gives back the original.
    pub fn swap_endpoints(&mut self) {
        self.reversed = !self.reversed;
        self.qual ^= family::DIRECTION;
        match &mut self.addrs {
            KeyAddrs::Ipv4(k) => {
                std::mem::swap(&mut k.src, &mut k.dst);
                if matches!(k.proto, ipproto::TCP | ipproto::UDP)
                    && self.qual & family::FRAGMENT == 0
                {
                    k.l4.swap(0, 2);
                    k.l4.swap(1, 3);
                }
            }
            KeyAddrs::Ipv6(k) => {
                std::mem::swap(&mut k.src, &mut k.dst);
                if matches!(k.proto(), ipproto::TCP | ipproto::UDP) {
                    k.l4.swap(0, 2);
                    k.l4.swap(1, 3);
                }
            }
            KeyAddrs::Arp(k) => std::mem::swap(&mut k.spa, &mut k.tpa),
            KeyAddrs::Ether(k) => {
                std::mem::swap(&mut k.src, &mut k.dst);
                std::mem::swap(&mut k.dsap, &mut k.ssap);
            }
            KeyAddrs::Other { .. } => {}
        }
    }
}

/// `a` moves to `b` and `b` to `a` (single-bit masks).
fn swap_bits(v: u8, a: u8, b: u8) -> u8 {
    let mut out = 0;
    if v & a != 0 {
        out |= b;
    }
    if v & b != 0 {
        out |= a;
    }
    out
}

/// METER/PSIZE qualifier with "source only" and "destination only" layouts
/// exchanged (0x05..=0x08 <-> 0x09..=0x0C); both-sides layouts unchanged.
fn swap_side_qual(q: u8) -> u8 {
    let hi = q & 0xf0;
    match q & 0x0f {
        n @ 0x05..=0x08 => hi | (n + 4),
        n @ 0x09..=0x0c => hi | (n - 4),
        n => hi | n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_side_qual_exchanges_src_and_dst_layouts() {
        assert_eq!(swap_side_qual(0x06), 0x0a);
        assert_eq!(swap_side_qual(0x0b), 0x07);
        assert_eq!(swap_side_qual(0x02), 0x02);
        for q in 0..=255u8 {
            assert_eq!(swap_side_qual(swap_side_qual(q)), q);
        }
    }

    #[test]
    fn clear_recycles_buffers() {
        let mut f = Flow {
            src_data: Some(UserData { subtype: 0x90, size: 8, data: vec![1, 2, 3] }),
            ..Flow::default()
        };
        f.raw.push(RawDsr { bytes: vec![0x70, 0, 0, 1], shadows: None });
        f.clear();
        assert!(f.src_data.is_none() && f.raw.is_empty());
        assert_eq!(f.pool.0.len(), 2);
        let v = f.pool.take();
        assert!(v.is_empty() && v.capacity() >= 3);
    }
}
