//! The fuzzing entry points, one `fn(&[u8])` per parser of outside bytes,
//! in one table ([`TARGETS`]) shared by the cargo-fuzz targets in `fuzz/`
//! and by the tests that replay regression inputs and a seeded mutation
//! run (`tests/hostile.rs`), so a finding is replayed through exactly the
//! code the fuzzer ran.
//!
//! An entry must never panic, loop or allocate without bound on any input;
//! errors are fine. The round-trip entries also assert properties (decode
//! -> encode is the identity, ...): there a panic is a finding too.

use crate::codec::{self, index, DecodeOptions, RecordBuf, Records, SlotSet};
use crate::filter::Filter;
use crate::print::{PrintOptions, Printer};
use std::io::Read;
use std::sync::OnceLock;

/// A fuzz target: its name (the cargo-fuzz binary and the regression
/// folder `tests/data/regress/<name>`) and its entry point.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every fuzz target, in the order `fuzz/README.md` lists them.
pub const TARGETS: &[Target] = &[
    Target { name: "argus_conf", run: argus_conf },
    Target { name: "argus_engine", run: crate::flow::fuzz_engine },
    Target { name: "capture_read", run: crate::capture::fuzz_read },
    Target { name: "client_text", run: crate::client::fuzz_text },
    Target { name: "decompress", run: decompress },
    Target { name: "filter_compile", run: filter_compile },
    Target { name: "lzw", run: lzw },
    Target { name: "packet_decode", run: crate::wire::fuzz_decode },
    Target { name: "rc_file", run: rc_file },
    Target { name: "record_roundtrip", run: record_roundtrip },
    Target { name: "remote_handshake", run: remote_handshake },
    Target { name: "server_commands", run: crate::output::server::protocol::fuzz_commands },
];

/// The entry point of the target called `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|t| t.name == name).map(|t| t.run)
}

/// argus.conf text: the `KEY=value` scanner, then every variable applied
/// to argus's options the way `argus -F file` applies them.
pub fn argus_conf(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for e in crate::conf::parse(&text) {
        let _ = crate::conf::yes(&e.value);
    }
    if let Ok(o) = crate::roles::argus::parse_options(&[], Some(&text)) {
        // ARGUS_ENV pairs go to `set_var` later, which panics on these.
        for (k, v) in &o.env {
            assert!(!k.is_empty() && !k.contains(['=', '\0']) && !v.contains('\0'), "{k:?}={v:?}");
        }
    }
}

/// An rc file (`~/.rarc`, `-F file`) applied to ra's options.
pub fn rc_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut opts = crate::client::options::ClientOptions::new("ra");
    let _ = crate::client::rc::read_text(&mut opts, "fuzz", &text);
}

/// Most a decompressor may give here: a few bytes of input can claim
/// gigabytes (a "bomb"); the real inputs stream, so bounding the test
/// costs nothing in coverage.
const DECOMPRESSED_MAX: u64 = 16 << 20;

/// Every decompressor: the input as it is (sniffed by its magic bytes),
/// then with the first byte choosing a format whose magic is put in front
/// of the rest, so each decoder sees arbitrary bodies. Whatever comes out
/// goes through the record scanner and decoder.
pub fn decompress(data: &[u8]) {
    use crate::archive::decompress::Compression;
    const MAGICS: [&[u8]; 5] = [
        &[0x1f, 0x8b],
        &[0x1f, 0x9d],
        b"BZh",
        &[0x28, 0xb5, 0x2f, 0xfd],
        &[0xfd, b'7', b'z', b'X', b'Z', 0],
    ];
    let forced = data.split_first().map(|(&sel, rest)| {
        let mut v = MAGICS[usize::from(sel) % MAGICS.len()].to_vec();
        v.extend_from_slice(rest);
        v
    });
    for input in std::iter::once(data).chain(forced.as_deref()) {
        let kind = Compression::sniff(input);
        let Ok(reader) = kind.decoder(Box::new(input)) else { continue };
        let mut out = Vec::new();
        if reader.take(DECOMPRESSED_MAX).read_to_end(&mut out).is_err() {
            continue;
        }
        for r in Records::new(&out) {
            let _ = codec::decode(r.bytes);
        }
    }
}

/// The Unix compress (.Z) decoder: the input as it is, then behind a valid
/// header (first byte: the maximum code width) so the code reader is
/// reached.
pub fn lzw(data: &[u8]) {
    let _ = crate::archive::lzw::decompress(data);
    let mut z = vec![0x1f, 0x9d, 0x80 | (9 + data.first().copied().unwrap_or(0) % 8)];
    z.extend_from_slice(data.get(1..).unwrap_or(&[]));
    let _ = crate::archive::lzw::decompress(&z);
}

