//! The NETWORK DSR (0x30): TCP (PERF, INIT, STATUS), ICMP, ESP and ARP
//! objects; everything else is kept as bytes in [`Network::Other`].
//! The ICMP object is host order (LE) on the wire, an argus 3.0.8.2 quirk.

use super::bytes::{be16_at, be32_at, Rd, Wr};
use crate::record::flow::BufferPool;
use crate::record::*;

fn tcp_dir_at(b: &[u8; 116], o: usize) -> TcpDir {
    TcpDir {
        lasttime: Timeval::new(be32_at(b, o), be32_at(b, o + 4)),
        status: be32_at(b, o + 8),
        seqbase: be32_at(b, o + 12),
        seq: be32_at(b, o + 16),
        ack: be32_at(b, o + 20),
        winnum: be32_at(b, o + 24),
        bytes: be32_at(b, o + 28),
        retrans: be32_at(b, o + 32),
        ackbytes: be32_at(b, o + 36),
        winbytes: be32_at(b, o + 40),
        win: be16_at(b, o + 44),
        flags: b[o + 46],
        winshift: b[o + 47],
    }
}

#[inline(always)]
fn tcp_perf(b: &[u8; 116]) -> TcpPerf {
    TcpPerf {
        status: be32_at(b, 0),
        state: be32_at(b, 4),
        options: be32_at(b, 8),
        syn_ack_usecs: be32_at(b, 12),
        ack_dat_usecs: be32_at(b, 16),
        src: tcp_dir_at(b, 20),
        dst: tcp_dir_at(b, 68),
    }
}

fn put_tcp_dir(w: &mut Wr, d: &TcpDir) {
    w.be32(d.lasttime.sec).be32(d.lasttime.usec).be32(d.status).be32(d.seqbase);
    w.be32(d.seq).be32(d.ack).be32(d.winnum).be32(d.bytes).be32(d.retrans);
    w.be32(d.ackbytes).be32(d.winbytes).be16(d.win).u8(d.flags).u8(d.winshift);
}

fn typed(subtype: u8, body: &[u8]) -> Option<Network> {
    let mut r = Rd::new(body);
    let n = match (subtype, body.len()) {
        (network_subtype::EMPTY, 0) => Network::Empty,
        (network_subtype::TCP_PERF, 116) => Network::Tcp(tcp_perf(body.try_into().ok()?)),
        (network_subtype::TCP_INIT, 16) => Network::TcpInit(TcpInit {
            status: r.be32()?,
            seqbase: r.be32()?,
            options: r.be32()?,
            win: r.be16()?,
            flags: r.u8()?,
            winshift: r.u8()?,
        }),
        (network_subtype::TCP_STATUS, 8) => Network::TcpStatus(TcpStatus {
            status: r.be32()?,
            src_flags: r.u8()?,
            dst_flags: r.u8()?,
            pad: r.array()?,
        }),
        (network_subtype::ICMP, 24) => Network::Icmp(IcmpObject {
            icmp_type: r.u8()?,
            icmp_code: r.u8()?,
            seq: r.le16()?,
            osrc: r.le32()?,
            odst: r.le32()?,
            isrc: r.le32()?,
            idst: r.le32()?,
            gateway: r.le32()?,
        }),
        (network_subtype::ESP, 16) => Network::Esp(EspObject {
            status: r.be32()?,
            spi: r.be32()?,
            last_seq: r.be32()?,
            lost_seq: r.be32()?,
        }),
        (network_subtype::ARP, n) if n >= 8 => {
            let responder = r.array()?;
            // Only the MAC is meaningful; the rest must be zero to be
            // reproduced from the model.
            if r.remaining().iter().any(|b| *b != 0) {
                return None;
            }
            Network::Arp { responder, len: (1 + n / 4) as u8 }
        }
        _ => return None,
    };
    Some(n)
}

/// Decodes a NETWORK DSR. Objects with an unexpected length or a non-zero
/// qualifier become [`Network::Other`], whose bytes come back exactly.
#[inline(always)]
pub(crate) fn decode(subtype: u8, qual: u8, body: &[u8], pool: &mut BufferPool) -> Network {
    // The TCP object of most records, built where the caller puts it.
    if let (0, network_subtype::TCP_PERF, Ok(b)) = (qual, subtype, <&[u8; 116]>::try_from(body)) {
        return Network::Tcp(tcp_perf(b));
    }
    decode_other(subtype, qual, body, pool)
}

/// [`decode`] of the objects other than a TCP PERF object.
#[inline(never)]
fn decode_other(subtype: u8, qual: u8, body: &[u8], pool: &mut BufferPool) -> Network {
    if qual == 0 {
        if let Some(n) = typed(subtype, body) {
            return n;
        }
    }
    let mut v = pool.take();
    v.extend_from_slice(body);
    Network::Other { subtype, qual, body: v }
}

pub(crate) fn encode(n: &Network, out: &mut Vec<u8>) {
    let start = out.len();
    let mut w = Wr(out);
    let (subtype, qual) = match n {
        Network::Empty => (network_subtype::EMPTY, 0),
        Network::TcpInit(_) => (network_subtype::TCP_INIT, 0),
        Network::TcpStatus(_) => (network_subtype::TCP_STATUS, 0),
        Network::Tcp(_) => (network_subtype::TCP_PERF, 0),
        Network::Icmp(_) => (network_subtype::ICMP, 0),
        Network::Esp(_) => (network_subtype::ESP, 0),
        Network::Arp { .. } => (network_subtype::ARP, 0),
        Network::Other { subtype, qual, .. } => (*subtype, *qual),
    };
    w.u8(dsr_type::NETWORK).u8(subtype).u8(qual).u8(0);
    match n {
        Network::Empty => {}
        Network::Tcp(t) => {
            w.be32(t.status).be32(t.state).be32(t.options);
            w.be32(t.syn_ack_usecs).be32(t.ack_dat_usecs);
            put_tcp_dir(&mut w, &t.src);
            put_tcp_dir(&mut w, &t.dst);
        }
        Network::TcpInit(t) => {
            w.be32(t.status).be32(t.seqbase).be32(t.options);
            w.be16(t.win).u8(t.flags).u8(t.winshift);
        }
        Network::TcpStatus(t) => {
            w.be32(t.status).u8(t.src_flags).u8(t.dst_flags).bytes(&t.pad);
        }
        Network::Icmp(i) => {
            w.u8(i.icmp_type).u8(i.icmp_code).le16(i.seq);
            w.le32(i.osrc).le32(i.odst).le32(i.isrc).le32(i.idst).le32(i.gateway);
        }
        Network::Esp(e) => {
            w.be32(e.status).be32(e.spi).be32(e.last_seq).be32(e.lost_seq);
        }
        Network::Arp { responder, len } => {
            w.bytes(responder).be16(0);
            let total = usize::from((*len).max(3)) * 4;
            while w.0.len() - start < total {
                w.u8(0);
            }
        }
        Network::Other { body, .. } => {
            w.bytes(body);
        }
    }
    w.pad_to_word(start);
    super::dsr::set_len8(out, start);
}
