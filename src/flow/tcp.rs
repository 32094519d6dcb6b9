//! The TCP state machine of argus 3.0.8.2 (`ArgusUpdateTCPState`,
//! `ArgusUpdateTCPSequence`, `ArgusUpdateTCPStateMachine`): connection
//! state, per-direction sequence tracking, retransmissions, out-of-order
//! packets, window and SYN/ACK timing. The object it maintains is the
//! TCP_PERF network DSR.

use crate::record::{TcpDir, TcpPerf, Timeval};

pub const SAW_SYN: u32 = 0x01;
pub const SAW_SYN_SENT: u32 = 0x02;
pub const CON_ESTABLISHED: u32 = 0x04;
pub const FIN: u32 = 0x08;
pub const FIN_ACK: u32 = 0x10;
pub const NORMAL_CLOSE: u32 = 0x20;
pub const RESET: u32 = 0x3000;
pub const PKTS_RETRANS: u32 = 0x300;
pub const WINDOW_SHUT: u32 = 0xc00;
pub const OUTOFORDER: u32 = 0x30000;
pub const SRC_CONGESTED: u32 = 0x4000;
pub const DST_CONGESTED: u32 = 0x8000;
pub const TCP_SRC_ECN: u32 = 0x4000_0000;
pub const TCP_DST_ECN: u32 = 0x8000_0000;

pub const TCPS_CLOSED: u32 = 0;
pub const TCPS_LISTEN: u32 = 1;
pub const TCPS_SYN_SENT: u32 = 2;
pub const TCPS_SYN_RECEIVED: u32 = 3;
pub const TCPS_ESTABLISHED: u32 = 4;
pub const TCPS_CLOSE_WAIT: u32 = 5;
pub const TCPS_FIN_WAIT_1: u32 = 6;
pub const TCPS_CLOSING: u32 = 7;
pub const TCPS_LAST_ACK: u32 = 8;
pub const TCPS_FIN_WAIT_2: u32 = 9;
pub const TCPS_TIME_WAIT: u32 = 10;

const TH_FIN: u8 = 0x01;
const TH_SYN: u8 = 0x02;
const TH_RST: u8 = 0x04;
const TH_PUSH: u8 = 0x08;
const TH_ACK: u8 = 0x10;
const TH_URG: u8 = 0x20;
const TH_ECE: u8 = 0x40;
const TH_CWR: u8 = 0x80;

/// The fields of a TCP header the state machine reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seg {
    pub seq: u32,
    pub ack: u32,
    pub win: u16,
    pub flags: u8,
    /// Header length in bytes.
    pub hlen: usize,
}

impl Seg {
    pub fn parse(h: &[u8]) -> Option<Seg> {
        let h = h.get(..20)?;
        Some(Seg {
            seq: u32::from_be_bytes([h[4], h[5], h[6], h[7]]),
            ack: u32::from_be_bytes([h[8], h[9], h[10], h[11]]),
            win: u16::from_be_bytes([h[14], h[15]]),
            flags: h[13],
            hlen: usize::from(h[12] >> 4) * 4,
        })
    }
}

/// What the caller must do after a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    /// Connection closed or reset: the flow times out after 10 s.
    Closed,
    /// A new SYN on a closed connection: report the flow and start over.
    Restart,
}

fn dirs(t: &mut TcpPerf, this_dir: bool) -> (&mut TcpDir, &mut TcpDir) {
    if this_dir {
        (&mut t.src, &mut t.dst)
    } else {
        (&mut t.dst, &mut t.src)
    }
}

