//! `argus -i` and port 561, as root (CI runs as root): capture on `lo` and
//! across a veth pair in network namespaces made here, traffic made here
//! with std sockets, records compared with what the same packets give from
//! a capture file; the remote protocol both ways against Debian's `ra` and
//! `argus`; filters per client, a client that stops reading, refused
//! clients, SIGHUP, an output file taken away, SIGTERM.
//!
//! Every test captures with a BPF filter on ports of its own, so tests
//! running at the same time on `lo` do not see each other's traffic.
//! Processes and namespaces are removed by guards, also when a test fails.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util;

/// A background process killed (SIGKILL) and reaped when dropped. Its
/// stderr is collected by a thread (so a chatty process never blocks on a
/// full pipe) and returned by `wait`.
pub(crate) struct Proc {
    child: Option<Child>,
    stderr: Option<std::thread::JoinHandle<()>>,
    /// What the process has written to stderr so far.
    stderr_text: std::sync::Arc<std::sync::Mutex<String>>,
    stdout: Option<std::thread::JoinHandle<Vec<u8>>>,
}

impl Proc {
    pub(crate) fn spawn(cmd: &mut Command) -> Proc {
        Proc::spawn_with(cmd.stdout(Stdio::null()))
    }

    /// As `spawn`, stdout (and stdin) as the command has them set; a
    /// piped stdout is collected by a thread too (see `output`).
    pub(crate) fn spawn_with(cmd: &mut Command) -> Proc {
        let mut child = cmd.stderr(Stdio::piped()).spawn().expect("spawn");
        let (stderr, stderr_text) = collect(child.stderr.take().expect("stderr"));
        let stdout = child.stdout.take().map(|mut out| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = out.read_to_end(&mut bytes);
                bytes
            })
        });
        Proc { child: Some(child), stderr: Some(stderr), stderr_text, stdout }
    }

    /// As `spawn_with` with stdout piped, handed to the caller to read as
    /// it comes.
    pub(crate) fn spawn_reading(cmd: &mut Command) -> (Proc, std::process::ChildStdout) {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
        let out = child.stdout.take().expect("stdout");
        let (stderr, stderr_text) = collect(child.stderr.take().expect("stderr"));
        (Proc { child: Some(child), stderr: Some(stderr), stderr_text, stdout: None }, out)
    }

    pub(crate) fn pid(&self) -> i32 {
        self.child.as_ref().map(|c| c.id() as i32).unwrap_or(0)
    }

    pub(crate) fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child, which is not reaped yet.
        unsafe { libc::kill(self.pid(), sig) };
    }

    pub(crate) fn take_stdin(&mut self) -> std::process::ChildStdin {
        self.child.as_mut().and_then(|c| c.stdin.take()).expect("stdin piped")
    }

    /// True once the process has exited (it is reaped by `wait`).
    pub(crate) fn exited(&mut self) -> bool {
        let Some(c) = self.child.as_mut() else { return true };
        // SAFETY: waitid with WNOWAIT only looks: the child stays a zombie
        // for `wait` to collect.
        unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            let r = libc::waitid(
                libc::P_PID,
                c.id() as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            );
            r == 0 && info.si_pid() != 0
        }
    }

    fn collect_stderr(&mut self) -> String {
        if let Some(h) = self.stderr.take() {
            let _ = h.join();
        }
        self.stderr_so_far()
    }

    /// What the process has written to stderr until now.
    pub(crate) fn stderr_so_far(&self) -> String {
        self.stderr_text.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Waits for the exit (at most `limit`, then the process is killed and
    /// the test fails); returns the status and stderr.
    pub(crate) fn wait(mut self, limit: Duration) -> (Option<i32>, String) {
        let mut c = self.child.take().expect("child");
        let t = Instant::now();
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                return (st.code(), self.collect_stderr());
            }
            if t.elapsed() > limit {
                let _ = c.kill();
                let _ = c.wait();
                let err = self.collect_stderr();
                panic!("process did not exit within {limit:?}; stderr: {err}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The exit (at most `limit`, then SIGKILL), and what the process
    /// wrote to its piped stdout.
    pub(crate) fn output(mut self, limit: Duration) -> Vec<u8> {
        let mut c = self.child.take().expect("child");
        let t = Instant::now();
        while c.try_wait().ok().flatten().is_none() && t.elapsed() < limit {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        let _ = c.wait();
        let _ = self.collect_stderr();
        self.stdout.take().map(|h| h.join().unwrap_or_default()).unwrap_or_default()
    }
}

/// A thread that appends what `from` yields to a shared text as it comes.
fn collect(
    mut from: impl Read + Send + 'static,
) -> (std::thread::JoinHandle<()>, std::sync::Arc<std::sync::Mutex<String>>) {
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let to = text.clone();
    let h = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut t) = to.lock() {
                t.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
    });
    (h, text)
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A scratch directory under target/tmp, removed when dropped (also when
/// the test fails; set ARGUS_KEEP_SCRATCH=1 to keep it for a look).
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(test: &str) -> Scratch {
        let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("live-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }

    pub(crate) fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("ARGUS_KEEP_SCRATCH").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub(crate) fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The complete records of a file that may be being written (a record cut
/// short at the end is left out).
fn records_so_far(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap_or_default();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(h) = bytes.get(i..i + 4) {
        let len = if h[0] & 0xf0 == 0x80 {
            128
        } else {
            usize::from(u16::from_be_bytes([h[2], h[3]])) * 4
        };
        match bytes.get(i..i + len) {
            Some(r) if len > 0 => out.push(r.to_vec()),
            _ => break,
        }
        i += len;
    }
    out
}

/// What the management records of an archive say.
#[derive(Debug, Default)]
pub(crate) struct MarTotals {
    /// The `clients` field of the last MAR: files and started remote clients.
    pub(crate) outputs: u32,
    /// `pktsRcvd` summed: packets read from the devices.
    pub(crate) packets: u64,
    /// `dropped` summed: packets the kernel dropped for want of room.
    pub(crate) drops: u64,
    /// MARs reporting drops.
    pub(crate) reporting_drops: usize,
}

pub(crate) fn mar_totals(path: &Path) -> MarTotals {
    let mut t = MarTotals::default();
    for m in records_so_far(path).iter().filter(|r| r[0] & 0xf0 == 0x80) {
        let word = |at: usize| u32::from_be_bytes([m[at], m[at + 1], m[at + 2], m[at + 3]]);
        t.outputs = word(92);
        t.packets += u64::from(word(48)) << 32 | u64::from(word(52));
        t.drops += u64::from(word(80));
        t.reporting_drops += usize::from(word(80) > 0);
    }
    t
}

/// Waits until the MARs `argus -M 1` writes to `out` count `n` started
/// remote clients (besides the file itself).
fn wait_started_clients(out: &Path, n: u32) {
    wait_for(&format!("{n} started remote clients"), Duration::from_secs(60), || {
        mar_totals(out).outputs > n
    });
}

/// How many capture sockets process `pid` (in network namespace `ns`) has
/// ready: bound to their device with the BPF filter attached, which
/// libpcap does last (a socket that exists is not yet bound to its device,
/// and 3.0.8.2 writes its output file before opening any device). The
/// capture must have a filter (an empty one is a 1-instruction program,
/// like the reject-all one libpcap attaches while it drains the socket).
pub(crate) fn capturing_devices(ns: Option<&str>, pid: i32) -> usize {
    let mut cmd = match ns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", ns, "ss"]);
            c
        }
        None => Command::new("ss"),
    };
    let o = cmd.args(["-0", "-b", "-p", "-n"]).output().expect("ss");
    let text = String::from_utf8_lossy(&o.stdout);
    let mark = format!("pid={pid},");
    let mut ready = 0;
    let mut ours = false;
    for line in text.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("bpf filter (") {
            let n: usize = rest.split(')').next().and_then(|v| v.parse().ok()).unwrap_or(0);
            ready += usize::from(ours && n > 1);
            ours = false;
        } else {
            ours = line.contains(&mark);
        }
    }
    ready
}

/// The TCP connections process `pid` holds to `port`: (state, bytes
/// unsent, bytes unread), states as `/proc/net/tcp` numbers them (1
/// established, 8 close-wait).
fn tcp_to_port(pid: i32, port: u16) -> Vec<(u8, u64, u64)> {
    let inodes: std::collections::HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                .filter_map(|l| {
                    let l = l.to_string_lossy().into_owned();
                    Some(l.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    let table = std::fs::read_to_string(format!("/proc/{pid}/net/tcp")).unwrap_or_default();
    let want = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if !f.get(2)?.ends_with(&want) || !inodes.contains(*f.get(9)?) {
                return None;
            }
            let st = u8::from_str_radix(f.get(3)?, 16).ok()?;
            let (tx, rx) = f.get(4)?.split_once(':')?;
            Some((st, u64::from_str_radix(tx, 16).ok()?, u64::from_str_radix(rx, 16).ok()?))
        })
        .collect()
}

/// Waits until a remote client process has read to the end of what the
/// server sent and closed its connection (the server has gone).
fn wait_client_done(pid: i32, port: u16) {
    wait_for("the client to read the stream to its end", Duration::from_secs(60), || {
        tcp_to_port(pid, port).iter().all(|c| c.0 != 1 && c.0 != 8)
    });
}

/// Our argus with `args` (the last one is the capture filter), writing to
/// `out`, started; returns once `out` holds its start MAR (the capture is
/// open by then) and, with a port, once it accepts.
fn start_argus(args: &[&str], out: &Path, port: Option<u16>) -> Proc {
    // `-X` first (it resets the outputs), `-w out` next (a word after it
    // would be its record filter), the capture filter last.
    let (filter, opts) = args.split_last().expect("a filter");
    let (x, rest) = opts.split_first().expect("-X");
    let p = Proc::spawn(util::role("argus").arg(x).arg("-w").arg(out).args(rest).arg(filter));
    wait_for("argus to start", Duration::from_secs(60), || {
        std::fs::metadata(out).map(|m| m.len() >= 128).unwrap_or(false)
    });
    if let Some(port) = port {
        wait_for("the remote port", Duration::from_secs(60), || {
            TcpStream::connect(("127.0.0.1", port)).map(drop).is_ok()
        });
    }
    p
}

/// Records of an archive: (class byte, cause byte, bytes).
fn records(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let len = if bytes[i] & 0xf0 == 0x80 {
            128
        } else {
            usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]])) * 4
        };
        assert!(len > 0 && i + len <= bytes.len(), "bad record at {i}");
        out.push(bytes[i..i + len].to_vec());
        i += len;
    }
    out
}

