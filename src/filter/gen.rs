//! Primitive generators: what each primitive of the language tests, given
//! its qualifier and value.
//!
//! Each function answers one question the 3.0.8.2 compiler answers in its
//! code generator, with the same decisions (which DSR field, which mask,
//! which direction combination, which family checks, which error for which
//! qualifier), expressed as [`Node`] trees over [`IntField`]s. Where 3.0.8.2
//! is evidently wrong, the right behaviour is chosen here and the
//! difference is listed in `docs/differences.md` (marked "difference:"
//! below).

use super::canon::{net_subtype, Dsr, FloatField, IntField, MacField};
use super::lookup::{self, PortProto, ResolveError};
use super::node::{all, and, any, not, or, Node, Op};
use super::numbers::{self, AddrPattern};
use super::qual::{Addr, Dir, Pname, Proto, QType, Qual};
use std::net::IpAddr;

/// Why a primitive could not be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenError {
    /// The real tools print this message, then the generic syntax error.
    Detail(String),
    /// The real tools print only the generic syntax error (the compiler hit
    /// an unhandled case and aborted).
    Plain,
}

pub type GenResult = Result<Node, GenError>;

fn detail<T>(msg: impl Into<String>) -> Result<T, GenError> {
    Err(GenError::Detail(msg.into()))
}

// IP protocol numbers the generator gives meaning to (257..259 are the
// real tools' pseudo protocols for RTP, RTCP and UDT).
const TCP: i64 = 6;
const UDP: i64 = 17;
const ICMP: i64 = 1;
const IGMP: i64 = 2;
const ESP: i64 = 50;
const PROTO_RTP: i64 = 257;
const PROTO_RTCP: i64 = 258;
const PROTO_UDT: i64 = 259;
/// The `proto` of a port that is both a TCP and a UDP service.
const PROTO_UNDEF: i64 = -1;

// Record classes (header byte 0, high nibble) and causes (byte 1).
const REC_MAR: u32 = 0x80;
const REC_FAR: u32 = 0x10;
const REC_INDEX: u32 = 0x20;
const REC_EVENT: u32 = 0x40;

// Flow key families (qualifier byte, low 5 bits).
const FAM_V4: u32 = 1;
const FAM_V6: u32 = 2;
const FAM_ETHER: u32 = 3;
const FAM_ARP: u32 = 4;
const FAM_RARP: u32 = 5;
const FAM_ISIS: u32 = 0x0a;

// Offsets in the canonical flow DSR.
const V4_SRC: u8 = 4;
const V4_DST: u8 = 8;
const V4_PROTO: u8 = 12;
const V4_SPORT: u8 = 14;
const V4_DPORT: u8 = 16;
const V6_SRC: u8 = 4;
const V6_DST: u8 = 20;
const V6_PROTO: u8 = 39;
const V6_SPORT: u8 = 40;
const V6_DPORT: u8 = 42;
const ARP_SPA: u8 = 12;
const ARP_TPA: u8 = 16;
const ETHER_TYPE: u8 = 16;
const IGMP_TYPE: u8 = 14;
const ISIS_PDU: u8 = 4;

// TCP status bits (network object).
const SAW_SYN_SENT: u32 = 0x02;
const CON_ESTABLISHED: u32 = 0x04;
const FIN_ACK: u32 = 0x10;
const NORMAL_CLOSE: u32 = 0x20;
const CLOSE_WAITING: u32 = 0x40;
const SRC_PKTS_RETRANS: u32 = 0x100;
const DST_PKTS_RETRANS: u32 = 0x200;
const SRC_WINDOW_SHUT: u32 = 0x400;
const DST_WINDOW_SHUT: u32 = 0x800;
const SRC_CONGESTED: u32 = 0x4000;
const DST_CONGESTED: u32 = 0x8000;
const SRC_OUTOFORDER: u32 = 0x1_0000;
const DST_OUTOFORDER: u32 = 0x2_0000;
const SRC_DUPLICATES: u32 = 0x4_0000;
const DST_DUPLICATES: u32 = 0x8_0000;
// ESP status bits.
const SRC_PKTS_DROP: u32 = 0x10;
const DST_PKTS_DROP: u32 = 0x20;

/// Which IP families a protocol test covers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fam {
    V4,
    V6,
    Both,
}

/// The family of the flow key.
fn family(f: u32) -> Node {
    Node::masked(IntField::KeyU8(2), f, 0x1f)
}

/// An IP protocol test (`Argusgen_prototype`).
fn ip_proto(v: i64, fam: Fam) -> Node {
    match v {
        PROTO_RTP | PROTO_RTCP => {
            let sub = if v == PROTO_RTP { net_subtype::RTP } else { net_subtype::RTCP };
            and(
                Node::eq(IntField::KeyU8(V4_PROTO), UDP),
                Node::eq(IntField::NetSubtype, sub as i64),
            )
        }
        PROTO_UDT => Node::eq(IntField::NetSubtype, net_subtype::UDT as i64),
        _ => {
            let value = v as u32 as i64;
            let v4 = || and(family(FAM_V4), Node::eq(IntField::KeyU8(V4_PROTO), value));
            let v6 = || and(family(FAM_V6), Node::eq(IntField::KeyU8(V6_PROTO), value));
            match fam {
                Fam::V4 => v4(),
                Fam::V6 => v6(),
                Fam::Both => or(v4(), v6()),
            }
        }
    }
}

/// A link-layer type test (`Argusgen_linktype`).
fn link_type(ethertype: u32) -> Node {
    match ethertype {
        // 3.0.8.2 tests RARP as ARP; `rarp` itself is fixed in proto_abbrev.
        0x0806 | 0x8035 => family(FAM_ARP),
        0x0800 => family(FAM_V4),
        0x86dd => family(FAM_V6),
        0x0083 => family(FAM_ISIS),
        _ => and(family(FAM_ETHER), Node::eq(IntField::KeyU16(ETHER_TYPE), ethertype as i64)),
    }
}

