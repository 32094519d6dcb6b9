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
//! canonical byte image ([`KeyImage`]); every other field is read from
//! `record::field`'s canonical view (`ra`'s time repairs, direction
//! corrections and derived values, shared with the printers) or, where that
//! view does not reach, from the model with the same side swaps.

use super::node::Fields;
use crate::record::field::{net_subtype, FlowView, NetObject, ViewOptions};
use crate::record::tcp_status;
use crate::record::{
    family, ipproto, key_kind, Agr, ArpKey, DirMetrics, Encaps, Flow, FlowKey, IcmpEvent, IpAttr,
    IpAttrDir, KeyAddrs, Mac, Metrics, Mpls, Network, Record, RecordHeader, Transport, Vlan,
};
use std::cell::OnceCell;

/// DSR type code of an ASN DSR, kept raw by the model.
const DSR_ASN: u8 = 0x32;
/// DSR type code of a country-code DSR, kept raw by the model.
const DSR_COCODE: u8 = 0x64;
/// DSR type code of a behaviour DSR, kept raw by the model.
const DSR_BEHAVIOR: u8 = 0x54;
/// DSR type code of a correlation DSR, kept raw by the model.
const DSR_COR: u8 = 0x62;

/// Integer fields of the canonical record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntField {
    /// Header byte 0: record class and version.
    RecType,
    /// Header byte 1: cause and option.
    Cause,
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
    pub(super) fn u8_at(&self, off: usize) -> Option<u8> {
        // A byte load is refused only *past* the DSR's length.
        (off <= self.len).then(|| self.bytes.get(off).copied()).flatten()
    }

    pub(super) fn u16_at(&self, off: usize) -> Option<u16> {
        if off + 2 > self.len {
            return None;
        }
        Some(u16::from_le_bytes([*self.bytes.get(off)?, *self.bytes.get(off + 1)?]))
    }

    pub(super) fn u32_at(&self, off: usize) -> Option<u32> {
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

/// The DSRs of a flow record the filter reads, wherever they were decoded:
/// from a whole [`Flow`], or by the bytes-level pass (`filter::bytes`),
/// which decodes only these.
#[derive(Clone, Copy, Default)]
pub struct Parts<'a> {
    pub key: Option<&'a FlowKey>,
    pub metrics: Option<&'a Metrics>,
    pub agr: Option<&'a Agr>,
    pub network: Option<&'a Network>,
    pub vlan: Option<&'a Vlan>,
    pub mpls: Option<&'a Mpls>,
    pub ipattr: Option<&'a IpAttr>,
    pub mac: Option<&'a Mac>,
    pub icmp: Option<&'a IcmpEvent>,
    pub encaps: Option<&'a Encaps>,
    pub transport: Option<&'a Transport>,
}

impl<'a> Parts<'a> {
    pub fn of(f: &'a Flow) -> Parts<'a> {
        Parts {
            key: f.key.as_ref(),
            metrics: f.metrics.as_ref(),
            agr: f.agr.as_ref(),
            network: f.network.as_ref(),
            vlan: f.vlan.as_ref(),
            mpls: f.mpls.as_ref(),
            ipattr: f.ipattr.as_ref(),
            mac: f.mac.as_ref(),
            icmp: f.icmp.as_ref(),
            encaps: f.encaps.as_ref(),
            transport: f.transport.as_ref(),
        }
    }
}

/// One record prepared for evaluation, as `ra` holds it when it filters:
/// `record::field`'s canonical view (times repaired, direction corrected,
/// statistics synthesized — the one the printers use), plus the flow key's
/// byte image.
///
/// Building the full view costs more than evaluating most filters, and for
/// the vast majority of records `ra`'s corrections change nothing: a record
/// is read straight from its DSRs unless it is one of those `ra` may turn
/// round or rewrite ([`needs_correction`]); the full view is built for
/// those, and on demand for the values only it computes (durations, rates,
/// loads, statistics).
pub struct View<'s, 'a> {
    header: RecordHeader,
    /// The DSRs of a flow record (`None` for a management record).
    parts: Option<Parts<'a>>,
    /// The whole flow, when the record was decoded whole: needed for the
    /// canonical view and for the DSRs the model keeps raw.
    flow: Option<&'a Flow>,
    opts: ViewOptions,
    /// The record needs `ra`'s corrections: read it through `canon`.
    corrected: bool,
    with_key: bool,
    /// What is built on first use (kept outside so the view itself stays
    /// small and cheap to set up).
    lazy: &'s Lazy<'a>,
}

/// The parts of a [`View`] built on first use: the full canonical view and
/// the flow key's byte image.
#[derive(Default)]
pub struct Lazy<'a> {
    canon: OnceCell<FlowView<'a>>,
    key: OnceCell<Option<KeyImage>>,
}