/// The filter compiler on arbitrary text; what compiles is evaluated on a
/// flow record, an empty one and a management record.
pub fn filter_compile(data: &[u8]) {
    use crate::filter::{CompileOptions, Filter};
    use crate::record::{DirMetrics, Flow, FlowKey, Mar, Metrics, Record};
    let expr = String::from_utf8_lossy(data);
    // No DNS: random words would be looked up as host names.
    let options = CompileOptions { resolve_names: false };
    if let Ok(mut f) = Filter::compile_with(&expr, &options) {
        f.set_precision(data.first().map_or(6, |b| u32::from(b % 12)));
        let mut flow = Flow::argus(1);
        flow.key = Some(FlowKey::ipv4_ports(0x0a00_0001, 0x0a00_0002, 6, 40000, 80));
        let side = DirMetrics { pkts: 3, bytes: 300, appbytes: 0 };
        flow.metrics = Some(Metrics::argus(side, side, false));
        for rec in [
            Record::Flow(Box::new(flow)),
            Record::Flow(Box::default()),
            Record::Mar(Mar::default()),
        ] {
            let _ = f.matches(&rec);
        }
    }
}

/// The client side of the port-561 handshake against arbitrary server
/// bytes (with and without a filter to send), then the record stream.
pub fn remote_handshake(data: &[u8]) {
    let _ = crate::archive::remote::handshake_with(data, Some("tcp"));
    let _ = crate::archive::remote::handshake_with(data, None);
}

/// Any input read as an argus stream: every record the scanner delivers
/// decodes, re-encodes to the same bytes and decodes to the same model;
/// the read-only fast path and the chunk index agree with the scanner,
/// each record prints as text in the shapes `ra` has (the default
/// columns through the fixed-width writer, a wide `-s` list, delimited),
/// and the filter's bytes-level readers give the verdict the decoded
/// record gets (see [`stored_filters`]).
/// Short inputs get a valid initial MAR in front so they reach the loop.
pub fn record_roundtrip(data: &[u8]) {
    let owned;
    let data = if data.len() > 16 && data.get(8..12) == Some(&[0xe5, 0x71, 0x2d, 0xcb][..]) {
        data
    } else {
        let mut v = vec![0u8; 128];
        v[..4].copy_from_slice(&[0x83, 0x10, 0x00, 0x20]);
        v[8..12].copy_from_slice(&[0xe5, 0x71, 0x2d, 0xcb]);
        v.extend_from_slice(data);
        owned = v;
        &owned
    };
    let mut rb = RecordBuf::new();
    let mut ro = RecordBuf::with_options(DecodeOptions::read_only(SlotSet::ALL));
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    let mut printers: Vec<Printer> = text_shapes().into_iter().map(Printer::new).collect();
    let mut text = Vec::new();
    let mut records = Records::new(data);
    for r in records.by_ref() {
        offsets.push(r.offset);
        let rec = rb.decode_ref(&r).expect("scanner delivers decodable records").clone();
        out.clear();
        codec::encode(&rec, &mut out).expect("decoded records encode");
        assert_eq!(out, r.bytes, "decode -> encode is the identity");
        if !r.initial {
            let again = codec::decode(&out).expect("re-encoded record decodes");
            assert_eq!(again, rec, "decode -> encode -> decode");
            for f in stored_filters() {
                let want = f.matches(&rec);
                for got in f.matches_bytes_each(r.bytes).into_iter().flatten() {
                    assert_eq!(
                        got, want,
                        "a bytes-level filter verdict differs from the decoded record's"
                    );
                }
            }
        }
        let shown = ro.decode_ref(&r).expect("read-only decode of a decodable record");
        for p in &mut printers {
            text.clear();
            p.print_at(shown, Some(r.offset), &mut text);
        }
        let v = codec::FlowView::new(r.bytes);
        let _ = (v.header(), v.metrics(), v.key(), v.time(), v.transport(), v.ipattr(), v.encaps());
        if let crate::record::Record::Flow(mut f) = rec {
            f.forget_layout();
            out.clear();
            if codec::encode_flow(&f, &mut out).is_ok() {
                codec::decode(&out).expect("a flow encoded in argus's layout decodes");
            }
        }
    }
    let end = records.end();
    let (chunks, end2) = index::chunks(data, 64);
    assert_eq!(Some(end2), end, "chunk index and scanner end alike");
    let from_chunks: Vec<u64> = chunks
        .iter()
        .flat_map(|c| Records::range(data, c.start, c.end).map(|r| r.offset))
        .collect();
    assert_eq!(from_chunks, offsets, "chunk index and scanner find the same records");
}

/// Filters whose verdicts [`record_roundtrip`] checks from the bytes
/// (`ra -w`'s path) against the decoded record: the key, counters, the
/// TCP object and the IP attributes, compiled once (compiling is far
/// dearer than judging).
fn stored_filters() -> &'static [Filter] {
    static FILTERS: OnceLock<Vec<Filter>> = OnceLock::new();
    FILTERS.get_or_init(|| {
        [
            "tcp and dst port 443 and bytes gt 1000",
            "udp or icmp or arp",
            "host 10.0.0.1 or net 192.168.0.0/16 or src port 53",
            "ipv6 and not port 53 and pkts gt 2",
            "syn and not rst and ttl lt 64",
            "srcid 1.2.3.4 or tos gt 0 or appbytes eq 0",
        ]
        .iter()
        .filter_map(|e| Filter::compile(e).ok())
        .collect()
    })
}