fn flows(bytes: &[u8]) -> Vec<Vec<u8>> {
    records(bytes).into_iter().filter(|r| r[0] & 0xf0 != 0x80).collect()
}

fn mars(bytes: &[u8]) -> Vec<Vec<u8>> {
    records(bytes).into_iter().filter(|r| r[0] & 0xf0 == 0x80).collect()
}

/// A flow record with its cause nibble cleared: a live run reports flows
/// cut by SIGTERM with cause SHUTDOWN where the end of a file gives START.
fn without_cause(r: &[u8]) -> Vec<u8> {
    let mut r = r.to_vec();
    r[1] &= 0x0f;
    r
}

/// A UDP request/response exchange and a TCP connection on 127.0.0.1,
/// on ports `base`..`base+2`.
fn lo_traffic(base: u16) {
    let server = UdpSocket::bind(("127.0.0.1", base)).unwrap();
    let client = UdpSocket::bind(("127.0.0.1", base + 1)).unwrap();
    let mut buf = [0u8; 2048];
    for i in 0..4 {
        client.send_to(&vec![b'q'; 40 + i * 100], ("127.0.0.1", base)).unwrap();
        let (n, from) = server.recv_from(&mut buf).unwrap();
        server.send_to(&buf[..n / 2], from).unwrap();
        client.recv_from(&mut buf).unwrap();
    }
    let l = TcpListener::bind(("127.0.0.1", base + 2)).unwrap();
    let mut c = TcpStream::connect(("127.0.0.1", base + 2)).unwrap();
    let (mut s, _) = l.accept().unwrap();
    c.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let mut got = [0u8; 64];
    let n = s.read(&mut got).unwrap();
    s.write_all(&vec![b'x'; 3000]).unwrap();
    assert!(n > 0);
    drop(s);
    let mut rest = Vec::new();
    let _ = c.read_to_end(&mut rest);
    drop(c);
}

