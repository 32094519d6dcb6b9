//! rasort's sort keys: the `-m` words, the value each key takes from a
//! record ([`Val`], extracted once per record from `ra`'s canonical view),
//! and the comparison (`ArgusSort*` in argus-clients 3.0.8.2).
//!
//! A comparison `compare(a, b)` answers qsort's question for `a` placed
//! before `b`: positive when `b` must come first. Its sign is what
//! 3.0.8.2's function returns, quirks included:
//!
//! * attribute keys (`dttl`, `stos`, `tcprtt`, `smac`, ...) compare equal
//!   when either record lacks the attribute, which makes the order depend
//!   on the sort algorithm ([`super::msort`] reproduces it);
//! * addresses order by key kind and family first (IPv4 before IPv6 before
//!   ARP ...), and `-v` does not reverse that part;
//! * `daddr` of an Ethernet key compares the source MAC, `dipid` the low
//!   byte of the source IP id, `drate` the source rate, `dport` of an IPv6
//!   record reads it as the other record's protocol says;
//! * a `/len` on `saddr` or `daddr` masks both (one setting).

use crate::codec::SlotSet;
use crate::record::field::{tcp_gap, FieldId, FlowView, NetObject, StateStyle, Value};
use crate::record::{ipproto, key_kind, FlowKey, KeyAddrs, Slot};
use std::fmt;

/// One comparison function of 3.0.8.2's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algo {
    StartTime,
    LastTime,
    Trans,
    Dur,
    Mean,
    Min,
    Max,
    SrcMac,
    DstMac,
    SrcAddr,
    DstAddr,
    Proto,
    SrcIpId,
    DstIpId,
    SrcPort,
    DstPort,
    SrcTos,
    DstTos,
    SrcTtl,
    DstTtl,
    Bytes,
    SrcBytes,
    DstBytes,
    Pkts,
    SrcPkts,
    DstPkts,
    AppBytes,
    SrcAppBytes,
    DstAppBytes,
    Load,
    SrcLoad,
    DstLoad,
    Loss,
    PctLoss,
    Rate,
    SrcRate,
    DstRate,
    TranRef,
    Seq,
    SrcMpls,
    DstMpls,
    SrcVlan,
    DstVlan,
    SrcId,
    SrcTcpBase,
    DstTcpBase,
    TcpRtt,
    SrcLoss,
    DstLoss,
    PctSrcLoss,
    PctDstLoss,
    SrcMaxSz,
    SrcMinSz,
    DstMaxSz,
    DstMinSz,
    SrcDsb,
    DstDsb,
    SrcCo,
    DstCo,
    SrcAs,
    DstAs,
    Sum,
    Idle,
    SrcOui,
    DstOui,
    AppByteRatio,
    Inode,
    SrcGap,
    DstGap,
}

use Algo::*;

/// The keyword table in 3.0.8.2's order: a `-m` word selects the first
/// keyword it starts with (`mindur` is `min`, `saddr/24` is `saddr`).
const KEYWORDS: [(&str, Algo); 75] = [
    ("stime", StartTime),
    ("stime", StartTime),
    ("ltime", LastTime),
    ("trans", Trans),
    ("dur", Dur),
    ("mean", Mean),
    ("min", Min),
    ("max", Max),
    ("smac", SrcMac),
    ("dmac", DstMac),
    ("saddr", SrcAddr),
    ("daddr", DstAddr),
    ("proto", Proto),
    ("sipid", SrcIpId),
    ("dipid", DstIpId),
    ("sport", SrcPort),
    ("dport", DstPort),
    ("stos", SrcTos),
    ("dtos", DstTos),
    ("sttl", SrcTtl),
    ("dttl", DstTtl),
    ("bytes", Bytes),
    ("sbytes", SrcBytes),
    ("dbytes", DstBytes),
    ("pkts", Pkts),
    ("spkts", SrcPkts),
    ("dpkts", DstPkts),
    ("appbytes", AppBytes),
    ("sappbytes", SrcAppBytes),
    ("dappbytes", DstAppBytes),
    ("load", Load),
    ("sload", SrcLoad),
    ("dload", DstLoad),
    ("loss", Loss),
    ("ploss", PctLoss),
    ("rate", Rate),
    ("srate", SrcRate),
    ("drate", DstRate),
    ("tranref", TranRef),
    ("seq", Seq),
    ("smpls", SrcMpls),
    ("dmpls", DstMpls),
    ("svlan", SrcVlan),
    ("dvlan", DstVlan),
    ("srcid", SrcId),
    ("stcpb", SrcTcpBase),
    ("dtcpb", DstTcpBase),
    ("tcprtt", TcpRtt),
    ("sloss", SrcLoss),
    ("dloss", DstLoss),
    ("sploss", PctSrcLoss),
    ("dploss", PctDstLoss),
    ("smaxsz", SrcMaxSz),
    ("sminsz", SrcMinSz),
    ("dmaxsz", DstMaxSz),
    ("dminsz", DstMinSz),
    ("sdsb", SrcDsb),
    ("ddsb", DstDsb),
    ("sco", SrcCo),
    ("dco", DstCo),
    ("sas", SrcAs),
    ("das", DstAs),
    ("sum", Sum),
    ("runtime", Sum),
    ("idle", Idle),
    ("soui", SrcOui),
    ("doui", DstOui),
    ("appbytes", AppBytes),
    ("sappbytes", SrcAppBytes),
    ("dappbytes", DstAppBytes),
    ("abr", AppByteRatio),
    ("pcr", AppByteRatio),
    ("inode", Inode),
    ("sgap", SrcGap),
    ("dgap", DstGap),
];

