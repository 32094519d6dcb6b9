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

use argus_tool::record::*;

/// A flow with every DSR the model types, as the flow engine would build it.
fn built_flow(src: DirMetrics, dst: DirMetrics, app: bool) -> Flow {
    let mut f = Flow::argus(cause::STATUS);
    f.transport = Some(Transport::argus(srcid_kind::INT, 1234u32.to_be_bytes(), 7));
    f.key = Some(FlowKey::ipv4_ports(0x0a00_0002, 0x0a00_0001, ipproto::TCP, 80, 40000));
    f.time =
        Some(Time::min_max(Timeval::new(1_700_000_000, 1), Timeval::new(1_700_000_009, 999_999)));
    f.metrics = Some(Metrics::argus(src, dst, app));
    f.agr = Some(Agr {
        subtype: 4,
        qual: 1,
        count: 3,
        act: StatBlock {
            n: 3,
            min: 0.5,
            mean: 1.25,
            stddev: 0.1,
            max: 2.0,
            fdist: [1, 2, 3, 4, 5, 6, 7, 8],
        },
        ..Agr::default()
    });
    let mut tcp = TcpPerf {
        status: tcp_status::SYN | tcp_status::FIN,
        options: tcp_options::MSS,
        ..Default::default()
    };
    tcp.src.flags = 0x1b;
    tcp.dst.win = 65535;
    f.network = Some(Network::Tcp(tcp));
    f.vlan = Some(Vlan::new(Some(0x6064), None));
    f.mpls = Some(Mpls { subtype: 3, qual: 0x11, src_label: 16, dst_label: 17, len: 3 });
    f.jitter = Some(Jitter {
        qual: 0x05,
        src_act: StatBlock { n: 12, min: 1.0, mean: 2.0, stddev: 3.0, max: 4.0, fdist: [0; 8] },
        dst_act: StatBlock { n: 2, min: 5.0, mean: 6.0, stddev: 7.0, max: 8.0, fdist: [0; 8] },
        ..Jitter::default()
    });
    let mut attr = IpAttr::new(
        Some(IpAttrDir { ttl: 64, tos: 0x10, ip_id: 0x1234 }),
        Some(IpAttrDir::default()),
    );
    attr.src_options = ip_options::RR;
    attr.qual |= ipattr_qual::SRC_OPTIONS | ipattr_qual::SRC_FRAGMENTS;
    f.ipattr = Some(attr);
    f.psize = Some(PacketSize::new(Some(PacketSizeDir { min: 60, max: 1514 }), None));
    f.src_data = Some(UserData::new(true, 32, b"GET / HTTP/1.0\r\n".to_vec()));
    f.dst_data = Some(UserData::new(false, 32, b"HTTP/1.0 200".to_vec()));
    f.mac = Some(Mac {
        qual: 1,
        src: [2, 0, 0, 0, 0, 1],
        dst: [2, 0, 0, 0, 0, 2],
        ether_type: 0x0800,
        ..Mac::default()
    });
    f.icmp = Some(IcmpEvent {
        qual: 1,
        icmp_type: 3,
        icmp_code: 3,
        osrc: 1,
        odst: 2,
        isrc: 3,
        idst: 4,
        ..IcmpEvent::default()
    });
    f.encaps = Some(Encaps::new(encaps::ETHER | encaps::VLAN, encaps::ETHER));
    f
}

#[test]
fn records_built_from_scratch_encode_and_decode_back() {
    let d = |pkts, bytes, appbytes| DirMetrics { pkts, bytes, appbytes };
    let widths = [
        (d(4, 200, 0), d(4, 100, 0)),
        (d(4, 2000, 0), d(4, 100, 0)),
        (d(4, 200_000, 0), d(4, 100, 0)),
        (d(4, 6_000_000_000, 0), d(7, 8_000_000_000, 0)),
        (d(3, 300, 0), d(0, 0, 0)),
        (d(3, 300_000, 0), d(0, 0, 0)),
        (d(3, 1 << 40, 0), d(0, 0, 0)),
        (d(0, 0, 0), d(4, 4000, 0)),
        (d(0, 0, 0), d(4, 400_000, 0)),
        (d(0, 0, 0), d(4, 1 << 40, 0)),
        (d(0, 0, 0), d(0, 0, 0)),
        (d(6, 492, 88), d(6, 595, 191)),
        (d(6, 200, 88), d(6, 95, 19)),
        (d(6, 200_000, 88), d(6, 95, 19)),
        (d(6, 492, 88), d(0, 0, 0)),
    ];
    let mut out = Vec::new();
    for (i, (s, t)) in widths.into_iter().enumerate() {
        let f = built_flow(s, t, true);
        out.clear();
        codec::encode_flow(&f, &mut out).unwrap();
        let Record::Flow(back) = codec::decode(&out).unwrap() else { panic!() };
        let mut expect = f.clone();
        expect.order = back.order.clone();
        assert_eq!(*back, expect, "case {i}");
        // The encoder wrote argus's index order.
        let slots: Vec<_> = back
            .order
            .iter()
            .map(|r| match r {
                DsrRef::Slot(s) => *s as u8,
                DsrRef::Raw(_) => 99,
            })
            .collect();
        assert!(slots.windows(2).all(|w| w[0] < w[1]), "case {i}: {slots:?}");
        // And ra reads the counters back as given.
        assert_eq!((back.src_metrics(), back.dst_metrics()), (f.src_metrics(), f.dst_metrics()));
    }
}

