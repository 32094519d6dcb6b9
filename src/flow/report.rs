//! Turning a flow into the record argus writes for it
//! (`ArgusGenerateListRecord` + `ArgusGenerateRecord`): DSR selection,
//! narrowest counter widths, the TIME DSR form, TCP status folding.

use super::key::{
    QUAL_ARP, QUAL_ETHER, QUAL_FRAGMENT, QUAL_IPV4, QUAL_IPV6, QUAL_RARP, QUAL_WLAN, SUB_REVERSE,
};
use super::state::{FlowState, Net, TimeStat, RECORD_WRITTEN};
use super::tcp;
use super::{Engine, SourceId};
use crate::record::{
    cause, ArpKey, DirMetrics, Encaps, EspObject, EtherKey, Flow, FlowKey, IpAttr, IpAttrDir,
    Ipv4Key, Ipv6Key, Jitter, KeyAddrs, Mac, Metrics, Mpls, Network, PacketSize, PacketSizeDir,
    Record, RecordClass, RecordHeader, StatBlock, TcpInit, TcpPerf, TcpStatus, Time, TimeRange,
    Timeval, Transport, UserData, Vlan,
};

impl Engine {
    /// `ArgusSendFlowRecord`: reports slot `i` with `cause` (the high nibble
    /// of the record's cause byte) if it saw packets since its last report.
    pub(super) fn send(&mut self, i: u32, cause_bits: u8) {
        let frags = self.table.get(i).frags();
        for c in frags {
            self.update_parent(c);
        }
        if !self.table.get(i).has_packets() {
            return;
        }
        {
            let fl = self.table.get_mut(i);
            if fl.seq == 0 {
                fl.seq = self.seq;
                self.seq = self.seq.wrapping_add(1);
                if fl.seq == u32::MAX {
                    fl.seq = self.seq;
                    self.seq = self.seq.wrapping_add(1);
                }
            }
        }
        let fl = self.table.get(i);
        let rec = build(&self.cfg, self.srcid_of(fl.srcint), fl, cause_bits);
        let fl = self.table.get_mut(i);
        // The user data buffers go with the record.
        if let Some(x) = &mut fl.x {
            x.user = [None, None];
        }
        fl.status |= RECORD_WRITTEN;
        self.stats.records += 1;
        let rec = Record::Flow(Box::new(rec));
        match &mut self.sink {
            Some(sink) => sink(rec),
            None => self.out.push(rec),
        }
    }
}

fn build(cfg: &super::Config, srcid: SourceId, fl: &FlowState, cause_bits: u8) -> Flow {
    let mut r =
        Flow { header: RecordHeader::new(RecordClass::Flow, cause_bits >> 4), ..Flow::default() };
    r.header.cause = cause_bits >> 4;
    let _ = cause::START;
    r.transport = Some(Transport {
        subtype: 0x03,
        srcid_kind: srcid.kind,
        srcid: srcid.bytes,
        seq: fl.seq,
        len: 3,
    });
    r.key = Some(key_of(fl));
    r.time = Some(time_of(cfg, fl));
    r.metrics = Some(metrics_of(cfg, fl));
    r.network = network_of(fl);
    let x = fl.x();
    if let Some(v) = x.and_then(|x| x.vlan) {
        r.vlan = Some(Vlan { subtype: 0, qual: v.qual, src_tci: v.src, dst_tci: v.dst });
    }
    if let Some(m) = x.and_then(|x| x.mpls) {
        // argus writes the labels present, source first; the model keeps
        // the stored words in order (as ra reads them back).
        let mut sub = 0;
        let mut words = Vec::with_capacity(2);
        if m.qual >> 4 > 0 {
            sub |= 1;
            words.push(m.src);
        }
        if m.qual & 0x0f > 0 {
            sub |= 2;
            words.push(m.dst);
        }
        let len = 1 + words.len() as u8;
        let first = words.first().copied().unwrap_or(0);
        let second = words.get(1).copied().unwrap_or(0);
        r.mpls =
            Some(Mpls { subtype: sub, qual: m.qual, src_label: first, dst_label: second, len });
    }
    if x.is_some_and(|x| x.jitter) {
        r.jitter = jitter_of(fl);
    }
    if let Some(a) = fl.attr {
        let d = |x: super::state::AttrDir| IpAttrDir { ttl: x.ttl, tos: x.tos, ip_id: x.ip_id };
        r.ipattr = Some(IpAttr {
            subtype: 0,
            qual: a.qual,
            src: d(a.src),
            dst: d(a.dst),
            src_options: a.src.options,
            dst_options: a.dst.options,
        });
    }
    if let Some(p) = x.and_then(|x| x.psize) {
        let qual = match (p.src_max > 0, p.dst_max > 0) {
            (true, true) => Some(0x02),
            (true, false) => Some(0x06),
            (false, true) => Some(0x0a),
            _ => None,
        };
        if let Some(qual) = qual {
            r.psize = Some(PacketSize {
                subtype: 0,
                qual,
                src: PacketSizeDir { min: p.src_min, max: p.src_max },
                dst: PacketSizeDir { min: p.dst_min, max: p.dst_max },
            });
        }
    }
    for (n, u) in x.map(|x| &x.user[..]).unwrap_or(&[]).iter().enumerate() {
        if let Some(u) = u {
            let d = UserData {
                subtype: if n == 0 { 0x90 } else { 0xa0 },
                size: u.size,
                data: u.data.clone(),
            };
            if n == 0 {
                r.src_data = Some(d);
            } else {
                r.dst_data = Some(d);
            }
        }
    }
    if let Some(m) = x.and_then(|x| x.mac) {
        r.mac = Some(Mac {
            subtype: 0,
            qual: m.qual,
            src: m.src,
            dst: m.dst,
            ether_type: m.ether_type,
            dsap: 0,
            ssap: 0,
        });
    }
    r.icmp = x.and_then(|x| x.icmp);
    let (q, s, d) = fl.encaps.unwrap_or((0, 0, 0));
    r.encaps = Some(Encaps { subtype: 0, qual: q, src: s, dst: d });
    r
}

