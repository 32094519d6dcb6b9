//! Link-layer decoding: one entry per link type, then the header chain
//! (Ethernet, 802.1Q, MPLS, LLC/SNAP, PPP, PPPoE, GRE) down to the network
//! layer, following argus 3.0.8.2's `ArgusProcessPacketHdrs`.

use super::{be16, be32, encaps as enc, EtherHdr, Frame, NetKind};
use crate::capture::linktype as lt;

const ETHER_HDR: u32 = 1;
const IEEE802_11_HDR: u32 = 2;
const IPX_TAG: u32 = 100;
const ET_IP: u32 = 0x0800;
const ET_ARP: u32 = 0x0806;
const ET_REVARP: u32 = 0x8035;
const ET_8021Q: u32 = 0x8100;
const ET_IPV6: u32 = 0x86dd;
const ET_PPP: u32 = 0x880b;
const ET_MPLS: u32 = 0x8847;
const ET_MPLS_MULTI: u32 = 0x8848;
const ET_PPPOED: u32 = 0x8863;
const ET_PPPOES: u32 = 0x8864;
const ET_ERSPAN_II: u32 = 0x88be;
const ET_TRANS_BRIDGE: u32 = 0x6558;
const ETHERMTU: u32 = 1500;

/// Decodes one captured frame of `linktype`. `None` when argus would not
/// look at the packet at all (unsupported link type, runt frame, non-IP
/// NULL family, ...).
pub fn decode(linktype: u16, data: &[u8], wire_len: u32) -> Option<Frame<'_>> {
    let wire = i64::from(wire_len);
    match linktype {
        lt::ETHERNET => {
            if wire < 14 || data.len() < 14 {
                return None;
            }
            if let Some(f) = ether_ip(data, wire_len) {
                return Some(f);
            }
            walk_ethernet(data, wire_len)
        }
        lt::LINUX_SLL | lt::LINUX_SLL2 => {
            let (hlen, pkttype, addr, proto) = if linktype == lt::LINUX_SLL {
                (16, be16(data, 0)?, data.get(6..12)?, be16(data, 14)?)
            } else {
                (20, u16::from(*data.get(10)?), data.get(12..18)?, be16(data, 0)?)
            };
            let mut src = [0u8; 6];
            src.copy_from_slice(addr);
            let mut dst = [0u8; 6];
            match pkttype {
                4 => {}
                1 => dst = [0xff; 6],
                2 => dst[0] = 1,
                _ => dst[5] = 1,
            }
            let synth = EtherHdr { dst, src, ether_type: proto };
            let len = wire_len.checked_sub(hlen as u32)?;
            let mut w = Walker::new(data, len, i64::from(len), enc::SLL);
            w.ether_at(hlen - 14, Some(synth));
            let t = w.after_ether_type();
            w.run(hlen, t);
            w.finish()
        }
        lt::NULL | lt::LOOP => {
            let fam = if linktype == lt::LOOP {
                be32(data, 0)?
            } else {
                let f = u32::from_le_bytes(data.get(0..4)?.try_into().ok()?);
                if f & 0xffff_0000 != 0 {
                    f.swap_bytes()
                } else {
                    f
                }
            };
            match fam {
                2 | 24 | 28 | 30 => raw_ip(data, 4, wire_len.checked_sub(4)?, 0),
                _ => None,
            }
        }
        lt::RAW | lt::RAW_12 | lt::RAW_14 | lt::IPV4 | lt::IPV6 => raw_ip(data, 0, wire_len, 0),
        lt::PPP => {
            if wire_len <= 4 {
                return None;
            }
            raw_ip(data, 4, wire_len - 4, enc::PPP)
        }
        lt::PPP_HDLC => {
            let first = be16(data, 0)?;
            let (encaps, off, proto) = if first == 0xff03 {
                let b = *data.get(2)?;
                if b & 1 == 1 {
                    (enc::HDLC | enc::PPP, 3, u32::from(b))
                } else {
                    (enc::HDLC | enc::PPP, 4, u32::from(be16(data, 2)?))
                }
            } else {
                (enc::CHDLC, 4, u32::from(be16(data, 2)?))
            };
            let t = match proto {
                0x0800 | 0x0021 => ET_IP,
                0x0057 | 0x86dd => ET_IPV6,
                0x0281 | 0x8847 => ET_MPLS,
                0x0283 | 0x8848 => ET_MPLS_MULTI,
                _ => return None,
            };
            let len = wire_len.checked_sub(off as u32)?;
            let mut w = Walker::new(data, len, i64::from(len), encaps);
            w.run(off, t);
            w.finish()
        }
        lt::C_HDLC => {
            let proto = u32::from(be16(data, 2)?);
            let t = match proto {
                0x0800 => ET_IP,
                0x86dd => ET_IPV6,
                0x8847 => ET_MPLS,
                0x8848 => ET_MPLS_MULTI,
                _ => return None,
            };
            let len = wire_len.checked_sub(4)?;
            let mut w = Walker::new(data, len, i64::from(len), enc::CHDLC);
            w.run(4, t);
            w.finish()
        }
        lt::IEEE802_11 => wlan(data, 0, wire_len, false),
        lt::IEEE802_11_RADIOTAP => {
            let rtlen = usize::from(u16::from_le_bytes([*data.get(2)?, *data.get(3)?]));
            if rtlen < 8 || data.len() < rtlen {
                return None;
            }
            let datapad = radiotap_datapad(data.get(..rtlen)?);
            wlan(data, rtlen, wire_len.checked_sub(rtlen as u32)?, datapad)
        }
        _ => None,
    }
}