/// Whether `ra`'s reading of a flow may differ from the stored record: a
/// TCP flow that saw the SYN-ACK but not the SYN (or, under `-nnn`, no SYN
/// at all), an ICMP flow whose first packet was a reply, a reversed ARP
/// key, and a record with more than 1000 packets (which `ra` turns into an
/// error record when it has no duration). Conservative: the full view
/// decides.
pub fn needs_correction(parts: &Parts, opts: &ViewOptions) -> bool {
    let (s, d) = parts.metrics.map_or((0, 0), |m| (m.src.pkts, m.dst.pkts));
    if s.wrapping_add(d) > 1000 {
        return true;
    }
    let Some(key) = parts.key else { return false };
    let direction = key.qual & family::DIRECTION != 0;
    match &key.addrs {
        KeyAddrs::Ipv4(k)
            if matches!(key.key_kind(), key_kind::CLASSIC5TUPLE | key_kind::LAYER_3_MATRIX)
                && !key.is_fragment() =>
        {
            match k.proto {
                ipproto::TCP if !direction => {
                    let status = match parts.network {
                        Some(Network::Tcp(t)) => t.status,
                        Some(Network::TcpInit(t)) => t.status,
                        Some(Network::TcpStatus(t)) => t.status,
                        _ => return false,
                    };
                    match status & (tcp_status::SYN | tcp_status::SYN_ACK) {
                        tcp_status::SYN_ACK => true,
                        0 => opts.known_tcp_service.is_some(),
                        _ => false,
                    }
                }
                ipproto::ICMP => direction && s > 0 && d == 0,
                _ => false,
            }
        }
        KeyAddrs::Arp(_) | KeyAddrs::Other { .. } => key.reversed,
        _ => false,
    }
}

impl<'s, 'a> View<'s, 'a> {
    /// A decoded record. `with_key`: the filter reads the flow key (its
    /// byte image is built on first use).
    pub fn new(
        rec: &'a Record,
        with_key: bool,
        opts: ViewOptions,
        lazy: &'s Lazy<'a>,
    ) -> View<'s, 'a> {
        let flow = rec.as_flow();
        let parts = flow.map(Parts::of);
        let corrected = parts.as_ref().is_some_and(|p| needs_correction(p, &opts));
        View { header: *rec.header(), parts, flow, opts, corrected, with_key, lazy }
    }

    /// A flow record known by some of its DSRs only, which needs none of
    /// `ra`'s corrections ([`needs_correction`]) and is read for none of
    /// the values only the whole record gives (floats, raw DSRs).
    pub fn of_parts(
        header: RecordHeader,
        parts: Parts<'a>,
        with_key: bool,
        lazy: &'s Lazy<'a>,
    ) -> View<'s, 'a> {
        View {
            header,
            parts: Some(parts),
            flow: None,
            opts: ViewOptions::default(),
            corrected: false,
            with_key,
            lazy,
        }
    }

