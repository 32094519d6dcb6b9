//! Data set records (DSRs): the typed parts a flow record is made of.
//!
//! One struct per DSR type argus 3.0.8.2 writes or its clients read. Where a
//! DSR is a C union (the flow key, the network object) the struct keeps the
//! union's bytes and offers accessors for each interpretation, so nothing is
//! lost between decode and encode. Fields that only describe *how* a DSR was
//! laid out on the wire (`subtype`, `qual`, `len`) are kept so the codec can
//! write the same form back; code that builds new records uses the
//! constructors in `record::build`, which set them the way argus does.
//!
//! Values are semantic: numbers are plain numbers whatever their byte order
//! on the wire (the codec knows the host-order quirks of argus 3.0.8.2), and
//! `src` always means the flow's originator.

use super::Timeval;

/// DSR type codes (byte 0 of a DSR header, without the immediate bit 0x80).
pub mod dsr_type {
    pub const TRANSPORT: u8 = 0x01;
    pub const FLOW: u8 = 0x02;
    pub const TIME: u8 = 0x03;
    pub const METER: u8 = 0x10;
    pub const PSIZE: u8 = 0x12;
    pub const ENCAPS: u8 = 0x20;
    pub const NETWORK: u8 = 0x30;
    pub const ASN: u8 = 0x32;
    pub const ICMP: u8 = 0x34;
    pub const VLAN: u8 = 0x40;
    pub const MAC: u8 = 0x42;
    pub const MPLS: u8 = 0x44;
    pub const JITTER: u8 = 0x46;
    pub const HISTO: u8 = 0x47;
    pub const IPATTR: u8 = 0x48;
    pub const DATA: u8 = 0x50;
    pub const BEHAVIOR: u8 = 0x54;
    pub const AGR: u8 = 0x60;
    pub const COR: u8 = 0x62;
    pub const COCODE: u8 = 0x64;
    pub const LABEL: u8 = 0x66;
    /// Bit 7 of the type byte: an "immediate" DSR, exactly one word long.
    pub const IMMEDIATE: u8 = 0x80;
}

/// Key kinds (low 6 bits of the FLOW DSR subtype).
pub mod key_kind {
    pub const CLASSIC5TUPLE: u8 = 0x01;
    pub const LAYER_2_MATRIX: u8 = 0x02;
    pub const LAYER_3_MATRIX: u8 = 0x03;
    pub const MPLS: u8 = 0x04;
    pub const VLAN: u8 = 0x05;
    pub const ARP: u8 = 0x06;
    pub const LAYER_2: u8 = 0x07;
    /// Bit 6 of the subtype: key stored swapped relative to the originator.
    pub const REVERSE: u8 = 0x40;
    /// Bit 7 of the subtype: "key attribute" flag (never set by argus).
    pub const KEY_ATTRIBUTE: u8 = 0x80;
}

/// Address families (low 5 bits of the FLOW DSR qualifier).
pub mod family {
    pub const IPV4: u8 = 0x01;
    pub const IPV6: u8 = 0x02;
    pub const ETHER: u8 = 0x03;
    pub const ARP: u8 = 0x04;
    pub const RARP: u8 = 0x05;
    pub const MPLS: u8 = 0x06;
    pub const VLAN: u8 = 0x07;
    pub const WLAN: u8 = 0x08;
    pub const LCP: u8 = 0x09;
    pub const ISIS: u8 = 0x0A;
    pub const UDT: u8 = 0x0D;
    /// Qualifier bit: ICMP flow whose first packet was a reply (argus's
    /// internal "direction" flag; `ra` uses it in its direction correction).
    pub const DIRECTION: u8 = 0x20;
    /// Qualifier bit: the IPv4 mask bytes are prefix lengths.
    pub const MASKLEN: u8 = 0x40;
    /// Qualifier bit: key of a fragment whose first fragment was not seen.
    pub const FRAGMENT: u8 = 0x80;
}

