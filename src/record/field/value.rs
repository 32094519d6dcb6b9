//! Typed field values: what a field holds for one record, before any
//! formatting. The filter compares them, the sorters order them, the
//! aggregators add them, the JSON printer types them.

use super::derive::{cause_name, dir_text, flags_text, man_state, state_text, tcp_gap, StateStyle};
use super::view::{net_subtype, FlowView, NetObject, View};
use super::FieldId;
use crate::record::{family, ipproto, key_kind, KeyAddrs, Mar, StatBlock, Timeval};

/// A short string held inline (flags, states, arrows): no allocation.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct ShortStr {
    len: u8,
    buf: [u8; 31],
}

impl ShortStr {
    pub fn new(s: &str) -> ShortStr {
        ShortStr::from_bytes(s.as_bytes())
    }

    /// Builds from ASCII bytes, keeping at most 31 of them.
    pub fn from_bytes(b: &[u8]) -> ShortStr {
        let mut s = ShortStr::default();
        s.push_bytes(b);
        s
    }

    pub fn push(&mut self, c: u8) {
        if (self.len as usize) < self.buf.len() && c.is_ascii() {
            self.buf[self.len as usize] = c;
            self.len += 1;
        }
    }

    pub fn push_str(&mut self, s: &str) {
        self.push_bytes(s.as_bytes());
    }

    fn push_bytes(&mut self, b: &[u8]) {
        for &c in b {
            self.push(c);
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored.
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl std::fmt::Debug for ShortStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// The value of one field for one record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// The record does not carry this field (`ra` prints blanks).
    Absent,
    U64(u64),
    I64(i64),
    /// A C `float`, as `ra` computes it.
    F32(f32),
    F64(f64),
    Time(Timeval),
    Ipv4(u32),
    Ipv6(u128),
    Mac([u8; 6]),
    Str(&'static str),
    Short(ShortStr),
    Bytes(&'a [u8]),
}

impl Value<'_> {
    /// The value as a number, for numeric comparisons (times as seconds).
    pub fn as_f64(&self) -> Option<f64> {
        Some(match *self {
            Value::U64(v) => v as f64,
            Value::I64(v) => v as f64,
            Value::F32(v) => v as f64,
            Value::F64(v) => v,
            Value::Time(t) => t.as_secs_f64(),
            Value::Ipv4(a) => a as f64,
            _ => return None,
        })
    }

    /// The value as an unsigned integer, where it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U64(v) => Some(v),
            Value::I64(v) => u64::try_from(v).ok(),
            Value::Ipv4(a) => Some(a as u64),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Absent)
    }
}

fn opt_u64<T: Into<u64>>(v: Option<T>) -> Value<'static> {
    v.map_or(Value::Absent, |v| Value::U64(v.into()))
}

impl<'a> View<'a> {
    /// The value of field `id` (state shown as words).
    pub fn value(&self, id: FieldId) -> Value<'a> {
        self.value_styled(id, StateStyle::Words)
    }

    /// The value of field `id`, with the state column in `style`.
    pub fn value_styled(&self, id: FieldId, style: StateStyle) -> Value<'a> {
        match self {
            View::Mar(m) => mar_value(m, id),
            View::Flow(f) => f.value(id, style),
        }
    }
}

/// What `ra` shows in each column for a management record.
fn mar_value(m: &Mar, id: FieldId) -> Value<'static> {
    use FieldId::*;
    let dur = {
        let sec = m.now.sec.wrapping_sub(m.start.sec) as i32;
        let usec = m.now.usec.wrapping_sub(m.start.usec) as i32;
        (sec as f64 + usec as f64 / 1e6) as f32
    };
    match id {
        Stime | Sltime | Dltime | Rtime => Value::Time(m.now),
        Ltime | Sstime | Dstime => Value::Time(m.start),
        Dur | Sdur | Ddur => Value::F32(dur),
        Saddr | Snet | Dnet | Dappbytes => Value::U64(m.queue as u64),
        Sport | Dbytes | Loss => Value::U64(m.dropped as u64),
        Daddr | Sappbytes => Value::U64(m.bufs as u64),
        Dport => Value::U64(m.clients as u64),
        Proto => Value::Str("man"),
        Pkts | Spkts => Value::U64(m.pkts_rcvd),
        Dpkts => Value::U64(m.records as u64),
        Bytes | Appbytes => Value::U64(m.bytes as u64),
        Sbytes => Value::U64(m.bytes_rcvd),
        Seq => Value::U64(m.next_seq as u64),
        State => Value::Str(man_state(m)),
        Cause => Value::Str(cause_name(m.header.cause << 4)),
        Rate | Srate | Drate | Load | Sload | Dload => Value::F32(0.0),
        _ => Value::Absent,
    }
}

