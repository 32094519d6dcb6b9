//! The record as the filter sees it: the values the real tools' filter
//! machine reads from their "canonical" record, with the same notion of
//! absence.
//!
//! The 3.0.8.2 filter compares fields of an in-memory canonical record:
//! every DSR is copied into a fixed struct (some zero-filled, some copied
//! with their wire length), derived values (duration, rates, loads) sit
//! next to them, and a field that is missing — its DSR absent, or past the
//! DSR's length — reads as -1. The tests built by `gen` are phrased in
//! those fields, so a filter accepts exactly the records the real one does.
//!
//! The flow key is the one DSR whose byte layout leaks into results (an ESP
//! SPI shares bytes with the mask lengths, a port test on a UDT flow reads
//! IPv6 offsets of an IPv4 key), so it is rebuilt once per record as the
//! canonical byte image ([`KeyImage`]); every other field is read from the
//! model directly.

use crate::record::{
    family, ipproto, key_kind, ArpKey, DirMetrics, Flow, FlowKey, KeyAddrs, Network, Record,
    RecordHeader,
};

/// DSR type code of an ASN DSR, kept raw by the model.
const DSR_ASN: u8 = 0x32;
/// DSR type code of a country-code DSR, kept raw by the model.
const DSR_COCODE: u8 = 0x64;
/// DSR type code of a behaviour DSR, kept raw by the model.
const DSR_BEHAVIOR: u8 = 0x54;
/// DSR type code of a correlation DSR, kept raw by the model.
const DSR_COR: u8 = 0x62;

/// Network-object subtypes (byte 1 of the NETWORK DSR).
pub mod net_subtype {
    pub const TCP_INIT: u8 = 0x03;
    pub const TCP_STATUS: u8 = 0x04;
    pub const TCP_PERF: u8 = 0x05;
    pub const RTCP: u8 = 0x09;
    pub const RTP: u8 = 0x0A;
    pub const UDT: u8 = 0x0D;
    pub const ESP: u8 = 0x38;
    pub const ICMP: u8 = 0x34;
    pub const ARP: u8 = 0x10;
}

/// Integer fields of the canonical record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntField {
    /// Header byte 0: record class and version.
    RecType,
    /// Header byte 1: cause and option.
    Cause,
    /// The SPI of an ESP flow key, as stored.
    EspSpi,
    /// Flow key bytes at an offset of the canonical flow DSR.
    KeyU8(u8),
    KeyU16(u8),
    KeyU32(u8),
    SrcPkts,
    SrcBytes,
    SrcAppBytes,
    DstPkts,
    DstBytes,
    DstAppBytes,
    /// Aggregation count (`trans`).
    AgrCount,
    NetSubtype,
    /// The status word of a TCP or ESP network object.
    NetStatus,
    NetTcpOptions,
    NetIcmpType,
    NetSrcFlags,
    NetDstFlags,
    NetSrcSeqBase,
    NetDstSeqBase,
    VlanType,
    VlanSrc,
    VlanDst,
    MplsType,
    MplsSrcLabel,
    MplsDstLabel,
    AttrQual,
    AttrSrcTtl,
    AttrSrcTos,
    AttrSrcIpId,
    AttrDstTtl,
    AttrDstTos,
    AttrDstIpId,
    MacQual,
    IcmpQual,
    IcmpType,
    IcmpOrigSrc,
    EncapsSrc,
    EncapsDst,
    /// Probe id of a flow record (transport DSR).
    SrcId,
    /// Sequence number of a flow record (transport DSR).
    Seq,
    /// Probe id of a management record.
    MarArgusId,
    AsnSrc,
    AsnDst,
    CocodeSrc,
    CocodeDst,
    StrokesSrc,
    StrokesDst,
    CorDeltaDur,
    CorDeltaLast,
}

/// Float fields of the canonical record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatField {
    Dur,
    SrcRate,
    DstRate,
    SrcLoad,
    DstLoad,
    SrcPloss,
    DstPloss,
    Pcr,
    AvgDur,
    /// Jitter statistics: source side, idle (else active), stdev (else mean).
    Jitter {
        src: bool,
        idle: bool,
        stdev: bool,
    },
}