fn stop(p: Proc) -> String {
    p.signal(libc::SIGTERM);
    let (code, err) = p.wait(Duration::from_secs(60));
    assert_eq!(code, Some(0), "argus exit status; stderr: {err}");
    err
}

#[test]
fn capture_on_lo_gives_the_records_of_the_same_packets_from_a_file() {
    let d = Scratch::new("lo");
    let conf = d.join("argus.conf");
    let pcap = d.join("packets.pcap");
    std::fs::write(&conf, format!("ARGUS_PACKET_CAPTURE_FILE={}\n", pcap.display())).unwrap();
    let out = d.join("live.argus");
    let filter = "(udp and port 17611) or (tcp and port 17612)";
    // An independent witness: tcpdump captures the same packets.
    let dumped = d.join("tcpdump.pcap");
    let tcpdump = Proc::spawn(
        Command::new("tcpdump")
            .args(["-i", "lo", "-s", "65535", "-U", "-Z", "root", "-w"])
            .arg(&dumped)
            .arg(filter),
    );
    wait_for("tcpdump", Duration::from_secs(60), || capturing_devices(None, tcpdump.pid()) == 1);
    let a = start_argus(
        &["-X", "-F", conf.to_str().unwrap(), "-i", "lo", "-s", "65535", "-m", filter],
        &out,
        None,
    );
    wait_for("argus's capture", Duration::from_secs(60), || capturing_devices(None, a.pid()) == 1);
    lo_traffic(17610);
    // No pause: SIGTERM reads what the kernel holds before it stops.
    stop(a);
    wait_for("tcpdump to write the packets", Duration::from_secs(60), || {
        pcap_packets(&dumped) >= pcap_packets(&pcap)
    });
    tcpdump.signal(libc::SIGTERM);
    let (code, err) = tcpdump.wait(Duration::from_secs(60));
    assert_eq!(code, Some(0), "tcpdump: {err}");
    let live = std::fs::read(&out).unwrap();
    let ours = flows(&live);
    assert!(ours.len() >= 2, "live flows: {}", ours.len());
    // Management records: start, stop; the start MAR carries lo's network.
    let m = mars(&live);
    assert_eq!(m.first().unwrap()[..4], [0x83, 0x10, 0, 0x20]);
    assert_eq!(m.first().unwrap()[12..20], [0x7f, 0, 0, 0, 0xff, 0, 0, 0]);
    assert_eq!(m.last().unwrap()[..4], [0x83, 0x30, 0, 0x20]);
    // The same packets read by Debian's argus 3.0.8.2 from the file our
    // argus saved while capturing: the same records, byte for byte.
    let argus_r = |file: &Path, out: &Path| {
        let o = Command::new("/usr/sbin/argus")
            .args(["-X", "-m", "-r"])
            .arg(file)
            .arg("-w")
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&o.stderr));
    };
    let from_file = d.join("file.argus");
    argus_r(&pcap, &from_file);
    let theirs = flows(&std::fs::read(&from_file).unwrap());
    assert_eq!(ours.len(), theirs.len(), "flow records live vs from the file");
    for (n, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(without_cause(a), without_cause(b), "flow record {n}");
    }
    // And from tcpdump's capture: each capture socket stamps the packets
    // itself (a microsecond apart), so ra's view without the times.
    let from_tcpdump = d.join("tcpdump.argus");
    argus_r(&dumped, &from_tcpdump);
    let view = |f: &Path| {
        lines(
            &util::run(Command::new("ra").args(["-X", "-n", "-c", ",", "-r"]).arg(f).args([
                "-s", "flgs", "proto", "saddr", "sport", "dir", "daddr", "dport", "spkts", "dpkts",
                "sbytes", "dbytes", "state", "smac", "dmac",
            ]))
            .stdout,
        )
    };
    let want = view(&from_tcpdump);
    assert!(want.len() >= 3, "{want:?}");
    assert_eq!(view(&out), want, "live vs tcpdump's capture");
}

/// The packets of a pcap file written on this machine (its byte order),
/// a packet cut short at the end left out.
fn pcap_packets(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap_or_default();
    let (mut n, mut at) = (0, 24);
    while let Some(h) = bytes.get(at..at + 16) {
        let caplen = u32::from_ne_bytes([h[8], h[9], h[10], h[11]]) as usize;
        if bytes.len() < at + 16 + caplen {
            break;
        }
        n += 1;
        at += 16 + caplen;
    }
    n
}

/// Network namespaces made by a test, removed on drop, also when the test
/// fails half way through making them. Names carry the test's tag and the
/// process id, so concurrent runs do not collide.
pub(crate) struct Namespaces {
    names: Vec<String>,
    tag: String,
}