impl<'a> FlowView<'a> {
    /// The value of field `id` for this flow.
    pub fn value(&self, id: FieldId, style: StateStyle) -> Value<'a> {
        use FieldId::*;
        // Only what every arm needs is computed up front; the rest is
        // looked up by the arms that need it (this runs once per cell).
        let (sm, dm, has_m) = match self.metrics() {
            Some([s, d]) => (s, d, true),
            None => Default::default(),
        };
        let m = |v: u64| if has_m { Value::U64(v) } else { Value::Absent };
        match id {
            Stime => Value::Time(self.start()),
            Ltime => Value::Time(self.last()),
            Sstime => self.time().map_or(Value::Absent, |t| Value::Time(t.src.start)),
            Sltime => self.time().map_or(Value::Absent, |t| Value::Time(t.src.end)),
            Dstime => self.time().map_or(Value::Absent, |t| Value::Time(t.dst.start)),
            Dltime => self.time().map_or(Value::Absent, |t| Value::Time(t.dst.end)),
            Dur => Value::F32(self.time().map_or(0.0, |t| t.dur())),
            Sdur => Value::F32(self.time().map_or(0.0, |t| t.src_dur())),
            Ddur => Value::F32(self.time().map_or(0.0, |t| t.dst_dur())),
            Trans => Value::U64(self.agr().map_or(0, |a| a.count as u64)),
            Mean => {
                Value::F32(self.agr().map_or(0.0, |a| if a.count > 0 { a.act.mean } else { 0.0 }))
            }
            Min => self.agr().map_or(Value::Absent, |a| Value::F32(a.act.min)),
            Max => self.agr().map_or(Value::Absent, |a| Value::F32(a.act.max)),
            Stddev => Value::F32(
                self.agr().map_or_else(|| self.time().map_or(0.0, |t| t.dur()), |a| a.act.stddev),
            ),
            Sum | Runtime => Value::F32(
                self.agr().filter(|a| a.count > 0).map_or(0.0, |a| a.act.mean * a.act.n as f32),
            ),
            Saddr | Daddr => self.addr(id == Saddr),
            Snet | Dnet => match self.addr(id == Snet) {
                Value::Ipv4(a) => Value::Ipv4(a & classful_mask(a)),
                v => v,
            },
            Proto => self.proto_number(),
            Sport | Dport => self.port(id == Sport),
            Pkts => m(sm.pkts.wrapping_add(dm.pkts)),
            Spkts => m(sm.pkts),
            Dpkts => m(dm.pkts),
            Bytes => m(sm.bytes.wrapping_add(dm.bytes)),
            Sbytes => m(sm.bytes),
            Dbytes => m(dm.bytes),
            Appbytes => m(sm.appbytes.wrapping_add(dm.appbytes)),
            Sappbytes => m(sm.appbytes),
            Dappbytes => m(dm.appbytes),
            Smeansz | Dmeansz => {
                let d = if id == Smeansz { sm } else { dm };
                Value::F32(if d.pkts > 0 { (d.bytes as f64 / d.pkts as f64) as f32 } else { 0.0 })
            }
            Rate => Value::F32(self.rate()),
            Srate | Drate => Value::F32(self.side_rate(id == Srate)),
            Load => Value::F32(self.load()),
            Sload | Dload => Value::F32(if id == Sload { self.sload() } else { self.dload() }),
            Loss => Value::F64(self.loss(true, true)),
            Sloss => Value::F64(self.loss(true, false)),
            Dloss => Value::F64(self.loss(false, true)),
            Ploss | Sploss | Dploss => {
                let (s, d) = (id != Dploss, id != Sploss);
                let loss = self.loss(s, d);
                let pkts = match id {
                    Ploss => sm.pkts.wrapping_add(dm.pkts),
                    Sploss => sm.pkts,
                    _ => dm.pkts,
                } as i32;
                Value::F64(if has_m && pkts > 0 {
                    loss * 100.0 / (pkts as f64 + loss)
                } else {
                    0.0
                })
            }
            Retrans | Sretrans | Dretrans | Nacks | Snacks | Dnacks | Solo | Ssolo | Dsolo
            | First | Sfirst | Dfirst => Value::I64(0),
            Pretrans | Spretrans | Dpretrans | Pnacks | Spnacks | Dpnacks | Psolo | Spsolo
            | Dpsolo | Pfirst | Spfirst | Dpfirst => Value::F64(0.0),
            Srcid => self.srcid(),
            Seq => self.flow.transport.map_or(Value::Absent, |t| Value::U64(t.seq as u64)),
            Flgs => Value::Short(flags_text(self)),
            Dir => dir_text(self).map_or(Value::Absent, Value::Str),
            State => Value::Short(state_text(self, style)),
            Cause => Value::Str(cause_name(self.cause)),
            Smac | Dmac => self
                .macs()
                .map_or(Value::Absent, |(s, d)| Value::Mac(if id == Smac { s } else { d })),
            Soui | Doui => Value::Absent,
            Stos | Dtos => {
                let (s, d) = self.ipattr();
                opt_u64(if id == Stos { s } else { d }.map(|a| a.tos))
            }
            Sdsb | Ddsb => {
                let (s, d) = self.ipattr();
                opt_u64(if id == Sdsb { s } else { d }.map(|a| a.tos >> 2))
            }
            Sttl | Dttl => {
                let (s, d) = self.ipattr();
                opt_u64(if id == Sttl { s } else { d }.map(|a| a.ttl))
            }
            Shops | Dhops => {
                let (s, d) = self.ipattr();
                opt_u64(if id == Shops { s } else { d }.map(|a| {
                    let mut est: u32 = 1;
                    while est < a.ttl as u32 {
                        est *= 2;
                    }
                    est - a.ttl as u32
                }))
            }
            Sipid | Dipid => {
                let (s, d) = self.ipattr();
                opt_u64(if id == Sipid { s } else { d }.map(|a| a.ip_id))
            }
            Svlan | Dvlan => {
                let (s, d) = self.vlans();
                opt_u64(if id == Svlan { s } else { d })
            }
            Svid | Dvid => {
                let (s, d) = self.vids();
                opt_u64(if id == Svid { s } else { d })
            }
            Smpls | Dmpls => {
                let (s, d) = self.mpls();
                opt_u64(if id == Smpls { s } else { d }.map(|l| l >> 12))
            }
            Swin | Dwin => self.window(id == Swin),
            Stcpb | Dtcpb => match self.tcp_if_tcp() {
                Some((_, tcp)) => {
                    let b = if id == Stcpb { tcp.src.seqbase } else { tcp.dst.seqbase };
                    // ra shows a zero base blank, except the IPv6 one of
                    // the destination.
                    let v6 = matches!(self.key.map(|k| k.addrs), Some(KeyAddrs::Ipv6(_)));
                    if b != 0 || (id == Dtcpb && v6) {
                        Value::U64(b as u64)
                    } else {
                        Value::Absent
                    }
                }
                None => Value::Absent,
            },
            Tcprtt => Value::F64(self.tcp_usecs(|t| t.syn_ack_usecs.wrapping_add(t.ack_dat_usecs))),
            Synack => Value::F64(self.tcp_usecs(|t| t.syn_ack_usecs)),
            Ackdat => Value::F64(self.tcp_usecs(|t| t.ack_dat_usecs)),
            Stcpmax | Dtcpmax => Value::F64(self.tcp_max(id == Stcpmax)),
            Sgap | Dgap => {
                let g = tcp_gap(self, id == Sgap) as i32;
                if g == -1 {
                    Value::Absent
                } else {
                    Value::I64(g as i64)
                }
            }
            Tcpopt => match self.tcp_if_tcp() {
                Some((_, tcp)) => Value::Short(tcp_options_text(tcp.options)),
                None => Value::Absent,
            },
            Sintpkt => self.jitter().map_or(Value::Absent, |j| {
                let (a, i) = j[0];
                let n = (a.n as u32).wrapping_add(i.n as u32);
                let mut mean = 0.0f32;
                if n > 0 {
                    mean += a.mean * a.n as f32 + i.mean * i.n as f32;
                    mean /= n as f32;
                }
                Value::F64(mean as f64 / 1000.0)
            }),
            Dintpkt => self.jitter().map_or(Value::Absent, |j| {
                let (a, i) = j[1];
                let n = (a.n as u32).wrapping_add(i.n as u32);
                if n == 0 {
                    return Value::Absent;
                }
                let mean = if a.n != 0 && i.n != 0 {
                    (a.mean * a.n as f32 + i.mean * i.n as f32) / n as f32
                } else if a.n != 0 {
                    a.mean
                } else {
                    i.mean
                };
                Value::F64(mean as f64 / 1000.0)
            }),
            Sintpktact | Dintpktact | Sintpktidl | Dintpktidl => {
                self.jitter().map_or(Value::Absent, |j| {
                    let b = pick_block(
                        &j,
                        id == Sintpktact || id == Sintpktidl,
                        id == Sintpktact || id == Dintpktact,
                    );
                    Value::F64(b.mean as f64 / 1000.0)
                })
            }
            // ra's source max and min both take the larger of the active
            // and idle values; its destination ones read the active block.
            Sintpktmax | Sintpktmin => self.jitter().map_or(Value::Absent, |j| {
                let (a, i) = j[0];
                let (x, y) = if id == Sintpktmax { (a.max, i.max) } else { (a.min, i.min) };
                Value::F64(if x > y { x } else { y } as f64 / 1000.0)
            }),
            Dintpktmax | Dintpktmin => self.jitter().map_or(Value::Absent, |j| {
                let a = j[1].0;
                Value::F64(if id == Dintpktmax { a.max } else { a.min } as f64 / 1000.0)
            }),
            Sintpktactmax | Dintpktactmax | Sintpktidlmax | Dintpktidlmax => {
                self.jitter().map_or(Value::Absent, |j| {
                    let src = matches!(id, Sintpktactmax | Sintpktidlmax);
                    let act = matches!(id, Sintpktactmax | Dintpktactmax);
                    Value::F64(pick_block(&j, src, act).max as f64 / 1000.0)
                })
            }
            Sintpktactmin | Dintpktactmin | Sintpktidlmin | Dintpktidlmin => {
                self.jitter().map_or(Value::Absent, |j| {
                    let src = matches!(id, Sintpktactmin | Sintpktidlmin);
                    let act = matches!(id, Sintpktactmin | Dintpktactmin);
                    Value::F64(pick_block(&j, src, act).min as f64 / 1000.0)
                })
            }
            Sjit | Djit => self.jitter().map_or(Value::Absent, |j| {
                let (a, i) = if id == Sjit { j[0] } else { j[1] };
                jitter_stddev(a, i).map_or(Value::Absent, Value::F64)
            }),
            Sjitact | Djitact | Sjitidl | Djitidl => self.jitter().map_or(Value::Absent, |j| {
                let b =
                    pick_block(&j, id == Sjitact || id == Sjitidl, id == Sjitact || id == Djitact);
                if b.n > 0 {
                    Value::F64(b.stddev as f64 / 1000.0)
                } else {
                    Value::Absent
                }
            }),
            Smaxsz | Sminsz | Dmaxsz | Dminsz => self.psize().map_or(Value::Absent, |(s, d)| {
                let v = match id {
                    Smaxsz => s.max,
                    Sminsz => s.min,
                    Dmaxsz => d.max,
                    _ => d.min,
                };
                if v > 0 {
                    Value::U64(v as u64)
                } else {
                    Value::Absent
                }
            }),
            Suser | Duser => {
                let (s, d) = self.user_data();
                (if id == Suser { s } else { d }).map_or(Value::Absent, |u| Value::Bytes(&u.data))
            }
            Inode => match self.flow.icmp {
                Some(i) if i.qual & 0x07 != 0 => match self.key.map(|k| k.addrs) {
                    Some(KeyAddrs::Ipv4(_)) => Value::Ipv4(i.osrc),
                    _ => Value::Absent,
                },
                _ => Value::Absent,
            },
            Icmpid => self.icmp_id(),
            Pcr | Abr => Value::F64(self.app_byte_ratio()),
            Tf | Stf | Dtf => {
                let (a, b) = match id {
                    Tf => (sm.appbytes.wrapping_add(dm.appbytes), sm.bytes.wrapping_add(dm.bytes)),
                    Stf => (sm.appbytes, sm.bytes),
                    _ => (dm.appbytes, dm.bytes),
                };
                if !has_m {
                    Value::Absent
                } else {
                    Value::F32(if b > 0 { (a as f64 / b as f64) as f32 } else { -0.0 })
                }
            }
            Senc | Denc => self.flow.encaps.map_or(Value::Absent, |e| {
                Value::U64(if id == Senc { e.src } else { e.dst } as u64)
            }),
            Offset => Value::Absent,
            _ => Value::Absent,
        }
    }

    /// The address `ra` shows in the saddr/daddr column.
    pub fn addr(&self, src: bool) -> Value<'a> {
        let Some(k) = self.key else { return Value::Absent };
        let kind = k.kind & 0x3f;
        match k.addrs {
            KeyAddrs::Ipv4(a)
                if kind == key_kind::CLASSIC5TUPLE || kind == key_kind::LAYER_3_MATRIX =>
            {
                Value::Ipv4(if src { a.src } else { a.dst })
            }
            KeyAddrs::Ipv6(a)
                if kind == key_kind::CLASSIC5TUPLE || kind == key_kind::LAYER_3_MATRIX =>
            {
                Value::Ipv6(if src { a.src } else { a.dst })
            }
            KeyAddrs::Ether(e) => Value::Mac(if src { e.src } else { e.dst }),
            KeyAddrs::Arp(a) => Value::Ipv4(if src { a.spa } else { a.tpa }),
            _ => Value::Absent,
        }
    }

    /// Protocol number: IP protocol, ether type for non-IP frames, ARP's.
    fn proto_number(&self) -> Value<'a> {
        let Some(k) = self.key else { return Value::Absent };
        match k.addrs {
            KeyAddrs::Ipv4(a) => Value::U64(a.proto as u64),
            KeyAddrs::Ipv6(a) => Value::U64(a.proto() as u64),
            KeyAddrs::Ether(e) => Value::U64(e.ether_type as u64),
            KeyAddrs::Arp(_) if k.family() == family::RARP => Value::U64(32821),
            KeyAddrs::Arp(_) => Value::U64(2054),
            KeyAddrs::Other { .. } => Value::Absent,
        }
    }

    /// The port `ra` shows: TCP/UDP ports, ICMP's type/code and id words,
    /// ICMPv6 type and code, the ESP SPI, LLC SAPs.
    pub fn port(&self, src: bool) -> Value<'a> {
        let Some(k) = self.key else { return Value::Absent };
        if k.kind & 0x3f != key_kind::CLASSIC5TUPLE {
            return Value::Absent;
        }
        let fragment = k.qual & family::FRAGMENT != 0;
        match k.addrs {
            KeyAddrs::Ipv4(a) => match a.proto {
                ipproto::TCP | ipproto::UDP => {
                    if fragment {
                        Value::U64(0)
                    } else {
                        Value::U64(if src { a.sport() } else { a.dport() } as u64)
                    }
                }
                ipproto::ICMP => Value::U64(if src {
                    u16::from_le_bytes([a.l4[0], a.l4[1]])
                } else {
                    u16::from_be_bytes([a.l4[2], a.l4[3]])
                } as u64),
                ipproto::ESP if !src => Value::U64(a.esp_spi() as u64),
                _ => Value::Absent,
            },
            KeyAddrs::Ipv6(a) => match a.proto() {
                ipproto::TCP | ipproto::UDP => {
                    Value::U64(if src { a.sport() } else { a.dport() } as u64)
                }
                ipproto::ICMPV6 => Value::U64(if src { a.l4[0] } else { a.l4[1] } as u64),
                ipproto::ESP if !src => Value::U64(u32::from_be_bytes(a.l4) as u64),
                _ => Value::Absent,
            },
            KeyAddrs::Ether(e) => Value::U64(if src { e.ssap } else { e.dsap } as u64),
            _ => Value::Absent,
        }
    }

    /// Probe id of the transport DSR.
    fn srcid(&self) -> Value<'a> {
        let Some(t) = self.flow.transport else { return Value::Absent };
        match t.srcid_kind {
            0x20 => Value::U64(u32::from_be_bytes(t.srcid) as u64),
            0x21 => {
                let n = t.srcid.iter().position(|&b| b == 0).unwrap_or(4);
                Value::Short(ShortStr::from_bytes(&t.srcid[..n]))
            }
            _ => Value::Ipv4(u32::from_be_bytes(t.srcid)),
        }
    }

    /// The TCP object of a TCP flow (IPv4 or IPv6 classic key).
    pub fn tcp_if_tcp(&self) -> Option<(u8, &crate::record::TcpPerf)> {
        let k = self.key?;
        if k.kind & 0x3f != key_kind::CLASSIC5TUPLE {
            return None;
        }
        match k.addrs {
            KeyAddrs::Ipv4(a) if a.proto == ipproto::TCP => self.tcp(),
            KeyAddrs::Ipv6(a) if a.proto() == ipproto::TCP => self.tcp(),
            _ => None,
        }
    }

    fn tcp_usecs(&self, f: impl Fn(&crate::record::TcpPerf) -> u32) -> f64 {
        self.tcp_if_tcp().map_or(0.0, |(_, t)| f(t) as f64 / 1_000_000.0)
    }

    /// `ArgusFetchSrcTcpMax`/`DstTcpMax`: window over round trip, in ra's
    /// units.
    fn tcp_max(&self, src: bool) -> f64 {
        let Some((_, tcp)) = self.tcp_if_tcp() else { return 0.0 };
        let mut rtt = self.tcp_usecs(|t| t.syn_ack_usecs.wrapping_add(t.ack_dat_usecs));
        if !super::view::positive(rtt) {
            return 0.0;
        }
        let synack = self.tcp_usecs(|t| t.syn_ack_usecs);
        let ackdat = self.tcp_usecs(|t| t.ack_dat_usecs);
        if ackdat < 0.000100 {
            rtt = synack;
        } else if synack < 0.000100 {
            rtt = ackdat;
        }
        // ra's source maximum uses the destination's window and scales by
        // 1000, its destination maximum the source's window unscaled.
        if src && self.dst().pkts > 0 {
            let win = (tcp.dst.win as u32).wrapping_shl(tcp.dst.winshift as u32);
            win as f64 * 8.0 / (rtt * 1000.0)
        } else if !src && self.src().pkts > 0 {
            let win = (tcp.src.win as u32).wrapping_shl(tcp.src.winshift as u32);
            win as f64 * 8.0 / rtt
        } else {
            0.0
        }
    }

    /// Advertised window of one side, scaled (`ArgusPrintSrcWindow`).
    fn window(&self, src: bool) -> Value<'a> {
        let Some((_, tcp)) = self.tcp_if_tcp() else { return Value::Absent };
        let [s, d] = self.metrics().unwrap_or_default();
        if self.metrics().is_none() || s.pkts == 0 {
            return Value::Absent;
        }
        if !src && d.pkts == 0 {
            return Value::Absent;
        }
        let side = if src { tcp.src } else { tcp.dst };
        Value::U64((side.win as u32).wrapping_shl(side.winshift as u32) as u64)
    }

    /// Printed packet rate of the record: `(pkts - 1) / dur`, in `float`.
    pub fn rate(&self) -> f32 {
        if self.metrics().is_none() {
            return 0.0;
        }
        let pkts = (self.src().pkts.wrapping_add(self.dst().pkts) as i64).wrapping_sub(1);
        let secs = self.time().map_or(0.0, |t| t.dur());
        if pkts > 0 && secs > 0.0 {
            pkts as f32 / secs
        } else {
            0.0
        }
    }

    /// Printed per-side rate (`ArgusPrintSrcRate`), in `float`.
    pub fn side_rate(&self, src: bool) -> f32 {
        if self.metrics().is_none() {
            return 0.0;
        }
        let t = self.time().unwrap_or_default();
        let mut secs = if src { t.src_dur() } else { t.dst_dur() };
        if secs == 0.0 {
            secs = t.dur();
        }
        let count = if src { self.src().pkts } else { self.dst().pkts } as i64 - 1;
        if count > 0 && secs > 0.0 {
            count as f32 / secs
        } else {
            0.0
        }
    }

    /// Printed load of the record (`ArgusPrintLoad`), bits per second.
    pub fn load(&self) -> f32 {
        let t = self.time().unwrap_or_default();
        let mut sdur = t.src_dur();
        let mut ddur = t.dst_dur();
        let dur = self.dur();
        if !super::view::positive(sdur as f64) {
            sdur = dur;
        }
        if !super::view::positive(ddur as f64) {
            ddur = dur;
        }
        if dur > 0.0 {
            (self.sload() * sdur + self.dload() * ddur) / dur
        } else {
            0.0
        }
    }

    /// Lost packets (`ArgusFetchLoss` and its one-sided forms): TCP
    /// retransmissions, ESP sequence gaps.
    pub fn loss(&self, src: bool, dst: bool) -> f64 {
        let Some(k) = self.key else { return 0.0 };
        if k.kind & 0x3f != key_kind::CLASSIC5TUPLE || self.metrics().is_none() {
            return 0.0;
        }
        let [sm, dm] = self.metrics().unwrap_or_default();
        let v4 = matches!(k.addrs, KeyAddrs::Ipv4(_));
        match (self.ip_proto(), self.net()) {
            (Some(ipproto::TCP), NetObject::Tcp { tcp, .. }) if tcp.state != 0 => {
                match (src, dst) {
                    (true, true) if sm.pkts > 0 => tcp.src.retrans as f64 + tcp.dst.retrans as f64,
                    (true, false) if sm.pkts > 0 => tcp.src.retrans as f64,
                    (false, true) if dm.pkts > 0 => tcp.dst.retrans as f64,
                    _ => 0.0,
                }
            }
            (Some(ipproto::UDP), NetObject::Other { subtype: net_subtype::RTP, drops, .. }) => {
                match (src, dst) {
                    (true, true) => drops.0 as f64 + drops.1 as f64,
                    (true, false) => drops.0 as f64,
                    _ => drops.1 as f64,
                }
            }
            (Some(ipproto::ESP), NetObject::Esp(e)) if v4 => {
                let pkts = if src { sm.pkts } else { dm.pkts };
                if pkts > 0 {
                    e.lost_seq as f64
                } else {
                    0.0
                }
            }
            _ => 0.0,
        }
    }

    /// `(src app bytes - dst app bytes) / (src + dst)` (`ArgusFetchAppByteRatio`).
    pub fn app_byte_ratio(&self) -> f64 {
        let Some([s, d]) = self.metrics() else { return 0.0 };
        let n = s.appbytes as i64 - d.appbytes as i64;
        let total = s.appbytes.wrapping_add(d.appbytes) as f64;
        if total > 0.0 {
            n as f64 / total
        } else {
            -0.0
        }
    }

    /// ICMP identifier (echo) of an IPv4 ICMP flow.
    fn icmp_id(&self) -> Value<'a> {
        match self.key.map(|k| k.addrs) {
            Some(KeyAddrs::Ipv4(a)) if a.proto == ipproto::ICMP => {
                Value::U64(u16::from_be_bytes([a.l4[2], a.l4[3]]) as u64)
            }
            _ => Value::Absent,
        }
    }

    /// True when the NETWORK object is one of `ra`'s RTP/RTCP/UDT objects.
    pub fn udp_subprotocol(&self) -> Option<&'static str> {
        match self.net_subtype()? {
            net_subtype::RTP => Some("rtp"),
            net_subtype::RTCP => Some("rtcp"),
            net_subtype::UDT => Some("udt"),
            _ => None,
        }
    }
}

