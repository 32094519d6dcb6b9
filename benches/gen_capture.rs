//! gen-capture: the project's deterministic capture generator, for
//! benchmarks and load tests.
//!
//! Writes a classic pcap file (Ethernet, microsecond stamps) of interleaved
//! flows in time order. The same arguments give the same bytes on every
//! machine: one seeded PRNG (splitmix64) drives everything, time is integer
//! microseconds, and the few logarithms/exponentials are computed with plain
//! IEEE arithmetic (no libm, whose last bits vary between platforms).
//!
//! Traffic mix (`--mix normal`, the default), per flow started:
//! - 50% TCP (15% of all flows IPv6): handshake with MSS/wscale options,
//!   requests and slow-start paced responses with delayed ACKs and a few
//!   retransmissions, then FIN either side (80%), RST (13%) or no close;
//!   3% unanswered SYNs retried after 1 s and 3 s, 3% refused (RST);
//!   interactive ssh-like sessions lasting minutes;
//! - 33% DNS query/response over UDP (some NXDOMAIN, some unanswered);
//! - 9% other UDP: NTP, QUIC-like 443/udp bursts, one-way syslog, a closed
//!   port answered by ICMP port unreachable;
//! - 6% ICMP echo (ICMPv6 echo and neighbour discovery for IPv6);
//! - 2% ARP request/reply;
//! - 8% of flows VLAN-tagged, 2% of IPv4 flows under one MPLS label; frames
//!   are padded to 60 bytes as on a wire tap.
//!
//! `--mix scan` is a SYN scan instead: one scanner, every SYN a new flow
//! (distinct address/port), 20% answered by RST, 2% by SYN-ACK + RST —
//! millions of distinct flows for the flow-table load test.
//!
//! Flows start as a Poisson process (`--rate` per second) for as long as
//! the size (`--packets N` or `--bytes N`) is not reached; the capture is
//! cut there, as a real one would be. Transport checksums are left zero
//! (argus does not verify them); IPv4 header checksums are right.
//!
//! Run: `cargo run --release --example gen-capture -- OUT.pcap --seed 1 --packets 4500000`
//! (`-` writes to stdout).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufWriter, Write};

const USAGE: &str = "usage: gen-capture OUT.pcap|- [--seed N] [--packets N | --bytes N[k|M|G]] \
[--rate FLOWS_PER_S] [--mix normal|scan] [--start UNIX_SECONDS]";

/// The epoch second the capture starts at (2023-11-14).
const DEFAULT_START: u64 = 1_700_000_000;

// ------------------------------------------------------------------ randomness

/// splitmix64: tiny, fast, and fully specified, so the stream is the same
/// on every platform and Rust version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in [0, n).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    /// Exponential with the given mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -ln(1.0 - self.unit()) * mean
    }
    /// Approximately normal (Irwin-Hall of four uniforms, scaled).
    fn normal(&mut self) -> f64 {
        (self.unit() + self.unit() + self.unit() + self.unit() - 2.0) * 1.732_050_807_568_877_2
    }
    /// Log-normal with this median and sigma, clamped to [lo, hi].
    fn lognormal(&mut self, median: f64, sigma: f64, lo: u64, hi: u64) -> u64 {
        let v = median * exp(sigma * self.normal());
        (v as u64).clamp(lo, hi)
    }
}

/// Natural logarithm with + - * / only: x = m * 2^e, ln m by the atanh
/// series (m in [1, 2) so the series converges fast).
fn ln(x: f64) -> f64 {
    if x <= 0.0 {
        return -745.0;
    }
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let mut term = t;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..16 {
        sum += term / k;
        term *= t2;
        k += 2.0;
    }
    e as f64 * std::f64::consts::LN_2 + 2.0 * sum
}

/// e^x with + - * / only: x = k ln2 + r, 2^k from the exponent bits, e^r by
/// its Taylor series.
fn exp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let k = (x / std::f64::consts::LN_2).floor();
    let r = x - k * std::f64::consts::LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..20 {
        term *= r / f64::from(i);
        sum += term;
    }
    sum * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

// ------------------------------------------------------------------ packets

const FIN: u8 = 1;
const SYN: u8 = 2;
const RST: u8 = 4;
const PSH: u8 = 8;
const ACK: u8 = 16;

/// What a packet carries at its start; the rest is filler.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Head {
    None,
    HttpRequest,
    HttpResponse,
    TlsHello,
    SshBanner,
    DnsQuery,
    DnsAnswer { answers: u8, nx: bool },
    Ntp,
    Quic,
    Syslog,
}

/// The layer-4 part of a packet.
#[derive(Clone, Copy)]
enum L4 {
    Tcp {
        flags: u8,
        seq: u32,
        ack: u32,
        win: u16,
        syn_options: bool,
    },
    Udp,
    /// ICMP or ICMPv6 (by the flow's IP version).
    Icmp {
        kind: u8,
        code: u8,
        ident: u16,
        seq: u16,
    },
    /// ICMP port unreachable quoting the flow's own UDP header.
    Unreachable,
    Arp {
        reply: bool,
    },
}

