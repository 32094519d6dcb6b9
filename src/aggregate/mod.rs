//! Per-host and per-pair traffic tables: what `ramon` (RMON2 "TopN" and
//! "Matrix") accumulates while the records stream by.
//!
//! * [`HostTable`]: every flow counts for both of its endpoints, as "out"
//!   for the side that sent and "in" for the side that received; the same
//!   numbers as 3.0.8.2's `racluster -M rmon -m saddr` (each flow taken
//!   as-is and reversed, aggregated on the source address).
//! * [`PairTable`]: one row per (source, destination) address pair, flows
//!   taken as `ra` shows them; the numbers of `racluster -m saddr daddr`.
//!
//! State grows with the number of distinct hosts or pairs, never with the
//! number of records. The values come from the canonical [`FlowView`], so
//! they are the ones `ra` prints for the same records (time repairs,
//! direction corrections included).
//!
//! Rows leave a table ranked ([`Rows::ranked`]): by bytes, then packets,
//! descending, then by key ascending, so equal input gives equal output.

pub mod records;
pub mod report;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash};

use crate::hash::FxHasher;

use crate::codec::raw::{icmp_turned, ipv4_kept_as_stored, RawFlow, RawKey};
use crate::record::field::{CanonTime, FieldId, FlowView, StateStyle, Value, View, ViewOptions};
use crate::record::{DirMetrics, KeyAddrs, Record, RecordClass, Timeval};

/// One endpoint address, by kind: an ARP flow's 192.168.1.1 is a host of
/// its own, apart from the IPv4 flows' 192.168.1.1, as in racluster (its key
/// holds the key type). The variant order is the table's key order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    Ipv4(u32),
    /// Big-endian bytes (byte order = numeric order): an alignment of 1
    /// keeps the hash table's entries small.
    Ipv6([u8; 16]),
    Mac([u8; 6]),
    Arp(u32),
    /// A key `ra` shows no address for (other key types, no key at all).
    Unknown,
}

impl Endpoint {
    /// The source (`src`) or destination endpoint of a flow as `view`
    /// shows it.
    pub fn of(view: &FlowView, src: bool) -> Endpoint {
        let arp = matches!(view.key.map(|k| k.addrs), Some(KeyAddrs::Arp(_)));
        match view.value(if src { FieldId::Saddr } else { FieldId::Daddr }, StateStyle::Words) {
            Value::Ipv4(a) if arp => Endpoint::Arp(a),
            Value::Ipv4(a) => Endpoint::Ipv4(a),
            Value::Ipv6(a) => Endpoint::Ipv6(a.to_be_bytes()),
            Value::Mac(m) => Endpoint::Mac(m),
            _ => Endpoint::Unknown,
        }
    }

    /// The address as text (`-` when there is none, `arp:` before an ARP
    /// flow's address).
    pub fn push_text(&self, out: &mut Vec<u8>) {
        use crate::print::addr;
        match self {
            Endpoint::Ipv4(a) => addr::push_ipv4(out, *a),
            // Told apart from the same IPv4 address seen in IP flows.
            Endpoint::Arp(a) => {
                out.extend_from_slice(b"arp:");
                addr::push_ipv4(out, *a);
            }
            Endpoint::Ipv6(a) => addr::push_ipv6(out, u128::from_be_bytes(*a)),
            Endpoint::Mac(m) => addr::push_mac(out, m),
            Endpoint::Unknown => out.push(b'-'),
        }
    }
}

/// Durations of the merged records: count, min, max, sum and sum of
/// squares, for the AGR statistics of written records.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DurStats {
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl DurStats {
    fn add(&mut self, d: f64, first: bool) {
        if first {
            self.min = d;
            self.max = d;
        } else {
            self.min = self.min.min(d);
            self.max = self.max.max(d);
        }
        self.sum += d;
        self.sum_sq += d * d;
    }

    fn merge(&mut self, o: &DurStats, both: bool) {
        if both {
            self.min = self.min.min(o.min);
            self.max = self.max.max(o.max);
        } else {
            self.min = o.min;
            self.max = o.max;
        }
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }
}

