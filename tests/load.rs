//! The scaled-down load test of issue 7(a): a SYN scan — every packet a new
//! flow — through argus with a small flow table. The table never holds more
//! than its limit, yet every flow is reported exactly once with its packet:
//! state is bounded by the limit, not by the capture. (The full-size run,
//! millions of flows with peak RSS against a budget, is `make bench-load`.)

use std::process::Command;

use argus_tool::capture::Packet;
use argus_tool::flow::{Config, Engine};

use crate::util;

const PROBES: u32 = 50_000;
const LIMIT: usize = 1_000;

/// The `i`th probe: a bare SYN from 192.0.2.1 to 10.x.y.z, 10 µs apart.
fn syn(i: u32) -> (u32, u32, Vec<u8>) {
    let mut f = vec![0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
    let dst = (0x0a00_0000 | (i / 4)).to_be_bytes();
    let mut ip = [0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 192, 0, 2, 1, 0, 0, 0, 0];
    ip[16..20].copy_from_slice(&dst);
    f.extend_from_slice(&ip);
    let dport = [22u16, 80, 443, 3389][(i % 4) as usize];
    f.extend_from_slice(&(40000 + (i % 20000) as u16).to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&i.to_be_bytes()); // seq
    f.extend_from_slice(&[0, 0, 0, 0, 0x50, 0x02, 0x04, 0x00, 0, 0, 0, 0]);
    f.resize(60, 0);
    let t = 1_700_000_000_000_000u64 + u64::from(i) * 10;
    ((t / 1_000_000) as u32, (t % 1_000_000) as u32, f)
}

#[test]
fn syn_scan_keeps_the_flow_table_at_its_limit_and_loses_no_flow() {
    let mut e = Engine::new(Config { max_flows: LIMIT, ..Config::default() });
    let (mut records, mut packets, mut most) = (0u64, 0u64, 0usize);
    for i in 0..PROBES {
        let (sec, usec, data) = syn(i);
        let p = Packet {
            sec,
            usec,
            data: &data,
            wire_len: data.len() as u32,
            linktype: 1,
            buf_off: 0,
            buf_tail: &[],
        };
        e.packet(&p);
        most = most.max(e.flows());
        for r in e.records().drain(..) {
            if let Some(f) = r.as_flow() {
                records += 1;
                packets += f.src_metrics().pkts + f.dst_metrics().pkts;
            }
        }
    }
    e.finish();
    for r in e.records().drain(..) {
        if let Some(f) = r.as_flow() {
            records += 1;
            packets += f.src_metrics().pkts + f.dst_metrics().pkts;
        }
    }
    assert!(most <= LIMIT, "the table held {most} flows, limit {LIMIT}");
    assert_eq!(e.stats.flows, u64::from(PROBES));
    assert_eq!(records, u64::from(PROBES), "one record per probe flow");
    assert_eq!(packets, u64::from(PROBES), "every packet counted once");
    assert!(e.stats.evicted >= u64::from(PROBES) - LIMIT as u64, "{:?}", e.stats);
}

/// The same through the `argus` role and argus.conf's ARGUS_FLOW_TABLE_MAX,
/// read back by Debian's ra.
#[test]
fn argus_role_reports_every_scan_flow_with_a_small_table() {
    let dir = util::TempDir::new("load-scan");
    let mut pcap = Vec::new();
    for v in [0xa1b2_c3d4u32.to_le_bytes(), [2, 0, 4, 0], [0; 4], [0; 4], 65535u32.to_le_bytes()] {
        pcap.extend_from_slice(&v);
    }
    pcap.extend_from_slice(&1u32.to_le_bytes());
    for i in 0..PROBES {
        let (sec, usec, data) = syn(i);
        for v in [sec, usec, data.len() as u32, data.len() as u32] {
            pcap.extend_from_slice(&v.to_le_bytes());
        }
        pcap.extend_from_slice(&data);
    }
    let (cap, conf, out) = (
        dir.path().join("scan.pcap"),
        dir.path().join("argus.conf"),
        dir.path().join("scan.argus"),
    );
    std::fs::write(&cap, &pcap).unwrap();
    std::fs::write(&conf, format!("ARGUS_FLOW_TABLE_MAX={LIMIT}\n")).unwrap();
    let run = util::run(
        util::role("argus")
            .args(["-X", "-v", "-F"])
            .arg(&conf)
            .arg("-r")
            .arg(&cap)
            .arg("-w")
            .arg(&out),
    );
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{said}");
    assert!(
        said.contains(&format!("{PROBES} flows, {PROBES} records"))
            && said.contains("reported early at the flow table limit"),
        "{said}"
    );
    let ra = util::run(
        Command::new("/usr/bin/ra")
            .args(["-X", "-n", "-s", "pkts", "-r"])
            .arg(&out)
            .env("TZ", "UTC"),
    );
    let text = String::from_utf8_lossy(&ra.stdout);
    let counts: Vec<&str> = text.lines().skip(1).map(str::trim).collect();
    assert_eq!(counts.len(), PROBES as usize, "records Debian's ra reads");
    assert!(counts.iter().all(|c| *c == "1"), "every flow one packet");
}