/// An Ethernet frame through the whole header chain.
fn walk_ethernet(data: &[u8], wire_len: u32) -> Option<Frame<'_>> {
    let mut w = Walker::new(data, wire_len, i64::from(wire_len), enc::ETHER);
    w.run(0, ETHER_HDR);
    w.finish()
}

/// The common Ethernet frame, IPv4 (not GRE) or IPv6 right behind the
/// Ethernet header, decoded as the header chain below would decode it but
/// without walking it; `None` for anything else (the chain then runs).
#[inline]
fn ether_ip(data: &[u8], wire_len: u32) -> Option<Frame<'_>> {
    let h: &[u8; 14] = data.get(..14)?.try_into().ok()?;
    let net = match u32::from(u16::from_be_bytes([h[12], h[13]])) {
        ET_IP => {
            let ip = data.get(14..34)?;
            if ip[0] >> 4 != 4 || u16::from_be_bytes([ip[2], ip[3]]) < 20 || ip[9] == 47 {
                return None;
            }
            NetKind::Ipv4
        }
        ET_IPV6 => NetKind::Ipv6,
        _ => return None,
    };
    let mut dst = [0; 6];
    let mut src = [0; 6];
    dst.copy_from_slice(&h[0..6]);
    src.copy_from_slice(&h[6..12]);
    let ether_type = u16::from_be_bytes([h[12], h[13]]);
    Some(Frame {
        data,
        bytes: wire_len,
        encaps: enc::ETHER,
        ether: Some(EtherHdr { dst, src, ether_type }),
        after_ether: 14,
        llc: None,
        vlan: None,
        mpls: None,
        net,
        net_off: 14,
        remaining: i64::from(wire_len) - 14,
        pcap_buf: &[],
    })
}

/// Raw IP at `off` (argus's `ArgusIpPacket`): the version nibble decides
/// IPv4; anything else is taken as IPv6.
fn raw_ip(data: &[u8], off: usize, len: u32, encaps: u32) -> Option<Frame<'_>> {
    let mut w = Walker::new(data, len, i64::from(len), encaps);
    w.ip = Some(off);
    w.run(off, ET_IP);
    let ip = w.ip.unwrap_or(off);
    let v = data.get(ip)? >> 4;
    w.net = if v == 4 { ET_IP } else { ET_IPV6 };
    w.finish()
}