/// Six-byte fields compared as a whole (MAC addresses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacField {
    Src,
    Dst,
    /// The hardware address of an ARP flow key.
    ArpHardware,
}

/// DSRs whose presence alone is tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dsr {
    Mac,
    Icmp,
    Cocode,
}

/// The canonical flow DSR as bytes: header, then the key in the layout and
/// byte order the real clients hold it in memory (host order, x86).
pub struct KeyImage {
    bytes: [u8; 64],
    len: usize,
}

impl KeyImage {
    fn u8_at(&self, off: usize) -> Option<u8> {
        // A byte load is refused only *past* the DSR's length.
        (off <= self.len).then(|| self.bytes.get(off).copied()).flatten()
    }

    fn u16_at(&self, off: usize) -> Option<u16> {
        if off + 2 > self.len {
            return None;
        }
        Some(u16::from_le_bytes([*self.bytes.get(off)?, *self.bytes.get(off + 1)?]))
    }

    fn u32_at(&self, off: usize) -> Option<u32> {
        if off + 4 > self.len {
            return None;
        }
        let b = self.bytes.get(off..off + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn put(&mut self, off: usize, data: &[u8]) {
        if let Some(dst) = self.bytes.get_mut(off..off + data.len()) {
            dst.copy_from_slice(data);
        }
    }

    /// Builds the canonical image of a flow key.
    pub fn build(key: &FlowKey) -> KeyImage {
        let mut img = KeyImage { bytes: [0; 64], len: 0 };
        let mut qual = key.qual;
        let mut subtype = key.kind | if key.reversed { key_kind::REVERSE } else { 0 };
        let classic = key.kind == key_kind::CLASSIC5TUPLE;
        // An ARP key stored in a layout the model does not decode (the full
        // ARP header, or a truncated one) still reads as ARP: big-endian
        // fields, zero where the key ends early (3.0.8.2 reads on into the
        // next DSR there).
        let arp_in_bytes;
        let addrs = match &key.addrs {
            KeyAddrs::Other { bytes, len } if key.family() == family::ARP => {
                let mut b = [0u8; 16];
                let n = (*len as usize).min(16);
                b[..n].copy_from_slice(&bytes[..n]);
                let bytes = b;
                let be16 = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
                let be32 = |i: usize| {
                    u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]])
                };
                arp_in_bytes = KeyAddrs::Arp(ArpKey {
                    hrd: be16(0),
                    pro: be16(2),
                    hln: bytes[4],
                    pln: bytes[5],
                    op: be16(6),
                    spa: be32(8),
                    tpa: be32(12),
                    haddr: [0; 4],
                });
                &arp_in_bytes
            }
            other => other,
        };
        match addrs {
            KeyAddrs::Ipv4(k) => {
                img.len = 20;
                img.put(4, &k.src.to_le_bytes());
                img.put(8, &k.dst.to_le_bytes());
                if qual & family::FRAGMENT != 0 {
                    if classic {
                        img.put(12, &[k.proto]);
                    } else {
                        img.put(4, &[0; 8]);
                    }
                } else {
                    if classic {
                        img.put(12, &[k.proto]);
                        match k.proto {
                            ipproto::TCP | ipproto::UDP => {
                                img.put(14, &k.sport().to_le_bytes());
                                img.put(16, &k.dport().to_le_bytes());
                            }
                            ipproto::ICMP => {
                                img.put(14, &k.l4[0..2]);
                                img.put(16, &u16::from_be_bytes([k.l4[2], k.l4[3]]).to_le_bytes());
                            }
                            ipproto::ESP => img.put(16, &k.esp_spi().to_le_bytes()),
                            _ => {}
                        }
                    }
                    // The clients force mask lengths in (0 means 32),
                    // overwriting the last bytes of an ESP SPI.
                    let (smask, dmask) = if qual & family::MASKLEN != 0 {
                        (nonzero_or(k.smask(), 32), nonzero_or(k.dmask(), 32))
                    } else {
                        (32, 32)
                    };
                    qual |= family::MASKLEN;
                    img.put(18, &[smask, dmask]);
                }
            }
            KeyAddrs::Ipv6(k) => {
                img.len = 48;
                img.put(4, &k.src.to_be_bytes());
                img.put(20, &k.dst.to_be_bytes());
                if classic {
                    img.put(36, &k.flow_word.to_le_bytes());
                    match k.proto() {
                        ipproto::TCP | ipproto::UDP => {
                            img.put(40, &k.sport().to_le_bytes());
                            img.put(42, &k.dport().to_le_bytes());
                        }
                        ipproto::ICMPV6 => {
                            img.put(40, &k.l4[0..2]);
                            img.put(42, &[k.l4[3], k.l4[2]]);
                        }
                        _ => {}
                    }
                }
                qual |= family::MASKLEN;
                img.put(44, &[128, 128]);
            }
            KeyAddrs::Arp(k) => {
                img.len = 52;
                subtype = key_kind::ARP | (subtype & key_kind::REVERSE);
                img.put(4, &nonzero16_or(k.hrd, 1).to_le_bytes());
                img.put(6, &nonzero16_or(k.pro, 2048).to_le_bytes());
                img.put(8, &[nonzero_or(k.hln, 6), nonzero_or(k.pln, 4)]);
                let op = if classic { 1 } else { k.op };
                img.put(10, &op.to_le_bytes());
                img.put(12, &k.spa.to_le_bytes());
                img.put(16, &k.tpa.to_le_bytes());
                // 3.0.8.2 copies the hardware address onto itself, so the
                // canonical one stays zero.
                if classic {
                    subtype = key_kind::ARP;
                    qual = family::ARP;
                }
            }
            KeyAddrs::Ether(k) => {
                img.len = 20;
                img.put(4, &k.dst);
                img.put(10, &k.src);
                img.put(16, &k.ether_type.to_le_bytes());
                img.put(18, &[k.dsap, k.ssap]);
            }
            KeyAddrs::Other { bytes, len } => {
                let n = (*len as usize).min(bytes.len()).min(60);
                img.put(4, &bytes[..n]);
                img.len = 4 + n;
            }
        }
        img.bytes[0] = 0x02;
        img.bytes[1] = subtype;
        img.bytes[2] = qual;
        img.bytes[3] = (img.len / 4) as u8;
        img
    }
}

