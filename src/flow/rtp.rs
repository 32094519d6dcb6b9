//! RTP and RTCP recognition on UDP flows (argus's `ArgusUpdateAppState`
//! and `ArgusUpdateRTPState`): a flow whose first packet looks like RTP
//! version 2 between unprivileged ports gets an RTP (or, for sender and
//! receiver reports, RTCP) network object that counts sequence gaps.

use super::key::{QUAL_IPV4, QUAL_IPV6};
use super::state::{Net, RtcpObj, RtpHdr, RtpObj};
use super::update::{Ctx, START};
use super::Engine;
use crate::wire::{be16, be32, Frame};

fn hdr(d: &[u8], at: usize) -> Option<RtpHdr> {
    let b = d.get(at..at + 12)?;
    Some(RtpHdr {
        b0: b[0],
        b1: b[1],
        seq: u16::from_be_bytes([b[2], b[3]]),
        time: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
        ssrc: u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
    })
}

/// Counts RTCP sender/receiver reports in a compound packet.
fn rtcp_reports(d: &[u8], mut at: usize) -> u32 {
    let mut n = 0;
    while let Some(b) = d.get(at..at + 8) {
        let len = (usize::from(u16::from_be_bytes([b[2], b[3]])) << 2) + 4;
        if b[0] >> 6 == 2 && (b[1] == 200 || b[1] == 201) {
            n += 1;
        }
        if len > 4 {
            at += len;
        } else {
            break;
        }
    }
    n
}

impl Engine {
    /// The UDP part of `ArgusUpdateAppState`.
    pub(super) fn rtp_state(
        &mut self,
        i: u32,
        f: &Frame<'_>,
        state: u8,
        this_dir: bool,
        ctx: &mut Ctx,
    ) {
        let d = f.data;
        let fl = self.table.get_mut(i);
        let b = fl.key.bytes;
        let (sport, dport) = match fl.key_qual & 0x1f {
            QUAL_IPV4 => (u16::from_be_bytes([b[10], b[11]]), u16::from_be_bytes([b[12], b[13]])),
            QUAL_IPV6 => (u16::from_be_bytes([b[36], b[37]]), u16::from_be_bytes([b[38], b[39]])),
            _ => return,
        };
        if state == START {
            let Some(h) = hdr(d, ctx.up) else { return };
            let afs = |p: u16| (7000..=7010).contains(&p);
            if h.b0 >> 6 == 2 && sport >= 1024 && dport >= 1024 && !afs(sport) && !afs(dport) {
                if rtcp_reports(d, ctx.up) > 0 {
                    let raw: [u8; 8] = d[ctx.up..ctx.up + 8].try_into().unwrap_or([0; 8]);
                    let mut o = match &fl.net {
                        Net::Rtcp(o) => **o,
                        _ => RtcpObj::default(),
                    };
                    if this_dir {
                        o.src = raw;
                    } else {
                        o.dst = raw;
                    }
                    fl.net = Net::Rtcp(Box::new(o));
                } else {
                    let mut o = match &fl.net {
                        Net::Rtp(o) => **o,
                        _ => RtpObj::default(),
                    };
                    if this_dir {
                        o.src = h;
                    } else {
                        o.dst = h;
                    }
                    fl.net = Net::Rtp(Box::new(o));
                }
            }
            return;
        }
        let Net::Rtp(o) = &mut fl.net else { return };
        let Some(t) = hdr(d, ctx.up) else { return };
        let mine = if this_dir { &mut o.src } else { &mut o.dst };
        if mine.seq == 0 {
            if t.b0 >> 6 == 2 {
                *mine = t;
            }
            return;
        }
        if t.b0 >> 6 != 2 {
            return;
        }
        let mut drop_net = t.ssrc == 0 || mine.ssrc != t.ssrc;
        if !drop_net && t.b0 & 0x10 != 0 {
            // The extension length, read in host order as argus does.
            let xl = d
                .get(ctx.up + 14..ctx.up + 16)
                .map_or(0, |x| i64::from(u16::from_le_bytes([x[0], x[1]])));
            if xl > ctx.len || xl < ctx.len - 4 {
                drop_net = true;
            }
        }
        if drop_net {
            fl.net = Net::None;
            return;
        }
        let offset = usize::from((t.b0 & 0x0f).min(15)) << 2;
        if i32::from(mine.seq) != i32::from(t.seq) - 1 {
            let drop = if this_dir { &mut o.sdrop } else { &mut o.ddrop };
            if t.seq < mine.seq {
                if *drop > 0 {
                    *drop -= 1;
                    o.state |= if this_dir { 0x1_0000 } else { 0x2_0000 };
                }
            } else if t.seq > mine.seq {
                *drop = drop.wrapping_add(t.seq.wrapping_sub(mine.seq.wrapping_add(1)));
            }
        }
        let mine = if this_dir { &mut o.src } else { &mut o.dst };
        *mine = t;
        if (offset as i64) < ctx.len {
            ctx.up += 12 + offset;
            ctx.len -= 12 + offset as i64;
            if t.b0 & 0x10 != 0 {
                if let (Some(_), Some(xlen)) = (be16(d, ctx.up), be16(d, ctx.up + 2)) {
                    let off = 4 + usize::from(xlen);
                    ctx.len -= off as i64;
                    ctx.up += off;
                }
            }
            let silent_bit = if this_dir { 0x01 } else { 0x02 };
            match t.b1 & 0x7f {
                0 | 8 | 9 | 15 | 18 => {
                    if ctx.len == 0 || ctx.len % 10 != 0 {
                        ctx.in_protocol = false;
                        o.qual |= silent_bit;
                    } else if t.b1 & 0x80 != 0 {
                        ctx.in_protocol = false;
                    }
                }
                4 => {
                    if ctx.len == 0 || ctx.len == 4 {
                        ctx.in_protocol = false;
                        o.qual |= silent_bit;
                    } else if t.b1 & 0x80 != 0 {
                        ctx.in_protocol = false;
                    }
                }
                _ => {}
            }
        }
        let _ = be32;
    }
}