/// A record class test: the class bits are tested as a mask, so `far`
/// also accepts NETFLOW records.
fn record_type(class: u32) -> Node {
    Node::bits(IntField::RecType, class)
}

/// An ARP flow record.
fn arp_flow() -> Node {
    and(record_type(REC_FAR), Node::bits(IntField::KeyU8(1), 6))
}

fn tcp_status(bits: u32) -> Node {
    and(ip_proto(TCP, Fam::Both), Node::bits(IntField::NetStatus, bits))
}

fn esp_status(bits: u32) -> Node {
    and(Node::bits(IntField::NetStatus, bits), ip_proto(ESP, Fam::Both))
}

/// Combines a source-side and a destination-side test by direction, the
/// way most numeric attributes do; `undef` is what an undefined direction
/// does (most generators abort).
fn by_dir(dir: Dir, src: impl Fn() -> Node, dst: impl Fn() -> Node, undef: Undef) -> GenResult {
    Ok(match dir {
        Dir::Src => src(),
        Dir::Dst => dst(),
        Dir::Or | Dir::Default => or(src(), dst()),
        Dir::And => and(src(), dst()),
        Dir::Undef => match undef {
            Undef::Abort => return Err(GenError::Plain),
            Undef::Either => or(src(), dst()),
        },
    })
}

#[derive(Clone, Copy)]
enum Undef {
    Abort,
    Either,
}

// ------------------------------------------------------------- addresses

#[derive(Clone, Copy, PartialEq, Eq)]
enum AddrFam {
    V4,
    V6,
    Arp,
}

/// One side's address test (`Argusgen_hostop`).
fn host_side(p: &AddrPattern, fam: AddrFam, src: bool) -> Node {
    let (off, words) = match (fam, src) {
        (AddrFam::V4, true) => (V4_SRC, 1),
        (AddrFam::V4, false) => (V4_DST, 1),
        (AddrFam::V6, true) => (V6_SRC, 4),
        (AddrFam::V6, false) => (V6_DST, 4),
        (AddrFam::Arp, true) => (ARP_SPA, 1),
        (AddrFam::Arp, false) => (ARP_TPA, 1),
    };
    all((0..words)
        .filter(|&i| i == 0 || p.masks[i] != 0)
        .map(|i| Node::masked(IntField::KeyU32(off + 4 * i as u8), p.words[i], p.masks[i])))
}

fn host_op(p: &AddrPattern, fam: AddrFam, dir: Dir) -> GenResult {
    by_dir(dir, || host_side(p, fam, true), || host_side(p, fam, false), Undef::Abort)
}

/// An address test under a protocol qualifier (`Argusgen_host`). The
/// address families tested depend on the value kind: an IPv4 literal is not
/// looked for in IPv6 keys.
fn host(p: &AddrPattern, typ: QType, proto: Proto, dir: Dir) -> GenResult {
    let has_mask = p.masks[0] != 0;
    let v4_ok = matches!(typ, QType::Default | QType::Ipv4);
    let v6_ok = matches!(typ, QType::Default | QType::Ipv6);
    let with = |base: Node, fam: AddrFam| -> GenResult {
        Ok(if has_mask { and(base, host_op(p, fam, dir)?) } else { base })
    };
    match proto {
        Proto::Default => {
            let mut b = with(family(FAM_ARP), AddrFam::Arp)?;
            if v4_ok {
                b = or(with(family(FAM_V4), AddrFam::V4)?, b);
            }
            if v6_ok {
                b = or(with(family(FAM_V6), AddrFam::V6)?, b);
            }
            Ok(b)
        }
        Proto::Name(Pname::Ip) => {
            let v4 = if v4_ok { Some(with(family(FAM_V4), AddrFam::V4)?) } else { None };
            let v6 = if v6_ok { Some(with(family(FAM_V6), AddrFam::V6)?) } else { None };
            match (v4, v6) {
                (Some(a), Some(b)) => Ok(or(b, a)),
                (Some(a), None) => Ok(a),
                // The C code ORs the IPv6 test with the missing IPv4 one and
                // crashes.
                (None, Some(_)) => Err(GenError::Plain),
                (None, None) => Ok(Node::Null),
            }
        }
        Proto::Name(Pname::Ipv6) => {
            if has_mask {
                Ok(and(family(FAM_V6), host_op(p, AddrFam::V6, dir)?))
            } else {
                Ok(Node::Null)
            }
        }
        Proto::Name(Pname::Ipv4 | Pname::Icmp) => with(family(FAM_V4), AddrFam::V4),
        Proto::Name(Pname::Arp) => with(arp_flow(), AddrFam::Arp),
        Proto::Name(Pname::Rarp) => {
            // 3.0.8.2 has no RARP address test: with an address the compiler
            // crashes, without one it tests the (ARP) link type.
            if has_mask {
                Err(GenError::Plain)
            } else {
                Ok(family(FAM_RARP))
            }
        }
        Proto::Name(
            p @ (Pname::Tcp | Pname::Udp | Pname::Rtp | Pname::Rtcp | Pname::Udt | Pname::Isis),
        ) => detail(format!("'{}' modifier applied to host", p.name())),
        _ => Err(GenError::Plain),
    }
}

/// A MAC address test (`Argusgen_ehostop`).
fn ether_host(mac: [u8; 6], dir: Dir) -> GenResult {
    by_dir(
        dir,
        || Node::Mac { field: MacField::Src, addr: mac },
        || Node::Mac { field: MacField::Dst, addr: mac },
        Undef::Abort,
    )
}

fn v4_pattern(addr: u32) -> AddrPattern {
    AddrPattern::v4(addr, 0xffff_ffff)
}

fn ip_pattern(ip: IpAddr) -> (AddrPattern, Proto) {
    match ip {
        IpAddr::V4(a) => (v4_pattern(u32::from(a)), Proto::Name(Pname::Ipv4)),
        IpAddr::V6(a) => (AddrPattern::v6(a.octets(), [0xff; 16]), Proto::Name(Pname::Ipv6)),
    }
}

