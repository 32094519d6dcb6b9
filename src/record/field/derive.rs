//! The text-valued fields `ra` derives from a record: the flags column, the
//! direction arrow, the state, the cause word, and `ra`'s protocol names.
//! They are values (a filter on state or a sort on flags sees the same
//! text the printer shows), so they live with the field table.

use super::value::ShortStr;
use super::view::{net_subtype, FlowView, NetObject};
use crate::record::{
    cause, encaps, family, ip_options, ipproto, key_kind, tcp_status, KeyAddrs, Mar, RecordClass,
};

/// How the state column shows TCP flows (`-z`, `-Z s|d|b`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StateStyle {
    /// `RST`, `FIN`, `CON`, ...
    #[default]
    Words,
    /// `-z`: the state-change letters `sSEfFCR`.
    Changes,
    /// `-Z`: the TCP flags seen.
    Flags(TcpFlagSide),
}

/// Which side's TCP flags `-Z` shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpFlagSide {
    Src,
    Dst,
    Both,
}

/// The 9-character flags column (`ArgusGetIndicatorString`).
pub fn flags_text(v: &FlowView) -> ShortStr {
    let mut b = [b' '; 9];
    let f = v.flow;
    if v.class == RecordClass::NetFlow {
        b[0] = b'N';
    }
    if f.time.is_some_and(|t| t.qual & 0x01 != 0) {
        b[0] = b'T';
    }
    if let Some(e) = f.encaps {
        let mut types = (e.src | e.dst) & 0x0fff_ffff;
        if types.count_ones() > 1 {
            b[1] = b'*';
        } else {
            while types != 0 {
                let bit = types & types.wrapping_neg();
                types &= !bit;
                if let Some(c) = encaps_letter(bit) {
                    b[1] = c;
                }
            }
        }
    } else {
        if f.mpls.is_some() {
            b[1] = b'm';
        }
        if f.mac.is_some() {
            b[1] = b'e';
        }
        if f.vlan.is_some() {
            b[1] = b'v';
        }
    }
    if f.mac.is_some_and(|m| m.qual & 0x03 != 0) {
        b[1] = b'M';
    }

    if let Some(k) = v.key {
        let classic = k.kind & 0x3f == key_kind::CLASSIC5TUPLE;
        let fragment_bits =
            f.ipattr.is_some_and(|a| a.qual & 0x30 != 0) || k.qual & family::FRAGMENT != 0;
        match k.addrs {
            KeyAddrs::Ipv4(a) if classic => {
                if fragment_bits {
                    b[6] = b'F';
                }
                match (a.proto, v.net()) {
                    (ipproto::TCP, NetObject::Tcp { .. }) => tcp_flags(v, &mut b, false),
                    (ipproto::ESP, NetObject::Esp(esp)) => {
                        let s = esp.status;
                        if s & 0x30 != 0 && esp.lost_seq != 0 {
                            b[3] = side_letter(s & 0x10 != 0, s & 0x20 != 0, b'*', b's', b'd');
                        }
                        if s & tcp_status_outoforder() != 0 {
                            b[3] = side_letter(
                                s & tcp_status::SRC_OUTOFORDER != 0,
                                s & tcp_status::DST_OUTOFORDER != 0,
                                b'&',
                                b'i',
                                b'r',
                            );
                        }
                    }
                    _ => {}
                }
            }
            KeyAddrs::Ipv6(a) if classic => {
                if fragment_bits {
                    b[6] = b'F';
                }
                if a.proto() == ipproto::TCP {
                    if let NetObject::Tcp { .. } = v.net() {
                        tcp_flags(v, &mut b, true);
                    }
                }
            }
            _ => {}
        }
    }

    if let Some(icmp) = f.icmp {
        if icmp.qual & 0x07 != 0 {
            b[2] = match icmp.icmp_type {
                3 => b'U',
                5 => b'R',
                11 => b'T',
                _ => b'I',
            };
        }
    }
    if let NetObject::Other { subtype, qual } = v.net() {
        if subtype == net_subtype::FRAG {
            b[6] = if qual & 0x02 != 0 { b'V' } else { b'f' };
        } else if subtype == net_subtype::RTP && qual & 0x02 != 0 {
            // ra's silence test only ever lands on 'd' (destination silent).
            b[4] = b'd';
        }
    }
    if let Some(a) = f.ipattr {
        let options = (a.src_options | a.dst_options) as u8;
        b[7] = match options as u32 {
            0 => b[7],
            ip_options::RTRALERT => b'A',
            ip_options::TS => b'T',
            ip_options::RR => b'R',
            ip_options::SECURITY => b'+',
            ip_options::LSRR => b'L',
            ip_options::SSRR => b'S',
            ip_options::SATID => b'D',
            _ => {
                if options.count_ones() > 1 {
                    b'O'
                } else {
                    b'U'
                }
            }
        };
    }
    ShortStr::from_bytes(&b)
}