/// One packet of a flow, made into bytes only when it is written.
#[derive(Clone, Copy)]
struct Desc {
    /// Microseconds from the start of the capture.
    ts: u64,
    /// Client to server.
    c2s: bool,
    l4: L4,
    head: Head,
    /// Application bytes.
    len: u32,
}

#[derive(Clone, Copy)]
enum L2 {
    Plain,
    Vlan(u16),
    Mpls(u32),
}

struct Flow {
    v6: bool,
    l2: L2,
    client: [u8; 16],
    server: [u8; 16],
    sport: u16,
    dport: u16,
    ttl_c: u8,
    ttl_s: u8,
    ipid_c: u16,
    ipid_s: u16,
    flow_label: u32,
    /// Seeds the bytes that must be the same in every packet of the flow
    /// (the DNS name).
    salt: u64,
    pkts: Vec<Desc>,
    next: usize,
}

const GW_MAC: [u8; 6] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
const N_CLIENTS: u64 = 6000;
const N_SERVERS: u64 = 25000;

fn client_addr(i: u64, v6: bool) -> [u8; 16] {
    let mut a = [0u8; 16];
    if v6 {
        a[..6].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01]);
        a[13..].copy_from_slice(&(i as u32).to_be_bytes()[1..]);
    } else {
        a[..4].copy_from_slice(&[
            10,
            1 + ((i >> 8) % 60) as u8,
            (i & 0xff) as u8,
            1 + (i % 250) as u8,
        ]);
    }
    a
}

/// Public-looking server addresses, a fixed function of the index.
fn server_addr(i: u64, v6: bool) -> [u8; 16] {
    let mut a = [0u8; 16];
    let mut r = Rng(i.wrapping_mul(7919) ^ 0x5eed);
    if v6 {
        a[..8].copy_from_slice(&[0x2a, 0x00, 0x14, 0x50, 0x40, 0x01, 0x08, 0x00]);
        a[8..].copy_from_slice(&(0x2000 + i * 37).to_be_bytes());
    } else {
        loop {
            let first = r.range(1, 223) as u8;
            if ![10, 100, 127, 169, 172, 192].contains(&first) {
                a[..4].copy_from_slice(&[
                    first,
                    r.next() as u8,
                    r.next() as u8,
                    r.range(1, 254) as u8,
                ]);
                break;
            }
        }
    }
    a
}

fn mac_of(addr: &[u8; 16], v6: bool) -> [u8; 6] {
    let tail = if v6 { &addr[11..16] } else { &addr[0..4] };
    let mut m = [0x02, 0, 0, 0, 0, 0];
    m[6 - tail.len()..].copy_from_slice(tail);
    m
}

/// Builds frames; owns the filler the payloads are cut from.
struct Builder {
    fill: Vec<u8>,
    rng: Rng,
}

const HTTP_REQ: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";
const HTTP_RSP: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nServer: nginx\r\n\r\n";
const TLS_HELLO: &[u8] = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
const SSH_BANNER: &[u8] = b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";

impl Builder {
    fn new(seed: u64) -> Builder {
        let mut rng = Rng(seed ^ 0xf111_f111);
        let fill = (0..1 << 17).map(|_| rng.next() as u8).collect();
        Builder { fill, rng }
    }

    /// Appends `len` application bytes starting with `head`.
    fn payload(&mut self, f: &Flow, d: &Desc, out: &mut Vec<u8>) {
        let start = out.len();
        match d.head {
            Head::None => {}
            Head::HttpRequest => out.extend_from_slice(HTTP_REQ),
            Head::HttpResponse => out.extend_from_slice(HTTP_RSP),
            Head::TlsHello => out.extend_from_slice(TLS_HELLO),
            Head::SshBanner => out.extend_from_slice(SSH_BANNER),
            Head::Ntp => {
                out.extend_from_slice(if d.c2s { b"\x23\x02\x06\xe8" } else { b"\x24\x02\x06\xe8" })
            }
            Head::Quic => out.extend_from_slice(b"\xc3\x00\x00\x00\x01"),
            Head::Syslog => out.extend_from_slice(b"<134>"),
            Head::DnsQuery => dns_message(f, None, out),
            Head::DnsAnswer { answers, nx } => dns_message(f, Some((answers, nx)), out),
        }
        let want = start + d.len as usize;
        if out.len() > want && !matches!(d.head, Head::DnsQuery | Head::DnsAnswer { .. }) {
            out.truncate(want);
        }
        if out.len() < want {
            let n = want - out.len();
            let off =
                self.rng.below((self.fill.len() - n.min(self.fill.len())) as u64 + 1) as usize;
            let end = (off + n).min(self.fill.len());
            out.extend_from_slice(&self.fill[off..end]);
            out.resize(want, 0);
        }
    }