fn srcid(value: u32, mask: u32) -> Node {
    let mar = and(record_type(REC_MAR), Node::masked(IntField::MarArgusId, value, mask));
    let far = and(
        or(record_type(REC_EVENT), record_type(REC_FAR)),
        Node::masked(IntField::SrcId, value, mask),
    );
    or(far, mar)
}

fn inode(value: u32, mask: u32) -> Node {
    and(record_type(REC_FAR), Node::masked(IntField::IcmpOrigSrc, value, mask))
}

// ----------------------------------------------------------------- ports

fn port_side(port: i64, proto: i64, src: bool, op: Op) -> Node {
    let (o4, o6) = if src { (V4_SPORT, V6_SPORT) } else { (V4_DPORT, V6_DPORT) };
    let value = port as u32 as i64;
    let v4 = and(Node::int(IntField::KeyU16(o4), op, value), ip_proto(proto, Fam::V4));
    let v6 = and(Node::int(IntField::KeyU16(o6), op, value), ip_proto(proto, Fam::V6));
    or(v6, v4)
}

fn port_op(port: i64, proto: i64, dir: Dir, op: Op) -> GenResult {
    by_dir(
        dir,
        || port_side(port, proto, true, op),
        || port_side(port, proto, false, op),
        Undef::Abort,
    )
}

/// A port test for a transport (`Argusgen_port`).
fn port(port: i64, proto: i64, dir: Dir, op: Op) -> GenResult {
    match proto {
        TCP | UDP | PROTO_UDT => port_op(port, proto, dir, op),
        PROTO_RTP | PROTO_RTCP => {
            Ok(and(port_op(port, UDP, dir, op)?, port_op(port, proto, dir, op)?))
        }
        PROTO_UNDEF => Ok(or(port_op(port, TCP, dir, op)?, port_op(port, UDP, dir, op)?)),
        _ => Err(GenError::Plain),
    }
}

/// The transport a `port` qualifier's protocol keyword selects.
fn port_proto(proto: Proto) -> Result<i64, GenError> {
    match proto {
        Proto::Default => Ok(PROTO_UNDEF),
        Proto::Name(Pname::Tcp) => Ok(TCP),
        Proto::Name(Pname::Udp) => Ok(UDP),
        Proto::Name(Pname::Udt) => Ok(PROTO_UDT),
        Proto::Name(Pname::Rtp) => Ok(PROTO_RTP),
        Proto::Name(Pname::Rtcp) => Ok(PROTO_RTCP),
        _ => detail("illegal qualifier of 'port'"),
    }
}

// ------------------------------------------------------------ protocols

/// `proto N` under a protocol keyword (`Argusgen_proto`).
fn proto(v: i64, proto: Proto, dir: Dir) -> GenResult {
    if dir != Dir::Default {
        return detail("direction applied to 'proto'");
    }
    match proto {
        Proto::Default | Proto::Name(Pname::Ip) => Ok(ip_proto(v, Fam::Both)),
        Proto::Name(Pname::Ipv4) => Ok(ip_proto(v, Fam::V4)),
        Proto::Name(Pname::Ipv6) => Ok(ip_proto(v, Fam::V6)),
        Proto::Name(Pname::Arp) => Ok(link_type(0x0806)),
        Proto::Name(Pname::Rarp) => detail("rarp does not encapsulate another protocol"),
        Proto::Name(Pname::Link) => Ok(link_type(v as u32)),
        Proto::Name(
            p @ (Pname::Udp | Pname::Rtp | Pname::Rtcp | Pname::Tcp | Pname::Icmp | Pname::Igmp),
        ) => detail(format!("'{} proto' is bogus", p.name())),
        _ => Err(GenError::Plain),
    }
}

/// A protocol or record keyword used alone (`Argusgen_proto_abbrev`).
pub fn pname_alone(p: Pname) -> GenResult {
    Ok(match p {
        Pname::Tcp => ip_proto(TCP, Fam::Both),
        Pname::Udp => ip_proto(UDP, Fam::Both),
        Pname::Icmp => ip_proto(ICMP, Fam::Both),
        Pname::Igmp => ip_proto(IGMP, Fam::Both),
        Pname::Rtp => ip_proto(PROTO_RTP, Fam::Both),
        Pname::Rtcp => ip_proto(PROTO_RTCP, Fam::Both),
        Pname::Udt => ip_proto(PROTO_UDT, Fam::Both),
        Pname::Arp => arp_flow(),
        Pname::Mpls => Node::eq(IntField::MplsType, 0x44),
        Pname::Vlan => Node::eq(IntField::VlanType, 0x40),
        // difference: 3.0.8.2 tests RARP flows as ARP flows.
        Pname::Rarp => family(FAM_RARP),
        Pname::Ipv6 => family(FAM_V6),
        Pname::Ipv4 => family(FAM_V4),
        Pname::Ip => or(family(FAM_V6), family(FAM_V4)),
        Pname::Isis => family(FAM_ISIS),
        Pname::Anon => Node::Null,
        Pname::Link => return detail("link layer applied in wrong context"),
    })
}

