//! `argus -i` (and `-r ... -T factor`): the long-running argus.
//!
//! Threads, started only after the optional fork into the background:
//!
//! * one **source** thread per interface (or one for the real-time
//!   replay), each with its own flow engine (3.0.8.2 also models each `-i`
//!   device separately). It reads packets, feeds the engine, and moves the
//!   engine's clock on with the wall clock when the interface is silent, so
//!   status reports and idle timeouts still happen;
//! * the **output** thread: records from the sources arrive through one
//!   bounded queue and go to every file and remote client
//!   ([`Fanout`]); it also writes the status MARs every `-M` seconds of wall
//!   time (as 3.0.8.2 does live), checks once a second for output files
//!   taken away, and reopens them all on SIGHUP;
//! * the remote-access acceptor and one thread per client
//!   ([`crate::output::server`]);
//! * the main thread, which waits for signals.
//!
//! Capture never waits on a remote client: clients have their own bounded
//! queues and are dropped when they overflow. Files are written by the
//! output thread; if a disk stalls, the queue to the output thread fills
//! and the source threads wait, so packets back up in the kernel's capture
//! buffer, whose drops are counted in the MARs — records already made are
//! never thrown away.
//!
//! SIGTERM/SIGINT: the sources stop, every flow with unreported traffic is
//! reported (cause SHUTDOWN), the output thread writes the STOP MAR to
//! every output, clients get what they have queued, and argus exits 0.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::daemon::{self, Ready};
use super::options::{Device, InterfaceGroup};
use super::signals::{self, Request};
use super::{mar, wall_clock, Options, PROG};
use crate::capture::bpf::CaptureFilter;
use crate::capture::dump::{DumpInterface, PacketDump};
use crate::capture::live::{self, LiveCapture, LiveOptions, READ_TIMEOUT_MS};
use crate::capture::{CaptureFile, Packet};
use crate::diag::{self, Fatal};
use crate::filter::Filter;
use crate::flow::{Engine, SourceId};
use crate::output::fanout::Fanout;
use crate::output::server::{self, access::AccessControl, ServerConfig};
use crate::output::ArchiveWriter;
use crate::record::{cause, Mar, Record, Timeval};

/// Records waiting for the output thread (about 30 MB of records at most).
const OUTPUT_QUEUE: usize = 65_536;

/// How long clients get to write out what they have queued at the end.
const CLIENT_GRACE: Duration = Duration::from_secs(5);

fn log(msg: &str) {
    diag::log(PROG, msg);
}

/// What the output thread receives.
enum ToOutput {
    Record(Arc<Record>),
    Reopen,
}

/// Counters a source publishes for the MARs.
#[derive(Default)]
struct SourceStats {
    packets: AtomicU64,
    bytes: AtomicU64,
    drops: AtomicU64,
    flows: AtomicU64,
    active: AtomicU64,
    linktype: AtomicU32,
    done: AtomicBool,
}

impl SourceStats {
    fn publish(&self, e: &Engine) {
        let s = e.stats;
        self.packets.store(s.packets, Ordering::Relaxed);
        self.bytes.store(s.bytes, Ordering::Relaxed);
        self.flows.store(s.flows, Ordering::Relaxed);
        self.active.store(e.flows() as u64, Ordering::Relaxed);
    }
}

/// Totals over all sources, for MAR deltas.
#[derive(Clone, Copy, Default)]
struct Totals {
    packets: u64,
    bytes: u64,
    drops: u64,
    flows: u64,
}

/// What MARs are made from.
struct MarSource {
    opts: Options,
    started: Timeval,
    net: (u32, u32),
    last_seq: AtomicU32,
    sources: Vec<Arc<SourceStats>>,
}

impl MarSource {
    fn initial(&self) -> Mar {
        let mut m = mar(&self.opts, cause::START);
        m.start = self.started;
        m.now = wall_clock();
        m.localnet = self.net.0;
        m.netmask = self.net.1;
        m.next_seq = self.last_seq.load(Ordering::Relaxed);
        m
    }

    fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for s in &self.sources {
            t.packets += s.packets.load(Ordering::Relaxed);
            t.bytes += s.bytes.load(Ordering::Relaxed);
            t.drops += s.drops.load(Ordering::Relaxed);
            t.flows += s.flows.load(Ordering::Relaxed);
        }
        t
    }

    /// A status (or stop) MAR covering what happened since `last`.
    fn status(&self, c: u8, since: Timeval, last: &mut Totals, fan: &Fanout) -> Mar {
        let now = self.totals();
        let mut m = mar(&self.opts, c);
        m.start = since;
        m.now = wall_clock();
        m.next_seq = self.last_seq.load(Ordering::Relaxed);
        m.interface_type = self
            .sources
            .iter()
            .map(|s| s.linktype.load(Ordering::Relaxed))
            .next_back()
            .unwrap_or(0)
            .min(255) as u8;
        m.pkts_rcvd = now.packets.saturating_sub(last.packets);
        m.bytes_rcvd = now.bytes.saturating_sub(last.bytes);
        m.dropped = now.drops.saturating_sub(last.drops).min(u64::from(u32::MAX)) as u32;
        m.flows = now.flows.saturating_sub(last.flows).min(u64::from(u32::MAX)) as u32;
        m.records = fan.records_since_mar;
        m.queue = self
            .sources
            .iter()
            .map(|s| s.active.load(Ordering::Relaxed))
            .sum::<u64>()
            .min(u64::from(u32::MAX)) as u32;
        m.clients = fan.outputs();
        *last = now;
        m
    }
}

/// Where packets come from: the devices of one group (one flow engine),
/// or capture files replayed in real time.
enum Source {
    Interfaces(Group),
    Replay(Vec<String>, f64),
}

/// The open devices of one `-i` group.
struct Group {
    captures: Vec<LiveCapture>,
    /// The source id of each device's flows.
    srcids: Vec<SourceId>,
    /// Each device's interface number in the packet file.
    dump_index: Vec<usize>,
}

/// The groups to capture on: `-i`/ARGUS_INTERFACE with `all` expanded, or
/// libpcap's default device (as 3.0.8.2).
fn interface_groups(opts: &Options) -> Result<Vec<InterfaceGroup>, Fatal> {
    if opts.interfaces.is_empty() {
        let name = live::default_device().map_err(|e| Fatal::err(format!("ArgusSource: {e}")))?;
        let devices = vec![Device { name, datalink: None, srcid: None }];
        return Ok(vec![InterfaceGroup { devices, kind: "" }]);
    }
    let mut out = Vec::new();
    for g in &opts.interfaces {
        let mut devices = Vec::new();
        for d in &g.devices {
            if d.name != "all" {
                devices.push(d.clone());
                continue;
            }
            let all = live::all_devices().map_err(|e| Fatal::err(format!("ArgusSource: {e}")))?;
            devices.extend(all.into_iter().map(|name| Device { name, ..d.clone() }));
        }
        if g.kind.is_empty() {
            out.extend(devices.into_iter().map(|d| InterfaceGroup { devices: vec![d], kind: "" }));
        } else {
            out.push(InterfaceGroup { devices, kind: g.kind });
        }
    }
    Ok(out)
}

