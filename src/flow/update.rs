//! Per-packet flow updates (argus's `ArgusUpdateFlow`,
//! `ArgusUpdateBasicFlow`, `ArgusUpdateState`, `ArgusTallyStats`,
//! `ArgusUpdateAppState`) and the queue manager.

use super::key::{self, ThisFlow, L3, QUAL_DIRECTION, SUB_REVERSE};
use super::state::{
    Attr, DirTimes, Esp, FlowState, MacState, MplsState, Net, Pair16, Psize, Queue, UserBuf,
    RECORD_WRITTEN,
};
use super::tcp::{self, Outcome, Seg};
use super::Engine;
use crate::record::{IcmpObject, TcpPerf, Timeval};
use crate::wire::{be16, be32, encaps as enc, Frame, NetKind};

pub const START: u8 = 0x10;
pub const STATUS: u8 = 0x20;
pub const STOP: u8 = 0x30;
pub const TIMEOUT: u8 = 0x40;
pub const SHUTDOWN: u8 = 0x60;

/// argus's moving pointers into the packet: where the next header starts
/// and how many bytes it claims (`ArgusThisUpHdr`, `ArgusThisLength`).
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub up: usize,
    pub len: i64,
    /// `ArgusInProtocol`, for the jitter statistics.
    pub in_protocol: bool,
    /// The packet's key is a fragment key (`ArgusThisFlow` qualifier).
    pub fragment: bool,
    /// Whether the metrics were tallied (argus's `ArgusThisStats`).
    pub tallied: bool,
}

fn expired(now: Timeval, since: Timeval, interval: i64) -> bool {
    if interval < 0 {
        return false;
    }
    interval == 0 || now.as_micros() - since.as_micros() >= interval
}

impl Engine {
    /// One decoded frame.
    pub(super) fn frame(&mut self, f: &Frame<'_>) {
        let Some(this) = key::create(f) else { return };
        let now = self.now;
        match self.table.find(&this.key) {
            Some(i) => {
                match self.table.link(i).queue {
                    Queue::Status => {
                        let qtime = self.table.link(i).qtime;
                        if expired(now, qtime, self.cfg.status_interval) {
                            if self.table.back(Queue::Status) != Some(i) {
                                self.status_timeouts(self.cfg.status_interval);
                            }
                            if self.table.get(i).status & RECORD_WRITTEN == 0 {
                                let cause = self.table.get(i).status as u8 & 0xf0;
                                self.send(i, cause);
                            }
                            self.table.push_front(i, Queue::Status, now);
                        }
                    }
                    // argus leaves fragment flows where they are, even in an
                    // idle-timeout queue (they then go unreported).
                    _ if this.is_fragment() => {}
                    _ => self.table.push_front(i, Queue::Status, now),
                }
                let fl = self.table.get_mut(i);
                if fl.lasttime < now {
                    fl.lasttime = now;
                }
                self.update_flow(i, &this, f, STATUS, true);
            }
            None => {
                if self.table.len() >= self.table.max {
                    self.evict();
                }
                let i = self.new_flow(&this, f, Queue::Status);
                self.update_flow(i, &this, f, START, true);
            }
        }
    }

    /// `ArgusNewFlow`.
    pub(super) fn new_flow(&mut self, this: &ThisFlow, f: &Frame<'_>, q: Queue) -> u32 {
        let mut subtype = this.subtype;
        if this.dir {
            subtype |= SUB_REVERSE;
        }
        let mut fl = FlowState::new(this.key, subtype, this.qual, this.dir);
        fl.userlen = self.cfg.user_data;
        fl.lasttime = self.now;
        fl.timeout = match f.net {
            NetKind::Ipv4 | NetKind::Ipv6 => self.cfg.timeouts.ip,
            NetKind::Arp | NetKind::Rarp => self.cfg.timeouts.arp,
            NetKind::Other(_) | NetKind::Wlan => 30,
        };
        if this.is_fragment() {
            fl.net = Net::Frag(Box::default());
        }
        self.stats.flows += 1;
        let hashed = true;
        let i = self.table.insert(fl, hashed);
        self.table.push_front(i, q, self.now);
        i
    }