/// The first segment of a flow (state START): builds the TCP object.
/// `len` is the TCP payload length. Returns the object.
pub fn start(seg: Seg, opts: &[u8], len: u32, this_dir: bool, now: Timeval) -> TcpPerf {
    let mut t = TcpPerf::default();
    let flags = seg.flags;
    let mut options = 0;
    {
        let (src, dst) = dirs(&mut t, this_dir);
        parse_options(opts, &mut options, src);
        if flags & TH_RST != 0 {
            src.status |= RESET;
            src.bytes = src.bytes.wrapping_add(len);
            src.flags |= flags;
            if seg.seq != 0 {
                src.seqbase = seg.seq.wrapping_sub(1);
                src.seq = seg.seq.wrapping_add(len);
            } else {
                src.seqbase = seg.ack.wrapping_sub(1);
                src.seq = seg.ack.wrapping_sub(1);
            }
            dst.ack = seg.ack.wrapping_sub(1);
            src.lasttime = now;
        } else {
            match flags & (TH_SYN | TH_ACK | TH_FIN | TH_PUSH | TH_URG) {
                TH_SYN => {
                    src.bytes = src.bytes.wrapping_add(len);
                    src.seqbase = seg.seq;
                    src.seq = seg.seq;
                    src.win = seg.win;
                    src.flags |= flags;
                }
                f if f == TH_SYN | TH_ACK => {
                    src.bytes = src.bytes.wrapping_add(len);
                    src.seqbase = seg.seq;
                    src.seq = seg.seq;
                    src.win = seg.win;
                    src.flags |= flags;
                    dst.ack = seg.ack.wrapping_sub(1);
                }
                f if f == TH_ACK
                    || f == TH_PUSH | TH_ACK
                    || f == TH_URG | TH_ACK
                    || f == TH_PUSH | TH_URG | TH_ACK =>
                {
                    dst.ack = seg.ack.wrapping_sub(1);
                    data_start(src, seg, len);
                }
                f if f == TH_PUSH || f == TH_URG || f == TH_PUSH | TH_URG => {
                    data_start(src, seg, len)
                }
                f if f == TH_FIN || f == TH_FIN | TH_ACK => data_start(src, seg, len),
                _ => {
                    src.bytes = src.bytes.wrapping_add(len);
                    src.flags |= flags;
                    src.seqbase = seg.seq.wrapping_sub(1);
                    src.seq = seg.seq.wrapping_add(len);
                    src.win = seg.win;
                }
            }
            src.lasttime = now;
        }
    }
    t.options = options;
    if flags & TH_RST != 0 {
        t.status |= RESET;
        t.state = TCPS_LISTEN;
    } else {
        match flags & (TH_SYN | TH_ACK | TH_FIN | TH_PUSH | TH_URG) {
            TH_SYN => {
                t.status |= SAW_SYN;
                t.state = TCPS_SYN_SENT;
                if flags & (TH_ECE | TH_CWR) == TH_ECE | TH_CWR {
                    t.options |= TCP_SRC_ECN;
                }
            }
            f if f == TH_SYN | TH_ACK => {
                t.status |= SAW_SYN_SENT;
                t.state = TCPS_SYN_RECEIVED;
                if flags & (TH_ECE | TH_CWR) == TH_ECE {
                    t.options |= TCP_DST_ECN;
                }
            }
            f if f == TH_FIN || f == TH_FIN | TH_ACK => {
                t.status |= FIN;
                t.state = TCPS_FIN_WAIT_1;
            }
            f if f == TH_ACK
                || f == TH_PUSH | TH_ACK
                || f == TH_URG | TH_ACK
                || f == TH_PUSH | TH_URG | TH_ACK
                || f == TH_PUSH
                || f == TH_URG
                || f == TH_PUSH | TH_URG =>
            {
                t.status |= CON_ESTABLISHED;
                t.state = TCPS_ESTABLISHED;
            }
            _ => {
                t.status |= CON_ESTABLISHED;
                t.state = TCPS_CLOSING;
            }
        }
    }
    t
}

fn data_start(src: &mut TcpDir, seg: Seg, len: u32) {
    src.bytes = src.bytes.wrapping_add(len);
    src.flags |= seg.flags;
    src.seqbase = seg.seq.wrapping_sub(1);
    src.seq = seg.seq.wrapping_add(len);
    src.win = seg.win;
}

/// Context of a later segment.
pub struct Later<'a> {
    pub seg: Seg,
    pub opts: &'a [u8],
    /// TCP payload length (`ArgusThisLength` after the header).
    pub len: i64,
    pub this_dir: bool,
    pub now: Timeval,
    /// The IP id of this packet as argus stores it, and the flow's record of
    /// the previous one in this direction.
    pub ipid: u16,
    pub last_ipid: &'a mut u16,
    pub track_duplicates: bool,
    pub perf: bool,
}