fn ip(args: &[&str]) {
    let o = Command::new("ip").args(args).output().expect("ip");
    assert!(o.status.success(), "ip {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

impl Namespaces {
    pub(crate) fn new(tag: &str) -> Namespaces {
        Namespaces { names: Vec::new(), tag: format!("{tag}{}", std::process::id() % 100_000) }
    }

    /// A new namespace (its loopback up); returns its name.
    pub(crate) fn add(&mut self, role: &str) -> String {
        let name = format!("argt{role}{}", self.tag);
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        ip(&["netns", "add", &name]);
        self.names.push(name.clone());
        ip(&["-n", &name, "link", "set", "lo", "up"]);
        name
    }

    /// A device name unique to this test run (at most 15 bytes).
    pub(crate) fn dev(&self, base: &str) -> String {
        format!("{base}{}", self.tag)
    }

    /// A veth pair between two namespaces, addressed and up.
    pub(crate) fn link(
        &self,
        (ns_a, dev_a, addr_a): (&str, &str, &str),
        (ns_b, dev_b, addr_b): (&str, &str, &str),
    ) {
        ip(&[
            "link", "add", dev_a, "netns", ns_a, "type", "veth", "peer", "name", dev_b, "netns",
            ns_b,
        ]);
        for (ns, dev, addr) in [(ns_a, dev_a, addr_a), (ns_b, dev_b, addr_b)] {
            ip(&["-n", ns, "addr", "add", addr, "dev", dev]);
            ip(&["-n", ns, "link", "set", dev, "up"]);
        }
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in &self.names {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

/// Runs `f` on a thread that has entered namespace `ns`: sockets it makes
/// live there (and keep working from any thread afterwards).
pub(crate) fn in_netns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/var/run/netns/{ns}");
    std::thread::spawn(move || {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        // SAFETY: setns on a namespace descriptor we hold; it changes the
        // network namespace of this thread only.
        assert_eq!(unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) }, 0, "setns");
        f()
    })
    .join()
    .expect("thread in the namespace")
}

/// `n` UDP requests of growing size from `client` to `server`, each
/// answered with its first 10 bytes.
fn udp_exchange(client: &UdpSocket, server: &UdpSocket, n: usize) {
    let to = server.local_addr().unwrap();
    let mut buf = [0u8; 2048];
    for s in [client, server] {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    }
    for i in 0..n {
        client.send_to(&vec![b'x'; 100 + i], to).unwrap();
        let (len, from) = server.recv_from(&mut buf).expect("the request");
        server.send_to(&buf[..len.min(10)], from).unwrap();
        client.recv_from(&mut buf).expect("the answer");
    }
}

#[test]
fn capture_across_a_veth_pair_in_network_namespaces() {
    let d = Scratch::new("veth");
    let mut n = Namespaces::new("v");
    let (a, b) = (n.add("a"), n.add("b"));
    let (va, vb) = (n.dev("va"), n.dev("vb"));
    // Link-local addresses: this traffic never leaves the namespaces.
    n.link((&a, &va, "169.254.77.1/24"), (&b, &vb, "169.254.77.2/24"));
    let conf = d.join("argus.conf");
    let pcap = d.join("packets.pcap");
    std::fs::write(
        &conf,
        format!("ARGUS_PACKET_CAPTURE_FILE={}\nARGUS_INTERFACE={va}\n", pcap.display()),
    )
    .unwrap();
    let out = d.join("veth.argus");
    let argus = util::link_dir().join("argus");
    let p = Proc::spawn(
        Command::new("ip")
            .args(["netns", "exec", &a])
            .arg(&argus)
            .args(["-X", "-w"])
            .arg(&out)
            .args(["-F", conf.to_str().unwrap(), "-m", "-s", "1500", "udp"]),
    );
    wait_for("argus in the namespace", Duration::from_secs(60), || {
        capturing_devices(Some(&a), p.pid()) == 1
            && std::fs::metadata(&out).map(|m| m.len() >= 128).unwrap_or(false)
    });
    // Traffic between the namespaces: a responder in A, a sender in B.
    let server = in_netns(&a, || UdpSocket::bind("169.254.77.1:17621").unwrap());
    let client = in_netns(&b, || UdpSocket::bind("169.254.77.2:0").unwrap());
    udp_exchange(&client, &server, 6);
    stop(p);
    let ours = flows(&std::fs::read(&out).unwrap());
    // The packets argus saved while capturing, read by 3.0.8.2.
    let from_file = d.join("file.argus");
    let o = util::run(
        Command::new("/usr/sbin/argus")
            .args(["-X", "-m", "-r"])
            .arg(&pcap)
            .arg("-w")
            .arg(&from_file),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let theirs = flows(&std::fs::read(&from_file).unwrap());
    assert!(!ours.is_empty(), "no flows captured on the veth");
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(without_cause(a), without_cause(b));
    }
    // 6 requests and 6 answers in one flow (ARP may add a flow of its own).
    let ra = util::run(
        util::role("ra")
            .args(["-X", "-n", "-s", "proto", "spkts", "dpkts", "-c", ",", "-r"])
            .arg(&out),
    );
    let text = String::from_utf8_lossy(&ra.stdout);
    assert!(text.lines().any(|l| l.trim() == "udp,6,6"), "{text}");
}

/// True once every thread of process `pid` is stopped (SIGSTOP).
fn stopped(pid: i32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return false };
    tasks.flatten().all(|t| {
        let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
        stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('T'))
    })
}

#[test]
fn capture_drops_are_reported_in_management_records_as_3_0_8_2_does() {
    // Our argus and Debian's capture the same device with a small kernel
    // buffer; both are stopped (SIGSTOP) while a burst is sent, so the
    // kernel drops what does not fit; both report it once running again.
    // The capture is on the sending side: every packet sent crosses the
    // capture point (the receiving side may drop some before it).
    let d = Scratch::new("drops");
    let mut n = Namespaces::new("d");
    let (a, b) = (n.add("a"), n.add("b"));
    let (va, vb) = (n.dev("da"), n.dev("db"));
    n.link((&a, &va, "169.254.78.1/24"), (&b, &vb, "169.254.78.2/24"));
    let conf = d.join("argus.conf");
    std::fs::write(&conf, "ARGUS_PCAP_BUF_SIZE=262144\n").unwrap();
    let ours = d.join("ours.argus");
    let theirs = d.join("debian.argus");
    let start = |program: &Path, out: &Path| {
        Proc::spawn(
            Command::new("ip")
                .args(["netns", "exec", &b])
                .arg(program)
                .args(["-X", "-F"])
                .arg(&conf)
                .arg("-w")
                .arg(out)
                .args(["-i", &vb, "-M", "1", "udp and port 17730"]),
        )
    };
    let procs = [
        (start(&util::link_dir().join("argus"), &ours), &ours),
        (start(Path::new("/usr/sbin/argus"), &theirs), &theirs),
    ];
    for (p, out) in &procs {
        wait_for("the capture", Duration::from_secs(60), || {
            capturing_devices(Some(&b), p.pid()) == 1
                && std::fs::metadata(out).map(|m| m.len() >= 128).unwrap_or(false)
        });
        p.signal(libc::SIGSTOP);
    }
    for (p, _) in &procs {
        wait_for("the process to stop", Duration::from_secs(60), || stopped(p.pid()));
    }
    const SENT: u64 = 20_000;
    in_netns(&b, || {
        let s = UdpSocket::bind("169.254.78.2:0").unwrap();
        for _ in 0..SENT {
            s.send_to(&[0u8; 200], "169.254.78.1:17730").unwrap();
        }
    });
    for (p, _) in &procs {
        p.signal(libc::SIGCONT);
    }
    // Every packet sent is either read or reported dropped, in the MARs
    // of the following seconds.
    for (p, out) in &procs {
        wait_for("the MARs to account for every packet", Duration::from_secs(120), || {
            let t = mar_totals(out);
            t.packets + t.drops == SENT
        });
        p.signal(libc::SIGTERM);
    }
    for (p, _) in procs {
        let (code, err) = p.wait(Duration::from_secs(60));
        assert_eq!(code, Some(0), "{err}");
    }
    let (o, t) = (mar_totals(&ours), mar_totals(&theirs));
    assert!(o.drops > 0 && t.drops > 0, "drops reported: ours {o:?}, 3.0.8.2 {t:?}");
    assert_eq!(o.packets + o.drops, SENT, "ours: {o:?}");
    assert_eq!(t.packets + t.drops, SENT, "3.0.8.2: {t:?}");
    // The packets read are in the flow records.
    let ra = util::run(util::role("ra").args(["-X", "-n", "-s", "spkts", "-r"]).arg(&ours));
    let in_flows: u64 = String::from_utf8_lossy(&ra.stdout)
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .sum();
    assert_eq!(in_flows, o.packets);
}