    fn parts(&self) -> Option<&Parts<'a>> {
        self.parts.as_ref()
    }

    /// The full canonical view (flow records decoded whole only).
    fn canon(&self) -> Option<&FlowView<'a>> {
        let f = self.flow?;
        Some(self.lazy.canon.get_or_init(|| FlowView::new(f, self.opts)))
    }

    /// The full view when the record needs corrections.
    fn corrected(&self) -> Option<&FlowView<'a>> {
        if self.corrected {
            self.canon()
        } else {
            None
        }
    }

    fn key_image(&self) -> Option<&KeyImage> {
        if !self.with_key {
            return None;
        }
        self.lazy
            .key
            .get_or_init(|| match self.corrected() {
                Some(v) => v.key.as_ref().map(KeyImage::build),
                None => self.parts()?.key.map(KeyImage::build),
            })
            .as_ref()
    }

    /// A flow key field: read from the key itself where the image would
    /// hold it unchanged (addresses, protocol and ports of IPv4 and IPv6
    /// keys, read for almost every filter), else from the image.
    fn key_field(&self, field: IntField) -> Option<u64> {
        if !self.with_key {
            return None;
        }
        if !self.corrected {
            if let Some(v) = self.parts().and_then(|p| p.key).and_then(|k| key_fast(k, field)) {
                return v;
            }
        }
        let img = self.key_image()?;
        match field {
            IntField::KeyU8(off) => img.u8_at(off as usize).map(u64::from),
            IntField::KeyU16(off) => img.u16_at(off as usize).map(u64::from),
            IntField::KeyU32(off) => img.u32_at(off as usize).map(u64::from),
            _ => None,
        }
    }

    /// Source and destination as `ra` has them (it may have turned the
    /// record round).
    fn sides<T>(&self, src: T, dst: T) -> (T, T) {
        match self.corrected() {
            Some(v) => v.sides(src, dst),
            None => (src, dst),
        }
    }

    fn swapped(&self) -> bool {
        self.corrected().is_some_and(|v| v.is_swapped())
    }

    fn metrics(&self) -> Option<(DirMetrics, DirMetrics)> {
        match self.corrected() {
            Some(v) => v.metrics().map(|[s, d]| (s, d)),
            None => self.parts()?.metrics.map(|m| (m.src, m.dst)),
        }
    }

    /// The IPATTR DSR as the view has it: on a turned record the sides and
    /// their qualifier bits swap, the fragment bits stay.
    fn ipattr(&self) -> Option<(u8, IpAttrDir, IpAttrDir)> {
        let a = *self.parts()?.ipattr?;
        let src = if a.qual & 0x01 != 0 { a.src } else { IpAttrDir::default() };
        let dst = if a.qual & 0x02 != 0 { a.dst } else { IpAttrDir::default() };
        if self.swapped() {
            let q = a.qual;
            let qual = (q & !0x0f)
                | ((q & 0x01) << 1)
                | ((q & 0x02) >> 1)
                | ((q & 0x04) << 1)
                | ((q & 0x08) >> 1);
            Some((qual, dst, src))
        } else {
            Some((a.qual, src, dst))
        }
    }

    /// The value of an integer field, `None` where the real tools read -1.
    pub fn int(&self, field: IntField) -> Option<u64> {
        use IntField::*;
        match field {
            RecType => {
                let h = self.header;
                Some(((h.class.nibble() << 4) | (h.version & 0x0f)) as u64)
            }
            Cause => match self.corrected() {
                Some(v) => Some(v.cause as u64),
                None => {
                    let h = self.header;
                    Some((((h.cause & 0x0f) << 4) | (h.option & 0x0f)) as u64)
                }
            },
            KeyU8(_) | KeyU16(_) | KeyU32(_) => self.key_field(field),
            SrcPkts => self.metrics().map(|m| m.0.pkts),
            SrcBytes => self.metrics().map(|m| m.0.bytes),
            SrcAppBytes => self.metrics().map(|m| m.0.appbytes),
            DstPkts => self.metrics().map(|m| m.1.pkts),
            DstBytes => self.metrics().map(|m| m.1.bytes),
            DstAppBytes => self.metrics().map(|m| m.1.appbytes),
            _ => self.flow_int(field),
        }
    }

    /// The integer fields of the other DSRs.
    fn flow_int(&self, field: IntField) -> Option<u64> {
        use IntField::*;
        let p = self.parts()?;
        match field {
            AgrCount => match self.corrected() {
                Some(v) => v.agr().map(|a| a.count as u64),
                // The record's own AGR DSR, or the one-record aggregate `ra`
                // makes up for any flow that carried packets.
                None => match p.agr {
                    Some(a) => Some(a.count as u64),
                    None => {
                        self.metrics().filter(|(s, d)| s.pkts.wrapping_add(d.pkts) > 0).map(|_| 1)
                    }
                },
            },
            NetSubtype | NetStatus | NetTcpOptions | NetIcmpType | NetSrcFlags | NetDstFlags
            | NetSrcSeqBase | NetDstSeqBase => self.net(field),
            VlanType => p.vlan.map(|_| 0x40),
            VlanSrc | VlanDst => {
                let v = p.vlan?;
                let (s, d) = self.sides(v.src_tci, v.dst_tci);
                Some(if field == VlanSrc { s } else { d } as u64)
            }
            MplsType => p.mpls.map(|_| 0x44),
            MplsSrcLabel | MplsDstLabel => {
                let (s, d) = self.sides(mpls_label(p.mpls, 0), mpls_label(p.mpls, 1));
                if field == MplsSrcLabel {
                    s
                } else {
                    d
                }
            }
            AttrQual => self.ipattr().map(|a| a.0 as u64),
            AttrSrcTtl => self.ipattr().map(|a| a.1.ttl as u64),
            AttrSrcTos => self.ipattr().map(|a| a.1.tos as u64),
            AttrSrcIpId => self.ipattr().map(|a| a.1.ip_id as u64),
            AttrDstTtl => self.ipattr().map(|a| a.2.ttl as u64),
            AttrDstTos => self.ipattr().map(|a| a.2.tos as u64),
            AttrDstIpId => self.ipattr().map(|a| a.2.ip_id as u64),
            MacQual => p.mac.map(|m| m.qual as u64),
            IcmpQual => p.icmp.map(|i| i.qual as u64),
            IcmpType => p.icmp.map(|i| i.icmp_type as u64),
            IcmpOrigSrc => p.icmp.map(|i| i.osrc as u64),
            EncapsSrc => p.encaps.map(|e| e.src as u64),
            EncapsDst => p.encaps.map(|e| e.dst as u64),
            SrcId => {
                let t = p.transport?;
                let v = match t.srcid_kind {
                    // A string id is compared as the raw bytes in memory.
                    0x21 => u32::from_le_bytes(t.srcid),
                    _ => u32::from_be_bytes(t.srcid),
                };
                Some(v as u64)
            }
            Seq => p.transport.map(|t| t.seq as u64),
            // The clients read a management record's fields through a DSR
            // header laid over its record header, whose length byte is 0:
            // every load is out of range.
            MarArgusId => None,
            AsnSrc | AsnDst => {
                let f = self.flow?;
                let (s, d) = self.sides(raw_u32(f, DSR_ASN, 4), raw_u32(f, DSR_ASN, 8));
                if field == AsnSrc {
                    s
                } else {
                    d
                }
            }
            CocodeSrc | CocodeDst => {
                let f = self.flow?;
                let (s, d) =
                    self.sides(raw_u16_mem(f, DSR_COCODE, 4), raw_u16_mem(f, DSR_COCODE, 6));
                if field == CocodeSrc {
                    s
                } else {
                    d
                }
            }
            StrokesSrc => raw_u32(self.flow?, DSR_BEHAVIOR, 4),
            StrokesDst => raw_u32(self.flow?, DSR_BEHAVIOR, 8),
            CorDeltaDur => raw_u32(self.flow?, DSR_COR, 8),
            CorDeltaLast => raw_u32(self.flow?, DSR_COR, 16),
            RecType | Cause | KeyU8(_) | KeyU16(_) | KeyU32(_) | SrcPkts | SrcBytes
            | SrcAppBytes | DstPkts | DstBytes | DstAppBytes => self.int(field),
        }
    }

    fn net(&self, field: IntField) -> Option<u64> {
        let (spkts, dpkts) = self.metrics().map_or((0, 0), |m| (m.0.pkts, m.1.pkts));
        if let Some(v) = self.corrected() {
            return net_field(v.net(), v.flow.network.as_ref(), field, spkts, dpkts);
        }
        let p = self.parts()?;
        if rtcp_tagged(p.key) {
            let rtcp = NetObject::Other {
                subtype: net_subtype::RTCP,
                qual: 0,
                word_be: 0,
                word_le: 0,
                drops: (0, 0),
            };
            return net_field(&rtcp, p.network, field, spkts, dpkts);
        }
        // The model's own objects, widened and cleaned the way the
        // canonical view does it.
        let tcp = match p.network? {
            Network::Empty => return None,
            Network::TcpInit(t) => {
                (net_subtype::TCP_INIT, t.status, t.options, t.flags, 0, t.seqbase, 0)
            }
            Network::TcpStatus(t) => {
                (net_subtype::TCP_STATUS, t.status, 0, t.src_flags, t.dst_flags, 0, 0)
            }
            Network::Tcp(t) => (
                net_subtype::TCP_PERF,
                t.status,
                t.options,
                t.src.flags,
                t.dst.flags,
                t.src.seqbase,
                t.dst.seqbase,
            ),
            other => return net_field(&canon_object(other), p.network, field, spkts, dpkts),
        };
        let (subtype, status, options, sflags, dflags, sbase, dbase) = tcp;
        let tcp = TcpWords { subtype, status, options, sflags, dflags, sbase, dbase };
        tcp.field(field, spkts, dpkts)
    }

    /// The value of a float field; `None` where the real tools read -1.
    pub fn float(&self, field: FloatField) -> Option<f32> {
        let Some(v) = self.canon() else { return Some(0.0) };
        Some(match field {
            FloatField::Jitter { src, idle, stdev } => {
                let [s, d] = v.jitter()?;
                let (act, idl) = if src { s } else { d };
                let block = if idle { idl } else { act };
                if stdev {
                    block.stddev
                } else {
                    block.mean
                }
            }
            FloatField::Dur => v.dur(),
            FloatField::SrcRate => v.srate(),
            FloatField::DstRate => v.drate(),
            FloatField::SrcLoad => v.sload(),
            FloatField::DstLoad => v.dload(),
            // `ra` 3.0.8.2 never fills these in.
            FloatField::SrcPloss | FloatField::DstPloss => 0.0,
            FloatField::Pcr => match v.metrics() {
                Some([s, d]) => {
                    let n = s.appbytes as f64 - d.appbytes as f64;
                    let t = s.appbytes as f64 + d.appbytes as f64;
                    if t > 0.0 {
                        (n / t) as f32
                    } else {
                        -0.0
                    }
                }
                None => 0.0,
            },
            FloatField::AvgDur => match v.agr() {
                Some(a) if a.count > 0 => a.act.mean,
                _ => 0.0,
            },
        })
    }

    /// A six-byte field, for MAC comparisons.
    pub fn mac(&self, field: MacField) -> Option<[u8; 6]> {
        match field {
            MacField::Src | MacField::Dst => {
                let m = self.parts()?.mac?;
                let (s, d) = self.sides(m.src, m.dst);
                Some(if field == MacField::Src { s } else { d })
            }
            MacField::ArpHardware => {
                let k = self.key_image()?;
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
        let Some(p) = self.parts() else { return false };
        match dsr {
            Dsr::Mac => p.mac.is_some(),
            Dsr::Icmp => p.icmp.is_some(),
            Dsr::Cocode => self.flow.is_some_and(|f| raw_dsr(f, DSR_COCODE).is_some()),
        }
    }
}

/// A flow key field read from the key itself, for the fields of IPv4 and
/// IPv6 classic keys the image holds unchanged; `None`: build the image.
fn key_fast(key: &FlowKey, field: IntField) -> Option<Option<u64>> {
    use IntField::*;
    if key.kind != key_kind::CLASSIC5TUPLE {
        return None;
    }
    let ported = |proto: u8| matches!(proto, ipproto::TCP | ipproto::UDP);
    let v = match &key.addrs {
        KeyAddrs::Ipv4(k) if !key.is_fragment() => match field {
            // The family byte: the clients force the mask-length bit in.
            KeyU8(2) => (key.qual | family::MASKLEN) as u64,
            KeyU32(4) => k.src as u64,
            KeyU32(8) => k.dst as u64,
            KeyU8(12) => k.proto as u64,
            KeyU16(14) if ported(k.proto) => k.sport() as u64,
            KeyU16(16) if ported(k.proto) => k.dport() as u64,
            _ => return None,
        },
        KeyAddrs::Ipv6(k) => match field {
            KeyU8(2) => (key.qual | family::MASKLEN) as u64,
            // The top byte of the flow word as it lies in memory: the
            // next-header byte.
            KeyU8(39) => (k.flow_word >> 24) as u64,
            KeyU16(40) if ported(k.proto()) => k.sport() as u64,
            KeyU16(42) if ported(k.proto()) => k.dport() as u64,
            _ => return None,
        },
        _ => return None,
    };
    Some(Some(v))
}

/// A field of the network object as the canonical view holds it.
/// A TCP object's words as the filter reads them straight from a record
/// (from the model, or from the stored bytes: `filter::raw`).
#[derive(Clone, Copy, Debug)]
pub struct TcpWords {
    pub subtype: u8,
    pub status: u32,
    pub options: u32,
    pub sflags: u8,
    pub dflags: u8,
    pub sbase: u32,
    pub dbase: u32,
}

impl TcpWords {
    /// One of the TCP object's fields, given the packets each side sent.
    pub fn field(&self, field: IntField, spkts: u64, dpkts: u64) -> Option<u64> {
        use IntField::*;
        // ra clears the flags of a side that sent nothing (TCP_INIT keeps
        // its source flags: it has no destination side).
        let sflags =
            if spkts == 0 && self.subtype != net_subtype::TCP_INIT { 0 } else { self.sflags };
        let dflags = if dpkts == 0 { 0 } else { self.dflags };
        Some(match field {
            NetSubtype => self.subtype as u64,
            NetStatus => self.status as u64,
            NetTcpOptions => self.options as u64,
            NetIcmpType => (self.status & 0xff) as u64,
            NetSrcFlags => sflags as u64,
            NetDstFlags => dflags as u64,
            NetSrcSeqBase => self.sbase as u64,
            NetDstSeqBase => self.dbase as u64,
            _ => return None,
        })
    }
}

fn net_field(
    net: &NetObject,
    network: Option<&Network>,
    field: IntField,
    spkts: u64,
    dpkts: u64,
) -> Option<u64> {
    use IntField::*;
    match net {
        NetObject::None => None,
        // The three TCP forms, widened, sides as the view has them.
        NetObject::Tcp { subtype, tcp } => Some(match field {
            NetSubtype => *subtype as u64,
            NetStatus => tcp.status as u64,
            NetTcpOptions => tcp.options as u64,
            NetIcmpType => (tcp.status & 0xff) as u64,
            NetSrcFlags => tcp.src.flags as u64,
            NetDstFlags => tcp.dst.flags as u64,
            NetSrcSeqBase => tcp.src.seqbase as u64,
            NetDstSeqBase => tcp.dst.seqbase as u64,
            _ => return None,
        }),
        NetObject::Icmp(i) => {
            // argus writes this object in host order and `ra` byte-swaps
            // it on input as if it were in network order: the addresses
            // end up reversed and the 16-bit sequence number zero.
            let word = u32::from_le_bytes([i.icmp_type, i.icmp_code, 0, 0]);
            match field {
                NetSubtype => Some(net_subtype::ICMP as u64),
                NetStatus => Some(word as u64),
                NetIcmpType => Some(i.icmp_type as u64),
                NetTcpOptions => Some(i.odst.swap_bytes() as u64),
                _ => None,
            }
        }
        NetObject::Esp(e) => match field {
            NetSubtype => Some(net_subtype::ESP as u64),
            NetStatus => Some(e.status as u64),
            NetIcmpType => Some((e.status & 0xff) as u64),
            NetTcpOptions => Some(e.last_seq as u64),
            _ => None,
        },
        NetObject::Other { subtype, .. } => match network {
            Some(Network::Arp { responder, len }) => {
                // The ARP object is the responder's MAC, zero-filled to
                // the length argus gives it.
                let size = (*len as usize).saturating_sub(1) * 4;
                object_field(field, *subtype, &responder[..], size)
            }
            Some(Network::Other { body, .. }) => {
                // RTP and RTCP objects of an unexpected size, and RTP
                // objects of short flows, are dropped by the clients.
                let dropped = match *subtype {
                    net_subtype::RTP => body.len() != 36 || (spkts < 5 && dpkts < 5),
                    net_subtype::RTCP => body.len() != 20,
                    _ => false,
                };
                if dropped {
                    return None;
                }
                object_field(field, *subtype, &body[..], body.len())
            }
            // An RTCP object the clients make up for keys with the old
            // RTCP tag: zeros.
            _ => object_field(field, *subtype, &[], 80),
        },
    }
}

/// An IPv4 UDP key with argus 2's RTCP flow tag: `ra` gives the record an
/// (empty) RTCP object whatever its own.
fn rtcp_tagged(key: Option<&FlowKey>) -> bool {
    match key {
        Some(k @ FlowKey { addrs: KeyAddrs::Ipv4(a), .. }) => {
            k.key_kind() == key_kind::CLASSIC5TUPLE
                && !k.is_fragment()
                && a.proto == ipproto::UDP
                && a.tp_p == 0x10
        }
        _ => false,
    }
}

/// The network object of a record that needs no correction, for the
/// non-TCP kinds (the TCP forms are read directly).
fn canon_object(network: &Network) -> NetObject {
    match network {
        Network::Icmp(o) => NetObject::Icmp(*o),
        Network::Esp(o) => NetObject::Esp(*o),
        Network::Arp { .. } => {
            NetObject::Other { subtype: 0x10, qual: 0, word_be: 0, word_le: 0, drops: (0, 0) }
        }
        Network::Other { subtype, qual, .. } => NetObject::Other {
            subtype: *subtype,
            qual: *qual,
            word_be: 0,
            word_le: 0,
            drops: (0, 0),
        },
        _ => NetObject::None,
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
fn mpls_label(mpls: Option<&Mpls>, index: usize) -> Option<u64> {
    let m = mpls?;
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

impl Fields for View<'_, '_> {
    fn int(&self, field: IntField) -> Option<u64> {
        View::int(self, field)
    }

    fn float(&self, field: FloatField) -> Option<f32> {
        View::float(self, field)
    }

    fn mac(&self, field: MacField) -> Option<[u8; 6]> {
        View::mac(self, field)
    }

    fn has(&self, dsr: Dsr) -> bool {
        View::has(self, dsr)
    }
}
