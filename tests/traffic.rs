//! A deterministic synthetic packet stream for the soak test: a fixed
//! number of concurrent conversations, each replaced by a new one (new
//! addresses and ports) when it ends, so the number of distinct flows grows
//! without bound while the number alive at any time stays about the same.
//! That is the traffic a long-running argus sees, and what makes a growing
//! memory visible.
//!
//! Conversations: TCP sessions (handshake, request/response rounds, FIN
//! close; some reset, some left half-open to time out), UDP request and
//! response exchanges over IPv4 and IPv6, ICMP echo. Packet time moves on
//! by a pseudo-random step per packet, so flows also end by idle timeout.
//! Written as a classic pcap stream (Ethernet, microseconds) to any writer:
//! fast enough that argus, not the generator, sets the pace.

use std::io::{self, Write};

/// xorshift64*: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Handshake, `rounds` request/response/ack, FIN, FIN, ACK.
    TcpSession,
    /// SYN answered by RST.
    TcpRefused,
    /// SYN only: the flow ends by timeout.
    TcpHalfOpen,
    Udp4,
    Udp6,
    IcmpEcho,
}

/// One conversation in progress.
struct Conversation {
    kind: Kind,
    client: u32,
    server: u32,
    sport: u16,
    dport: u16,
    /// Packets sent so far.
    step: u32,
    /// Request/response rounds.
    rounds: u32,
    cseq: u32,
    sseq: u32,
}

impl Conversation {
    /// Number of packets in the whole conversation.
    fn len(&self) -> u32 {
        match self.kind {
            Kind::TcpSession => 3 + 3 * self.rounds + 3,
            Kind::TcpRefused => 2,
            Kind::TcpHalfOpen => 1,
            Kind::Udp4 | Kind::Udp6 | Kind::IcmpEcho => 2 * self.rounds,
        }
    }
}

/// The generator's parameters.
#[derive(Clone, Copy, Debug)]
pub struct Traffic {
    pub seed: u64,
    /// Conversations alive at once.
    pub concurrent: usize,
    /// Packets in the stream.
    pub packets: u64,
    /// Mean packet-time step between packets, microseconds.
    pub mean_gap_us: u64,
}

const TCP: u8 = 6;
const UDP: u8 = 17;
const ICMP: u8 = 1;

struct Generator {
    rng: Rng,
    slots: Vec<Conversation>,
    started: u64,
    ip_id: u16,
    now_us: u64,
    frame: Vec<u8>,
}

impl Generator {
    fn new(t: &Traffic) -> Generator {
        let mut g = Generator {
            rng: Rng(t.seed | 1),
            slots: Vec::with_capacity(t.concurrent),
            started: 0,
            ip_id: 1,
            now_us: 1_700_000_000_000_000,
            frame: Vec::with_capacity(256),
        };
        for _ in 0..t.concurrent {
            let c = g.conversation();
            g.slots.push(c);
        }
        g
    }

    /// A new conversation with addresses and ports never used before (up
    /// to 2^24 conversations per client port cycle).
    fn conversation(&mut self) -> Conversation {
        let n = self.started;
        self.started += 1;
        let kind = match self.rng.below(100) {
            0..=54 => Kind::TcpSession,
            55..=59 => Kind::TcpRefused,
            60..=62 => Kind::TcpHalfOpen,
            63..=84 => Kind::Udp4,
            85..=94 => Kind::Udp6,
            _ => Kind::IcmpEcho,
        };
        let dport = match kind {
            Kind::Udp4 | Kind::Udp6 => [53u16, 123, 443, 514][self.rng.below(4) as usize],
            Kind::IcmpEcho => 0,
            _ => [80u16, 443, 22, 25, 8080][self.rng.below(5) as usize],
        };
        Conversation {
            kind,
            client: 0x0a00_0000 | (n as u32 & 0x00ff_ffff),
            server: 0xc612_0000
                | ((self.rng.below(200) as u32 + 1) << 8)
                | self.rng.below(250) as u32,
            sport: 1024 + (n >> 24) as u16 % 60_000 + (n % 7) as u16,
            dport,
            step: 0,
            rounds: 1 + self.rng.below(12) as u32,
            cseq: self.rng.next() as u32,
            sseq: self.rng.next() as u32,
        }
    }

    fn ethernet(&mut self, from_client: bool, ethertype: u16) {
        let (a, b) = ([0x02, 0, 0, 0, 0, 0x01], [0x02, 0, 0, 0, 0, 0x02]);
        let (dst, src) = if from_client { (b, a) } else { (a, b) };
        self.frame.clear();
        self.frame.extend_from_slice(&dst);
        self.frame.extend_from_slice(&src);
        self.frame.extend_from_slice(&ethertype.to_be_bytes());
    }

    fn ipv4(&mut self, src: u32, dst: u32, proto: u8, l4_len: usize) {
        self.ip_id = self.ip_id.wrapping_add(1);
        let total = (20 + l4_len) as u16;
        let f = &mut self.frame;
        f.extend_from_slice(&[0x45, 0]);
        f.extend_from_slice(&total.to_be_bytes());
        f.extend_from_slice(&self.ip_id.to_be_bytes());
        f.extend_from_slice(&[0x40, 0, 64, proto, 0, 0]);
        f.extend_from_slice(&src.to_be_bytes());
        f.extend_from_slice(&dst.to_be_bytes());
    }