fn tcp_status_outoforder() -> u32 {
    tcp_status::SRC_OUTOFORDER | tcp_status::DST_OUTOFORDER
}

fn side_letter(src: bool, dst: bool, both: u8, s: u8, d: u8) -> u8 {
    match (src, dst) {
        (true, true) => both,
        (true, false) => s,
        _ => d,
    }
}

/// The TCP part of the flags column. `ipv6` selects `ra`'s IPv6 branch,
/// which only knows retransmissions and tests them on the per-side word.
fn tcp_flags(v: &FlowView, b: &mut [u8; 9], ipv6: bool) {
    use tcp_status::*;
    let Some((_, tcp)) = v.tcp() else { return };
    let s = tcp.status;
    let retrans = SRC_PKTS_RETRANS | DST_PKTS_RETRANS;
    if ipv6 {
        if tcp.src.status & retrans != 0 {
            if s & SRC_PKTS_RETRANS != 0 && s & DST_PKTS_RETRANS != 0 {
                b[3] = b'*';
            } else if s & DST_PKTS_RETRANS != 0 {
                b[3] = b'd';
            } else if s & SRC_PKTS_RETRANS != 0 {
                b[3] = b's';
            }
        }
        return;
    }
    if s & retrans != 0 {
        b[3] = if s & retrans == retrans {
            b'*'
        } else if s & DST_PKTS_RETRANS != 0 {
            b'd'
        } else {
            b's'
        };
    } else if tcp_gap(v, true) > 0.0 || tcp_gap(v, false) > 0.0 {
        b[3] = b'g';
    } else if s & (SRC_OUTOFORDER | DST_OUTOFORDER) != 0 {
        b[3] = side_letter(s & SRC_OUTOFORDER != 0, s & DST_OUTOFORDER != 0, b'&', b'i', b'r');
    }
    if s & (SRC_WINDOW_SHUT | DST_WINDOW_SHUT) != 0 {
        b[4] = side_letter(s & SRC_WINDOW_SHUT != 0, s & DST_WINDOW_SHUT != 0, b'@', b'S', b'D');
    }
    if s & (SRC_CONGESTED | DST_CONGESTED) != 0 {
        b[5] = side_letter(s & SRC_CONGESTED != 0, s & DST_CONGESTED != 0, b'E', b'x', b't');
    }
}

/// Bytes missing from one side's TCP sequence space (`ArgusFetchSrcGap`):
/// -1 when the record is not TCP (or has no network object), 0 when
/// unknown.
pub fn tcp_gap(v: &FlowView, src: bool) -> f64 {
    let Some(k) = v.key else { return -1.0 };
    if k.kind & 0x3f != key_kind::CLASSIC5TUPLE || v.net_subtype().is_none() {
        return -1.0;
    }
    if v.ip_proto() != Some(ipproto::TCP)
        || !matches!(k.addrs, KeyAddrs::Ipv4(_) | KeyAddrs::Ipv6(_))
    {
        return -1.0;
    }
    let Some((subtype, tcp)) = v.tcp() else { return 0.0 };
    if subtype != net_subtype::TCP_PERF {
        return 0.0;
    }
    let d = if src { tcp.src } else { tcp.dst };
    if d.seqbase == d.ackbytes || d.seq == 0 || d.retrans != 0 {
        return 0.0;
    }
    let mut gap = d.seq.wrapping_sub(d.seqbase) as f64;
    if gap == d.bytes as f64 || gap == d.bytes.wrapping_sub(d.winbytes) as f64 {
        return 0.0;
    }
    gap -= d.bytes as f64;
    if gap < 0.0 {
        gap = 0.0;
    }
    if gap > 0.0 {
        gap -= 1.0;
    }
    gap
}

