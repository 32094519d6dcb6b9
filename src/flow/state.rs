//! The state argus keeps per flow between reports (its `ArgusFlowStruct`
//! and canonical record), and the resets it applies after each report.

use super::key::Key;
use crate::record::{IcmpEvent, IcmpObject, TcpPerf, Timeval};

/// `flow->status` bits.
pub const RECORD_WRITTEN: u32 = 0x01;

/// Which queue a flow sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    None,
    Status,
    Timeout(u16),
    /// The expected-fragments list of the parent flow at this slot.
    Frag(u32),
}

/// Packets, bytes and application bytes of one direction.
#[derive(Clone, Copy, Debug, Default)]
pub struct Uni {
    pub pkts: u64,
    pub bytes: u64,
    pub appbytes: u64,
}

/// TIME DSR state: subtype as argus keeps it, and the four stamps.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeState {
    pub subtype: u8,
    pub src_start: Timeval,
    pub src_end: Timeval,
    pub dst_start: Timeval,
    pub dst_end: Timeval,
}

/// IPATTR state of one direction.
#[derive(Clone, Copy, Debug, Default)]
pub struct AttrDir {
    pub ttl: u8,
    pub tos: u8,
    /// The IP id as argus stores it (byte-swapped on the wire).
    pub ip_id: u16,
    pub options: u32,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Attr {
    pub qual: u8,
    pub src: AttrDir,
    pub dst: AttrDir,
}

#[derive(Clone, Copy, Debug)]
pub struct MacState {
    pub qual: u8,
    pub src: [u8; 6],
    pub dst: [u8; 6],
    pub ether_type: u16,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Pair16 {
    pub qual: u8,
    pub src: u16,
    pub dst: u16,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct MplsState {
    pub qual: u8,
    pub src: u32,
    pub dst: u32,
}

#[derive(Clone, Copy, Debug)]
pub struct Psize {
    pub src_min: u16,
    pub src_max: u16,
    pub dst_min: u16,
    pub dst_max: u16,
}

impl Default for Psize {
    fn default() -> Psize {
        Psize { src_min: 0xffff, src_max: 0, dst_min: 0xffff, dst_max: 0 }
    }
}

/// Inter-packet time statistics of one direction and activity kind.
#[derive(Clone, Copy, Debug)]
pub struct TimeStat {
    pub n: u32,
    /// argus keeps these three as C floats.
    pub min: f32,
    pub max: f32,
    pub sum: f32,
    /// ... and this one as a 64-bit integer.
    pub sumsq: i64,
}

impl Default for TimeStat {
    fn default() -> TimeStat {
        TimeStat { n: 0, min: 4_294_967_296.0, max: 0.0, sum: 0.0, sumsq: 0 }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct DirTimes {
    pub last: Timeval,
    pub act: TimeStat,
    pub idle: TimeStat,
}

/// The ESP network object.
#[derive(Clone, Copy, Debug, Default)]
pub struct Esp {
    pub status: u32,
    pub spi: u32,
    pub lastseq: u32,
    pub lostseq: u32,
}

/// An IP fragment-reassembly object (argus's `ArgusFragObject`).
#[derive(Clone, Debug, Default)]
pub struct FragObj {
    pub qual: u8,
    pub fragnum: u32,
    pub frag_id: u32,
    pub bytes: u32,
    pub totbytes: u32,
    pub totlen: u16,
    pub maxfraglen: u16,
    pub parent: Option<u32>,
    /// Byte ranges seen, in order.
    pub offsets: Vec<(i32, i32)>,
}

/// An RTP header as argus keeps it (fields in host order).
#[derive(Clone, Copy, Debug, Default)]
pub struct RtpHdr {
    pub b0: u8,
    pub b1: u8,
    pub seq: u16,
    pub time: u32,
    pub ssrc: u32,
}

/// The RTP network object.
#[derive(Clone, Copy, Debug, Default)]
pub struct RtpObj {
    pub qual: u8,
    pub state: u32,
    pub src: RtpHdr,
    pub dst: RtpHdr,
    pub sdrop: u16,
    pub ddrop: u16,
}

/// The RTCP network object: the first report header of each side, as
/// received.
#[derive(Clone, Copy, Debug, Default)]
pub struct RtcpObj {
    pub src: [u8; 8],
    pub dst: [u8; 8],
}

/// The NETWORK DSR object.
#[derive(Clone, Debug, Default)]
pub enum Net {
    /// No NETWORK DSR (argus dropped it, e.g. an RTP flow that changed
    /// its SSRC); the next packet starts an empty one.
    None,
    #[default]
    Empty,
    Rtp(Box<RtpObj>),
    Rtcp(Box<RtcpObj>),
    /// TCP: subtype 0x03 (INIT), 0x04 (STATUS) or 0x05 (PERF).
    Tcp(u8, TcpPerf),
    Icmp(IcmpObject),
    Esp(Esp),
    Arp([u8; 6]),
    Frag(Box<FragObj>),
}

/// User data captured in one direction (`-U`).
#[derive(Clone, Debug, Default)]
pub struct UserBuf {
    pub size: u16,
    pub data: Vec<u8>,
}

/// One flow.
#[derive(Clone, Debug)]
pub struct FlowState {
    pub key: Key,
    /// Hash of `key` (the table's index is keyed on it).
    pub hash: u64,
    pub key_subtype: u8,
    pub key_qual: u8,
    /// Direction bit of the packet that created the flow.
    pub dir: bool,
    pub status: u32,
    pub timeout: u16,
    pub userlen: u16,
    pub lasttime: Timeval,
    pub seq: u32,
    pub time: TimeState,
    /// argus's in-memory TIME length became 5 through an ICMP mapping.
    pub time_len5: bool,
    pub metric: [Uni; 2],
    pub net: Net,
    pub encaps: Option<(u8, u32, u32)>,
    pub attr: Option<Attr>,
    pub sipid: u16,
    pub dipid: u16,
    /// The interface (of a group) each direction's first packet came
    /// from, -1 before that (argus's `srcint`/`dstint`; kept for the
    /// flow's life).
    pub srcint: i8,
    pub dstint: i8,
    /// What only some flows need, allocated when first needed: the flow
    /// itself stays small, which keeps the table cache-friendly.
    pub x: Option<Box<Extra>>,
}

/// The less common parts of a flow's state.
#[derive(Clone, Debug, Default)]
pub struct Extra {
    pub mac: Option<MacState>,
    pub vlan: Option<Pair16>,
    pub mpls: Option<MplsState>,
    pub psize: Option<Psize>,
    pub icmp: Option<IcmpEvent>,
    pub jitter: bool,
    pub stime: DirTimes,
    pub dtime: DirTimes,
    pub user: [Option<UserBuf>; 2],
    /// Fragment flows expected for this flow (slots), newest first.
    pub frags: Vec<u32>,
}

impl FlowState {
    pub fn new(key: Key, subtype: u8, qual: u8, dir: bool) -> FlowState {
        FlowState {
            key,
            hash: 0,
            key_subtype: subtype,
            key_qual: qual,
            dir,
            status: 0x10,
            timeout: 30,
            userlen: 0,
            lasttime: Timeval::ZERO,
            seq: 0,
            time: TimeState::default(),
            time_len5: false,
            metric: [Uni::default(); 2],
            net: Net::Empty,
            encaps: None,
            attr: None,
            sipid: 0,
            dipid: 0,
            srcint: -1,
            dstint: -1,
            x: None,
        }
    }

    /// The less common state, if any was needed.
    pub fn x(&self) -> Option<&Extra> {
        self.x.as_deref()
    }

    /// The less common state, allocated on first use.
    pub fn xm(&mut self) -> &mut Extra {
        self.x.get_or_insert_with(Box::default)
    }

    /// The fragment flows waiting on this one.
    pub fn frags(&self) -> Vec<u32> {
        self.x().map(|x| x.frags.clone()).unwrap_or_default()
    }

    pub fn has_packets(&self) -> bool {
        self.metric[0].pkts + self.metric[1].pkts > 0
    }

    /// argus's `ArgusZeroRecord`: after a report, the next one starts from
    /// zero counters but keeps the key, MACs, TCP sequence state, ...
    pub fn zero(&mut self) {
        self.status &= !(RECORD_WRITTEN | 0xf0);
        self.key_qual &= !super::key::QUAL_FRAGMENT;
        self.encaps = None;
        if let Some(x) = &mut self.x {
            x.vlan = None;
            x.mpls = None;
            x.psize = None;
            x.icmp = None;
            for u in x.user.iter_mut().flatten() {
                u.data.clear();
            }
            x.stime.act = TimeStat::default();
            x.stime.idle = TimeStat::default();
            x.dtime.act = TimeStat::default();
            x.dtime.idle = TimeStat::default();
        }
        if let Some(a) = &mut self.attr {
            a.qual &= !0x30;
            a.src.options = 0;
            a.dst.options = 0;
        }
        let sub = self.time.subtype;
        self.time = TimeState { subtype: sub, ..TimeState::default() };
        self.metric = [Uni::default(); 2];
        match &mut self.net {
            Net::Tcp(_, t) => {
                const CLEAR: u32 = 0x3000 | 0x300 | 0xc00 | 0x30000 | 0xc000;
                t.src.status &= !CLEAR;
                t.dst.status &= !CLEAR;
                t.src.retrans = 0;
                t.dst.retrans = 0;
                t.src.flags = 0;
                t.dst.flags = 0;
                t.src.bytes = 0;
                t.dst.bytes = 0;
                t.src.winbytes = 0;
                t.dst.winbytes = 0;
                t.src.ackbytes = 0;
                t.dst.ackbytes = 0;
                t.src.seqbase = t.src.seq;
                t.dst.seqbase = t.dst.seq;
            }
            Net::Esp(e) => {
                e.status = 0;
                e.lostseq = 0;
            }
            Net::Rtp(r) => {
                r.sdrop = 0;
                r.ddrop = 0;
                r.qual = 0;
            }
            Net::Frag(f) => {
                let parent = f.parent;
                **f = FragObj { parent, ..FragObj::default() };
            }
            _ => {}
        }
        self.sipid = 0;
        self.dipid = 0;
    }
}