#[test]
fn a_device_that_goes_down_or_away_and_comes_back_is_captured_again() {
    // As 3.0.8.2: a device going down and up is logged; one that is
    // removed and created again (a PPP link, a VM's tap) is opened again.
    let d = Scratch::new("updown");
    let mut n = Namespaces::new("u");
    let (a, b) = (n.add("a"), n.add("b"));
    let (va, vb) = (n.dev("ua"), n.dev("ub"));
    let link = || n.link((&a, &va, "169.254.79.1/24"), (&b, &vb, "169.254.79.2/24"));
    link();
    let out = d.join("updown.argus");
    let argus = util::link_dir().join("argus");
    let p = Proc::spawn(
        Command::new("ip")
            .args(["netns", "exec", &a])
            .arg(&argus)
            .args(["-X", "-w"])
            .arg(&out)
            .args(["-i", &va, "-S", "1", "udp and portrange 17751-17753"]),
    );
    let on_device = || capturing_devices(Some(&a), p.pid()) == 1;
    wait_for("argus in the namespace", Duration::from_secs(60), || {
        on_device() && std::fs::metadata(&out).map(|m| m.len() >= 128).unwrap_or(false)
    });
    let exchange = |port: u16| {
        let server = in_netns(&a, move || UdpSocket::bind(("169.254.79.1", port)).unwrap());
        let client = in_netns(&b, || UdpSocket::bind("169.254.79.2:0").unwrap());
        udp_exchange(&client, &server, 3);
    };
    let logged = |what: &str, times: usize| {
        let what = format!("interface {va} is {what}");
        wait_for(&what, Duration::from_secs(60), || {
            p.stderr_so_far().matches(&what).count() == times
        });
    };
    exchange(17751);
    ip(&["-n", &a, "link", "set", &va, "down"]);
    logged("down", 1);
    ip(&["-n", &a, "link", "set", &va, "up"]);
    logged("up", 1);
    exchange(17752);
    // Removing one end of a veth pair removes both.
    ip(&["-n", &a, "link", "del", &va]);
    logged("down", 2);
    link();
    logged("up", 2);
    wait_for("the device opened again", Duration::from_secs(60), || {
        p.stderr_so_far().contains("opened again") && on_device()
    });
    exchange(17753);
    let err = stop(p);
    assert!(err.contains(&format!("{va}: libpcap error")), "{err}");
    let ra = util::run(
        util::role("ra")
            .args(["-X", "-n", "-s", "dport", "spkts", "dpkts", "-c", ",", "-r"])
            .arg(&out)
            .args(["-", "udp"]),
    );
    // Per port (a status report may split an exchange in two records).
    let mut got = std::collections::BTreeMap::new();
    for l in lines(&ra.stdout) {
        let f: Vec<u64> = l.split(',').filter_map(|v| v.trim().parse().ok()).collect();
        if let [port, s, d] = f[..] {
            let e = got.entry(port).or_insert((0, 0));
            *e = (e.0 + s, e.1 + d);
        }
    }
    let want = [(17751, (3, 3)), (17752, (3, 3)), (17753, (3, 3))];
    assert_eq!(got, want.into_iter().collect());
}

/// The ENCAPS DSR qualifier and TRANSPORT source id of a flow record.
fn encaps_and_srcid(rec: &[u8]) -> (Option<u8>, Option<u32>) {
    let (mut encaps, mut srcid) = (None, None);
    let mut at = 4;
    while at + 4 <= rec.len() {
        let len = usize::from(rec[at + 3]) * 4;
        match rec[at] {
            0x20 => encaps = Some(rec[at + 2]),
            0x01 if len >= 8 => {
                srcid =
                    Some(u32::from_be_bytes([rec[at + 4], rec[at + 5], rec[at + 6], rec[at + 7]]))
            }
            _ => {}
        }
        if len == 0 {
            break;
        }
        at += len;
    }
    (encaps, srcid)
}

/// `ra` lines `proto,spkts,dpkts,srcid` of a file's UDP flows, sorted.
fn udp_counts(file: &Path) -> Vec<String> {
    let o = util::run(
        util::role("ra")
            .args(["-X", "-n", "-c", ",", "-s", "proto", "spkts", "dpkts", "srcid", "-r"])
            .arg(file)
            .args(["-", "udp"]),
    );
    lines(&o.stdout).into_iter().filter(|l| l.starts_with("udp")).collect()
}