/// 802.11: data frames carrying LLC/SNAP are walked on; management, control,
/// null-data and protected frames become WLAN flows ([`NetKind::Wlan`]).
fn wlan(data: &[u8], off: usize, len: u32, datapad: bool) -> Option<Frame<'_>> {
    let fc = u16::from_le_bytes([*data.get(off)?, *data.get(off + 1)?]);
    let ftype = (fc >> 2) & 3;
    let subtype = (fc >> 4) & 0xf;
    if ftype != 2 || subtype & 0x4 != 0 || fc & 0x4000 != 0 {
        return Some(Frame {
            data,
            bytes: len,
            encaps: enc::WLAN,
            ether: None,
            after_ether: off,
            llc: None,
            vlan: None,
            mpls: None,
            net: NetKind::Wlan,
            net_off: off,
            remaining: i64::from(len),
            pcap_buf: &[],
        });
    }
    let mut hdrlen: usize = 24;
    if fc & 0x0300 == 0x0300 {
        hdrlen += 6;
    }
    if subtype & 0x8 != 0 {
        hdrlen += 2;
    }
    if datapad {
        hdrlen = hdrlen.div_ceil(4) * 4;
    }
    let mut w = Walker::new(data, len, i64::from(len), enc::WLAN);
    w.net = IEEE802_11_HDR;
    let t = w.llc(off + hdrlen);
    if t <= 0 {
        return None;
    }
    w.run(w.up, t as u32);
    w.finish()
}

/// Walks the radiotap fields up to the Flags field to learn whether the
/// 802.11 header is padded to 32 bits.
fn radiotap_datapad(hdr: &[u8]) -> bool {
    let Some(present) = hdr.get(4..8) else { return false };
    let present = u32::from_le_bytes([present[0], present[1], present[2], present[3]]);
    let mut pos = 8;
    let mut p = present;
    while p & 0x8000_0000 != 0 {
        let Some(b) = hdr.get(pos..pos + 4) else { return false };
        p = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        pos += 4;
    }
    if present & 1 != 0 {
        pos = (pos + 7) & !7; // TSFT, 8-byte aligned
        pos += 8;
    }
    if present & 2 != 0 {
        return hdr.get(pos).is_some_and(|f| f & 0x20 != 0);
    }
    false
}

/// The running state of the header chain (argus's model fields).
struct Walker<'a> {
    data: &'a [u8],
    bytes: u32,
    remaining: i64,
    encaps: u32,
    ether: Option<EtherHdr>,
    after_ether: usize,
    llc: Option<(u8, u8)>,
    vlan: Option<u16>,
    mpls: Option<u32>,
    /// argus's network flow type.
    net: u32,
    ip: Option<usize>,
    /// argus's `ArgusThisUpHdr`.
    up: usize,
}

impl<'a> Walker<'a> {
    fn new(data: &'a [u8], bytes: u32, remaining: i64, encaps: u32) -> Walker<'a> {
        Walker {
            data,
            bytes,
            remaining,
            encaps,
            ether: None,
            after_ether: 0,
            llc: None,
            vlan: None,
            mpls: None,
            net: 0,
            ip: None,
            up: 0,
        }
    }

    fn finish(self) -> Option<Frame<'a>> {
        let net = match (self.net & 0xffff, self.ip) {
            (ET_IP, Some(_)) => NetKind::Ipv4,
            (ET_IPV6, Some(_)) => NetKind::Ipv6,
            (ET_ARP, _) => NetKind::Arp,
            (ET_REVARP, _) => NetKind::Rarp,
            (_, Some(_)) => NetKind::Ipv4,
            (t, None) => {
                self.ether?;
                NetKind::Other(t)
            }
        };
        let net_off = match net {
            NetKind::Ipv4 | NetKind::Ipv6 => self.ip.unwrap_or(self.up),
            _ => self.up,
        };
        Some(Frame {
            data: self.data,
            bytes: self.bytes,
            encaps: self.encaps,
            ether: self.ether,
            after_ether: self.after_ether,
            llc: self.llc,
            vlan: self.vlan,
            mpls: self.mpls,
            net,
            net_off,
            remaining: self.remaining,
            pcap_buf: &[],
        })
    }

