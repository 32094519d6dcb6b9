//! A table row as an Argus flow record, the way racluster writes its
//! aggregates: a flow key holding the row's address(es) (the other key
//! fields zero), the time span, the summed METER counters and an AGR DSR
//! whose count is the number of merged records (ra's Trans column) and
//! whose statistics are those of the merged records' durations.
//!
//! A host row becomes a key with the host as source and an empty
//! destination; a pair row keeps both addresses. Keys are stored as
//! given (no REVERSE bit), so every reader shows them as written.

use super::{Counters, Endpoint};
use crate::record::*;

/// The flow key for a row: `dst` is `None` for host rows.
fn key(src: Endpoint, dst: Option<Endpoint>) -> Option<FlowKey> {
    let zero = |e: Option<Endpoint>| e.unwrap_or(Endpoint::Unknown);
    let (kind, qual, addrs) = match (src, zero(dst)) {
        (Endpoint::Ipv4(s), d) => {
            let d = if let Endpoint::Ipv4(d) = d { d } else { 0 };
            let k = Ipv4Key { src: s, dst: d, proto: 0, tp_p: 0, l4: [0; 6] };
            (key_kind::CLASSIC5TUPLE, family::IPV4, KeyAddrs::Ipv4(k))
        }
        (Endpoint::Ipv6(s), d) => {
            let d = if let Endpoint::Ipv6(d) = d { u128::from_be_bytes(d) } else { 0 };
            let k = Ipv6Key { src: u128::from_be_bytes(s), dst: d, ..Ipv6Key::default() };
            (key_kind::CLASSIC5TUPLE, family::IPV6, KeyAddrs::Ipv6(k))
        }
        (Endpoint::Mac(s), d) => {
            let d = if let Endpoint::Mac(d) = d { d } else { [0; 6] };
            let k = EtherKey { src: s, dst: d, ..EtherKey::default() };
            (key_kind::CLASSIC5TUPLE, family::ETHER, KeyAddrs::Ether(k))
        }
        (Endpoint::Arp(s), d) => {
            let d = if let Endpoint::Arp(d) = d { d } else { 0 };
            let k = ArpKey {
                hrd: 1,
                pro: 0x0800,
                hln: 6,
                pln: 4,
                op: 1,
                spa: s,
                tpa: d,
                haddr: [0; 4],
            };
            (key_kind::ARP, family::ARP, KeyAddrs::Arp(k))
        }
        (Endpoint::Unknown, _) => return None,
    };
    Some(FlowKey { kind, reversed: false, qual, addrs })
}

/// The AGR DSR of a row: `count` merged records, duration statistics.
fn agr(c: &Counters) -> Agr {
    let n = c.trans.max(1) as f64;
    let mean = c.dur.sum / n;
    let var = (c.dur.sum_sq / n - mean * mean).max(0.0);
    let act = StatBlock {
        n: i32::try_from(c.trans).unwrap_or(i32::MAX),
        min: c.dur.min as f32,
        mean: mean as f32,
        stddev: var.sqrt() as f32,
        max: c.dur.max as f32,
        fdist: [0; 8],
    };
    Agr {
        subtype: 0x01,
        qual: 0x01,
        count: u32::try_from(c.trans).unwrap_or(u32::MAX),
        last_start: c.start,
        last_time: c.last,
        act,
        idle: StatBlock::default(),
    }
}

/// The record for one row: `dst` is `None` for a host (TopN) row.
pub fn row_record(src: Endpoint, dst: Option<Endpoint>, c: &Counters) -> Record {
    let mut f = Flow::argus(cause::START);
    f.key = key(src, dst);
    let start = if c.start.is_zero() { c.last } else { c.start };
    f.time = Some(Time::min_max(start, c.last.max(start)));
    let with_app = c.src.appbytes > 0 || c.dst.appbytes > 0;
    f.metrics = Some(Metrics::argus(c.src, c.dst, with_app));
    f.agr = Some(agr(c));
    Record::Flow(Box::new(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::DurStats;
    use crate::codec;
    use crate::record::field::{FieldId, Value, View};

    #[test]
    fn a_host_row_reads_back_with_its_numbers() {
        let c = Counters {
            trans: 3,
            src: DirMetrics { pkts: 5, bytes: 500, appbytes: 0 },
            dst: DirMetrics { pkts: 2, bytes: 70_000, appbytes: 0 },
            start: Timeval::new(10, 5),
            last: Timeval::new(20, 0),
            dur: DurStats { min: 1.0, max: 3.0, sum: 6.0, sum_sq: 14.0 },
        };
        for (src, dst) in [
            (Endpoint::Ipv4(0x0a00_0001), None),
            (Endpoint::Ipv6(1u128.to_be_bytes()), Some(Endpoint::Ipv6(2u128.to_be_bytes()))),
            (Endpoint::Arp(7), Some(Endpoint::Arp(3))),
        ] {
            let rec = row_record(src, dst, &c);
            let mut bytes = Vec::new();
            codec::encode(&rec, &mut bytes).unwrap();
            let back = codec::decode(&bytes).unwrap();
            let v = View::new(&back);
            assert_eq!(v.value(FieldId::Trans), Value::U64(3));
            assert_eq!(v.value(FieldId::Sbytes), Value::U64(500));
            assert_eq!(v.value(FieldId::Dbytes), Value::U64(70_000));
            assert_eq!(v.value(FieldId::Stime), Value::Time(Timeval::new(10, 5)));
            let f = v.as_flow().unwrap();
            assert_eq!(Endpoint::of(f, true), src);
            if let Some(d) = dst {
                assert_eq!(Endpoint::of(f, false), d);
            }
        }
    }
}
