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
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::daemon::{self, Ready};
use super::signals::{self, Request};
use super::{mar, wall_clock, Options, PROG};
use crate::capture::bpf::CaptureFilter;
use crate::capture::live::{LiveCapture, LiveOptions, Read};
use crate::capture::CaptureFile;
use crate::diag::{self, Fatal};
use crate::filter::Filter;
use crate::flow::Engine;
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

/// Where packets come from.
enum Source {
    Interface(LiveCapture),
    Replay(Vec<String>, f64),
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
    pid_file: Option<std::path::PathBuf>,
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
    if let Some(factor) = opts.realtime.filter(|_| !opts.rfiles.is_empty()) {
        sources.push(Source::Replay(opts.rfiles.clone(), factor));
    } else {
        let devices = if opts.interfaces.is_empty() {
            vec!["any".to_string()]
        } else {
            opts.interfaces.clone()
        };
        let lo = LiveOptions {
            snaplen: opts.capture_snaplen(),
            promisc: opts.promisc,
            buffer_size: opts.pcap_buf,
            filter: opts.bpf.clone(),
        };
        for d in &devices {
            match LiveCapture::open(d, &lo) {
                Ok(mut c) => {
                    if let (Some(pf), true) = (&opts.packet_file, sources.is_empty()) {
                        c.dump_to(pf).map_err(Fatal::err)?;
                    }
                    sources.push(Source::Interface(c));
                }
                // A filter that does not compile is fatal; a missing device
                // is not while others open (3.0.8.2 warns and goes on).
                Err(e) if opts.bpf.as_deref().is_some_and(|f| e.starts_with(f)) => {
                    return Err(Fatal::err(e))
                }
                Err(e) => log(&format!("ArgusOpenInterface {e}")),
            }
        }
        if sources.is_empty() {
            return Err(Fatal::err("no interface could be opened"));
        }
    }
    let net = sources
        .iter()
        .find_map(|s| match s {
            Source::Interface(c) if c.net().0 != 0 => Some(c.net()),
            _ => None,
        })
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
        let dev = opts.interfaces.first().map(String::as_str).unwrap_or("any");
        Some(daemon::write_pid_file(&opts.pid_path, PROG, dev).map_err(Fatal::err)?)
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
        let h = thread::Builder::new()
            .name("argus-source".into())
            .spawn(move || {
                match src {
                    Source::Interface(c) => capture_loop(c, &o, tx, &st2, &stop),
                    Source::Replay(files, f) => replay_loop(&files, f, &o, tx, &st2, &stop),
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
            let _ = std::fs::remove_file(p);
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

fn capture_loop(
    mut cap: LiveCapture,
    opts: &Options,
    tx: SyncSender<ToOutput>,
    st: &SourceStats,
    stop: &AtomicBool,
) {
    let mut e = engine(opts, tx);
    st.linktype.store(u32::from(cap.linktype()), Ordering::Relaxed);
    let mut housekeeping = Instant::now();
    let mut n: u32 = 0;
    while !stop.load(Ordering::Relaxed) {
        let idle = match cap.read() {
            Ok(Read::Packet(p)) => {
                e.packet(&p);
                n = n.wrapping_add(1);
                false
            }
            Ok(Read::Again) => continue,
            Ok(Read::Idle) => true,
            Err(msg) => {
                log(&format!("ArgusGetPackets: {msg}"));
                break;
            }
        };
        if idle || n.is_multiple_of(1024) {
            if idle {
                e.advance(wall_clock());
            }
            st.publish(&e);
            if housekeeping.elapsed() >= Duration::from_secs(1) {
                housekeeping = Instant::now();
                cap.maintain();
                st.drops.store(cap.stats().dropped, Ordering::Relaxed);
            }
        }
    }
    st.drops.store(cap.stats().dropped, Ordering::Relaxed);
    e.interrupt();
    st.publish(&e);
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
