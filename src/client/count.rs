//! racount's tallies: the record, packet and byte sums, the per-protocol
//! summary (`-M proto`) and the address summary (`-M addr`), collected per
//! thread ([`Tally`]) and merged in reading order, then the report as
//! argus-clients 3.0.8.2's racount prints it.
//!
//! What 3.0.8.2 does and this module reproduces:
//!
//! * the record count starts at 1 (`ArgusTotalFlowRecs = 1`);
//! * a protocol's line is the record of its first flow with the later ones
//!   merged into it (`ArgusMergeRecords`): the counters are only summed
//!   when that first record had a METER DSR, and the line's record count
//!   is the merge's transaction count, which only starts once the merged
//!   record has packets ([`Bucket`]);
//! * classic keys of the ARP and RARP families are merged twice (a missing
//!   `break` in 3.0.8.2), Ethernet types from 0x1000 up are never printed;
//! * IPv4 addresses are counted once each (a set per side), IPv6 addresses
//!   once per record; `-M rmon` counts each flow forward and reversed and
//!   reports the source side only.
//!
//! State grows with the distinct protocols and IPv4 addresses, never with
//! the number of records.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use super::addrclass::{self, AddrClass, CLASSES, LABELS};
use super::parallel::{Job, Merge};
use super::reader::{Flow, Item};
use super::totals::Totals;
use crate::codec::raw::{RawDsrs, RawItem, RawRecords};
use crate::codec::{self, DecodeOptions, RecordBuf};
use crate::diag::Fatal;
use crate::print::{LabelMode, PrintOptions, Printer};
use crate::record::field::{FlowView, ViewOptions};
use crate::record::{
    family, key_kind, network_subtype, BufferPool, FlowKey, KeyAddrs, Record, RecordClass,
};

/// What racount was asked for.
pub struct Counter {
    pub proto: bool,
    pub addr: bool,
    pub rmon: bool,
    /// Prints a record's `proto` column (for the protocol lines' names).
    pub labels: PrintOptions,
    /// How records are seen (ra's canonical view).
    pub view: ViewOptions,
    /// What of each record is decoded ([`Judge::decode_for`]).
    ///
    /// [`Judge::decode_for`]: super::select::Judge::decode_for
    pub decode: DecodeOptions,
    /// Plain sums of records nothing else looks into: read the counters
    /// straight from the record bytes ([`lean_sums`]).
    pub lean: bool,
}

impl Counter {
    /// `print` is the run's printer configuration (its `-n` level names the
    /// protocols); racount prints the proto column in variable width.
    pub fn new(proto: bool, addr: bool, rmon: bool, print: &PrintOptions) -> Counter {
        let mut labels = print.clone();
        labels.columns = Vec::new();
        let _ = labels.apply_field_spec(&["proto"]);
        labels.delimiter = None;
        labels.variable_width = true;
        labels.labels = LabelMode::Never;
        labels.rmon = false;
        let view = Printer::new(print.clone()).view_options();
        Counter { proto, addr, rmon, labels, view, decode: DecodeOptions::FULL, lean: false }
    }

    /// The proto column of `flow`, and of `flow` without its network
    /// object (what a merge that drops it leaves: `udp` for `rtcp`).
    fn labels(&self, printer: &mut Option<Printer>, flow: &crate::record::Flow) -> [String; 2] {
        let p = printer.get_or_insert_with(|| Printer::new(self.labels.clone()));
        let whole = Record::Flow(Box::new(flow.clone()));
        let mut bare = Box::new(flow.clone());
        bare.network = None;
        let bare = Record::Flow(bare);
        [&whole, &bare].map(|rec| {
            let mut out = Vec::new();
            p.print(rec, &mut out);
            let text = String::from_utf8_lossy(&out);
            // ArgusPrintProto's text ends with one blank.
            format!("{} ", text.trim_end_matches(['\n', ' ']).trim_start())
        })
    }

    /// The sums only: from the record bytes when ra's view of the record
    /// cannot differ from them, else from the decoded record.
    fn tally_lean(&self, t: &mut Tally, bytes: &[u8]) -> Result<(), Fatal> {
        if let Some(sums) = lean_sums(bytes, &mut t.pool) {
            t.records += 1;
            if let Some(m) = sums {
                t.sums.add(&m);
            }
            return Ok(());
        }
        self.tally_decoded(t, bytes);
        Ok(())
    }