/// One jitter block: source or destination, active or idle.
fn pick_block(j: &[(StatBlock, StatBlock); 2], src: bool, act: bool) -> StatBlock {
    let (a, i) = if src { j[0] } else { j[1] };
    if act {
        a
    } else {
        i
    }
}

/// Jitter (standard deviation of inter-packet times, ms) of one side
/// combining its active and idle blocks, as `ra` computes it.
fn jitter_stddev(a: StatBlock, i: StatBlock) -> Option<f64> {
    let n = (a.n as u32).wrapping_add(i.n as u32);
    if n == 0 {
        return None;
    }
    if a.n != 0 && i.n != 0 {
        let mean = (a.mean * a.n as f32 + i.mean * i.n as f32) / n as f32;
        let part = |b: StatBlock| {
            let sd = b.stddev as f64;
            b.n as f64 * sd.powi(2) + ((b.mean * b.n as f32) as f64).powi(2) / b.n as f64
        };
        let sum = (part(a) + part(i)) / 1000.0;
        let mean = mean / 1000.0;
        Some((sum / n as f64 - (mean as f64).powi(2)).sqrt())
    } else {
        let sd = if a.n != 0 { a.stddev } else { i.stddev };
        Some(sd as f64 / 1000.0)
    }
}

/// The TCP options column: one letter per option bit, in bit order, spaces
/// for options not seen; 12 blanks when none.
pub fn tcp_options_text(options: u32) -> ShortStr {
    const LETTERS: &[u8; 12] = b"MwsSeETcNOSD";
    let mut s = ShortStr::from_bytes(b"            ");
    let o = options & 0xfff0_0000;
    if o != 0 {
        let mut b = [b' '; 12];
        for (i, c) in LETTERS.iter().enumerate() {
            if o & (0x0010_0000 << i) != 0 {
                b[i] = *c;
            }
        }
        s = ShortStr::from_bytes(&b);
    }
    s
}

