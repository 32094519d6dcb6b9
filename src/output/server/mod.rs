//! The remote-access server (port 561): what lets `ra -S host:port` read a
//! running argus (argus-format.md §5).
//!
//! * [`listen`] binds the sockets; it runs before privileges are dropped.
//! * [`spawn`] starts one acceptor thread per socket. A connection is first
//!   checked against the access rules ([`access`]) and the client limit; a
//!   refused peer gets an error MAR (cause ERROR, option "access denied" or
//!   "too many clients") and is closed. Otherwise a thread of its own sends
//!   the initial MAR and runs the handshake (`FILTER: ` gets `OK` or `SY`,
//!   `START: ` starts the stream; no `START: ` within 5 s drops it).
//! * A started client is handed to the output thread as a [`Client`]: a
//!   bounded queue of shared records. The output thread only ever offers a
//!   record without waiting ([`Client::offer`]); when the queue is full the
//!   client is dropped, its socket shut down and the reason logged, so a
//!   slow or dead client never holds up capture or the other outputs.
//! * The client's own thread filters, encodes (with its own record buffer,
//!   as each 3.0.8.2 client has) and writes, and watches for `DONE: ` or
//!   the peer closing.

pub mod access;
pub mod protocol;

use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use self::access::AccessControl;
use self::protocol::Command;
use super::encoder::RecordEncoder;
use crate::codec;
use crate::filter::Filter;
use crate::record::{cause, Mar, Record, RecordClass, RecordHeader};

/// Error MAR options (low nibble of the cause byte).
pub const ACCESS_DENIED: u8 = 0x1;
pub const TOO_MANY_CLIENTS: u8 = 0x2;

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Program name for log lines.
    pub prog: String,
    /// Most clients at once (3.0.8.2: 10).
    pub max_clients: usize,
    /// Records a client may have waiting before it is dropped.
    pub queue_records: usize,
    /// Time allowed between connecting and `START: ` (3.0.8.2: 5 s).
    pub startup_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            prog: "argus".into(),
            max_clients: 10,
            queue_records: 65_536,
            startup_timeout: Duration::from_secs(5),
        }
    }
}

/// Builds the initial MAR for a new client (it carries the current output
/// sequence number, so it is made at accept time).
pub type InitialMar = Box<dyn Fn() -> Mar + Send + Sync>;

/// What the acceptors, the client threads and the output thread share.
pub struct Shared {
    cfg: ServerConfig,
    access: RwLock<AccessControl>,
    initial_mar: InitialMar,
    active: AtomicUsize,
    /// Clients that have sent `START: ` since the server started.
    started_total: AtomicUsize,
    stop: AtomicBool,
    started: Mutex<Sender<Client>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    log: Box<dyn Fn(&str) + Send + Sync>,
}

impl Shared {
    fn log(&self, msg: &str) {
        (self.log)(msg)
    }

    /// Replaces the access rules (SIGHUP).
    pub fn set_access(&self, a: AccessControl) {
        if let Ok(mut g) = self.access.write() {
            *g = a;
        }
    }

    /// Clients connected now (started or not).
    pub fn active(&self) -> usize {
        self.active.load(Ordering::Relaxed)
    }

    /// Clients that have started streaming since the server started. Each
    /// was handed to the output thread before it was counted, so a record
    /// sent to the output thread after this count was read reaches them.
    pub fn started_total(&self) -> usize {
        self.started_total.load(Ordering::SeqCst)
    }
}

/// A started client as the output thread holds it.
pub struct Client {
    pub peer: SocketAddr,
    queue: SyncSender<Arc<Record>>,
    stream: TcpStream,
    dropped: Arc<AtomicBool>,
}

/// Why a client left the output thread's list.
#[derive(Debug, PartialEq, Eq)]
pub enum Gone {
    /// It closed or finished; nothing to report.
    Left,
    /// Its queue overflowed: it is not reading fast enough.
    QueueFull,
}

impl Client {
    /// Queues a record without waiting.
    pub fn offer(&self, rec: &Arc<Record>) -> Result<(), Gone> {
        match self.queue.try_send(Arc::clone(rec)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(Gone::QueueFull),
            Err(TrySendError::Disconnected(_)) => Err(Gone::Left),
        }
    }

