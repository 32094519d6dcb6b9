//! The record codec against every reference archive: decode -> encode
//! gives back the bytes read, decode -> encode -> decode gives the same
//! model, and the reading rules match what Debian's `ra` 3.0.8.2 does on
//! the hand-made probe files.

use crate::util;
use argus_tool::codec::{self, End, RecordBuf, Records};
use argus_tool::record::Record;
use std::path::{Path, PathBuf};

/// Every file under `dir` (recursively) whose name ends with `suffix`.
fn files(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, suffix, out);
        } else if p.to_string_lossy().ends_with(suffix) {
            out.push(p);
        }
    }
}

/// The record streams of the reference data: every `.argus` file and the
/// captured port-561 streams (with the 2-byte `OK` answer to the remote
/// filter taken out, which is protocol, not records).
pub fn reference_streams() -> Vec<(PathBuf, Vec<u8>)> {
    let root = util::shared_reference();
    let mut paths = Vec::new();
    files(&root, ".argus", &mut paths);
    files(&root.join("vectors/remote"), ".bin", &mut paths);
    assert!(paths.len() > 100, "expected the reference archives, found {}", paths.len());
    paths
        .into_iter()
        .map(|p| {
            let mut data = std::fs::read(&p).unwrap();
            if data.get(128..130) == Some(b"OK") {
                data.drain(128..130);
            }
            (p, data)
        })
        .collect()
}

#[test]
fn decode_encode_is_the_identity_on_every_reference_record() {
    let mut rb = RecordBuf::new();
    let mut out = Vec::new();
    let mut total = 0;
    for (path, data) in reference_streams() {
        for r in Records::new(&data) {
            rb.decode(r.bytes).unwrap_or_else(|e| panic!("{}@{}: {e}", path.display(), r.offset));
            out.clear();
            codec::encode(rb.record(), &mut out).unwrap();
            assert_eq!(
                out,
                r.bytes,
                "{} record at offset {} does not re-encode identically",
                path.display(),
                r.offset
            );
            total += 1;
        }
    }
    assert!(total > 1000, "only {total} records");
}

#[test]
fn decode_encode_decode_gives_the_same_model() {
    let mut out = Vec::new();
    for (path, data) in reference_streams() {
        for r in Records::new(&data) {
            let first = codec::decode(r.bytes).unwrap();
            out.clear();
            codec::encode(&first, &mut out).unwrap();
            let second = codec::decode(&out).unwrap();
            assert_eq!(first, second, "{} @{}", path.display(), r.offset);
        }
    }
}

#[test]
fn a_relayout_of_every_reference_flow_decodes_to_the_same_values() {
    // Forgetting the layout makes the encoder write argus's canonical
    // form; the values must survive that.
    let mut out = Vec::new();
    for (path, data) in reference_streams() {
        for r in Records::new(&data) {
            let Record::Flow(mut f) = codec::decode(r.bytes).unwrap() else { continue };
            if !f.trailing.is_empty() || f.raw.iter().any(|d| d.shadows.is_some()) {
                continue; // malformed on purpose: its layout is the point
            }
            let before = f.clone();
            f.forget_layout();
            out.clear();
            codec::encode_flow(&f, &mut out).unwrap();
            let Record::Flow(again) = codec::decode(&out).unwrap() else { panic!() };
            assert_eq!(again.key, before.key, "{} @{}", path.display(), r.offset);
            assert_eq!(again.time, before.time);
            assert_eq!(again.metrics, before.metrics);
            assert_eq!(again.network, before.network);
            assert_eq!(again.ipattr, before.ipattr);
        }
    }
}

fn probe(name: &str) -> Vec<u8> {
    std::fs::read(util::shared_reference().join("vectors/probe").join(name)).unwrap()
}

/// (records delivered, how the input ended)
fn read_all(data: &[u8]) -> (Vec<Record>, End) {
    let mut records = Records::new(data);
    let out = records.by_ref().map(|r| codec::decode(r.bytes).unwrap()).collect();
    (out, records.end().unwrap())
}

fn flows(recs: &[Record]) -> usize {
    recs.iter().filter(|r| !r.is_mar()).count()
}

#[test]
fn probe_files_read_as_debian_ra_reads_them() {
    // File -> (flow records ra prints, input ends cleanly?)
    let cases: &[(&str, usize, bool)] = &[
        ("ok_basic.argus", 6, true),
        ("zero_len_record.argus", 2, true),
        ("version_4_nibble.argus", 3, true),
        ("cause_values.argus", 8, true),
        ("init_mar_cookie_le.argus", 1, true),
        ("short_mar_len_field.argus", 1, true),
        ("mar_midstream.argus", 3, true),
        ("unknown_dsr.argus", 2, true),
        ("unknown_dsr_first.argus", 2, true),
        ("immediate_and_len16_unknown.argus", 3, true),
        ("zero_len_dsr.argus", 2, true),
        ("dsr_overrun.argus", 2, true),
        ("zero_len_dsr_before_time.argus", 0, false),
        ("record_class_0x23.argus", 1, false),
        ("record_class_0x33.argus", 3, true),
        ("record_class_0x43.argus", 3, true),
        ("record_class_0x53.argus", 1, false),
        ("record_class_0x63.argus", 1, false),
        ("record_class_0x73.argus", 1, false),
        ("racount_initmar_only.argus", 0, true),
    ];
    for (name, n, clean) in cases {
        let (recs, end) = read_all(&probe(name));
        assert_eq!(flows(&recs), *n, "{name}: {end:?}");
        assert_eq!(end == End::Clean, *clean, "{name}: {end:?}");
    }
    let (recs, end) = read_all(&probe("no_initial_mar.argus"));
    assert!(recs.is_empty());
    assert_eq!(end, End::NotArgus);
}

#[test]
fn reverse_flag_probe_is_unreversed_like_ra() {
    let (recs, _) = read_all(&probe("reverse_flag.argus"));
    let f = recs.iter().find_map(|r| r.as_flow()).unwrap();
    let key = f.key.unwrap();
    assert!(key.reversed);
    let argus_tool::record::KeyAddrs::Ipv4(k) = key.addrs else { panic!() };
    // ra prints 10.0.0.1.40000 -> 10.0.0.2.80
    assert_eq!((k.src, k.sport(), k.dst, k.dport()), (0x0a000001, 40000, 0x0a000002, 80));
}

#[test]
fn sixty_four_bit_counters_are_big_endian() {
    let (recs, _) = read_all(&probe("ok_64bit.argus"));
    let f = recs.iter().find_map(|r| r.as_flow()).unwrap();
    let m = f.metrics.unwrap();
    assert_eq!(
        (m.src.pkts, m.src.bytes, m.dst.pkts, m.dst.bytes),
        (5000000, 6000000000, 7000000, 8000000000)
    );
}