/// Record, state and ICMP keywords used alone (`sname`).
pub fn sname(word: &str) -> GenResult {
    Ok(match word {
        "start" | "init" => cause(0x10),
        "stop" => cause(0x30),
        "status" => cause(0x20),
        "shut" => cause(0x60),
        "timeout" => cause(0x40),
        // difference: 3.0.8.2 generates no test for `error` (it matches
        // everything, and crashes when combined).
        "error" => cause(0x80),
        "man" | "mar" => record_type(REC_MAR),
        "far" => record_type(REC_FAR),
        "event" => record_type(REC_EVENT),
        "index" => record_type(REC_INDEX),
        "normal" => tcp_status(NORMAL_CLOSE),
        "wait" => tcp_status(CLOSE_WAITING),
        "synack" => tcp_status(SAW_SYN_SENT),
        "finack" => tcp_status(FIN_ACK),
        "est" | "con" | "avail" => {
            let both_ways = all([
                Node::int(IntField::SrcPkts, Op::Gt, 0),
                Node::int(IntField::DstPkts, Op::Gt, 0),
                family(FAM_V4),
            ]);
            or(both_ways, tcp_status(CON_ESTABLISHED))
        }
        // difference: 3.0.8.2 tests the ICMP-event qualifier of records
        // that have no ICMP event too (a missing field passes `!= 0`).
        "icmpmap" => and(Node::Present(Dsr::Icmp), not(Node::masked(IntField::IcmpQual, 0, 0x07))),
        "echo" => and(
            ip_proto(ICMP, Fam::Both),
            or(Node::eq(IntField::NetIcmpType, 8), Node::eq(IntField::NetIcmpType, 0)),
        ),
        "unreach" => or(
            Node::eq(IntField::IcmpQual, 0x01),
            and(Node::eq(IntField::NetIcmpType, 3), ip_proto(ICMP, Fam::Both)),
        ),
        "redirect" => or(
            Node::eq(IntField::IcmpQual, 0x02),
            and(Node::eq(IntField::IcmpType, 5), ip_proto(ICMP, Fam::Both)),
        ),
        "timexed" => or(
            Node::eq(IntField::IcmpQual, 0x04),
            and(Node::eq(IntField::NetIcmpType, 11), ip_proto(ICMP, Fam::Both)),
        ),
        "rtr" => and(Node::eq(IntField::KeyU8(IGMP_TYPE), 0x11), ip_proto(IGMP, Fam::Both)),
        "lvg" => and(Node::eq(IntField::KeyU8(IGMP_TYPE), 0x17), ip_proto(IGMP, Fam::Both)),
        "mbr" => and(not(Node::eq(IntField::KeyU8(IGMP_TYPE), 0x11)), ip_proto(IGMP, Fam::Both)),
        // difference: 3.0.8.2 also accepts records without a country code.
        "cocode" => and(Node::Present(Dsr::Cocode), not(Node::eq(IntField::CocodeSrc, 0))),
        // `svc` and `cor`/`corolated` abort the real compiler.
        _ => return Err(GenError::Plain),
    })
}

/// A record-cause test. The cause code is tested as a bit mask, as in
/// 3.0.8.2: `start` (0x10) also accepts STOP (0x30) records — the closing
/// management record of every archive among them.
fn cause(code: u32) -> Node {
    Node::bits(IntField::Cause, code)
}

/// TCP flag and status words (`tname`) under a direction
/// (`Argusgen_tcode`).
pub fn tname(word: &str, q: Qual) -> GenResult {
    let dir = q.dir;
    let tcp = |bits: u32| tcp_status(bits);
    Ok(match word {
        "outoforder" | "ooo" => match dir {
            Dir::Src => tcp(SRC_OUTOFORDER),
            Dir::Dst => tcp(DST_OUTOFORDER),
            Dir::And => and(tcp(SRC_OUTOFORDER), tcp(DST_OUTOFORDER)),
            _ => or(tcp(DST_OUTOFORDER), tcp(SRC_OUTOFORDER)),
        },
        "retrans" | "drop" => {
            let src = || or(esp_status(SRC_PKTS_DROP), tcp(SRC_PKTS_RETRANS));
            let dst = || or(esp_status(DST_PKTS_DROP), tcp(DST_PKTS_RETRANS));
            match dir {
                Dir::Src => src(),
                Dir::Dst => dst(),
                Dir::And => and(src(), dst()),
                _ => any([
                    tcp(DST_PKTS_RETRANS),
                    esp_status(DST_PKTS_DROP),
                    esp_status(SRC_PKTS_DROP),
                    tcp(SRC_PKTS_RETRANS),
                ]),
            }
        }
        "frag" => {
            let src = || Node::bits(IntField::AttrQual, 0x10);
            let dst = || Node::bits(IntField::AttrQual, 0x20);
            let test = match dir {
                Dir::Src => src(),
                Dir::Dst => dst(),
                _ => or(src(), dst()),
            };
            and(family(FAM_V4), test)
        }
        // difference: 3.0.8.2 generates no test for `fragonly` (it matches
        // everything); here it selects the flows argus made of fragments
        // whose first fragment it never saw.
        "fragonly" => and(family(FAM_V4), Node::bits(IntField::KeyU8(2), 0x80)),
        "winshut" => by_dir(dir, || tcp(SRC_WINDOW_SHUT), || tcp(DST_WINDOW_SHUT), Undef::Either)?,
        "ecn" => by_dir(dir, || tcp(SRC_CONGESTED), || tcp(DST_CONGESTED), Undef::Either)?,
        "syn" | "ack" | "push" | "urg" | "fin" | "rst" | "reset" | "ece" | "cwr" => {
            let bit: u32 = match word {
                "fin" => 0x01,
                "syn" => 0x02,
                "rst" | "reset" => 0x04,
                "push" => 0x08,
                "ack" => 0x10,
                "urg" => 0x20,
                "ece" => 0x40,
                _ => 0x80,
            };
            let src = || Node::bits(IntField::NetSrcFlags, bit);
            let dst = || Node::bits(IntField::NetDstFlags, bit);
            let flags = match dir {
                Dir::Src => src(),
                Dir::Dst => dst(),
                Dir::And => and(dst(), src()),
                _ => or(src(), dst()),
            };
            and(ip_proto(TCP, Fam::Both), flags)
        }
        "multipath" | "mpath" => {
            // difference: 3.0.8.2 also accepts records without a MAC DSR.
            let test = match dir {
                Dir::Src => Node::bits(IntField::MacQual, 0x01),
                Dir::Dst => Node::bits(IntField::MacQual, 0x02),
                Dir::And => Node::bits(IntField::MacQual, 0x03),
                _ => or(Node::bits(IntField::MacQual, 0x01), Node::bits(IntField::MacQual, 0x02)),
            };
            and(Node::Present(Dsr::Mac), test)
        }
        "hello" | "lsp" | "csnp" | "psnp" => {
            let (l1, l2) = match word {
                "hello" => (15, 16),
                "lsp" => (18, 20),
                "csnp" => (24, 25),
                _ => (26, 27),
            };
            and(
                family(FAM_ISIS),
                or(
                    Node::eq(IntField::KeyU32(ISIS_PDU), l1),
                    Node::eq(IntField::KeyU32(ISIS_PDU), l2),
                ),
            )
        }
        "dup" => {
            let bits = match dir {
                Dir::Src => SRC_DUPLICATES,
                Dir::Dst => DST_DUPLICATES,
                Dir::Or | Dir::Default | Dir::And => SRC_DUPLICATES | DST_DUPLICATES,
                Dir::Undef => return Err(GenError::Plain),
            };
            Node::bits(IntField::NetStatus, bits)
        }
        _ => return Err(GenError::Plain),
    })
}