fn nonzero_or(v: u8, default: u8) -> u8 {
    if v == 0 {
        default
    } else {
        v
    }
}

fn nonzero16_or(v: u16, default: u16) -> u16 {
    if v == 0 {
        default
    } else {
        v
    }
}

/// One record prepared for evaluation.
pub struct View<'a> {
    rec: &'a Record,
    flow: Option<&'a Flow>,
    key: Option<KeyImage>,
}

impl<'a> View<'a> {
    /// `with_key`: build the flow-key image (only filters that read the key
    /// pay for it).
    pub fn new(rec: &'a Record, with_key: bool) -> View<'a> {
        let flow = rec.as_flow();
        let key =
            if with_key { flow.and_then(|f| f.key.as_ref()).map(KeyImage::build) } else { None };
        View { rec, flow, key }
    }

    fn header(&self) -> &RecordHeader {
        self.rec.header()
    }

    fn metrics(&self) -> Option<(DirMetrics, DirMetrics)> {
        let m = self.flow?.metrics?;
        Some((m.src, m.dst))
    }

    /// The value of an integer field, `None` where the real tools read -1.
    pub fn int(&self, field: IntField) -> Option<u64> {
        use IntField::*;
        let f = self.flow;
        match field {
            RecType => {
                let h = self.header();
                Some(((h.class.nibble() << 4) | (h.version & 0x0f)) as u64)
            }
            Cause => {
                let h = self.header();
                Some((((h.cause & 0x0f) << 4) | (h.option & 0x0f)) as u64)
            }
            EspSpi => match f?.key.as_ref()?.addrs {
                KeyAddrs::Ipv4(k) if k.proto == ipproto::ESP => Some(k.esp_spi() as u64),
                KeyAddrs::Ipv6(k) if k.proto() == ipproto::ESP => Some(k.l4_word() as u64),
                _ => None,
            },
            KeyU8(off) => self.key.as_ref()?.u8_at(off as usize).map(u64::from),
            KeyU16(off) => self.key.as_ref()?.u16_at(off as usize).map(u64::from),
            KeyU32(off) => self.key.as_ref()?.u32_at(off as usize).map(u64::from),
            SrcPkts => self.metrics().map(|m| m.0.pkts),
            SrcBytes => self.metrics().map(|m| m.0.bytes),
            SrcAppBytes => self.metrics().map(|m| m.0.appbytes),
            DstPkts => self.metrics().map(|m| m.1.pkts),
            DstBytes => self.metrics().map(|m| m.1.bytes),
            DstAppBytes => self.metrics().map(|m| m.1.appbytes),
            AgrCount => self.agr_count(),
            NetSubtype | NetStatus | NetTcpOptions | NetIcmpType | NetSrcFlags | NetDstFlags
            | NetSrcSeqBase | NetDstSeqBase => self.net(field),
            VlanType => f?.vlan.map(|_| 0x40),
            VlanSrc => f?.vlan.map(|v| v.src_tci as u64),
            VlanDst => f?.vlan.map(|v| v.dst_tci as u64),
            MplsType => f?.mpls.as_ref().map(|_| 0x44),
            MplsSrcLabel => mpls_label(f?, 0),
            MplsDstLabel => mpls_label(f?, 1),
            AttrQual => f?.ipattr.map(|a| a.qual as u64),
            AttrSrcTtl => f?.ipattr.map(|a| if a.qual & 0x01 != 0 { a.src.ttl as u64 } else { 0 }),
            AttrSrcTos => f?.ipattr.map(|a| if a.qual & 0x01 != 0 { a.src.tos as u64 } else { 0 }),
            AttrSrcIpId => {
                f?.ipattr.map(|a| if a.qual & 0x01 != 0 { a.src.ip_id as u64 } else { 0 })
            }
            AttrDstTtl => f?.ipattr.map(|a| if a.qual & 0x02 != 0 { a.dst.ttl as u64 } else { 0 }),
            AttrDstTos => f?.ipattr.map(|a| if a.qual & 0x02 != 0 { a.dst.tos as u64 } else { 0 }),
            AttrDstIpId => {
                f?.ipattr.map(|a| if a.qual & 0x02 != 0 { a.dst.ip_id as u64 } else { 0 })
            }
            MacQual => f?.mac.map(|m| m.qual as u64),
            IcmpQual => f?.icmp.map(|i| i.qual as u64),
            IcmpType => f?.icmp.map(|i| i.icmp_type as u64),
            IcmpOrigSrc => f?.icmp.map(|i| i.osrc as u64),
            EncapsSrc => f?.encaps.map(|e| e.src as u64),
            EncapsDst => f?.encaps.map(|e| e.dst as u64),
            SrcId => {
                let t = f?.transport?;
                let v = match t.srcid_kind {
                    // A string id is compared as the raw bytes in memory.
                    0x21 => u32::from_le_bytes(t.srcid),
                    _ => u32::from_be_bytes(t.srcid),
                };
                Some(v as u64)
            }
            Seq => f?.transport.map(|t| t.seq as u64),
            // The clients read a management record's fields through a DSR
            // header laid over its record header, whose length byte is 0:
            // every load is out of range.
            MarArgusId => None,
            AsnSrc => raw_u32(f?, DSR_ASN, 4),
            AsnDst => raw_u32(f?, DSR_ASN, 8),
            CocodeSrc => raw_u16_mem(f?, DSR_COCODE, 4),
            CocodeDst => raw_u16_mem(f?, DSR_COCODE, 6),
            StrokesSrc => raw_u32(f?, DSR_BEHAVIOR, 4),
            StrokesDst => raw_u32(f?, DSR_BEHAVIOR, 8),
            CorDeltaDur => raw_u32(f?, DSR_COR, 8),
            CorDeltaLast => raw_u32(f?, DSR_COR, 16),
        }
    }

    /// The aggregation count: the record's own AGR DSR, or the one-record
    /// aggregate the clients make up for any flow that carried packets.
    fn agr_count(&self) -> Option<u64> {
        let f = self.flow?;
        if let Some(agr) = f.agr {
            return Some(agr.count as u64);
        }
        let (s, d) = self.metrics().unwrap_or_default();
        (s.pkts + d.pkts > 0).then_some(1)
    }

    fn net(&self, field: IntField) -> Option<u64> {
        use IntField::*;
        let f = self.flow?;
        let (spkts, dpkts) = self.metrics().map_or((0, 0), |m| (m.0.pkts, m.1.pkts));
        // The TCP objects are all widened to the full TCP object.
        struct Tcp {
            subtype: u8,
            status: u32,
            options: u32,
            sflags: u8,
            dflags: u8,
            sbase: u32,
            dbase: u32,
        }
        let tcp = match f.network.as_ref()? {
            Network::Empty => return None,
            Network::TcpInit(t) => Tcp {
                subtype: net_subtype::TCP_INIT,
                status: t.status,
                options: t.options,
                sflags: t.flags,
                dflags: 0,
                sbase: t.seqbase,
                dbase: 0,
            },
            Network::TcpStatus(t) => Tcp {
                subtype: net_subtype::TCP_STATUS,
                status: t.status,
                options: 0,
                sflags: if spkts == 0 { 0 } else { t.src_flags },
                dflags: if dpkts == 0 { 0 } else { t.dst_flags },
                sbase: 0,
                dbase: 0,
            },
            Network::Tcp(t) => Tcp {
                subtype: net_subtype::TCP_PERF,
                status: t.status,
                options: t.options,
                sflags: if spkts == 0 { 0 } else { t.src.flags },
                dflags: if dpkts == 0 { 0 } else { t.dst.flags },
                sbase: t.src.seqbase,
                dbase: t.dst.seqbase,
            },
            Network::Icmp(i) => {
                // argus writes this object in host order and `ra` byte-swaps
                // it on input as if it were in network order: the addresses
                // end up reversed and the 16-bit sequence number zero.
                let word = u32::from_le_bytes([i.icmp_type, i.icmp_code, 0, 0]);
                return match field {
                    NetSubtype => Some(net_subtype::ICMP as u64),
                    NetStatus => Some(word as u64),
                    NetIcmpType => Some(i.icmp_type as u64),
                    NetTcpOptions => Some(i.odst.swap_bytes() as u64),
                    _ => None,
                };
            }
            Network::Esp(e) => {
                return match field {
                    NetSubtype => Some(net_subtype::ESP as u64),
                    NetStatus => Some(e.status as u64),
                    NetIcmpType => Some((e.status & 0xff) as u64),
                    NetTcpOptions => Some(e.last_seq as u64),
                    _ => None,
                };
            }
            Network::Arp { responder, len } => {
                // The ARP object is the responder's MAC, zero-filled to the
                // length argus gives it.
                let mut body = [0u8; 6];
                body.copy_from_slice(responder);
                let size = (*len as usize).saturating_sub(1) * 4;
                return object_field(field, net_subtype::ARP, &body, size);
            }
            Network::Other { subtype, body, .. } => {
                // RTP and RTCP objects of an unexpected size, and RTP objects
                // of short flows, are dropped by the clients.
                let dropped = match *subtype {
                    net_subtype::RTP => body.len() != 36 || (spkts < 5 && dpkts < 5),
                    net_subtype::RTCP => body.len() != 20,
                    _ => false,
                };
                if dropped {
                    return None;
                }
                return object_field(field, *subtype, body, body.len());
            }
        };
        Some(match field {
            NetSubtype => tcp.subtype as u64,
            NetStatus => tcp.status as u64,
            NetTcpOptions => tcp.options as u64,
            NetIcmpType => (tcp.status & 0xff) as u64,
            NetSrcFlags => tcp.sflags as u64,
            NetDstFlags => tcp.dflags as u64,
            NetSrcSeqBase => tcp.sbase as u64,
            NetDstSeqBase => tcp.dbase as u64,
            _ => return None,
        })
    }

    /// The value of a float field; `None` where the real tools read -1.
    pub fn float(&self, field: FloatField, derived: &dyn Derived) -> Option<f32> {
        match field {
            FloatField::Jitter { src, idle, stdev } => {
                let j = self.flow?.jitter?;
                let block = match (src, idle) {
                    (true, false) => j.src_act,
                    (true, true) => j.src_idle,
                    (false, false) => j.dst_act,
                    (false, true) => j.dst_idle,
                };
                Some(if stdev { block.stddev } else { block.mean })
            }
            other => Some(derived.value(self.rec, other)),
        }
    }

    /// A six-byte field, for MAC comparisons.
    pub fn mac(&self, field: MacField) -> Option<[u8; 6]> {
        match field {
            MacField::Src => self.flow?.mac.map(|m| m.src),
            MacField::Dst => self.flow?.mac.map(|m| m.dst),
            MacField::ArpHardware => {
                let k = self.key.as_ref()?;
                if k.len < 26 {
                    return None;
                }
                let mut out = [0u8; 6];
                out.copy_from_slice(k.bytes.get(20..26)?);
                Some(out)
            }
        }
    }

    /// Whether a DSR is present.
    pub fn has(&self, dsr: Dsr) -> bool {
        let Some(f) = self.flow else { return false };
        match dsr {
            Dsr::Mac => f.mac.is_some(),
            Dsr::Icmp => f.icmp.is_some(),
            Dsr::Cocode => raw_dsr(f, DSR_COCODE).is_some(),
        }
    }
}

/// A field of a network object the model keeps as bytes: `body` (the
/// object after the DSR header, zero beyond its end) within `size` bytes.
fn object_field(field: IntField, subtype: u8, body: &[u8], size: usize) -> Option<u64> {
    use IntField::*;
    let byte = |off: usize| -> Option<u64> {
        // A byte load is refused only past the DSR's length.
        (off <= size + 4).then(|| body.get(off - 4).copied().unwrap_or(0) as u64)
    };
    let word = |off: usize| -> Option<u64> {
        if off + 4 > size + 4 {
            return None;
        }
        let b = |i: usize| body.get(off - 4 + i).copied().unwrap_or(0);
        Some(u32::from_le_bytes([b(0), b(1), b(2), b(3)]) as u64)
    };
    match field {
        NetSubtype => Some(subtype as u64),
        NetStatus => word(4),
        NetTcpOptions => word(12),
        NetIcmpType => byte(4),
        NetSrcSeqBase => word(36),
        NetDstSeqBase => word(84),
        NetSrcFlags => byte(70),
        NetDstFlags => byte(118),
        _ => None,
    }
}

/// MPLS: the clients read two label words after the header, each only if
/// the DSR's length covers it (argus itself writes none).
fn mpls_label(f: &Flow, index: usize) -> Option<u64> {
    let m = f.mpls.as_ref()?;
    match index {
        0 if m.len >= 2 => Some(m.src_label as u64),
        1 if m.len >= 3 => Some(m.dst_label as u64),
        _ => None,
    }
}

fn raw_dsr(f: &Flow, dsr_type: u8) -> Option<&[u8]> {
    f.raw.iter().find(|r| r.dsr_type() == dsr_type).map(|r| r.bytes.as_slice())
}

/// A big-endian word of a raw DSR (byte-swapped by the clients on input).
fn raw_u32(f: &Flow, dsr_type: u8, off: usize) -> Option<u64> {
    let b = raw_dsr(f, dsr_type)?.get(off..off + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64)
}

/// Two raw bytes of a DSR as they lie in memory (country-code letters).
fn raw_u16_mem(f: &Flow, dsr_type: u8, off: usize) -> Option<u64> {
    let b = raw_dsr(f, dsr_type)?.get(off..off + 2)?;
    Some(u16::from_le_bytes([b[0], b[1]]) as u64)
}

/// Source of the derived per-record values (duration, rates, loads, ...).
pub trait Derived {
    fn value(&self, rec: &Record, field: FloatField) -> f32;
}