/// The argus 2.x names of the Argus documentation, accepted as aliases
/// (3.0.8.2 rejects them); matched like the keywords, after them.
const ALIASES: [(&str, Algo); 9] = [
    ("startime", StartTime),
    ("lasttime", LastTime),
    ("srcaddr", SrcAddr),
    ("dstaddr", DstAddr),
    ("srcbytes", SrcBytes),
    ("dstbytes", DstBytes),
    ("packets", Pkts),
    ("srcpackets", SrcPkts),
    ("dstpackets", DstPkts),
];

/// A `-m` word no key starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    /// 3.0.8.2's message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sort syntax error. '{}' not supported", self.0)
    }
}

impl std::error::Error for KeyError {}

/// The keys of a sort, in precedence order, and its settings.
#[derive(Clone, Debug, PartialEq)]
pub struct SortSpec {
    pub algos: Vec<Algo>,
    /// `-v`: every key reversed.
    pub reverse: bool,
    /// The `/len` of `saddr/len` or `daddr/len` (the last one given).
    pub cidr: Option<i32>,
}

/// C's `atoi` of what follows the first `/` (0 when nothing numeric).
fn cidr_of(word: &str) -> Option<i32> {
    let (_, tail) = word.split_once('/')?;
    let t = tail.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n: i64 = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |v, d| v.saturating_mul(10).saturating_add(i64::from(d - b'0')));
    Some(if neg { -n } else { n }.clamp(i32::MIN as i64, i32::MAX as i64) as i32)
}

fn lookup(word: &str) -> Option<Algo> {
    KEYWORDS.iter().chain(ALIASES.iter()).find(|(k, _)| word.starts_with(k)).map(|&(_, a)| a)
}

impl SortSpec {
    /// The keys of `-P`/`RA_SORT_ALGORITHMS` words, then the `-m` words
    /// written over them from the first slot, as rasort fills its table.
    pub fn parse(preset: &[String], words: &[String], reverse: bool) -> Result<SortSpec, KeyError> {
        let mut algos: Vec<Algo> = Vec::new();
        let mut cidr = None;
        let mut parse_into = |list: &[String], algos: &mut Vec<Algo>| -> Result<(), KeyError> {
            for (i, w) in list.iter().enumerate() {
                let a = lookup(w).ok_or_else(|| KeyError(w.clone()))?;
                if matches!(a, SrcAddr | DstAddr) {
                    if let Some(c) = cidr_of(w) {
                        cidr = Some(c);
                    }
                }
                if i < algos.len() {
                    algos[i] = a;
                } else {
                    algos.push(a);
                }
            }
            Ok(())
        };
        parse_into(preset, &mut algos)?;
        parse_into(words, &mut algos)?;
        Ok(SortSpec { algos, reverse, cidr })
    }

    /// Extracts the value of every key from one flow record.
    pub fn extract(&self, v: &FlowView, out: &mut Vec<Val>) {
        for &a in &self.algos {
            out.push(extract(a, v, self.cidr));
        }
    }

    /// The DSRs the keys read, beyond what ra's view of a record reads
    /// (key, times, counters, network and ICMP objects).
    pub fn slots(&self) -> SlotSet {
        let mut set = SlotSet::of(&[Slot::Transport, Slot::Agr, Slot::Icmp]);
        for &a in &self.algos {
            let extra = match a {
                SrcMac | DstMac | SrcOui | DstOui => Some(Slot::Mac),
                SrcIpId | DstIpId | SrcTos | DstTos | SrcTtl | DstTtl | SrcDsb | DstDsb => {
                    Some(Slot::IpAttr)
                }
                SrcMpls | DstMpls => Some(Slot::Mpls),
                SrcVlan | DstVlan => Some(Slot::Vlan),
                SrcMaxSz | SrcMinSz | DstMaxSz | DstMinSz => Some(Slot::PacketSize),
                _ => None,
            };
            if let Some(s) = extra {
                set = set.with(s);
            }
        }
        set
    }