/// IP protocol numbers the model gives meaning to.
pub mod ipproto {
    pub const ICMP: u8 = 1;
    pub const IGMP: u8 = 2;
    pub const TCP: u8 = 6;
    pub const UDP: u8 = 17;
    pub const ESP: u8 = 50;
    pub const ICMPV6: u8 = 58;
    pub const SCTP: u8 = 132;
}

/// TRANSPORT DSR (0x01): probe id and per-flow sequence number.
///
/// The body is laid out at fixed offsets whatever the subtype bits say (this
/// is how `ra` reads it): srcid at +0, seq at +4. `len` (words, header
/// included) says how much of it is stored: 3 for both (what argus writes),
/// 2 for the source id only, 1 for none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transport {
    /// 0x01 = has source id, 0x02 = has sequence number.
    pub subtype: u8,
    /// Source id kind (the qualifier), see [`srcid_kind`].
    pub srcid_kind: u8,
    /// The 4 source id bytes as stored (BE number, IPv4 address, or NUL-padded text).
    pub srcid: [u8; 4],
    pub seq: u32,
    pub len: u8,
}

impl Default for Transport {
    fn default() -> Transport {
        Transport { subtype: 0x03, srcid_kind: 0, srcid: [0; 4], seq: 0, len: 3 }
    }
}

/// Source id kinds (the TRANSPORT qualifier).
pub mod srcid_kind {
    pub const NONE: u8 = 0x00;
    pub const IPV4: u8 = 0x01;
    pub const INT: u8 = 0x20;
    pub const STRING: u8 = 0x21;
}

/// IPv4 flow key body (16 bytes on the wire). `l4` is the 6-byte union after
/// the protocol bytes; its meaning depends on `proto` (ports and masks, ICMP
/// type/code/id, ESP SPI, a fragment's IP id, ...) and is read through the
/// accessors. The bytes are kept exactly as stored, except that ports (TCP
/// and UDP) and prefix-length masks are in originator order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ipv4Key {
    pub src: u32,
    pub dst: u32,
    pub proto: u8,
    pub tp_p: u8,
    pub l4: [u8; 6],
}

impl Ipv4Key {
    pub fn sport(&self) -> u16 {
        u16::from_be_bytes([self.l4[0], self.l4[1]])
    }
    pub fn dport(&self) -> u16 {
        u16::from_be_bytes([self.l4[2], self.l4[3]])
    }
    /// Source prefix length (meaningful when the key has the MASKLEN qualifier bit).
    pub fn smask(&self) -> u8 {
        self.l4[4]
    }
    /// Destination prefix length (meaningful with MASKLEN).
    pub fn dmask(&self) -> u8 {
        self.l4[5]
    }
    pub fn set_ports(&mut self, sport: u16, dport: u16) {
        self.l4[0..2].copy_from_slice(&sport.to_be_bytes());
        self.l4[2..4].copy_from_slice(&dport.to_be_bytes());
    }
    /// ICMP type (ICMP keys).
    pub fn icmp_type(&self) -> u8 {
        self.l4[0]
    }
    /// ICMP code (ICMP keys).
    pub fn icmp_code(&self) -> u8 {
        self.l4[1]
    }
    /// ICMP identifier (echo) or embedded port/protocol (errors). argus
    /// 3.0.8.2 stores it little-endian; this is the true value. (`ra`
    /// byte-swaps it when printing: it shows `icmp_id().swap_bytes()`.)
    pub fn icmp_id(&self) -> u16 {
        u16::from_le_bytes([self.l4[2], self.l4[3]])
    }
    /// ICMP echo sequence number (stored little-endian by argus 3.0.8.2).
    pub fn icmp_ip_id(&self) -> u16 {
        u16::from_le_bytes([self.l4[4], self.l4[5]])
    }
    /// IGMP type (IGMP keys).
    pub fn igmp_type(&self) -> u8 {
        self.l4[0]
    }
    /// ESP security parameter index (ESP keys).
    pub fn esp_spi(&self) -> u32 {
        u32::from_be_bytes([self.l4[2], self.l4[3], self.l4[4], self.l4[5]])
    }
    /// IP id of a fragment key (qualifier FRAGMENT), little-endian on the wire.
    pub fn frag_ip_id(&self) -> u16 {
        u16::from_le_bytes([self.l4[4], self.l4[5]])
    }
    /// DNS transaction id that argus 3.0.8.2 keeps in the mask bytes of UDP
    /// keys to or from port 53 (little-endian on the wire).
    pub fn dns_txid(&self) -> u16 {
        u16::from_le_bytes([self.l4[4], self.l4[5]])
    }
}

