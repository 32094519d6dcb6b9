//! pcapng block parsing: section headers, interface descriptions (link type,
//! timestamp resolution and offset), enhanced, simple and obsolete packet
//! blocks. Other blocks are skipped.

use super::reader::{rd16, rd32};

/// Per-interface facts needed to read its packets.
#[derive(Clone, Copy, Debug)]
struct Iface {
    linktype: u16,
    snaplen: u32,
    /// Timestamp units per second (10^6 unless if_tsresol says otherwise).
    units: u64,
    /// if_tsoffset, seconds added to every stamp.
    offset: i64,
}

/// State of a pcapng stream: the current section's byte order and
/// interfaces.
#[derive(Debug, Default)]
pub(super) struct Pcapng {
    pub big_endian: bool,
    ifaces: Vec<Iface>,
}

/// A packet found in a block; `data_off` is relative to the block body.
pub(super) struct BlockPacket {
    pub data_off: usize,
    pub caplen: usize,
    pub sec: u32,
    pub usec: u32,
    pub wire_len: u32,
    pub linktype: u16,
}

impl Pcapng {
    pub fn new_section(&mut self, big_endian: bool) {
        self.big_endian = big_endian;
        self.ifaces.clear();
    }

    pub fn first_linktype(&self) -> Option<u16> {
        self.ifaces.first().map(|i| i.linktype)
    }

    /// Handles one block (`body` excludes the type, length and trailer).
    pub fn block(&mut self, btype: u32, body: &[u8]) -> Result<Option<BlockPacket>, String> {
        let be = self.big_endian;
        match btype {
            1 => {
                if body.len() < 8 {
                    return Err("short interface description block".into());
                }
                let mut iface = Iface {
                    linktype: rd16(&body[0..2], be),
                    snaplen: rd32(&body[4..8], be),
                    units: 1_000_000,
                    offset: 0,
                };
                let mut opts = &body[8..];
                while opts.len() >= 4 {
                    let code = rd16(&opts[0..2], be);
                    let len = rd16(&opts[2..4], be) as usize;
                    let padded = (len + 3) & !3;
                    let Some(val) = opts.get(4..4 + len) else { break };
                    match code {
                        0 => break,
                        9 if len >= 1 => {
                            let r = val[0];
                            let exp = u32::from(r & 0x7f);
                            iface.units = if r & 0x80 != 0 {
                                1u64.checked_shl(exp).unwrap_or(0)
                            } else {
                                10u64.checked_pow(exp).unwrap_or(0)
                            };
                            if iface.units == 0 {
                                return Err(format!("unsupported timestamp resolution {r:#x}"));
                            }
                        }
                        14 if len >= 8 => {
                            let hi = rd32(&val[0..4], be) as u64;
                            let lo = rd32(&val[4..8], be) as u64;
                            iface.offset =
                                if be { (hi << 32 | lo) as i64 } else { (lo << 32 | hi) as i64 };
                        }
                        _ => {}
                    }
                    opts = opts.get(4 + padded..).unwrap_or(&[]);
                }
                self.ifaces.push(iface);
                Ok(None)
            }
            6 | 2 => {
                if body.len() < 20 {
                    return Err("short packet block".into());
                }
                let (ifid, drops_skip) = if btype == 6 {
                    (rd32(&body[0..4], be) as usize, 0)
                } else {
                    (rd16(&body[0..2], be) as usize, 0)
                };
                let _ = drops_skip;
                let iface = *self
                    .ifaces
                    .get(ifid)
                    .ok_or_else(|| format!("packet for undescribed interface {ifid}"))?;
                let ts = (rd32(&body[4..8], be) as u64) << 32 | rd32(&body[8..12], be) as u64;
                let caplen = rd32(&body[12..16], be) as usize;
                let wire_len = rd32(&body[16..20], be);
                if caplen > body.len() - 20 {
                    return Err(format!("packet length {caplen} exceeds its block"));
                }
                let (sec, usec) = stamp(ts, iface);
                Ok(Some(BlockPacket {
                    data_off: 20,
                    caplen,
                    sec,
                    usec,
                    wire_len,
                    linktype: iface.linktype,
                }))
            }
            3 => {
                if body.len() < 4 {
                    return Err("short simple packet block".into());
                }
                let iface =
                    *self.ifaces.first().ok_or("simple packet block before any interface")?;
                let wire_len = rd32(&body[0..4], be);
                let mut caplen = (body.len() - 4).min(wire_len as usize);
                if iface.snaplen != 0 {
                    caplen = caplen.min(iface.snaplen as usize);
                }
                Ok(Some(BlockPacket {
                    data_off: 4,
                    caplen,
                    sec: 0,
                    usec: 0,
                    wire_len,
                    linktype: iface.linktype,
                }))
            }
            _ => Ok(None),
        }
    }
}

