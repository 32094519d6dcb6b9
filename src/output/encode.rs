//! Argus 3 wire form of the records the flow engine builds, laid out as
//! argus 3.0.8.2 writes them (DSR order, header bytes, counter widths, its
//! host-order fields).
//!
//! Interim: the team's codec (`crate::codec`) owns the general record
//! encoder; this module covers what `argus` emits until the codec's encoder
//! lands, and is then to be replaced by it.

use crate::record::mar::MAR_LEN;
use crate::record::*;

fn push_u16(o: &mut Vec<u8>, v: u16) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn push_u32(o: &mut Vec<u8>, v: u32) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn hdr(o: &mut Vec<u8>, t: u8, st: u8, q: u8, len: u8) {
    o.extend_from_slice(&[t, st, q, len]);
}

/// Appends the wire form of `rec` to `out`.
pub fn encode(rec: &Record, out: &mut Vec<u8>) {
    match rec {
        Record::Mar(m) => encode_mar(m, out),
        Record::Flow(f) => encode_flow(f, out),
    }
}

/// The 128-byte management record.
pub fn encode_mar(m: &Mar, o: &mut Vec<u8>) {
    let h = &m.header;
    o.push(h.class.nibble() << 4 | (h.version & 0xf));
    o.push(h.cause << 4 | (h.option & 0xf));
    push_u16(o, (MAR_LEN / 4) as u16);
    for v in [
        m.status,
        m.argusid,
        m.localnet,
        m.netmask,
        m.next_seq,
        m.start.sec,
        m.start.usec,
        m.now.sec,
        m.now.usec,
    ] {
        push_u32(o, v);
    }
    o.extend_from_slice(&[m.major_version, m.minor_version, m.interface_type, m.interface_status]);
    push_u16(o, m.report_interval);
    push_u16(o, m.mar_interval);
    o.extend_from_slice(&m.pkts_rcvd.to_be_bytes());
    o.extend_from_slice(&m.bytes_rcvd.to_be_bytes());
    o.extend_from_slice(&m.drift.to_be_bytes());
    for v in [m.records, m.flows, m.dropped, m.queue, m.output, m.clients, m.bufs, m.bytes] {
        push_u32(o, v);
    }
    o.extend_from_slice(&m.suserlen.to_le_bytes());
    o.extend_from_slice(&m.duserlen.to_le_bytes());
    for v in m.pad {
        push_u32(o, v);
    }
    push_u32(o, m.thisid);
    push_u32(o, m.record_len);
}