/// IPv6 flow key body (40 bytes, or 44 with prefix-length masks).
/// `flow_word` is the BE word at offset 32: next header in the top byte, 4
/// reserved bits, 20-bit flow label. `l4` holds ports, ICMPv6 type/code/id,
/// the ESP SPI or the fragment id, by protocol. `masks` is the optional
/// extra word the clients write with the MASKLEN qualifier (two u16 prefix
/// lengths, host order), kept as bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ipv6Key {
    pub src: u128,
    pub dst: u128,
    pub flow_word: u32,
    pub l4: [u8; 4],
    pub masks: Option<[u8; 4]>,
}

impl Ipv6Key {
    pub fn proto(&self) -> u8 {
        (self.flow_word >> 24) as u8
    }
    pub fn flow_label(&self) -> u32 {
        self.flow_word & 0x000f_ffff
    }
    pub fn sport(&self) -> u16 {
        u16::from_be_bytes([self.l4[0], self.l4[1]])
    }
    pub fn dport(&self) -> u16 {
        u16::from_be_bytes([self.l4[2], self.l4[3]])
    }
    pub fn set_ports(&mut self, sport: u16, dport: u16) {
        self.l4[0..2].copy_from_slice(&sport.to_be_bytes());
        self.l4[2..4].copy_from_slice(&dport.to_be_bytes());
    }
    /// ICMPv6 type (ICMPv6 keys).
    pub fn icmp_type(&self) -> u8 {
        self.l4[0]
    }
    /// ICMPv6 code (ICMPv6 keys).
    pub fn icmp_code(&self) -> u8 {
        self.l4[1]
    }
    /// ICMPv6 id as stored (argus 3.0.8.2 writes 0 for echo).
    pub fn icmp_id(&self) -> u16 {
        u16::from_be_bytes([self.l4[2], self.l4[3]])
    }
    /// ESP SPI, or the fragment id of a fragment key.
    pub fn l4_word(&self) -> u32 {
        u32::from_be_bytes(self.l4)
    }
}

/// Non-IP Ethernet / LLC key, in Ethernet header order (destination first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EtherKey {
    pub dst: [u8; 6],
    pub src: [u8; 6],
    /// 0 for 802.3/LLC frames.
    pub ether_type: u16,
    pub dsap: u8,
    pub ssap: u8,
}

/// ARP key as argus 3.0.8.2 writes it: only the first 4 bytes of the
/// hardware address survive (its record length is one word short).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ArpKey {
    pub hrd: u16,
    pub pro: u16,
    pub hln: u8,
    pub pln: u8,
    pub op: u16,
    /// Sender protocol address.
    pub spa: u32,
    /// Target protocol address.
    pub tpa: u32,
    pub haddr: [u8; 4],
}

/// The largest key body kept as bytes in [`KeyAddrs::Other`]; longer keys
/// are kept as raw DSRs.
pub const OTHER_KEY_MAX: usize = 52;

/// The addresses of a flow key, by family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAddrs {
    Ipv4(Ipv4Key),
    Ipv6(Ipv6Key),
    Ether(EtherKey),
    Arp(ArpKey),
    /// Any other key (RARP, MPLS/VLAN/L2 matrix, WLAN, ISIS, legacy ARP,
    /// a known family stored with an unexpected length, ...): the body
    /// bytes exactly as stored, `len` of them.
    Other {
        bytes: [u8; OTHER_KEY_MAX],
        len: u8,
    },
}