    /// The header chain: each step consumes a header at `off` and names the
    /// next one, until the network layer (0) or something unknown (-1).
    fn run(&mut self, mut off: usize, first: u32) {
        let mut t = i64::from(first);
        let mut guard = 0;
        while t > 0 && guard < 64 {
            guard += 1;
            let next = self.step(off, t as u32);
            if next >= 0 {
                off = self.up;
            }
            t = next;
        }
    }

    fn step(&mut self, p: usize, t: u32) -> i64 {
        match t {
            ET_ERSPAN_II => {
                self.net = t;
                let ver = be16(self.data, p).map(|v| v >> 12);
                if self.remaining <= 8 || ver != Some(1) {
                    return 0;
                }
                self.encaps |= enc::ERSPAN_II;
                self.up = p + 8;
                self.remaining -= 8;
                i64::from(ETHER_HDR)
            }
            ET_TRANS_BRIDGE | ETHER_HDR => {
                self.net = ETHER_HDR;
                if self.data.len() < p + 14 {
                    self.up = p;
                    return -1;
                }
                self.ether_at(p, None);
                self.after_ether_type_step()
            }
            ET_PPP => {
                self.net = t;
                self.ppp(p)
            }
            ET_PPPOED | ET_PPPOES => {
                self.net = t;
                self.pppoe(p)
            }
            ET_8021Q => {
                self.net = t;
                let (Some(tci), Some(next)) = (be16(self.data, p), be16(self.data, p + 2)) else {
                    return 0;
                };
                self.vlan = Some(tci);
                self.encaps |= enc::VLAN;
                self.up = p + 4;
                self.remaining -= 4;
                let next = u32::from(next);
                if next <= ETHERMTU {
                    self.llc(p + 4)
                } else {
                    i64::from(next)
                }
            }
            ET_MPLS | ET_MPLS_MULTI => {
                self.net = t;
                let mut q = p;
                loop {
                    let Some(label) = be32(self.data, q) else { return 0 };
                    if self.mpls.is_none() {
                        self.mpls = Some(label);
                    }
                    q += 4;
                    self.up = q;
                    self.remaining -= 4;
                    self.encaps |= enc::MPLS;
                    if (label >> 8) & 1 == 1 {
                        return self.discover(q);
                    }
                }
            }
            ET_IP => {
                let d = self.data;
                if d.len() < p + 20 {
                    return 0;
                }
                if be16(d, p + 2).unwrap_or(0) < 20 {
                    return 0;
                }
                match d[p] >> 4 {
                    4 => self.net = ET_IP,
                    6 => self.net = ET_IPV6,
                    _ => {}
                }
                self.ip = Some(p);
                if d[p + 9] == 47 {
                    return self.gre(p);
                }
                0
            }
            ET_IPV6 => {
                self.ip = Some(p);
                self.net = t;
                self.up = p;
                0
            }
            ET_ARP | ET_REVARP => {
                self.net = t;
                self.up = p;
                0
            }
            _ => -1,
        }
    }

    /// Records an Ethernet header at `p` (or a synthesised one whose payload
    /// starts at `p + 14`).
    fn ether_at(&mut self, p: usize, synth: Option<EtherHdr>) {
        let d = self.data;
        let hdr = synth.unwrap_or_else(|| {
            let mut dst = [0; 6];
            let mut src = [0; 6];
            dst.copy_from_slice(&d[p..p + 6]);
            src.copy_from_slice(&d[p + 6..p + 12]);
            EtherHdr { dst, src, ether_type: u16::from_be_bytes([d[p + 12], d[p + 13]]) }
        });
        self.ether = Some(hdr);
        self.after_ether = p + 14;
        self.up = p + 14;
        self.remaining -= 14;
        self.ip = None;
        self.encaps |= enc::ETHER;
    }

