//! Filter evaluation speed: nanoseconds per record for typical filters,
//! on records already decoded (the filter alone), from record bytes with
//! the decode a filter needs, and straight from the stored bytes
//! (`Filter::matches_bytes`, what `ra` does first).
//!
//! The records come from the archive named by `ARGUS_BENCH_ARCHIVE`
//! (e.g. /work/bench-data/big.argus; all its records), else from the shared
//! reference archives, repeated to 50,000.
//!
//! Run: `ARGUS_BENCH_ARCHIVE=/work/bench-data/big.argus cargo bench --bench filter`.
//! The end-to-end comparison with Debian's `ra` is `benches/compare.sh`.

use argus_tool::codec::stream::Records;
use argus_tool::codec::{DecodeOptions, RecordBuf, SlotSet};
use argus_tool::filter::Filter;
use argus_tool::record::Record;
use std::path::PathBuf;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

const FILTERS: &[&str] = &[
    "tcp and dst port 443 and bytes gt 1000",
    "host 10.0.0.1",
    "net 10.0.0.0/8 and not port domain",
    "udp or icmp",
    "dur gt 1.0 and pkts gt 10",
    "syn and not rst",
];

/// The archive bytes, and the offset and length of each record.
type Archive = (Vec<u8>, Vec<(usize, usize)>);

fn archive() -> &'static Archive {
    static A: OnceLock<Archive> = OnceLock::new();
    A.get_or_init(|| {
        let mut bytes = Vec::new();
        if let Some(p) = std::env::var_os("ARGUS_BENCH_ARCHIVE") {
            bytes = std::fs::read(PathBuf::from(p)).unwrap_or_default();
        }
        if bytes.is_empty() {
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
            let mut one = Vec::new();
            for f in
                ["cases/data/synth.argus", "cases/data/live1.argus", "vectors/argus/tcp4_all.argus"]
            {
                one.extend(std::fs::read(root.join(f)).unwrap_or_default());
            }
            while !one.is_empty() && bytes.len() < 8 << 20 {
                bytes.extend_from_slice(&one);
            }
        }
        let base = bytes.as_ptr() as usize;
        let spans: Vec<(usize, usize)> = Records::new(&bytes)
            .map(|r| (r.bytes.as_ptr() as usize - base, r.bytes.len()))
            .collect();
        (bytes, spans)
    })
}

fn decoded() -> &'static [Record] {
    static R: OnceLock<Vec<Record>> = OnceLock::new();
    R.get_or_init(|| {
        let (bytes, spans) = archive();
        let mut rb = RecordBuf::new();
        spans.iter().filter_map(|&(at, n)| rb.decode(&bytes[at..at + n]).ok().cloned()).collect()
    })
}

/// The filter alone, on decoded records.
#[divan::bench(args = FILTERS)]
fn matches(b: divan::Bencher, expr: &str) {
    let f = Filter::compile(expr).expect("compiles");
    let recs = decoded();
    b.counter(divan::counter::ItemsCount::new(recs.len()))
        .bench(|| recs.iter().filter(|r| f.matches(divan::black_box(r))).count());
}

/// From record bytes: the decode the filter needs (its slots only), then
/// the filter.
#[divan::bench(args = FILTERS)]
fn matches_bytes(b: divan::Bencher, expr: &str) {
    let f = Filter::compile(expr).expect("compiles");
    let (bytes, spans) = archive();
    let options = if f.reads_raw_dsrs() {
        DecodeOptions::FULL
    } else {
        DecodeOptions::read_only(SlotSet::of(f.slots()))
    };
    let mut rb = RecordBuf::with_options(options);
    b.counter(divan::counter::ItemsCount::new(spans.len())).bench_local(|| {
        spans
            .iter()
            .filter(|&&(at, n)| {
                rb.decode(divan::black_box(&bytes[at..at + n])).is_ok_and(|r| f.matches(r))
            })
            .count()
    });
}

/// Straight from the stored bytes ([`Filter::matches_bytes`]), decoding
/// only the records it cannot judge: what `ra` does for each record.
#[divan::bench(args = FILTERS)]
fn matches_stored(b: divan::Bencher, expr: &str) {
    let f = Filter::compile(expr).expect("compiles");
    let (bytes, spans) = archive();
    let mut rb = RecordBuf::new();
    b.counter(divan::counter::ItemsCount::new(spans.len())).bench_local(|| {
        spans
            .iter()
            .filter(|&&(at, n)| {
                let rec = divan::black_box(&bytes[at..at + n]);
                match f.matches_bytes(rec) {
                    Some(v) => v,
                    None => rb.decode(rec).is_ok_and(|r| f.matches(r)),
                }
            })
            .count()
    });
}

/// Finding the records alone (the framing every pass pays), for scale.
#[divan::bench]
fn scan_only(b: divan::Bencher) {
    let (bytes, _) = archive();
    b.counter(divan::counter::ItemsCount::new(archive().1.len()))
        .bench(|| Records::new(divan::black_box(bytes)).count());
}

/// Compiling a filter.
#[divan::bench(args = FILTERS)]
fn compile(expr: &str) -> bool {
    Filter::compile(divan::black_box(expr)).is_ok()
}
