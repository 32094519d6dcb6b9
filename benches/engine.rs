//! argus's per-packet cost: header decoding (`wire::decode`) and the flow
//! engine (`flow::Engine::packet`: key, table lookup, state update,
//! reports).
//!
//! Packets come from the capture named by `ARGUS_BENCH_PCAP` (its first
//! 200,000 packets, e.g. target/bench-data/big.pcap made by
//! `make bench-argus`), else from tests/data/demo.pcap, repeated with
//! shifted timestamps to 200,000 packets.
//!
//! Run: `cargo bench --bench engine` (or with `ARGUS_BENCH_PCAP=...`).

use argus_tool::capture::{CaptureFile, Packet};
use argus_tool::flow::{key, Config, Engine};
use argus_tool::wire;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

const N: usize = 200_000;

struct Owned {
    sec: u32,
    usec: u32,
    data: Vec<u8>,
    wire_len: u32,
    linktype: u16,
}

impl Owned {
    fn packet(&self) -> Packet<'_> {
        Packet {
            sec: self.sec,
            usec: self.usec,
            data: &self.data,
            wire_len: self.wire_len,
            linktype: self.linktype,
            buf_off: 0,
            buf_tail: &[],
        }
    }
}

fn read(path: &str, limit: usize, out: &mut Vec<Owned>) {
    let Ok(mut cf) = CaptureFile::open(path) else { return };
    while out.len() < limit {
        let Ok(Some(p)) = cf.next_packet() else { return };
        out.push(Owned {
            sec: p.sec,
            usec: p.usec,
            data: p.data.to_vec(),
            wire_len: p.wire_len,
            linktype: p.linktype,
        });
    }
}

fn packets() -> &'static [Owned] {
    static P: OnceLock<Vec<Owned>> = OnceLock::new();
    P.get_or_init(|| {
        let mut out = Vec::new();
        if let Ok(p) = std::env::var("ARGUS_BENCH_PCAP") {
            read(&p, N, &mut out);
        }
        if out.is_empty() {
            let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/demo.pcap");
            let mut one = Vec::new();
            read(demo, N, &mut one);
            // Each repetition an hour later: new flows, time still in order.
            let mut shift = 0;
            while !one.is_empty() && out.len() < N {
                out.extend(one.iter().take(N - out.len()).map(|p| Owned {
                    sec: p.sec + shift,
                    data: p.data.clone(),
                    ..*p
                }));
                shift += 3600;
            }
        }
        out
    })
}

/// Link and network headers of every packet, then the flow key made of
/// them (what argus does before it looks at its flow table).
#[divan::bench]
fn packet_decode(b: divan::Bencher) {
    let pkts = packets();
    b.counter(divan::counter::ItemsCount::new(pkts.len())).bench(|| {
        let mut n = 0usize;
        for p in divan::black_box(pkts) {
            if let Some(f) = wire::decode(p.linktype, &p.data, p.wire_len) {
                n += f.net_off;
                if let Some(k) = key::create(&f) {
                    n += k.key.body().len();
                }
            }
        }
        n
    });
}

/// The whole engine per packet, default configuration, records collected
/// (not encoded).
#[divan::bench]
fn flow_update(b: divan::Bencher) {
    let pkts = packets();
    b.counter(divan::counter::ItemsCount::new(pkts.len())).bench_local(|| {
        let mut e = Engine::new(Config::default());
        let mut n = 0usize;
        for p in divan::black_box(pkts) {
            e.packet(&p.packet());
            n += e.records().len();
            e.records().clear();
        }
        e.finish();
        n + e.records().len()
    });
}