/// A later segment on an existing TCP object. `in_protocol` is argus's
/// `ArgusInProtocol` (used by the jitter statistics). Returns the outcome
/// and whether the segment updated the state machine.
pub fn update(
    subtype: &mut u8,
    t: &mut TcpPerf,
    mut c: Later<'_>,
    in_protocol: &mut bool,
) -> Outcome {
    let flags = c.seg.flags;
    if t.state == TCPS_LISTEN {
        let (src, _) = dirs(t, c.this_dir);
        src.flags |= flags;
        if flags & TH_SYN != 0 {
            return Outcome::Restart;
        }
        return Outcome::Continue;
    }
    *subtype = if c.perf { 0x05 } else { 0x04 };
    {
        let mut opts = t.options;
        let (src, _) = dirs(t, c.this_dir);
        parse_options(c.opts, &mut opts, src);
        src.flags |= flags;
        t.options = opts;
    }
    if t.options & (TCP_SRC_ECN | TCP_DST_ECN) != 0 && flags & TH_ECE != 0 && flags & TH_ACK != 0 {
        t.status |= if c.this_dir { SRC_CONGESTED } else { DST_CONGESTED };
    }
    let mut out = Outcome::Continue;
    if sequence(t, &mut c, in_protocol) {
        match state_machine(t, &c) {
            TCPS_LISTEN if flags == TH_SYN => return Outcome::Restart,
            TCPS_CLOSED | TCPS_TIME_WAIT => {
                if t.status & RESET == 0 {
                    t.status |= NORMAL_CLOSE;
                }
                out = Outcome::Closed;
            }
            _ => {}
        }
    }
    let (src, _) = dirs(t, c.this_dir);
    src.lasttime = c.now;
    out
}