    fn frame(&mut self, f: &mut Flow, d: &Desc, out: &mut Vec<u8>) {
        out.clear();
        let cmac = mac_of(&f.client, f.v6);
        let (dst, src) = if d.c2s { (GW_MAC, cmac) } else { (cmac, GW_MAC) };
        if let L4::Arp { reply } = d.l4 {
            let c = &f.client[..4];
            let gw = &f.server[..4];
            if reply {
                out.extend_from_slice(&cmac);
                out.extend_from_slice(&GW_MAC);
            } else {
                out.extend_from_slice(&[0xff; 6]);
                out.extend_from_slice(&cmac);
            }
            out.extend_from_slice(&[
                0x08,
                0x06,
                0,
                1,
                0x08,
                0x00,
                6,
                4,
                0,
                if reply { 2 } else { 1 },
            ]);
            if reply {
                out.extend_from_slice(&GW_MAC);
                out.extend_from_slice(gw);
                out.extend_from_slice(&cmac);
                out.extend_from_slice(c);
            } else {
                out.extend_from_slice(&cmac);
                out.extend_from_slice(c);
                out.extend_from_slice(&[0; 6]);
                out.extend_from_slice(gw);
            }
            out.resize(60, 0);
            return;
        }
        out.extend_from_slice(&dst);
        out.extend_from_slice(&src);
        let ether_type: u16 = if f.v6 { 0x86dd } else { 0x0800 };
        match f.l2 {
            L2::Mpls(label) if !f.v6 => {
                out.extend_from_slice(&0x8847u16.to_be_bytes());
                out.extend_from_slice(&((label << 12) | 0x100 | 64).to_be_bytes());
            }
            L2::Vlan(id) => {
                out.extend_from_slice(&0x8100u16.to_be_bytes());
                out.extend_from_slice(&id.to_be_bytes());
                out.extend_from_slice(&ether_type.to_be_bytes());
            }
            _ => out.extend_from_slice(&ether_type.to_be_bytes()),
        }
        let ip_at = out.len();
        let ip_len = if f.v6 { 40 } else { 20 };
        out.resize(ip_at + ip_len, 0);
        let l4_at = out.len();
        let proto = self.l4(f, d, out);
        let l4_len = out.len() - l4_at;
        let (src, dst) = if d.c2s { (&f.client, &f.server) } else { (&f.server, &f.client) };
        let ttl = if d.c2s { f.ttl_c } else { f.ttl_s };
        let ip = &mut out[ip_at..l4_at];
        if f.v6 {
            ip[..4].copy_from_slice(&(0x6000_0000 | f.flow_label).to_be_bytes());
            ip[4..6].copy_from_slice(&(l4_len as u16).to_be_bytes());
            ip[6] = proto;
            ip[7] = ttl;
            ip[8..24].copy_from_slice(src);
            ip[24..40].copy_from_slice(dst);
        } else {
            let id = if d.c2s {
                f.ipid_c = f.ipid_c.wrapping_add(1);
                f.ipid_c
            } else {
                f.ipid_s = f.ipid_s.wrapping_add(1);
                f.ipid_s
            };
            ip[0] = 0x45;
            ip[2..4].copy_from_slice(&((20 + l4_len) as u16).to_be_bytes());
            ip[4..6].copy_from_slice(&id.to_be_bytes());
            ip[6] = 0x40; // don't fragment
            ip[8] = ttl;
            ip[9] = proto;
            ip[12..16].copy_from_slice(&src[..4]);
            ip[16..20].copy_from_slice(&dst[..4]);
            let sum = checksum(ip);
            ip[10..12].copy_from_slice(&sum.to_be_bytes());
        }
        if out.len() < 60 {
            out.resize(60, 0);
        }
    }

    /// Appends the layer-4 header and payload; returns the IP protocol.
    fn l4(&mut self, f: &Flow, d: &Desc, out: &mut Vec<u8>) -> u8 {
        let (sp, dp) = if d.c2s { (f.sport, f.dport) } else { (f.dport, f.sport) };
        match d.l4 {
            L4::Tcp { flags, seq, ack, win, syn_options } => {
                let hlen: u8 = if syn_options { 28 } else { 20 };
                out.extend_from_slice(&sp.to_be_bytes());
                out.extend_from_slice(&dp.to_be_bytes());
                out.extend_from_slice(&seq.to_be_bytes());
                out.extend_from_slice(&ack.to_be_bytes());
                out.extend_from_slice(&[(hlen / 4) << 4, flags]);
                out.extend_from_slice(&win.to_be_bytes());
                out.extend_from_slice(&[0, 0, 0, 0]);
                if syn_options {
                    let mss: u16 = if f.v6 { 1440 } else { 1460 };
                    out.extend_from_slice(&[2, 4]);
                    out.extend_from_slice(&mss.to_be_bytes());
                    out.extend_from_slice(&[1, 3, 3, 7]);
                }
                self.payload(f, d, out);
                6
            }
            L4::Udp => {
                let at = out.len();
                out.extend_from_slice(&sp.to_be_bytes());
                out.extend_from_slice(&dp.to_be_bytes());
                out.extend_from_slice(&[0, 0, 0, 0]);
                self.payload(f, d, out);
                let n = (out.len() - at) as u16;
                out[at + 4..at + 6].copy_from_slice(&n.to_be_bytes());
                17
            }
            L4::Icmp { kind, code, ident, seq } => {
                let at = out.len();
                out.extend_from_slice(&[kind, code, 0, 0]);
                match kind {
                    135 | 136 => {
                        out.extend_from_slice(&if kind == 136 { [0x60, 0, 0, 0] } else { [0; 4] });
                        out.extend_from_slice(&f.server);
                    }
                    _ => {
                        out.extend_from_slice(&ident.to_be_bytes());
                        out.extend_from_slice(&seq.to_be_bytes());
                        self.payload(f, d, out);
                    }
                }
                if !f.v6 {
                    let sum = checksum(&out[at..]);
                    out[at + 2..at + 4].copy_from_slice(&sum.to_be_bytes());
                }
                if f.v6 {
                    58
                } else {
                    1
                }
            }
            L4::Unreachable => {
                // The quoted datagram: the client's IPv4 header and the first
                // 8 bytes of its UDP header.
                let at = out.len();
                out.extend_from_slice(&[3, 3, 0, 0, 0, 0, 0, 0]);
                let udp_len = 8 + d.len as u16;
                let mut inner = [0u8; 28];
                inner[0] = 0x45;
                inner[2..4].copy_from_slice(&(20 + udp_len).to_be_bytes());
                inner[4..6].copy_from_slice(&f.ipid_c.to_be_bytes());
                inner[6] = 0x40;
                inner[8] = f.ttl_c;
                inner[9] = 17;
                inner[12..16].copy_from_slice(&f.client[..4]);
                inner[16..20].copy_from_slice(&f.server[..4]);
                let sum = checksum(&inner[..20]);
                inner[10..12].copy_from_slice(&sum.to_be_bytes());
                inner[20..22].copy_from_slice(&f.sport.to_be_bytes());
                inner[22..24].copy_from_slice(&f.dport.to_be_bytes());
                inner[24..26].copy_from_slice(&udp_len.to_be_bytes());
                out.extend_from_slice(&inner);
                let sum = checksum(&out[at..]);
                out[at + 2..at + 4].copy_from_slice(&sum.to_be_bytes());
                1
            }
            L4::Arp { .. } => 0,
        }
    }
}

