//! The flow engine: bidirectional flows keyed, oriented and reported as
//! argus 3.0.8.2 does.
//!
//! Packets come in time order through [`Engine::packet`]; reports come out
//! as [`Record`]s in the order argus writes them. State lives in a slab of
//! [`state::FlowState`] found through a hash map on the flow key; flows move
//! between argus's queues (the status queue, where a flow waits for its next
//! report, and one idle-timeout queue per timeout value), and the queue
//! manager runs every 200 ms of packet time. Time comes from packet
//! timestamps only. The table is bounded: at the limit the oldest flows are
//! reported early and dropped.

mod frag;
pub mod key;
mod queues;
mod report;
mod rtp;
pub mod state;
mod table;
pub mod tcp;
mod update;

use crate::capture::Packet;
use crate::record::{Record, Timeval};
use crate::wire::{self, NetKind};

pub use table::Table;

/// Idle timeouts per protocol, in seconds (argus.conf names in brackets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// ARGUS_IP_TIMEOUT
    pub ip: u16,
    /// ARGUS_TCP_TIMEOUT
    pub tcp: u16,
    /// ARGUS_ICMP_TIMEOUT
    pub icmp: u16,
    /// ARGUS_IGMP_TIMEOUT
    pub igmp: u16,
    /// ARGUS_FRAG_TIMEOUT
    pub frag: u16,
    /// ARGUS_ARP_TIMEOUT
    pub arp: u16,
    /// ARGUS_OTHER_TIMEOUT
    pub other: u16,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts { ip: 30, tcp: 60, icmp: 5, igmp: 30, frag: 5, arp: 5, other: 30 }
    }
}

/// The probe's source id (`-e`), as the TRANSPORT DSR stores it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceId {
    /// 0 none, 0x01 IPv4, 0x20 integer, 0x21 string.
    pub kind: u8,
    pub bytes: [u8; 4],
}

/// What the engine records, from the command line and argus.conf.
#[derive(Clone, Debug)]
pub struct Config {
    /// Flow status interval (`-S`), microseconds; 0 reports every packet.
    pub status_interval: i64,
    /// argus keeps the seconds and the fraction of `-S` separately; the
    /// end-of-input flush resets only the seconds (see `flush`).
    pub status_interval_frac: i64,
    /// `-U`: user data bytes per direction.
    pub user_data: u16,
    pub mac: bool,
    pub jitter: bool,
    pub psize: bool,
    pub appbytes: bool,
    /// ARGUS_GENERATE_BIDIRECTIONAL_TIMESTAMPS
    pub bidir_timestamps: bool,
    /// ARGUS_GENERATE_TCP_PERF_METRIC (default yes)
    pub tcp_perf: bool,
    /// ARGUS_TRACK_DUPLICATES
    pub track_duplicates: bool,
    pub timeouts: Timeouts,
    pub srcid: SourceId,
    /// Most flows held at once; at the limit the oldest are reported early.
    pub max_flows: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            status_interval: 5_000_000,
            status_interval_frac: 0,
            user_data: 0,
            mac: false,
            jitter: false,
            psize: false,
            appbytes: false,
            bidir_timestamps: false,
            tcp_perf: true,
            track_duplicates: false,
            timeouts: Timeouts::default(),
            srcid: SourceId::default(),
            max_flows: 1 << 20,
        }
    }
}

/// Counters for the progress line and the summary.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub packets: u64,
    pub bytes: u64,
    pub flows: u64,
    pub records: u64,
    /// Active flows reported early (and dropped) at the table limit.
    pub evicted: u64,
}

/// The flow engine.
pub struct Engine {
    pub(crate) cfg: Config,
    pub(crate) table: Table,
    /// argus's global time: the last packet's timestamp.
    pub(crate) now: Timeval,
    update_timer: Timeval,
    pub(crate) seq: u32,
    pub(crate) out: Vec<Record>,
    /// Where records go as they are made; without one they collect in
    /// `out`. A report burst (a queue-manager run, the end of input) can
    /// hold every flow of the table, so a streaming sink keeps memory
    /// bounded by the table alone.
    sink: Option<Box<dyn FnMut(Record)>>,
    pub stats: Stats,
    /// argus's `ArgusOptionIndicator`, which IPv6 packets inherit from the
    /// last IPv4 packet.
    pub(crate) last_options: u32,
    /// 802.11 only: libpcap's packet buffer as 3.0.8.2 sees it. A short
    /// frame's WLAN key reads past the captured bytes into what earlier
    /// packets left there (see [`Engine::packet`]).
    wlan_buf: Vec<u8>,
    /// The interfaces of a `bond:`/`dup:` group feeding this engine: the
    /// source id each one gives the flows it creates (empty: `cfg.srcid`),
    /// and the one the current packet came from.
    pub(crate) interface_ids: Vec<SourceId>,
    pub(crate) interface: i8,
}

/// How much of libpcap's packet buffer the WLAN emulation keeps (its
/// largest snap length).
const WLAN_BUF: usize = 262_144;

impl Engine {
    pub fn new(cfg: Config) -> Engine {
        let table = Table::new(cfg.max_flows);
        Engine {
            cfg,
            table,
            now: Timeval::ZERO,
            update_timer: Timeval::ZERO,
            seq: 1,
            out: Vec::new(),
            sink: None,
            stats: Stats::default(),
            last_options: 0,
            wlan_buf: Vec::new(),
            interface_ids: Vec::new(),
            interface: 0,
        }
    }

