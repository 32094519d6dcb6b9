//! The soak test: a long synthetic packet stream (tests/traffic.rs) replayed
//! at full speed through the live pipeline (`argus -r - -T <huge factor>
//! -P port`: source thread, output thread, a file and two remote clients,
//! one with a filter), with argus's resident memory sampled all along.
//!
//! It checks that nothing is lost — the file and the unfiltered client hold
//! exactly the flow records that a plain `argus -r` of the same stream
//! writes, and the filtered client exactly those of them that pass its
//! filter, and the MARs count every packet — and that memory stays flat
//! once the flow table has reached its steady size (see the end of the
//! test for the measure).
//!
//! The default size keeps it to a minute or two in CI (debug build, loaded
//! machine); `ARGUS_SOAK_PACKETS` makes it longer (benches/live-soak.sh).

use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::live::{wait_for, Proc, Scratch};
use crate::traffic::Traffic;
use crate::util;

/// Flow records of an archive stream: how many, and a digest of their
/// bytes in order; management records: how many of each cause.
#[derive(Debug, Default, PartialEq, Eq)]
struct Contents {
    flows: u64,
    digest: u64,
    start_mars: u64,
    status_mars: u64,
    stop_mars: u64,
    /// Packets the MARs say were read (their `pktsRcvd` summed).
    mar_packets: u64,
}

/// Reads a whole record stream (to the end of `input`), copying it to
/// `tee` when given.
fn contents(what: &str, input: impl Read, mut tee: Option<&mut dyn Write>) -> Contents {
    let mut r = BufReader::with_capacity(1 << 20, input);
    let mut c = Contents::default();
    let mut h = DefaultHasher::new();
    let mut rec = vec![0u8; 1 << 18];
    loop {
        let mut hdr = [0u8; 4];
        match r.read_exact(&mut hdr) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => panic!("{what}: {e}"),
        }
        let len = usize::from(u16::from_be_bytes([hdr[2], hdr[3]])) * 4;
        assert!(len >= 4, "{what}: bad record header {hdr:02x?}");
        r.read_exact(&mut rec[..len - 4]).expect("a whole record");
        if let Some(t) = tee.as_mut() {
            t.write_all(&hdr).and_then(|()| t.write_all(&rec[..len - 4])).expect("tee");
        }
        if hdr[0] & 0xf0 == 0x80 {
            // pktsRcvd: record bytes 48..56, i.e. 44..52 after the header.
            let pkts = rec.get(44..52).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
            c.mar_packets += pkts.unwrap_or(0);
            match hdr[1] >> 4 {
                1 => c.start_mars += 1,
                2 => c.status_mars += 1,
                3 => c.stop_mars += 1,
                n => panic!("{what}: MAR with cause {n}"),
            }
        } else {
            c.flows += 1;
            h.write(&hdr);
            h.write(&rec[..len - 4]);
        }
    }
    c.digest = h.finish();
    c
}

fn file_contents(path: &Path) -> Contents {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    contents(&path.display().to_string(), f, None)
}

/// A client `ra -S server [- filter]` whose output stream is digested as it
/// arrives.
fn client(server: &str, filter: Option<&str>) -> (Proc, std::thread::JoinHandle<Contents>) {
    let mut cmd = util::role("ra");
    cmd.args(["-X", "-S", server, "-w", "-"]);
    if let Some(f) = filter {
        cmd.args(["-", f]);
    }
    let (p, out) = Proc::spawn_reading(&mut cmd);
    let what = format!("ra -S {filter:?}");
    (p, std::thread::spawn(move || contents(&what, out, None)))
}