    /// The number of words [`SortSpec::push_words`] gives each record,
    /// when every key can be turned into words whose ascending order is
    /// 3.0.8.2's order (`None` for keys whose comparison is never a total
    /// order: `seq`, `srcid`, `smpls`, `dmpls`, `svlan`, `dvlan`).
    pub fn words_per_record(&self) -> Option<usize> {
        self.algos.iter().map(|&a| word_count(a)).sum()
    }

    /// Appends the words of one record's keys (`vals`, one per key) to
    /// `out`: ordering records by their words, then by reading order, is
    /// exactly the order glibc's merge sort gives with 3.0.8.2's
    /// comparison. False (and `out` partly written) when a value makes the
    /// comparison not a total order (a missing attribute, NaN, an IPv6
    /// `dport`, ...): then the records must be merge sorted.
    pub fn push_words(&self, vals: &[Val], out: &mut Vec<u64>) -> bool {
        self.algos.len() == vals.len()
            && self.algos.iter().zip(vals).all(|(&a, &v)| push_word(a, v, self.reverse, out))
    }

    /// True when the comparison of `algo` is a plain descending or
    /// ascending order on counters every record has (absent counts as 0):
    /// then its word is [`counter_word`] of the value.
    pub fn is_counter(algo: Algo) -> bool {
        matches!(
            algo,
            Bytes
                | SrcBytes
                | DstBytes
                | Pkts
                | SrcPkts
                | DstPkts
                | AppBytes
                | SrcAppBytes
                | DstAppBytes
        )
    }

    /// qsort's comparison of two records' keys (`a` placed before `b`):
    /// the first key that tells them apart decides.
    pub fn compare(&self, a: &[Val], b: &[Val]) -> i32 {
        for (i, &algo) in self.algos.iter().enumerate() {
            let (Some(x), Some(y)) = (a.get(i), b.get(i)) else { break };
            let r = compare(algo, x, y, self.reverse);
            if r != 0 {
                return r;
            }
        }
        0
    }
}

/// Words per key in [`SortSpec::push_words`] (`None`: never a total order).
fn word_count(algo: Algo) -> Option<usize> {
    match algo {
        Seq | SrcId | SrcMpls | DstMpls | SrcVlan | DstVlan => None,
        SrcAddr | DstAddr => Some(3),
        _ => Some(1),
    }
}

/// An integer key the comparators subtract without overflow.
const INT_LIMIT: i64 = 1 << 62;

/// The word of an integer in ascending order (descending when `desc`).
fn int_word(x: i64, desc: bool) -> u64 {
    let w = (x as u64) ^ (1 << 63);
    if desc {
        !w
    } else {
        w
    }
}

/// The word of a counter key (`Bytes`, `SrcPkts`, ...): descending, or
/// ascending under `-v`; `None` beyond the values compared exactly.
pub fn counter_word(x: u64, reverse: bool) -> Option<u64> {
    let x = i64::try_from(x).ok().filter(|&x| x < INT_LIMIT)?;
    Some(int_word(x, !reverse))
}

/// The word of a double in C's `>` order (descending when `desc`); `None`
/// for NaN, which C's comparison does not order.
fn float_word(f: f64, desc: bool) -> Option<u64> {
    if f.is_nan() {
        return None;
    }
    // -0.0 and 0.0 compare equal.
    let bits = if f == 0.0 { 0 } else { f.to_bits() };
    let w = if bits >> 63 != 0 { !bits } else { bits | (1 << 63) };
    Some(if desc { !w } else { w })
}