/// The key in originator order (the wire form is swapped back when
/// `reversed`).
fn key_of(fl: &FlowState) -> FlowKey {
    let b = fl.key.bytes;
    let reversed = fl.key_subtype & SUB_REVERSE != 0;
    let kind = fl.key_subtype & 0x3f;
    let fam = fl.key_qual & 0x1f;
    let addrs = match fam {
        QUAL_IPV4 => {
            let mut k = Ipv4Key {
                src: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                dst: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
                proto: b[8],
                tp_p: b[9],
                l4: [b[10], b[11], b[12], b[13], b[14], b[15]],
            };
            // The model holds IP keys in originator order: ra's swap of a
            // REVERSE key (addresses; ports of TCP and UDP non-fragments).
            if reversed {
                std::mem::swap(&mut k.src, &mut k.dst);
                if fl.key_qual & QUAL_FRAGMENT == 0 && matches!(k.proto, 6 | 17) {
                    k.l4.swap(0, 2);
                    k.l4.swap(1, 3);
                }
            }
            KeyAddrs::Ipv4(k)
        }
        QUAL_IPV6 => {
            let mut k = Ipv6Key {
                src: u128::from_be_bytes(b[0..16].try_into().unwrap_or([0; 16])),
                dst: u128::from_be_bytes(b[16..32].try_into().unwrap_or([0; 16])),
                flow_word: u32::from_be_bytes([b[32], b[33], b[34], b[35]]),
                l4: [b[36], b[37], b[38], b[39]],
                masks: None,
            };
            if reversed {
                // ra swaps IPv6 ports of TCP and UDP even in fragment keys.
                std::mem::swap(&mut k.src, &mut k.dst);
                if matches!(k.proto(), 6 | 17) {
                    k.l4.swap(0, 2);
                    k.l4.swap(1, 3);
                }
            }
            KeyAddrs::Ipv6(k)
        }
        QUAL_ETHER => KeyAddrs::Ether(EtherKey {
            dst: b[0..6].try_into().unwrap_or([0; 6]),
            src: b[6..12].try_into().unwrap_or([0; 6]),
            ether_type: u16::from_be_bytes([b[12], b[13]]),
            dsap: b[14],
            ssap: b[15],
        }),
        QUAL_ARP => {
            // argus writes 4 + ceil(hln/4) words, the hardware address cut
            // by the next DSR; a reply-first (REVERSE) key escapes its ARP
            // case and is written whole (13 words).
            let hln = usize::from(b[4]);
            if reversed || hln != 6 {
                let words = if reversed { 12 } else { (3 + hln.div_ceil(4)).min(12) };
                let mut bytes = [0u8; 52];
                bytes.copy_from_slice(&b);
                KeyAddrs::Other { bytes, len: (words * 4) as u8 }
            } else {
                KeyAddrs::Arp(ArpKey {
                    hrd: u16::from_be_bytes([b[0], b[1]]),
                    pro: u16::from_be_bytes([b[2], b[3]]),
                    hln: b[4],
                    pln: b[5],
                    op: u16::from_be_bytes([b[6], b[7]]),
                    spa: u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
                    tpa: u32::from_be_bytes([b[12], b[13], b[14], b[15]]),
                    haddr: [b[16], b[17], b[18], b[19]],
                })
            }
        }
        QUAL_WLAN => KeyAddrs::Other { bytes: b, len: 52 },
        _ => {
            // RARP: hrd..op, tpa, then both hardware addresses of hln bytes.
            let hln = usize::from(b[4]).min(16);
            let mut bytes = [0u8; 52];
            bytes[..12].copy_from_slice(&b[..12]);
            bytes[12..12 + hln].copy_from_slice(&b[12..12 + hln]);
            bytes[12 + hln..12 + 2 * hln].copy_from_slice(&b[28..28 + hln]);
            let len = (12 + (2 * hln).div_ceil(4) * 4) as u8;
            let _ = QUAL_RARP;
            KeyAddrs::Other { bytes, len }
        }
    };
    FlowKey { kind, reversed, qual: fl.key_qual, addrs }
}