fn state_machine(t: &mut TcpPerf, c: &Later<'_>) -> u32 {
    let flags = c.seg.flags;
    let mut state = t.state;
    let len = c.len;
    let now = c.now;
    let this_dir = c.this_dir;
    if flags & TH_RST != 0 {
        t.status |= RESET;
        let (src, dst) = dirs(t, this_dir);
        src.status |= RESET;
        if state == TCPS_SYN_SENT {
            state = if dst.seq == src.ack { TCPS_LISTEN } else { TCPS_CLOSING };
        } else {
            let win = u32::from(src.win) >> src.winshift.min(31);
            state = if c.seg.seq >= src.ack && c.seg.seq < src.ack.wrapping_add(win) {
                TCPS_CLOSED
            } else {
                TCPS_CLOSING
            };
        }
    } else {
        let mut status_or = 0;
        let mut synack = None;
        let mut ackdat = None;
        {
            let (src, dst) = dirs(t, this_dir);
            match state {
                TCPS_LISTEN | TCPS_SYN_SENT => {
                    if flags == TH_SYN {
                        src.status |= PKTS_RETRANS;
                        src.retrans = src.retrans.wrapping_add(1);
                    } else if flags == TH_SYN | TH_ACK {
                        status_or |= SAW_SYN_SENT;
                        if src.status & SAW_SYN != 0 {
                            state = TCPS_LISTEN;
                            src.status |= SAW_SYN_SENT;
                        } else {
                            state = TCPS_SYN_RECEIVED;
                            src.status |= SAW_SYN_SENT;
                            if dst.seq == src.ack {
                                synack = Some(diff(now, dst.lasttime));
                            }
                        }
                    } else if flags & TH_FIN != 0 {
                        state = TCPS_FIN_WAIT_1;
                        status_or |= FIN;
                        src.status |= FIN;
                    } else if flags & TH_ACK != 0 {
                        state = TCPS_ESTABLISHED;
                        status_or |= CON_ESTABLISHED;
                        src.status |= CON_ESTABLISHED;
                    }
                }
                TCPS_SYN_RECEIVED => {
                    if flags & TH_FIN != 0 {
                        state = TCPS_FIN_WAIT_1;
                        status_or |= FIN;
                        src.status |= FIN;
                    } else if flags & TH_SYN == 0 {
                        if flags & TH_ACK != 0 {
                            state = TCPS_ESTABLISHED;
                            status_or |= CON_ESTABLISHED;
                            src.status |= CON_ESTABLISHED;
                            if src.seq == dst.ack {
                                ackdat = Some(diff(now, dst.lasttime));
                            }
                        }
                    } else {
                        src.status |= PKTS_RETRANS;
                        src.retrans = src.retrans.wrapping_add(1);
                    }
                }
                TCPS_ESTABLISHED => {
                    if flags & TH_FIN != 0 {
                        state = TCPS_FIN_WAIT_1;
                        status_or |= FIN;
                        src.status |= FIN;
                    } else if flags & TH_SYN != 0 {
                        if flags & TH_ACK != 0 {
                            status_or |= SAW_SYN_SENT | CON_ESTABLISHED;
                        }
                        src.status |= PKTS_RETRANS;
                        src.retrans = src.retrans.wrapping_add(1);
                    }
                }
                TCPS_CLOSE_WAIT | TCPS_FIN_WAIT_1 | TCPS_LAST_ACK | TCPS_FIN_WAIT_2 => {
                    if matches!(state, TCPS_CLOSE_WAIT | TCPS_FIN_WAIT_1)
                        && flags & TH_SYN != 0
                        && flags & TH_ACK == 0
                    {
                        state = TCPS_LISTEN;
                    } else {
                        if flags & TH_FIN != 0 {
                            if flags & TH_ACK == 0 {
                                if dst.status & FIN_ACK != 0 {
                                    src.status |= PKTS_RETRANS;
                                    src.retrans = src.retrans.wrapping_add(1);
                                }
                            } else {
                                status_or |= FIN;
                                src.status |= FIN;
                            }
                        }
                        if flags & TH_ACK != 0
                            && len == 0
                            && dst.status & FIN != 0
                            && dst.seq == src.ack
                        {
                            state = TCPS_FIN_WAIT_2;
                            status_or |= FIN_ACK;
                            dst.status |= FIN_ACK;
                        }
                    }
                }
                TCPS_CLOSING | TCPS_TIME_WAIT => {
                    if flags & TH_SYN != 0 && flags & TH_ACK == 0 {
                        state = TCPS_LISTEN;
                    } else if flags & TH_ACK != 0 && src.seq == src.ack && dst.seq == src.ack {
                        state = TCPS_CLOSED;
                    }
                }
                TCPS_CLOSED if flags & TH_SYN != 0 && flags & TH_ACK == 0 => state = TCPS_LISTEN,
                _ => {}
            }
        }
        t.status |= status_or;
        if let Some(v) = synack {
            t.syn_ack_usecs = v;
        }
        if let Some(v) = ackdat {
            t.ack_dat_usecs = v;
        }
    }
    if state != TCPS_LISTEN {
        t.state = state;
    }
    state
}

fn diff(a: Timeval, b: Timeval) -> u32 {
    (a.as_micros() - b.as_micros()).unsigned_abs() as u32
}