/// Converts a pcapng timestamp to seconds and microseconds.
fn stamp(ts: u64, iface: Iface) -> (u32, u32) {
    let secs = (ts / iface.units) as i64 + iface.offset;
    let frac = ts % iface.units;
    let usec = (u128::from(frac) * 1_000_000 / u128::from(iface.units)) as u32;
    (secs.clamp(0, u32::MAX as i64) as u32, usec)
}

#[cfg(test)]
mod tests {
    use crate::capture::CaptureFile;

    fn block(t: u32, body: &[u8]) -> Vec<u8> {
        let mut b = body.to_vec();
        while !b.len().is_multiple_of(4) {
            b.push(0);
        }
        let len = (b.len() + 12) as u32;
        let mut out = t.to_le_bytes().to_vec();
        out.extend(len.to_le_bytes());
        out.extend(b);
        out.extend(len.to_le_bytes());
        out
    }

    #[test]
    fn pcapng_interfaces_resolution_and_packets() {
        let mut f = block(
            0x0a0d_0d0a,
            &[0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        );
        // Interface 0: Ethernet, default microseconds.
        f.extend(block(1, &[1, 0, 0, 0, 0, 0, 4, 0]));
        // Interface 1: raw IP, nanoseconds (if_tsresol = 9).
        f.extend(block(1, &[101, 0, 0, 0, 0, 0, 4, 0, 9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0]));
        let epb = |ifid: u32, ts: u64, data: &[u8]| {
            let mut b = ifid.to_le_bytes().to_vec();
            b.extend(((ts >> 32) as u32).to_le_bytes());
            b.extend((ts as u32).to_le_bytes());
            b.extend((data.len() as u32).to_le_bytes());
            b.extend((data.len() as u32 + 10).to_le_bytes());
            b.extend_from_slice(data);
            block(6, &b)
        };
        f.extend(epb(0, 5_000_123, b"abc"));
        f.extend(epb(1, 7_000_000_123_456, b"wxyz"));
        f.extend(block(99, b"ignored"));
        let mut cf = CaptureFile::from_reader("t", Box::new(std::io::Cursor::new(f))).unwrap();
        let p = cf.next_packet().unwrap().unwrap();
        assert_eq!((p.sec, p.usec, p.data, p.wire_len, p.linktype), (5, 123, &b"abc"[..], 13, 1));
        let p = cf.next_packet().unwrap().unwrap();
        assert_eq!((p.sec, p.usec, p.data, p.linktype), (7000, 123, &b"wxyz"[..], 101));
        assert!(cf.next_packet().unwrap().is_none());
    }

    #[test]
    fn pcapng_garbage_is_an_error_not_a_panic() {
        let mut f = block(0x0a0d_0d0a, &[0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0]);
        f.extend(block(6, &[0; 24]));
        let mut cf = CaptureFile::from_reader("t", Box::new(std::io::Cursor::new(f))).unwrap();
        assert!(cf.next_packet().is_err());
    }
}