    fn ipv6(&mut self, src: u32, dst: u32, proto: u8, l4_len: usize) {
        let f = &mut self.frame;
        f.extend_from_slice(&[0x60, 0, 0, 0]);
        f.extend_from_slice(&(l4_len as u16).to_be_bytes());
        f.extend_from_slice(&[proto, 64]);
        for a in [src, dst] {
            f.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0]);
            f.extend_from_slice(&a.to_be_bytes());
        }
    }

    fn tcp(&mut self, sport: u16, dport: u16, seq: u32, ack: u32, flags: u8, payload: usize) {
        let f = &mut self.frame;
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&dport.to_be_bytes());
        f.extend_from_slice(&seq.to_be_bytes());
        f.extend_from_slice(&ack.to_be_bytes());
        f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        f.resize(f.len() + payload, b'd');
    }

    fn udp_like(&mut self, sport: u16, dport: u16, payload: usize) {
        let f = &mut self.frame;
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&dport.to_be_bytes());
        f.extend_from_slice(&((8 + payload) as u16).to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.resize(f.len() + payload, b'u');
    }

    /// The next packet of slot `i` into `self.frame`; the slot starts a new
    /// conversation when this one is over.
    fn packet(&mut self, i: usize) {
        const SYN: u8 = 0x02;
        const ACK: u8 = 0x10;
        const PSH_ACK: u8 = 0x18;
        const FIN_ACK: u8 = 0x11;
        const RST_ACK: u8 = 0x14;
        let c = &self.slots[i];
        let (kind, step) = (c.kind, c.step);
        let (client, server, sport, dport) = (c.client, c.server, c.sport, c.dport);
        let (mut cseq, mut sseq) = (c.cseq, c.sseq);
        let request = 20 + (step as usize * 13) % 300;
        let response = 40 + (step as usize * 31) % 1200;
        match kind {
            Kind::TcpSession | Kind::TcpRefused | Kind::TcpHalfOpen => {
                let last = c.len() - 1;
                // (from the client, flags, payload)
                let (fc, flags, len) = match (kind, step) {
                    (_, 0) => (true, SYN, 0),
                    (Kind::TcpRefused, _) => (false, RST_ACK, 0),
                    (_, 1) => (false, SYN | ACK, 0),
                    (_, 2) => (true, ACK, 0),
                    (_, s) if s == last - 2 => (true, FIN_ACK, 0),
                    (_, s) if s == last - 1 => (false, FIN_ACK, 0),
                    (_, s) if s == last => (true, ACK, 0),
                    (_, s) => match (s - 3) % 3 {
                        0 => (true, PSH_ACK, request),
                        1 => (false, PSH_ACK, response),
                        _ => (true, ACK, 0),
                    },
                };
                let ethertype = 0x0800;
                self.ethernet(fc, ethertype);
                if fc {
                    self.ipv4(client, server, TCP, 20 + len);
                    self.tcp(sport, dport, cseq, sseq, flags, len);
                    cseq = cseq.wrapping_add(len as u32 + u32::from(flags & 0x03 != 0));
                } else {
                    self.ipv4(server, client, TCP, 20 + len);
                    self.tcp(dport, sport, sseq, cseq, flags, len);
                    sseq = sseq.wrapping_add(len as u32 + u32::from(flags & 0x03 != 0));
                }
            }
            Kind::Udp4 | Kind::Udp6 | Kind::IcmpEcho => {
                let fc = step % 2 == 0;
                let len = if fc { request } else { response / 4 };
                let v6 = kind == Kind::Udp6;
                self.ethernet(fc, if v6 { 0x86dd } else { 0x0800 });
                let (s, d) = if fc { (client, server) } else { (server, client) };
                if kind == Kind::IcmpEcho {
                    self.ipv4(s, d, ICMP, 8 + len);
                    let ty = if fc { 8 } else { 0 };
                    let f = &mut self.frame;
                    f.extend_from_slice(&[ty, 0, 0, 0]);
                    f.extend_from_slice(&(sport).to_be_bytes());
                    f.extend_from_slice(&((step / 2) as u16).to_be_bytes());
                    f.resize(f.len() + len, b'i');
                } else {
                    if v6 {
                        self.ipv6(s, d, UDP, 8 + len);
                    } else {
                        self.ipv4(s, d, UDP, 8 + len);
                    }
                    let (sp, dp) = if fc { (sport, dport) } else { (dport, sport) };
                    self.udp_like(sp, dp, len);
                }
            }
        }
        let c = &mut self.slots[i];
        c.cseq = cseq;
        c.sseq = sseq;
        c.step += 1;
        if c.step >= c.len() {
            self.slots[i] = self.conversation();
        }
    }
}

impl Traffic {
    /// Writes the whole stream (pcap header, then every packet) to `out`.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let mut g = Generator::new(self);
        let mut hdr = Vec::with_capacity(24);
        hdr.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        hdr.extend_from_slice(&2u16.to_le_bytes());
        hdr.extend_from_slice(&4u16.to_le_bytes());
        hdr.extend_from_slice(&[0; 8]);
        hdr.extend_from_slice(&65_535u32.to_le_bytes());
        hdr.extend_from_slice(&1u32.to_le_bytes());
        out.write_all(&hdr)?;
        for _ in 0..self.packets {
            let slot = g.rng.below(g.slots.len() as u64) as usize;
            g.packet(slot);
            g.now_us += 1 + g.rng.below(2 * self.mean_gap_us);
            let (sec, usec) = (g.now_us / 1_000_000, g.now_us % 1_000_000);
            let n = g.frame.len() as u32;
            let mut rec = [0u8; 16];
            rec[..4].copy_from_slice(&(sec as u32).to_le_bytes());
            rec[4..8].copy_from_slice(&(usec as u32).to_le_bytes());
            rec[8..12].copy_from_slice(&n.to_le_bytes());
            rec[12..].copy_from_slice(&n.to_le_bytes());
            out.write_all(&rec)?;
            out.write_all(&g.frame)?;
        }
        out.flush()
    }
}