/// `ArgusUpdateTCPSequence`: false for a duplicate (tracked) packet.
fn sequence(t: &mut TcpPerf, c: &mut Later<'_>, in_protocol: &mut bool) -> bool {
    let flags = c.seg.flags;
    let len = c.len as u32;
    let seq = c.seg.seq;
    let newseq = seq.wrapping_add(len);
    let ipid = c.ipid;
    if flags == TH_SYN {
        return true;
    }
    *in_protocol = true;
    let mut dup = false;
    let (src, dst) = dirs(t, c.this_dir);
    if c.seg.win == 0 && flags & (TH_FIN | TH_RST) == 0 {
        src.status |= WINDOW_SHUT;
        *in_protocol = false;
    } else if flags & (TH_FIN | TH_RST) == 0 {
        src.win = c.seg.win;
    }
    if len != 0 && dst.win != 0 {
        src.bytes = src.bytes.wrapping_add(len);
        if src.winbytes == 0 {
            *in_protocol = false;
        }
        if src.flags & TH_FIN != 0 {
            if seq < src.seq {
                src.retrans = src.retrans.wrapping_add(1);
                src.status |= PKTS_RETRANS;
            } else if flags & TH_FIN == 0 {
                src.status |= OUTOFORDER;
            }
        }
        if flags & TH_SYN == 0 {
            src.winbytes = src.winbytes.wrapping_add(len);
        }
    } else {
        *in_protocol = false;
    }
    if newseq < seq {
        src.ackbytes = src.ackbytes.wrapping_add(src.seq.wrapping_sub(src.seqbase));
        src.seqbase = newseq;
        src.seq = newseq;
    } else if src.seqbase == 0 {
        src.seqbase = seq;
        src.seq = newseq;
    } else if len != 0 {
        if c.track_duplicates && ipid != 0 && *c.last_ipid == ipid {
            dup = true;
        } else {
            if dst.win != 0 {
                if seq < dst.ack {
                    let w = u32::from(src.win) >> src.winshift.min(31);
                    if dst.ack.wrapping_sub(seq) < w {
                        src.retrans = src.retrans.wrapping_add(1);
                        src.status |= PKTS_RETRANS;
                        src.winbytes = src.winbytes.wrapping_sub(len);
                        *in_protocol = false;
                    }
                } else {
                    let maxseq = if newseq > src.seq { newseq } else { src.seq };
                    if src.win != 0 {
                        let dipid = i32::from(ipid) - i32::from(*c.last_ipid);
                        if *c.last_ipid != 0 && dipid < 0 && dipid > -5000 {
                            src.status |= OUTOFORDER;
                        } else if src.winbytes > maxseq.wrapping_sub(1).wrapping_sub(dst.ack) {
                            src.retrans = src.retrans.wrapping_add(1);
                            src.status |= PKTS_RETRANS;
                            src.winbytes = src.winbytes.wrapping_sub(len);
                            *in_protocol = false;
                        } else if newseq < src.seq {
                            if seq == dst.ack.wrapping_add(1) {
                                src.retrans = src.retrans.wrapping_add(1);
                                src.status |= PKTS_RETRANS;
                                src.winbytes = src.winbytes.wrapping_sub(len);
                            } else {
                                src.status |= OUTOFORDER;
                            }
                        }
                    }
                    src.seq = maxseq;
                }
            }
            *c.last_ipid = ipid;
        }
    }
    if dup {
        if c.this_dir {
            src.status |= 0x40000;
        } else {
            dst.status |= 0x80000;
        }
        return false;
    }
    if c.seg.ack != 0 && flags & TH_ACK != 0 {
        if src.ack != 0 && dst.seq > src.ack {
            dst.winbytes = dst.seq.wrapping_sub(1).wrapping_sub(src.ack);
        }
        let ack1 = c.seg.ack.wrapping_sub(1);
        if src.ack != ack1 {
            if src.ack == 0 || dst.seq == c.seg.ack {
                dst.winbytes = 0;
                if dst.seq == c.seg.ack {
                    dst.winnum = dst.winnum.wrapping_add(1);
                }
            } else if flags & TH_SYN == 0 && src.ack != 0 {
                // argus compares the unsigned byte count with a signed
                // difference, so the comparison is unsigned.
                let w = ack1.wrapping_sub(src.ack);
                let w = if dst.winbytes < w { dst.winbytes } else { w };
                dst.winbytes = dst.winbytes.wrapping_sub(w);
                dst.winnum = dst.winnum.wrapping_add(1);
            }
            src.ack = ack1;
        }
    }
    true
}

/// `ArgusParseTCPOptions`: option bits and the window scale of `src`.
pub fn parse_options(mut p: &[u8], options: &mut u32, src: &mut TcpDir) {
    while let Some(&opt) = p.first() {
        if opt == 0 {
            break;
        }
        if opt == 1 {
            p = &p[1..];
            continue;
        }
        let Some(&alen) = p.get(1) else { break };
        let alen = usize::from(alen);
        if alen < 2 || alen > p.len() {
            break;
        }
        match opt {
            2 => *options |= 0x0010_0000,
            3 => {
                *options |= 0x0020_0000;
                if let Some(&s) = p.get(2) {
                    src.winshift = s;
                }
            }
            4 => *options |= 0x0040_0000,
            5 => *options |= 0x0080_0000,
            6 => *options |= 0x0100_0000,
            7 => *options |= 0x0200_0000,
            8 => *options |= 0x0400_0000,
            11 => *options |= 0x0800_0000,
            12 => *options |= 0x1000_0000,
            13 => *options |= 0x2000_0000,
            _ => {}
        }
        p = &p[alen..];
    }
}