/// A flow record; DSRs in argus's index order.
pub fn encode_flow(f: &Flow, o: &mut Vec<u8>) {
    let start = o.len();
    let h = &f.header;
    o.push(h.class.nibble() << 4 | (h.version & 0xf));
    o.push(h.cause << 4 | (h.option & 0xf));
    push_u16(o, 0);
    if let Some(t) = &f.transport {
        hdr(o, 0x01, t.subtype, t.srcid_kind, 3);
        o.extend_from_slice(&t.srcid);
        push_u32(o, t.seq);
    }
    if let Some(k) = &f.key {
        key(k, o);
    }
    if let Some(t) = &f.time {
        time(t, o);
    }
    if let Some(m) = &f.metrics {
        metrics(m, o);
    }
    if let Some(n) = &f.network {
        network(n, o);
    }
    if let Some(v) = &f.vlan {
        hdr(o, 0x40, 0, v.qual, 2);
        push_u16(o, v.src_tci);
        push_u16(o, v.dst_tci);
    }
    if let Some(m) = &f.mpls {
        hdr(o, 0x44, m.subtype, m.qual, (1 + m.src_labels.len() + m.dst_labels.len()) as u8);
        for l in m.src_labels.iter().chain(&m.dst_labels) {
            push_u32(o, *l);
        }
    }
    if let Some(j) = &f.jitter {
        let blocks = [(0x01, j.src_act), (0x02, j.src_idle), (0x04, j.dst_act), (0x08, j.dst_idle)];
        let n = blocks.iter().filter(|(b, _)| j.qual & b != 0).count();
        hdr(o, 0x46, j.subtype, j.qual, (1 + 5 * n) as u8);
        for (b, s) in blocks {
            if j.qual & b != 0 {
                push_u32(o, s.n as u32);
                for v in [s.min, s.mean, s.stddev, s.max] {
                    push_u32(o, v.to_bits());
                }
            }
        }
    }
    if let Some(a) = &f.ipattr {
        let n = [0x01, 0x04, 0x02, 0x08].iter().filter(|b| a.qual & **b != 0).count();
        hdr(o, 0x48, 0, a.qual, (1 + n) as u8);
        if a.qual & 0x01 != 0 {
            o.extend_from_slice(&[a.src.ttl, a.src.tos]);
            push_u16(o, a.src.ip_id);
        }
        if a.qual & 0x04 != 0 {
            push_u32(o, a.src_options);
        }
        if a.qual & 0x02 != 0 {
            o.extend_from_slice(&[a.dst.ttl, a.dst.tos]);
            push_u16(o, a.dst.ip_id);
        }
        if a.qual & 0x08 != 0 {
            push_u32(o, a.dst_options);
        }
    }
    if let Some(p) = &f.psize {
        let both = p.qual == 0x02;
        hdr(o, 0x12, 0, p.qual, if both { 3 } else { 2 });
        let vals: Vec<u16> = match p.qual {
            0x02 => vec![p.src.min, p.src.max, p.dst.min, p.dst.max],
            0x06 => vec![p.src.min, p.src.max],
            _ => vec![p.dst.min, p.dst.max],
        };
        for v in vals {
            push_u16(o, v);
        }
    }
    for d in [&f.src_data, &f.dst_data].into_iter().flatten() {
        let words = 2 + d.data.len().div_ceil(4);
        o.extend_from_slice(&[0x50, d.subtype]);
        push_u16(o, words as u16);
        push_u16(o, d.size);
        push_u16(o, d.data.len() as u16);
        o.extend_from_slice(&d.data);
        while !(o.len() - start).is_multiple_of(4) {
            o.push(0);
        }
    }
    if let Some(m) = &f.mac {
        hdr(o, 0x42, 0, m.qual, 5);
        o.extend_from_slice(&m.dst);
        o.extend_from_slice(&m.src);
        o.extend_from_slice(&m.ether_type.to_le_bytes());
        o.extend_from_slice(&[m.dsap, m.ssap]);
    }
    if let Some(i) = &f.icmp {
        hdr(o, 0x34, 0, i.qual, i.len.max(8));
        o.extend_from_slice(&[i.icmp_type, i.icmp_code]);
        push_u16(o, i.iseq);
        for v in [i.osrc, i.odst, i.isrc, i.idst, i.gateway] {
            push_u32(o, v);
        }
        for _ in 7..i.len.max(8) {
            push_u32(o, 0);
        }
    }
    if let Some(e) = &f.encaps {
        hdr(o, 0x20, 0, 0, 3);
        push_u32(o, e.src);
        push_u32(o, e.dst);
    }
    for r in &f.raw {
        o.extend_from_slice(&r.bytes);
    }
    let words = ((o.len() - start) / 4) as u16;
    o[start + 2..start + 4].copy_from_slice(&words.to_be_bytes());
}

fn key(k: &FlowKey, o: &mut Vec<u8>) {
    let sub = k.kind | if k.reversed { key_kind::REVERSE } else { 0 };
    match &k.addrs {
        KeyAddrs::Ipv4(a) => {
            let mut a = *a;
            if k.reversed {
                unreverse_ipv4(&mut a, k.qual);
            }
            hdr(o, 0x02, sub, k.qual, 5);
            push_u32(o, a.src);
            push_u32(o, a.dst);
            o.extend_from_slice(&[a.proto, a.tp_p]);
            o.extend_from_slice(&a.l4);
        }
        KeyAddrs::Ipv6(a) => {
            let mut a = *a;
            if k.reversed {
                unreverse_ipv6(&mut a, k.qual);
            }
            hdr(o, 0x02, sub, k.qual, 11);
            o.extend_from_slice(&a.src.to_be_bytes());
            o.extend_from_slice(&a.dst.to_be_bytes());
            push_u32(o, a.flow_word);
            o.extend_from_slice(&a.l4);
        }
        KeyAddrs::Ether(e) => {
            let mut e = *e;
            if k.reversed {
                std::mem::swap(&mut e.src, &mut e.dst);
                std::mem::swap(&mut e.dsap, &mut e.ssap);
            }
            hdr(o, 0x02, sub, k.qual, 5);
            o.extend_from_slice(&e.dst);
            o.extend_from_slice(&e.src);
            push_u16(o, e.ether_type);
            o.extend_from_slice(&[e.dsap, e.ssap]);
        }
        KeyAddrs::Arp(a) => {
            hdr(o, 0x02, sub, k.qual, 6);
            push_u16(o, a.hrd);
            push_u16(o, a.pro);
            o.extend_from_slice(&[a.hln, a.pln]);
            push_u16(o, a.op);
            push_u32(o, a.spa);
            push_u32(o, a.tpa);
            o.extend_from_slice(&a.haddr);
        }
        KeyAddrs::Other { bytes, len } => {
            let n = usize::from(*len).min(48) / 4 * 4;
            hdr(o, 0x02, sub, k.qual, (1 + n / 4) as u8);
            o.extend_from_slice(&bytes[..n]);
        }
    }
}