/// FLOW DSR (0x02): the flow key.
///
/// Addresses, ports and masks of IPv4 and IPv6 keys of the classic 5-tuple
/// and layer-3 matrix kinds are in *originator* order: the codec un-reverses
/// them on read exactly as `ra` 3.0.8.2 does (addresses always; ports for
/// TCP and UDP; masks when the MASKLEN bit is set) and re-applies the swap
/// on write. `reversed` remembers the wire's REVERSE bit.
///
/// Ethernet, ARP and other keys are kept as stored, as `ra` does; for an
/// ARP key with REVERSE set the codec instead swaps the record's
/// per-direction data ([`super::Flow::swap_directions`]), again as `ra` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// The subtype without the REVERSE bit: key kind ([`key_kind`]) in the
    /// low 6 bits, the (never used) key-attribute flag in bit 7.
    pub kind: u8,
    pub reversed: bool,
    /// The qualifier as stored: family ([`family`]) plus flag bits.
    pub qual: u8,
    pub addrs: KeyAddrs,
}

impl FlowKey {
    /// Address family ([`family`]).
    pub fn family(&self) -> u8 {
        self.qual & 0x1f
    }

    /// Key kind ([`key_kind`]), without the flag bits.
    pub fn key_kind(&self) -> u8 {
        self.kind & 0x3f
    }

    /// True for the key of an IP fragment whose first fragment was not seen.
    pub fn is_fragment(&self) -> bool {
        self.qual & family::FRAGMENT != 0
    }

    /// IP protocol number, if this is an IP key.
    pub fn ip_proto(&self) -> Option<u8> {
        match &self.addrs {
            KeyAddrs::Ipv4(k) => Some(k.proto),
            KeyAddrs::Ipv6(k) => Some(k.proto()),
            _ => None,
        }
    }
}

/// Start and end of one direction's activity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub start: Timeval,
    pub end: Timeval,
}

/// TIME DSR subtype bits.
pub mod time_subtype {
    pub const ABSOLUTE_TIMESTAMP: u8 = 0x01;
    pub const ABSOLUTE_RANGE: u8 = 0x02;
    pub const ABSOLUTE_RELATIVE_RANGE: u8 = 0x03;
    pub const RELATIVE_TIMESTAMP: u8 = 0x04;
    pub const RELATIVE_RANGE: u8 = 0x05;
    pub const SRC_START: u8 = 0x08;
    pub const SRC_END: u8 = 0x10;
    pub const DST_START: u8 = 0x20;
    pub const DST_END: u8 = 0x40;
    /// All four presence bits.
    pub const PRESENCE: u8 = 0x78;
}

/// TIME DSR qualifiers.
pub mod time_qual {
    pub const UTC_MICROSECONDS: u8 = 0x18;
    pub const UTC_NANOSECONDS: u8 = 0x19;
}

/// TIME DSR (0x03).
///
/// `src`/`dst` are the four timestamps in microseconds, as the `ra` 3.0.8.2
/// reader reconstructs them from the stored form, before any of `ra`'s
/// later fix-ups that depend on the METER counts (zero where absent).
/// `subtype`, `qual` and `len` give the stored form:
///
/// * argus's min/max form (no presence bits): the words fill src.start,
///   src.end, dst.start, dst.end in that order, as many as `len` says
///   (argus writes `03 01 18 03` + start, or `03 02 18 05` + start + end);
/// * the bidirectional form with presence bits 0x08/0x10/0x20/0x40 and one
///   absolute pair per present stamp (`len` = 1 + 2n);
/// * the clients' relative form: the first present stamp absolute, the
///   others signed 32-bit microsecond offsets from it (`len` = 2 + n).
///
/// With the nanosecond qualifier the stored fractions are nanoseconds;
/// `nanos` keeps the sub-microsecond remainders (src.start, src.end,
/// dst.start, dst.end) so the stored values come back exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Time {
    pub subtype: u8,
    /// [`time_qual`]: 0x18 = UTC microseconds; 0x19 = UTC nanoseconds.
    pub qual: u8,
    /// Length in words including the header, as stored.
    pub len: u8,
    pub src: TimeRange,
    pub dst: TimeRange,
    pub nanos: [u16; 4],
}