/// TCP option keywords (`Argusgen_tcpopt`): IPv4 flows whose option word
/// has the bit (records without a TCP object pass, as in 3.0.8.2).
pub fn oname(word: &str) -> GenResult {
    let bits: u32 = match word {
        "tcpopt" => 0xFFF0_0000,
        "mss" => 0x0010_0000,
        "wscale" => 0x0020_0000,
        "selackok" => 0x0040_0000,
        "selack" => 0x0080_0000,
        "tcpecho" => 0x0100_0000,
        "tcpechoreply" => 0x0200_0000,
        "tcptimestamp" => 0x0400_0000,
        "tcpcc" => 0x0800_0000,
        "tcpccnew" => 0x1000_0000,
        "tcpccecho" => 0x2000_0000,
        "secn" => 0x4000_0000,
        "decn" => 0x8000_0000,
        _ => return Err(GenError::Plain),
    };
    Ok(and(family(FAM_V4), Node::bits(IntField::NetTcpOptions, bits)))
}

/// `[pname] broadcast`.
pub fn broadcast(p: Proto) -> GenResult {
    match p {
        Proto::Name(Pname::Link) => ether_host([0xff; 6], Dir::Or),
        Proto::Name(Pname::Ip) => {
            host(&v4_pattern(0xffff_ffff), QType::Ipv4, Proto::Name(Pname::Ip), Dir::Or)
        }
        Proto::Default => detail("only ether/ip broadcast filters supported"),
        _ => Ok(Node::Null),
    }
}

/// `[pname] multicast`: an IPv4 address at or above 224.0.0.0 (the real
/// test is "greater or equal", so class E and broadcast count too).
pub fn multicast(p: Proto) -> GenResult {
    match p {
        // The real tools look at fixed offsets of their in-memory record
        // here, which holds no MAC address; nothing matches.
        Proto::Name(Pname::Link) => Ok(Node::Const(false)),
        Proto::Name(Pname::Ip) | Proto::Default => {
            let side = |off| {
                Node::Int(super::node::IntTest {
                    field: IntField::KeyU32(off),
                    mask: Some(0xf000_0000),
                    op: Op::Ge,
                    value: 0xe000_0000,
                })
            };
            Ok(and(family(FAM_V4), or(side(V4_DST), side(V4_SRC))))
        }
        _ => Ok(Node::Null),
    }
}

// --------------------------------------------------------------- values