/// Opens every device of every group. A device that cannot be opened is
/// skipped with a warning while others open (3.0.8.2 goes on too); a
/// capture filter that does not compile is fatal.
fn open_groups(opts: &Options) -> Result<Vec<Group>, Fatal> {
    let lo = LiveOptions {
        snaplen: opts.capture_snaplen(),
        promisc: opts.promisc,
        buffer_size: opts.pcap_buf,
        filter: opts.bpf.clone(),
        immediate: false,
    };
    let mut groups = Vec::new();
    for g in interface_groups(opts)? {
        // A group's packets are merged in time order: each device hands
        // its packets over as they come rather than a block at a time.
        let lo = LiveOptions { immediate: g.devices.len() > 1, ..lo.clone() };
        let mut group = Group { captures: Vec::new(), srcids: Vec::new(), dump_index: Vec::new() };
        for d in &g.devices {
            let dlt = match &d.datalink {
                Some(name) => Some(live::datalink_by_name(name).ok_or_else(|| {
                    Fatal::err(format!("{}: unknown data link type {name}", d.name))
                })?),
                None => None,
            };
            match LiveCapture::open(&d.name, dlt, &lo) {
                Ok(c) => {
                    group.captures.push(c);
                    group.srcids.push(d.srcid.unwrap_or(opts.engine.srcid));
                }
                Err(e) if opts.bpf.as_deref().is_some_and(|f| e.starts_with(f)) => {
                    return Err(Fatal::err(e))
                }
                Err(e) => log(&format!("ArgusOpenInterface {e}")),
            }
        }
        if !group.captures.is_empty() {
            groups.push(group);
        }
    }
    if groups.is_empty() {
        return Err(Fatal::err("no interface could be opened"));
    }
    Ok(groups)
}

/// ARGUS_PACKET_CAPTURE_FILE: one file for the packets of every device.
fn packet_dump(path: &str, groups: &mut [Group]) -> Result<PacketDump, Fatal> {
    let mut interfaces = Vec::new();
    for g in groups.iter_mut() {
        for c in &g.captures {
            g.dump_index.push(interfaces.len());
            interfaces.push(DumpInterface {
                name: c.name().to_string(),
                linktype: c.linktype(),
                snaplen: c.snaplen(),
            });
        }
    }
    PacketDump::create(path, interfaces).map_err(|e| Fatal::err(format!("{path}: {e}")))
}

/// Reads the tcp_wrappers files; one that cannot be read counts as empty.
fn access_rules(opts: &Options, previous: Option<&(String, String)>) -> (String, String) {
    let read = |p: &str, old: Option<&String>| match std::fs::read_to_string(p) {
        Ok(t) => t,
        // After a chroot the files may be out of reach: keep what we had.
        Err(_) => old.cloned().unwrap_or_default(),
    };
    (
        read(&opts.hosts_allow, previous.map(|p| &p.0)),
        read(&opts.hosts_deny, previous.map(|p| &p.1)),
    )
}

fn access_control(opts: &Options, files: &(String, String)) -> AccessControl {
    AccessControl::new(
        PROG,
        opts.access_allow.clone(),
        opts.access_deny.clone(),
        &files.0,
        &files.1,
    )
}

/// Runs argus live until a signal (or the end of a real-time replay).
pub fn run(opts: &Options) -> Result<i32, Fatal> {
    for w in &opts.warnings {
        log(w);
    }
    // Everything that can be checked without side effects, first.
    let mut filters = Vec::new();
    for (path, filter) in &opts.wfiles {
        let f = match filter {
            Some(expr) => Some(
                Filter::compile(expr)
                    .map_err(|e| Fatal::err(format!("ArgusFilter syntax error: {expr}: {e}")))?,
            ),
            None => None,
        };
        filters.push((path.clone(), f));
    }
    let identity =
        daemon::resolve(opts.user.as_deref(), opts.group.as_deref()).map_err(Fatal::err)?;
    let mut ready: Option<Ready> =
        if opts.daemon { Some(daemon::daemonize(PROG).map_err(Fatal::err)?) } else { None };
    match start(opts, filters, identity) {
        Ok(mut running) => {
            if let Some(r) = ready.as_mut() {
                r.ok();
                diag::use_syslog(PROG);
                log("started");
            }
            running.wait()
        }
        Err(f) => {
            if let Some(r) = ready.as_mut() {
                r.fail(&f.message);
            }
            Err(f)
        }
    }
}

/// A started argus.
struct Running {
    stop: Arc<AtomicBool>,
    sources: Vec<(JoinHandle<()>, Arc<SourceStats>)>,
    to_output: Option<SyncSender<ToOutput>>,
    output: Option<JoinHandle<Result<(), String>>>,
    server: Option<Arc<server::Shared>>,
    pid_file: Option<daemon::PidFile>,
    opts: Options,
    wrappers: (String, String),
}