/// The totals of one row. For a host, `src` is what it sent ("out") and
/// `dst` what it received ("in"); for a pair, the pair's source and
/// destination sides.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counters {
    /// Records merged into the row (racluster's Trans).
    pub trans: u64,
    pub src: DirMetrics,
    pub dst: DirMetrics,
    /// Earliest non-zero start time of the merged records.
    pub start: Timeval,
    /// Latest last time.
    pub last: Timeval,
    pub dur: DurStats,
}

impl Counters {
    pub fn pkts(&self) -> u64 {
        self.src.pkts.saturating_add(self.dst.pkts)
    }

    pub fn bytes(&self) -> u64 {
        self.src.bytes.saturating_add(self.dst.bytes)
    }

    /// Adds one record's contribution.
    fn add(&mut self, r: &Sample) {
        self.dur.add(r.dur, self.trans == 0);
        self.trans = self.trans.saturating_add(r.trans);
        add_dir(&mut self.src, &r.src);
        add_dir(&mut self.dst, &r.dst);
        self.widen(r.start, r.last);
    }

    fn widen(&mut self, start: Timeval, last: Timeval) {
        if !start.is_zero() && (self.start.is_zero() || start < self.start) {
            self.start = start;
        }
        if last > self.last {
            self.last = last;
        }
    }

    /// Adds another row's totals (a second table's share of the same key).
    pub fn merge(&mut self, o: &Counters) {
        if o.trans == 0 {
            return;
        }
        self.dur.merge(&o.dur, self.trans > 0);
        self.trans += o.trans;
        add_dir(&mut self.src, &o.src);
        add_dir(&mut self.dst, &o.dst);
        self.widen(o.start, o.last);
    }
}

/// What one record adds to a row, read from its view once.
#[derive(Clone, Copy, Debug)]
struct Sample {
    src: DirMetrics,
    dst: DirMetrics,
    start: Timeval,
    last: Timeval,
    dur: f64,
    /// 1, or the count of a record that is itself an aggregate (racluster
    /// counts the records it merged).
    trans: u64,
}

impl Sample {
    fn of(v: &FlowView) -> Sample {
        Sample {
            src: v.src(),
            dst: v.dst(),
            start: v.start(),
            last: v.last(),
            dur: v.dur() as f64,
            trans: v.flow.agr.map_or(1, |a| u64::from(a.count)),
        }
    }

    /// The same record seen from its destination (rmon's second copy).
    fn turned(&self) -> Sample {
        Sample { src: self.dst, dst: self.src, ..*self }
    }
}

