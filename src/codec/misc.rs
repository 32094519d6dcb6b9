//! The smaller DSRs: TRANSPORT, AGR, VLAN, MPLS, JITTER, IPATTR, DATA
//! (user data), MAC, ICMP event and ENCAPS. Each decoder returns
//! [`Dec::Exact`] when the encoder will give back the same bytes, or
//! [`Dec::Lossy`] with what `ra` would read when the stored form has more
//! (or less) than the model keeps.

use super::bytes::{Rd, Wr};
use super::dsr::{set_len8, Dec};
use crate::record::flow::BufferPool;
use crate::record::*;

fn exact_if<T>(ok: bool, v: T) -> Dec<T> {
    if ok {
        Dec::Exact(v)
    } else {
        Dec::Lossy(v)
    }
}

// ---- TRANSPORT (0x01): srcid at +0, seq at +4 ---------------------------

pub(crate) fn decode_transport(subtype: u8, qual: u8, body: &[u8]) -> Dec<Transport> {
    let mut r = Rd::new(body);
    let srcid = r.array().unwrap_or([0; 4]);
    let seq = r.be32().unwrap_or(0);
    let t = Transport { subtype, srcid_kind: qual, srcid, seq, len: (1 + body.len() / 4) as u8 };
    exact_if(matches!(body.len(), 0 | 4 | 8), t)
}

pub(crate) fn encode_transport(t: &Transport, out: &mut Vec<u8>) {
    let start = out.len();
    let mut w = Wr(out);
    w.u8(dsr_type::TRANSPORT).u8(t.subtype).u8(t.srcid_kind).u8(0);
    if t.len >= 2 {
        w.bytes(&t.srcid);
    }
    if t.len >= 3 {
        w.be32(t.seq);
    }
    set_len8(out, start);
}

// ---- statistics blocks (AGR: host order LE; JITTER: XDR BE) -------------

fn stat_le(r: &mut Rd) -> Option<StatBlock> {
    Some(StatBlock {
        n: r.le32()? as i32,
        min: f32::from_bits(r.le32()?),
        mean: f32::from_bits(r.le32()?),
        stddev: f32::from_bits(r.le32()?),
        max: f32::from_bits(r.le32()?),
        fdist: r.array()?,
    })
}

fn put_stat_le(w: &mut Wr, s: &StatBlock) {
    w.le32(s.n as u32).le32(s.min.to_bits()).le32(s.mean.to_bits());
    w.le32(s.stddev.to_bits()).le32(s.max.to_bits()).bytes(&s.fdist);
}

fn stat_be(r: &mut Rd) -> Option<StatBlock> {
    Some(StatBlock {
        n: r.be32()? as i32,
        min: f32::from_bits(r.be32()?),
        mean: f32::from_bits(r.be32()?),
        stddev: f32::from_bits(r.be32()?),
        max: f32::from_bits(r.be32()?),
        fdist: [0; 8],
    })
}

fn put_stat_be(w: &mut Wr, s: &StatBlock) {
    w.be32(s.n as u32).be32(s.min.to_bits()).be32(s.mean.to_bits());
    w.be32(s.stddev.to_bits()).be32(s.max.to_bits());
}

// ---- AGR (0x60): count BE, two BE times, two LE stat blocks --------------

pub(crate) fn decode_agr(subtype: u8, qual: u8, body: &[u8]) -> Dec<Agr> {
    let mut r = Rd::new(body);
    let parsed = (|| {
        Some(Agr {
            subtype,
            qual,
            count: r.be32()?,
            last_start: Timeval::new(r.be32()?, r.be32()?),
            last_time: Timeval::new(r.be32()?, r.be32()?),
            act: stat_le(&mut r)?,
            idle: stat_le(&mut r)?,
        })
    })();
    match parsed {
        Some(a) => exact_if(body.len() == 76, a),
        None => Dec::Raw,
    }
}

pub(crate) fn encode_agr(a: &Agr, out: &mut Vec<u8>) {
    let start = out.len();
    let mut w = Wr(out);
    w.u8(dsr_type::AGR).u8(a.subtype).u8(a.qual).u8(0);
    w.be32(a.count).be32(a.last_start.sec).be32(a.last_start.usec);
    w.be32(a.last_time.sec).be32(a.last_time.usec);
    put_stat_le(&mut w, &a.act);
    put_stat_le(&mut w, &a.idle);
    set_len8(out, start);
}

// ---- VLAN (0x40): src TCI, dst TCI ---------------------------------------