    /// Ends the client now: its thread stops and the socket is shut down
    /// (which also wakes a write blocked on a full socket buffer).
    pub fn kill(&self) {
        self.dropped.store(true, Ordering::SeqCst);
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// Binds the listening sockets: one per bind address (`-B`,
/// `ARGUS_BIND_IP`, comma separated), or the wildcard addresses of both
/// families when none is given.
pub fn listen(port: u16, bind: &[String]) -> io::Result<Vec<TcpListener>> {
    let mut out = Vec::new();
    let mut last_err = None;
    let addrs: Vec<SocketAddr> = if bind.is_empty() || bind.iter().any(|b| b == "any") {
        vec![SocketAddr::from(([0u16; 8], port)), SocketAddr::from(([0u8; 4], port))]
    } else {
        let mut v = Vec::new();
        for b in bind {
            let host = b.trim_start_matches('[').trim_end_matches(']');
            v.extend((host, port).to_socket_addrs()?);
        }
        v
    };
    for a in addrs {
        match bind_one(a) {
            Ok(l) => out.push(l),
            Err(e) => last_err = Some(e),
        }
    }
    if out.is_empty() {
        return Err(last_err.unwrap_or_else(|| io::Error::other("no address to listen on")));
    }
    Ok(out)
}

/// One listening socket. IPv6 wildcard sockets are made v6-only so that
/// the IPv4 wildcard can be bound next to them; a host without IPv6
/// just gets the IPv4 one.
fn bind_one(a: SocketAddr) -> io::Result<TcpListener> {
    use std::os::fd::FromRawFd;
    let family = if a.is_ipv6() { libc::AF_INET6 } else { libc::AF_INET };
    // SAFETY: plain socket(2); the descriptor is owned by the listener
    // built from it below, or closed on the error paths.
    let fd = unsafe { libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh socket we own; from here the listener closes it.
    let listener = unsafe { TcpListener::from_raw_fd(fd) };
    let one: libc::c_int = 1;
    let setopt = |level, name| {
        // SAFETY: `one` outlives the call and its size is passed.
        unsafe {
            libc::setsockopt(
                fd,
                level,
                name,
                &one as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        }
    };
    setopt(libc::SOL_SOCKET, libc::SO_REUSEADDR);
    if a.is_ipv6() {
        setopt(libc::IPPROTO_IPV6, libc::IPV6_V6ONLY);
    }
    let (storage, len) = sockaddr(a);
    // SAFETY: `storage` holds a valid sockaddr of `len` bytes.
    if unsafe { libc::bind(fd, &storage as *const _ as *const libc::sockaddr, len) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: plain listen(2) on our socket; backlog as 3.0.8.2's.
    if unsafe { libc::listen(fd, 10) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(listener)
}

fn sockaddr(a: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid value.
    let mut st: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    match a {
        SocketAddr::V4(v4) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: v4.port().to_be(),
                sin_addr: libc::in_addr { s_addr: u32::from(*v4.ip()).to_be() },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            unsafe { std::ptr::write(&mut st as *mut _ as *mut libc::sockaddr_in, sin) };
            (st, std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t)
        }
        SocketAddr::V6(v6) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr { s6_addr: v6.ip().octets() },
                sin6_scope_id: v6.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            unsafe { std::ptr::write(&mut st as *mut _ as *mut libc::sockaddr_in6, sin6) };
            (st, std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t)
        }
    }
}

/// Starts the acceptor threads. Started clients arrive on the returned
/// receiver, for the output thread.
pub fn spawn(
    listeners: Vec<TcpListener>,
    cfg: ServerConfig,
    access: AccessControl,
    initial_mar: InitialMar,
    log: Box<dyn Fn(&str) + Send + Sync>,
) -> io::Result<(Arc<Shared>, Receiver<Client>)> {
    let (tx, rx) = mpsc::channel();
    let shared = Arc::new(Shared {
        cfg,
        access: RwLock::new(access),
        initial_mar,
        active: AtomicUsize::new(0),
        started_total: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        started: Mutex::new(tx),
        threads: Mutex::new(Vec::new()),
        log,
    });
    for l in listeners {
        l.set_nonblocking(true)?;
        let sh = Arc::clone(&shared);
        let h =
            thread::Builder::new().name("argus-accept".into()).spawn(move || accept_loop(l, sh))?;
        if let Ok(mut t) = shared.threads.lock() {
            t.push(h);
        }
    }
    Ok((shared, rx))
}

/// Stops accepting and waits (at most `grace`) for the client threads to
/// write what they have queued. Call after the output thread has sent the
/// stop MAR and dropped its clients.
pub fn stop(shared: &Shared, grace: Duration) {
    shared.stop.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + grace;
    while shared.active() > 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    let handles: Vec<JoinHandle<()>> = match shared.threads.lock() {
        Ok(mut t) => t.drain(..).collect(),
        Err(_) => Vec::new(),
    };
    for h in handles {
        if h.is_finished() {
            let _ = h.join();
        }
    }
}

/// The 128-byte error MAR. 3.0.8.2 sends only the 4-byte header, which its
/// own ra cannot recognise (it waits for 16 bytes and reports "connection
/// closed"); a whole MAR makes ra say "remote access denied".
pub fn error_mar(option: u8) -> Vec<u8> {
    let m = Mar {
        header: RecordHeader { class: RecordClass::Mar, version: 3, cause: cause::ERROR, option },
        argusid: 0,
        record_len: u32::MAX,
        ..Mar::default()
    };
    let mut out = Vec::with_capacity(128);
    if codec::encode(&Record::Mar(m), &mut out).is_err() {
        out = vec![0x83, 0x80 | option, 0, 1];
    }
    out
}

fn accept_loop(l: TcpListener, sh: Arc<Shared>) {
    while !sh.stop.load(Ordering::SeqCst) {
        match l.accept() {
            Ok((s, peer)) => admit(s, peer, &sh),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(50));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                sh.log(&format!("ArgusCheckClientStatus: accept: {e}"));
                thread::sleep(Duration::from_millis(200));
            }
        }
    }
}

fn refuse(mut s: TcpStream, option: u8) {
    let _ = s.set_nonblocking(false);
    let _ = s.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = s.write_all(&error_mar(option));
    let _ = s.shutdown(Shutdown::Both);
}

fn admit(s: TcpStream, peer: SocketAddr, sh: &Arc<Shared>) {
    let ip: IpAddr = access::canonical(peer.ip());
    let verdict = sh.access.read().ok().and_then(|a| a.check(ip));
    if let Some(why) = verdict {
        sh.log(&format!("refused connect from {ip}: {why}"));
        refuse(s, ACCESS_DENIED);
        return;
    }
    if sh.active.fetch_add(1, Ordering::SeqCst) >= sh.cfg.max_clients {
        sh.active.fetch_sub(1, Ordering::SeqCst);
        sh.log(&format!(
            "refused connect from {ip}: {} clients already connected (the limit)",
            sh.cfg.max_clients
        ));
        refuse(s, TOO_MANY_CLIENTS);
        return;
    }
    sh.log(&format!("connect from {ip}"));
    let sh2 = Arc::clone(sh);
    let spawned = thread::Builder::new().name(format!("argus-client-{peer}")).spawn(move || {
        let why = serve(s, peer, &sh2);
        if let Some(why) = why {
            sh2.log(&format!("client {peer}: {why}"));
        }
        sh2.active.fetch_sub(1, Ordering::SeqCst);
    });
    match spawned {
        Ok(h) => {
            if let Ok(mut t) = sh.threads.lock() {
                t.retain(|h| !h.is_finished());
                t.push(h);
            }
        }
        Err(e) => {
            sh.active.fetch_sub(1, Ordering::SeqCst);
            sh.log(&format!("client {peer}: cannot start a thread: {e}"));
        }
    }
}

/// The kernel's send buffer per client. Bounded, so that a client that
/// stops reading shows up as a full queue within a predictable amount of
/// data rather than after megabytes of autotuned buffer.
const SEND_BUFFER: libc::c_int = 256 * 1024;

fn set_send_buffer(s: &TcpStream, bytes: libc::c_int) {
    use std::os::fd::AsRawFd;
    // SAFETY: setsockopt on a socket we own, with a valid int and its size.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            &bytes as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// Reads what the peer sent, waiting at most until `deadline`; `Ok(None)`
/// when it closed.
fn read_chunk(s: &mut TcpStream, deadline: Instant, buf: &mut [u8]) -> io::Result<Option<usize>> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"));
    }
    s.set_read_timeout(Some(left))?;
    loop {
        match s.read(buf) {
            Ok(0) => return Ok(None),
            Ok(n) => return Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"))
            }
            Err(e) => return Err(e),
        }
    }
}

