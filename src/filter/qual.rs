//! Qualifiers: what a primitive's leading words (`tcp`, `src`, `port`, ...)
//! say about the value that follows, and the "last qualifier" register that
//! a bare value after `and`/`or` inherits (`port 53 or 123`).
//!
//! The register mirrors the yacc grammar's `struct qual` field by field,
//! including its odd corners: the qualifier left by a protocol keyword, a
//! flag word or a parenthesised expression is the "undefined" one, whose
//! address kind is nevertheless the default (the C initialiser lists three
//! of its four fields), and the value kind of a head is the protocol
//! keyword itself unless the head names a numeric attribute.

/// Protocol keywords (`pname` in the grammar). `ether`, `ppp`, `slip`,
/// `fddi` and `link` are one keyword, [`Pname::Link`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pname {
    Link,
    Ip,
    Ipv4,
    Ipv6,
    Arp,
    Rarp,
    Rtp,
    Rtcp,
    Tcp,
    Udp,
    Icmp,
    Igmp,
    Mpls,
    Isis,
    Vlan,
    Udt,
    Anon,
}

impl Pname {
    pub fn from_word(word: &str) -> Option<Pname> {
        Some(match word {
            "link" | "ppp" | "slip" | "fddi" | "ether" => Pname::Link,
            "ip" => Pname::Ip,
            "ipv4" => Pname::Ipv4,
            "ipv6" => Pname::Ipv6,
            "arp" => Pname::Arp,
            "rarp" => Pname::Rarp,
            "rtp" => Pname::Rtp,
            "rtcp" => Pname::Rtcp,
            "tcp" => Pname::Tcp,
            "udp" => Pname::Udp,
            "icmp" => Pname::Icmp,
            "igmp" => Pname::Igmp,
            "mpls" => Pname::Mpls,
            "isis" => Pname::Isis,
            "vlan" => Pname::Vlan,
            "udt" => Pname::Udt,
            "anon" => Pname::Anon,
            _ => return None,
        })
    }

    /// The name the real tools use in messages (`'tcp' modifier ...`).
    pub fn name(self) -> &'static str {
        match self {
            Pname::Link => "link",
            Pname::Ip => "ip",
            Pname::Ipv4 => "ipv4",
            Pname::Ipv6 => "ipv6",
            Pname::Arp => "arp",
            Pname::Rarp => "rarp",
            Pname::Rtp => "rtp",
            Pname::Rtcp => "rtcp",
            Pname::Tcp => "tcp",
            Pname::Udp => "udp",
            Pname::Icmp => "icmp",
            Pname::Igmp => "igmp",
            Pname::Mpls => "mpls",
            Pname::Isis => "isis",
            Pname::Vlan => "vlan",
            Pname::Udt => "udt",
            Pname::Anon => "anon",
        }
    }
}

/// The protocol part of a qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    /// No protocol keyword.
    Default,
    /// The undefined qualifier's protocol.
    Undef,
    Name(Pname),
}

/// The direction part: `src`, `dst`, `src or dst`, `src and dst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Default,
    Src,
    Dst,
    Or,
    And,
    Undef,
}

/// The address kind: what the value is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addr {
    Default,
    Host,
    Srcid,
    Inode,
    Net,
    Port,
    Proto,
    Gateway,
    Ipid,
    Ttl,
    Tos,
    Dsb,
    Co,
    Vid,
    Vpri,
    Mid,
    Byte,
    Appbyte,
    Pkt,
    Trans,
    Tcprtt,
    Tcpbase,
    Loss,
    Gap,
    Spi,
    Encaps,
    Deldur,
    Deltalast,
    Nstroke,
    Seq,
    Dur,
    Avgdur,
    Inter,
    InterActive,
    InterIdle,
    Jitter,
    JitterActive,
    JitterIdle,
    Rate,
    Load,
    Ploss,
    Pcr,
    Asn,
}