/// A DNS query for the flow's name, or the answer to it.
fn dns_message(f: &Flow, answer: Option<(u8, bool)>, out: &mut Vec<u8>) {
    let mut r = Rng(f.salt);
    let id = r.next() as u16;
    let aaaa = r.chance(0.3);
    let flags: u16 = match answer {
        None => 0x0100,
        Some((_, true)) => 0x8183,
        Some(_) => 0x8180,
    };
    let ancount = match answer {
        Some((n, false)) => u16::from(n),
        _ => 0,
    };
    for v in [id, flags, 1, ancount, 0, 0] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(b"\x03www");
    let n = r.range(3, 20) as u8;
    out.push(n);
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    for _ in 0..n {
        out.push(r.pick(ALNUM));
    }
    let tld: &[u8] = r.pick(&[&b"\x03com"[..], b"\x03net", b"\x03org", b"\x02de"]);
    out.extend_from_slice(tld);
    out.push(0);
    let qtype: u16 = if aaaa { 28 } else { 1 };
    out.extend_from_slice(&qtype.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    for _ in 0..ancount {
        out.extend_from_slice(&[0xc0, 0x0c]);
        out.extend_from_slice(&qtype.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&(r.range(30, 3600) as u32).to_be_bytes());
        let a = server_addr(r.below(N_SERVERS), aaaa);
        let n: u16 = if aaaa { 16 } else { 4 };
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&a[..n as usize]);
    }
}

