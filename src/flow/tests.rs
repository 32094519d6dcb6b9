//! Engine tests on crafted packets.

use super::*;
use crate::capture::Packet;

fn udp_frame(src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16, payload: usize) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    let ip_len = 28 + payload as u16;
    f.extend([0x45, 0, (ip_len >> 8) as u8, ip_len as u8, 0, 1, 0, 0, 64, 17, 0, 0]);
    f.extend(src);
    f.extend(dst);
    f.extend(sp.to_be_bytes());
    f.extend(dp.to_be_bytes());
    f.extend((8 + payload as u16).to_be_bytes());
    f.extend([0, 0]);
    f.extend(std::iter::repeat_n(b'x', payload));
    f
}

fn run(engine: &mut Engine, pkts: &[(u32, u32, Vec<u8>)]) {
    for (s, u, d) in pkts {
        engine.packet(&Packet {
            sec: *s,
            usec: *u,
            data: d,
            wire_len: d.len() as u32,
            linktype: 1,
            buf_off: 0,
            buf_tail: &[],
        });
    }
}

fn flows(engine: &mut Engine) -> Vec<crate::record::Flow> {
    engine
        .records()
        .drain(..)
        .filter_map(|r| match r {
            crate::record::Record::Flow(f) => Some(*f),
            _ => None,
        })
        .collect()
}

#[test]
fn bidirectional_udp_is_one_flow() {
    let mut e = Engine::new(Config::default());
    let a = udp_frame([10, 0, 0, 1], [10, 0, 0, 2], 5000, 6000, 10);
    let b = udp_frame([10, 0, 0, 2], [10, 0, 0, 1], 6000, 5000, 20);
    run(&mut e, &[(100, 0, a), (100, 1000, b)]);
    e.finish();
    let f = flows(&mut e);
    assert_eq!(f.len(), 1);
    let m = f[0].metrics.unwrap();
    assert_eq!((m.src.pkts, m.dst.pkts), (1, 1));
    assert_eq!(f[0].transport.unwrap().seq, 1);
}

#[test]
fn status_interval_splits_long_flows() {
    let mut e = Engine::new(Config { status_interval: 1_000_000, ..Config::default() });
    let pkts: Vec<_> = (0..10)
        .map(|n| (100 + n / 2, (n % 2) * 500_000, udp_frame([10, 0, 0, 1], [10, 0, 0, 2], 1, 2, 4)))
        .collect();
    run(&mut e, &pkts);
    e.finish();
    let f = flows(&mut e);
    assert!(f.len() >= 4, "{} records", f.len());
    let total: u64 = f.iter().map(|r| r.metrics.unwrap().src.pkts).sum();
    assert_eq!(total, 10);
    assert!(f.iter().all(|r| r.transport.unwrap().seq == 1));
    assert_eq!(f[0].header.cause, 1);
    assert_eq!(f[1].header.cause, 2);
}

#[test]
fn idle_timeout_starts_a_new_flow() {
    let mut e = Engine::new(Config::default());
    let p = udp_frame([10, 0, 0, 1], [10, 0, 0, 2], 1, 2, 4);
    let other = udp_frame([10, 0, 0, 3], [10, 0, 0, 4], 1, 2, 4);
    // Packet time only advances with packets: the filler drives the clock
    // past the status interval (the flow is reported and parked) and then
    // past the 30 s UDP idle timeout (the flow is forgotten).
    run(&mut e, &[(100, 0, p.clone()), (106, 0, other.clone()), (140, 0, other), (200, 0, p)]);
    e.finish();
    let f = flows(&mut e);
    let seqs: Vec<u32> = f
        .iter()
        .filter(|r| matches!(r.key.unwrap().addrs, crate::record::KeyAddrs::Ipv4(k) if k.src == 0x0a00_0001))
        .map(|r| r.transport.unwrap().seq)
        .collect();
    assert_eq!(seqs.len(), 2);
    assert_ne!(seqs[0], seqs[1]);
}

#[test]
fn table_limit_reports_early_without_losing_counts() {
    let mut e = Engine::new(Config { max_flows: 10, ..Config::default() });
    let pkts: Vec<_> = (0..1000u32)
        .map(|n| (100, n, udp_frame([10, 0, (n >> 8) as u8, n as u8], [10, 1, 0, 2], 1, 2, 4)))
        .collect();
    run(&mut e, &pkts);
    assert!(e.flows() <= 10);
    e.finish();
    let f = flows(&mut e);
    assert_eq!(f.len(), 1000);
    // Every flow was active (nothing idle to drop): all were reported early.
    assert!(e.stats.evicted >= 990);
}

#[test]
fn fuzz_entry_points_survive_the_reference_captures_cut_anywhere() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/pcaps/edge");
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "xz") {
            continue;
        }
        let data = std::fs::read(&p).unwrap();
        let data = &data[..data.len().min(20_000)];
        for cut in (0..data.len()).step_by(97) {
            crate::capture::fuzz_read(&data[..cut]);
        }
        super::fuzz_engine(data);
        for chunk in data.chunks(61) {
            crate::wire::fuzz_decode(chunk);
        }
    }
}

#[test]
fn flow_state_stays_small() {
    // The table is sized in flows; the per-flow state is what bounds its
    // memory and what each packet drags through the cache.
    assert!(std::mem::size_of::<super::state::FlowState>() <= 384);
}