    /// `ArgusUpdateFlow`.
    pub(super) fn update_flow(
        &mut self,
        i: u32,
        this: &ThisFlow,
        f: &Frame<'_>,
        state: u8,
        update: bool,
    ) {
        let this_dir = self.update_basic(i, this, f, state);
        let mut ctx = Ctx {
            up: this.up,
            len: this.len,
            in_protocol: true,
            fragment: this.is_fragment(),
            tallied: false,
        };
        match this.l3 {
            L3::V4 { ip, ip_off, options, .. } => {
                let d = f.data;
                let dir = AttrDir4 {
                    ttl: d[ip + 8],
                    tos: d[ip + 1],
                    ipid: be16(d, ip + 4).unwrap_or(0),
                    options,
                };
                self.last_options = options;
                self.attr(i, this_dir, dir);
                let Some(i) = self.update_state(i, this, f, state, update, this_dir, &mut ctx)
                else {
                    return;
                };
                if ip_off & 0x1fff == 0 && ip_off & 0x2000 != 0 && !this.is_fragment() {
                    self.first_fragment(i, this, f, state, this_dir);
                }
            }
            L3::V6 { ip, .. } => {
                let d = f.data;
                let b2 = d.get(ip + 2).copied().unwrap_or(0);
                let b3 = d.get(ip + 3).copied().unwrap_or(0);
                let tos = ((b2 & 0x0f) << 4) | (b3 >> 4);
                let dir = AttrDir4 {
                    ttl: d.get(ip + 7).copied().unwrap_or(0),
                    tos,
                    ipid: 0,
                    options: self.last_options,
                };
                self.attr(i, this_dir, dir);
                // argus 3.0.8.2 tests the IPv6 first-fragment condition in
                // the wrong byte order, so a first fragment is never
                // recognised: later fragments always stay flows of their own.
                self.update_state(i, this, f, state, update, this_dir, &mut ctx);
            }
            _ => {
                self.update_state(i, this, f, state, update, this_dir, &mut ctx);
            }
        }
    }

    fn attr(&mut self, i: u32, this_dir: bool, v: AttrDir4) {
        let fl = self.table.get_mut(i);
        let a = fl.attr.get_or_insert_with(Attr::default);
        let (d, q, qo) = if this_dir { (&mut a.src, 0x01, 0x04) } else { (&mut a.dst, 0x02, 0x08) };
        d.ttl = v.ttl;
        d.tos = v.tos;
        d.ip_id = v.ipid.swap_bytes();
        d.options = v.options;
        a.qual |= q;
        if v.options != 0 {
            a.qual |= qo;
        }
    }