fn checksum(b: &[u8]) -> u16 {
    let mut s: u32 = 0;
    for c in b.chunks(2) {
        s += u32::from(c[0]) << 8 | u32::from(*c.get(1).unwrap_or(&0));
    }
    while s >> 16 != 0 {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

// ------------------------------------------------------------------ flow models

/// Makes the packets of new flows.
struct Models {
    rng: Rng,
    /// Cumulative Zipf weights: a few servers get most flows.
    zipf: Vec<f64>,
    scan_next: u64,
}

const S: u64 = 1_000_000;

impl Models {
    fn new(seed: u64) -> Models {
        let mut sum = 0.0;
        let zipf = (0..N_SERVERS)
            .map(|i| {
                sum += 1.0 / exp(0.9 * ln((i + 1) as f64));
                sum
            })
            .collect();
        Models { rng: Rng(seed), zipf, scan_next: 0 }
    }

    fn server(&mut self) -> u64 {
        let last = *self.zipf.last().unwrap_or(&1.0);
        let x = self.rng.unit() * last;
        self.zipf.partition_point(|&w| w < x) as u64
    }

    fn flow(&mut self, v6: bool, client: u64, server: [u8; 16], sport: u16, dport: u16) -> Flow {
        let r = &mut self.rng;
        let l2 = match r.unit() {
            x if x < 0.08 => L2::Vlan(r.pick(&[10, 20, 100, 200, 300])),
            x if x < 0.10 => L2::Mpls(r.range(16, 1_048_575) as u32),
            _ => L2::Plain,
        };
        Flow {
            v6,
            l2,
            client: client_addr(client, v6),
            server,
            sport,
            dport,
            ttl_c: 64,
            ttl_s: r.pick(&[45, 52, 56, 57, 58, 116, 121, 243]),
            ipid_c: r.next() as u16,
            ipid_s: r.next() as u16,
            flow_label: r.next() as u32 & 0xfffff,
            salt: r.next(),
            pkts: Vec::new(),
            next: 0,
        }
    }

    /// A new flow of the normal mix starting at `t` (microseconds).
    fn normal(&mut self, t: u64) -> Flow {
        let v6 = self.rng.chance(0.15);
        let k = self.rng.unit();
        let mut f = if k < 0.50 {
            self.tcp(t, v6)
        } else if k < 0.83 {
            self.dns(t, v6)
        } else if k < 0.92 {
            self.other_udp(t, v6)
        } else if k < 0.98 {
            self.icmp(t, v6)
        } else {
            self.arp(t)
        };
        // Keep each flow's packets in time order whatever the model did.
        let mut last = 0;
        for d in &mut f.pkts {
            d.ts = d.ts.max(last);
            last = d.ts;
        }
        f
    }

    fn tcp(&mut self, mut t: u64, v6: bool) -> Flow {
        let client = self.rng.below(N_CLIENTS);
        let server = server_addr(self.server(), v6);
        let r = self.rng.unit();
        let dport = if r < 0.55 {
            443
        } else if r < 0.80 {
            80
        } else if r < 0.83 {
            22
        } else {
            self.rng.pick(&[25, 993, 8080, 3306, 5432, 8443, 110, 143, 21, 3389])
        };
        let sport = self.rng.range(32768, 60999) as u16;
        let mut f = self.flow(v6, client, server, sport, dport);
        let r = &mut self.rng;
        let rtt = r.lognormal(30_000.0, 0.9, 500, 400_000);
        let mss: u32 = if v6 { 1440 } else { 1460 };
        let (mut cseq, mut sseq) = (r.next() as u32, r.next() as u32);
        let seg =
            |t: u64, c2s: bool, flags: u8, seq: u32, ack: u32, win: u16, len: u32, head: Head| {
                Desc {
                    ts: t,
                    c2s,
                    l4: L4::Tcp { flags, seq, ack, win, syn_options: flags & SYN != 0 },
                    head,
                    len,
                }
            };
        let p = &mut f.pkts;
        let kind = r.unit();
        if kind < 0.03 {
            for dt in [0, S, 3 * S] {
                p.push(seg(t + dt, true, SYN, cseq, 0, 64240, 0, Head::None));
            }
            return f;
        }
        p.push(seg(t, true, SYN, cseq, 0, 64240, 0, Head::None));
        t += rtt;
        if kind < 0.06 {
            p.push(seg(t, false, RST | ACK, 0, cseq.wrapping_add(1), 0, 0, Head::None));
            return f;
        }
        p.push(seg(t, false, SYN | ACK, sseq, cseq.wrapping_add(1), 65160, 0, Head::None));
        cseq = cseq.wrapping_add(1);
        sseq = sseq.wrapping_add(1);
        t += 50;
        p.push(seg(t, true, ACK, cseq, sseq, 502, 0, Head::None));
        if dport == 22 && r.chance(0.5) {
            // Interactive: small packets both ways for minutes.
            let end = t + r.range(20 * S, 200 * S);
            let n = SSH_BANNER.len() as u32;
            p.push(seg(t, false, PSH | ACK, sseq, cseq, 509, n, Head::SshBanner));
            sseq = sseq.wrapping_add(n);
            while t < end {
                t += r.exp(3.0 * S as f64) as u64;
                let n = r.pick(&[36, 36, 36, 52, 68, 100]);
                p.push(seg(t, true, PSH | ACK, cseq, sseq, 502, n, Head::None));
                cseq = cseq.wrapping_add(n);
                t += rtt;
                let m = r.pick(&[36, 36, 52, 68, 100, 300, 1200]);
                p.push(seg(t, false, PSH | ACK, sseq, cseq, 509, m, Head::None));
                sseq = sseq.wrapping_add(m);
                t += 40_000;
                p.push(seg(t, true, ACK, cseq, sseq, 502, 0, Head::None));
            }
        } else {
            let requests = if r.chance(0.7) { 1 } else { r.range(2, 6) };
            for i in 0..requests {
                t += if i == 0 { r.range(100, 2000) } else { r.exp(2.0 * S as f64) as u64 };
                let mut head = match dport {
                    80 | 8080 => Head::HttpRequest,
                    443 | 8443 => Head::TlsHello,
                    _ => Head::None,
                };
                let mut left = r.lognormal(400.0, 0.6, 60, 4000) as u32;
                while left > 0 {
                    let n = left.min(mss);
                    p.push(seg(t, true, PSH | ACK, cseq, sseq, 502, n, head));
                    head = Head::None;
                    cseq = cseq.wrapping_add(n);
                    left -= n;
                    t += 100;
                }
                t += rtt * r.range(60, 150) / 100;
                let mut left = r.lognormal(3500.0, 1.7, 100, 30_000_000) as u32;
                let mut head =
                    if matches!(dport, 80 | 8080) { Head::HttpResponse } else { Head::None };
                let (mut cwnd, mut unacked, mut first) = (10, 0u32, true);
                while left > 0 {
                    let mut burst = cwnd;
                    while burst > 0 && left > 0 {
                        let n = left.min(mss);
                        let fl = if n < mss || left == n { PSH | ACK } else { ACK };
                        p.push(seg(t, false, fl, sseq, cseq, 509, n, head));
                        if !first && r.chance(0.005) {
                            t += 20;
                            p.push(seg(t, false, fl, sseq, cseq, 509, n, head));
                        }
                        head = Head::None;
                        first = false;
                        sseq = sseq.wrapping_add(n);
                        left -= n;
                        burst -= 1;
                        unacked += 1;
                        t += u64::from(n) * 8 / 200; // 200 Mbit/s
                        if unacked >= 2 || left == 0 {
                            let win = 502 + (unacked & 7) as u16;
                            p.push(seg(t + 30, true, ACK, cseq, sseq, win, 0, Head::None));
                            unacked = 0;
                        }
                    }
                    t += rtt;
                    cwnd = (cwnd * 2).min(128);
                }
            }
        }
        let k = r.unit();
        t += r.range(500, 5 * S);
        if k < 0.80 {
            let (c1, s1) = (cseq.wrapping_add(1), sseq.wrapping_add(1));
            if r.chance(0.6) {
                p.push(seg(t, true, FIN | ACK, cseq, sseq, 502, 0, Head::None));
                t += rtt;
                p.push(seg(t, false, FIN | ACK, sseq, c1, 509, 0, Head::None));
                p.push(seg(t + 50, true, ACK, c1, s1, 502, 0, Head::None));
            } else {
                p.push(seg(t, false, FIN | ACK, sseq, cseq, 509, 0, Head::None));
                p.push(seg(t + 100, true, FIN | ACK, cseq, s1, 502, 0, Head::None));
                p.push(seg(t + 100 + rtt, false, ACK, s1, c1, 509, 0, Head::None));
            }
        } else if k < 0.93 {
            let c2s = r.chance(0.5);
            let (seq, ack) = if c2s { (cseq, sseq) } else { (sseq, cseq) };
            p.push(seg(t, c2s, RST | ACK, seq, ack, 0, 0, Head::None));
        }
        f
    }

    fn dns(&mut self, t: u64, v6: bool) -> Flow {
        let client = self.rng.below(N_CLIENTS);
        let local = self.rng.chance(0.25);
        let server = if v6 {
            let mut a = [0u8; 16];
            let tail: &[u8] = if self.rng.chance(0.5) { &[0x88, 0x88] } else { &[0x11, 0x11] };
            a[..4].copy_from_slice(&[0x20, 0x01, 0x48, 0x60]);
            a[14..].copy_from_slice(tail);
            a
        } else if local {
            client_addr(53, false)
        } else {
            let mut a = [0u8; 16];
            a[..4].copy_from_slice(&self.rng.pick(&[[8, 8, 8, 8], [1, 1, 1, 1], [9, 9, 9, 9]]));
            a
        };
        let sport = self.rng.range(1024, 65535) as u16;
        let mut f = self.flow(v6, client, server, sport, 53);
        let r = &mut self.rng;
        let qlen = {
            let mut q = Vec::new();
            dns_message(&f, None, &mut q);
            q.len() as u32
        };
        let q = Desc { ts: t, c2s: true, l4: L4::Udp, head: Head::DnsQuery, len: qlen };
        f.pkts.push(q);
        if r.chance(0.02) {
            f.pkts.push(Desc { ts: t + S, ..q });
            return f;
        }
        let rtt = if local { 800 } else { r.lognormal(15_000.0, 0.6, 2000, 1_000_000) };
        let nx = r.chance(0.08);
        let answers = if nx { 0 } else { r.pick(&[1, 1, 1, 2, 4, 8]) };
        let head = Head::DnsAnswer { answers, nx };
        let mut a = Vec::new();
        let d = Desc { ts: t + rtt, c2s: false, l4: L4::Udp, head, len: 0 };
        dns_message(&f, Some((answers, nx)), &mut a);
        f.pkts.push(Desc { len: a.len() as u32, ..d });
        f
    }

    fn other_udp(&mut self, mut t: u64, v6: bool) -> Flow {
        let client = self.rng.below(N_CLIENTS);
        let server = server_addr(self.server(), v6);
        let k = self.rng.unit();
        let sport = self.rng.range(1024, 65535) as u16;
        let udp =
            |t: u64, c2s: bool, len: u32, head: Head| Desc { ts: t, c2s, l4: L4::Udp, head, len };
        if k < 0.35 {
            let mut f = self.flow(v6, client, server, 123, 123);
            f.pkts.push(udp(t, true, 48, Head::Ntp));
            f.pkts.push(udp(t + 20_000, false, 48, Head::Ntp));
            return f;
        }
        if k < 0.75 {
            let mut f = self.flow(v6, client, server, sport, 443);
            let r = &mut self.rng;
            let rtt = r.lognormal(30_000.0, 0.7, 2000, 1_000_000);
            f.pkts.push(udp(t, true, 1250, Head::Quic));
            t += rtt;
            for i in 0..r.lognormal(12.0, 1.3, 2, 3000) {
                f.pkts.push(udp(t, false, r.pick(&[1252, 1252, 1252, 400, 60]), Head::None));
                t += 200;
                if i % 4 == 3 {
                    f.pkts.push(udp(t, true, r.pick(&[40, 48, 60]), Head::None));
                }
            }
            return f;
        }
        if k < 0.90 {
            let mut f = self.flow(v6, client, server, sport, 514);
            let r = &mut self.rng;
            for _ in 0..r.range(1, 20) {
                f.pkts.push(udp(t, true, r.range(60, 400) as u32, Head::Syslog));
                t += r.exp(3.0 * S as f64) as u64;
            }
            return f;
        }
        let dport = self.rng.range(30000, 40000) as u16;
        let mut f = self.flow(v6, client, server, sport, dport);
        let len = self.rng.range(20, 200) as u32;
        f.pkts.push(udp(t, true, len, Head::None));
        if !v6 {
            f.pkts.push(Desc {
                ts: t + 10_000,
                c2s: false,
                l4: L4::Unreachable,
                head: Head::None,
                len,
            });
        }
        f
    }

    fn icmp(&mut self, mut t: u64, v6: bool) -> Flow {
        let client = self.rng.below(N_CLIENTS);
        let server = server_addr(self.server(), v6);
        let mut f = self.flow(v6, client, server, 0, 0);
        let r = &mut self.rng;
        let rtt = r.lognormal(30_000.0, 0.8, 500, 1_000_000);
        let icmp = |ts, c2s, kind, ident, seq, len| Desc {
            ts,
            c2s,
            l4: L4::Icmp { kind, code: 0, ident, seq },
            head: Head::None,
            len,
        };
        if v6 && r.chance(0.3) {
            f.pkts.push(icmp(t, true, 135, 0, 0, 0));
            f.pkts.push(icmp(t + 300, false, 136, 0, 0, 0));
            return f;
        }
        let ident = r.next() as u16;
        let lost = r.chance(0.1);
        let (req, rep) = if v6 { (128, 129) } else { (8, 0) };
        for seq in 0..r.pick(&[1u16, 3, 4, 4, 5, 10]) {
            f.pkts.push(icmp(t, true, req, ident, seq, 56));
            if !lost {
                f.pkts.push(icmp(t + rtt, false, rep, ident, seq, 56));
            }
            t += S;
        }
        f
    }

    fn arp(&mut self, t: u64) -> Flow {
        let client = self.rng.below(N_CLIENTS);
        let mut gw = client_addr(client, false);
        gw[3] = 254;
        let mut f = self.flow(false, client, gw, 0, 0);
        f.l2 = L2::Plain;
        let arp = |ts: u64, reply: bool| Desc {
            ts,
            c2s: !reply,
            l4: L4::Arp { reply },
            head: Head::None,
            len: 0,
        };
        f.pkts.push(arp(t, false));
        f.pkts.push(arp(t + 200, true));
        f
    }

    /// The next SYN-scan probe: every one a new flow.
    fn scan(&mut self, t: u64) -> Flow {
        const PORTS: [u16; 20] = [
            21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 443, 445, 993, 995, 1723, 3306, 3389, 5900,
            8080, 8443,
        ];
        let i = self.scan_next;
        self.scan_next += 1;
        let target = i / PORTS.len() as u64;
        let mut server = [0u8; 16];
        server[..4]
            .copy_from_slice(&(0x0a00_0000u32 | (target as u32 & 0x00ff_ffff)).to_be_bytes());
        let dport = PORTS[(i % PORTS.len() as u64) as usize];
        let sport = 40000 + (i % 20000) as u16;
        let mut f = self.flow(false, 4000, server, sport, dport);
        f.l2 = L2::Plain;
        let r = &mut self.rng;
        let seq = r.next() as u32;
        let tcp = |ts, c2s, flags, seq, ack| Desc {
            ts,
            c2s,
            l4: L4::Tcp { flags, seq, ack, win: 1024, syn_options: false },
            head: Head::None,
            len: 0,
        };
        f.pkts.push(tcp(t, true, SYN, seq, 0));
        let k = r.unit();
        if k < 0.20 {
            f.pkts.push(tcp(t + 200, false, RST | ACK, 0, seq.wrapping_add(1)));
        } else if k < 0.22 {
            let sseq = r.next() as u32;
            f.pkts.push(tcp(t + 200, false, SYN | ACK, sseq, seq.wrapping_add(1)));
            f.pkts.push(tcp(t + 250, true, RST, seq.wrapping_add(1), 0));
        }
        f
    }
}

// ------------------------------------------------------------------ main

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    Normal,
    Scan,
}

/// What to generate (tests/gen_capture.rs builds these directly).
pub struct Args {
    pub out: String,
    pub seed: u64,
    pub packets: u64,
    pub bytes: u64,
    /// Flows started per second.
    pub rate: f64,
    pub mix: Mix,
    /// Epoch second of the first packet.
    pub start: u64,
}

impl Args {
    /// The defaults of the command line, with this seed and packet count.
    pub fn new(seed: u64, packets: u64, mix: Mix) -> Args {
        let rate = if mix == Mix::Scan { 100_000.0 } else { 700.0 };
        Args { out: String::new(), seed, packets, bytes: u64::MAX, rate, mix, start: DEFAULT_START }
    }
}

fn parse_size(s: &str) -> Result<u64, String> {
    let (num, mult) = match s.as_bytes().last() {
        Some(b'k' | b'K') => (&s[..s.len() - 1], 1u64 << 10),
        Some(b'M') => (&s[..s.len() - 1], 1 << 20),
        Some(b'G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().map(|n| n * mult).map_err(|e| format!("bad size '{s}': {e}"))
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        out: String::new(),
        seed: 1,
        packets: u64::MAX,
        bytes: u64::MAX,
        rate: 0.0,
        mix: Mix::Normal,
        start: DEFAULT_START,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--packets" => a.packets = parse_size(&value()?)?,
            "--bytes" => a.bytes = parse_size(&value()?)?,
            "--rate" => a.rate = value()?.parse().map_err(|e| format!("--rate: {e}"))?,
            "--start" => a.start = value()?.parse().map_err(|e| format!("--start: {e}"))?,
            "--mix" => {
                a.mix = match value()?.as_str() {
                    "normal" => Mix::Normal,
                    "scan" => Mix::Scan,
                    m => return Err(format!("unknown mix '{m}'")),
                }
            }
            "-h" | "--help" => return Err(String::new()),
            _ if a.out.is_empty() && (arg == "-" || !arg.starts_with('-')) => a.out = arg,
            _ => return Err(format!("unexpected argument '{arg}'")),
        }
    }
    if a.out.is_empty() {
        return Err("no output file".into());
    }
    if a.packets == u64::MAX && a.bytes == u64::MAX {
        a.packets = 1_000_000;
    }
    if a.rate <= 0.0 {
        a.rate = if a.mix == Mix::Scan { 100_000.0 } else { 700.0 };
    }
    Ok(a)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("gen-capture: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if e.is_empty() { 0 } else { 1 });
        }
    };
    let sink: Box<dyn Write> = if args.out == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        match std::fs::File::create(&args.out) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("gen-capture: {}: {e}", args.out);
                std::process::exit(1);
            }
        }
    };
    let mut out = BufWriter::with_capacity(1 << 22, sink);
    match generate(&args, &mut out).and_then(|n| out.flush().map(|_| n)) {
        Ok((packets, bytes, flows)) => {
            eprintln!("gen-capture: {packets} packets, {bytes} bytes, {flows} flows started")
        }
        Err(e) => {
            eprintln!("gen-capture: {}: {e}", args.out);
            std::process::exit(1);
        }
    }
}

