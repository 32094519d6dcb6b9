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

/// A background process killed (SIGKILL) and reaped when dropped.
struct Proc(Option<Child>);

impl Proc {
    fn spawn(cmd: &mut Command) -> Proc {
        Proc::spawn_with(cmd.stdout(Stdio::null()))
    }

    /// As `spawn`, stdout as the command has it set.
    fn spawn_with(cmd: &mut Command) -> Proc {
        Proc(Some(cmd.stderr(Stdio::piped()).spawn().expect("spawn")))
    }

    fn pid(&self) -> i32 {
        self.0.as_ref().map(|c| c.id() as i32).unwrap_or(0)
    }

    fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.pid(), sig) };
    }

    /// Waits for the exit (at most `limit`); returns the status and stderr.
    fn wait(mut self, limit: Duration) -> (Option<i32>, String) {
        let mut c = self.0.take().expect("child");
        let t = Instant::now();
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = c.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                return (st.code(), err);
            }
            if t.elapsed() > limit {
                let _ = c.kill();
                let _ = c.wait();
                let mut err = String::new();
                if let Some(mut e) = c.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("process did not exit within {limit:?}; stderr: {err}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn scratch(test: &str) -> PathBuf {
    let d =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("live-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
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
    wait_for("argus to start", Duration::from_secs(10), || {
        std::fs::metadata(out).map(|m| m.len() >= 128).unwrap_or(false)
    });
    if let Some(port) = port {
        wait_for("the remote port", Duration::from_secs(10), || {
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
    let (code, err) = p.wait(Duration::from_secs(15));
    assert_eq!(code, Some(0), "argus exit status; stderr: {err}");
    err
}

#[test]
fn capture_on_lo_gives_the_records_of_the_same_packets_from_a_file() {
    let d = scratch("lo");
    let conf = d.join("argus.conf");
    let pcap = d.join("packets.pcap");
    std::fs::write(&conf, format!("ARGUS_PACKET_CAPTURE_FILE={}\n", pcap.display())).unwrap();
    let out = d.join("live.argus");
    let filter = "(udp and port 17611) or (tcp and port 17612)";
    let a = start_argus(
        &["-X", "-F", conf.to_str().unwrap(), "-i", "lo", "-s", "65535", "-m", filter],
        &out,
        None,
    );
    lo_traffic(17610);
    std::thread::sleep(Duration::from_millis(600));
    stop(a);
    let live = std::fs::read(&out).unwrap();
    let ours = flows(&live);
    assert!(ours.len() >= 2, "live flows: {}", ours.len());
    // Management records: start, stop; the start MAR carries lo's network.
    let m = mars(&live);
    assert_eq!(m.first().unwrap()[..4], [0x83, 0x10, 0, 0x20]);
    assert_eq!(m.first().unwrap()[12..20], [0x7f, 0, 0, 0, 0xff, 0, 0, 0]);
    assert_eq!(m.last().unwrap()[..4], [0x83, 0x30, 0, 0x20]);
    // The same packets read from the file argus saved while capturing,
    // by Debian's argus 3.0.8.2.
    let from_file = d.join("file.argus");
    let o = Command::new("/usr/sbin/argus")
        .args(["-X", "-m", "-r"])
        .arg(&pcap)
        .arg("-w")
        .arg(&from_file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let theirs = flows(&std::fs::read(&from_file).unwrap());
    assert_eq!(ours.len(), theirs.len(), "flow records live vs from the file");
    for (n, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(without_cause(a), without_cause(b), "flow record {n}");
    }
}

/// A network namespace pair joined by a veth, removed on drop.
struct Netns {
    a: String,
    b: String,
}

fn ip(args: &[&str]) {
    let o = Command::new("ip").args(args).output().expect("ip");
    assert!(o.status.success(), "ip {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

impl Netns {
    fn new(tag: &str) -> Netns {
        let id = std::process::id() % 100_000;
        let n = Netns { a: format!("argt{tag}a{id}"), b: format!("argt{tag}b{id}") };
        let (va, vb) = (format!("va{tag}{id}"), format!("vb{tag}{id}"));
        ip(&["netns", "add", &n.a]);
        ip(&["netns", "add", &n.b]);
        ip(&[
            "link", "add", &va, "netns", &n.a, "type", "veth", "peer", "name", &vb, "netns", &n.b,
        ]);
        // Link-local addresses: this traffic never leaves the namespaces.
        ip(&["-n", &n.a, "addr", "add", "169.254.77.1/24", "dev", &va]);
        ip(&["-n", &n.b, "addr", "add", "169.254.77.2/24", "dev", &vb]);
        for (ns, dev) in [(&n.a, &va), (&n.b, &vb)] {
            ip(&["-n", ns, "link", "set", dev, "up"]);
            ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        n
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

#[test]
fn capture_across_a_veth_pair_in_network_namespaces() {
    let d = scratch("veth");
    let n = Netns::new("v");
    let va = format!("vav{}", std::process::id() % 100_000);
    let conf = d.join("argus.conf");
    let pcap = d.join("packets.pcap");
    std::fs::write(
        &conf,
        format!("ARGUS_PACKET_CAPTURE_FILE={}\nARGUS_INTERFACE={va}\n", pcap.display()),
    )
    .unwrap();
    let out = d.join("veth.argus");
    let argus = util::link_dir().join("argus");
    let a = Proc::spawn(
        Command::new("ip")
            .args(["netns", "exec", &n.a])
            .arg(&argus)
            .args(["-X", "-w"])
            .arg(&out)
            .args(["-F", conf.to_str().unwrap(), "-m", "-s", "1500", "udp"]),
    );
    wait_for("argus in the namespace", Duration::from_secs(10), || {
        std::fs::metadata(&out).map(|m| m.len() >= 128).unwrap_or(false)
    });
    // Traffic between the namespaces: a responder in A, a sender in B.
    let responder = Proc::spawn(Command::new("ip").args(["netns", "exec", &n.a, "python3", "-c",
        "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('169.254.77.1',17621))\nfor i in range(6):\n  d,a=s.recvfrom(2048); s.sendto(d[:10],a)\n"]));
    std::thread::sleep(Duration::from_millis(300));
    let o = Command::new("ip")
        .args(["netns", "exec", &n.b, "python3", "-c",
            "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.settimeout(2)\nfor i in range(6):\n  s.sendto(b'x'*(100+i),('169.254.77.1',17621)); s.recvfrom(2048)\n"])
        .output()
        .unwrap();
    assert!(o.status.success(), "traffic: {}", String::from_utf8_lossy(&o.stderr));
    let _ = responder.wait(Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(400));
    stop(a);
    let ours = flows(&std::fs::read(&out).unwrap());
    let from_file = d.join("file.argus");
    let o = util::run(
        util::role("argus").args(["-X", "-m", "-r"]).arg(&pcap).arg("-w").arg(&from_file),
    );
    assert!(o.status.success());
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
    let d = scratch("remote");
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
    let mut udp = ra("udp");
    let mut tcp = ra("tcp");
    // Both started (each got the initial MAR and sent START:).
    std::thread::sleep(Duration::from_millis(800));
    lo_traffic(17640);
    std::thread::sleep(Duration::from_millis(2500));
    stop(a);
    let read_all = |p: &mut Proc| {
        // Debian's ra reconnects when the server goes away; SIGTERM makes
        // it flush what it printed and exit.
        p.signal(libc::SIGTERM);
        let mut c = p.0.take().unwrap();
        let t = Instant::now();
        while c.try_wait().unwrap().is_none() && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        let o = c.wait_with_output().unwrap();
        lines(&o.stdout)
    };
    let (u, t) = (read_all(&mut udp), read_all(&mut tcp));
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
fn our_ra_reads_debian_argus_and_our_argus() {
    let d = scratch("ra-S");
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
    wait_for("Debian's argus", Duration::from_secs(10), || {
        TcpStream::connect(("127.0.0.1", 17651)).map(drop).is_ok()
            && std::fs::metadata(&theirs).map(|m| m.len() >= 128).unwrap_or(false)
    });
    let ours_client = Proc::spawn_with(
        util::role("ra").args(["-X", "-S", "127.0.0.1:17651"]).args(FIELDS).stdout(Stdio::piped()),
    );
    std::thread::sleep(Duration::from_millis(800));
    lo_traffic(17660);
    std::thread::sleep(Duration::from_millis(2500));
    deb.signal(libc::SIGTERM);
    let _ = deb.wait(Duration::from_secs(10));
    // Our ra ends by itself at the server's stop record.
    let mut c = ours_client;
    let mut child = c.0.take().unwrap();
    let t = Instant::now();
    while child.try_wait().unwrap().is_none() && t.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    // Management records aside (the file's are not the stream's).
    let got: Vec<String> = lines(&child.wait_with_output().unwrap().stdout)
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
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
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
    let d = scratch("slow");
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
        let _ = good.set_read_timeout(Some(Duration::from_secs(20)));
        let _ = good.read_to_end(&mut got);
        got
    });
    std::thread::sleep(Duration::from_millis(300));
    // 12000 one-packet flows, with a payload so the stalled socket fills.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    for p in 20000..32000u16 {
        sock.send_to(&[0u8; 200], ("127.0.0.1", p)).unwrap();
        if p % 100 == 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    std::thread::sleep(Duration::from_millis(1500));
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
    let d = scratch("refused");
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
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.read_to_end(&mut buf);
        assert_eq!(buf.len(), 128, "from {from}: an error MAR, then close");
        assert_eq!(buf[..4], [0x83, 0x81, 0, 0x20], "from {from}: cause ERROR, access denied");
    }
    // One client is the limit: a second one is told so.
    let first = raw_client(17681, None);
    let o =
        Command::new("timeout").args(["5", "ra", "-X", "-S", "127.0.0.1:17681"]).output().unwrap();
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

#[test]
fn sighup_reopens_and_a_removed_output_is_recreated_and_sigterm_loses_nothing() {
    let d = scratch("files");
    let out = d.join("out.argus");
    let a =
        start_argus(&["-X", "-i", "lo", "-S", "1", "udp and portrange 17691-17699"], &out, None);
    udp_burst(17691, 3);
    std::thread::sleep(Duration::from_millis(2500));
    // A cron job moves the file away, then tells argus (SIGHUP).
    let moved = d.join("out.argus.1");
    std::fs::rename(&out, &moved).unwrap();
    a.signal(libc::SIGHUP);
    wait_for("the reopened file", Duration::from_secs(5), || out.exists());
    udp_burst(17692, 4);
    std::thread::sleep(Duration::from_millis(2500));
    // Removed without a signal: argus notices and starts a new file.
    let removed = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    udp_burst(17693, 5);
    wait_for("the recreated file", Duration::from_secs(5), || out.exists());
    // Traffic that only SIGTERM reports (the status interval is 1 s).
    udp_burst(17694, 6);
    std::thread::sleep(Duration::from_millis(300));
    stop(a);
    let last = std::fs::read(&out).unwrap();
    let first = std::fs::read(&moved).unwrap();
    let count = |bytes: &[u8], port: u16| -> u64 {
        let f = d.join(format!("tmp-{port}.argus"));
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
    };
    assert_eq!(count(&first, 17691), 3, "before SIGHUP: in the moved file");
    assert_eq!(count(&removed, 17692), 4, "after SIGHUP: in the new file");
    assert_eq!(count(&last, 17693), 5, "after the removal: in the recreated file");
    assert_eq!(count(&last, 17694), 6, "flushed by SIGTERM");
    for (what, f) in [("moved", &first), ("reopened", &removed), ("recreated", &last)] {
        assert_eq!(f[..4], [0x83, 0x10, 0, 0x20], "{what} file starts with a start MAR");
    }
    assert_eq!(mars(&last).last().unwrap()[..4], [0x83, 0x30, 0, 0x20], "the stop MAR");
    let shutdown = flows(&last).iter().filter(|r| r[1] >> 4 == 0x6).count();
    assert!(shutdown >= 1, "SIGTERM reports flows with cause SHUTDOWN");
}
