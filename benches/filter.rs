//! Filter evaluation speed: compiled Argus filter expressions matched
//! against decoded flow records.
//!
//! The records come from the archive named by `ARGUS_BENCH_ARCHIVE`
//! (e.g. /work/bench-data/big.argus; its first 50,000 flow records), else
//! from the shared reference archives, repeated to 50,000.
//!
//! Run: `cargo bench --bench filter`.

use argus_tool::codec::{stream::Records, RecordBuf};
use argus_tool::filter::Filter;
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

/// Expressions of the kinds operators write: protocol + port + counter,
/// address ranges, and a longer boolean mix.
const EXPRS: &[&str] = &[
    "tcp and dst port 443 and bytes gt 1000",
    "net 10.0.0.0/8 and not dst net 10.0.0.0/8",
    "(udp and port 53) or (icmp and pkts gt 3) or (tcp and (syn and not synack))",
];

#[divan::bench(args = EXPRS)]
fn matches(b: divan::Bencher, expr: &str) {
    let recs = records();
    let filter = match Filter::compile(expr) {
        Ok(f) => f,
        Err(e) => panic!("{expr}: {e:?}"),
    };
    b.counter(divan::counter::ItemsCount::new(recs.len()))
        .bench(|| divan::black_box(recs).iter().filter(|r| filter.matches(r)).count());
}

/// Compiling, for completeness: ra compiles once per run.
#[divan::bench(args = EXPRS)]
fn compile(expr: &str) -> bool {
    Filter::compile(divan::black_box(expr)).is_ok()
}
