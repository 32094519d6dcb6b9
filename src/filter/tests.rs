//! Tests of the compiled filter on records built in Rust. The differential
//! tests against Debian's `ra` (tests/filter_diff.rs) cover the archives;
//! these pin the rules that are easy to get subtly wrong.

use super::*;
use crate::record::*;

fn v4(a: [u8; 4]) -> u32 {
    u32::from_be_bytes(a)
}

/// An IPv4 flow with a TCP/UDP key and per-direction counters.
fn flow4(proto: u8, src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16) -> Flow {
    let mut k = Ipv4Key { src: v4(src), dst: v4(dst), proto, ..Default::default() };
    k.set_ports(sport, dport);
    Flow {
        key: Some(FlowKey {
            kind: key_kind::CLASSIC5TUPLE,
            reversed: false,
            qual: family::IPV4,
            addrs: KeyAddrs::Ipv4(k),
        }),
        metrics: Some(Metrics {
            src: DirMetrics { pkts: 3, bytes: 600, appbytes: 0 },
            dst: DirMetrics { pkts: 2, bytes: 600, appbytes: 0 },
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn tcp_flow(sflags: u8, dflags: u8, status: u32) -> Flow {
    let mut f = flow4(ipproto::TCP, [10, 0, 0, 1], 40000, [10, 0, 0, 2], 80);
    let mut t = TcpPerf { status, ..Default::default() };
    t.src.flags = sflags;
    t.dst.flags = dflags;
    f.network = Some(Network::Tcp(t));
    f
}

fn rec(f: Flow) -> Record {
    Record::Flow(Box::new(f))
}

fn matches(expr: &str, f: &Flow) -> bool {
    Filter::compile(expr).unwrap_or_else(|e| panic!("{expr}: {e}")).matches(&rec(f.clone()))
}

fn error(expr: &str) -> FilterError {
    match Filter::compile(expr) {
        Ok(_) => panic!("{expr} compiled"),
        Err(e) => e,
    }
}

#[test]
fn protocol_and_port() {
    let http = tcp_flow(0x02, 0x12, 0);
    let dns = flow4(ipproto::UDP, [10, 0, 0, 1], 5353, [10, 0, 0, 53], 53);
    assert!(matches("tcp and dst port 80", &http));
    assert!(!matches("tcp and src port 80", &http));
    assert!(!matches("tcp and dst port 80", &dns));
    assert!(matches("port domain", &dns));
    assert!(matches("udp port 53-123", &dns));
    assert!(!matches("tcp port 53", &dns));
    // A leading 0 is octal: 080 is port 64.
    assert!(!matches("port 080", &http));
    assert!(matches("port (443 or 80)", &http));
    assert!(matches("port 0x50", &http));
}

#[test]
fn counts_are_per_direction() {
    let f = flow4(ipproto::UDP, [10, 0, 0, 1], 1, [10, 0, 0, 2], 2);
    // 600 + 600: neither side is above 1000.
    assert!(!matches("bytes gt 1000", &f));
    assert!(matches("bytes gt 500", &f));
    assert!(matches("src pkts 3 and dst pkts 2", &f));
    assert!(matches("src and dst bytes 600", &f));
    assert!(!matches("src and dst pkts 3", &f));
    assert!(matches("pkts lt 3", &f));
    // A bare value inherits the qualifier of the primitive before it.
    assert!(matches("bytes lt 100 or gt 550", &f));
}

#[test]
fn a_missing_field_reads_as_minus_one() {
    let f = flow4(ipproto::UDP, [10, 0, 0, 1], 1, [10, 0, 0, 2], 2);
    // No IPATTR DSR: "less than" passes, everything else fails.
    assert!(matches("ttl lt 2", &f));
    assert!(!matches("ttl 0", &f));
    assert!(!matches("ttl gte 0", &f));
    // With one: the absent side is zero.
    let mut g = f.clone();
    g.ipattr = Some(IpAttr {
        qual: 0x01,
        src: IpAttrDir { ttl: 64, tos: 0x10, ip_id: 7 },
        ..Default::default()
    });
    assert!(matches("src ttl 64 and dst ttl 0", &g));
    assert!(matches("tos 0x10", &g));
    // TCP status bits of a record without a network object pass (the -1
    // has every bit set).
    let mut t = tcp_flow(0, 0, 0);
    assert!(!matches("normal", &t));
    t.network = None;
    assert!(matches("normal", &t));
}

#[test]
fn addresses_and_inheritance() {
    let f = flow4(ipproto::TCP, [192, 168, 1, 10], 40000, [10, 0, 0, 1], 21);
    assert!(matches("host 192.168.1.10 and 10.0.0.1", &f));
    assert!(!matches("host 192.168.1.10 and 10.0.0.2", &f));
    assert!(matches("src host 192.168.1.10 and dst host 10.0.0.1", &f));
    assert!(matches("net 192.168.1.0/24 and not port 80", &f));
    assert!(matches("dst net 10.0.0.0 mask 255.0.0.0", &f));
    assert!(!matches("src net 10.0.0.0/8", &f));
    assert!(matches("ip host 10.0.0.1", &f));
    assert!(!matches("ipv6 host 10.0.0.1", &f));
    // difference: a short network number is a class-style prefix.
    assert!(matches("net 10", &f));
    assert!(!matches("net 11", &f));
    // A flag word takes the direction left by the primitive before it.
    let t = tcp_flow(0x00, 0x02, 0);
    assert!(matches("syn", &t));
    assert!(!matches("src host 10.0.0.1 and syn", &t));
    assert!(matches("dst host 10.0.0.2 and syn", &t));
}

#[test]
fn tcp_flags_and_state() {
    let t = tcp_flow(0x02 | 0x10, 0x04, tcp_status::SYN_ACK | tcp_status::DST_RESET);
    assert!(matches("src syn and dst rst", &t));
    assert!(!matches("src rst", &t));
    assert!(matches("synack", &t));
    // `rst` inherits "src and dst" from the flag word before it.
    assert!(!matches("src and dst ack or rst", &t));
    assert!(matches("src and dst ack or dst rst", &t));
    assert!(!matches("src and dst ack", &t));
    assert!(!matches("udp and syn", &t));
}

#[test]
fn records_causes_and_management_records() {
    let mut f = flow4(ipproto::UDP, [10, 0, 0, 1], 1, [10, 0, 0, 2], 2);
    f.header.cause = cause::STOP;
    assert!(matches("stop", &f));
    // The cause is tested as a bit mask: STOP (3) has START's bit (1).
    assert!(matches("start", &f));
    assert!(!matches("timeout", &f));
    let mar = Record::Mar(Mar::default());
    let far = Filter::compile("far").unwrap();
    let man = Filter::compile("man and not tcp").unwrap();
    assert!(!far.matches(&mar));
    assert!(man.matches(&mar));
}

#[test]
fn floats_compare_at_the_output_precision() {
    let mut f = flow4(ipproto::UDP, [10, 0, 0, 1], 1, [10, 0, 0, 2], 2);
    f.time = Some(Time {
        src: TimeRange { start: Timeval::new(100, 0), end: Timeval::new(101, 4_000) },
        ..Default::default()
    });
    assert!(matches("dur gt 1.0", &f));
    assert!(matches("dur 1.004", &f));
    let mut two = Filter::compile("dur gt 1.001").unwrap();
    assert!(two.matches(&rec(f.clone())));
    two.set_precision(2);
    assert!(!two.matches(&rec(f.clone())));
    // difference: zero compares as zero (3.0.8.2: `dur lt 0` accepts it).
    let z = flow4(ipproto::UDP, [10, 0, 0, 1], 1, [10, 0, 0, 2], 2);
    assert!(matches("dur gte 0", &z));
    assert!(!matches("dur lt 0", &z));
}

#[test]
fn empty_tests_cannot_be_combined() {
    let f = flow4(ipproto::UDP, [10, 0, 0, 1], 1, [10, 0, 0, 2], 2);
    assert!(matches("", &f));
    assert!(matches("anon", &f));
    assert!(matches("anon and anon", &f));
    let e = error("anon and udp");
    assert!(!e.has_detail);
}

#[test]
fn errors_carry_the_real_messages() {
    let e = error("bytes > 100");
    assert_eq!((e.position, e.token.as_str(), e.has_detail), (6, ">", false));
    assert_eq!(e.report_lines("bytes > 100"), ["filter syntax error: 'bytes > 100'"]);
    let e = error("udp port http");
    assert_eq!(e.message, "port 'http' is tcp");
    assert_eq!(
        e.report_lines("udp port http"),
        ["port 'http' is tcp", "filter syntax error: 'udp port http'"]
    );
    assert_eq!(error("tcp host 1.2.3.4").message, "'tcp' modifier applied to host");
    assert_eq!(error("host 1.2.3.4/24").message, "Mask syntax for networks only");
    assert_eq!(error("tcp and $i").message, "illegal token: $i");
    assert_eq!(error("a").message, "illegal char 'a'");
    assert_eq!(error("ether").message, "link layer applied in wrong context");
    assert!(!error("TCP").has_detail);
    // The real parser compiles a primitive before it sees a bad token after
    // it, so that primitive's error comes first.
    assert_eq!(error("udp port http )").message, "port 'http' is tcp");
    let long = "this is a very long expression indeed";
    assert_eq!(error(long).report_lines(long), ["filter syntax error: 'this is a very long  ...'"]);
}

#[test]
fn division_by_zero_rejects_the_record() {
    let f = flow4(ipproto::UDP, [10, 0, 0, 1], 1, [10, 0, 0, 2], 2);
    assert!(matches("len > 0", &f));
    assert!(!matches("udp or 5 / 0 > 1", &f) || matches("udp", &f));
    assert!(!matches("not (5 / 0 > 1)", &f));
    assert!(!matches("ip[0] = 69", &f));
}

#[test]
fn ipv6_and_mac_addresses() {
    let src: u128 = 0x2001_0db8_0000_0000_0000_0000_0000_0001;
    let dst: u128 = 1;
    let mut k = Ipv6Key { src, dst, flow_word: (ipproto::UDP as u32) << 24, ..Default::default() };
    k.set_ports(1000, 53);
    let f = Flow {
        key: Some(FlowKey {
            kind: key_kind::CLASSIC5TUPLE,
            reversed: false,
            qual: family::IPV6,
            addrs: KeyAddrs::Ipv6(k),
        }),
        mac: Some(Mac { src: [0, 0x11, 0x22, 0x33, 0x44, 2], ..Default::default() }),
        ..Default::default()
    };
    assert!(matches("ipv6 and udp and dst port 53", &f));
    assert!(matches("src net 2001:db8::/32", &f));
    assert!(!matches("src net 2001:db9::/32", &f));
    // difference: `::1` is the loopback address (3.0.8.2 reads it as 1::).
    assert!(matches("dst host ::1", &f));
    assert!(!matches("ip and host 10.0.0.1", &f));
    assert!(matches("ether src 00:11:22:33:44:02", &f));
    assert!(!matches("ether dst 00:11:22:33:44:02", &f));
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    // Found by hand while fuzzing: 20000 negations of a value overflowed
    // the stack. Nesting is bounded (3.0.8.2's parser also gives up).
    let nots = format!("host {}1.2.3.4", "not ".repeat(20_000));
    assert!(!error(&nots).has_detail);
    let parens = format!("{}tcp{}", "(".repeat(5_000), ")".repeat(5_000));
    assert!(Filter::compile(&parens).is_err());
    // Within the bound everything compiles and evaluates on a small stack,
    // as in a worker thread.
    let f = flow4(ipproto::TCP, [10, 0, 0, 1], 1, [10, 0, 0, 2], 2);
    let ok = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let deep = format!("{}tcp{}", "(".repeat(990), ")".repeat(990));
            let negs = format!("host {}10.0.0.1", "not ".repeat(990));
            let long = vec!["udp"; 20_000].join(" or ") + " or tcp";
            [deep, negs, long]
                .iter()
                .all(|e| Filter::compile(e).map(|c| c.matches(&rec(f.clone()))).unwrap_or(false))
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(ok);
}

/// xorshift64*: a fixed-seed generator for the randomized tests below.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces of the language, in every form the scanner knows and some it
/// does not: keywords, qualifiers, numbers (hex, octal, float, negative,
/// huge), addresses and nets, operators, parentheses, stray characters.
const TOKENS: &[&str] = &[
    "tcp",
    "udp",
    "icmp",
    "ip",
    "ipv4",
    "ipv6",
    "arp",
    "rarp",
    "ether",
    "host",
    "net",
    "port",
    "src",
    "dst",
    "and",
    "or",
    "not",
    "&&",
    "||",
    "!",
    "(",
    ")",
    "(",
    ")",
    "gt",
    "lt",
    "eq",
    "gte",
    "lte",
    "ne",
    ">",
    "<",
    "=",
    ">=",
    "<=",
    "!=",
    "+",
    "-",
    "*",
    "/",
    "&",
    "|",
    "bytes",
    "pkts",
    "appbytes",
    "ttl",
    "tos",
    "ipid",
    "dur",
    "rate",
    "load",
    "trans",
    "seq",
    "srcid",
    "vid",
    "vpri",
    "mid",
    "mpls",
    "vlan",
    "syn",
    "synack",
    "fin",
    "rst",
    "est",
    "con",
    "man",
    "far",
    "event",
    "start",
    "status",
    "echo",
    "unreach",
    "frag",
    "multicast",
    "encaps",
    "len",
    "spi",
    "sas",
    "inode",
    "lsp",
    "80",
    "443",
    "0x1bb",
    "0777",
    "1.5",
    "-1",
    "99999999999999999999",
    "1e3",
    ".5",
    "http",
    "domain",
    "10",
    "10.0.0.1",
    "10.0.0.0/8",
    "192.168/16",
    "1.2.3.4/33",
    "::1",
    "2001:db8::/32",
    "fe80::1%eth0",
    "00:11:22:33:44:55",
    "ff:ff",
    "80-443",
    "0-65535",
    "x",
    "\"",
    "'",
    "\\",
    ",",
    ";",
    "#",
    "\u{e9}",
    "\t",
    "",
];

/// Heads of primitives (with their qualifiers) and values for them.
const PRIMITIVES: &[&str] = &[
    "host",
    "src host",
    "dst net",
    "net",
    "port",
    "src port",
    "dst port",
    "ip src",
    "ether host",
    "ether src",
    "bytes gt",
    "src pkts lt",
    "dst bytes eq",
    "ttl",
    "src tos gte",
    "ipid",
    "dur gt",
    "rate lt",
    "load gt",
    "trans",
    "seq gte",
    "srcid",
    "vid",
    "vpri",
    "mid",
    "tcp dst port",
    "udp and port",
    "ipv6 and host",
    "appbytes",
    "spi",
    "ip proto",
    "proto",
    "not port",
];
const VALUES: &[&str] = &[
    "10.0.0.1",
    "10.0.0.0/8",
    "192.168/16",
    "1.2.3.4/33",
    "::1",
    "2001:db8::/32",
    "fe80::1",
    "00:11:22:33:44:55",
    "80",
    "0x1bb",
    "0777",
    "-1",
    "1.5",
    "-2.5",
    "1e3",
    "http",
    "domain",
    "(80 or 443)",
    "80-443",
    "99999999999999999999",
    "4294967296",
    "tcp",
    "x",
    "",
];

/// Whole primitives.
const WHOLE: &[&str] = &[
    "tcp",
    "udp",
    "icmp",
    "ipv6",
    "arp",
    "syn",
    "synack",
    "fin",
    "rst",
    "est",
    "con",
    "man",
    "far",
    "dst port 443",
    "port (80 or 443)",
    "bytes gt 1000",
    "src pkts lt 3",
    "host 10.0.0.1",
    "net 10.0.0.0/8",
    "ttl gt 60",
    "tos eq 0",
    "src ipid gt 1000",
    "dur gt 1.0",
    "rate lt 0.5",
    "vlan",
    "mpls",
    "vid 11",
    "ether src 00:11:22:33:44:55",
    "echo",
    "unreach",
    "frag",
    "multicast",
    "ipv6 and net 2001:db8::/32",
    "appbytes eq 0",
    "trans gt 1",
    "srcid 10.0.0.1",
];

#[test]
fn random_text_never_panics_the_compiler() {
    let mut r = Rng(0x5eed_0ff1_17e5);
    let options = CompileOptions { resolve_names: false };
    let http = rec(tcp_flow(0x02, 0x12, 0));
    let records = [http, rec(Flow::default()), Record::Mar(Mar::default())];
    let mut encoded = Vec::new();
    crate::codec::encode(&records[0], &mut encoded).expect("encode");
    let mut rb = crate::codec::RecordBuf::new();
    let reread = rb.decode(&encoded).expect("decode").clone();
    let mut compiled = 0;
    // Failing expressions cost the most (the error position is searched
    // for by re-parsing prefixes), hence a few thousand rounds only.
    for round in 0..4_000 {
        let expr = match round % 8 {
            // Raw bytes, lossily as text, as the fuzz target feeds them.
            0 => {
                let bytes: Vec<u8> = (0..r.below(40)).map(|_| r.next() as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            // Token soup.
            1 | 2 => {
                let mut e = String::new();
                for _ in 0..1 + r.below(12) {
                    e.push_str(TOKENS[r.below(TOKENS.len())]);
                    if r.below(5) != 0 {
                        e.push(' ');
                    }
                }
                e
            }
            // Primitives joined by operators: mostly valid, reaching the
            // code generator and the evaluator.
            _ => {
                let mut e = String::new();
                for i in 0..1 + r.below(4) {
                    if i > 0 {
                        e.push_str([" and ", " or ", " && ", " || "][r.below(4)]);
                    }
                    if r.below(4) == 0 {
                        e.push_str(["not ", "! ", "("][r.below(3)]);
                    }
                    if r.below(2) == 0 {
                        e.push_str(WHOLE[r.below(WHOLE.len())]);
                    } else {
                        e.push_str(PRIMITIVES[r.below(PRIMITIVES.len())]);
                        e.push(' ');
                        e.push_str(VALUES[r.below(VALUES.len())]);
                    }
                }
                e
            }
        };
        let result = std::panic::catch_unwind(|| {
            let Ok(mut f) = Filter::compile_with(&expr, &options) else { return false };
            f.set_precision((round % 12) as u32);
            for rec in &records {
                let _ = f.matches(rec);
            }
            // The bytes-level pass must agree wherever it answers.
            if let Some(v) = f.matches_bytes(&encoded) {
                assert_eq!(v, f.matches(&reread), "bytes-level verdict");
            }
            true
        });
        match result {
            Ok(ok) => compiled += usize::from(ok),
            Err(_) => panic!("panicked on {expr:?}"),
        }
    }
    // The generator must reach the evaluator, not only the error paths.
    assert!(compiled > 800, "only {compiled} expressions compiled");
}