    fn after_ether_type(&mut self) -> u32 {
        self.net = ETHER_HDR;
        let t = self.after_ether_type_step();
        if t <= 0 {
            return 0x10000; // no case matches: stops the chain at once
        }
        t as u32
    }

    /// The rest of `ArgusProcessEtherHdr`: the type field, or 802.3/LLC.
    fn after_ether_type_step(&mut self) -> i64 {
        let hdr = self.ether.unwrap_or_default();
        let t = u32::from(hdr.ether_type);
        if t > ETHERMTU {
            return i64::from(t);
        }
        if hdr.dst[..5] == [0x01, 0x00, 0x0c, 0x00, 0x00] {
            return self.isl(self.after_ether - 14);
        }
        let ptr = self.up;
        if self.data.len() < ptr + 3 {
            return i64::from(t);
        }
        self.encaps |= enc::LLC;
        let (dsap, ssap, ctl) = (self.data[ptr], self.data[ptr + 1], self.data[ptr + 2]);
        self.llc = Some((dsap, ssap));
        if ssap == 0xff && dsap == 0xff {
            self.net = IPX_TAG;
            return i64::from(t);
        }
        if hdr.dst[0] == 0xf0 && hdr.dst[1] == 0xf0 {
            return 0;
        }
        self.llc_rest(ptr, dsap, ssap, ctl, i64::from(t))
    }

    /// ISL frames: a 26-byte header around a whole Ethernet frame.
    fn isl(&mut self, p: usize) -> i64 {
        let kind = self.data.get(p + 5).map(|b| (b >> 4) & 0xf);
        if kind != Some(0) || self.data.len() < p + 26 + 14 {
            return 0;
        }
        self.remaining -= 26;
        self.encaps |= enc::ISL;
        self.ether_at(p + 26, None);
        self.after_ether_type_step()
    }

    /// `ArgusProcessLLCHdr`: an LLC header at `ptr` (behind 802.1Q or 802.11).
    fn llc(&mut self, ptr: usize) -> i64 {
        if self.data.len() < ptr + 3 {
            return 0;
        }
        self.encaps |= enc::LLC;
        let (dsap, ssap, ctl) = (self.data[ptr], self.data[ptr + 1], self.data[ptr + 2]);
        self.llc = Some((dsap, ssap));
        if ssap == 0xff && dsap == 0xff {
            self.net = IPX_TAG;
            return 0;
        }
        if dsap == 0xf0 && ssap == 0xf0 {
            return 0;
        }
        self.llc_rest(ptr, dsap, ssap, ctl, 0)
    }

    fn llc_rest(&mut self, ptr: usize, dsap: u8, ssap: u8, ctl: u8, dflt: i64) -> i64 {
        if ssap == 0xfe && dsap == 0xfe && ctl == 0x03 {
            // ISO CLNS: argus tells CLNS/ES-IS/IS-IS apart; all three
            // become Ethernet flows here.
            self.remaining -= 3;
            self.up = ptr;
            self.net = 129;
            return 0;
        }
        if ssap == 0xaa && dsap == 0xaa {
            if ctl == 0x03 {
                let Some(et) = be16(self.data, ptr + 6) else { return 0 };
                self.net = u32::from(et);
                self.remaining -= 8;
                self.up = ptr + 8;
                return i64::from(et);
            }
            return dflt;
        }
        if ctl & 3 == 3 {
            self.up += 3;
            self.remaining -= 3;
            if ctl & !0x10 == 0xaf && self.data.get(self.up) == Some(&0x81) {
                self.up += 3;
                self.remaining -= 3;
            }
        } else {
            self.up += 4;
            self.remaining -= 4;
        }
        dflt
    }

