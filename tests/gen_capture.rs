//! The benchmark capture generator (`benches/gen_capture.rs`, example
//! `gen-capture`): deterministic, sized as asked, and the traffic mix it
//! promises is in the capture. The generator's source is included as a
//! module, so no example binary has to be built first.

use std::path::PathBuf;
use std::process::Command;

use crate::util;

#[allow(dead_code)]
#[path = "../benches/gen_capture.rs"]
mod generator;

use generator::{Args, Mix};

fn generate_with(a: &Args) -> Vec<u8> {
    let mut out = Vec::new();
    generator::generate(a, &mut out).expect("write to memory");
    out
}

fn generate(seed: u64, packets: u64) -> Vec<u8> {
    generate_with(&Args::new(seed, packets, Mix::Normal))
}

/// What a frame is: ether type after any VLAN tag, TCP flags (None when
/// not TCP), VLAN-tagged.
type Seen = (u16, Option<u8>, bool);

fn frames(pcap: &[u8]) -> Vec<Seen> {
    let mut at = 24;
    let mut out = Vec::new();
    while at + 16 <= pcap.len() {
        let caplen = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
        let f = &pcap[at + 16..at + 16 + caplen];
        at += 16 + caplen;
        let mut et = u16::from_be_bytes([f[12], f[13]]);
        let vlan = et == 0x8100;
        let mut ip = 14;
        if vlan {
            et = u16::from_be_bytes([f[16], f[17]]);
            ip = 18;
        }
        let tcp = match et {
            0x0800 if f[ip + 9] == 6 => Some(f[ip + usize::from(f[ip] & 0xf) * 4 + 13]),
            0x86dd if f[ip + 6] == 6 => Some(f[ip + 40 + 13]),
            _ => None,
        };
        out.push((et, tcp, vlan));
    }
    assert_eq!(at, pcap.len(), "records end at the end of the file");
    out
}

#[test]
fn same_arguments_give_the_same_bytes() {
    let a = generate(7, 3000);
    assert_eq!(a, generate(7, 3000));
    assert_ne!(a, generate(8, 3000));
    assert_eq!(frames(&a).len(), 3000);
    // --bytes stops at the first packet that reaches the size, and the
    // stream is the same whatever the size.
    let b = generate_with(&Args {
        bytes: 100 << 10,
        packets: u64::MAX,
        ..Args::new(7, 0, Mix::Normal)
    });
    assert!(b.len() >= 100 << 10 && b.len() < (100 << 10) + 1600, "{}", b.len());
    assert!(a.starts_with(&b));
}

#[test]
fn the_mix_has_what_the_benchmarks_need() {
    let f = frames(&generate(1, 20000));
    let count = |p: &dyn Fn(&Seen) -> bool| f.iter().filter(|x| p(x)).count();
    assert!(count(&|x| x.0 == 0x86dd) > 1000, "IPv6");
    assert!(count(&|x| x.0 == 0x0806) > 10, "ARP");
    assert!(count(&|x| x.2) > 500, "VLAN tags");
    assert!(count(&|x| x.0 == 0x8847) > 50, "MPLS");
    for (flag, name) in [(0x02, "SYN"), (0x01, "FIN"), (0x04, "RST"), (0x10, "ACK")] {
        assert!(count(&|x| x.1.is_some_and(|t| t & flag != 0)) > 20, "{name}");
    }
    let scan = frames(&generate_with(&Args::new(1, 5000, Mix::Scan)));
    let syns = scan.iter().filter(|x| x.1 == Some(0x02)).count();
    assert!(syns > 4000, "a scan is mostly bare SYNs: {syns}");
}

/// Debian's argus and ours make the same records of it (the benchmark
/// compares them at full size).
#[test]
fn argus_and_debian_argus_agree_on_a_generated_capture() {
    let dir = util::TempDir::new("gen-capture");
    let cap = dir.path().join("g.pcap");
    std::fs::write(&cap, generate(3, 30000)).unwrap();
    let (ours, theirs) = (dir.path().join("ours.argus"), dir.path().join("debian.argus"));
    let o = util::run(util::role("argus").arg("-X").arg("-r").arg(&cap).arg("-w").arg(&ours));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d = util::run(
        Command::new("/usr/sbin/argus").arg("-X").arg("-r").arg(&cap).arg("-w").arg(&theirs),
    );
    assert!(d.status.success(), "{}", String::from_utf8_lossy(&d.stderr));
    let print = |f: &PathBuf| {
        let out = util::run(
            Command::new("/usr/bin/ra")
                .args(["-X", "-n", "-u", "-c", ",", "-s", "stime", "ltime", "flgs", "proto"])
                .args(["saddr", "sport", "dir", "daddr", "dport", "spkts", "dpkts", "sbytes"])
                .args(["dbytes", "state", "-r"])
                .arg(f)
                .env("TZ", "UTC"),
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let (a, b) = (print(&ours), print(&theirs));
    assert!(a.lines().count() > 1000, "{}", a.lines().count());
    assert_eq!(a, b);
}