    /// A record decoded whole, through ra's view.
    fn tally_decoded(&self, t: &mut Tally, bytes: &[u8]) {
        let mut rb = t.rb.take().unwrap_or_else(|| RecordBuf::with_options(DecodeOptions::FULL));
        match rb.decode(bytes) {
            Ok(Record::Flow(f)) => self.tally(t, f),
            _ => t.records += 1,
        }
        t.rb = Some(rb);
    }

    /// The plain sums of a whole memory-mapped input (`input` starts with
    /// its initial MAR), read straight from the record bytes; records the
    /// bytes cannot answer for are decoded ([`Counter::tally_lean`]).
    /// `None` when the input needs the ordinary reader (then nothing was
    /// added to `t`); else the number of (flow, management) records read
    /// after the initial MAR.
    pub fn tally_raw(&self, t: &mut Tally, input: &[u8]) -> Option<(u64, u64)> {
        let mut own = Tally::default();
        let (mut flows, mut mars) = (0u64, 0u64);
        for item in RawRecords::after_initial_mar(input)? {
            let rec = match item {
                RawItem::Flow(rec) => rec,
                RawItem::Mar => {
                    mars += 1;
                    continue;
                }
                RawItem::Unusual => return None,
            };
            flows += 1;
            match raw_sums(rec, self.view.known_tcp_service.is_some())? {
                Some(sums) => {
                    own.records += 1;
                    if let Some(m) = sums {
                        own.sums.add(&m);
                    }
                }
                // (lean_sums still reads IPv6 and other keys from bytes)
                None => {
                    if self.tally_lean(&mut own, rec).is_err() {
                        return None;
                    }
                }
            }
        }
        t.append(&mut own);
        Some((flows, mars))
    }

    fn tally(&self, t: &mut Tally, f: &crate::record::Flow) {
        t.records += 1;
        let v = FlowView::new(f, self.view);
        let metrics = v.metrics().map(|[s, d]| Sums {
            pkts: [s.pkts as i64, d.pkts as i64],
            bytes: [s.bytes as i64, d.bytes as i64],
        });
        if let Some(m) = &metrics {
            t.sums.add(m);
        }
        let Some(key) = v.key.as_ref() else { return };
        if self.proto {
            let net = v.net_subtype();
            for place in proto_places(key).into_iter().flatten() {
                let bucket = match place {
                    Place::Ip(p) => &mut t.ip[p as usize],
                    Place::Ether(e) => t.ether.entry(e).or_default(),
                    Place::Arp => &mut t.arp,
                    Place::Rarp => &mut t.rarp,
                    Place::Unknown => &mut t.unknown,
                };
                if bucket.is_none() {
                    let labels = self.labels(&mut t.printer, f);
                    *bucket = Some(Bucket::new(metrics.is_some(), net, labels));
                }
                if let Some(b) = bucket.as_mut() {
                    b.add(metrics.as_ref(), net);
                }
            }
        }
        if self.addr {
            self.tally_addrs(t, key);
        }
    }

    fn tally_addrs(&self, t: &mut Tally, key: &FlowKey) {
        if !matches!(key.kind & 0x3f, key_kind::CLASSIC5TUPLE | key_kind::LAYER_3_MATRIX) {
            return;
        }
        match (key.qual & 0x1f, &key.addrs) {
            (family::IPV4, KeyAddrs::Ipv4(a)) => {
                t.src4.insert(a.src);
                if !self.rmon {
                    t.dst4.insert(a.dst);
                }
            }
            (family::IPV6, KeyAddrs::Ipv6(a)) => {
                for (side, addr) in [a.src, a.dst].into_iter().enumerate() {
                    if let Some(c) = addrclass::ipv6(addr) {
                        t.v6[side][c as usize] += 1;
                    }
                }
            }
            _ => {}
        }
    }