    /// `ArgusDiscoverNetworkProtocol`: what follows an MPLS stack.
    fn discover(&self, p: usize) -> i64 {
        let d = self.data;
        let b0 = d.get(p).copied().unwrap_or(0);
        if b0 >> 4 == 4 && b0 & 0xf >= 5 && be16(d, p + 2).unwrap_or(0) >= 20 {
            return i64::from(ET_IP);
        }
        if b0 & 0xf0 == 0x60 && be16(d, p + 4).unwrap_or(0) <= 2048 {
            return i64::from(ET_IPV6);
        }
        match be16(d, p + 2).map(u32::from) {
            Some(ET_IP) | Some(ET_IPV6) => i64::from(ET_8021Q),
            _ => i64::from(ETHER_HDR),
        }
    }

    /// A PPP header inside Ethernet (`ArgusProcessPPPHdr`).
    fn ppp(&mut self, p: usize) -> i64 {
        if self.remaining < 4 {
            return 0;
        }
        self.encaps |= enc::PPP;
        let mut q = p;
        let mut hdr = 0;
        if let Some(w) = be16(self.data, q) {
            if w == 0x0003 || w == 0x0103 || w == 0xff03 {
                q += 2;
                hdr += 2;
            }
        }
        let Some(&b) = self.data.get(q) else { return 0 };
        let proto = if b % 2 == 1 {
            hdr += 1;
            u32::from(b)
        } else {
            hdr += 2;
            u32::from(be16(self.data, q).unwrap_or(0))
        };
        let next = match proto {
            0x21 => {
                self.net = 0x21;
                i64::from(ET_IP)
            }
            0x57 => {
                self.net = 0x57;
                i64::from(ET_IPV6)
            }
            _ => 0,
        };
        self.up = p + hdr;
        self.remaining -= hdr as i64;
        next
    }

    /// `ArgusProcessPPPoEHdr`: session data carrying PPP.
    fn pppoe(&mut self, p: usize) -> i64 {
        self.encaps |= enc::ETHER | enc::PPP;
        let Some(&code) = self.data.get(p + 1) else { return 0 };
        if code != 0 {
            return 0;
        }
        let mut q = p + 6;
        let mut hdr = 6;
        if let Some(w) = be16(self.data, p) {
            if w == 0x0003 || w == 0x0103 || w == 0xff03 {
                q += 2;
                hdr += 2;
            }
        }
        let Some(&b) = self.data.get(q) else { return 0 };
        let proto = if b % 2 == 1 {
            hdr += 1;
            u32::from(b)
        } else {
            hdr += 2;
            u32::from(be16(self.data, q).unwrap_or(0))
        };
        let next = match proto {
            0x21 => {
                self.net = 0x21;
                i64::from(ET_IP)
            }
            0x57 => {
                self.net = 0x57;
                i64::from(ET_IPV6)
            }
            _ => 0,
        };
        self.up += hdr;
        self.remaining -= hdr as i64;
        next
    }

