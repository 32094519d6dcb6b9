//! Text output speed: formatting decoded flow records with `ra`'s default
//! columns, delimited columns, and a wide field list.
//!
//! The records come from the archive named by `ARGUS_BENCH_ARCHIVE`
//! (e.g. /work/bench-data/big.argus; the first 50,000 flow records are
//! used), else from the shared reference archives, repeated to 50,000.
//!
//! Run: `cargo bench --bench print` (or with
//! `ARGUS_BENCH_ARCHIVE=/work/bench-data/big.argus`).

use argus_tool::codec::{stream::Records, RecordBuf};
use argus_tool::print::{PrintOptions, Printer};
use argus_tool::record::Record;
use std::path::PathBuf;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

const N: usize = 50_000;

fn flows_of(path: &std::path::Path, limit: usize, out: &mut Vec<Record>) {
    let Ok(buf) = std::fs::read(path) else { return };
    let mut rb = RecordBuf::new();
    for r in Records::new(&buf) {
        if out.len() >= limit {
            return;
        }
        if let Ok(rec) = rb.decode(r.bytes) {
            if !rec.is_mar() {
                out.push(rec.clone());
            }
        }
    }
}

fn records() -> &'static [Record] {
    static R: OnceLock<Vec<Record>> = OnceLock::new();
    R.get_or_init(|| {
        let mut out = Vec::new();
        if let Some(p) = std::env::var_os("ARGUS_BENCH_ARCHIVE") {
            flows_of(&PathBuf::from(p), N, &mut out);
        }
        if out.is_empty() {
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
            let mut one = Vec::new();
            for f in
                ["cases/data/synth.argus", "cases/data/live1.argus", "vectors/argus/tcp4.argus"]
            {
                flows_of(&root.join(f), N, &mut one);
            }
            while !one.is_empty() && out.len() < N {
                out.extend(one.iter().take(N - out.len()).cloned());
            }
        }
        out
    })
}

fn run(opts: &PrintOptions, recs: &[Record]) -> usize {
    let mut p = Printer::new(opts.clone());
    let mut out = Vec::with_capacity(1 << 20);
    let mut total = 0;
    for r in recs {
        p.print(r, &mut out);
        if out.len() > 1 << 20 {
            total += out.len();
            out.clear();
        }
    }
    total + out.len()
}

fn bench(b: divan::Bencher, opts: PrintOptions) {
    let recs = records();
    b.counter(divan::counter::ItemsCount::new(recs.len()))
        .bench(|| run(&opts, divan::black_box(recs)));
}

#[divan::bench]
fn default_columns(b: divan::Bencher) {
    bench(b, PrintOptions::default());
}

#[divan::bench]
fn csv_columns(b: divan::Bencher) {
    let mut o = PrintOptions::default();
    o.set_delimiter(b',');
    o.unix_time = true;
    o.names = o.names.next();
    let _ = o.apply_field_spec(&[
        "stime ltime flgs proto saddr sport dir daddr dport spkts dpkts sbytes dbytes state",
    ]);
    bench(b, o);
}

#[divan::bench]
fn wide_columns(b: divan::Bencher) {
    let mut o = PrintOptions::default();
    let _ = o.apply_field_spec(&[
        "stime ltime dur trans flgs proto saddr sport dir daddr dport pkts bytes rate load sttl dttl sipid dipid state",
    ]);
    bench(b, o);
}