/// A flow record read from its bytes: its (source, destination) and
/// sample, the same as [`FlowView`] gives for the records `ra` never turns
/// round. `None` when the bytes do not tell (the record is decoded
/// instead): keys other than plain IPv4 and IPv6 ones, aggregates (AGR),
/// TCP flows whose SYN-ACK but no SYN was seen, ICMP flows `ra` turns
/// round ([`icmp_turned`]), DSRs that do not decode.
#[inline]
///
/// Without `times` the sample's times (start, last, duration) are left
/// zero unless ra's error rule needs the duration: for tables whose
/// times nobody reads.
fn raw_sample(d: &RawFlow, times: bool) -> Option<(Endpoint, Endpoint, Sample)> {
    if d.has_agr() {
        return None;
    }
    let metrics = d.metrics()?;
    let [mut sm, mut dm] = metrics.map_or([DirMetrics::default(); 2], |m| [m.src, m.dst]);
    let (src, dst) = match d.ip_key()? {
        RawKey::Ipv4 { src, dst, proto, qual } => {
            // (a status that does not decode sends the record to a decode)
            let status = if proto == crate::record::ipproto::TCP { d.tcp_status()? } else { None };
            let icmp = || icmp_turned(sm.pkts, dm.pkts, d.icmp_object_type());
            // No -nnn port guess in ramon.
            if !ipv4_kept_as_stored(proto, qual, || status, icmp, false) {
                return None;
            }
            (Endpoint::Ipv4(src), Endpoint::Ipv4(dst))
        }
        RawKey::Ipv6 { src, dst } => (Endpoint::Ipv6(src), Endpoint::Ipv6(dst)),
    };
    // ra's error rule: more than 1000 packets and no duration.
    let busy = sm.pkts.wrapping_add(dm.pkts) as f64 > 1000.0;
    let time = if times || busy {
        d.time()?.map(|t| CanonTime::of_stored(&t, sm.pkts, dm.pkts, d.has_icmp()))
    } else {
        None
    };
    let dur = time.map_or(0.0, |t| t.dur());
    if busy && dur == 0.0 {
        sm = DirMetrics::default();
        dm = DirMetrics::default();
    }
    let sample = Sample {
        src: sm,
        dst: dm,
        start: time.map_or(Timeval::ZERO, |t| t.start()),
        last: time.map_or(Timeval::ZERO, |t| t.last()),
        dur: dur as f64,
        trans: 1,
    };
    Some((src, dst, sample))
}

/// What [`HostTable::add_raw`] and [`PairTable::add_raw`] made of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawAdd {
    /// Counted from its bytes.
    Added,
    /// Not readable from its bytes: decode it and [`HostTable::add`] it.
    Decode,
    /// Its DSR walk does not reach its end: the ordinary reader reports
    /// on it, so read the whole input that way.
    Unusual,
}

fn add_dir(a: &mut DirMetrics, b: &DirMetrics) {
    a.pkts = a.pkts.saturating_add(b.pkts);
    a.bytes = a.bytes.saturating_add(b.bytes);
    a.appbytes = a.appbytes.saturating_add(b.appbytes);
}

/// Rows by key: a small hash index (key -> position) over a dense vector
/// of rows, so the table's hot part (keys and positions) stays small.
pub struct Rows<K> {
    index: HashMap<K, u32, BuildHasherDefault<FxHasher>>,
    rows: Vec<(K, Counters)>,
}

impl<K> Default for Rows<K> {
    fn default() -> Rows<K> {
        Rows { index: HashMap::default(), rows: Vec::new() }
    }
}

impl<K: Eq + Hash + Copy + Ord> Rows<K> {
    /// The row of `key`, created empty when new.
    pub fn entry(&mut self, key: K) -> &mut Counters {
        let next = self.rows.len();
        let at = *self.index.entry(key).or_insert_with(|| u32::try_from(next).unwrap_or(u32::MAX));
        if at as usize == next {
            self.rows.push((key, Counters::default()));
        }
        // A table of 2^32 rows does not fit in memory before this could
        // clamp; the last row would take the excess.
        let i = (at as usize).min(self.rows.len() - 1);
        &mut self.rows[i].1
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds every row of `other`.
    pub fn merge(&mut self, other: Rows<K>) {
        for (k, c) in other.rows {
            self.entry(k).merge(&c);
        }
    }

    /// The rows by total bytes, then total packets, descending; ties by
    /// key ascending (hash order never shows).
    pub fn ranked(&self) -> Vec<(K, Counters)> {
        rank(self.rows.clone(), None)
    }

    /// The first `n` rows of [`Rows::ranked`] (all of them for `None`),
    /// the table given up: only those are sorted.
    pub fn into_ranked(self, n: Option<usize>) -> Vec<(K, Counters)> {
        rank(self.rows, n)
    }
}

/// `rows` by total bytes, then total packets, descending, ties by key
/// ascending (a total order: keys are unique); only the first `n` when
/// given, and only those sorted.
fn rank<K: Ord>(mut rows: Vec<(K, Counters)>, n: Option<usize>) -> Vec<(K, Counters)> {
    let order = |(ka, a): &(K, Counters), (kb, b): &(K, Counters)| {
        b.bytes().cmp(&a.bytes()).then(b.pkts().cmp(&a.pkts())).then(ka.cmp(kb))
    };
    if let Some(n) = n.filter(|n| *n < rows.len()) {
        if n == 0 {
            rows.clear();
            return rows;
        }
        rows.select_nth_unstable_by(n - 1, order);
        rows.truncate(n);
    }
    rows.sort_unstable_by(order);
    rows
}

/// The flow records the tables count: FAR and NetFlow records (management
/// and event records are not traffic).
fn traffic(rec: &Record) -> Option<&crate::record::Flow> {
    match rec {
        Record::Flow(f) if matches!(f.header.class, RecordClass::Flow | RecordClass::NetFlow) => {
            Some(f)
        }
        _ => None,
    }
}

/// Per-host out/in totals (TopN).
#[derive(Default)]
pub struct HostTable {
    rows: Rows<Endpoint>,
}

impl HostTable {
    pub fn new() -> HostTable {
        HostTable::default()
    }