    /// racount's report.
    pub fn report(&self, t: &Tally) -> String {
        let mut s = String::new();
        s.push_str(
            "racount   records     total_pkts     src_pkts       dst_pkts       total_bytes        src_bytes          dst_bytes\n",
        );
        let records = t.records.wrapping_add(1) as i64;
        s.push_str(&line("    sum   ", records, &t.sums));
        if self.proto {
            s.push_str("Protocol Summary\n");
            let ether = t.ether.range(..0x1000).filter_map(|(_, b)| b.as_ref());
            let named = [(&t.arp, "arp "), (&t.rarp, "rarp "), (&t.unknown, "unkwn ")];
            for b in t.ip.iter().flatten().chain(ether) {
                s.push_str(&b.line(b.label()));
            }
            for (b, name) in named {
                if let Some(b) = b {
                    s.push_str(&b.line(name));
                }
            }
        }
        if self.addr {
            s.push_str("Address Summary\n");
            let mut counts = [[0u64; CLASSES]; 2];
            for (side, set) in [&t.src4, &t.dst4].into_iter().enumerate() {
                for &a in set {
                    addrclass::ipv4(a, |c| counts[side][c as usize] += 1);
                }
            }
            for (sum, v6) in counts.iter_mut().zip(&t.v6) {
                for (a, b) in sum.iter_mut().zip(v6) {
                    *a += b;
                }
            }
            let link_local = AddrClass::V4LinkLocal as usize;
            for (class, label) in LABELS {
                let c = class as usize;
                // 3.0.8.2 prints the Test Net line when Link Local has counts.
                let shown = if class == AddrClass::V4TestNet { link_local } else { c };
                let (src, dst) = (counts[0][c] as i32, counts[1][c] as i32);
                if self.rmon {
                    if counts[0][shown] != 0 {
                        let _ = writeln!(s, "  {label:<26}{src:<10}");
                    }
                } else if counts[0][shown] != 0 || counts[1][shown] != 0 {
                    let _ = writeln!(s, "  {label:<26}src {src:<10}  dst {dst:<10}");
                }
            }
        }
        s
    }
}

/// A flow record's counters as ra's view of the record shows them, read
/// from its bytes; `None` when the view may turn the record round or clear
/// its counters (then decode it): ARP keys, other non-IP keys stored
/// reversed, IPv4 ICMP flows with the
/// direction bit, IPv4 TCP flows whose SYN was not seen, more than 1000
/// packets (the zero-duration rule).
fn lean_sums(bytes: &[u8], pool: &mut BufferPool) -> Option<Option<Sums>> {
    use crate::record::{ipproto, tcp_status, Network};
    let v = codec::FlowView::new(bytes);
    let sums = match v.metrics() {
        Some(m) => {
            if m.src.pkts.saturating_add(m.dst.pkts) > 1000 {
                return None;
            }
            Some(Sums {
                pkts: [m.src.pkts as i64, m.dst.pkts as i64],
                bytes: [m.src.bytes as i64, m.dst.bytes as i64],
            })
        }
        None => None,
    };
    let Some(key) = v.key() else { return Some(sums) };
    match key.addrs {
        // the codec reads a reversed ARP record (whatever its layout) with
        // its directions swapped, as ra does
        KeyAddrs::Arp(_) => None,
        KeyAddrs::Ether(_) | KeyAddrs::Other { .. } if key.reversed => None,
        KeyAddrs::Ipv4(k) if k.proto == ipproto::ICMP && key.qual & family::DIRECTION != 0 => None,
        KeyAddrs::Ipv4(k) if k.proto == ipproto::TCP => {
            let status = match v.network(pool) {
                Some(Network::Tcp(t)) => t.status,
                Some(Network::TcpInit(t)) => t.status,
                Some(Network::TcpStatus(t)) => t.status,
                // no TCP object: ra does not turn the record round
                _ => return Some(sums),
            };
            (status & tcp_status::SYN != 0).then_some(sums)
        }
        _ => Some(sums),
    }
}