#[test]
fn a_bond_group_is_one_flow_engine_and_independent_devices_are_not() {
    // A router namespace between A and B: every packet crosses both of
    // its devices, in on one and out on the other.
    let d = Scratch::new("groups");
    let mut n = Namespaces::new("g");
    let (a, r, b) = (n.add("a"), n.add("r"), n.add("b"));
    let (ra, rb) = (n.dev("ra"), n.dev("rb"));
    n.link((&r, &ra, "10.91.1.1/24"), (&a, &n.dev("aa"), "10.91.1.2/24"));
    n.link((&r, &rb, "10.91.2.1/24"), (&b, &n.dev("bb"), "10.91.2.2/24"));
    ip(&["-n", &a, "route", "add", "default", "via", "10.91.1.1"]);
    ip(&["-n", &b, "route", "add", "default", "via", "10.91.2.1"]);
    ip(&["netns", "exec", &r, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    let conf = d.join("argus.conf");
    let pcap = d.join("both.pcap");
    std::fs::write(&conf, format!("ARGUS_PACKET_CAPTURE_FILE={}\n", pcap.display())).unwrap();
    let argus = util::link_dir().join("argus");
    let run = |program: &Path, out: &Path, spec: &str, conf: Option<&Path>| {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &r]).arg(program).args(["-X"]);
        if let Some(c) = conf {
            cmd.arg("-F").arg(c);
        }
        // -m before the filter: 3.0.8.2's -i takes every word up to the
        // next option.
        Proc::spawn(cmd.arg("-w").arg(out).args(["-i", spec, "-m", "udp"]))
    };
    let bond = d.join("bond.argus");
    let ind = d.join("ind.argus");
    let debian = d.join("debian-bond.argus");
    let procs = [
        (run(&argus, &bond, &format!("bond:{ra}/1,{rb}/2"), Some(&conf)), 2, &bond),
        (run(&argus, &ind, &format!("ind:{ra}/1,{rb}/2"), None), 2, &ind),
        (
            run(Path::new("/usr/sbin/argus"), &debian, &format!("bond:{ra}/1,{rb}/2"), None),
            2,
            &debian,
        ),
    ];
    for (p, n, out) in &procs {
        wait_for("the devices open", Duration::from_secs(60), || {
            capturing_devices(Some(&r), p.pid()) == *n
                && std::fs::metadata(out).map(|m| m.len() >= 128).unwrap_or(false)
        });
    }
    let server = in_netns(&b, || UdpSocket::bind("10.91.2.2:17700").unwrap());
    let client = in_netns(&a, || UdpSocket::bind("10.91.1.2:0").unwrap());
    udp_exchange(&client, &server, 5);
    for (p, _, _) in procs {
        p.signal(libc::SIGTERM);
        let (code, err) = p.wait(Duration::from_secs(60));
        assert_eq!(code, Some(0), "{err}");
    }
    // The bond: one engine sees each packet twice, on the way in and on
    // the way out; both directions changed interface. The flow is on the
    // first device the request crossed (ra): its source id.
    assert_eq!(udp_counts(&bond), ["udp,10,10,1"]);
    let f = flows(&std::fs::read(&bond).unwrap());
    let udp: Vec<_> = f.iter().filter(|r| encaps_and_srcid(r).0.is_some()).collect();
    assert_eq!(encaps_and_srcid(udp[0]), (Some(0x30), Some(1)));
    // 3.0.8.2 counts the same; which device it credits depends on the
    // order it happened to read them in.
    let deb = udp_counts(&debian);
    assert_eq!(deb.len(), 1, "{deb:?}");
    assert!(deb[0].starts_with("udp,10,10,"), "{deb:?}");
    let f = flows(&std::fs::read(&debian).unwrap());
    assert_eq!(encaps_and_srcid(&f[0]).0, Some(0x30));
    // Independent devices: one flow each, with its own source id.
    assert_eq!(udp_counts(&ind), ["udp,5,5,1", "udp,5,5,2"]);
    // The packet file holds both devices' packets (one link type: pcap);
    // read back, they make the same counts in a single engine.
    let bytes = std::fs::read(&pcap).unwrap();
    assert_eq!(bytes[..4], 0xa1b2_c3d4u32.to_ne_bytes());
    let from_file = d.join("from-file.argus");
    let o = util::run(
        util::role("argus").args(["-X", "-m", "-r"]).arg(&pcap).arg("-w").arg(&from_file),
    );
    assert!(o.status.success());
    let c = udp_counts(&from_file);
    assert_eq!(c.len(), 1);
    assert!(c[0].starts_with("udp,10,10,"), "{c:?}");
}

/// Records a remote client printed with `-s stime proto saddr sport daddr
/// dport spkts dpkts sbytes dbytes`, sorted, from `ra`'s stdout.
fn lines(out: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = String::from_utf8_lossy(out).lines().map(str::to_string).collect();
    v.sort();
    v
}

const FIELDS: &[&str] = &[
    "-n", "-u", "-c", ",", "-s", "stime", "proto", "saddr", "sport", "daddr", "dport", "spkts",
    "dpkts", "sbytes", "dbytes",
];

#[test]
fn debian_ra_clients_with_their_own_filters_read_our_argus() {
    let d = Scratch::new("remote");
    let out = d.join("all.argus");
    let port = 17631;
    let a = start_argus(
        &[
            "-X",
            "-i",
            "lo",
            "-P",
            "17631",
            "-S",
            "1",
            "-M",
            "1",
            "(udp and port 17641) or (tcp and port 17642)",
        ],
        &out,
        Some(port),
    );
    let ra = |filter: &str| {
        Proc::spawn_with(
            Command::new("ra")
                .args(["-X", "-S", &format!("127.0.0.1:{port}")])
                .args(FIELDS)
                .arg("-")
                .arg(filter)
                .stdout(Stdio::piped()),
        )
    };
    let udp = ra("udp");
    let tcp = ra("tcp");
    // Both started (each got the initial MAR and sent START:): the MARs
    // count them.
    wait_started_clients(&out, 2);
    lo_traffic(17640);
    stop(a);
    let read_all = |p: Proc| {
        // Debian's ra tries to reconnect when the server goes away: once
        // it has read to the end and closed, SIGTERM makes it flush what
        // it printed and exit.
        wait_client_done(p.pid(), port);
        p.signal(libc::SIGTERM);
        lines(&p.output(Duration::from_secs(30)))
    };
    let (u, t) = (read_all(udp), read_all(tcp));
    let file = |f: &str| {
        lines(
            &util::run(
                Command::new("ra").args(["-X", "-r"]).arg(&out).args(FIELDS).arg("-").arg(f),
            )
            .stdout,
        )
    };
    let (fu, ft) = (file("udp"), file("tcp"));
    assert!(fu.len() >= 2 && ft.len() >= 2, "file: {fu:?} {ft:?}");
    assert_eq!(u, fu, "the udp client got the udp records of the file");
    assert_eq!(t, ft, "the tcp client got the tcp records of the file");
}