fn time_of(cfg: &super::Config, fl: &FlowState) -> Time {
    let t = &fl.time;
    if cfg.bidir_timestamps {
        let mut sub = t.subtype & !0x78;
        let mut n = 0;
        for (bit, v) in
            [(0x08, t.src_start), (0x10, t.src_end), (0x20, t.dst_start), (0x40, t.dst_end)]
        {
            if v.sec != 0 {
                sub |= bit;
                n += 1;
            }
        }
        return Time {
            subtype: sub,
            qual: 0x18,
            len: 1 + 2 * n,
            src: TimeRange { start: t.src_start, end: t.src_end },
            dst: TimeRange { start: t.dst_start, end: t.dst_end },
            nanos: [0; 4],
        };
    }
    // argus's min/max: the minimum compares seconds only (first stamp of
    // the earliest second wins), the maximum compares properly.
    let mut tmin = Timeval::new(0xefff_ffff, 0);
    let mut tmax = Timeval::ZERO;
    for v in [t.src_start, t.src_end, t.dst_start, t.dst_end] {
        if v.sec != 0 {
            if tmax < v {
                tmax = v;
            }
            if tmin.sec > v.sec {
                tmin = v;
            }
        }
    }
    let len = if tmax != tmin { 5 } else { 3 };
    Time {
        subtype: t.subtype,
        qual: 0x18,
        len,
        src: TimeRange { start: tmin, end: if len == 5 { tmax } else { tmin } },
        dst: TimeRange::default(),
        nanos: [0; 4],
    }
}

fn metrics_of(cfg: &super::Config, fl: &FlowState) -> Metrics {
    let (s, d) = (fl.metric[0], fl.metric[1]);
    // argus adds each packet's length as a C int to 64-bit signed
    // counters and compares them signed when it picks the width.
    let (sb, db) = (s.bytes as i64, d.bytes as i64);
    let qual = if s.pkts > 0 && d.pkts > 0 {
        if s.pkts <= 0xff && d.pkts <= 0xff && sb <= 0xff && db <= 0xff {
            0x01
        } else if sb <= 0xffff && db <= 0xffff {
            0x02
        } else if sb <= 0xffff_ffff && db <= 0xffff_ffff {
            0x03
        } else {
            0x04
        }
    } else if s.pkts > 0 {
        if sb <= 0xffff {
            0x06
        } else if sb <= 0xffff_ffff {
            0x07
        } else {
            0x08
        }
    } else if db <= 0xffff {
        0x0a
    } else if db <= 0xffff_ffff {
        0x0b
    } else {
        0x0c
    };
    let app = cfg.appbytes && (s.appbytes > 0 || d.appbytes > 0);
    // argus casts each counter to the width it picked.
    let mask: u64 = match qual {
        0x01 => 0xff,
        0x02 | 0x06 | 0x0a => 0xffff,
        0x03 | 0x07 | 0x0b => 0xffff_ffff,
        _ => u64::MAX,
    };
    let dm = |u: super::state::Uni| DirMetrics {
        pkts: u.pkts & mask,
        bytes: u.bytes & mask,
        appbytes: if app { u.appbytes & mask } else { 0 },
    };
    Metrics { subtype: if app { 0x04 } else { 0x01 }, qual, src: dm(s), dst: dm(d), pad: [0; 3] }
}