    /// `ArgusUpdateBasicFlow`: times, encapsulation, MACs, VLAN, MPLS.
    /// Returns whether the packet goes in the flow's forward direction.
    pub(super) fn update_basic(
        &mut self,
        i: u32,
        this: &ThisFlow,
        f: &Frame<'_>,
        state: u8,
    ) -> bool {
        let now = self.now;
        let cfg_mac = self.cfg.mac;
        let cfg_jitter = self.cfg.jitter;
        let iface = self.interface;
        let fl = self.table.get_mut(i);
        if fl.status & RECORD_WRITTEN != 0 {
            fl.zero();
        }
        let this_dir = fl.dir == this.dir;
        if matches!(fl.net, Net::None) {
            fl.net = Net::Empty;
        }
        // Before the encapsulation update, as argus: the bit only sticks
        // when this report already has its encapsulation DSR.
        let (int, changed) = if this_dir { (&mut fl.srcint, 0x10) } else { (&mut fl.dstint, 0x20) };
        if *int < 0 {
            *int = iface;
        } else if *int != iface {
            if let Some((q, _, _)) = &mut fl.encaps {
                *q |= changed;
            }
        }
        match &mut fl.encaps {
            None => {
                fl.encaps = Some(if this_dir { (0, f.encaps, 0) } else { (0, 0, f.encaps) });
            }
            Some((q, s, d)) => {
                let (v, bit) = if this_dir { (s, 0x04) } else { (d, 0x08) };
                if *v != f.encaps {
                    if *v != 0 {
                        *q |= bit;
                    }
                    *v |= f.encaps;
                }
            }
        }
        let t = &mut fl.time;
        if t.subtype == 0 {
            t.subtype = 0x01;
            if this_dir {
                t.src_start = now;
            } else {
                t.dst_start = now;
            }
        } else {
            let (ds, de, os) = if this_dir {
                (&mut t.src_start, &mut t.src_end, t.dst_start)
            } else {
                (&mut t.dst_start, &mut t.dst_end, t.src_start)
            };
            if ds.sec == 0 {
                *ds = now;
                if os.sec != 0 {
                    t.subtype = 0x02;
                }
            } else {
                *de = now;
                t.subtype = 0x02;
            }
        }
        if cfg_mac {
            if let Some(e) = f.ether {
                match &mut fl.xm().mac {
                    None => {
                        let (src, dst) = if this_dir { (e.src, e.dst) } else { (e.dst, e.src) };
                        fl.xm().mac =
                            Some(MacState { qual: 0, src, dst, ether_type: e.ether_type });
                    }
                    Some(m) => {
                        let same = if this_dir {
                            m.src == e.src && m.dst == e.dst
                        } else {
                            m.src == e.dst && m.dst == e.src
                        };
                        if !same || m.ether_type != e.ether_type {
                            m.qual |= if this_dir { 0x01 } else { 0x02 };
                        }
                    }
                }
            }
        }
        let _ = state;
        if f.encaps & enc::MPLS != 0 {
            let m = fl.xm().mpls.get_or_insert_with(MplsState::default);
            let label = f.mpls.unwrap_or(0);
            if this_dir {
                m.qual = (1 << 4) | (m.qual & 0x0f);
                m.src = label;
            } else {
                m.qual = 1 | (m.qual & 0xf0);
                m.dst = label;
            }
        }
        if f.encaps & enc::VLAN != 0 {
            let v = fl.xm().vlan.get_or_insert_with(Pair16::default);
            let tci = f.vlan.unwrap_or(0);
            if this_dir {
                v.src = tci;
                v.qual |= 0x01;
            } else {
                v.dst = tci;
                v.qual |= 0x02;
            }
        }
        if cfg_jitter && !fl.x().is_some_and(|x| x.jitter) {
            let x = fl.xm();
            x.jitter = true;
            let (sl, dl) = (x.stime.last, x.dtime.last);
            x.stime = DirTimes { last: sl, ..DirTimes::default() };
            x.dtime = DirTimes { last: dl, ..DirTimes::default() };
        }
        this_dir
    }