fn encaps_letter(bit: u32) -> Option<u8> {
    use encaps::*;
    Some(match bit {
        ETHER => b'e',
        LLC => b'l',
        MPLS => b'm',
        VLAN => b'v',
        PPP => b'p',
        ISL => b'i',
        GRE => b'G',
        AH => b'a',
        IP => b'P',
        IPV6 => b'6',
        HDLC => b'H',
        CHDLC => b'C',
        ATM => b'A',
        SLL => b'S',
        FDDI => b'F',
        SLIP => b's',
        ARCNET => b'R',
        WLAN => b'w',
        PRISM => b'z',
        AVS => b'a',
        TEREDO => b'T',
        JUNIPER => b'J',
        ERSPAN_II => b'E',
        _ => return None,
    })
}

/// The direction arrow (`ArgusPrintDirection`), without padding. `None`
/// when the record has no METER DSR (`ra` prints blanks).
pub fn dir_text(v: &FlowView) -> Option<&'static str> {
    let m = v.metrics()?;
    let (s, d) = (m[0].pkts, m[1].pkts);
    let mut b = *b"<->";
    if d == 0 {
        b[0] = b' ';
    }
    if s == 0 {
        b[2] = b' ';
    }
    if s == 0 && d == 0 {
        b[1] = b' ';
    }
    if let Some(k) = v.key {
        if k.kind & 0x3f == key_kind::ARP {
            return Some("who");
        }
        if k.kind & 0x3f == key_kind::CLASSIC5TUPLE {
            match k.addrs {
                KeyAddrs::Ipv4(a) if a.proto == ipproto::TCP => tcp_arrow(v, &mut b),
                KeyAddrs::Ipv6(a) if a.proto() == ipproto::TCP => tcp_arrow(v, &mut b),
                KeyAddrs::Arp(_) if k.family() == family::RARP => return Some("tel"),
                KeyAddrs::Arp(_) => return Some("who"),
                _ => {}
            }
        }
    }
    Some(arrow_str(b))
}

/// TCP arrows: `?` when no handshake was seen, forced ` ->` otherwise (the
/// reverse mark `ra` would test is always cleared by the time it prints).
fn tcp_arrow(v: &FlowView, b: &mut [u8; 3]) {
    if v.net_subtype().is_none() {
        return;
    }
    let status = v.tcp().map_or(0, |(_, t)| t.status);
    if status & (tcp_status::SYN | tcp_status::SYN_ACK) == 0 {
        b[1] = b'?';
    } else {
        b[0] = b' ';
        b[2] = b'>';
    }
}

fn arrow_str(b: [u8; 3]) -> &'static str {
    const ALL: [&str; 12] =
        ["<->", " ->", "<- ", "   ", "<?>", " ?>", "<? ", " ? ", "  >", "< >", "<  ", "- -"];
    ALL.iter().find(|s| s.as_bytes() == b).copied().unwrap_or("   ")
}