fn resident_kib(pid: i32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Feeds `traffic` to a spawned process's stdin from a thread.
fn feed(p: &mut Proc, traffic: Traffic) -> std::thread::JoinHandle<()> {
    let stdin = p.take_stdin();
    std::thread::spawn(move || {
        let mut w = BufWriter::with_capacity(1 << 20, stdin);
        traffic.write(&mut w).expect("write the packet stream");
    })
}

#[test]
fn soak_a_long_stream_through_the_live_pipeline_keeps_memory_flat_and_loses_nothing() {
    let packets = std::env::var("ARGUS_SOAK_PACKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000_000u64);
    // 4000 conversations at once, 20 µs of packet time per packet: the
    // flow table is at its steady size after about 70 s of packet time
    // (the longest idle timeout, 60 s, plus the conversations' length),
    // 3.5 M packets.
    let traffic = Traffic { seed: 7, concurrent: 4000, packets, mean_gap_us: 20 };
    let d = Scratch::new("soak");
    let conf = d.join("argus.conf");
    std::fs::write(&conf, "ARGUS_REPLAY_WAIT_CLIENTS=2\n").unwrap();
    let port = 17995u16;
    let live = d.join("live.argus");
    // A factor so large that no packet is ever waited for: full speed.
    let mut argus = Proc::spawn_with(
        util::role("argus")
            .args(["-X", "-F", conf.to_str().unwrap(), "-w"])
            .arg(&live)
            .args(["-r", "-", "-T", "1e12", "-P", &port.to_string(), "-B", "127.0.0.1", "-M", "1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null()),
    );
    wait_for("the remote port", Duration::from_secs(60), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let server = format!("127.0.0.1:{port}");
    let (c_all, all) = client(&server, None);
    let (c_udp, udp) = client(&server, Some("udp"));
    let t0 = Instant::now();
    let writer = feed(&mut argus, traffic);
    let pid = argus.pid();
    let mut samples: Vec<(f64, u64)> = Vec::new();
    while !argus.exited() {
        if let Some(kib) = resident_kib(pid) {
            samples.push((t0.elapsed().as_secs_f64(), kib));
        }
        assert!(t0.elapsed() < Duration::from_secs(1800), "the soak run takes too long");
        std::thread::sleep(Duration::from_millis(100));
    }
    let run = t0.elapsed();
    writer.join().expect("the generator");
    let (code, err) = argus.wait(Duration::from_secs(5));
    assert_eq!(code, Some(0), "argus: {err}");
    for c in [c_all, c_udp] {
        // Our ra -S ends at the server's stop record.
        let (code, err) = c.wait(Duration::from_secs(300));
        assert_eq!(code, Some(0), "ra -S: {err}");
    }
    let (got_all, got_udp) = (all.join().unwrap(), udp.join().unwrap());
    let got = file_contents(&live);
    std::fs::remove_file(&live).unwrap();

    // The same stream through a plain `argus -r - -w -`, its output also
    // filtered by `ra -r - -w - udp`.
    let (mut p, plain_out) = Proc::spawn_reading(
        util::role("argus").args(["-X", "-r", "-", "-w", "-"]).stdin(Stdio::piped()),
    );
    let (mut filt, filt_out) = Proc::spawn_reading(
        util::role("ra").args(["-X", "-r", "-", "-w", "-", "-", "udp"]).stdin(Stdio::piped()),
    );
    let mut to_filter = filt.take_stdin();
    let plain = std::thread::spawn(move || {
        let c = contents("argus -r -", plain_out, Some(&mut to_filter));
        drop(to_filter);
        c
    });
    let plain_udp = std::thread::spawn(move || contents("ra -r - udp", filt_out, None));
    let writer = feed(&mut p, traffic);
    writer.join().expect("the generator");
    let (code, err) = p.wait(Duration::from_secs(1800));
    assert_eq!(code, Some(0), "plain argus: {err}");
    let want = plain.join().unwrap();
    let (code, err) = filt.wait(Duration::from_secs(60));
    assert_eq!(code, Some(0), "ra -r - udp: {err}");
    let want_udp = plain_udp.join().unwrap();

    let status = got.status_mars;
    eprintln!(
        "soak: {packets} packets in {:.1} s ({:.0} packets/s); flow records: plain {}, live file {}, \
         client {}, udp client {} of {}; status MARs {status}",
        run.as_secs_f64(),
        packets as f64 / run.as_secs_f64(),
        want.flows,
        got.flows,
        got_all.flows,
        got_udp.flows,
        want_udp.flows,
    );
    assert!(want.flows > packets / 40, "the stream makes many flows: {}", want.flows);
    assert!(want_udp.flows > 0 && want_udp.flows < want.flows);
    assert_eq!((got.flows, got.digest), (want.flows, want.digest), "the live file = argus -r");
    assert_eq!((got_all.flows, got_all.digest), (want.flows, want.digest), "the client = argus -r");
    assert_eq!(
        (got_udp.flows, got_udp.digest),
        (want_udp.flows, want_udp.digest),
        "the filtered client = argus -r, filtered"
    );
    assert_eq!((got.start_mars, got.stop_mars), (1, 1), "one start and one stop MAR");
    assert_eq!(got.mar_packets, packets, "the file's MARs count every packet");
    assert_eq!(got_all.mar_packets, packets, "the client's MARs count every packet");
    assert_eq!((got_all.start_mars, got_all.stop_mars), (1, 1), "the client's: the same");

    // Memory, after the warm-up (the first 40% of the run, which holds the
    // 3.5 M packets the flow table needs to fill at the default size):
    // - flat: the median of the last third of the samples is within 5%
    //   (+ 2 MiB) of the median of the third before (medians, because the
    //   records queued for clients that fall behind for a moment make
    //   short peaks; a leak stays);
    // - bounded: the peak stays within 10% (+ 32 MiB, room for the two
    //   clients' bounded queues) of the warm-up's peak.
    assert!(samples.len() >= 20, "too few memory samples: {}", samples.len());
    let split = samples.len() * 2 / 5;
    let peak = |s: &[(f64, u64)]| s.iter().map(|x| x.1).max().unwrap_or(0);
    let median = |s: &[(f64, u64)]| {
        let mut v: Vec<u64> = s.iter().map(|x| x.1).collect();
        v.sort_unstable();
        v[v.len() / 2]
    };
    let (warm, after) = (peak(&samples[..split]), peak(&samples[split..]));
    let rest = &samples[split..];
    let third = rest.len() / 3;
    let (middle, last) = (median(&rest[third..2 * third]), median(&rest[2 * third..]));
    let tenth = samples.len() / 10;
    let profile: Vec<String> = samples
        .iter()
        .step_by(tenth.max(1))
        .map(|(t, k)| format!("{t:.0}s {} MiB", k / 1024))
        .collect();
    eprintln!(
        "soak: RSS peak {} MiB during the warm-up, {} MiB after; medians {} then {} MiB; \
         profile: {}",
        warm / 1024,
        after / 1024,
        middle / 1024,
        last / 1024,
        profile.join(", ")
    );
    assert!(
        last <= middle + middle / 20 + 2048,
        "memory grows: median {middle} KiB, then {last} KiB"
    );
    assert!(
        after <= warm + warm / 10 + 32 * 1024,
        "memory peak: {warm} KiB during the warm-up, {after} KiB after"
    );
}

#[test]
fn the_generated_stream_is_deterministic_and_argus_reads_it() {
    let t = Traffic { seed: 3, concurrent: 50, packets: 5000, mean_gap_us: 100 };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    t.write(&mut a).unwrap();
    t.write(&mut b).unwrap();
    assert_eq!(a, b);
    let d = Scratch::new("traffic");
    let pcap = d.join("t.pcap");
    std::fs::write(&pcap, &a).unwrap();
    // Debian's argus and ours make the same records of it.
    let ours = d.join("ours.argus");
    let theirs = d.join("theirs.argus");
    let o = util::run(util::role("argus").args(["-X", "-r"]).arg(&pcap).arg("-w").arg(&ours));
    assert!(o.status.success());
    let o = util::run(
        Command::new("/usr/sbin/argus").args(["-X", "-r"]).arg(&pcap).arg("-w").arg(&theirs),
    );
    assert!(o.status.success());
    let (x, y) = (file_contents(&ours), file_contents(&theirs));
    assert!(x.flows > 100, "{x:?}");
    assert_eq!((x.flows, x.digest), (y.flows, y.digest));
}