/// [`lean_sums`] on the bytes alone, for the common records: `None`
/// when the record must go the ordinary way (its DSR walk does not reach
/// its end), `Some(None)` when it must be decoded (ra may turn it round
/// or clear its counters, or its key is not an IPv4 one).
///
/// Of the TCP flows, ra turns round only those that saw the SYN-ACK but
/// not the SYN, or (under `-nnn`, `guess_by_port`) saw neither: the
/// others are summed from their bytes.
#[inline]
fn raw_sums(rec: &[u8], guess_by_port: bool) -> Option<Option<Option<Sums>>> {
    let d = RawDsrs::walk(rec)?;
    let sums = match d.metrics() {
        Some(m) => {
            if m.src.pkts.saturating_add(m.dst.pkts) > 1000 {
                return Some(None);
            }
            Some(Sums {
                pkts: [m.src.pkts as i64, m.dst.pkts as i64],
                bytes: [m.src.bytes as i64, m.dst.bytes as i64],
            })
        }
        None => None,
    };
    // IPv6 keys are summed as stored, as lean_sums sums them.
    Some(d.keeps_direction(guess_by_port).then_some(sums))
}

/// One line of the sum or the protocol summary; `head` is its first column.
fn line(head: &str, records: i64, m: &Sums) -> String {
    let pkts = m.pkts[0].wrapping_add(m.pkts[1]);
    let bytes = m.bytes[0].wrapping_add(m.bytes[1]);
    format!(
        "{head}{:<11} {:<14} {:<14} {:<14} {:<18} {:<18} {:<18}\n",
        records, pkts, m.pkts[0], m.pkts[1], bytes, m.bytes[0], m.bytes[1]
    )
}

/// Where a flow key is merged for the protocol summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Ip(u8),
    Ether(u16),
    Arp,
    Rarp,
    Unknown,
}

/// 3.0.8.2's switch over key kind and family, fall-through included: up
/// to two places.
fn proto_places(key: &FlowKey) -> [Option<Place>; 2] {
    let fam = key.qual & 0x1f;
    let arp_family = match fam {
        family::RARP => Some(Place::Rarp),
        family::ARP => Some(Place::Arp),
        _ => None,
    };
    match key.kind & 0x3f {
        key_kind::CLASSIC5TUPLE | key_kind::LAYER_3_MATRIX => {
            let first = match (fam, &key.addrs) {
                (family::IPV4, KeyAddrs::Ipv4(a)) => Place::Ip(a.proto),
                (family::IPV4, KeyAddrs::Other { bytes, .. }) => Place::Ip(bytes[8]),
                (family::IPV6, KeyAddrs::Ipv6(a)) => Place::Ip(a.proto()),
                (family::IPV6, KeyAddrs::Other { bytes, .. }) => Place::Ip(bytes[35]),
                (family::ARP, _) => Place::Arp,
                (family::RARP, _) => Place::Rarp,
                (family::ETHER, KeyAddrs::Ether(e)) => Place::Ether(e.ether_type),
                (family::ETHER | family::WLAN, KeyAddrs::Other { bytes, .. }) => {
                    // The Ethernet header's type field, as the host reads it.
                    Place::Ether(u16::from_ne_bytes([bytes[12], bytes[13]]))
                }
                _ => Place::Unknown,
            };
            [Some(first), arp_family]
        }
        key_kind::ARP => [arp_family, None],
        _ => [Some(Place::Unknown), None],
    }
}

/// Packet and byte counters, source and destination.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    pkts: [i64; 2],
    bytes: [i64; 2],
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        for i in 0..2 {
            self.pkts[i] = self.pkts[i].wrapping_add(o.pkts[i]);
            self.bytes[i] = self.bytes[i].wrapping_add(o.bytes[i]);
        }
    }
}

/// The records of one protocol, merged in reading order.
///
/// 3.0.8.2 copies the first record and merges the others into the copy:
/// counters are added only when both have a METER DSR (so never when the
/// first had none), and the transaction count (the line's records column)
/// is created, at 1, by the first merge that finds packets in the copy,
/// then counts each further merge. Keeping the number of records and the
/// place of the first one with packets gives the same count, and lets two
/// threads' buckets be put together in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    records: u64,
    first_has_metrics: bool,
    /// Index (among the bucket's records) of the first with packets.
    first_with_pkts: Option<u64>,
    sums: Sums,
    /// The merged record's network object: the first record's, until a
    /// record with another kind of object comes (`None` then).
    net: Option<u8>,
    /// The network object subtypes of the bucket's records.
    seen: [u64; 4],
    /// The proto column of the first record, with and without its network
    /// object.
    labels: [String; 2],
}