/// Appends the word(s) of one key's value; false when the value leaves the
/// comparison without a total order.
fn push_word(algo: Algo, v: Val, rev: bool, out: &mut Vec<u64>) -> bool {
    // An integer both records must have; `desc`: the order without -v.
    let int_of = |v: Val, desc: bool, out: &mut Vec<u64>| match v {
        Val::Int(x) if (-INT_LIMIT..INT_LIMIT).contains(&x) => {
            out.push(int_word(x, desc != rev));
            true
        }
        _ => false,
    };
    let float_of = |f: f64, desc: bool, out: &mut Vec<u64>| match float_word(f, desc != rev) {
        Some(w) => {
            out.push(w);
            true
        }
        None => false,
    };
    match algo {
        StartTime | LastTime => int_of(Val::Int(int(v).unwrap_or(0)), false, out),
        Dur | Mean | Min | Max | Sum => float_of(float(v), false, out),
        Idle | TranRef | SrcCo | DstCo | SrcAs | DstAs => {
            out.push(0);
            true
        }
        Bytes | SrcBytes | DstBytes | Pkts | SrcPkts | DstPkts | AppBytes | SrcAppBytes
        | DstAppBytes => int_of(Val::Int(int(v).unwrap_or(0)), true, out),
        Load | SrcLoad | DstLoad | Loss | PctLoss | Rate | SrcRate | DstRate | SrcLoss
        | DstLoss | PctSrcLoss | PctDstLoss | AppByteRatio | SrcGap | DstGap => {
            float_of(float(v), true, out)
        }
        Trans | Proto | SrcIpId | DstIpId | SrcTos | DstTos | SrcDsb | DstDsb | SrcTcpBase
        | DstTcpBase | TcpRtt | SrcMaxSz | DstMaxSz => int_of(v, true, out),
        SrcMac | DstMac | SrcOui | DstOui | Inode | SrcPort | SrcTtl | DstTtl | SrcMinSz
        | DstMinSz => int_of(v, false, out),
        DstPort => match v {
            Val::Dport { own, v6: false, .. } => int_of(Val::Int(own.into()), false, out),
            _ => false,
        },
        SrcAddr | DstAddr => match v {
            Val::Addr { kind, fam, comparable: true, v } => {
                // Kind and family ascending whatever -v says, then the value.
                out.push(u64::from(kind) << 8 | u64::from(fam));
                let (hi, lo) = ((v >> 64) as u64, v as u64);
                out.extend(if rev { [!hi, !lo] } else { [hi, lo] });
                true
            }
            _ => false,
        },
        Seq | SrcId | SrcMpls | DstMpls | SrcVlan | DstVlan => false,
    }
}

/// One key's value for one record. Keys that 3.0.8.2 skips when either
/// record lacks a DSR hold [`Val::Absent`] for records without it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Val {
    #[default]
    Absent,
    Int(i64),
    Float(f64),
    /// An address: key kind and family, and the value as 3.0.8.2 compares
    /// it (`comparable` false where it compares nothing).
    Addr {
        kind: u8,
        fam: u8,
        comparable: bool,
        v: u128,
    },
    /// The destination port, with what another record's protocol may make
    /// 3.0.8.2 read instead in an IPv6 key.
    Dport {
        own: u16,
        v6: bool,
        v6_proto: u8,
        as_tcp: u16,
        as_code: u8,
    },
    /// A DSR present with or without the attribute (`svlan`, `smpls`).
    Tagged {
        has: bool,
        v: u32,
    },
}

/// C's `(x > y) ? 1 : ((x == y) ? 0 : -1)` on doubles (NaN gives -1).
fn gt(x: f64, y: f64) -> i32 {
    if x > y {
        1
    } else if x == y {
        0
    } else {
        -1
    }
}

fn sign(x: i64) -> i32 {
    x.signum() as i32
}

/// `-v` applied the way each comparator ends.
fn flip(r: i32, rev: bool) -> i32 {
    if rev {
        -r.signum()
    } else {
        r
    }
}

fn int(v: Val) -> Option<i64> {
    match v {
        Val::Int(i) => Some(i),
        _ => None,
    }
}

fn float(v: Val) -> f64 {
    match v {
        Val::Float(f) => f,
        Val::Int(i) => i as f64,
        _ => 0.0,
    }
}