impl Time {
    /// The earliest non-zero start (src or dst), or zero.
    pub fn start(&self) -> Timeval {
        match (self.src.start.is_zero(), self.dst.start.is_zero()) {
            (false, false) => self.src.start.min(self.dst.start),
            (false, true) => self.src.start,
            (true, false) => self.dst.start,
            (true, true) => Timeval::ZERO,
        }
    }

    /// The latest end (src or dst).
    pub fn end(&self) -> Timeval {
        self.src.end.max(self.dst.end)
    }
}

/// Packets, bytes and application bytes seen in one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirMetrics {
    pub pkts: u64,
    pub bytes: u64,
    pub appbytes: u64,
}

/// METER subtypes.
pub mod meter_subtype {
    /// Packets and bytes.
    pub const PKTS_BYTES: u8 = 0x01;
    /// Packets, bytes and application (payload) bytes.
    pub const PKTS_BYTES_APP: u8 = 0x04;
}

/// Counter layouts: the METER and PSIZE qualifier (low nibble).
pub mod meter_qual {
    pub const SRCDST_BYTE: u8 = 0x01;
    pub const SRCDST_SHORT: u8 = 0x02;
    pub const SRCDST_INT: u8 = 0x03;
    pub const SRCDST_LONG: u8 = 0x04;
    pub const SRC_BYTE: u8 = 0x05;
    pub const SRC_SHORT: u8 = 0x06;
    pub const SRC_INT: u8 = 0x07;
    pub const SRC_LONG: u8 = 0x08;
    pub const DST_BYTE: u8 = 0x09;
    pub const DST_SHORT: u8 = 0x0A;
    pub const DST_INT: u8 = 0x0B;
    pub const DST_LONG: u8 = 0x0C;
}

/// METER DSR (0x10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    /// [`meter_subtype`]: 0x01 packets+bytes; 0x04 packets+bytes+application bytes.
    pub subtype: u8,
    /// Counter layout ([`meter_qual`]): width and which sides are stored.
    pub qual: u8,
    pub src: DirMetrics,
    pub dst: DirMetrics,
    /// The bytes after the counters up to the next word boundary (narrow
    /// layouts with application bytes). argus 3.0.8.2 leaves stale buffer
    /// contents there; kept so they come back as read.
    pub pad: [u8; 3],
}

/// One statistics block of the AGR and JITTER DSRs. Equality compares the
/// floats bit for bit (a record read twice is equal to itself even when a
/// statistic is NaN).
#[derive(Clone, Copy, Debug, Default)]
pub struct StatBlock {
    pub n: i32,
    pub min: f32,
    pub mean: f32,
    pub stddev: f32,
    pub max: f32,
    /// Histogram bytes (AGR only; JITTER blocks have none in 3.0.8.2).
    pub fdist: [u8; 8],
}

impl PartialEq for StatBlock {
    fn eq(&self, o: &StatBlock) -> bool {
        self.n == o.n
            && self.min.to_bits() == o.min.to_bits()
            && self.mean.to_bits() == o.mean.to_bits()
            && self.stddev.to_bits() == o.stddev.to_bits()
            && self.max.to_bits() == o.max.to_bits()
            && self.fdist == o.fdist
    }
}

/// AGR DSR (0x60): aggregation statistics written by racluster / ra -w.
/// `count` and the times are BE; the statistics blocks are host order (LE)
/// on the wire (an argus 3.0.8.2 client quirk). Stored length 20 words.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Agr {
    /// Index of the metric the statistics are about.
    pub subtype: u8,
    pub qual: u8,
    pub count: u32,
    pub last_start: Timeval,
    pub last_time: Timeval,
    pub act: StatBlock,
    pub idle: StatBlock,
}

/// Per-direction half of the TCP performance object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpDir {
    pub lasttime: Timeval,
    pub status: u32,
    pub seqbase: u32,
    pub seq: u32,
    pub ack: u32,
    pub winnum: u32,
    pub bytes: u32,
    pub retrans: u32,
    pub ackbytes: u32,
    pub winbytes: u32,
    pub win: u16,
    pub flags: u8,
    pub winshift: u8,
}