/// One client, from the initial MAR to the end. Returns why it ended when
/// that is worth a log line.
fn serve(mut s: TcpStream, peer: SocketAddr, sh: &Arc<Shared>) -> Option<String> {
    let _ = s.set_nonblocking(false);
    let _ = s.set_nodelay(true);
    let _ = s.set_write_timeout(Some(Duration::from_secs(30)));
    set_send_buffer(&s, SEND_BUFFER);
    let mut enc = RecordEncoder::new();
    let init = Record::Mar((sh.initial_mar)());
    match enc.encode(&init) {
        Ok(b) => {
            if let Err(e) = s.write_all(b) {
                return Some(format!("write: {e}"));
            }
        }
        Err(e) => return Some(format!("initial MAR: {e}")),
    }
    // The handshake.
    let deadline = Instant::now() + sh.cfg.startup_timeout;
    let mut filter: Option<Filter> = None;
    let mut buf = vec![0u8; protocol::MAX_COMMAND];
    'handshake: loop {
        let n = match read_chunk(&mut s, deadline, &mut buf) {
            Ok(Some(n)) => n,
            Ok(None) => return None,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                return Some("never started: timed out".into())
            }
            Err(e) => return Some(format!("read: {e}")),
        };
        for cmd in protocol::parse(&buf[..n]) {
            match cmd {
                Command::Start => break 'handshake,
                Command::Done => return None,
                Command::Filter(expr) => match Filter::compile(&expr) {
                    Ok(f) => {
                        filter = Some(f);
                        if let Err(e) = s.write_all(b"OK") {
                            return Some(format!("write: {e}"));
                        }
                    }
                    Err(_) => {
                        let _ = s.write_all(b"SY");
                        return Some(format!("filter syntax error: '{expr}'"));
                    }
                },
                Command::Ignored(_) => {}
                Command::Unknown(t) => {
                    sh.log(&format!("ArgusCheckClientMessage: client {peer} received {t}"))
                }
            }
        }
    }
    // Streaming.
    let (tx, rx) = mpsc::sync_channel(sh.cfg.queue_records.max(1));
    let dropped = Arc::new(AtomicBool::new(false));
    let Ok(handle) = s.try_clone() else { return Some("cannot clone the socket".into()) };
    let registered = sh
        .started
        .lock()
        .ok()
        .map(|t| {
            t.send(Client { peer, queue: tx, stream: handle, dropped: Arc::clone(&dropped) })
                .is_ok()
        })
        .unwrap_or(false);
    if !registered {
        return None; // the output thread has gone: argus is stopping
    }
    sh.started_total.fetch_add(1, Ordering::SeqCst);
    stream(s, rx, &dropped, filter, enc, &mut buf)
}

