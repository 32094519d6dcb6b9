//! `argus -r`: archives compared with what Debian's argus 3.0.8.2 wrote
//! from the same captures (the references in ../shared/reference), record
//! by record and byte by byte (management records aside: they carry the
//! wall clock), plus crafted captures for link types, options and outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util;

/// The flow records of an archive (every record but the MARs), in order.
fn flow_records(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let len = if bytes[i] & 0xf0 == 0x80 {
            128
        } else {
            usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]])) * 4
        };
        assert!(len > 0 && i + len <= bytes.len(), "bad record at {i}");
        if bytes[i] & 0xf0 != 0x80 {
            out.push(bytes[i..i + len].to_vec());
        }
        i += len;
    }
    out
}

fn mars(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let len = if bytes[i] & 0xf0 == 0x80 {
            128
        } else {
            usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]])) * 4
        };
        if bytes[i] & 0xf0 == 0x80 {
            out.push(bytes[i..i + len].to_vec());
        }
        i += len;
    }
    out
}

fn tmp(name: &str) -> PathBuf {
    // Under target/tmp (cargo clean removes it), one folder per run.
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("argus-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

/// Runs our argus with `args`, writing to a fresh file; returns its bytes.
fn run_argus(args: &[&str], out: &Path) -> Vec<u8> {
    let o = util::run(util::role("argus").args(args).arg("-w").arg(out));
    assert!(
        o.status.success() || o.status.code() == Some(1),
        "argus {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read(out).unwrap()
}

fn assert_same_flows(ours: &[u8], theirs: &[u8], what: &str) {
    let a = flow_records(ours);
    let b = flow_records(theirs);
    assert_eq!(a.len(), b.len(), "{what}: {} flow records, argus wrote {}", a.len(), b.len());
    for (n, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "{what}: flow record {n} differs");
    }
}

#[test]
fn every_vector_is_byte_identical_with_argus_3_0_8_2() {
    let v = util::shared_reference().join("vectors");
    let cmds = std::fs::read_to_string(v.join("argus/COMMANDS.tsv")).unwrap();
    let mut n = 0;
    for line in cmds.lines() {
        let Some((out, cmd)) = line.split_once('\t') else { continue };
        let Some(rest) = cmd.strip_prefix("argus ") else { continue };
        // The recorded command line, with its -w dropped and paths made
        // absolute; '"ab"' is the one quoted argument.
        let mut args: Vec<String> = Vec::new();
        let mut words = rest.split_whitespace().peekable();
        while let Some(w) = words.next() {
            match w {
                "-w" => {
                    words.next();
                }
                "-r" | "-F" => {
                    args.push(w.to_string());
                    args.push(v.join(words.next().unwrap()).to_string_lossy().into_owned());
                }
                "'\"ab\"'" => args.push("\"ab\"".to_string()),
                _ => args.push(w.to_string()),
            }
        }
        let name = Path::new(out).file_name().unwrap().to_string_lossy().into_owned();
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let ours = run_argus(&argv, &tmp(&format!("vec-{name}")));
        let theirs = std::fs::read(v.join(out)).unwrap();
        assert_same_flows(&ours, &theirs, &name);
        // The management records carry the same fields but the clock.
        let (m1, m2) = (mars(&ours), mars(&theirs));
        assert_eq!(m1.len(), m2.len(), "{name}: management records");
        for (a, b) in m1.iter().zip(&m2) {
            assert_eq!(a[..24], b[..24], "{name}: MAR header/status/ids");
            assert_eq!(a[40..48], b[40..48], "{name}: MAR versions and intervals");
            assert_eq!(a[104..], b[104..], "{name}: MAR user data lengths and ids");
        }
        n += 1;
    }
    assert!(n >= 20, "only {n} argus commands in COMMANDS.tsv");
}

/// Captures whose reference argus 3.0.8.2 cannot be matched: it rejects
/// LINKTYPE_IPV4 (228), and on the PPP capture carrying MPLS it reads past
/// the packets (its reference is not deterministic).
const DIFFERENT: &[&str] = &[
    "wireshark-http-ooo",
    "wireshark-ipoipoip",
    "wireshark-retrans-tls",
    "wireshark-tcp-badsegments",
    "tcpdump-mpls-traceroute",
];

#[test]
fn every_reference_capture_gives_argus_s_records() {
    let p = util::shared_reference().join("pcaps");
    let mut n = 0;
    for dir in ["real", "encap", "edge"] {
        for e in std::fs::read_dir(p.join(dir)).unwrap() {
            let path = e.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let reference = p.join("argus-ref").join(format!("{stem}.argus"));
            if !reference.exists() || DIFFERENT.contains(&stem.as_str()) {
                continue;
            }
            let ours =
                run_argus(&["-X", "-r", path.to_str().unwrap()], &tmp(&format!("{stem}.argus")));
            assert_same_flows(&ours, &std::fs::read(&reference).unwrap(), &stem);
            n += 1;
        }
    }
    assert!(n >= 30, "only {n} captures compared");
}

#[test]
fn link_type_228_is_decoded_where_argus_rejects_it() {
    let p = util::shared_reference().join("pcaps/edge/wireshark-retrans-tls.pcap");
    let ours = run_argus(&["-X", "-r", p.to_str().unwrap()], &tmp("228.argus"));
    assert_eq!(flow_records(&ours).len(), 1);
}

#[test]
fn the_debian_ra_prints_our_records_as_it_prints_argus_s() {
    let v = util::shared_reference().join("vectors");
    let out = tmp("tcp4-ra.argus");
    run_argus(&["-X", "-r", v.join("pcap/tcp4.pcap").to_str().unwrap()], &out);
    let fields =
        "stime ltime flgs proto saddr sport dir daddr dport spkts dpkts sbytes dbytes state";
    let mut ra = Command::new("ra");
    ra.args(["-X", "-u", "-n", "-c", ","])
        .arg("-s")
        .args(fields.split(' '))
        .arg("-r")
        .arg(&out)
        .env("TZ", "UTC");
    let o = ra.output().expect("Debian's ra (apt-get install argus-client)");
    let got = String::from_utf8(o.stdout).unwrap();
    let want = std::fs::read_to_string(v.join("golden/tcp4.raXu.csv")).unwrap();
    assert_eq!(got, want);
}

/// A classic pcap of `linktype` holding `frames` (1 s apart).
fn pcap(linktype: u32, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut f = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0];
    f.extend(linktype.to_le_bytes());
    for (n, d) in frames.iter().enumerate() {
        f.extend((1_700_000_000 + n as u32).to_le_bytes());
        f.extend(0u32.to_le_bytes());
        f.extend((d.len() as u32).to_le_bytes());
        f.extend((d.len() as u32).to_le_bytes());
        f.extend(d);
    }
    f
}

fn udp(src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16) -> Vec<u8> {
    let mut ip = vec![0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0];
    ip.extend(src);
    ip.extend(dst);
    ip.extend(sp.to_be_bytes());
    ip.extend(dp.to_be_bytes());
    ip.extend([0, 12, 0, 0, b'd', b'a', b't', b'a']);
    ip
}

fn ipv6_udp() -> Vec<u8> {
    let mut ip = vec![0x60, 0, 0, 0, 0, 12, 17, 64];
    ip.extend([0x20, 0x01, 0x0d, 0xb8]);
    ip.extend([0; 11]);
    ip.push(1);
    ip.extend([0x20, 0x01, 0x0d, 0xb8]);
    ip.extend([0; 11]);
    ip.push(2);
    ip.extend([0x13, 0x88, 0x13, 0x89, 0, 12, 0, 0, b'd', b'a', b't', b'a']);
    ip
}

/// Runs argus on a crafted capture and returns what Debian's ra prints.
fn flows_of(name: &str, capture: Vec<u8>, extra: &[&str]) -> String {
    let input = tmp(&format!("{name}.pcap"));
    std::fs::write(&input, capture).unwrap();
    let out = tmp(&format!("{name}.argus"));
    let mut args = vec!["-X", "-r", input.to_str().unwrap()];
    args.extend(extra);
    run_argus(&args, &out);
    let o = Command::new("ra")
        .args([
            "-X", "-n", "-c", ",", "-s", "proto", "saddr", "sport", "daddr", "dport", "pkts",
            "bytes", "-r",
        ])
        .arg(&out)
        .output()
        .expect("Debian's ra");
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn every_link_type_makes_flows() {
    let v4 = udp([10, 0, 0, 1], [10, 0, 0, 2], 1000, 2000);
    let eth = |t: u16, p: &[u8]| {
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
        f.extend(t.to_be_bytes());
        f.extend_from_slice(p);
        f
    };
    let with = |head: &[u8], p: &[u8]| {
        let mut f = head.to_vec();
        f.extend_from_slice(p);
        f
    };
    let want4 = "udp,10.0.0.1,1000,10.0.0.2,2000,2,";
    let cases: Vec<(&str, u32, Vec<u8>, &str)> = vec![
        ("ether", 1, eth(0x0800, &v4), want4),
        ("vlan", 1, eth(0x8100, &with(&[0, 5, 0x08, 0x00], &v4)), want4),
        ("qinq-as-argus", 1, eth(0x88a8, &with(&[0, 5, 0x81, 0, 0, 6, 0x08, 0x00], &v4)), "34984,"),
        ("mpls", 1, eth(0x8847, &with(&[0, 1, 0x11, 64], &v4)), want4),
        ("pppoe", 1, eth(0x8864, &with(&[0x11, 0, 0, 1, 0, 34, 0, 0x21], &v4)), want4),
        ("snap", 1, eth(40, &with(&[0xaa, 0xaa, 3, 0, 0, 0, 0x08, 0x00], &v4)), want4),
        ("sll", 113, with(&[0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00], &v4), want4),
        (
            "sll2",
            276,
            with(&[0x08, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0], &v4),
            want4,
        ),
        ("null", 0, with(&2u32.to_le_bytes(), &v4), want4),
        ("loop", 108, with(&2u32.to_be_bytes(), &v4), want4),
        ("raw", 101, v4.clone(), want4),
        ("ipv4", 228, v4.clone(), want4),
        ("ipv6", 229, ipv6_udp(), "udp,2001:db8::1,5000,2001:db8::2,5001,2,"),
        ("ppp", 9, with(&[0xff, 3, 0, 0x21], &v4), want4),
        ("ppp-hdlc", 50, with(&[0xff, 3, 0, 0x21], &v4), want4),
        ("chdlc", 104, with(&[0x0f, 0, 0x08, 0], &v4), want4),
        (
            "80211",
            105,
            with(
                &[
                    0x08, 0x01, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 0, 0,
                    0xaa, 0xaa, 3, 0, 0, 0, 8, 0,
                ],
                &v4,
            ),
            want4,
        ),
    ];
    for (name, lt, frame, want) in cases {
        let got = flows_of(name, pcap(lt, &[frame.clone(), frame]), &[]);
        let line = got.lines().nth(1).unwrap_or("");
        assert!(line.starts_with(want), "{name}: {got}");
    }
    // Radiotap around the 802.11 frame.
    let mut rt = vec![0, 0, 8, 0, 0, 0, 0, 0, 0x08, 0x01, 0, 0];
    rt.extend([1u8; 18]);
    rt.extend([0, 0, 0xaa, 0xaa, 3, 0, 0, 0, 8, 0]);
    rt.extend(&v4);
    let got = flows_of("radiotap", pcap(127, &[rt.clone(), rt]), &[]);
    assert!(got.lines().nth(1).unwrap_or("").starts_with(want4), "radiotap: {got}");
}

#[test]
fn truncated_and_garbage_inputs_never_crash() {
    let v4 = udp([10, 0, 0, 1], [10, 0, 0, 2], 1000, 2000);
    for lt in [0u32, 1, 9, 50, 101, 104, 105, 108, 113, 127, 228, 229, 276] {
        let frames: Vec<Vec<u8>> = (0..v4.len() + 20)
            .map(|n| [&[0x45u8, 0, 0, 32][..], &v4[..n.min(v4.len())]].concat())
            .collect();
        flows_of(&format!("garbage-{lt}"), pcap(lt, &frames), &[]);
    }
    // A truncated file: what was read is written, and the exit says so.
    let mut f = pcap(1, &[udp([1, 1, 1, 1], [2, 2, 2, 2], 1, 2)]);
    f.truncate(f.len() - 3);
    let input = tmp("trunc.pcap");
    std::fs::write(&input, f).unwrap();
    let out = tmp("trunc.argus");
    let o = util::run(util::role("argus").args(["-X", "-r"]).arg(&input).arg("-w").arg(&out));
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("truncated"));
    assert_eq!(mars(&std::fs::read(&out).unwrap()).len(), 2);
}

#[test]
fn stdin_stdout_append_and_capture_filter() {
    let f = pcap(1, &[eth_udp(53), eth_udp(80), eth_udp(53)]);
    // -r - reads stdin, -w - writes stdout.
    let mut child = util::role("argus")
        .args(["-X", "-r", "-", "-w", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&f).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(flow_records(&o.stdout).len(), 2);
    // Appending: a second run adds a second initial MAR and its records.
    let input = tmp("app.pcap");
    std::fs::write(&input, &f).unwrap();
    let out = tmp("app.argus");
    for _ in 0..2 {
        let o = util::run(util::role("argus").args(["-X", "-r"]).arg(&input).arg("-w").arg(&out));
        assert!(o.status.success());
    }
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(mars(&bytes).len(), 4);
    assert_eq!(flow_records(&bytes).len(), 4);
    // A trailing BPF expression filters packets.
    let out = tmp("bpf.argus");
    let o = util::run(
        util::role("argus")
            .args(["-X", "-r"])
            .arg(&input)
            .arg("-w")
            .arg(&out)
            .args(["-", "udp", "port", "80"]),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(flow_records(&std::fs::read(&out).unwrap()).len(), 1);
    // A bad filter is a one-line error and a failure.
    let o = util::run(
        util::role("argus").args(["-X", "-r"]).arg(&input).args(["-w", "-", "port", "("]),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "nothing is written before the filter compiles");
    // A record filter on -w keeps the matching records only.
    let out = tmp("wfilter.argus");
    let o = util::run(
        util::role("argus").args(["-X", "-r"]).arg(&input).arg("-w").arg(&out).arg("dst port 53"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(flow_records(&std::fs::read(&out).unwrap()).len(), 1);
}

fn eth_udp(dport: u16) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    f.extend(udp([10, 0, 0, 1], [10, 0, 0, 2], 1000, dport));
    f
}

#[test]
fn status_interval_and_verbose_summary() {
    let frames: Vec<Vec<u8>> = (0..10).map(|_| eth_udp(53)).collect();
    let input = tmp("status.pcap");
    std::fs::write(&input, pcap(1, &frames)).unwrap();
    let out = tmp("status.argus");
    let o = util::run(
        util::role("argus").args(["-X", "-v", "-S", "2", "-r"]).arg(&input).arg("-w").arg(&out),
    );
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("10 packets"), "{err}");
    // 10 packets 1 s apart, reported every 2 s.
    let recs = flow_records(&std::fs::read(&out).unwrap());
    assert!(recs.len() >= 4, "{} records", recs.len());
}

/// Runs Debian's argus and ours on the same crafted capture and compares
/// the flow records byte for byte.
fn same_as_debian_argus(name: &str, capture: Vec<u8>, extra: &[&str]) {
    let input = tmp(&format!("oracle-{name}.pcap"));
    std::fs::write(&input, capture).unwrap();
    let theirs = tmp(&format!("oracle-{name}.ref.argus"));
    let st = Command::new("argus")
        .arg("-X")
        .args(extra)
        .arg("-r")
        .arg(&input)
        .arg("-w")
        .arg(&theirs)
        .stderr(Stdio::null())
        .status()
        .expect("Debian's argus (apt-get install argus-server)");
    assert!(st.success());
    let mut args = vec!["-X"];
    args.extend(extra);
    args.extend(["-r", input.to_str().unwrap()]);
    let ours = run_argus(&args, &tmp(&format!("oracle-{name}.argus")));
    assert_same_flows(&ours, &std::fs::read(&theirs).unwrap(), name);
}

fn eth_frame(src: u8, dst: u8, t: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, dst, 2, 0, 0, 0, 0, src, (t >> 8) as u8, t as u8];
    f.extend_from_slice(payload);
    f
}

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, id: u16, off: u16, payload: &[u8]) -> Vec<u8> {
    let len = (20 + payload.len()) as u16;
    let mut ip = vec![
        0x45,
        0,
        (len >> 8) as u8,
        len as u8,
        (id >> 8) as u8,
        id as u8,
        (off >> 8) as u8,
        off as u8,
        64,
        proto,
        0,
        0,
    ];
    ip.extend(src);
    ip.extend(dst);
    ip.extend_from_slice(payload);
    ip
}

fn tcp(sp: u16, dp: u16, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut t = sp.to_be_bytes().to_vec();
    t.extend(dp.to_be_bytes());
    t.extend(seq.to_be_bytes());
    t.extend(ack.to_be_bytes());
    t.extend([0x50, flags, 0x20, 0, 0, 0, 0, 0]);
    t.extend_from_slice(payload);
    t
}

#[test]
fn crafted_captures_match_debian_argus() {
    let (a, b) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    // MPLS on the responses only.
    let q = eth_frame(1, 2, 0x0800, &udp(a, b, 4000, 53));
    let r = eth_frame(2, 1, 0x8847, &[&[0, 1, 0x11, 64][..], &udp(b, a, 53, 4000)].concat());
    same_as_debian_argus("mpls-dst", pcap(1, &[q.clone(), r.clone(), q, r]), &["-m"]);
    // A TCP connection: handshake, data both ways, FIN, then a reset
    // connection on the same ports and a new SYN.
    let s = |fl: u8, seq: u32, ack: u32, data: &[u8]| {
        eth_frame(1, 2, 0x0800, &ipv4(a, b, 6, 1, 0, &tcp(40000, 80, seq, ack, fl, data)))
    };
    let c = |fl: u8, seq: u32, ack: u32, data: &[u8]| {
        eth_frame(2, 1, 0x0800, &ipv4(b, a, 6, 2, 0, &tcp(80, 40000, seq, ack, fl, data)))
    };
    let frames = vec![
        s(0x02, 100, 0, b""),
        c(0x12, 500, 101, b""),
        s(0x10, 101, 501, b""),
        s(0x18, 101, 501, b"GET / HTTP/1.0\r\n\r\n"),
        c(0x18, 501, 119, b"HTTP/1.0 200 OK\r\n\r\nhello"),
        s(0x11, 119, 525, b""),
        c(0x11, 525, 120, b""),
        s(0x10, 120, 526, b""),
        s(0x02, 9000, 0, b""),
        c(0x14, 0, 9001, b""),
        s(0x02, 9000, 0, b""),
    ];
    same_as_debian_argus("tcp", pcap(1, &frames), &["-A", "-J", "-Z", "-U", "16"]);
    // A UDP datagram, the port-unreachable it draws, and fragments in and
    // out of order.
    let d = eth_frame(1, 2, 0x0800, &udp(a, b, 5000, 6000));
    let inner = &udp(a, b, 5000, 6000)[..28];
    let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(inner);
    let u = eth_frame(2, 1, 0x0800, &ipv4(b, a, 1, 7, 0, &icmp));
    let f1 = eth_frame(1, 2, 0x0800, &ipv4(a, b, 17, 99, 0x2000, &[0u8; 64]));
    let f2 = eth_frame(1, 2, 0x0800, &ipv4(a, b, 17, 99, 8, &[0u8; 40]));
    let g2 = eth_frame(1, 2, 0x0800, &ipv4(a, b, 17, 77, 8, &[0u8; 40]));
    let g1 = eth_frame(1, 2, 0x0800, &ipv4(a, b, 17, 77, 0x2000, &[0u8; 64]));
    same_as_debian_argus("icmp-frag", pcap(1, &[d, u, f1, f2, g2, g1]), &[]);
}

#[test]
fn management_records_follow_packet_time_and_stderr_stays_quiet() {
    let frames: Vec<Vec<u8>> = (0..10).map(|_| eth_udp(53)).collect();
    let input = tmp("mar.pcap");
    std::fs::write(&input, pcap(1, &frames)).unwrap();
    let out = tmp("mar.argus");
    let o = util::run(
        util::role("argus").args(["-X", "-M", "2", "-r"]).arg(&input).arg("-w").arg(&out),
    );
    assert!(o.status.success());
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = mars(&std::fs::read(&out).unwrap());
    // Start, a status MAR every 2 s of the 9 s of packets, stop.
    assert_eq!(m.first().map(|r| r[1]), Some(0x10));
    assert_eq!(m.last().map(|r| r[1]), Some(0x30));
    assert!(m.iter().filter(|r| r[1] == 0x20).count() >= 3, "{} MARs", m.len());
    // The report and MAR intervals are in every MAR.
    assert!(m.iter().all(|r| r[44..48] == [0, 5, 0, 2]));
}

#[test]
fn a_missing_input_is_an_error_and_the_archive_is_still_closed() {
    let out = tmp("missing.argus");
    let o =
        util::run(util::role("argus").args(["-X", "-r", "/nonexistent/x.pcap", "-w"]).arg(&out));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/nonexistent/x.pcap") && err.lines().count() == 1, "{err}");
    assert_eq!(mars(&std::fs::read(&out).unwrap()).len(), 2);
}

#[test]
fn more_crafted_captures_match_debian_argus() {
    let (a, b) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    let fwd = |p: Vec<u8>| eth_frame(1, 2, 0x0800, &p);
    let rev = |p: Vec<u8>| eth_frame(2, 1, 0x0800, &p);
    // GRE carrying IPv4 (argus records the inner flow).
    let mut gre = vec![0, 0, 0x08, 0x00];
    gre.extend(udp([192, 168, 0, 1], [192, 168, 0, 2], 7, 9));
    let g = fwd(ipv4(a, b, 47, 3, 0, &gre));
    // IP options, ESP, IGMP, an unknown protocol.
    let mut opt = ipv4(a, b, 17, 4, 0, &[0x13, 0x88, 0x13, 0x89, 0, 8, 0, 0]);
    opt[0] = 0x46;
    opt.splice(20..20, [0x94, 4, 0, 0]);
    opt[3] += 4;
    let esp = fwd(ipv4(a, b, 50, 5, 0, &[0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 9, 9, 9, 9]));
    let esp2 = fwd(ipv4(a, b, 50, 6, 0, &[0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 3, 9, 9, 9, 9]));
    let igmp = fwd(ipv4(a, [224, 0, 0, 251], 2, 7, 0, &[0x16, 0, 0, 0, 224, 0, 0, 251]));
    let other = fwd(ipv4(a, b, 132, 8, 0, &[0; 16]));
    // ICMP echo both ways, a reply-first echo, a timestamp request.
    let echo =
        |t: u8, id: u16| [&[t, 0, 0, 0][..], &id.to_be_bytes(), &[0, 1], &[0x55; 32]].concat();
    let e1 = fwd(ipv4(a, b, 1, 9, 0, &echo(8, 0x1234)));
    let e2 = rev(ipv4(b, a, 1, 10, 0, &echo(0, 0x1234)));
    let e3 = rev(ipv4(b, a, 1, 11, 0, &echo(0, 0x4321)));
    let ts = fwd(ipv4(
        a,
        b,
        1,
        12,
        0,
        &[13, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ));
    let frames = vec![g.clone(), g, fwd(opt), esp, esp2, igmp, other, e1, e2, e3, ts];
    same_as_debian_argus("ip-protocols", pcap(1, &frames), &["-m", "-Z"]);
    // ARP request and reply, also behind a VLAN tag; 802.3 LLC; an unknown
    // ether type in both directions.
    let arp = |op: u8, sha: u8, spa: [u8; 4], tha: u8, tpa: [u8; 4]| {
        let mut p = vec![0, 1, 8, 0, 6, 4, 0, op, 2, 0, 0, 0, 0, sha];
        p.extend(spa);
        p.extend([2, 0, 0, 0, 0, tha]);
        p.extend(tpa);
        p
    };
    let req = eth_frame(1, 0xff, 0x0806, &arp(1, 1, a, 0, b));
    let rep = eth_frame(2, 1, 0x0806, &arp(2, 2, b, 1, a));
    let vreq = eth_frame(1, 0xff, 0x8100, &[&[0, 7, 8, 6][..], &arp(1, 1, a, 0, b)].concat());
    let llc = eth_frame(
        1,
        2,
        38,
        &[
            0x42, 0x42, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
    );
    let x1 = eth_frame(1, 2, 0x88b5, &[1; 46]);
    let x2 = eth_frame(2, 1, 0x88b5, &[2; 46]);
    same_as_debian_argus("layer2", pcap(1, &[req, rep, vreq, llc, x1, x2]), &["-m"]);
    // IPv6: TCP handshake, ICMPv6 echo and neighbour discovery.
    let v6 = |src: u8, dst: u8, nxt: u8, payload: &[u8]| {
        let mut ip = vec![0x60, 0, 0, 0, 0, payload.len() as u8, nxt, 64];
        ip.extend([0x20, 1, 0x0d, 0xb8]);
        ip.extend([0; 11]);
        ip.push(src);
        ip.extend([0x20, 1, 0x0d, 0xb8]);
        ip.extend([0; 11]);
        ip.push(dst);
        ip.extend_from_slice(payload);
        eth_frame(src, dst, 0x86dd, &ip)
    };
    let frames = vec![
        v6(1, 2, 6, &tcp(40000, 443, 1, 0, 0x02, b"")),
        v6(2, 1, 6, &tcp(443, 40000, 7, 2, 0x12, b"")),
        v6(1, 2, 6, &tcp(40000, 443, 2, 8, 0x10, b"")),
        v6(1, 2, 58, &[128, 0, 0, 0, 0, 1, 0, 1]),
        v6(2, 1, 58, &[129, 0, 0, 0, 0, 1, 0, 1]),
        v6(1, 2, 58, &[135, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        v6(2, 1, 58, &[136, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ];
    same_as_debian_argus("ipv6", pcap(1, &frames), &[]);
    // Linux SLL and raw IP link types.
    let sll =
        |p: Vec<u8>| [&[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00][..], &p].concat();
    same_as_debian_argus("sll", pcap(113, &[sll(udp(a, b, 1, 2)), sll(udp(b, a, 2, 1))]), &["-m"]);
    same_as_debian_argus("raw", pcap(101, &[udp(a, b, 1, 2), udp(b, a, 2, 1)]), &[]);
}

/// 802.11 management, control, null-data and protected frames become WLAN
/// flows keyed as 3.0.8.2 keys them, including what it reads past short
/// frames (libpcap's reused packet buffer) and the SSID its element walk
/// leaves; plain, radiotap and pcapng captures.
#[test]
fn wlan_frames_match_debian_argus() {
    let mac = |i: u8| [0, 0x11, 0x22, 0x33, 0x44, i];
    let (ap, bc) = (mac(0), [0xff; 6]);
    let hdr = |fc: u16, a1: [u8; 6], a2: [u8; 6], a3: [u8; 6]| {
        [&fc.to_le_bytes()[..], &[0, 0], &a1, &a2, &a3, &[0, 0]].concat()
    };
    let mut seed = 7u32;
    let mut rnd = move |n: u32| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 16) % n
    };
    let mut frames = Vec::new();
    for _ in 0..160 {
        let a = mac(1 + rnd(3) as u8);
        let b = mac(1 + rnd(3) as u8);
        let mut f = match rnd(10) {
            0 => [
                hdr(0x80, bc, ap, ap),
                vec![1; 8],
                vec![100, 0, 0x11, 4, 0, 4],
                b"test".to_vec(),
                vec![1, 1, 0x82],
            ]
            .concat(),
            1 => [&[0xd4, 0, 0, 0][..], &a].concat(),
            2 => [&[0xc4, 0, 0, 0][..], &b].concat(),
            3 => [&[0xb4, 0, 0, 0][..], &a, &b].concat(),
            4 => {
                let ip = udp([10, 0, 0, 1], [10, 0, 0, 2], 1001, 2002);
                [hdr(0x0108, ap, a, bc), vec![0xaa, 0xaa, 3, 0, 0, 0, 8, 0], ip].concat()
            }
            5 => [hdr(0x4108, ap, a, b), vec![0x11; 40]].concat(),
            6 => hdr(0x0148, ap, a, ap),
            7 => [hdr(0x40, bc, a, bc), vec![0, 0, 1, 1, 0x82]].concat(),
            8 => [hdr(0x50, b, ap, ap), vec![2; 8], vec![100, 0, 0x11, 4, 0, 3], b"abc".to_vec()]
                .concat(),
            _ => [hdr(0xc0, a, ap, ap), vec![7, 0]].concat(),
        };
        if rnd(3) == 0 {
            f.extend([0xde, 0xad, 0xbe, 0xef]);
        }
        frames.push(f);
    }
    same_as_debian_argus("wlan", pcap(105, &frames), &["-m"]);
    let radiotap: Vec<Vec<u8>> =
        frames.iter().map(|f| [&[0, 0, 10, 0, 2, 0, 0, 0, 0x10, 2][..], f].concat()).collect();
    same_as_debian_argus("wlan-radiotap", pcap(127, &radiotap), &[]);
    same_as_debian_argus("wlan-pcapng", pcapng(105, &frames), &[]);
}

/// A pcapng file (SHB, one IDB, an EPB per frame, one second apart).
fn pcapng(linktype: u16, frames: &[Vec<u8>]) -> Vec<u8> {
    fn block(out: &mut Vec<u8>, btype: u32, mut body: Vec<u8>) {
        body.resize(body.len().div_ceil(4) * 4, 0);
        let len = (body.len() + 12) as u32;
        out.extend(btype.to_le_bytes());
        out.extend(len.to_le_bytes());
        out.extend(body);
        out.extend(len.to_le_bytes());
    }
    let mut out = Vec::new();
    block(
        &mut out,
        0x0a0d_0d0a,
        [&0x1a2b_3c4du32.to_le_bytes()[..], &[1, 0, 0, 0], &[0xff; 8]].concat(),
    );
    block(&mut out, 1, [&linktype.to_le_bytes()[..], &[0, 0], &65535u32.to_le_bytes()].concat());
    for (n, d) in frames.iter().enumerate() {
        let ts = (1_700_000_000 + n as u64) * 1_000_000;
        let len = (d.len() as u32).to_le_bytes();
        let body = [
            &0u32.to_le_bytes()[..],
            &((ts >> 32) as u32).to_le_bytes(),
            &(ts as u32).to_le_bytes(),
            &len,
            &len,
            d,
        ]
        .concat();
        block(&mut out, 6, body);
    }
    out
}