#[test]
fn a_built_record_is_byte_identical_to_what_argus_wrote() {
    // udp4.argus record 1 (argus-format.md §7): 127.0.0.1:52866 -> :19001.
    let data = std::fs::read(util::shared_reference().join("vectors/argus/udp4.argus")).unwrap();
    let real = Records::new(&data).nth(1).unwrap().bytes.to_vec();
    let mut f = Flow::argus(cause::START);
    f.transport = Some(Transport::argus(srcid_kind::NONE, [0; 4], 1));
    f.key = Some(FlowKey::ipv4_ports(0x7f00_0001, 0x7f00_0001, ipproto::UDP, 52866, 19001));
    f.time = Some(Time::min_max(Timeval::new(1795753947, 54726), Timeval::new(1795753947, 205922)));
    f.metrics = Some(Metrics::argus(
        DirMetrics { pkts: 4, bytes: 510, appbytes: 0 },
        DirMetrics { pkts: 4, bytes: 852, appbytes: 0 },
        false,
    ));
    f.network = Some(Network::Empty);
    f.ipattr = Some(IpAttr::new(
        Some(IpAttrDir { ttl: 64, tos: 0, ip_id: 0x615e }),
        Some(IpAttrDir { ttl: 64, tos: 0, ip_id: 0x625e }),
    ));
    f.encaps = Some(Encaps::new(encaps::ETHER, encaps::ETHER));
    let mut out = Vec::new();
    codec::encode_flow(&f, &mut out).unwrap();
    assert_eq!(out, real);
}

#[test]
fn reverse_twice_is_the_identity_and_arp_records_are_swapped_like_ra() {
    let mut f =
        built_flow(DirMetrics { pkts: 1, bytes: 60, appbytes: 0 }, DirMetrics::default(), false);
    let orig = f.clone();
    f.reverse();
    assert_ne!(f, orig);
    assert_eq!(f.dst_metrics().pkts, 1);
    assert_eq!(f.metrics.unwrap().qual, meter_qual::DST_SHORT);
    f.reverse();
    assert_eq!(f, orig);

    // An ARP flow first seen as a reply from .2 to .1: argus stores the key
    // in request form (.1 asks for .2) with REVERSE, and the reply's packet
    // on the source side (it came from the flow's first sender). ra keeps
    // the key and swaps the data, so the model (ra's view) has the packet
    // on the destination side; the encoder swaps it back.
    let mut a = Flow::argus(cause::START);
    a.key = Some(FlowKey::arp(0xc0a8_0102, 0xc0a8_0101, [2, 0, 0, 0], true));
    a.time = Some(Time::min_max(Timeval::new(5, 0), Timeval::new(5, 0)));
    let one = DirMetrics { pkts: 1, bytes: 60, appbytes: 0 };
    a.metrics = Some(Metrics::argus(DirMetrics::default(), one, false));
    a.network = Some(Network::arp([2, 0, 0, 0, 0, 2]));
    let mut out = Vec::new();
    codec::encode_flow(&a, &mut out).unwrap();
    let stored_meter = out.windows(4).find(|w| w[0] == 0x10 && w[1] == 0x01).unwrap();
    assert_eq!(stored_meter[2], meter_qual::SRC_SHORT, "stored as argus wrote it");
    let Record::Flow(back) = codec::decode(&out).unwrap() else { panic!() };
    assert_eq!(back.dst_metrics(), one, "ra shows the reply's packet on the dst side");
    assert_eq!(back.src_metrics(), DirMetrics::default());
    let mut again = Vec::new();
    codec::encode_flow(&back, &mut again).unwrap();
    assert_eq!(again, out);
}