fn start(
    opts: &Options,
    filters: Vec<(String, Option<Filter>)>,
    identity: daemon::Identity,
) -> Result<Running, Fatal> {
    for (k, v) in &opts.env {
        // Single-threaded still: nothing reads the environment concurrently.
        std::env::set_var(k, v);
    }
    // Packet sources (as root).
    let mut sources = Vec::new();
    let mut dump = None;
    // The device in the pid file's name: the first one (a replay: the
    // first file's name, as 3.0.8.2).
    let pid_name: String;
    if let Some(factor) = opts.realtime.filter(|_| !opts.rfiles.is_empty()) {
        pid_name = opts.rfiles[0].rsplit('/').next().unwrap_or("").to_string();
        sources.push(Source::Replay(opts.rfiles.clone(), factor));
    } else {
        let mut groups = open_groups(opts)?;
        pid_name = groups[0].captures[0].name().to_string();
        if let Some(path) = &opts.packet_file {
            dump = Some(Arc::new(Mutex::new(packet_dump(path, &mut groups)?)));
        }
        sources.extend(groups.into_iter().map(Source::Interfaces));
    }
    let net = sources
        .iter()
        .flat_map(|s| match s {
            Source::Interfaces(g) => g.captures.iter().map(LiveCapture::net).collect(),
            Source::Replay(..) => Vec::new(),
        })
        .find(|n| n.0 != 0)
        .unwrap_or((0, 0));
    // The remote-access port (as root: it may be below 1024).
    let listeners =
        if opts.port > 0 {
            Some(server::listen(opts.port, &opts.bind).map_err(|e| {
                Fatal::err(format!("ArgusEstablishListen: port {}: {e}", opts.port))
            })?)
        } else {
            None
        };
    let pid_file = if opts.daemon && opts.set_pid {
        let mut p = daemon::PidFile::create(&opts.pid_path, PROG, &pid_name).map_err(Fatal::err)?;
        if identity.uid.is_some_and(|u| u != 0) || opts.chroot.is_some() {
            p.keep_removable().map_err(Fatal::err)?;
        }
        Some(p)
    } else {
        None
    };
    let wrappers = access_rules(opts, None);
    daemon::drop_privileges(opts.chroot.as_deref(), identity).map_err(Fatal::err)?;

    // Outputs, as the user argus now runs as.
    let started = wall_clock();
    let stats: Vec<Arc<SourceStats>> =
        sources.iter().map(|_| Arc::new(SourceStats::default())).collect();
    let marsrc = Arc::new(MarSource {
        opts: opts.clone(),
        started,
        net,
        last_seq: AtomicU32::new(0),
        sources: stats.clone(),
    });
    let mut files = Vec::new();
    for (path, f) in filters {
        let mut w =
            ArchiveWriter::open(&path, f).map_err(|e| Fatal::err(format!("open {path}: {e}")))?;
        w.write_mar(&Record::Mar(marsrc.initial()))
            .map_err(|e| Fatal::err(format!("write {path}: {e}")))?;
        w.flush().map_err(|e| Fatal::err(format!("write {path}: {e}")))?;
        files.push(w);
    }

    // Threads from here on, with the signals blocked in all of them.
    signals::block();
    let (server, incoming) = match listeners {
        Some(l) => {
            let cfg = ServerConfig {
                prog: PROG.into(),
                max_clients: opts.max_clients,
                queue_records: opts.client_queue,
                ..ServerConfig::default()
            };
            let ms = Arc::clone(&marsrc);
            let (sh, rx) = server::spawn(
                l,
                cfg,
                access_control(opts, &wrappers),
                Box::new(move || ms.initial()),
                Box::new(log),
            )
            .map_err(|e| Fatal::err(format!("remote access: {e}")))?;
            (Some(sh), Some(rx))
        }
        None => (None, None),
    };
    let (tx, rx) = mpsc::sync_channel(OUTPUT_QUEUE);
    let fan = Fanout::new(files, incoming, Box::new(log));
    let ms = Arc::clone(&marsrc);
    let output = thread::Builder::new()
        .name("argus-output".into())
        .spawn(move || output_loop(rx, fan, &ms))
        .map_err(|e| Fatal::err(format!("thread: {e}")))?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for (src, st) in sources.into_iter().zip(stats) {
        let (tx, stop, st2, o) = (tx.clone(), Arc::clone(&stop), Arc::clone(&st), opts.clone());
        let clients = server.clone();
        let dump = dump.clone();
        let h = thread::Builder::new()
            .name("argus-source".into())
            .spawn(move || {
                match src {
                    Source::Interfaces(g) => capture_loop(g, &o, tx, &st2, &stop, dump.as_deref()),
                    Source::Replay(files, f) => {
                        if wait_for_clients(&o, clients.as_deref(), &stop) {
                            replay_loop(&files, f, &o, tx, &st2, &stop)
                        }
                    }
                }
                st2.done.store(true, Ordering::SeqCst);
            })
            .map_err(|e| Fatal::err(format!("thread: {e}")))?;
        handles.push((h, st));
    }
    Ok(Running {
        stop,
        sources: handles,
        to_output: Some(tx),
        output: Some(output),
        server,
        pid_file,
        opts: opts.clone(),
        wrappers,
    })
}