/// A number after a qualifier (`Argusgen_ncode`). `text` is the literal
/// for address forms (a dotted quad or an IPv6 literal).
pub fn number(text: Option<&str>, v: i32, q: Qual, op: Op) -> GenResult {
    let dir = q.dir;
    // With an IPv4 value kind the literal, when there is one, replaces the
    // number whatever the attribute (`port 1.2.3.4 or 5-6` compares 6).
    let v = match (q.typ, text) {
        (QType::Ipv4, Some(t)) => numbers::atoin(t) as i32,
        _ => v,
    };
    let value = v as u32 as i64;
    match q.addr {
        Addr::Default | Addr::Host | Addr::Net => {
            let (pattern, typ) = match q.typ {
                QType::Other(Pname::Link) => return detail("illegal link layer address"),
                QType::Ipv6 => {
                    let Some(t) = text else { return Err(GenError::Plain) };
                    let p = numbers::parse_cidr(t, 128).map_err(|_| GenError::Plain)?;
                    (p, QType::Ipv6)
                }
                QType::Ipv4 if text.is_some() => (v4_pattern(v as u32), QType::Ipv4),
                // difference: a bare number after `host`/`net` (or after a
                // qualifier that implies no family) gives 3.0.8.2 an empty
                // mask, so it matches every IP and ARP record. Here it is an
                // IPv4 address, and after `net` a short network number
                // (`net 10` is 10.0.0.0/8), as in tcpdump.
                _ => {
                    let mut addr = v as u32;
                    let mut mask = 0xffff_ffffu32;
                    if q.addr == Addr::Net {
                        while addr != 0 && addr & 0xff00_0000 == 0 {
                            addr <<= 8;
                            mask <<= 8;
                        }
                    }
                    (AddrPattern::v4(addr, mask), QType::Ipv4)
                }
            };
            if q.proto == Proto::Name(Pname::Rarp) && text.is_none() {
                // 3.0.8.2 has no RARP address test; with a bare number it
                // tests the link type only, and so do we.
                return Ok(family(FAM_RARP));
            }
            host(&pattern, typ, q.proto, dir)
        }
        Addr::Srcid => Ok(srcid(v as u32, 0xffff_ffff)),
        Addr::Inode => Ok(inode(v as u32, 0xffff_ffff)),
        Addr::Port => port(value, port_proto(q.proto)?, dir, op),
        Addr::Gateway => detail("'gateway' requires a name"),
        Addr::Proto => proto(value, q.proto, dir),
        Addr::Ipid => {
            let test = by_dir(
                dir,
                || Node::int(IntField::AttrSrcIpId, op, value),
                || Node::int(IntField::AttrDstIpId, op, value),
                Undef::Abort,
            )?;
            Ok(and(ip_proto(TCP, Fam::Both), test))
        }
        Addr::Ttl => {
            let test = by_dir(
                dir,
                || Node::int(IntField::AttrSrcTtl, op, value),
                || Node::int(IntField::AttrDstTtl, op, value),
                Undef::Abort,
            )?;
            Ok(and(family(FAM_V4), test))
        }
        Addr::Tos => {
            let test = by_dir(
                dir,
                || Node::int(IntField::AttrSrcTos, op, value),
                || Node::int(IntField::AttrDstTos, op, value),
                Undef::Either,
            )?;
            Ok(and(family(FAM_V4), test))
        }
        Addr::Dsb => Ok(and(family(FAM_V4), dsb(v, dir, op)?)),
        Addr::Asn => by_dir(
            dir,
            || Node::int(IntField::AsnSrc, op, value),
            || Node::int(IntField::AsnDst, op, value),
            Undef::Abort,
        ),
        // The real tools ignore the comparison for VLAN ids and priorities.
        Addr::Vid => by_dir(
            dir,
            || Node::masked(IntField::VlanSrc, v as u32, 0x0fff),
            || Node::masked(IntField::VlanDst, v as u32, 0x0fff),
            Undef::Abort,
        ),
        Addr::Vpri => by_dir(
            dir,
            || Node::masked(IntField::VlanSrc, (v as u32) << 12, 0xf000),
            || Node::masked(IntField::VlanDst, (v as u32) << 12, 0xf000),
            Undef::Abort,
        ),
        Addr::Mid => {
            let label = (v as u32) << 12;
            let test = |field| {
                Node::Int(super::node::IntTest {
                    field,
                    mask: Some(0xffff_f000),
                    op,
                    value: (label & 0xffff_f000) as i64,
                })
            };
            by_dir(
                dir,
                || test(IntField::MplsSrcLabel),
                || test(IntField::MplsDstLabel),
                Undef::Abort,
            )
        }
        Addr::Byte => pair(dir, IntField::SrcBytes, IntField::DstBytes, op, value),
        Addr::Pkt => pair(dir, IntField::SrcPkts, IntField::DstPkts, op, value),
        Addr::Appbyte => pair(dir, IntField::SrcAppBytes, IntField::DstAppBytes, op, value),
        Addr::Nstroke => pair(dir, IntField::StrokesSrc, IntField::StrokesDst, op, value),
        Addr::Tcpbase => pair(dir, IntField::NetSrcSeqBase, IntField::NetDstSeqBase, op, value),
        Addr::Seq => Ok(and(Node::int(IntField::Seq, op, value), record_type(REC_FAR))),
        Addr::Trans => Ok(Node::int(IntField::AgrCount, op, value)),
        // difference: 3.0.8.2 compares the SPI with its low half overwritten
        // by the mask bytes it keeps in the same place (`spi 0x2020beef`
        // for SPI 0xdeadbeef); here it is the SPI as stored and printed.
        Addr::Spi => Ok(and(Node::int(IntField::EspSpi, op, value), ip_proto(ESP, Fam::Both))),
        Addr::Deldur => {
            Ok(Node::int(IntField::CorDeltaDur, op, (v as u32).wrapping_mul(1000) as i64))
        }
        Addr::Deltalast => {
            Ok(Node::int(IntField::CorDeltaLast, op, (v as u32).wrapping_mul(1000) as i64))
        }
        Addr::Load | Addr::Rate | Addr::Ploss | Addr::Pcr | Addr::Dur | Addr::Avgdur => {
            float_attr(v as f32, q, op)
        }
        // difference: 3.0.8.2 reads an uninitialised offset for integer
        // jitter values; they are compared like `N.0` here.
        Addr::Inter
        | Addr::InterActive
        | Addr::InterIdle
        | Addr::Jitter
        | Addr::JitterActive
        | Addr::JitterIdle => float_attr(v as f32, q, op),
        Addr::Co | Addr::Encaps | Addr::Tcprtt | Addr::Loss | Addr::Gap => Err(GenError::Plain),
    }
}

fn pair(dir: Dir, src: IntField, dst: IntField, op: Op, value: i64) -> GenResult {
    by_dir(dir, || Node::int(src, op, value), || Node::int(dst, op, value), Undef::Abort)
}

fn dsb(v: i32, dir: Dir, op: Op) -> GenResult {
    let value = ((v as u32) << 2) & 0xfc;
    let test = |field| {
        Node::Int(super::node::IntTest { field, mask: Some(0xfc), op, value: value as i64 })
    };
    by_dir(dir, || test(IntField::AttrSrcTos), || test(IntField::AttrDstTos), Undef::Either)
}

/// A float after a qualifier (`Argusgen_fcode`); `text` is the literal.
pub fn float(text: &str, v: f32, q: Qual, op: Op) -> GenResult {
    match q.addr {
        Addr::Asn => {
            // The real tools read `A.B` as (2 XOR 16*A) + B: their `2^16 *`
            // is an XOR of lower precedence.
            let (a, b) = text.split_once('.').unwrap_or((text, ""));
            let value = (2i32 ^ 16i32.wrapping_mul(atoi(a))).wrapping_add(atoi(b)) as i64;
            by_dir(
                q.dir,
                || Node::eq(IntField::AsnSrc, value as u32 as i64),
                || Node::eq(IntField::AsnDst, value as u32 as i64),
                Undef::Abort,
            )
        }
        Addr::Load
        | Addr::Rate
        | Addr::Ploss
        | Addr::Pcr
        | Addr::Dur
        | Addr::Avgdur
        | Addr::Inter
        | Addr::InterActive
        | Addr::InterIdle
        | Addr::Jitter
        | Addr::JitterActive
        | Addr::JitterIdle => float_attr(v, q, op),
        _ => Err(GenError::Plain),
    }
}

/// C `atoi`.
fn atoi(text: &str) -> i32 {
    numbers::strtol_int(text).0
}