#[test]
fn our_ra_reads_debian_argus() {
    let d = Scratch::new("ra-S");
    // Debian's argus live on lo, with a file of its own to compare with.
    let theirs = d.join("debian.argus");
    let deb = Proc::spawn(Command::new("/usr/sbin/argus").args(["-X", "-w"]).arg(&theirs).args([
        "-i",
        "lo",
        "-P",
        "17651",
        "-S",
        "1",
        "-M",
        "1",
        "udp and port 17661",
    ]));
    wait_for("Debian's argus", Duration::from_secs(60), || {
        TcpStream::connect(("127.0.0.1", 17651)).map(drop).is_ok()
            && capturing_devices(None, deb.pid()) == 1
    });
    let ours_client = Proc::spawn_with(
        util::role("ra").args(["-X", "-S", "127.0.0.1:17651"]).args(FIELDS).stdout(Stdio::piped()),
    );
    // Started: connected, the initial MAR read and START: sent and
    // acknowledged, and counted in Debian's MARs (file + client).
    wait_for("our ra to start", Duration::from_secs(60), || {
        tcp_to_port(ours_client.pid(), 17651).contains(&(1, 0, 0))
            && mar_totals(&theirs).outputs >= 2
    });
    lo_traffic(17660);
    // The flow reaches the file and the client through 3.0.8.2's status
    // reports (-S 1): seen in the file, it has been sent to the client.
    wait_for("Debian's flow report", Duration::from_secs(60), || {
        let o = util::run(Command::new("ra").args(["-X", "-n", "-s", "dport", "-r"]).arg(&theirs));
        String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == "17660")
    });
    deb.signal(libc::SIGTERM);
    let _ = deb.wait(Duration::from_secs(60));
    // Our ra ends by itself at the server's stop record.
    // Management records aside (the file's are not the stream's).
    let got: Vec<String> = lines(&ours_client.output(Duration::from_secs(60)))
        .into_iter()
        .filter(|l| !l.contains(",man,"))
        .collect();
    let want =
        lines(&util::run(Command::new("ra").args(["-X", "-r"]).arg(&theirs).args(FIELDS)).stdout);
    assert!(!want.is_empty());
    assert_eq!(got, want, "our ra -S from Debian's argus = Debian's ra on its file");
}

/// The handshake by hand: initial MAR, optional FILTER, START.
fn raw_client(port: u16, filter: Option<&str>) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut mar = [0u8; 128];
    s.read_exact(&mut mar).unwrap();
    assert_eq!(mar[..4], [0x83, 0x10, 0, 0x20]);
    assert_eq!(mar[8..12], [0xe5, 0x71, 0x2d, 0xcb]);
    if let Some(f) = filter {
        s.write_all(format!("FILTER: {f}").as_bytes()).unwrap();
        let mut ok = [0u8; 2];
        s.read_exact(&mut ok).unwrap();
        assert_eq!(&ok, b"OK");
    }
    s.write_all(b"START: ").unwrap();
    s
}

#[test]
fn a_client_that_stops_reading_is_dropped_and_capture_goes_on() {
    let d = Scratch::new("slow");
    let conf = d.join("argus.conf");
    std::fs::write(&conf, "ARGUS_CLIENT_QUEUE=1000\n").unwrap();
    let out = d.join("all.argus");
    let a = start_argus(
        &[
            "-X",
            "-F",
            conf.to_str().unwrap(),
            "-i",
            "lo",
            "-P",
            "17671",
            "-S",
            "0",
            "-M",
            "1",
            "udp and portrange 20000-31999",
        ],
        &out,
        Some(17671),
    );
    // A client with a tiny receive window that never reads.
    let stalled = {
        let s = raw_client(17671, None);
        let small: libc::c_int = 1024;
        use std::os::fd::AsRawFd;
        // SAFETY: setsockopt on our own socket with a valid int.
        unsafe {
            libc::setsockopt(
                s.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                &small as *const libc::c_int as *const libc::c_void,
                4,
            )
        };
        s
    };
    // And one that reads everything.
    let mut good = raw_client(17671, Some("udp"));
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        let _ = good.set_read_timeout(Some(Duration::from_secs(120)));
        let _ = good.read_to_end(&mut got);
        got
    });
    wait_started_clients(&out, 2);
    // 12000 one-packet flows, with a payload so the stalled socket fills.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    for p in 20000..32000u16 {
        sock.send_to(&[0u8; 200], ("127.0.0.1", p)).unwrap();
        if p % 100 == 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    wait_for("argus to read the 12000 packets", Duration::from_secs(120), || {
        mar_totals(&out).packets >= 12000
    });
    let err = stop(a);
    drop(stalled);
    assert!(err.contains("dropped: not reading"), "no drop logged: {err}");
    let file_flows = flows(&std::fs::read(&out).unwrap());
    assert_eq!(file_flows.len(), 12000, "every flow reached the file");
    let got = reader.join().unwrap();
    assert_eq!(flows(&got).len(), 12000, "the reading client got every flow");
}