impl Addr {
    /// `host`, `srcid`, `inode`, `net`.
    pub fn from_aqual(word: &str) -> Option<Addr> {
        Some(match word {
            "host" => Addr::Host,
            "srcid" => Addr::Srcid,
            "inode" => Addr::Inode,
            "net" => Addr::Net,
            _ => return None,
        })
    }

    /// Integer attributes (`iqual`).
    pub fn from_iqual(word: &str) -> Option<Addr> {
        Some(match word {
            "port" => Addr::Port,
            "ipid" => Addr::Ipid,
            "ttl" => Addr::Ttl,
            "tos" => Addr::Tos,
            "dsb" | "dsbyte" => Addr::Dsb,
            "co" => Addr::Co,
            "vid" => Addr::Vid,
            "vpri" => Addr::Vpri,
            "mid" => Addr::Mid,
            "byte" | "bytes" => Addr::Byte,
            "appbyte" | "appbytes" | "data" => Addr::Appbyte,
            "pkt" | "pkts" => Addr::Pkt,
            "trans" => Addr::Trans,
            "tcprtt" => Addr::Tcprtt,
            "tcpb" | "base" => Addr::Tcpbase,
            "loss" => Addr::Loss,
            "gap" => Addr::Gap,
            "spi" => Addr::Spi,
            "encaps" => Addr::Encaps,
            "deldur" => Addr::Deldur,
            "delstime" | "delltime" => Addr::Deltalast,
            "nstroke" | "nstrokes" => Addr::Nstroke,
            "seq" => Addr::Seq,
            _ => return None,
        })
    }

    /// Float attributes (`fqual`).
    pub fn from_fqual(word: &str) -> Option<Addr> {
        Some(match word {
            "dur" => Addr::Dur,
            "avgdur" => Addr::Avgdur,
            "inter" | "intpkt" => Addr::Inter,
            "intpktact" => Addr::InterActive,
            "intpktidle" => Addr::InterIdle,
            "jit" | "jitter" => Addr::Jitter,
            "jitact" => Addr::JitterActive,
            "jitidle" => Addr::JitterIdle,
            "rate" => Addr::Rate,
            "load" => Addr::Load,
            "ploss" => Addr::Ploss,
            "abr" | "abratio" | "pcr" | "pcratio" => Addr::Pcr,
            "as" | "asn" => Addr::Asn,
            _ => return None,
        })
    }
}

/// The value-kind part of a qualifier (the C `type` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QType {
    /// No protocol keyword and no attribute: an address of either family.
    Default,
    Undef,
    Ipv4,
    Ipv6,
    /// `ip` (either family; the C code treats this kind specially).
    Ip,
    /// Some other protocol keyword.
    Other(Pname),
    Integer,
    Float,
    String,
}

impl QType {
    /// The value kind a head takes from its protocol keyword.
    pub fn from_pqual(proto: Proto) -> QType {
        match proto {
            Proto::Default => QType::Default,
            Proto::Undef => QType::Undef,
            Proto::Name(Pname::Ipv4) => QType::Ipv4,
            Proto::Name(Pname::Ipv6) => QType::Ipv6,
            Proto::Name(Pname::Ip) => QType::Ip,
            Proto::Name(p) => QType::Other(p),
        }
    }
}

/// One qualifier: the state a value is interpreted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Qual {
    pub typ: QType,
    pub proto: Proto,
    pub dir: Dir,
    pub addr: Addr,
}

impl Qual {
    /// The undefined qualifier, left by primitives that carry no value
    /// (`tcp`, `start`, `len > 0`, `(expr)` at the start of a filter).
    pub const UNDEF: Qual =
        Qual { typ: QType::Undef, proto: Proto::Undef, dir: Dir::Undef, addr: Addr::Default };

    /// This qualifier with another value kind (an address literal sets it).
    pub fn with_type(self, typ: QType) -> Qual {
        Qual { typ, ..self }
    }
}