/// Writes the capture; returns (packets, file bytes, flows started).
pub fn generate(a: &Args, out: &mut impl Write) -> std::io::Result<(u64, u64, u64)> {
    let mut header = Vec::with_capacity(24);
    header.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    header.extend_from_slice(&2u16.to_le_bytes());
    header.extend_from_slice(&4u16.to_le_bytes());
    header.extend_from_slice(&[0; 8]);
    header.extend_from_slice(&65535u32.to_le_bytes());
    header.extend_from_slice(&1u32.to_le_bytes());
    out.write_all(&header)?;
    let mut models = Models::new(a.seed);
    let mut builder = Builder::new(a.seed);
    let mut arrivals = Rng(a.seed ^ 0xa771_7a15);
    let mean_gap = 1e6 / a.rate;
    // Active flows in a slab; the heap holds (next packet time, order, slot).
    let mut slab: Vec<Option<Flow>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::new();
    let mut order = 0u64;
    let mut next_start = 0u64;
    let (mut packets, mut bytes, mut flows) = (0u64, 24u64, 0u64);
    let mut frame = Vec::with_capacity(2048);
    while packets < a.packets && bytes < a.bytes {
        // Start every flow due before the next pending packet.
        while heap.peek().is_none_or(|Reverse((t, _, _))| next_start <= *t) {
            let f = match a.mix {
                Mix::Normal => models.normal(next_start),
                Mix::Scan => models.scan(next_start),
            };
            flows += 1;
            next_start +=
                if a.mix == Mix::Scan { mean_gap as u64 } else { arrivals.exp(mean_gap) as u64 };
            if let Some(first) = f.pkts.first() {
                let slot = free.pop().unwrap_or(slab.len());
                heap.push(Reverse((first.ts, order, slot)));
                order += 1;
                if slot == slab.len() {
                    slab.push(Some(f));
                } else {
                    slab[slot] = Some(f);
                }
            }
        }
        let Some(Reverse((ts, _, slot))) = heap.pop() else { break };
        let Some(f) = slab[slot].as_mut() else { break };
        let d = f.pkts[f.next];
        f.next += 1;
        builder.frame(f, &d, &mut frame);
        let at = a.start * S + ts;
        let len = frame.len() as u32;
        let mut rec = [0u8; 16];
        rec[..4].copy_from_slice(&((at / S) as u32).to_le_bytes());
        rec[4..8].copy_from_slice(&((at % S) as u32).to_le_bytes());
        rec[8..12].copy_from_slice(&len.to_le_bytes());
        rec[12..].copy_from_slice(&len.to_le_bytes());
        out.write_all(&rec)?;
        out.write_all(&frame)?;
        packets += 1;
        bytes += 16 + u64::from(len);
        if let Some(next) = f.pkts.get(f.next) {
            heap.push(Reverse((next.ts, order, slot)));
            order += 1;
        } else {
            slab[slot] = None;
            free.push(slot);
        }
    }
    Ok((packets, bytes, flows))
}