#[test]
fn refused_clients_get_an_error_record_and_are_closed() {
    let d = Scratch::new("refused");
    let conf = d.join("argus.conf");
    let allow = d.join("hosts.allow");
    let deny = d.join("hosts.deny");
    std::fs::write(&allow, "").unwrap();
    std::fs::write(&deny, "argus: 127.0.0.2\n").unwrap();
    std::fs::write(
        &conf,
        format!(
            "ARGUS_MAX_CLIENTS=1\nARGUS_ACCESS_DENY=127.0.0.3/32\nARGUS_HOSTS_ALLOW={}\nARGUS_HOSTS_DENY={}\n",
            allow.display(),
            deny.display()
        ),
    )
    .unwrap();
    let out = d.join("x.argus");
    let a = start_argus(
        &["-X", "-F", conf.to_str().unwrap(), "-i", "lo", "-P", "17681", "udp port 17682"],
        &out,
        Some(17681),
    );
    // Refused by hosts.deny, then by the CIDR list: an error MAR, closed.
    for from in ["127.0.0.2", "127.0.0.3"] {
        let mut s = socket_from(from);
        let mut buf = Vec::new();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let _ = s.read_to_end(&mut buf);
        assert_eq!(buf.len(), 128, "from {from}: an error MAR, then close");
        assert_eq!(buf[..4], [0x83, 0x81, 0, 0x20], "from {from}: cause ERROR, access denied");
    }
    // One client is the limit: a second one is told so. The slot is free
    // once the connection start_argus made to see the port open has been
    // cleared away: until then a client is refused, and tries again.
    let mut first = None;
    wait_for("the one client slot", Duration::from_secs(60), || {
        let mut s = TcpStream::connect(("127.0.0.1", 17681)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut mar = [0u8; 128];
        s.read_exact(&mut mar).unwrap();
        if mar[..4] == [0x83, 0x82, 0, 0x20] {
            return false;
        }
        assert_eq!(mar[..4], [0x83, 0x10, 0, 0x20]);
        first = Some(s);
        true
    });
    let o =
        Command::new("timeout").args(["30", "ra", "-X", "-S", "127.0.0.1:17681"]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("remote exceed listen error"), "Debian ra: {err}");
    drop(first);
    let err = stop(a);
    assert!(err.contains("refused connect from 127.0.0.2"), "{err}");
    assert!(err.contains("refused connect from 127.0.0.3"), "{err}");
}

/// A TCP connection to 127.0.0.1:17681 from the local address `from`.
fn socket_from(from: &str) -> TcpStream {
    use std::os::fd::FromRawFd;
    // SAFETY: socket/bind/connect on a fresh descriptor we own; the
    // sockaddrs are fully initialised.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let mk = |a: &str, port: u16| libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: port.to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from(a.parse::<std::net::Ipv4Addr>().unwrap()).to_be(),
            },
            sin_zero: [0; 8],
        };
        let local = mk(from, 0);
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(libc::bind(fd, &local as *const _ as *const libc::sockaddr, len), 0);
        let remote = mk("127.0.0.1", 17681);
        assert_eq!(libc::connect(fd, &remote as *const _ as *const libc::sockaddr, len), 0);
        TcpStream::from_raw_fd(fd)
    }
}

fn udp_burst(port: u16, n: usize) {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    for _ in 0..n {
        s.send_to(b"hello", ("127.0.0.1", port)).unwrap();
    }
}

/// Packets to `port` in the flow records of archive bytes, summed (`ra
/// -s dport spkts`).
fn packets_to(d: &Scratch, bytes: &[u8], port: u16) -> u64 {
    let f = d.join(&format!("tmp-{port}.argus"));
    std::fs::write(&f, bytes).unwrap();
    let o = util::run(
        util::role("ra").args(["-X", "-n", "-s", "dport", "spkts", "-c", ",", "-r"]).arg(&f),
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.split_once(','))
        .filter(|(p, _)| p.trim() == port.to_string())
        .map(|(_, n)| n.trim().parse::<u64>().unwrap_or(0))
        .sum()
}

/// The complete records of a file being written, as bytes.
fn written_so_far(path: &Path) -> Vec<u8> {
    records_so_far(path).concat()
}

#[test]
fn sighup_reopens_and_a_removed_output_is_recreated_and_sigterm_loses_nothing() {
    let d = Scratch::new("files");
    let out = d.join("out.argus");
    let a =
        start_argus(&["-X", "-i", "lo", "-S", "1", "udp and portrange 17691-17699"], &out, None);
    // Each burst is reported by the next status report (-S 1), waited for.
    let reported = |port: u16, n: u64| {
        wait_for(&format!("the report of port {port}"), Duration::from_secs(60), || {
            packets_to(&d, &written_so_far(&out), port) == n
        })
    };
    udp_burst(17691, 3);
    reported(17691, 3);
    // A cron job moves the file away, then tells argus (SIGHUP).
    let moved = d.join("out.argus.1");
    std::fs::rename(&out, &moved).unwrap();
    a.signal(libc::SIGHUP);
    wait_for("the reopened file", Duration::from_secs(30), || out.exists());
    udp_burst(17692, 4);
    reported(17692, 4);
    // Removed without a signal: argus notices within a second and starts
    // a new file.
    let removed = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    wait_for("the recreated file", Duration::from_secs(30), || out.exists());
    udp_burst(17693, 5);
    // Traffic that only SIGTERM reports (sent just before it).
    udp_burst(17694, 6);
    stop(a);
    let last = std::fs::read(&out).unwrap();
    let first = std::fs::read(&moved).unwrap();
    assert_eq!(packets_to(&d, &first, 17691), 3, "before SIGHUP: in the moved file");
    assert_eq!(packets_to(&d, &removed, 17692), 4, "after SIGHUP: in the new file");
    assert_eq!(packets_to(&d, &last, 17693), 5, "after the removal: in the recreated file");
    assert_eq!(packets_to(&d, &last, 17694), 6, "flushed by SIGTERM");
    for (what, f) in [("moved", &first), ("reopened", &removed), ("recreated", &last)] {
        assert_eq!(f[..4], [0x83, 0x10, 0, 0x20], "{what} file starts with a start MAR");
    }
    assert_eq!(mars(&last).last().unwrap()[..4], [0x83, 0x30, 0, 0x20], "the stop MAR");
    let shutdown = flows(&last).iter().filter(|r| r[1] >> 4 == 0x6).count();
    assert!(shutdown >= 1, "SIGTERM reports flows with cause SHUTDOWN");
}
