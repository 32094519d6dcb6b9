//! Record decode and encode throughput.
//!
//! Input: `$ARGUS_BENCH_DATA/big.argus` when present (the team's 302k-record
//! archive: `ARGUS_BENCH_DATA=/work/bench-data cargo bench --bench codec`),
//! otherwise every archive of the shared reference data concatenated and
//! repeated to about 20 MB. Reports time per pass over the whole input;
//! divan prints bytes/s too.

use argus_tool::codec::{self, index, RecordBuf, Records};
use std::path::PathBuf;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

fn input() -> &'static [u8] {
    static DATA: OnceLock<Vec<u8>> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = std::env::var_os("ARGUS_BENCH_DATA").map(PathBuf::from);
        if let Some(d) = dir {
            if let Ok(v) = std::fs::read(d.join("big.argus")) {
                return v;
            }
        }
        // One stream of every reference record: an initial MAR, then the
        // records of every reference archive, repeated.
        let root =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/vectors/argus");
        let mut out = Vec::new();
        let mut body = Vec::new();
        let mut names: Vec<_> =
            std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        for p in names.iter().filter(|p| p.extension().is_some_and(|e| e == "argus")) {
            let data = std::fs::read(p).unwrap();
            for r in Records::new(&data) {
                if r.initial {
                    if out.is_empty() {
                        out.extend_from_slice(r.bytes);
                    }
                } else {
                    body.extend_from_slice(r.bytes);
                }
            }
        }
        while out.len() < 20_000_000 {
            out.extend_from_slice(&body);
        }
        out
    })
}

fn records() -> &'static [(usize, usize)] {
    static R: OnceLock<Vec<(usize, usize)>> = OnceLock::new();
    R.get_or_init(|| {
        let (offs, _) = index::offsets(input());
        offs.into_iter().map(|(o, l)| (o as usize, l as usize)).collect()
    })
}

#[divan::bench]
fn scan(b: divan::Bencher) {
    let buf = input();
    b.counter(divan::counter::BytesCount::new(buf.len())).bench(|| {
        let mut n = 0usize;
        for r in Records::new(divan::black_box(buf)) {
            n += r.bytes.len();
        }
        n
    });
}

#[divan::bench]
fn chunks(b: divan::Bencher) {
    let buf = input();
    b.counter(divan::counter::BytesCount::new(buf.len()))
        .bench(|| index::chunks(divan::black_box(buf), 1 << 20).0.len());
}

#[divan::bench]
fn decode(b: divan::Bencher) {
    let buf = input();
    let recs = records();
    let mut rb = RecordBuf::new();
    b.counter(divan::counter::ItemsCount::new(recs.len())).bench_local(|| {
        let mut n = 0u64;
        for &(o, l) in recs {
            if let Ok(r) = rb.decode(&buf[o..o + l]) {
                n += r.as_flow().map_or(0, |f| f.src_metrics().pkts);
            }
        }
        n
    });
}

#[divan::bench]
fn encode(b: divan::Bencher) {
    let buf = input();
    let decoded: Vec<_> =
        records().iter().map(|&(o, l)| codec::decode(&buf[o..o + l]).unwrap()).collect();
    let mut out = Vec::with_capacity(buf.len() + 1024);
    b.counter(divan::counter::ItemsCount::new(decoded.len())).bench_local(|| {
        out.clear();
        for r in &decoded {
            codec::encode(r, &mut out).unwrap();
        }
        out.len()
    });
}