impl Running {
    fn wait(&mut self) -> Result<i32, Fatal> {
        loop {
            match signals::wait(Duration::from_millis(250)) {
                Some(Request::Stop(sig)) => {
                    if self.opts.daemon {
                        log(&format!("{sig}: stopping"));
                    }
                    break;
                }
                Some(Request::Reopen) => {
                    if let Some(tx) = &self.to_output {
                        let _ = tx.send(ToOutput::Reopen);
                    }
                    if let Some(sh) = &self.server {
                        self.wrappers = access_rules(&self.opts, Some(&self.wrappers));
                        sh.set_access(access_control(&self.opts, &self.wrappers));
                    }
                }
                None => {}
            }
            let sources_done = self.sources.iter().all(|(_, s)| s.done.load(Ordering::SeqCst));
            let output_done = self.output.as_ref().is_none_or(|h| h.is_finished());
            if sources_done || output_done {
                break;
            }
        }
        self.finish()
    }

    fn finish(&mut self) -> Result<i32, Fatal> {
        self.stop.store(true, Ordering::SeqCst);
        for (h, _) in self.sources.drain(..) {
            let _ = h.join();
        }
        // The output thread ends when the last sender is gone.
        self.to_output = None;
        let result = match self.output.take().map(|h| h.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err("the output thread failed".to_string()),
            None => Ok(()),
        };
        if let Some(sh) = &self.server {
            server::stop(sh, CLIENT_GRACE);
        }
        if let Some(p) = &self.pid_file {
            p.remove();
        }
        if self.opts.daemon {
            log("stopped");
        }
        result.map(|()| diag::EXIT_OK).map_err(Fatal::err)
    }
}

fn output_loop(rx: Receiver<ToOutput>, mut fan: Fanout, ms: &MarSource) -> Result<(), String> {
    let every = Duration::from_secs(u64::from(ms.opts.mar_interval));
    let mut next_mar = Instant::now() + every;
    let mut last_mar = ms.started;
    let mut totals = Totals::default();
    let mut maintained = Instant::now();
    let start_mar = || Record::Mar(ms.initial());
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(ToOutput::Record(r)) => {
                fan.record(r)?;
                ms.last_seq.store(fan.last_seq, Ordering::Relaxed);
            }
            Ok(ToOutput::Reopen) => {
                fan.reopen(&start_mar)?;
                log("SIGHUP: output files reopened");
            }
            Err(RecvTimeoutError::Timeout) => fan.take_new_clients(),
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let now = Instant::now();
        if !every.is_zero() && now >= next_mar {
            let m = ms.status(cause::STATUS, last_mar, &mut totals, &fan);
            last_mar = m.now;
            fan.mar(Record::Mar(m))?;
            next_mar += every;
            if next_mar < now {
                next_mar = now + every;
            }
        }
        if now.duration_since(maintained) >= Duration::from_secs(1) {
            maintained = now;
            fan.maintain(&start_mar)?;
        }
    }
    let m = ms.status(cause::STOP, last_mar, &mut totals, &fan);
    fan.mar(Record::Mar(m))?;
    fan.close()
}