fn float_attr(v: f32, q: Qual, op: Op) -> GenResult {
    let dir = q.dir;
    let f = |field| Node::float(field, op, v);
    match q.addr {
        Addr::Load => {
            by_dir(dir, || f(FloatField::SrcLoad), || f(FloatField::DstLoad), Undef::Abort)
        }
        Addr::Rate => {
            by_dir(dir, || f(FloatField::SrcRate), || f(FloatField::DstRate), Undef::Abort)
        }
        Addr::Ploss => {
            by_dir(dir, || f(FloatField::SrcPloss), || f(FloatField::DstPloss), Undef::Abort)
        }
        Addr::Pcr => Ok(and(record_type(REC_FAR), f(FloatField::Pcr))),
        Addr::Dur if dir != Dir::Undef => Ok(f(FloatField::Dur)),
        // difference: 3.0.8.2 compares the bits of two unrelated floats as
        // one 64-bit integer for `avgdur`; here it is the average duration.
        Addr::Avgdur if dir != Dir::Undef => Ok(f(FloatField::AvgDur)),
        Addr::Inter | Addr::InterActive | Addr::InterIdle => Ok(jitter(v, dir, q.addr, false, op)),
        Addr::Jitter | Addr::JitterActive | Addr::JitterIdle => {
            Ok(jitter(v, dir, q.addr, true, op))
        }
        _ => Err(GenError::Plain),
    }
}

/// Inter-packet time and jitter, in milliseconds on the command line and
/// microseconds in the record. Without a direction both sides must pass;
/// `src or dst` compares the destination's active statistics.
fn jitter(v: f32, dir: Dir, kind: Addr, stdev: bool, op: Op) -> Node {
    let idle = matches!(kind, Addr::InterIdle | Addr::JitterIdle);
    let value = v * 1000.0;
    let f = |src, idle| Node::float(FloatField::Jitter { src, idle, stdev }, op, value);
    match dir {
        Dir::Src => f(true, idle),
        Dir::Dst => f(false, idle),
        Dir::Or => or(f(true, idle), f(false, false)),
        Dir::Default | Dir::And => and(f(true, idle), f(false, idle)),
        Dir::Undef => Node::Null,
    }
}

/// A name after a qualifier (`Argusgen_scode`). `text` is the token as
/// written; quotes of a string are removed here.
pub fn name(text: &str, q: Qual) -> GenResult {
    // Whatever the attribute, a name that yields no test is an error.
    match name_test(text, q)? {
        Node::Null => detail("Argusgen_scode error"),
        node => Ok(node),
    }
}

fn name_test(text: &str, q: Qual) -> GenResult {
    let name = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|_| text.len() >= 2)
        .unwrap_or(text);
    let dir = q.dir;
    let fail = || detail::<Node>("Argusgen_scode error");
    match q.addr {
        Addr::Net => {
            let addr = match lookup::network(name) {
                Some(0) => return detail(format!("unknown network '{name}'")),
                Some(n) => n,
                None => 0,
            };
            // Left-justify a short network number, as `net_mask` does.
            let (mut a, mut mask) = (addr, 0xffff_ffffu32);
            if a != 0 {
                while a & 0xff00_0000 == 0 {
                    a <<= 8;
                    mask <<= 8;
                }
            }
            host(&AddrPattern::v4(a, mask), q.typ, q.proto, dir)
        }
        Addr::Default | Addr::Host => match q.proto {
            Proto::Name(Pname::Link) => {
                let Some(mac) = lookup::ether_host(name) else {
                    return detail(format!("unknown ether host '{name}'"));
                };
                ether_host(mac, dir)
            }
            Proto::Default
            | Proto::Name(Pname::Ipv6)
            | Proto::Name(Pname::Ip)
            | Proto::Name(Pname::Ipv4) => {
                let addrs = match lookup::resolve(name, false) {
                    Ok(a) => a,
                    Err(e) => return resolve_error(e, "host", name),
                };
                let mut out: Option<Node> = None;
                for ip in addrs {
                    let (p, fam) = ip_pattern(ip);
                    let test = host(&p, q.typ, fam, dir)?;
                    out = Some(match out {
                        Some(prev) => combine_or(prev, test)?,
                        None => test,
                    });
                }
                out.map_or_else(fail, Ok)
            }
            _ => fail(),
        },
        Addr::Inode | Addr::Srcid => {
            let make = |v: u32| {
                if q.addr == Addr::Inode {
                    inode(v, 0xffff_ffff)
                } else {
                    srcid(v, 0xffff_ffff)
                }
            };
            if q.typ == QType::String {
                let mut bytes = [0u8; 4];
                for (b, c) in bytes.iter_mut().zip(name.bytes()) {
                    *b = c;
                }
                return Ok(make(u32::from_le_bytes(bytes)));
            }
            let addrs = match lookup::resolve(name, true) {
                Ok(a) => a,
                Err(e) => return resolve_error(e, "srcid", name),
            };
            let tests: Vec<Node> = addrs
                .into_iter()
                .filter_map(|ip| match ip {
                    IpAddr::V4(a) => Some(make(u32::from(a))),
                    IpAddr::V6(_) => None,
                })
                .collect();
            if tests.is_empty() {
                fail()
            } else {
                Ok(any(tests))
            }
        }
        Addr::Port => port_name(name, q),
        Addr::Gateway => {
            let Some(mac) = lookup::ether_host(name) else {
                return detail(format!("unknown ether host: {name}"));
            };
            let addrs = match lookup::resolve(name, false) {
                Ok(a) => a,
                Err(e) => return resolve_error(e, "srcid", name),
            };
            let mut out: Option<Node> = None;
            for ip in addrs {
                if dir != Dir::Default {
                    return detail("direction applied to 'gateway'");
                }
                let (p, fam) = ip_pattern(ip);
                if fam == Proto::Name(Pname::Ipv6) {
                    return detail("illegal modifier of 'gateway'");
                }
                let test = and(ether_host(mac, Dir::Or)?, not(host(&p, q.typ, fam, Dir::Or)?));
                out = Some(match out {
                    Some(prev) => or(prev, test),
                    None => test,
                });
            }
            out.map_or_else(fail, Ok)
        }
        Addr::Proto => {
            let number = match q.proto {
                Proto::Default | Proto::Name(Pname::Ip | Pname::Ipv6 | Pname::Ipv4) => {
                    match lookup::protocol(name) {
                        Some(n) => n as i64,
                        None => return detail(format!("unknown proto '{name}'")),
                    }
                }
                Proto::Name(Pname::Link) => match lookup::ether_type(name) {
                    Some(n) => n as i64,
                    None => return detail(format!("unknown ether proto '{name}'")),
                },
                _ => return detail(format!("unknown protocol: {name}")),
            };
            proto(number, q.proto, dir)
        }
        Addr::Dsb => match lookup::dscp(name) {
            Some(code) => Ok(and(family(FAM_V4), dsb(code as i32, dir, Op::Eq)?)),
            None => fail(),
        },
        Addr::Co => {
            let b = name.as_bytes();
            let value = u16::from_le_bytes([
                b.first().copied().unwrap_or(0),
                b.get(1).copied().unwrap_or(0),
            ]);
            by_dir(
                dir,
                || Node::eq(IntField::CocodeSrc, value as i64),
                || Node::eq(IntField::CocodeDst, value as i64),
                Undef::Either,
            )
        }
        Addr::Encaps => match lookup::encapsulation(name) {
            Some(bits) => by_dir(
                dir,
                || Node::bits(IntField::EncapsSrc, bits),
                || Node::bits(IntField::EncapsDst, bits),
                Undef::Either,
            ),
            None => fail(),
        },
        _ => fail(),
    }
}

