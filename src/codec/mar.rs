//! Management records (MARs): the 128-byte layout of argus-format.md §1.3.
//! Every field is BE except suserlen/duserlen (LE, an argus 3.0.8.2 quirk).
//! Records of another length are read through a zero-filled 128-byte image
//! and written back at their own length (see [`Mar`]).

use super::bytes::{Rd, Wr};
use super::flow::{header_bytes, header_of};
use super::DecodeError;
use crate::record::*;

/// Decodes a MAR from `bytes` (header included). `bytes` may be longer
/// than the header's length field says: an initial MAR is always read as
/// 128 bytes.
pub fn decode_mar(bytes: &[u8]) -> Result<Mar, DecodeError> {
    let hdr: [u8; 4] = bytes.get(..4).and_then(|h| h.try_into().ok()).ok_or(DecodeError::Short)?;
    let mut image = [0u8; MAR_LEN];
    let n = bytes.len().min(MAR_LEN);
    image[..n].copy_from_slice(&bytes[..n]);
    let mut r = Rd::new(&image[4..]);
    // The image is exactly 128 bytes, so every read below succeeds.
    let mut f = || r.be32().unwrap_or(0);
    let status = f();
    let argusid = f();
    let localnet = f();
    let netmask = f();
    let next_seq = f();
    let start = Timeval::new(f(), f());
    let now = Timeval::new(f(), f());
    let mut r = Rd::new(&image[40..]);
    let major_version = r.u8().unwrap_or(0);
    let minor_version = r.u8().unwrap_or(0);
    let interface_type = r.u8().unwrap_or(0);
    let interface_status = r.u8().unwrap_or(0);
    let report_interval = r.be16().unwrap_or(0);
    let mar_interval = r.be16().unwrap_or(0);
    let pkts_rcvd = r.be64().unwrap_or(0);
    let bytes_rcvd = r.be64().unwrap_or(0);
    let drift = r.be64().unwrap_or(0) as i64;
    let mut g = || r.be32().unwrap_or(0);
    let (records, flows, dropped, queue) = (g(), g(), g(), g());
    let (output, clients, bufs, bytes_) = (g(), g(), g(), g());
    let suserlen = r.le16().unwrap_or(0);
    let duserlen = r.le16().unwrap_or(0);
    let pad = [r.be32_or0(), r.be32_or0(), r.be32_or0()];
    let thisid = r.be32_or0();
    let record_len = r.be32_or0();
    Ok(Mar {
        header: header_of([hdr[0], hdr[1]]),
        status,
        argusid,
        localnet,
        netmask,
        next_seq,
        start,
        now,
        major_version,
        minor_version,
        interface_type,
        interface_status,
        report_interval,
        mar_interval,
        pkts_rcvd,
        bytes_rcvd,
        drift,
        records,
        flows,
        dropped,
        queue,
        output,
        clients,
        bufs,
        bytes: bytes_,
        suserlen,
        duserlen,
        pad,
        thisid,
        record_len,
        hdr_len: u16::from_be_bytes([hdr[2], hdr[3]]),
        size: bytes.len() as u32,
        extra: bytes.get(MAR_LEN..).unwrap_or(&[]).to_vec(),
    })
}

/// Appends the MAR to `out`: `size` bytes (see [`Mar`]) with the stored
/// length field.
pub fn encode_mar(m: &Mar, out: &mut Vec<u8>) {
    let mut image = Vec::with_capacity(MAR_LEN);
    let h = header_bytes(&m.header);
    let mut w = Wr(&mut image);
    w.u8(h[0]).u8(h[1]).be16(m.hdr_len);
    w.be32(m.status).be32(m.argusid).be32(m.localnet).be32(m.netmask).be32(m.next_seq);
    w.be32(m.start.sec).be32(m.start.usec).be32(m.now.sec).be32(m.now.usec);
    w.u8(m.major_version).u8(m.minor_version).u8(m.interface_type).u8(m.interface_status);
    w.be16(m.report_interval).be16(m.mar_interval);
    w.be64(m.pkts_rcvd).be64(m.bytes_rcvd).be64(m.drift as u64);
    for v in [m.records, m.flows, m.dropped, m.queue, m.output, m.clients, m.bufs, m.bytes] {
        w.be32(v);
    }
    w.le16(m.suserlen).le16(m.duserlen);
    for v in m.pad {
        w.be32(v);
    }
    w.be32(m.thisid).be32(m.record_len);
    let size = m.size as usize;
    if size <= MAR_LEN {
        out.extend_from_slice(&image[..size.max(4)]);
    } else {
        out.extend_from_slice(&image);
        let more = size - MAR_LEN;
        let n = m.extra.len().min(more);
        out.extend_from_slice(&m.extra[..n]);
        out.resize(out.len() + (more - n), 0);
    }
}