    /// Counts `rec` for both endpoints; other records are ignored.
    pub fn add(&mut self, rec: &Record) {
        let Some(flow) = traffic(rec) else { return };
        // rmon reading: a one-sided record counts as having a source. The
        // reversed copy racluster also aggregates is this record with the
        // endpoints and sides swapped (its times span the same interval).
        let v = FlowView::new(flow, ViewOptions { rmon: true, ..Default::default() });
        let sample = Sample::of(&v);
        self.rows.entry(Endpoint::of(&v, true)).add(&sample);
        self.rows.entry(Endpoint::of(&v, false)).add(&sample.turned());
    }

    /// Counts a flow or NetFlow record (header included) from its bytes,
    /// as [`HostTable::add`] counts it decoded, when the bytes tell.
    /// Without `times`, the rows' times and duration statistics are not
    /// kept (left zero).
    #[inline]
    pub fn add_raw(&mut self, rec: &[u8], times: bool) -> RawAdd {
        let Some(d) = RawFlow::walk(rec) else { return RawAdd::Unusual };
        let Some((src, dst, sample)) = raw_sample(&d, times) else { return RawAdd::Decode };
        self.rows.entry(src).add(&sample);
        self.rows.entry(dst).add(&sample.turned());
        RawAdd::Added
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds another table (from another thread or input) into this one.
    pub fn merge(&mut self, other: HostTable) {
        self.rows.merge(other.rows);
    }

    /// The rows ranked by traffic; see [`ranked`].
    pub fn ranked(&self) -> Vec<(Endpoint, Counters)> {
        self.rows.ranked()
    }

    /// The first `n` ranked rows (all for `None`); see [`Rows::into_ranked`].
    pub fn into_ranked(self, n: Option<usize>) -> Vec<(Endpoint, Counters)> {
        self.rows.into_ranked(n)
    }
}

/// A (source, destination) address pair.
pub type Pair = (Endpoint, Endpoint);

/// Per-pair totals (Matrix).
#[derive(Default)]
pub struct PairTable {
    rows: Rows<Pair>,
}

impl PairTable {
    pub fn new() -> PairTable {
        PairTable::default()
    }