pub(crate) fn decode_vlan(subtype: u8, qual: u8, body: &[u8]) -> Dec<Vlan> {
    let mut r = Rd::new(body);
    let v = Vlan { subtype, qual, src_tci: r.be16().unwrap_or(0), dst_tci: r.be16().unwrap_or(0) };
    exact_if(body.len() == 4, v)
}

pub(crate) fn encode_vlan(v: &Vlan, out: &mut Vec<u8>) {
    let start = out.len();
    Wr(out).u8(dsr_type::VLAN).u8(v.subtype).u8(v.qual).u8(0).be16(v.src_tci).be16(v.dst_tci);
    set_len8(out, start);
}

// ---- MPLS (0x44): 0, 1 or 2 label words ----------------------------------

pub(crate) fn decode_mpls(subtype: u8, qual: u8, body: &[u8]) -> Dec<Mpls> {
    let mut r = Rd::new(body);
    let m = Mpls {
        subtype,
        qual,
        src_label: r.be32_or0(),
        dst_label: r.be32_or0(),
        len: (1 + body.len() / 4).min(3) as u8,
    };
    exact_if(body.len() <= 8, m)
}

pub(crate) fn encode_mpls(m: &Mpls, out: &mut Vec<u8>) {
    let start = out.len();
    let mut w = Wr(out);
    w.u8(dsr_type::MPLS).u8(m.subtype).u8(m.qual).u8(0);
    if m.len >= 2 {
        w.be32(m.src_label);
    }
    if m.len >= 3 {
        w.be32(m.dst_label);
    }
    set_len8(out, start);
}

// ---- JITTER (0x46): one XDR block per qualifier bit ----------------------

pub(crate) fn decode_jitter(subtype: u8, qual: u8, body: &[u8]) -> Dec<Jitter> {
    let mut j = Jitter { subtype, qual, ..Jitter::default() };
    let mut r = Rd::new(body);
    let mut blocks = 0;
    for (bit, slot) in [
        (0x01, &mut j.src_act),
        (0x02, &mut j.src_idle),
        (0x04, &mut j.dst_act),
        (0x08, &mut j.dst_idle),
    ] {
        if qual & bit != 0 {
            blocks += 1;
            *slot = stat_be(&mut r).unwrap_or_default();
        }
    }
    // Histogram subtypes carry data after each block that is not modelled.
    exact_if(body.len() == 20 * blocks && subtype & 0x03 == 0, j)
}

pub(crate) fn encode_jitter(j: &Jitter, out: &mut Vec<u8>) {
    let start = out.len();
    let mut w = Wr(out);
    w.u8(dsr_type::JITTER).u8(j.subtype).u8(j.qual).u8(0);
    for (bit, s) in
        [(0x01, &j.src_act), (0x02, &j.src_idle), (0x04, &j.dst_act), (0x08, &j.dst_idle)]
    {
        if j.qual & bit != 0 {
            put_stat_be(&mut w, s);
        }
    }
    set_len8(out, start);
}

// ---- IPATTR (0x48): src attr, src options, dst attr, dst options ---------

#[inline(always)]
pub(crate) fn decode_ipattr(subtype: u8, qual: u8, body: &[u8]) -> Dec<IpAttr> {
    let mut a = IpAttr { subtype, qual, ..IpAttr::default() };
    let mut r = Rd::new(body);
    let mut words = 0;
    let attr = |r: &mut Rd| IpAttrDir {
        ttl: r.u8().unwrap_or(0),
        tos: r.u8().unwrap_or(0),
        ip_id: r.be16().unwrap_or(0),
    };
    if qual & ipattr_qual::SRC != 0 {
        a.src = attr(&mut r);
        words += 1;
    }
    if qual & ipattr_qual::SRC_OPTIONS != 0 {
        a.src_options = r.be32_or0();
        words += 1;
    }
    if qual & ipattr_qual::DST != 0 {
        a.dst = attr(&mut r);
        words += 1;
    }
    if qual & ipattr_qual::DST_OPTIONS != 0 {
        a.dst_options = r.be32_or0();
        words += 1;
    }
    exact_if(body.len() == 4 * words, a)
}

pub(crate) fn encode_ipattr(a: &IpAttr, out: &mut Vec<u8>) {
    let start = out.len();
    let mut w = Wr(out);
    w.u8(dsr_type::IPATTR).u8(a.subtype).u8(a.qual).u8(0);
    if a.qual & ipattr_qual::SRC != 0 {
        w.u8(a.src.ttl).u8(a.src.tos).be16(a.src.ip_id);
    }
    if a.qual & ipattr_qual::SRC_OPTIONS != 0 {
        w.be32(a.src_options);
    }
    if a.qual & ipattr_qual::DST != 0 {
        w.u8(a.dst.ttl).u8(a.dst.tos).be16(a.dst.ip_id);
    }
    if a.qual & ipattr_qual::DST_OPTIONS != 0 {
        w.be32(a.dst_options);
    }
    set_len8(out, start);
}