    /// `ArgusUpdateState`. Returns `None` when the flow was consumed (a
    /// completed fragment set).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn update_state(
        &mut self,
        i: u32,
        this: &ThisFlow,
        f: &Frame<'_>,
        mut state: u8,
        update: bool,
        mut this_dir: bool,
        ctx: &mut Ctx,
    ) -> Option<u32> {
        {
            let fl = self.table.get_mut(i);
            if fl.status & 0xf0 == 0 {
                fl.status |= u32::from(state & 0xf0);
            } else if matches!(state & 0xf0, START | STOP | TIMEOUT | SHUTDOWN | 0x70 | 0x80) {
                fl.status = (fl.status & !0xf0) | u32::from(state & 0xf0);
            }
        }
        match this.l3 {
            L3::V4 { .. } | L3::V6 { .. } => {
                if this.is_fragment() {
                    self.tally(i, this_dir, f, ctx);
                    if self.frag_state(i, this, f, state) {
                        self.delete(i);
                        return None;
                    }
                } else {
                    match this.proto {
                        6 => {
                            if let Some((s, d)) =
                                self.tcp_state(i, this, f, &mut state, this_dir, ctx)
                            {
                                state = s;
                                this_dir = d;
                            }
                            self.table.get_mut(i).timeout = self.cfg.timeouts.tcp;
                        }
                        1 if matches!(this.l3, L3::V4 { .. }) => {
                            self.icmp_state(i, this, f, &mut state, ctx);
                            self.table.get_mut(i).timeout = self.cfg.timeouts.icmp;
                        }
                        58 if matches!(this.l3, L3::V6 { .. }) => {
                            self.icmp6_state(i, this, f, state);
                            self.table.get_mut(i).timeout = self.cfg.timeouts.icmp;
                        }
                        17 if f.data.len() >= ctx.up + 8 => {
                            ctx.len -= 8;
                            ctx.up += 8;
                            let fl = self.table.get_mut(i);
                            if state != START && fl.metric[0].pkts + fl.metric[1].pkts > 2 {
                                fl.timeout = 30;
                            }
                        }
                        50 => self.esp_state(i, f, state, ctx),
                        _ => {}
                    }
                }
            }
            L3::Arp => self.arp_state(i, f, ctx),
            L3::Ether => {}
        }
        if update {
            if !ctx.fragment {
                self.tally(i, this_dir, f, ctx);
            }
            self.app_state(i, this, f, state, this_dir, ctx);
        }
        Some(i)
    }

    /// `ArgusTallyStats`.
    fn tally(&mut self, i: u32, this_dir: bool, f: &Frame<'_>, ctx: &mut Ctx) {
        let now = self.now;
        let (psize, jitter, interval) = (self.cfg.psize, self.cfg.jitter, self.cfg.status_interval);
        let fl = self.table.get_mut(i);
        let bytes = u64::from(f.bytes);
        let m = &mut fl.metric[usize::from(!this_dir)];
        m.pkts += 1;
        // A C int in argus: lengths past 2^31 count as negative.
        m.bytes = m.bytes.wrapping_add(f.bytes as i32 as i64 as u64);
        ctx.tallied = true;
        if psize {
            let p = fl.xm().psize.get_or_insert_with(Psize::default);
            let (mn, mx) = if this_dir {
                (&mut p.src_min, &mut p.src_max)
            } else {
                (&mut p.dst_min, &mut p.dst_max)
            };
            if bytes > u64::from(*mx) {
                *mx = bytes as u16;
            }
            if bytes < u64::from(*mn) {
                *mn = bytes as u16;
            }
        }
        if jitter {
            let x = fl.xm();
            let t = if this_dir { &mut x.stime } else { &mut x.dtime };
            if t.last < now {
                if t.last.sec > 0 {
                    let iv = (now.as_micros() - t.last.as_micros()).unsigned_abs();
                    if iv > 0 && interval > 0 && iv < (interval as u64) * 2 {
                        let s = if ctx.in_protocol { &mut t.act } else { &mut t.idle };
                        let fv = iv as f32;
                        if s.min > fv {
                            s.min = fv;
                        }
                        if s.max < fv {
                            s.max = fv;
                        }
                        s.sum += fv;
                        s.sumsq = (s.sumsq as f64 + (iv as f64) * (iv as f64)) as i64;
                        s.n += 1;
                    }
                }
                t.last = now;
            }
        }
    }

    /// `ArgusUpdateAppState`: application bytes and user data.
    fn app_state(
        &mut self,
        i: u32,
        this: &ThisFlow,
        f: &Frame<'_>,
        state: u8,
        this_dir: bool,
        ctx: &mut Ctx,
    ) {
        if ctx.len <= 0 {
            return;
        }
        if this.proto == 17 && !ctx.fragment {
            self.rtp_state(i, f, state, this_dir, ctx);
        }
        let fl = self.table.get_mut(i);
        if ctx.tallied {
            fl.metric[usize::from(!this_dir)].appbytes += ctx.len as u64;
        }
        let size = fl.userlen;
        if size == 0 {
            return;
        }
        let slot = &mut fl.xm().user[usize::from(!this_dir)];
        if state == START {
            if let Some(u) = slot {
                if u.size != size {
                    *slot = None;
                } else {
                    u.data.clear();
                }
            }
        }
        let u = slot
            .get_or_insert_with(|| UserBuf { size, data: Vec::with_capacity(usize::from(size)) });
        let have = u.data.len();
        if have < usize::from(u.size) {
            let room = usize::from(u.size) - have;
            let captured = f.data.len().saturating_sub(ctx.up);
            let n = room.min(ctx.len as usize).min(captured);
            if n > 0 {
                u.data.extend_from_slice(&f.data[ctx.up..ctx.up + n]);
            }
        }
    }

    /// TCP. Returns the state and direction to continue with when the flow
    /// was restarted.
    fn tcp_state(
        &mut self,
        i: u32,
        this: &ThisFlow,
        f: &Frame<'_>,
        state: &mut u8,
        this_dir: bool,
        ctx: &mut Ctx,
    ) -> Option<(u8, bool)> {
        let d = f.data;
        let seg = Seg::parse(d.get(ctx.up..)?)?;
        let tcplen = ctx.len;
        let hlen = seg.hlen;
        let datalen = tcplen - hlen as i64;
        let opts_end = (ctx.up + hlen).min(d.len());
        let opts = d.get(ctx.up + 20..opts_end).unwrap_or(&[]);
        let now = self.now;
        if *state == START {
            let t = tcp::start(seg, opts, datalen as u32, this_dir, now);
            self.table.get_mut(i).net = Net::Tcp(0x03, t);
            ctx.up += hlen;
            ctx.len = datalen;
            return None;
        }
        let (perf, track) = (self.cfg.tcp_perf, self.cfg.track_duplicates);
        let fl = self.table.get_mut(i);
        if !matches!(fl.net, Net::Tcp(..)) {
            fl.net = Net::Tcp(0x05, TcpPerf::default());
        }
        let ipid = fl
            .attr
            .map(|a| {
                if this_dir {
                    if a.qual & 1 != 0 {
                        a.src.ip_id
                    } else {
                        0
                    }
                } else if a.qual & 2 != 0 {
                    a.dst.ip_id
                } else {
                    0
                }
            })
            .unwrap_or(0);
        let FlowState { net: Net::Tcp(sub, t), sipid, dipid, .. } = fl else { return None };
        if t.state == tcp::TCPS_LISTEN {
            let (src_flags, _) = if this_dir { (&mut t.src, 0) } else { (&mut t.dst, 0) };
            src_flags.flags |= seg.flags;
            if seg.flags & 0x02 != 0 {
                self.send(i, STOP);
                self.init_tcp(i, this, f, this_dir, ctx);
                self.table.push_front(i, Queue::Status, now);
                if let Net::Tcp(_, t) = &mut self.table.get_mut(i).net {
                    let side = if this_dir { &mut t.src } else { &mut t.dst };
                    side.flags |= seg.flags;
                    side.lasttime = now;
                }
                *state = START;
                return Some((START, true));
            }
            let side = if this_dir { &mut t.src } else { &mut t.dst };
            side.lasttime = now;
            return None;
        }
        ctx.up += hlen;
        ctx.len = datalen;
        let last = if this_dir { sipid } else { dipid };
        let later = tcp::Later {
            seg,
            opts,
            len: datalen,
            this_dir,
            now,
            ipid,
            last_ipid: last,
            track_duplicates: track,
            perf,
        };
        let mut inp = ctx.in_protocol;
        let out = tcp::update(sub, t, later, &mut inp);
        ctx.in_protocol = inp;
        if out == Outcome::Restart {
            let side = if this_dir { &mut t.src } else { &mut t.dst };
            side.bytes = side.bytes.wrapping_sub(datalen as u32);
            ctx.up -= hlen;
            ctx.len = tcplen;
            self.table.unlink(i);
            self.send(i, STOP);
            self.init_tcp(i, this, f, this_dir, ctx);
            self.table.push_front(i, Queue::Status, now);
            return Some((*state, true));
        }
        None
    }

    /// `ArgusInitializeTCP`: a new connection on an old key.
    fn init_tcp(&mut self, i: u32, this: &ThisFlow, f: &Frame<'_>, this_dir: bool, ctx: &mut Ctx) {
        let now = self.now;
        {
            let fl = self.table.get_mut(i);
            if let Net::Tcp(_, t) = &mut fl.net {
                *t = TcpPerf::default();
            }
            if !this_dir {
                fl.key_qual &= !QUAL_DIRECTION;
                fl.key_subtype &= !SUB_REVERSE;
            }
            fl.dir = this.dir;
            fl.lasttime = now;
        }
        // argus re-runs its START path for this packet without counting it.
        let d = self.update_basic(i, this, f, START);
        if let L3::V4 { ip, options, .. } = this.l3 {
            let fd = f.data;
            let v = AttrDir4 {
                ttl: fd[ip + 8],
                tos: fd[ip + 1],
                ipid: be16(fd, ip + 4).unwrap_or(0),
                options,
            };
            self.attr(i, d, v);
        }
        {
            let fl = self.table.get_mut(i);
            fl.status = (fl.status & !0xf0) | u32::from(START);
        }
        let mut st = START;
        let mut c2 = *ctx;
        self.tcp_state(i, this, f, &mut st, d, &mut c2);
        ctx.up = c2.up;
        ctx.len = c2.len;
    }

    fn icmp_state(
        &mut self,
        i: u32,
        this: &ThisFlow,
        f: &Frame<'_>,
        state: &mut u8,
        ctx: &mut Ctx,
    ) {
        let d = f.data;
        let up = ctx.up;
        if d.len() < up + 28 {
            return;
        }
        let (ty, code) = (d[up], d[up + 1]);
        let info = matches!(ty, 0 | 8 | 9 | 10 | 13 | 14 | 15 | 16 | 17 | 18);
        let L3::V4 { ip, .. } = this.l3 else { return };
        if *state == START {
            let mut o = IcmpObject {
                icmp_type: ty,
                icmp_code: code,
                seq: be16(d, up + 6).unwrap_or(0),
                osrc: be32(d, ip + 12).unwrap_or(0),
                odst: be32(d, ip + 16).unwrap_or(0),
                ..IcmpObject::default()
            };
            if info {
                if ty == 18 {
                    o.isrc = be32(d, up + 8).unwrap_or(0);
                }
            } else {
                o.isrc = be32(d, up + 8 + 12).unwrap_or(0);
                o.idst = be32(d, up + 8 + 16).unwrap_or(0);
                o.gateway = be32(d, up + 4).unwrap_or(0);
            }
            self.table.get_mut(i).net = Net::Icmp(o);
        } else if info {
            let fl = self.table.get_mut(i);
            let empty = !fl.has_packets();
            if let Net::Icmp(o) = &mut fl.net {
                if empty {
                    o.icmp_type = ty;
                }
                if matches!(ty, 8 | 15 | 13 | 17) {
                    o.icmp_type = ty;
                }
            }
            if matches!(ty, 8 | 15 | 13 | 17) {
                *state = START;
            } else {
                ctx.in_protocol = true;
            }
        }
        if !info {
            // An error: attach it to the flow the quoted packet belongs to.
            let oip = up + 8;
            let inner = Frame { net: NetKind::Ipv4, net_off: oip, ..*f };
            let Some(t) = key::create(&inner) else { return };
            ctx.up = t.up;
            ctx.len = t.len;
            ctx.fragment = t.is_fragment();
            let Some(j) = self.table.find(&t.key) else { return };
            let obj = match &self.table.get(i).net {
                Net::Icmp(o) => *o,
                _ => IcmpObject::default(),
            };
            let now = self.now;
            let target = self.table.get_mut(j);
            let mut ev = target.x().and_then(|x| x.icmp).unwrap_or_default();
            match ty {
                3 => ev.qual = 0x01,
                5 => ev.qual = 0x02,
                11 => ev.qual = 0x04,
                _ => {}
            }
            ev.icmp_type = obj.icmp_type;
            ev.icmp_code = obj.icmp_code;
            ev.iseq = obj.seq;
            ev.osrc = obj.osrc;
            ev.odst = obj.odst;
            ev.isrc = obj.isrc;
            ev.idst = obj.idst;
            ev.gateway = obj.gateway;
            target.xm().icmp = Some(ev);
            let tm = &mut target.time;
            if tm.src_start.sec == 0 {
                tm.subtype = 0x01;
                tm.src_start = now;
            } else {
                if !target.time_len5 {
                    tm.subtype = 0x02;
                    target.time_len5 = true;
                }
                target.time.src_end = now;
            }
        }
    }

    fn icmp6_state(&mut self, i: u32, _this: &ThisFlow, f: &Frame<'_>, state: u8) {
        let d = f.data;
        let up = _this.up;
        if d.len() < up + 8 {
            return;
        }
        let (ty, code) = (d[up], d[up + 1]);
        let fl = self.table.get_mut(i);
        if state == START {
            let o = IcmpObject {
                icmp_type: ty,
                icmp_code: code,
                seq: be16(d, up + 2).unwrap_or(0),
                ..IcmpObject::default()
            };
            fl.net = Net::Icmp(o);
        } else if ty & 0x80 != 0 && !fl.has_packets() {
            if let Net::Icmp(o) = &mut fl.net {
                o.icmp_type = ty;
            }
        }
    }

    fn esp_state(&mut self, i: u32, f: &Frame<'_>, state: u8, ctx: &Ctx) {
        let d = f.data;
        let (Some(spi), Some(seq)) = (be32(d, ctx.up), be32(d, ctx.up + 4)) else { return };
        let fl = self.table.get_mut(i);
        if state == START {
            fl.net = Net::Esp(Esp { status: 0, spi, lastseq: seq, lostseq: 0 });
            fl.timeout = 30;
            return;
        }
        let Net::Esp(e) = &mut fl.net else { return };
        const SEQFAILURE: u32 = 0x04;
        if e.status & SEQFAILURE != 0 {
            return;
        }
        let diff = seq.wrapping_sub(e.lastseq) as i32;
        if seq < e.lastseq && diff > 0 {
            e.status |= 0x08; // rollover
        }
        if diff != 1 {
            if diff == 0 || diff.unsigned_abs() > 0x10000 {
                e.status |= SEQFAILURE;
                if diff != 0 {
                    e.lastseq = seq;
                }
            } else if diff > 0 {
                e.status |= 0x10; // packets dropped
                e.lostseq = e.lostseq.wrapping_add((diff - 1) as u32);
                e.lastseq = seq;
            } else {
                e.lostseq = e.lostseq.wrapping_sub(1);
                e.status |= 0x10000; // out of order
            }
        } else {
            e.lastseq = seq;
        }
    }

    fn arp_state(&mut self, i: u32, f: &Frame<'_>, ctx: &mut Ctx) {
        if f.ether.is_none() {
            return;
        }
        let a = f.after_ether;
        let d = f.data;
        if d.len() < a + 28 {
            return;
        }
        ctx.len -= 28;
        ctx.up = a + 28;
        if be16(d, a + 6) == Some(2) {
            let mut mac = [0u8; 6];
            mac.copy_from_slice(&d[a + 8..a + 14]);
            self.table.get_mut(i).net = Net::Arp(mac);
        }
    }
}

/// IP attributes of one packet.
#[derive(Clone, Copy)]
pub(super) struct AttrDir4 {
    pub ttl: u8,
    pub tos: u8,
    pub ipid: u16,
    pub options: u32,
}