/// Writes queued records until the queue closes (argus stops), the client
/// says `DONE: `, closes, or is dropped.
fn stream(
    mut s: TcpStream,
    rx: Receiver<Arc<Record>>,
    dropped: &AtomicBool,
    filter: Option<Filter>,
    mut enc: RecordEncoder,
    buf: &mut [u8],
) -> Option<String> {
    let mut out: Vec<u8> = Vec::with_capacity(1 << 16);
    loop {
        let mut closing = false;
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(rec) => {
                let mut next = Some(rec);
                while let Some(rec) = next.take() {
                    let pass = rec.is_mar() || filter.as_ref().is_none_or(|f| f.matches(&rec));
                    if pass {
                        match enc.encode(&rec) {
                            Ok(b) => out.extend_from_slice(b),
                            Err(e) => return Some(format!("encode: {e}")),
                        }
                    }
                    if out.len() < (1 << 16) {
                        next = rx.try_recv().ok();
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => closing = true,
        }
        if dropped.load(Ordering::SeqCst) {
            return None; // the output thread logged why
        }
        if !out.is_empty() {
            if let Err(e) = s.write_all(&out) {
                if dropped.load(Ordering::SeqCst) {
                    return None;
                }
                return Some(format!("write: {e}"));
            }
            out.clear();
        }
        if closing {
            let _ = s.flush();
            let _ = s.shutdown(Shutdown::Write);
            return None;
        }
        // DONE: or a closed peer, without blocking.
        if s.set_nonblocking(true).is_ok() {
            let r = s.read(buf);
            let _ = s.set_nonblocking(false);
            match r {
                Ok(0) => return None,
                Ok(n) => {
                    if protocol::parse(&buf[..n]).contains(&Command::Done) {
                        return None;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Some(format!("read: {e}")),
            }
        }
    }
}