// ---- DATA (0x50, 16-bit length): size u16, count u16, data, zero pad -----

/// Decodes a 16-bit-length DATA DSR body (after the 4-byte header).
pub(crate) fn decode_data(subtype: u8, body: &[u8], pool: &mut BufferPool) -> Dec<UserData> {
    let mut r = Rd::new(body);
    let (Some(size), Some(count)) = (r.be16(), r.be16()) else {
        return Dec::Raw;
    };
    let rest = r.remaining();
    let n = usize::from(count).min(rest.len());
    let mut data = pool.take();
    data.extend_from_slice(&rest[..n]);
    let exact = usize::from(count) == n
        && rest.len() == n.div_ceil(4) * 4
        && rest[n..].iter().all(|b| *b == 0);
    exact_if(exact, UserData { subtype, size, data })
}

pub(crate) fn encode_data(d: &UserData, out: &mut Vec<u8>) {
    let start = out.len();
    let n = d.data.len().min(usize::from(u16::MAX));
    let mut w = Wr(out);
    w.u8(dsr_type::DATA).u8(d.subtype | data_subtype::LEN_16BITS).be16(0);
    w.be16(d.size).be16(n as u16).bytes(&d.data[..n]);
    w.pad_to_word(start);
    let words = ((out.len() - start) / 4) as u16;
    if let Some(len) = out.get_mut(start + 2..start + 4) {
        len.copy_from_slice(&words.to_be_bytes());
    }
}

// ---- MAC (0x42): dst MAC, src MAC, ether type (LE), dsap, ssap ----------

pub(crate) fn decode_mac(subtype: u8, qual: u8, body: &[u8]) -> Dec<Mac> {
    let mut r = Rd::new(body);
    let parsed = (|| {
        let dst = r.array()?;
        let src = r.array()?;
        Some(Mac { subtype, qual, src, dst, ether_type: r.le16()?, dsap: r.u8()?, ssap: r.u8()? })
    })();
    match parsed {
        Some(m) => exact_if(body.len() == 16, m),
        None => Dec::Raw,
    }
}

pub(crate) fn encode_mac(m: &Mac, out: &mut Vec<u8>) {
    let start = out.len();
    let mut w = Wr(out);
    w.u8(dsr_type::MAC).u8(m.subtype).u8(m.qual).u8(0).bytes(&m.dst).bytes(&m.src);
    w.le16(m.ether_type).u8(m.dsap).u8(m.ssap);
    set_len8(out, start);
}

// ---- ICMP event (0x34): type code iseq, 5 addresses, unused word --------

pub(crate) fn decode_icmp(subtype: u8, qual: u8, body: &[u8]) -> Dec<IcmpEvent> {
    let mut r = Rd::new(body);
    let e = IcmpEvent {
        subtype,
        qual,
        icmp_type: r.u8().unwrap_or(0),
        icmp_code: r.u8().unwrap_or(0),
        iseq: r.be16().unwrap_or(0),
        osrc: r.be32_or0(),
        odst: r.be32_or0(),
        isrc: r.be32_or0(),
        idst: r.be32_or0(),
        gateway: r.be32_or0(),
    };
    let tail_zero = r.remaining().iter().all(|b| *b == 0);
    exact_if(body.len() == 28 && tail_zero, e)
}

pub(crate) fn encode_icmp(e: &IcmpEvent, out: &mut Vec<u8>) {
    let start = out.len();
    let mut w = Wr(out);
    w.u8(dsr_type::ICMP).u8(e.subtype).u8(e.qual).u8(0);
    w.u8(e.icmp_type).u8(e.icmp_code).be16(e.iseq);
    w.be32(e.osrc).be32(e.odst).be32(e.isrc).be32(e.idst).be32(e.gateway).be32(0);
    set_len8(out, start);
}

// ---- ENCAPS (0x20): src bitmap, dst bitmap --------------------------------

pub(crate) fn decode_encaps(subtype: u8, qual: u8, body: &[u8]) -> Dec<Encaps> {
    let mut r = Rd::new(body);
    let e = Encaps { subtype, qual, src: r.be32_or0(), dst: r.be32_or0() };
    exact_if(body.len() == 8, e)
}

pub(crate) fn encode_encaps(e: &Encaps, out: &mut Vec<u8>) {
    let start = out.len();
    Wr(out).u8(dsr_type::ENCAPS).u8(e.subtype).u8(e.qual).u8(0).be32(e.src).be32(e.dst);
    set_len8(out, start);
}