/// Does merging a record with network object `later` drop `first`? (Two
/// kinds differ, unless both are TCP's.)
fn drops_net(first: u8, later: u8) -> bool {
    use network_subtype::{TCP_INIT, TCP_PERF, TCP_STATUS};
    let tcp = |s| matches!(s, TCP_INIT | TCP_STATUS | TCP_PERF);
    first != later && !(tcp(first) && tcp(later))
}

impl Bucket {
    fn new(first_has_metrics: bool, net: Option<u8>, labels: [String; 2]) -> Bucket {
        Bucket {
            records: 0,
            first_has_metrics,
            first_with_pkts: None,
            sums: Sums::default(),
            net,
            seen: [0; 4],
            labels,
        }
    }

    fn add(&mut self, m: Option<&Sums>, net: Option<u8>) {
        if let Some(n) = net {
            self.seen[usize::from(n >> 6)] |= 1 << (n & 63);
            if self.net.is_some_and(|first| drops_net(first, n)) {
                self.net = None;
            }
        }
        if let Some(m) = m {
            if self.first_with_pkts.is_none() && m.pkts[0].wrapping_add(m.pkts[1]) > 0 {
                self.first_with_pkts = Some(self.records);
            }
            self.sums.add(m);
        }
        self.records += 1;
    }

    /// `later`'s records came after this bucket's.
    fn append(&mut self, later: Bucket) {
        if let Some(first) = self.net {
            let seen = &later.seen;
            if (0..=255u8)
                .any(|n| seen[usize::from(n >> 6)] & (1 << (n & 63)) != 0 && drops_net(first, n))
            {
                self.net = None;
            }
        }
        for (a, b) in self.seen.iter_mut().zip(later.seen) {
            *a |= b;
        }
        if self.first_with_pkts.is_none() {
            self.first_with_pkts = later.first_with_pkts.map(|i| i + self.records);
        }
        self.records += later.records;
        self.sums.add(&later.sums);
    }

    /// The transaction count 3.0.8.2 prints.
    fn transactions(&self) -> i64 {
        match self.first_with_pkts {
            Some(i) if self.first_has_metrics && i + 1 < self.records => (self.records - i) as i64,
            _ => 1,
        }
    }

    /// The proto column of the merged record.
    fn label(&self) -> &str {
        &self.labels[usize::from(self.net.is_none())]
    }

    fn line(&self, name: &str) -> String {
        let sums = if self.first_has_metrics { self.sums } else { Sums::default() };
        // printf's "%8.8s  ": the name cut to 8 bytes, right-aligned.
        let cut = &name.as_bytes()[..name.len().min(8)];
        let head = format!("{:>8}  ", String::from_utf8_lossy(cut));
        line(&head, self.transactions(), &sums)
    }
}

fn append_bucket(into: &mut Option<Bucket>, later: Option<Bucket>) {
    match (into.as_mut(), later) {
        (Some(a), Some(b)) => a.append(b),
        (None, b) => *into = b,
        (Some(_), None) => {}
    }
}

/// What one thread (or the whole run) counted.
pub struct Tally {
    records: u64,
    sums: Sums,
    ip: Vec<Option<Bucket>>,
    ether: BTreeMap<u16, Option<Bucket>>,
    arp: Option<Bucket>,
    rarp: Option<Bucket>,
    unknown: Option<Bucket>,
    src4: HashSet<u32>,
    dst4: HashSet<u32>,
    v6: [[u64; CLASSES]; 2],
    printer: Option<Printer>,
    /// Decodes the records the lean path cannot read.
    rb: Option<RecordBuf>,
    pool: BufferPool,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            records: 0,
            sums: Sums::default(),
            ip: vec![None; 256],
            ether: BTreeMap::new(),
            arp: None,
            rarp: None,
            unknown: None,
            src4: HashSet::new(),
            dst4: HashSet::new(),
            v6: [[0; CLASSES]; 2],
            printer: None,
            rb: None,
            pool: BufferPool::default(),
        }
    }
}