    /// Several interfaces feed this engine (argus's `bond:` and `dup:`
    /// groups): `ids[i]` is the source id of interface `i`, written in the
    /// transport DSR of the flows whose first packet came from it.
    pub fn set_interfaces(&mut self, ids: Vec<SourceId>) {
        self.interface_ids = ids;
    }

    /// The interface the next packets come from (an index into the list
    /// given to `set_interfaces`). A flow whose packets in one direction
    /// change interface gets argus's SRC/DST_INT_CHANGED encapsulation bits.
    pub fn set_interface(&mut self, i: usize) {
        self.interface = i.min(i8::MAX as usize) as i8;
    }

    /// The source id for flows created on interface `i` (-1: none yet).
    pub(crate) fn srcid_of(&self, i: i8) -> SourceId {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.interface_ids.get(i))
            .copied()
            .unwrap_or(self.cfg.srcid)
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Hands every record to `sink` as soon as it is made.
    pub fn set_sink(&mut self, sink: Box<dyn FnMut(Record)>) {
        self.sink = Some(sink);
    }

    /// Records produced so far (when no sink is set); the caller drains them.
    pub fn records(&mut self) -> &mut Vec<Record> {
        &mut self.out
    }

    /// The sequence number most recently given to a flow.
    pub fn last_seq(&self) -> u32 {
        self.seq.wrapping_sub(1)
    }

    /// Number of flows held.
    pub fn flows(&self) -> usize {
        self.table.len()
    }

    /// Processes one packet.
    pub fn packet(&mut self, p: &Packet<'_>) {
        self.stats.packets += 1;
        self.stats.bytes += u64::from(p.wire_len);
        self.now = Timeval::new(p.sec, p.usec);
        if matches!(
            p.linktype,
            crate::capture::linktype::IEEE802_11 | crate::capture::linktype::IEEE802_11_RADIOTAP
        ) {
            self.wlan_packet(p);
        } else if let Some(frame) = wire::decode(p.linktype, p.data, p.wire_len) {
            self.frame(&frame);
        }
        self.tick();
    }

    /// An 802.11 packet. libpcap reads each packet of a capture file into
    /// one reused buffer, and 3.0.8.2 builds a WLAN key from the three
    /// addresses of a management header whatever the frame, so an ACK or
    /// CTS (10 bytes) takes its source and BSSID from bytes earlier, longer
    /// packets left behind. The buffer is kept here to the same effect.
    fn wlan_packet(&mut self, p: &Packet<'_>) {
        let mut buf = std::mem::take(&mut self.wlan_buf);
        let at = p.buf_off as usize;
        let end = at + p.data.len() + p.buf_tail.len();
        if buf.len() < end {
            buf.resize(end.min(WLAN_BUF), 0);
        }
        let n = p.data.len().min(buf.len().saturating_sub(at));
        buf[at..at + n].copy_from_slice(&p.data[..n]);
        let t = p.buf_tail.len().min(buf.len().saturating_sub(at + n));
        buf[at + n..at + n + t].copy_from_slice(&p.buf_tail[..t]);
        if let Some(mut frame) = wire::decode(p.linktype, p.data, p.wire_len) {
            if frame.net == NetKind::Wlan {
                frame.pcap_buf = buf.get(at..).unwrap_or(&[]);
            }
            self.frame(&frame);
        }
        self.wlan_buf = buf;
    }

    /// Runs the queue manager when 200 ms of packet time have passed
    /// (argus's `ArgusUpdateTime`).
    fn tick(&mut self) {
        const IVAL: i64 = 200_000;
        if self.update_timer.is_zero() {
            self.update_timer = self.now;
        }
        let diff = self.now.as_micros() - self.update_timer.as_micros();
        if diff >= 0 {
            if diff > IVAL {
                self.update_timer = self.now;
            }
            self.update_timer = Timeval::from_micros(self.update_timer.as_micros() + IVAL);
            self.queue_manager(self.cfg.status_interval);
        }
    }

    /// End of input: every flow is reported (argus sets the status
    /// interval to "0" and runs the queue manager, then flushes what is
    /// left with cause SHUTDOWN).
    pub fn finish(&mut self) {
        self.queue_manager(self.cfg.status_interval_frac);
        self.shutdown();
    }

    /// Live capture with no packet for a while: the clock moves on to `t`
    /// (the wall clock, the kernel's packet time base) so that status
    /// reports and idle timeouts still happen on a silent interface, as
    /// argus does when its read times out. Time never goes backwards.
    pub fn advance(&mut self, t: Timeval) {
        if t.as_micros() > self.now.as_micros() {
            self.now = t;
        }
        self.tick();
    }

    /// SIGTERM/SIGINT: every flow with unreported traffic is reported now
    /// with cause SHUTDOWN (what 3.0.8.2 sends its clients when stopped;
    /// `remote/remote_session_shutdown.bin`).
    pub fn interrupt(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests;

/// Fuzzing entry point: a capture file held in memory through the whole
/// engine (every option on, a tiny table); must never panic.
pub fn fuzz_engine(data: &[u8]) {
    let cfg = Config {
        status_interval: 1_000_000,
        user_data: 32,
        mac: true,
        jitter: true,
        psize: true,
        appbytes: true,
        max_flows: 8,
        ..Config::default()
    };
    let mut e = Engine::new(cfg);
    let Ok(mut cf) = crate::capture::CaptureFile::from_reader(
        "fuzz",
        Box::new(std::io::Cursor::new(data.to_vec())),
    ) else {
        return;
    };
    while let Ok(Some(p)) = cf.next_packet() {
        e.packet(&p);
        e.records().clear();
    }
    e.finish();
}