/// Print options of the text shapes [`record_roundtrip`] prints in.
fn text_shapes() -> Vec<PrintOptions> {
    let mut wide = PrintOptions::default();
    let _ = wide.apply_field_spec(&[
        "stime ltime dur trans flgs proto saddr sport dir daddr dport pkts bytes rate load sttl \
         dttl sipid dipid smac dmac sloss dloss sjit djit suser:32 duser:32 state",
    ]);
    let mut csv = PrintOptions::default();
    csv.set_delimiter(b',');
    csv.unix_time = true;
    csv.names = csv.names.next();
    vec![PrintOptions::default(), wide, csv]
}

/// A deterministic stand-in for a fuzzer where libFuzzer is not available
/// (stable toolchains, CI): every seed as it is, then `rounds` mutations
/// (bit flips, byte sets, cuts, splices of two seeds, inserted runs) drawn
/// from a fixed-seed generator, each through `run`. Returns the inputs run,
/// so a caller can report what failed by replaying them.
pub fn mutate_and_run(seeds: &[Vec<u8>], rounds: usize, seed: u64, run: fn(&[u8])) -> usize {
    let mut rng = XorShift::new(seed);
    let mut n = 0;
    for s in seeds {
        run(s);
        n += 1;
    }
    if seeds.is_empty() {
        return n;
    }
    let mut buf = Vec::new();
    for _ in 0..rounds {
        buf.clear();
        buf.extend_from_slice(&seeds[rng.below(seeds.len())]);
        for _ in 0..1 + rng.below(4) {
            mutate(&mut buf, seeds, &mut rng);
        }
        run(&buf);
        n += 1;
    }
    n
}

fn mutate(buf: &mut Vec<u8>, seeds: &[Vec<u8>], rng: &mut XorShift) {
    const INTERESTING: [u8; 8] = [0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x10, 0x40];
    match rng.below(6) {
        0 if !buf.is_empty() => {
            let i = rng.below(buf.len());
            buf[i] ^= 1 << rng.below(8);
        }
        1 if !buf.is_empty() => {
            let i = rng.below(buf.len());
            buf[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        2 => {
            let cut = rng.below(buf.len() + 1);
            buf.truncate(cut);
        }
        3 => {
            let other = &seeds[rng.below(seeds.len())];
            let from = rng.below(other.len() + 1);
            let at = rng.below(buf.len() + 1);
            buf.truncate(at);
            buf.extend_from_slice(&other[from..]);
        }
        4 => {
            let at = rng.below(buf.len() + 1);
            let byte = INTERESTING[rng.below(INTERESTING.len())];
            let len = 1 + rng.below(64);
            buf.splice(at..at, std::iter::repeat_n(byte, len));
        }
        _ if buf.len() >= 4 => {
            // A 16- or 32-bit length-like field set to an extreme.
            let i = rng.below(buf.len() - 3);
            let v: [u8; 4] = if rng.below(2) == 0 { [0xff; 4] } else { [0, 0, 0, 0] };
            let w = if rng.below(2) == 0 { 2 } else { 4 };
            buf[i..i + w].copy_from_slice(&v[..w]);
        }
        _ => buf.push(rng.below(256) as u8),
    }
}

/// xorshift64: small, fast, and the same sequence on every machine (the
/// mutations here, and the damaged variants of tests/hostile.rs).
pub struct XorShift(u64);

impl XorShift {
    /// A generator started from `seed` (any value: 0 is made odd).
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 for `n` 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names_are_unique_and_found() {
        for (i, t) in TARGETS.iter().enumerate() {
            assert!(TARGETS[..i].iter().all(|o| o.name != t.name), "{} twice", t.name);
            assert!(target(t.name).is_some());
        }
        assert!(target("nope").is_none());
    }

    #[test]
    fn the_mutator_is_deterministic_and_varied() {
        static SEEN: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
        fn record(d: &[u8]) {
            SEEN.lock().unwrap().push(d.to_vec());
        }
        let seeds = vec![b"hello world".to_vec(), vec![0; 8]];
        assert_eq!(mutate_and_run(&seeds, 50, 7, record), 52);
        let first = std::mem::take(&mut *SEEN.lock().unwrap());
        mutate_and_run(&seeds, 50, 7, record);
        let second = std::mem::take(&mut *SEEN.lock().unwrap());
        assert_eq!(first, second);
        let distinct: std::collections::HashSet<_> = first.iter().collect();
        assert!(distinct.len() > 30, "{} distinct inputs", distinct.len());
    }
}