impl Tally {
    /// Adds `later`, which counted records read after this one's.
    pub fn append(&mut self, later: &mut Tally) {
        self.records += later.records;
        self.sums.add(&later.sums);
        for (a, b) in self.ip.iter_mut().zip(later.ip.iter_mut()) {
            append_bucket(a, b.take());
        }
        for (k, b) in std::mem::take(&mut later.ether) {
            append_bucket(self.ether.entry(k).or_default(), b);
        }
        append_bucket(&mut self.arp, later.arp.take());
        append_bucket(&mut self.rarp, later.rarp.take());
        append_bucket(&mut self.unknown, later.unknown.take());
        self.src4.extend(later.src4.drain());
        self.dst4.extend(later.dst4.drain());
        for (sum, v6) in self.v6.iter_mut().zip(&later.v6) {
            for (a, b) in sum.iter_mut().zip(v6) {
                *a += b;
            }
        }
        later.records = 0;
        later.sums = Sums::default();
        later.v6 = [[0; CLASSES]; 2];
    }
}

impl Job for Counter {
    type Acc = Tally;

    fn decode(&self) -> DecodeOptions {
        self.decode
    }

    fn acc(&self, _parallel: bool) -> Tally {
        Tally::default()
    }

    fn accept(&self, t: &mut Tally, item: &Item, _totals: &mut Totals) -> Result<Flow, Fatal> {
        let Record::Flow(f) = item.record else { return Ok(Flow::Continue) };
        if !matches!(f.header.class, RecordClass::Flow | RecordClass::NetFlow) {
            return Ok(Flow::Continue);
        }
        if self.lean {
            self.tally_lean(t, item.bytes)?;
            return Ok(Flow::Continue);
        }
        if self.rmon {
            let (fwd, rev) = super::direction::rmon_pair(f);
            self.tally(t, &fwd);
            self.tally(t, &rev);
        } else {
            self.tally(t, f);
        }
        Ok(Flow::Continue)
    }
}

/// The run's tally, put together in reading order.
#[derive(Default)]
pub struct Totalled(pub Tally);

impl Merge<Tally> for Totalled {
    fn merge(&mut self, acc: &mut Tally) -> Result<Flow, Fatal> {
        self.0.append(acc);
        Ok(Flow::Continue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(p: i64) -> Sums {
        Sums { pkts: [p, 0], bytes: [p * 10, 0] }
    }

    /// The transaction count of records merged one after the other.
    fn merged(records: &[Option<i64>]) -> Bucket {
        let mut b = Bucket::new(records[0].is_some(), None, ["tcp ".into(), "tcp ".into()]);
        for r in records {
            b.add(r.map(sums).as_ref(), None);
        }
        b
    }

    #[test]
    fn transactions_start_once_the_merged_record_has_packets() {
        assert_eq!(merged(&[Some(1), Some(1), Some(1)]).transactions(), 3);
        // the copy has no packets at the first merge: no count yet
        assert_eq!(merged(&[Some(0), Some(2), Some(1), Some(1)]).transactions(), 3);
        assert_eq!(merged(&[Some(0), Some(0)]).transactions(), 1);
        assert_eq!(merged(&[Some(0), Some(5)]).transactions(), 1);
        // no METER on the first record: nothing is ever added
        let b = merged(&[None, Some(5), Some(5)]);
        assert_eq!(b.transactions(), 1);
        assert!(b.line("x").contains("1           0 "));
    }

    #[test]
    fn buckets_put_together_in_order_count_as_one() {
        let all = [Some(0), Some(0), Some(3), Some(1), None, Some(2)];
        let whole = merged(&all);
        for cut in 1..all.len() {
            let mut a = merged(&all[..cut]);
            let mut b = Bucket::new(all[cut].is_some(), None, ["tcp ".into(), "tcp ".into()]);
            for r in &all[cut..] {
                b.add(r.map(sums).as_ref(), None);
            }
            a.append(b);
            assert_eq!(a, whole, "cut at {cut}");
        }
    }
}