/// The engine of one source, its records sent to the output thread.
fn engine(opts: &Options, tx: SyncSender<ToOutput>) -> Engine {
    let mut e = Engine::new(opts.engine.clone());
    e.set_sink(Box::new(move |r| {
        // Waits when the output thread is behind (see the module docs); an
        // error means it is gone, and argus is ending anyway.
        let _ = tx.send(ToOutput::Record(Arc::new(r)));
    }));
    e
}

/// How long a stopping capture thread goes on reading what the kernel
/// has already captured (with TPACKET_V3 a packet reaches us up to one read
/// timeout after it arrived).
const DRAIN_LIMIT: Duration = Duration::from_secs(1);

/// Packets taken from one device before the next device of the group gets
/// its turn.
const BURST: usize = 64;

/// One group's devices through one engine, until `stop`; then what the
/// kernel holds already is read too, and every flow is reported.
fn capture_loop(
    mut g: Group,
    opts: &Options,
    tx: SyncSender<ToOutput>,
    st: &SourceStats,
    stop: &AtomicBool,
    dump: Option<&Mutex<PacketDump>>,
) {
    let mut e = engine(opts, tx);
    if g.captures.len() > 1 || g.srcids.iter().any(|id| *id != opts.engine.srcid) {
        e.set_interfaces(g.srcids.clone());
    }
    st.linktype.store(u32::from(g.captures[0].linktype()), Ordering::Relaxed);
    let mut sink = Sink { engine: e, dump, dump_index: g.dump_index.clone(), dump_failed: false };
    let mut held = Held::default();
    let mut housekeeping = Instant::now();
    let mut stopping: Option<Instant> = None;
    let mut failed = vec![false; g.captures.len()];
    let mut devices = DeviceStates::new(&g.captures);
    let mut bursts: u32 = 0;
    loop {
        if stopping.is_none() && stop.load(Ordering::Relaxed) {
            stopping = Some(Instant::now());
        }
        if stopping.is_some_and(|t| t.elapsed() >= DRAIN_LIMIT) {
            break;
        }
        let got = read_round(&mut g.captures, &mut failed, &mut sink, &mut held);
        if got {
            bursts = bursts.wrapping_add(1);
            if bursts.is_multiple_of(16) {
                st.publish(&sink.engine);
            }
        } else {
            // Nothing buffered: the counters are current before waiting.
            st.publish(&sink.engine);
            let ready = if failed.iter().all(|f| *f) {
                thread::sleep(Duration::from_millis(u64::from(READ_TIMEOUT_MS.unsigned_abs())));
                false
            } else {
                live::wait_readable(&g.captures, &failed)
            };
            if !ready {
                if stopping.is_some() {
                    break;
                }
                sink.engine.advance(wall_clock());
                st.publish(&sink.engine);
            }
        }
        if housekeeping.elapsed() >= Duration::from_secs(1) {
            housekeeping = Instant::now();
            devices.check(&mut g.captures, &mut failed);
            st.drops.store(drops(&mut g.captures), Ordering::Relaxed);
            if let Some(Ok(mut d)) = dump.map(Mutex::lock) {
                let _ = d.maintain();
            }
        }
    }
    st.drops.store(drops(&mut g.captures), Ordering::Relaxed);
    if let Some(Ok(mut d)) = dump.map(Mutex::lock) {
        let _ = d.flush();
    }
    sink.engine.interrupt();
    st.publish(&sink.engine);
}

/// Where a capture thread's packets go: its engine, and the packet file.
struct Sink<'a> {
    engine: Engine,
    dump: Option<&'a Mutex<PacketDump>>,
    dump_index: Vec<usize>,
    dump_failed: bool,
}