/// TCP status bits (the `status` word of the TCP network objects).
pub mod tcp_status {
    pub const SYN: u32 = 0x0000_0001;
    pub const SYN_ACK: u32 = 0x0000_0002;
    pub const ESTABLISHED: u32 = 0x0000_0004;
    pub const FIN: u32 = 0x0000_0008;
    pub const FIN_ACK: u32 = 0x0000_0010;
    pub const NORMAL_CLOSE: u32 = 0x0000_0020;
    pub const CLOSE_WAITING: u32 = 0x0000_0040;
    pub const SRC_PKTS_RETRANS: u32 = 0x0000_0100;
    pub const DST_PKTS_RETRANS: u32 = 0x0000_0200;
    pub const SRC_WINDOW_SHUT: u32 = 0x0000_0400;
    pub const DST_WINDOW_SHUT: u32 = 0x0000_0800;
    pub const SRC_RESET: u32 = 0x0000_1000;
    pub const DST_RESET: u32 = 0x0000_2000;
    pub const SRC_CONGESTED: u32 = 0x0000_4000;
    pub const DST_CONGESTED: u32 = 0x0000_8000;
    pub const SRC_OUTOFORDER: u32 = 0x0001_0000;
    pub const DST_OUTOFORDER: u32 = 0x0002_0000;
    pub const SRC_DUPLICATES: u32 = 0x0004_0000;
    pub const DST_DUPLICATES: u32 = 0x0008_0000;
}

/// TCP option bits (the `options` word of the TCP network objects).
pub mod tcp_options {
    pub const MSS: u32 = 0x0010_0000;
    pub const WSCALE: u32 = 0x0020_0000;
    pub const SACK_OK: u32 = 0x0040_0000;
    pub const SACK: u32 = 0x0080_0000;
    pub const ECHO: u32 = 0x0100_0000;
    pub const ECHO_REPLY: u32 = 0x0200_0000;
    pub const TIMESTAMP: u32 = 0x0400_0000;
    pub const CC: u32 = 0x0800_0000;
    pub const CC_NEW: u32 = 0x1000_0000;
    pub const CC_ECHO: u32 = 0x2000_0000;
    pub const SRC_ECN: u32 = 0x4000_0000;
    pub const DST_ECN: u32 = 0x8000_0000;
}

/// TCP_PERF network object (subtype 0x05): the state of a TCP connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpPerf {
    pub status: u32,
    pub state: u32,
    pub options: u32,
    pub syn_ack_usecs: u32,
    pub ack_dat_usecs: u32,
    pub src: TcpDir,
    pub dst: TcpDir,
}

/// TCP_INIT network object (subtype 0x03): a flow that has seen only its
/// first TCP packet. argus 3.0.8.2 never fills `win` (stale buffer bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpInit {
    pub status: u32,
    pub seqbase: u32,
    pub options: u32,
    pub win: u16,
    pub flags: u8,
    pub winshift: u8,
}

/// TCP_STATUS network object (subtype 0x04).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpStatus {
    pub status: u32,
    pub src_flags: u8,
    pub dst_flags: u8,
    pub pad: [u8; 2],
}

/// ICMP network object (subtype 0x34), host order (LE) on the wire.
/// For ICMPv6 only type, code and (in `seq`'s place) the checksum are set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IcmpObject {
    pub icmp_type: u8,
    pub icmp_code: u8,
    pub seq: u16,
    pub osrc: u32,
    pub odst: u32,
    pub isrc: u32,
    pub idst: u32,
    pub gateway: u32,
}

/// ESP network object (subtype 0x38).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EspObject {
    pub status: u32,
    pub spi: u32,
    pub last_seq: u32,
    pub lost_seq: u32,
}

/// NETWORK DSR subtypes.
pub mod network_subtype {
    pub const EMPTY: u8 = 0x00;
    pub const TCP_INIT: u8 = 0x03;
    pub const TCP_STATUS: u8 = 0x04;
    pub const TCP_PERF: u8 = 0x05;
    pub const RTCP: u8 = 0x09;
    pub const RTP: u8 = 0x0A;
    pub const UDT: u8 = 0x0D;
    pub const ARP: u8 = 0x10;
    pub const ICMP: u8 = 0x34;
    pub const ESP: u8 = 0x38;
}