fn network_of(fl: &FlowState) -> Option<Network> {
    Some(match &fl.net {
        Net::None => return None,
        Net::Empty => Network::Empty,
        Net::Rtp(o) => {
            let mut body = Vec::with_capacity(36);
            body.extend(o.state.to_be_bytes());
            for h in [&o.src, &o.dst] {
                body.extend([h.b0, h.b1]);
                body.extend(h.seq.to_be_bytes());
                body.extend(h.time.to_be_bytes());
                body.extend(h.ssrc.to_be_bytes());
            }
            for v in [o.sdrop, o.ddrop, 0, 0] {
                body.extend(v.to_be_bytes());
            }
            Network::Other { subtype: 0x0a, qual: o.qual, body }
        }
        Net::Rtcp(o) => {
            let mut body = Vec::with_capacity(20);
            for r in [&o.src, &o.dst] {
                body.extend([r[0], r[1], r[3], r[2], r[7], r[6], r[5], r[4]]);
            }
            body.extend([0u8; 4]);
            Network::Other { subtype: 0x09, qual: 0, body }
        }
        Net::Tcp(0x03, t) => Network::TcpInit(TcpInit {
            status: t.status,
            seqbase: t.src.seqbase,
            options: t.options,
            win: 0,
            flags: t.src.flags,
            winshift: t.src.winshift,
        }),
        Net::Tcp(sub, t) => {
            let mut t: TcpPerf = *t;
            t.status &=
                !(tcp::RESET | tcp::PKTS_RETRANS | tcp::WINDOW_SHUT | tcp::OUTOFORDER | 0xc0000);
            for (side, shift) in [(t.src.status, 0), (t.dst.status, 1)] {
                if side & tcp::RESET != 0 {
                    t.status |= 0x1000 << shift;
                }
                if side & tcp::PKTS_RETRANS != 0 {
                    t.status |= 0x100 << shift;
                }
                if side & tcp::WINDOW_SHUT != 0 {
                    t.status |= 0x400 << shift;
                }
                if side & tcp::OUTOFORDER != 0 {
                    t.status |= 0x10000 << shift;
                }
                if side & 0xc0000 != 0 {
                    t.status |= 0x40000 << shift;
                }
            }
            if *sub == 0x04 {
                Network::TcpStatus(TcpStatus {
                    status: t.status,
                    src_flags: t.src.flags,
                    dst_flags: t.dst.flags,
                    pad: [0; 2],
                })
            } else {
                Network::Tcp(t)
            }
        }
        Net::Icmp(o) => Network::Icmp(*o),
        Net::Esp(e) => Network::Esp(EspObject {
            status: e.status,
            spi: e.spi,
            last_seq: e.lastseq,
            lost_seq: e.lostseq,
        }),
        Net::Arp(m) => Network::Arp { responder: *m, len: 44 },
        Net::Frag(f) => {
            let mut body = Vec::with_capacity(52);
            body.extend(f.fragnum.to_le_bytes());
            body.extend(f.frag_id.to_le_bytes());
            body.extend(0u32.to_le_bytes());
            body.extend(f.bytes.to_le_bytes());
            body.extend(f.totbytes.to_le_bytes());
            body.extend(f.totlen.to_le_bytes());
            body.extend(0u16.to_le_bytes());
            body.extend(f.maxfraglen.to_le_bytes());
            body.extend(0u16.to_le_bytes());
            body.extend([0u8; 16]);
            let (start, end) = f.offsets.first().copied().unwrap_or((0, 0));
            body.extend(start.to_le_bytes());
            body.extend(end.to_le_bytes());
            Network::Other { subtype: 0x45, qual: f.qual, body }
        }
    })
}

fn block(s: &TimeStat) -> StatBlock {
    let mean = s.sum / s.n as f32;
    let var = (s.sumsq / i64::from(s.n)) as f64 - f64::from(mean).powi(2);
    StatBlock {
        n: s.n as i32,
        min: s.min,
        mean,
        stddev: var.sqrt() as f32,
        max: s.max,
        fdist: [0; 8],
    }
}

fn jitter_of(fl: &FlowState) -> Option<Jitter> {
    let x = fl.x()?;
    let (s, d) = (&x.stime, &x.dtime);
    let mut j = Jitter::default();
    if s.act.n > 0 {
        j.qual |= 0x01;
        j.src_act = block(&s.act);
    }
    if s.idle.n > 0 {
        j.qual |= 0x02;
        j.src_idle = block(&s.idle);
    }
    if d.act.n > 0 {
        j.qual |= 0x04;
        j.dst_act = block(&d.act);
    }
    if d.idle.n > 0 {
        j.qual |= 0x08;
        j.dst_idle = block(&d.idle);
    }
    (j.qual != 0).then_some(j)
}