fn time(t: &Time, o: &mut Vec<u8>) {
    let tv = |o: &mut Vec<u8>, v: Timeval| {
        push_u32(o, v.sec);
        push_u32(o, v.usec);
    };
    if t.subtype & 0x78 != 0 {
        hdr(o, 0x03, t.subtype, t.qual, t.len);
        for (bit, v) in
            [(0x08, t.src.start), (0x10, t.src.end), (0x20, t.dst.start), (0x40, t.dst.end)]
        {
            if t.subtype & bit != 0 {
                tv(o, v);
            }
        }
    } else {
        hdr(o, 0x03, t.subtype, t.qual, t.len);
        tv(o, t.src.start);
        if t.len >= 5 {
            tv(o, t.src.end);
        }
    }
}

fn metrics(m: &Metrics, o: &mut Vec<u8>) {
    let app = m.subtype & 0x04 != 0;
    let (s, d) = (m.src, m.dst);
    let mut vals: Vec<u64> = Vec::new();
    let side = |v: &mut Vec<u64>, x: DirMetrics| {
        v.push(x.pkts);
        v.push(x.bytes);
        if app {
            v.push(x.appbytes);
        }
    };
    let width = match m.qual {
        0x01 | 0x05 | 0x09 => 1,
        0x02 | 0x06 | 0x0a => 2,
        0x03 | 0x07 | 0x0b => 4,
        _ => 8,
    };
    match m.qual {
        0x01..=0x04 => {
            side(&mut vals, s);
            side(&mut vals, d);
        }
        0x05..=0x08 => side(&mut vals, s),
        _ => side(&mut vals, d),
    }
    let body = vals.len() * width;
    let words = body.div_ceil(4);
    hdr(o, 0x10, m.subtype, m.qual, (1 + words) as u8);
    let at = o.len();
    for v in vals {
        match width {
            1 => o.push(v as u8),
            2 => push_u16(o, v as u16),
            4 => push_u32(o, v as u32),
            _ => o.extend_from_slice(&v.to_be_bytes()),
        }
    }
    o.resize(at + words * 4, 0);
}

fn network(n: &Network, o: &mut Vec<u8>) {
    match n {
        Network::Empty => hdr(o, 0x30, 0, 0, 1),
        Network::TcpInit(t) => {
            hdr(o, 0x30, 0x03, 0, 5);
            push_u32(o, t.status);
            push_u32(o, t.seqbase);
            push_u32(o, t.options);
            push_u16(o, t.win);
            o.extend_from_slice(&[t.flags, t.winshift]);
        }
        Network::TcpStatus(t) => {
            hdr(o, 0x30, 0x04, 0, 3);
            push_u32(o, t.status);
            o.extend_from_slice(&[t.src_flags, t.dst_flags, t.pad[0], t.pad[1]]);
        }
        Network::Tcp(t) => {
            hdr(o, 0x30, 0x05, 0, 30);
            for v in [t.status, t.state, t.options, t.syn_ack_usecs, t.ack_dat_usecs] {
                push_u32(o, v);
            }
            for d in [&t.src, &t.dst] {
                for v in [
                    d.lasttime.sec,
                    d.lasttime.usec,
                    d.status,
                    d.seqbase,
                    d.seq,
                    d.ack,
                    d.winnum,
                    d.bytes,
                    d.retrans,
                    d.ackbytes,
                    d.winbytes,
                ] {
                    push_u32(o, v);
                }
                push_u16(o, d.win);
                o.extend_from_slice(&[d.flags, d.winshift]);
            }
        }
        Network::Icmp(i) => {
            hdr(o, 0x30, 0x34, 0, 7);
            o.extend_from_slice(&[i.icmp_type, i.icmp_code]);
            o.extend_from_slice(&i.seq.to_le_bytes());
            for v in [i.osrc, i.odst, i.isrc, i.idst, i.gateway] {
                o.extend_from_slice(&v.to_le_bytes());
            }
        }
        Network::Esp(e) => {
            hdr(o, 0x30, 0x38, 0, 5);
            for v in [e.status, e.spi, e.last_seq, e.lost_seq] {
                push_u32(o, v);
            }
        }
        Network::Arp { responder, len } => {
            let len = (*len).max(3);
            hdr(o, 0x30, 0x10, 0, len);
            let at = o.len();
            o.extend_from_slice(responder);
            o.resize(at + (usize::from(len) - 1) * 4, 0);
        }
        Network::Other { subtype, qual, body } => {
            let words = body.len().div_ceil(4);
            hdr(o, 0x30, *subtype, *qual, (1 + words) as u8);
            let at = o.len();
            o.extend_from_slice(body);
            o.resize(at + words * 4, 0);
        }
    }
}