/// The comparison of one key: `a` is placed before `b` in the array.
pub fn compare(algo: Algo, a: &Val, b: &Val, rev: bool) -> i32 {
    let (a, b) = (*a, *b);
    match algo {
        // ascending on a value every record has
        StartTime | LastTime => flip(sign(int(a).unwrap_or(0) - int(b).unwrap_or(0)), rev),
        Dur | Mean | Min | Max | Sum => flip(gt(float(a), float(b)), rev),
        Idle | TranRef | SrcCo | DstCo | SrcAs | DstAs => 0,
        // descending counters: absent metrics count as 0
        Bytes | SrcBytes | DstBytes | Pkts | SrcPkts | DstPkts | AppBytes | SrcAppBytes
        | DstAppBytes => {
            let (x, y) = (int(b).unwrap_or(0), int(a).unwrap_or(0));
            if rev {
                -sign(x - y)
            } else {
                sign(x - y)
            }
        }
        Load | SrcLoad | DstLoad | Loss | PctLoss | Rate | SrcRate | DstRate | SrcLoss
        | DstLoss | PctSrcLoss | PctDstLoss | AppByteRatio | SrcGap | DstGap => {
            flip(gt(float(b), float(a)), rev)
        }
        Trans => match (int(a), int(b)) {
            (Some(x), Some(y)) => flip(sign(y - x), rev),
            _ => 0,
        },
        SrcMac | DstMac | SrcOui | DstOui | Inode => match (a, b) {
            (Val::Int(x), Val::Int(y)) => flip(sign(x - y), rev),
            _ => 0,
        },
        SrcAddr | DstAddr => match (a, b) {
            (
                Val::Addr { kind: ka, fam: fa, comparable, v: va },
                Val::Addr { kind: kb, fam: fb, v: vb, .. },
            ) => {
                if ka != kb {
                    return ka as i32 - kb as i32;
                }
                if fa != fb {
                    return fa as i32 - fb as i32;
                }
                let r = if comparable { sign((va > vb) as i64 - (va < vb) as i64) } else { 0 };
                flip(r, rev)
            }
            _ => flip(0, rev),
        },
        Proto => {
            let (p1, p2) = match (int(b), int(a)) {
                (Some(x), Some(y)) => (x, y),
                _ => (0, 0),
            };
            flip(sign(p1 - p2), rev)
        }
        SrcPort => match (int(a), int(b)) {
            (Some(x), Some(y)) => flip(sign(x - y), rev),
            _ => 0,
        },
        DstPort => match (a, b) {
            (
                Val::Dport { own: own_a, v6: a6, as_tcp, as_code, .. },
                Val::Dport { own: p1, v6: b6, v6_proto, .. },
            ) => {
                let p2 = if a6 {
                    let b_proto = if b6 { v6_proto } else { 0 };
                    match b_proto {
                        ipproto::TCP | ipproto::UDP => as_tcp as i64,
                        ipproto::ICMPV6 => as_code as i64,
                        _ => 0,
                    }
                } else {
                    own_a as i64
                };
                flip(sign(p2 - p1 as i64), rev)
            }
            _ => 0,
        },
        // b - a on values both records carry: descending
        SrcIpId | DstIpId | SrcTos | DstTos | SrcDsb | DstDsb => match (int(a), int(b)) {
            (Some(x), Some(y)) => flip(sign(y - x), rev),
            _ => 0,
        },
        SrcTtl | DstTtl => match (int(a), int(b)) {
            (Some(x), Some(y)) => flip(sign(x - y), rev),
            _ => 0,
        },
        SrcMpls | DstMpls | SrcVlan | DstVlan => {
            let r = match (a, b) {
                (Val::Tagged { has: ha, v: va }, Val::Tagged { has: hb, v: vb }) => {
                    if ha && hb {
                        // unsigned subtraction read as int
                        vb.wrapping_sub(va) as i32
                    } else if hb {
                        1
                    } else if ha {
                        -1
                    } else {
                        0
                    }
                }
                (_, Val::Tagged { .. }) => 1,
                (Val::Tagged { .. }, _) => -1,
                _ => 0,
            };
            flip(r, rev)
        }
        Seq | SrcId => match (int(a), int(b)) {
            (Some(x), Some(y)) => flip((x as u32).wrapping_sub(y as u32) as i32, rev),
            _ => 0,
        },
        SrcTcpBase | DstTcpBase | TcpRtt | SrcMaxSz | DstMaxSz => match (int(a), int(b)) {
            (Some(x), Some(y)) => {
                if rev {
                    -sign(y - x)
                } else {
                    sign(y - x)
                }
            }
            _ => 0,
        },
        SrcMinSz | DstMinSz => match (int(a), int(b)) {
            (Some(x), Some(y)) => {
                if rev {
                    sign(y - x)
                } else {
                    -sign(y - x)
                }
            }
            _ => 0,
        },
    }
}

fn u(v: Value) -> Option<i64> {
    v.as_u64().map(|x| x as i64)
}

/// The key as 3.0.8.2 compares addresses: kind, family, value.
fn addr_val(k: &FlowKey, src: bool, cidr: Option<i32>) -> Val {
    let kind = k.kind & 0x3f;
    let fam = k.qual & 0x1f;
    let mut comparable = true;
    let shift = 32 - cidr.filter(|&c| c > 0).unwrap_or(32);
    let mask4 = |a: u32| {
        if shift == 0 {
            a
        } else {
            // C shifts by the count modulo 32 (x86).
            let s = (shift as u32) & 31;
            (a >> s) << s
        }
    };
    let v: u128 = match (kind, &k.addrs) {
        (key_kind::CLASSIC5TUPLE, KeyAddrs::Ipv4(a)) if fam == 1 => {
            mask4(if src { a.src } else { a.dst }) as u128
        }
        (key_kind::CLASSIC5TUPLE, KeyAddrs::Ipv6(a)) if fam == 2 => {
            // Four words in memory (network) order, each read in host order.
            let bytes = if src { a.src } else { a.dst }.to_be_bytes();
            let mut v = 0u128;
            for w in bytes.chunks(4) {
                v = (v << 32) | u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as u128;
            }
            v
        }
        (key_kind::CLASSIC5TUPLE, KeyAddrs::Ether(e)) if fam == 3 => mac_val(&e.src) as u128,
        (_, KeyAddrs::Arp(a)) if fam == 4 || kind == key_kind::ARP => {
            (if src { a.spa } else { a.tpa }) as u128
        }
        _ => {
            comparable = false;
            0
        }
    };
    Val::Addr { kind, fam, comparable, v }
}

