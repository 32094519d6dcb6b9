//! Text output speed: formatting N flow records with `ra`'s default
//! columns, delimited columns, and a wide field list.
//!
//! The records are made up: a mix of TCP and UDP flows like the benchmark
//! capture's.
//!
//! Run: `cargo bench --bench print`.

use argus_tool::print::{PrintOptions, Printer};
use argus_tool::record::Flow;
use argus_tool::record::{
    cause, family, ipproto, key_kind, DirMetrics, Encaps, FlowKey, IpAttr, IpAttrDir, Ipv4Key,
    KeyAddrs, Metrics, Network, Record, RecordClass, RecordHeader, TcpPerf, Time, TimeRange,
    Timeval,
};

fn main() {
    divan::main();
}

const N: usize = 10_000;

fn synthetic(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let i32 = i as u32;
            let tcp = i % 3 != 0;
            let mut k = Ipv4Key {
                src: 0x0a00_0000 | (i32 * 7919 % 65536),
                dst: 0xc0a8_0000 | (i32 * 104_729 % 65536),
                proto: if tcp { ipproto::TCP } else { ipproto::UDP },
                ..Ipv4Key::default()
            };
            k.set_ports(1024 + (i32 * 31 % 60000) as u16, [80u16, 443, 53, 22, 8080][i % 5]);
            let start = Timeval::new(1_615_712_400 + i32 / 10, (i32 * 137) % 1_000_000);
            let end = Timeval::new(start.sec + i32 % 4, (start.usec + 5000) % 1_000_000);
            let mut f = Flow {
                header: RecordHeader::new(RecordClass::Flow, cause::START),
                key: Some(FlowKey {
                    kind: key_kind::CLASSIC5TUPLE,
                    reversed: false,
                    qual: family::IPV4,
                    addrs: KeyAddrs::Ipv4(k),
                }),
                time: Some(Time {
                    subtype: 0x02,
                    qual: 0x18,
                    len: 5,
                    src: TimeRange { start, end },
                    dst: TimeRange::default(),
                    nanos: [0; 4],
                }),
                metrics: Some(Metrics {
                    subtype: 1,
                    qual: 3,
                    src: DirMetrics {
                        pkts: 5 + i as u64 % 20,
                        bytes: 400 + i as u64 * 13 % 9000,
                        appbytes: 0,
                    },
                    dst: DirMetrics {
                        pkts: 4 + i as u64 % 17,
                        bytes: 300 + i as u64 * 17 % 90000,
                        appbytes: 0,
                    },
                    pad: [0; 3],
                }),
                ipattr: Some(IpAttr {
                    qual: 3,
                    src: IpAttrDir { ttl: 64, tos: 0, ip_id: i as u16 },
                    dst: IpAttrDir { ttl: 60, tos: 0, ip_id: i as u16 ^ 0x5555 },
                    ..IpAttr::default()
                }),
                encaps: Some(Encaps { src: 2, dst: 2, ..Encaps::default() }),
                ..Flow::default()
            };
            if tcp {
                f.network = Some(Network::Tcp(TcpPerf { status: 0x3f, ..TcpPerf::default() }));
            }
            Record::Flow(Box::new(f))
        })
        .collect()
}

fn records() -> Vec<Record> {
    synthetic(N)
}

fn run(opts: PrintOptions, recs: &[Record]) -> usize {
    let mut p = Printer::new(opts);
    let mut out = Vec::with_capacity(1 << 20);
    for r in recs {
        p.print(r, &mut out);
        if out.len() > 1 << 20 {
            out.clear();
        }
    }
    out.len()
}

#[divan::bench]
fn default_columns(b: divan::Bencher) {
    let recs = records();
    b.counter(divan::counter::ItemsCount::new(recs.len()))
        .bench(|| run(PrintOptions::default(), divan::black_box(&recs)));
}

#[divan::bench]
fn csv_columns(b: divan::Bencher) {
    let recs = records();
    let mut o = PrintOptions::default();
    o.set_delimiter(b',');
    o.unix_time = true;
    o.names = o.names.next();
    o.apply_field_spec(&[
        "stime ltime flgs proto saddr sport dir daddr dport spkts dpkts sbytes dbytes state",
    ])
    .unwrap_or_default();
    b.counter(divan::counter::ItemsCount::new(recs.len()))
        .bench(|| run(o.clone(), divan::black_box(&recs)));
}

#[divan::bench]
fn wide_columns(b: divan::Bencher) {
    let recs = records();
    let mut o = PrintOptions::default();
    o.apply_field_spec(&[
        "stime ltime dur trans flgs proto saddr sport dir daddr dport pkts bytes rate load sttl dttl sipid dipid state",
    ])
    .unwrap_or_default();
    b.counter(divan::counter::ItemsCount::new(recs.len()))
        .bench(|| run(o.clone(), divan::black_box(&recs)));
}