impl Sink<'_> {
    /// A packet from device `i` of the group.
    fn packet(&mut self, i: usize, p: &Packet<'_>) {
        self.engine.set_interface(i);
        self.engine.packet(p);
        let Some(d) = self.dump else { return };
        let r = match d.lock() {
            Ok(mut d) => d.write(self.dump_index.get(i).copied().unwrap_or(0), p),
            Err(_) => Ok(()),
        };
        match r {
            // Logged once until writing works again.
            Err(err) if !self.dump_failed => {
                log(&format!("ARGUS_PACKET_CAPTURE_FILE: {err}"));
                self.dump_failed = true;
            }
            Err(_) => {}
            Ok(()) => self.dump_failed = false,
        }
    }
}

/// Packets of a group's devices copied out of libpcap's buffers, so that
/// what the devices have at one moment goes to the engine in time order.
#[derive(Default)]
struct Held {
    packets: Vec<HeldPacket>,
    /// How many of `packets` are in use (their buffers are reused).
    len: usize,
}

#[derive(Default)]
struct HeldPacket {
    device: usize,
    sec: u32,
    usec: u32,
    wire_len: u32,
    linktype: u16,
    data: Vec<u8>,
}

impl Held {
    fn push(&mut self, device: usize, p: &Packet<'_>) {
        if self.len == self.packets.len() {
            self.packets.push(HeldPacket::default());
        }
        let h = &mut self.packets[self.len];
        self.len += 1;
        (h.device, h.sec, h.usec, h.wire_len, h.linktype) =
            (device, p.sec, p.usec, p.wire_len, p.linktype);
        h.data.clear();
        h.data.extend_from_slice(p.data);
    }
}

/// Reads what the devices have (up to [`BURST`] packets each) into `sink`;
/// false when they had nothing. A single device's packets go straight
/// from libpcap's buffer; a group's are merged by timestamp first (3.0.8.2
/// takes the devices in turn, so one packet seen on two devices of a bond
/// is counted in whichever order the reads happen to come).
fn read_round(
    caps: &mut [LiveCapture],
    failed: &mut [bool],
    sink: &mut Sink<'_>,
    held: &mut Held,
) -> bool {
    let single = caps.len() == 1;
    let mut got = false;
    held.len = 0;
    for (i, cap) in caps.iter_mut().enumerate() {
        for _ in 0..BURST {
            let p = match cap.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(msg) => {
                    // Logged once; the device is tried again (an interface
                    // that went down may come back up).
                    if !failed[i] {
                        log(&format!("ArgusGetPackets: {msg}"));
                        failed[i] = true;
                    }
                    break;
                }
            };
            failed[i] = false;
            got = true;
            if single {
                sink.packet(i, &p);
            } else {
                held.push(i, &p);
            }
        }
    }
    let batch = &mut held.packets[..held.len];
    batch.sort_by_key(|h| (h.sec, h.usec));
    for h in batch.iter() {
        let p = Packet {
            sec: h.sec,
            usec: h.usec,
            data: &h.data,
            wire_len: h.wire_len,
            linktype: h.linktype,
            buf_off: 0,
            buf_tail: &[],
        };
        sink.packet(h.device, &p);
    }
    got
}

/// What the capture thread last saw of its devices, as 3.0.8.2's
/// ArgusGetInterfaceStatus tracks them once a second: a device going down
/// or up is logged; a device whose capture failed (removed, say) is opened
/// again once it exists and is up (which needs the privileges argus
/// started with, as in 3.0.8.2).
struct DeviceStates {
    /// Up or down; `None`: not a network device (`any`), not tracked.
    up: Vec<Option<bool>>,
    /// A failed reopen is logged once per outage.
    reopen_logged: Vec<bool>,
}

impl DeviceStates {
    fn new(caps: &[LiveCapture]) -> DeviceStates {
        DeviceStates {
            up: caps.iter().map(|c| live::interface_up(c.name())).collect(),
            reopen_logged: vec![false; caps.len()],
        }
    }