fn mac_val(m: &[u8; 6]) -> i64 {
    m.iter().fold(0i64, |v, &b| (v << 8) | b as i64)
}

/// The value of key `algo` for one flow record's canonical view.
pub fn extract(algo: Algo, v: &FlowView, cidr: Option<i32>) -> Val {
    let value = |id: FieldId| v.value(id, StateStyle::Words);
    let metric = |id: FieldId| Val::Int(u(value(id)).unwrap_or(0));
    let key = v.key.as_ref();
    let classic = key.is_some_and(|k| k.kind & 0x3f == key_kind::CLASSIC5TUPLE);
    match algo {
        StartTime => Val::Int(v.start().as_micros()),
        LastTime => Val::Int(v.last().as_micros()),
        Trans => v.agr().map_or(Val::Absent, |a| Val::Int(a.count as i64)),
        Dur => Val::Float(v.dur() as f64),
        Mean => Val::Float(v.agr().map_or(0.0, |a| a.act.mean) as f64),
        Min => Val::Float(v.agr().map_or(0.0, |a| a.act.min) as f64),
        Max => Val::Float(v.agr().map_or(0.0, |a| a.act.max) as f64),
        Sum => Val::Float(v.agr().map_or(0.0, |a| a.act.mean * a.act.n as f32) as f64),
        SrcMac | DstMac => match v.macs() {
            Some((s, d)) => Val::Int(mac_val(if algo == SrcMac { &s } else { &d })),
            None => Val::Absent,
        },
        SrcOui | DstOui => match v.macs() {
            Some((s, d)) => Val::Int(mac_val(if algo == SrcOui { &s } else { &d }) >> 24),
            None => Val::Absent,
        },
        SrcAddr | DstAddr => key.map_or(Val::Absent, |k| addr_val(k, algo == SrcAddr, cidr)),
        Proto => match key {
            Some(k) if classic => Val::Int(match k.addrs {
                KeyAddrs::Ipv4(a) if k.qual & 0x1f == 1 => a.proto as i64,
                KeyAddrs::Ipv6(a) if k.qual & 0x1f == 2 => a.proto() as i64,
                _ => 0,
            }),
            Some(_) => Val::Int(0),
            None => Val::Absent,
        },
        SrcPort => match key {
            Some(k) => Val::Int(match k.addrs {
                KeyAddrs::Ipv4(a) if classic && matches!(a.proto, ipproto::TCP | ipproto::UDP) => {
                    a.sport() as i64
                }
                KeyAddrs::Ipv6(a) if classic => match a.proto() {
                    ipproto::TCP | ipproto::UDP => a.sport() as i64,
                    ipproto::ICMPV6 => a.icmp_type() as i64,
                    _ => 0,
                },
                _ => 0,
            }),
            None => Val::Absent,
        },
        DstPort => match key {
            Some(k) => {
                let (mut own, mut v6, mut v6_proto, mut as_tcp, mut as_code) = (0, false, 0, 0, 0);
                match k.addrs {
                    KeyAddrs::Ipv4(a)
                        if classic && matches!(a.proto, ipproto::TCP | ipproto::UDP) =>
                    {
                        own = a.dport();
                    }
                    KeyAddrs::Ipv6(a) if classic && k.qual & 0x1f == 2 => {
                        v6 = true;
                        v6_proto = a.proto();
                        own = match a.proto() {
                            ipproto::TCP | ipproto::UDP => a.dport(),
                            ipproto::ICMPV6 => a.icmp_code() as u16,
                            _ => 0,
                        };
                        as_tcp = match a.proto() {
                            ipproto::TCP | ipproto::UDP | ipproto::ICMPV6 => a.dport(),
                            _ => u16::from_le_bytes([a.l4[2], a.l4[3]]),
                        };
                        as_code = match a.proto() {
                            ipproto::TCP | ipproto::UDP => a.l4[0],
                            _ => a.l4[1],
                        };
                    }
                    _ => {}
                }
                Val::Dport { own, v6, v6_proto, as_tcp, as_code }
            }
            None => Val::Absent,
        },
        SrcIpId | DstIpId | SrcTos | DstTos | SrcDsb | DstDsb => {
            let Some(attr) = v.ipattr_dsr() else { return Val::Absent };
            let (s, d) = v.sides(attr.src, attr.dst);
            Val::Int(match algo {
                SrcIpId => s.ip_id as i64,
                DstIpId => (s.ip_id & 0xff) as i64,
                SrcTos => s.tos as i64,
                DstTos => d.tos as i64,
                SrcDsb => (s.tos >> 2) as i64,
                _ => (d.tos >> 2) as i64,
            })
        }
        SrcTtl | DstTtl => {
            let (s, d) = v.ipattr();
            match if algo == SrcTtl { s } else { d } {
                Some(a) => Val::Int(a.ttl as i64),
                None => Val::Absent,
            }
        }
        Bytes => metric(FieldId::Bytes),
        SrcBytes => metric(FieldId::Sbytes),
        DstBytes => metric(FieldId::Dbytes),
        Pkts => metric(FieldId::Pkts),
        SrcPkts => metric(FieldId::Spkts),
        DstPkts => metric(FieldId::Dpkts),
        AppBytes => metric(FieldId::Appbytes),
        SrcAppBytes => metric(FieldId::Sappbytes),
        DstAppBytes => metric(FieldId::Dappbytes),
        Load => Val::Float(v.load() as f64),
        SrcLoad => Val::Float(v.sload() as f64),
        DstLoad => Val::Float(v.dload() as f64),
        Loss => Val::Float(v.loss(true, true)),
        SrcLoss => Val::Float(v.loss(true, false)),
        DstLoss => Val::Float(v.loss(false, true)),
        PctLoss | PctSrcLoss | PctDstLoss => {
            let id = match algo {
                PctLoss => FieldId::Ploss,
                PctSrcLoss => FieldId::Sploss,
                _ => FieldId::Dploss,
            };
            Val::Float(value(id).as_f64().unwrap_or(0.0))
        }
        Rate => {
            let pkts = v.metrics().map_or(0, |[s, d]| s.pkts + d.pkts) as i64;
            let d = v.dur();
            Val::Float(if pkts > 0 && d > 0.0 { pkts as f64 / d as f64 } else { 0.0 })
        }
        SrcRate | DstRate => Val::Float(v.srate() as f64),
        TranRef | Idle | SrcCo | DstCo | SrcAs | DstAs => Val::Int(0),
        Seq => match v.flow.transport {
            Some(t) => Val::Int(if t.subtype & 0x02 != 0 { t.seq as i64 } else { 0 }),
            None => Val::Absent,
        },
        SrcId => match v.flow.transport {
            Some(t) if t.subtype & 0x01 != 0 => Val::Int(u32::from_be_bytes(t.srcid) as i64),
            _ => Val::Absent,
        },
        // ra turns these round with the record (direction correction).
        SrcMpls | DstMpls => match &v.flow.mpls {
            Some(m) => {
                let src = (m.subtype & 0x01 != 0, if m.len >= 2 { m.src_label } else { 0 });
                let dst = (m.subtype & 0x02 != 0, if m.len >= 3 { m.dst_label } else { 0 });
                let (s, d) = v.sides(src, dst);
                let (has, word) = if algo == SrcMpls { s } else { d };
                Val::Tagged { has, v: word >> 12 }
            }
            None => Val::Absent,
        },
        SrcVlan | DstVlan => match v.flow.vlan {
            Some(vl) => {
                let src = (vl.qual & 0x01 != 0, vl.src_tci);
                let dst = (vl.qual & 0x02 != 0, vl.dst_tci);
                let (s, d) = v.sides(src, dst);
                let (has, tci) = if algo == SrcVlan { s } else { d };
                Val::Tagged { has, v: (tci & 0x0fff) as u32 }
            }
            None => Val::Absent,
        },
        SrcTcpBase | DstTcpBase | TcpRtt => {
            // ra drops empty (UDP) and malformed RTP/RTCP objects.
            if matches!(v.net(), NetObject::None) {
                return Val::Absent;
            }
            let tcp = v.tcp_if_tcp().map(|(_, t)| *t);
            Val::Int(match (algo, tcp) {
                (SrcTcpBase, Some(t)) => t.src.seqbase as i64,
                (DstTcpBase, Some(t)) => t.dst.seqbase as i64,
                (TcpRtt, Some(t)) => t.syn_ack_usecs.wrapping_add(t.ack_dat_usecs) as i64,
                _ => 0,
            })
        }
        SrcMaxSz | SrcMinSz | DstMaxSz | DstMinSz => match v.psize() {
            Some((s, d)) => Val::Int(match algo {
                SrcMaxSz => s.max as i64,
                SrcMinSz => s.min as i64,
                DstMaxSz => d.max as i64,
                _ => d.min as i64,
            }),
            None => Val::Absent,
        },
        AppByteRatio => Val::Float(v.app_byte_ratio()),
        Inode => match value(FieldId::Inode) {
            Value::Ipv4(a) => Val::Int(a as i64),
            _ => Val::Absent,
        },
        SrcGap | DstGap => Val::Float(tcp_gap(v, algo == SrcGap)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn words_select_keys_by_prefix_and_alias() {
        let s =
            SortSpec::parse(&[], &words(&["mindur", "saddr/24", "duration", "srcbytes"]), false)
                .unwrap();
        assert_eq!(s.algos, vec![Min, SrcAddr, Dur, SrcBytes]);
        assert_eq!(s.cidr, Some(24));
        let e = SortSpec::parse(&[], &words(&["avgdur"]), false).unwrap_err();
        assert_eq!(e.to_string(), "sort syntax error. 'avgdur' not supported");
        assert!(SortSpec::parse(&[], &words(&["smeansz"]), false).is_err());
    }

    #[test]
    fn m_words_overwrite_the_preset_from_the_first_slot() {
        let s =
            SortSpec::parse(&words(&["bytes", "pkts", "dur"]), &words(&["saddr"]), false).unwrap();
        assert_eq!(s.algos, vec![SrcAddr, Pkts, Dur]);
    }

    #[test]
    fn directions_and_reverse() {
        let (one, two) = (Val::Int(1), Val::Int(2));
        // positive: the second element goes first
        assert!(compare(Bytes, &one, &two, false) > 0);
        assert!(compare(Bytes, &one, &two, true) < 0);
        assert!(compare(StartTime, &two, &one, false) > 0);
        assert!(compare(SrcTtl, &Val::Absent, &one, false) == 0);
        // the family order is not reversed by -v
        let v4 = Val::Addr { kind: 1, fam: 1, comparable: true, v: 9 };
        let v6 = Val::Addr { kind: 1, fam: 2, comparable: true, v: 1 };
        assert!(compare(SrcAddr, &v4, &v6, false) < 0);
        assert!(compare(SrcAddr, &v4, &v6, true) < 0);
    }

    /// The words of total-order keys sort exactly as the merge sort with
    /// 3.0.8.2's comparison does.
    #[test]
    fn words_sort_like_the_comparison() {
        let int = |i: i64| Val::Int((i * 7919 % 37) - 5 + i64::from(i % 3 == 0) * (1 << 40));
        let float = |i: i64| Val::Float([0.5, -0.0, 0.0, -2.25, 1e9][(i * 13 % 5) as usize]);
        let addr = |i: i64| Val::Addr {
            kind: 1,
            fam: 1 + (i % 4 == 0) as u8,
            comparable: true,
            v: (i * 7 % 11) as u128 * (1 << 70) + (i % 3) as u128,
        };
        type Case<'a> = (&'a [&'a str], bool, &'a dyn Fn(i64, usize) -> Val);
        let cases: [Case; 4] = [
            (&["bytes"], false, &|i, _| int(i)),
            (&["stime", "pkts"], true, &|i, _| int(i)),
            (&["dur", "load"], false, &|i, _| float(i)),
            (&["saddr", "sport"], true, &|i, k| if k == 0 { addr(i) } else { int(i) }),
        ];
        for (keys, rev, val) in cases {
            let spec = SortSpec::parse(&[], &words(keys), rev).unwrap();
            let k = spec.algos.len();
            let n = 600 / k;
            let vals: Vec<Val> =
                (0..n * k).map(|i| val(i as i64 / k as i64 + i as i64, i % k)).collect();
            let mut want: Vec<u32> = (0..n as u32).collect();
            let cmp = |a: &u32, b: &u32| {
                let (a, b) = (*a as usize * k, *b as usize * k);
                spec.compare(&vals[a..a + k], &vals[b..b + k])
            };
            super::super::msort::sort(&mut want, &cmp);
            let mut w = Vec::new();
            for row in vals.chunks(k) {
                assert!(spec.push_words(row, &mut w), "{keys:?}");
            }
            let width = spec.words_per_record().unwrap();
            let got = super::super::radix::sort_rows(&w, width);
            assert_eq!(got, want, "{keys:?} -v {rev}");
        }
        let spec = SortSpec::parse(&[], &words(&["sttl"]), false).unwrap();
        assert!(!spec.push_words(&[Val::Absent], &mut Vec::new()));
        assert!(SortSpec::parse(&[], &words(&["seq"]), false)
            .unwrap()
            .words_per_record()
            .is_none());
    }
}