/// NETWORK DSR (0x30): the protocol-specific state object.
#[derive(Clone, Debug, PartialEq)]
pub enum Network {
    /// Subtype 0, one word: no object (UDP, IGMP, non-IP, ...).
    Empty,
    TcpInit(TcpInit),
    TcpStatus(TcpStatus),
    Tcp(TcpPerf),
    Icmp(IcmpObject),
    Esp(EspObject),
    /// ARP object (subtype 0x10): the responder's MAC. argus 3.0.8.2 writes it
    /// 44 words long (the size of its largest object, zero filled); `len`
    /// keeps that.
    Arp {
        responder: [u8; 6],
        len: u8,
    },
    /// Objects the model does not decode (RTP, RTCP, UDT, IGMP, fragments,
    /// a known object with an unexpected length or qualifier, ...):
    /// subtype, qualifier and body bytes as stored.
    Other {
        subtype: u8,
        qual: u8,
        body: Vec<u8>,
    },
}

/// VLAN DSR (0x40): full 802.1Q tag control fields (priority included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vlan {
    pub subtype: u8,
    /// 0x01 src present, 0x02 dst present, 0x04/0x08 changed.
    pub qual: u8,
    pub src_tci: u16,
    pub dst_tci: u16,
}

/// MPLS DSR (0x44). argus 3.0.8.2 writes only the header (`len` 1, the
/// label counts in the qualifier nibbles); `ra` reads a source and a
/// destination label word after it. `len` (1..=3) says how many of the two
/// label words are stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mpls {
    /// 0x01 src label present, 0x02 dst label present.
    pub subtype: u8,
    /// High nibble: number of src labels; low nibble: number of dst labels.
    pub qual: u8,
    pub src_label: u32,
    pub dst_label: u32,
    pub len: u8,
}

/// JITTER DSR (0x46): inter-packet time statistics in microseconds, one
/// XDR (BE) block per qualifier bit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Jitter {
    pub subtype: u8,
    /// Bits: 0x01 src active, 0x02 src idle, 0x04 dst active, 0x08 dst idle.
    pub qual: u8,
    pub src_act: StatBlock,
    pub src_idle: StatBlock,
    pub dst_act: StatBlock,
    pub dst_idle: StatBlock,
}

/// TTL, TOS and IP id of the first packet of an interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IpAttrDir {
    pub ttl: u8,
    pub tos: u8,
    pub ip_id: u16,
}

/// IP option bits of the IPATTR options word.
pub mod ip_options {
    pub const RR: u32 = 0x01;
    pub const TS: u32 = 0x02;
    pub const SECURITY: u32 = 0x04;
    pub const LSRR: u32 = 0x08;
    pub const SATID: u32 = 0x10;
    pub const SSRR: u32 = 0x20;
    pub const RTRALERT: u32 = 0x40;
}

/// IPATTR qualifier bits.
pub mod ipattr_qual {
    pub const SRC: u8 = 0x01;
    pub const DST: u8 = 0x02;
    pub const SRC_OPTIONS: u8 = 0x04;
    pub const DST_OPTIONS: u8 = 0x08;
    pub const SRC_FRAGMENTS: u8 = 0x10;
    pub const DST_FRAGMENTS: u8 = 0x20;
}

/// IPATTR DSR (0x48).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IpAttr {
    pub subtype: u8,
    /// [`ipattr_qual`]: which words are stored, and the fragment flags.
    pub qual: u8,
    pub src: IpAttrDir,
    pub dst: IpAttrDir,
    pub src_options: u32,
    pub dst_options: u32,
}

/// Packet size range of one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketSizeDir {
    pub min: u16,
    pub max: u16,
}

/// PSIZE DSR (0x12).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketSize {
    pub subtype: u8,
    /// Same layout codes as the METER qualifier (0x02 both, 0x06 src, 0x0A dst).
    pub qual: u8,
    pub src: PacketSizeDir,
    pub dst: PacketSizeDir,
}