/// The state column of a flow (`ArgusPrintState`).
pub fn state_text(v: &FlowView, style: StateStyle) -> ShortStr {
    if v.cause == super::view::CAUSE_ERROR_BYTE {
        return ShortStr::new("ERR");
    }
    let Some(k) = v.key else { return ShortStr::new("   ") };
    let kind = k.kind & 0x3f;
    if kind == key_kind::ARP {
        // ra tests the record type byte here instead of the cause, so flow
        // and netflow records always read as a start, events never.
        let start = v.class.nibble() & 0x01 != 0;
        return ShortStr::new(arp_state(v, start));
    }
    if kind != key_kind::CLASSIC5TUPLE {
        return ShortStr::new("UNK");
    }
    match k.addrs {
        KeyAddrs::Ipv4(a) => match a.proto {
            ipproto::TCP => tcp_state(v, style),
            ipproto::ICMP => ShortStr::new(icmp_state(v)),
            _ => ShortStr::new(ip_state(v)),
        },
        KeyAddrs::Ipv6(a) => match a.proto() {
            ipproto::TCP => tcp_state(v, style),
            ipproto::ICMPV6 => ShortStr::new(icmpv6_state(a.l4[0], a.l4[1])),
            _ => ShortStr::new(ip_state(v)),
        },
        KeyAddrs::Arp(_) => ShortStr::new(arp_state(v, v.cause & (cause::START << 4) != 0)),
        KeyAddrs::Ether(e) => {
            // ra falls through from the Ethernet case into the IS-IS one,
            // which reads the first key word as a PDU type.
            let pdu = u32::from_le_bytes([e.dst[0], e.dst[1], e.dst[2], e.dst[3]]);
            ShortStr::new(match pdu {
                15 => "L1-IIH",
                16 => "L2-IIH",
                18 => "L1-LSP",
                20 => "L2-LSP",
                24 => "L1-CSNP",
                25 => "L2-CSNP",
                26 => "L1-PSNP",
                27 => "L2-PSNP",
                _ => ip_state(v),
            })
        }
        KeyAddrs::Other { .. } => ShortStr::new(ip_state(v)),
    }
}

fn arp_state(v: &FlowView, start: bool) -> &'static str {
    let Some(m) = v.metrics() else { return "INT" };
    if m[0].pkts > 0 && m[1].pkts > 0 {
        "CON"
    } else if m[0].pkts > 0 || v.rmon {
        if start {
            "INT"
        } else {
            "REQ"
        }
    } else {
        "RSP"
    }
}

fn ip_state(v: &FlowView) -> &'static str {
    let Some(m) = v.metrics() else { return "" };
    if m[0].pkts > 0 && m[1].pkts > 0 {
        "CON"
    } else if m[0].pkts > 0 || v.rmon {
        if v.cause & (cause::START << 4) != 0 {
            "INT"
        } else {
            "REQ"
        }
    } else {
        "RSP"
    }
}

fn tcp_state(v: &FlowView, style: StateStyle) -> ShortStr {
    use tcp_status::*;
    let (status, sflags, dflags) = match v.tcp() {
        Some((_, t)) => (t.status, t.src.flags, t.dst.flags),
        None => (0, 0, 0),
    };
    match style {
        StateStyle::Changes => {
            let mut s = ShortStr::default();
            for (bit, c) in [
                (SYN, 's'),
                (SYN_ACK, 'S'),
                (ESTABLISHED, 'E'),
                (FIN, 'f'),
                (FIN_ACK, 'F'),
                (NORMAL_CLOSE, 'C'),
                (SRC_RESET | DST_RESET, 'R'),
            ] {
                if status & bit != 0 {
                    s.push(c as u8);
                }
            }
            s
        }
        StateStyle::Flags(side) => {
            let letters = |f: u8| {
                let mut s = ShortStr::default();
                for (i, c) in b"FSRPAUEC".iter().enumerate() {
                    if f & (1 << i) != 0 {
                        s.push(*c);
                    }
                }
                s
            };
            let (mut a, mut b) = (letters(sflags), letters(dflags));
            if let Some(m) = v.metrics() {
                if (!a.is_empty() && m[0].pkts == 0) || (!b.is_empty() && m[1].pkts == 0) {
                    std::mem::swap(&mut a, &mut b);
                }
            }
            match side {
                TcpFlagSide::Src => a,
                TcpFlagSide::Dst => b,
                TcpFlagSide::Both => {
                    a.push(b'_');
                    a.push_str(b.as_str());
                    a
                }
            }
        }
        StateStyle::Words => ShortStr::new(if status != 0 {
            if status & (SRC_RESET | DST_RESET) != 0 {
                "RST"
            } else if status & (FIN | FIN_ACK) != 0 {
                "FIN"
            } else if status & NORMAL_CLOSE != 0 {
                "CLO"
            } else if v.cause & (cause::TIMEOUT << 4) != 0 {
                "TIM"
            } else if status & ESTABLISHED != 0 {
                "CON"
            } else if status & SYN_ACK != 0 {
                "ACC"
            } else if status & SYN != 0 {
                "REQ"
            } else {
                "CON"
            }
        } else {
            match v.metrics() {
                Some(m) if m[0].pkts > 0 && m[1].pkts > 0 => "CON",
                _ => "INT",
            }
        }),
    }
}