    /// Counts `rec` for its (source, destination) pair.
    pub fn add(&mut self, rec: &Record) {
        let Some(flow) = traffic(rec) else { return };
        let mut v = FlowView::new(flow, ViewOptions::default());
        // racluster pairs flows as stored: ra's TCP/ICMP direction fix-ups
        // (which only turn a record round for printing) are undone. ARP
        // keys are different: ra and racluster both read them turned.
        let arp = matches!(flow.key.map(|k| k.addrs), Some(KeyAddrs::Arp(_)));
        if v.is_swapped() && !arp {
            if let Some(View::Flow(stored)) = View::Flow(v.clone()).rmon_reversed() {
                v = stored;
            }
        }
        let pair = (Endpoint::of(&v, true), Endpoint::of(&v, false));
        self.rows.entry(pair).add(&Sample::of(&v));
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Counts a flow or NetFlow record (header included) from its bytes,
    /// as [`PairTable::add`] counts it decoded, when the bytes tell;
    /// `times` as for [`HostTable::add_raw`].
    #[inline]
    pub fn add_raw(&mut self, rec: &[u8], times: bool) -> RawAdd {
        let Some(d) = RawFlow::walk(rec) else { return RawAdd::Unusual };
        let Some((src, dst, sample)) = raw_sample(&d, times) else { return RawAdd::Decode };
        self.rows.entry((src, dst)).add(&sample);
        RawAdd::Added
    }

    pub fn merge(&mut self, other: PairTable) {
        self.rows.merge(other.rows);
    }

    pub fn ranked(&self) -> Vec<(Pair, Counters)> {
        self.rows.ranked()
    }

    /// The first `n` ranked rows (all for `None`); see [`Rows::into_ranked`].
    pub fn into_ranked(self, n: Option<usize>) -> Vec<(Pair, Counters)> {
        self.rows.into_ranked(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::*;

    fn udp(src: u32, dst: u32, s: (u64, u64), d: (u64, u64)) -> Record {
        let mut f = Flow::argus(cause::START);
        f.key = Some(FlowKey::ipv4_ports(src, dst, ipproto::UDP, 1000, 53));
        f.time = Some(Time::min_max(Timeval::new(100, 0), Timeval::new(101, 0)));
        f.metrics = Some(Metrics::argus(
            DirMetrics { pkts: s.0, bytes: s.1, appbytes: 0 },
            DirMetrics { pkts: d.0, bytes: d.1, appbytes: 0 },
            false,
        ));
        Record::Flow(Box::new(f))
    }

    #[test]
    fn hosts_count_out_and_in_for_both_ends() {
        let mut t = HostTable::new();
        t.add(&udp(1, 2, (3, 300), (1, 50)));
        t.add(&udp(2, 3, (2, 20), (0, 0)));
        let rows = t.ranked();
        let keys: Vec<Endpoint> = rows.iter().map(|r| r.0).collect();
        assert_eq!(keys, [Endpoint::Ipv4(2), Endpoint::Ipv4(1), Endpoint::Ipv4(3)]);
        let two = rows[0].1;
        assert_eq!((two.trans, two.src.pkts, two.dst.pkts), (2, 3, 3));
        assert_eq!((two.src.bytes, two.dst.bytes), (70, 300));
        let one = rows[1].1;
        assert_eq!((one.src.bytes, one.dst.bytes, one.trans), (300, 50, 1));
        assert_eq!(one.start, Timeval::new(100, 0));
    }

    #[test]
    fn pairs_keep_direction_and_merging_tables_is_adding() {
        let mut a = PairTable::new();
        a.add(&udp(1, 2, (3, 300), (1, 50)));
        let mut b = PairTable::new();
        b.add(&udp(1, 2, (1, 10), (1, 10)));
        b.add(&udp(2, 1, (1, 10), (1, 10)));
        a.merge(b);
        let rows = a.ranked();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, (Endpoint::Ipv4(1), Endpoint::Ipv4(2)));
        assert_eq!((rows[0].1.trans, rows[0].1.bytes()), (2, 370));
    }

    #[test]
    fn ties_are_ordered_by_key() {
        let mut t = HostTable::new();
        t.add(&udp(9, 4, (1, 10), (1, 10)));
        t.add(&udp(7, 5, (1, 10), (1, 10)));
        let keys: Vec<Endpoint> = t.ranked().iter().map(|r| r.0).collect();
        let want = [4, 5, 7, 9].map(Endpoint::Ipv4);
        assert_eq!(keys, want);
    }
}