/// DATA DSR subtype bits.
pub mod data_subtype {
    pub const SRC_DATA: u8 = 0x10;
    pub const DST_DATA: u8 = 0x20;
    /// The DSR uses a 16-bit length (bytes 2-3) instead of qualifier + length.
    pub const LEN_16BITS: u8 = 0x80;
}

/// DATA DSR (0x50): the first payload bytes of one direction (`-U`).
///
/// Stored as `50 SS LLLL | size u16 | count u16 | data, zero padded`, with
/// `count` = `data.len()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserData {
    /// 0x90 source data, 0xA0 destination data (16-bit length bit included).
    pub subtype: u8,
    /// The configured capture size (`-U` value).
    pub size: u16,
    /// The captured bytes.
    pub data: Vec<u8>,
}

/// MAC DSR (0x42), oriented like the flow (src = originator's MAC), in
/// Ethernet header order on the wire (destination first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mac {
    pub subtype: u8,
    /// 0x01/0x02: a later src/dst packet had different MACs or ether type.
    pub qual: u8,
    pub src: [u8; 6],
    pub dst: [u8; 6],
    /// The frame's outer ether type (stored little-endian by 3.0.8.2).
    pub ether_type: u16,
    pub dsap: u8,
    pub ssap: u8,
}

/// ICMP DSR (0x34): an ICMP error that referred to this (non-ICMP) flow.
/// Stored 8 words long (the last word unused, zero).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IcmpEvent {
    pub subtype: u8,
    pub qual: u8,
    pub icmp_type: u8,
    pub icmp_code: u8,
    pub iseq: u16,
    pub osrc: u32,
    pub odst: u32,
    pub isrc: u32,
    pub idst: u32,
    pub gateway: u32,
}

/// Encapsulation bits of the ENCAPS DSR.
pub mod encaps {
    pub const MPLS: u32 = 0x01;
    pub const ETHER: u32 = 0x02;
    pub const VLAN: u32 = 0x04;
    pub const LLC: u32 = 0x08;
    pub const PPP: u32 = 0x10;
    pub const ISL: u32 = 0x20;
    pub const GRE: u32 = 0x40;
    pub const AH: u32 = 0x80;
    pub const IP: u32 = 0x100;
    pub const IPV6: u32 = 0x200;
    pub const HDLC: u32 = 0x400;
    pub const CHDLC: u32 = 0x800;
    pub const ATM: u32 = 0x1000;
    pub const SLL: u32 = 0x2000;
    pub const FDDI: u32 = 0x4000;
    pub const SLIP: u32 = 0x8000;
    pub const ARCNET: u32 = 0x10000;
    pub const WLAN: u32 = 0x20000;
    pub const PRISM: u32 = 0x40000;
    pub const AVS: u32 = 0x80000;
    pub const IB_LRH: u32 = 0x100000;
    pub const IB_GRH: u32 = 0x200000;
    pub const TEREDO: u32 = 0x400000;
    pub const UDT: u32 = 0x800000;
    pub const SPI: u32 = 0x1000000;
    pub const JUNIPER: u32 = 0x2000000;
    pub const ERSPAN_II: u32 = 0x4000000;
}

/// ENCAPS DSR (0x20): bitmaps of the encapsulations seen per direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Encaps {
    pub subtype: u8,
    pub qual: u8,
    pub src: u32,
    pub dst: u32,
}

/// A DSR kept verbatim: unknown types, types the model does not decode
/// (ASN, COCODE, LABEL, BEHAVIOR, COR, HISTO, ...), duplicates, and DSRs
/// whose bytes the model cannot reproduce exactly.
///
/// `shadows` names the typed slot that holds this DSR's *meaning* when the
/// bytes were decoded but are not in a form the encoder would write (for
/// example a METER with extra words after its counters): readers see the
/// slot, the encoder writes these bytes instead.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawDsr {
    /// The whole DSR, header included.
    pub bytes: Vec<u8>,
    pub shadows: Option<super::flow::Slot>,
}

impl RawDsr {
    pub fn dsr_type(&self) -> u8 {
        self.bytes.first().map_or(0, |b| b & 0x7f)
    }
}