    fn check(&mut self, caps: &mut [LiveCapture], failed: &mut [bool]) {
        for (i, cap) in caps.iter_mut().enumerate() {
            let Some(Some(was)) = self.up.get(i).copied() else { continue };
            // A device that is gone counts as down.
            let now = live::interface_up(cap.name()).unwrap_or(false);
            if now != was {
                let state = if now { "up" } else { "down" };
                log(&format!("ArgusGetInterfaceStatus: interface {} is {state}", cap.name()));
                self.up[i] = Some(now);
            }
            if !(now && failed.get(i).copied().unwrap_or(false)) {
                continue;
            }
            match cap.reopen() {
                Ok(()) => {
                    log(&format!("ArgusOpenInterface: {} opened again", cap.name()));
                    failed[i] = false;
                    self.reopen_logged[i] = false;
                }
                Err(e) if !self.reopen_logged[i] => {
                    log(&format!("ArgusOpenInterface: {e}"));
                    self.reopen_logged[i] = true;
                }
                Err(_) => {}
            }
        }
    }
}

/// The kernel's drops over a group's devices since they were opened.
fn drops(caps: &mut [LiveCapture]) -> u64 {
    caps.iter_mut().map(|c| c.stats().dropped).sum()
}

/// ARGUS_REPLAY_WAIT_CLIENTS: a replay meant for remote clients waits
/// until that many have started, so they get every record. False when
/// argus is stopped meanwhile.
fn wait_for_clients(opts: &Options, server: Option<&server::Shared>, stop: &AtomicBool) -> bool {
    let Some(server) = server.filter(|_| opts.replay_wait_clients > 0) else { return true };
    while server.started_total() < opts.replay_wait_clients {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        thread::sleep(Duration::from_millis(20));
    }
    true
}

/// `-r files -T factor`: the files' packets at their own pace (divided by
/// the factor), the engine's clock moving with the replay between packets.
fn replay_loop(
    files: &[String],
    factor: f64,
    opts: &Options,
    tx: SyncSender<ToOutput>,
    st: &SourceStats,
    stop: &AtomicBool,
) {
    let mut e = engine(opts, tx);
    let wall0 = Instant::now();
    let mut t0: Option<i64> = None;
    let mut filters: Vec<(u16, CaptureFilter)> = Vec::new();
    let mut interrupted = false;
    'files: for path in files {
        let mut cf = match CaptureFile::open(path) {
            Ok(cf) => cf,
            Err(err) => {
                log(&format!("ArgusOpenInputPacketFile: {err}"));
                continue;
            }
        };
        loop {
            if stop.load(Ordering::Relaxed) {
                interrupted = true;
                break 'files;
            }
            let p = match cf.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(err) => {
                    log(&err.to_string());
                    break;
                }
            };
            st.linktype.store(u32::from(p.linktype), Ordering::Relaxed);
            if let Some(expr) = &opts.bpf {
                if !filters.iter().any(|(l, _)| *l == p.linktype) {
                    match CaptureFilter::compile(expr, p.linktype) {
                        Ok(f) => filters.push((p.linktype, f)),
                        Err(err) => {
                            log(&format!("{expr}: {err}"));
                            break 'files;
                        }
                    }
                }
                let pass = filters
                    .iter()
                    .find(|(l, _)| *l == p.linktype)
                    .is_some_and(|(_, f)| f.matches(p.data, p.wire_len));
                if !pass {
                    continue;
                }
            }
            let t = i64::from(p.sec) * 1_000_000 + i64::from(p.usec);
            let first = *t0.get_or_insert(t);
            let due = Duration::from_micros(((t - first).max(0) as f64 / factor) as u64);
            loop {
                let el = wall0.elapsed();
                if el >= due || stop.load(Ordering::Relaxed) {
                    break;
                }
                thread::sleep((due - el).min(Duration::from_millis(100)));
                let replayed = first + (wall0.elapsed().as_micros() as f64 * factor) as i64;
                e.advance(Timeval::from_micros(replayed.min(t)));
                st.publish(&e);
            }
            e.packet(&p);
            st.publish(&e);
        }
    }
    if interrupted {
        e.interrupt();
    } else {
        e.finish();
    }
    st.publish(&e);
}