    /// `ArgusProcessGreHdr`: strips a GRE header after the IPv4 header at
    /// `ip`, returning the protocol it carries (argus's length bookkeeping,
    /// including its sign error for the key field, is kept).
    fn gre(&mut self, ip: usize) -> i64 {
        let hlen = usize::from(self.data[ip] & 0xf) * 4;
        self.remaining -= hlen as i64;
        let mut bp = ip + hlen;
        let (Some(flags), Some(proto)) = (be16(self.data, bp), be16(self.data, bp + 2)) else {
            return 0;
        };
        bp += 4;
        let mut grelen: i64 = 4;
        self.encaps |= enc::GRE;
        match flags & 7 {
            0 => {
                if flags & 0xc000 != 0 {
                    grelen += 4;
                    bp += 4;
                }
                if flags & 0x2000 != 0 {
                    bp += 4;
                    grelen -= 4;
                }
                if flags & 0x1000 != 0 {
                    bp += 4;
                    grelen += 4;
                }
                if flags & 0x4000 != 0 {
                    for _ in 0..64 {
                        let (Some(af), Some(&srelen)) =
                            (be16(self.data, bp), self.data.get(bp + 3))
                        else {
                            break;
                        };
                        bp += 4;
                        grelen -= 4;
                        if af == 0 && srelen == 0 {
                            break;
                        }
                        bp += usize::from(srelen);
                        grelen += i64::from(srelen);
                    }
                }
            }
            1 => {
                if flags & 0x2000 != 0 {
                    bp += 4;
                    grelen -= 4;
                }
                if flags & 0x1000 != 0 {
                    bp += 4;
                    grelen += 4;
                }
                if flags & 0x0080 != 0 {
                    bp += 4;
                    grelen += 4;
                }
            }
            _ => {}
        }
        self.up = bp;
        self.remaining -= grelen;
        i64::from(proto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ipv4_udp() -> Vec<u8> {
        let mut ip = vec![0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        ip.extend([0x30, 0x39, 0, 53, 0, 8, 0, 0]);
        ip
    }

    fn eth(t: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
        f.extend(t.to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn ethernet_ip_shortcut_decodes_as_the_header_chain() {
        let mut v6 = vec![0x60, 0, 0, 0, 0, 8, 17, 64];
        v6.extend([0u8; 32]);
        v6.extend([0x30, 0x39, 0, 53, 0, 8, 0, 0]);
        let mut gre = ipv4_udp();
        gre[9] = 47;
        let mut short_len = ipv4_udp();
        short_len[3] = 19;
        let mut v6_in_v4 = ipv4_udp();
        v6_in_v4[0] = 0x65;
        let mut v5 = ipv4_udp();
        v5[0] = 0x55;
        let frames = [
            eth(0x0800, &ipv4_udp()),
            eth(0x0800, &ipv4_udp()[..19]),
            eth(0x0800, &gre),
            eth(0x0800, &short_len),
            eth(0x0800, &v6_in_v4),
            eth(0x0800, &v5),
            eth(0x86dd, &v6),
            eth(0x86dd, &[]),
            eth(0x0806, &[0; 28]),
        ];
        let mut fast = 0;
        for f in &frames {
            for wire in [f.len() as u32, 60, 14, 1500] {
                let chain = format!("{:?}", walk_ethernet(f, wire));
                if let Some(fr) = ether_ip(f, wire) {
                    fast += 1;
                    assert_eq!(format!("{:?}", Some(fr)), chain, "{f:02x?} {wire}");
                }
                assert_eq!(format!("{:?}", decode(lt::ETHERNET, f, wire)), chain);
            }
        }
        assert_eq!(fast, 12);
    }

    #[test]
    fn ethernet_ipv4() {
        let f = eth(0x0800, &ipv4_udp());
        let fr = decode(lt::ETHERNET, &f, 60).unwrap();
        assert_eq!(fr.net, NetKind::Ipv4);
        assert_eq!(fr.net_off, 14);
        assert_eq!(fr.bytes, 60);
        assert_eq!(fr.encaps, enc::ETHER);
        assert_eq!(fr.ether.unwrap().src, [2, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn vlan_qinq_mpls_and_llc() {
        let mut tagged = vec![0x60, 0x64, 0x08, 0x00];
        tagged.extend(ipv4_udp());
        let f = eth(0x8100, &tagged);
        let fr = decode(lt::ETHERNET, &f, f.len() as u32).unwrap();
        assert_eq!((fr.net, fr.net_off, fr.vlan), (NetKind::Ipv4, 18, Some(0x6064)));
        assert_eq!(fr.encaps, enc::ETHER | enc::VLAN);
        // 802.1ad is not decoded by argus 3.0.8.2: an Ethernet flow.
        let f = eth(0x88a8, &tagged);
        assert_eq!(decode(lt::ETHERNET, &f, 64).unwrap().net, NetKind::Other(1));
        let mut mpls = vec![0, 1, 0x10, 64, 0, 2, 0x01, 64];
        mpls.extend(ipv4_udp());
        let f = eth(0x8847, &mpls);
        let fr = decode(lt::ETHERNET, &f, 64).unwrap();
        assert_eq!((fr.net, fr.net_off, fr.mpls), (NetKind::Ipv4, 22, Some(0x0001_1040)));
        let f = eth(0x0026, &[0x42, 0x42, 0x03, 0, 0, 0]);
        let fr = decode(lt::ETHERNET, &f, 60).unwrap();
        assert_eq!((fr.net, fr.llc), (NetKind::Other(1), Some((0x42, 0x42))));
        let mut snap = vec![0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00];
        snap.extend(ipv4_udp());
        let f = eth(snap.len() as u16, &snap);
        assert_eq!(decode(lt::ETHERNET, &f, 64).unwrap().net_off, 22);
    }

    #[test]
    fn other_link_types() {
        let ip = ipv4_udp();
        let mut null = 2u32.to_le_bytes().to_vec();
        null.extend(&ip);
        let fr = decode(lt::NULL, &null, 32).unwrap();
        assert_eq!((fr.net, fr.net_off, fr.bytes, fr.encaps), (NetKind::Ipv4, 4, 28, 0));
        let mut lo = 2u32.to_be_bytes().to_vec();
        lo.extend(&ip);
        assert_eq!(decode(lt::LOOP, &lo, 32).unwrap().net_off, 4);
        assert!(decode(lt::NULL, &[7, 0, 0, 0, 1], 5).is_none());
        for l in [lt::RAW, lt::IPV4] {
            assert_eq!(decode(l, &ip, 28).unwrap().net, NetKind::Ipv4);
        }
        let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
        sll.extend(&ip);
        let fr = decode(lt::LINUX_SLL, &sll, 44).unwrap();
        assert_eq!((fr.net, fr.net_off, fr.bytes), (NetKind::Ipv4, 16, 28));
        assert_eq!(fr.encaps, enc::SLL | enc::ETHER);
        assert_eq!(fr.ether.unwrap().src, [1, 2, 3, 4, 5, 6]);
        let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
        sll2.extend(&ip);
        assert_eq!(decode(lt::LINUX_SLL2, &sll2, 48).unwrap().net_off, 20);
        let mut ppp = vec![0xff, 0x03, 0x00, 0x21];
        ppp.extend(&ip);
        assert_eq!(decode(lt::PPP, &ppp, 32).unwrap().net_off, 4);
        assert_eq!(decode(lt::PPP_HDLC, &ppp, 32).unwrap().encaps, enc::HDLC | enc::PPP);
        let mut chdlc = vec![0x0f, 0x00, 0x08, 0x00];
        chdlc.extend(&ip);
        let fr = decode(lt::C_HDLC, &chdlc, 32).unwrap();
        assert_eq!((fr.net_off, fr.encaps, fr.bytes), (4, enc::CHDLC, 28));
        // 802.11 data frame with LLC/SNAP, behind a minimal radiotap header.
        let mut wl = vec![0x08, 0x01, 0, 0];
        wl.extend([0u8; 20]);
        wl.extend([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
        wl.extend(&ip);
        let fr = decode(lt::IEEE802_11, &wl, wl.len() as u32).unwrap();
        assert_eq!((fr.net, fr.net_off), (NetKind::Ipv4, 32));
        let mut rt = vec![0, 0, 8, 0, 0, 0, 0, 0];
        rt.extend(&wl);
        assert_eq!(decode(lt::IEEE802_11_RADIOTAP, &rt, rt.len() as u32).unwrap().net_off, 40);
    }

    #[test]
    fn truncated_frames_never_panic() {
        let mut tagged = vec![0x60, 0x64, 0x88, 0x47, 0, 1, 0x10, 64];
        tagged.extend(ipv4_udp());
        let f = eth(0x8100, &tagged);
        for l in [0u16, 1, 9, 12, 50, 101, 104, 105, 108, 113, 127, 228, 229, 276] {
            for n in 0..f.len() {
                let _ = decode(l, &f[..n], f.len() as u32);
                let _ = decode(l, &f[..n], 0);
            }
        }
    }
}