/// The classful network mask of an IPv4 address (`ipaddrtonetmask`).
pub fn classful_mask(a: u32) -> u32 {
    if a & 0x8000_0000 == 0 {
        0xff00_0000
    } else if a & 0xc000_0000 == 0x8000_0000 {
        0xffff_0000
    } else if a & 0xe000_0000 == 0xc000_0000 {
        0xffff_ff00
    } else if a & 0xf000_0000 == 0xe000_0000 {
        0xffff_ffff
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_keep_ascii() {
        let mut s = ShortStr::new("FSPA");
        s.push(b'_');
        s.push_str("RA");
        assert_eq!(s.as_str(), "FSPA_RA");
        assert_eq!(ShortStr::from_bytes(&[b'a'; 40]).as_str().len(), 31);
    }

    #[test]
    fn tcp_options_letters() {
        assert_eq!(tcp_options_text(0).as_str(), "            ");
        assert_eq!(tcp_options_text(0x0010_0000 | 0x0040_0000).as_str(), "M s         ");
        assert_eq!(tcp_options_text(0x0420_0000).as_str(), " w    T     ");
    }

    #[test]
    fn classful_masks() {
        assert_eq!(classful_mask(0x0a00_0001), 0xff00_0000);
        assert_eq!(classful_mask(0xac10_0505), 0xffff_0000);
        assert_eq!(classful_mask(0xc0a8_010a), 0xffff_ff00);
    }
}