const ICMP_TYPES: [&str; 46] = [
    "ECR", "   ", "   ", "UR", "SRC", "RED", "AHA", "   ", "ECO", "RTA", "RTS", "TXD", "PAR",
    "TST", "TSR", "IRQ", "IRR", "MAS", "MSR", "SEC", "ROB", "ROB", "ROB", "ROB", "ROB", "ROB",
    "ROB", "ROB", "ROB", "ROB", "TRC", "DCE", "MHR", "WAY", "IAH", "MRQ", "MRP", "DNQ", "DNP",
    "SKP", "PHO", "NRS", "NRA", "NNS", "NNA", "PTB",
];

fn icmp_state(v: &FlowView) -> &'static str {
    let (mut t, mut c) = match v.key.map(|k| k.addrs) {
        Some(KeyAddrs::Ipv4(a)) => (a.l4[0], a.l4[1]),
        _ => (0, 0),
    };
    if let Some(i) = v.flow.icmp {
        t = i.icmp_type;
        c = i.icmp_code;
    }
    let base = ICMP_TYPES.get(t as usize).copied().unwrap_or("UNK");
    if t != 3 {
        return base;
    }
    match c {
        0 => "URN",
        1 => "URH",
        2 => "URO",
        3 => "URP",
        4 => "URF",
        5 => "URS",
        6 => "URNU",
        7 => "URHU",
        8 => "URISO",
        9 => "URNPRO",
        10 => "URHPRO",
        11 => "URNTOS",
        12 => "URHTOS",
        13 => "URFIL",
        14 => "URPRE",
        15 => "URCUT",
        _ => "UR",
    }
}

fn icmpv6_state(t: u8, c: u8) -> &'static str {
    if t < 128 {
        match (t, c) {
            (1, 0) => "URNR",
            (1, 1) => "URAD",
            (1, 2) => "URBS",
            (1, 3) => "URAR",
            (1, 4) => "URP",
            (1, 5) => "URSF",
            (1, 6) => "URRR",
            (1, 7) => "URES",
            (2, _) => "PTB",
            (3, 0) => "TXT",
            (3, 1) => "TXR",
            (4, 0) => "PPH",
            (4, 1) => "PPNH",
            (4, 2) => "PPO",
            _ => "UNK",
        }
    } else {
        match t {
            128 => "ECO",
            129 => "ECR",
            130 => "MRQ",
            131 | 143 => "MHR",
            133 => "NRS",
            134 => "NRA",
            135 => "NNS",
            136 => "NNA",
            137 => "RED",
            _ => "UNK",
        }
    }
}

/// State of a management record (`ArgusGetManStatus`).
pub fn man_state(m: &Mar) -> &'static str {
    match m.header.cause {
        cause::START => "STA",
        cause::STATUS => "CON",
        cause::STOP => "STP",
        cause::SHUTDOWN => "SHT",
        cause::ERROR => match m.header.option {
            1 => "ADN",
            2 => "MAX",
            _ => "ERR",
        },
        _ => "",
    }
}

/// The cause word (`ArgusPrintCause`), from a cause byte.
pub fn cause_name(cause_byte: u8) -> &'static str {
    match cause_byte >> 4 {
        cause::START => "Start",
        cause::STATUS => "Status",
        cause::STOP => "Stop",
        cause::SHUTDOWN => "Shutdown",
        cause::TIMEOUT => "Timeout",
        cause::ERROR => "Error",
        _ => "Unknown",
    }
}