/// Two address tests of one name, OR'ed; an empty test cannot be combined.
fn combine_or(a: Node, b: Node) -> GenResult {
    if a == Node::Null || b == Node::Null {
        if a == Node::Null && b == Node::Null {
            return Ok(Node::Null);
        }
        return Err(GenError::Plain);
    }
    Ok(or(a, b))
}

fn resolve_error(e: ResolveError, what: &str, name: &str) -> GenResult {
    match e {
        ResolveError::Again => detail("dns server not available"),
        ResolveError::NoName => detail(format!("{what} {name} unknown")),
        ResolveError::NoAddress => detail(format!("{what} {name} has no IP address")),
        ResolveError::System(errno) => detail(format!(
            "{what} {name} name server error {}",
            std::io::Error::from_raw_os_error(errno)
        )),
        ResolveError::Other => detail("Argusgen_scode error"),
    }
}

/// `port NAME` and `port N-M`.
fn port_name(name: &str, q: Qual) -> GenResult {
    if !matches!(
        q.proto,
        Proto::Default
            | Proto::Name(Pname::Udp | Pname::Tcp | Pname::Udt | Pname::Rtp | Pname::Rtcp)
    ) {
        return detail("illegal qualifier of 'port'");
    }
    if let Some((low, high)) = name.split_once('-') {
        let (first, ok) = numbers::strtol_int(low);
        if !ok {
            return detail("Argusgen_scode error");
        }
        let from = number(Some(high), first, q, Op::Ge)?;
        let (last, ok) = numbers::strtol_int(high);
        if !ok {
            return Ok(from);
        }
        let to = number(Some(high), last, q, Op::Le)?;
        return Ok(and(to, from));
    }
    let Some((port_no, found)) = lookup::port_name(name) else {
        return detail(format!("unknown port '{name}'"));
    };
    let mut real = match found {
        PortProto::Tcp => TCP,
        PortProto::Udp => UDP,
        PortProto::Both => PROTO_UNDEF,
        PortProto::Other => 0,
    };
    match q.proto {
        Proto::Name(Pname::Udp | Pname::Rtp | Pname::Rtcp | Pname::Udt) => {
            if real == TCP {
                return detail(format!("port '{name}' is tcp"));
            }
            real = UDP;
        }
        Proto::Name(Pname::Tcp) => {
            if real == UDP {
                return detail(format!("port '{name}' is udp"));
            }
            real = TCP;
        }
        _ => {}
    }
    port(port_no as i64, real, q.dir, Op::Eq)
}

/// `ADDR/LEN` and `ADDR mask MASK` (`Argusgen_mcode`).
pub fn masked_address(addr: &str, mask: Option<&str>, len: i32, q: Qual) -> GenResult {
    const CIDR_ERROR: &str = "Argusgen_mcode: CIDR address format error";
    let Ok(mut p) = numbers::parse_cidr(addr, len) else { return detail(CIDR_ERROR) };
    if let Some(m) = mask {
        let Ok(mp) = numbers::parse_cidr(m, len) else { return detail(CIDR_ERROR) };
        p.masks = mp.words;
    }
    if q.addr != Addr::Net {
        return detail("Mask syntax for networks only");
    }
    host(&p, q.typ, q.proto, q.dir)
}

/// A MAC address after a qualifier (`Argusgen_ecode`).
pub fn mac_address(mac: [u8; 6], q: Qual) -> GenResult {
    match q.proto {
        Proto::Name(Pname::Link) => {
            if matches!(q.addr, Addr::Host | Addr::Default) {
                ether_host(mac, q.dir)
            } else {
                Ok(Node::Null)
            }
        }
        Proto::Name(Pname::Arp) => {
            if q.addr == Addr::Host {
                Ok(and(link_type(0x0806), Node::Mac { field: MacField::ArpHardware, addr: mac }))
            } else {
                Ok(Node::Null)
            }
        }
        _ => detail("ethernet address used in non-ether expression"),
    }
}

/// `inbound` / `outbound`. difference: 3.0.8.2 compares a byte of its
/// in-memory record (`inbound` matches everything, `outbound` nothing);
/// flow records have no packet direction, so neither matches here.
pub fn inbound() -> Node {
    Node::Const(false)
}