/// `ra`'s own IP protocol names (`ip_proto_string`), "unas" where it has
/// none. Not `/etc/protocols`: `ra` uses this table.
pub fn ip_proto_name(p: u8) -> &'static str {
    IP_PROTO_NAMES.get(p as usize).copied().flatten().unwrap_or("unas")
}

static IP_PROTO_NAMES: [Option<&str>; 256] = {
    let mut t: [Option<&str>; 256] = [None; 256];
    let names: [&str; 135] = [
        "ip",
        "icmp",
        "igmp",
        "ggp",
        "ipnip",
        "st2",
        "tcp",
        "cbt",
        "egp",
        "igp",
        "bbn-rcc",
        "nvp",
        "pup",
        "argus",
        "emcon",
        "xnet",
        "chaos",
        "udp",
        "mux",
        "dcn",
        "hmp",
        "prm",
        "xns-idp",
        "trunk-1",
        "trunk-2",
        "leaf-1",
        "leaf-2",
        "rdp",
        "irtp",
        "iso-tp4",
        "netblt",
        "mfe-nsp",
        "merit-inp",
        "sep",
        "3pc",
        "idpr",
        "xtp",
        "ddp",
        "idpr-cmtp",
        "tp++",
        "il",
        "ipv6",
        "sdrp",
        "ipv6-route",
        "ipv6-frag",
        "idrp",
        "rsvp",
        "gre",
        "mhrp",
        "bna",
        "esp",
        "ah",
        "i-nlsp",
        "swipe",
        "narp",
        "mobile",
        "tlsp",
        "skip",
        "ipv6-icmp",
        "ipv6-no",
        "ipv6-opts",
        "any",
        "cftp",
        "any",
        "sat-expak",
        "kryptolan",
        "rvd",
        "ippc",
        "any",
        "sat-mon",
        "visa",
        "ipcv",
        "cpnx",
        "cphb",
        "wsn",
        "pvp",
        "br-sat-mon",
        "sun-nd",
        "wb-mon",
        "wb-expak",
        "iso-ip",
        "vmtp",
        "secure-vmtp",
        "vines",
        "ttp",
        "nsfnet-igp",
        "dgp",
        "tcf",
        "eigrp",
        "ospf",
        "sprite-rpc",
        "larp",
        "mtp",
        "ax.25",
        "ipip",
        "micp",
        "aes-sp3-d",
        "etherip",
        "encap",
        "pri-enc",
        "gmtp",
        "ifmp",
        "pnni",
        "pim",
        "aris",
        "scps",
        "qnx",
        "a/n",
        "ipcomp",
        "snp",
        "compaq-peer",
        "ipx-n-ip",
        "vrrp",
        "pgm",
        "zero",
        "l2tp",
        "ddx",
        "iatp",
        "stp",
        "srp",
        "uti",
        "smp",
        "sm",
        "ptp",
        "isis",
        "fire",
        "crtp",
        "crudp",
        "sccopmce",
        "iplt",
        "sps",
        "pipe",
        "sctp",
        "fc",
        "rsvp",
    ];
    let mut i = 0;
    while i < names.len() {
        t[i] = Some(names[i]);
        i += 1;
    }
    t[253] = Some("ib");
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proto_names_follow_ras_table() {
        assert_eq!(ip_proto_name(6), "tcp");
        assert_eq!(ip_proto_name(58), "ipv6-icmp");
        assert_eq!(ip_proto_name(132), "sctp");
        assert_eq!(ip_proto_name(134), "rsvp");
        assert_eq!(ip_proto_name(135), "unas");
        assert_eq!(ip_proto_name(141), "unas");
        assert_eq!(ip_proto_name(253), "ib");
    }

    #[test]
    fn arrows_are_static() {
        assert_eq!(arrow_str(*b" ->"), " ->");
        assert_eq!(arrow_str(*b"<? "), "<? ");
    }

    #[test]
    fn time_bits_are_those_of_the_dsr() {
        use super::super::view::{th, time_bits};
        assert_eq!(time_bits::MASK, 0x78);
        assert_eq!(th::SYN, 2);
    }
}
