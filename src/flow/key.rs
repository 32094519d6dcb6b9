//! Building the flow key of a packet (argus's `ArgusCreateFlow` and its
//! per-protocol helpers): the key bytes as they are stored in the FLOW DSR,
//! the REVERSE/direction decision, and where the transport header starts.

use crate::wire::{be16, be32, Frame, NetKind};

/// FLOW DSR qualifier and subtype bits used here.
pub const QUAL_IPV4: u8 = 0x01;
pub const QUAL_IPV6: u8 = 0x02;
pub const QUAL_ETHER: u8 = 0x03;
pub const QUAL_ARP: u8 = 0x04;
pub const QUAL_RARP: u8 = 0x05;
pub const QUAL_WLAN: u8 = 0x08;
pub const QUAL_DIRECTION: u8 = 0x20;
pub const QUAL_FRAGMENT: u8 = 0x80;
pub const SUB_CLASSIC: u8 = 0x01;
pub const SUB_ARP: u8 = 0x06;
pub const SUB_REVERSE: u8 = 0x40;

/// The key body: up to 13 words (the WLAN key is the longest), compared and
/// hashed over `len` words.
#[derive(Clone, Copy, Debug, Eq)]
pub struct Key {
    pub bytes: [u8; 52],
    /// Body length in words (the DSR length minus its header word).
    pub words: u8,
}

impl PartialEq for Key {
    /// All 52 bytes (unused ones are zero) in machine words, inline: the
    /// flow lookup compares keys on every packet, and a call to memcmp
    /// costs more than the comparison.
    #[inline]
    fn eq(&self, o: &Key) -> bool {
        let w = |b: &[u8; 52], i: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[i * 8..i * 8 + 8]);
            u64::from_ne_bytes(x)
        };
        let t = |b: &[u8; 52]| u32::from_ne_bytes([b[48], b[49], b[50], b[51]]);
        let mut diff = u64::from(t(&self.bytes) ^ t(&o.bytes));
        for i in 0..6 {
            diff |= w(&self.bytes, i) ^ w(&o.bytes, i);
        }
        diff == 0 && self.words == o.words
    }
}

impl Key {
    fn new(words: u8) -> Key {
        Key { bytes: [0; 52], words }
    }
    pub fn body(&self) -> &[u8] {
        &self.bytes[..usize::from(self.words) * 4]
    }
}

/// IPv6 fragment header facts.
#[derive(Clone, Copy, Debug, Default)]
pub struct V6Frag {
    /// Offset field (already in bytes, as argus computes it).
    pub offset: u16,
    pub more: bool,
    pub ident: [u8; 4],
    pub nxt: u8,
}

/// What the network layer of the packet is, for the state machines.
#[derive(Clone, Copy, Debug)]
pub enum L3 {
    V4 {
        ip: usize,
        hlen: usize,
        ip_len: u16,
        ip_off: u16,
        /// IP option bits for the IPATTR DSR.
        options: u32,
    },
    V6 {
        ip: usize,
        frag: Option<V6Frag>,
    },
    Arp,
    Ether,
}

/// A packet's flow key and the facts the state machines need.
#[derive(Clone, Copy)]
pub struct ThisFlow {
    pub key: Key,
    pub subtype: u8,
    pub qual: u8,
    /// argus's `ARGUS_DIRECTION` for this packet: the key is stored swapped.
    pub dir: bool,
    /// IP protocol (after AH), 0 for non-IP.
    pub proto: u8,
    pub l3: L3,
    /// Offset of the transport header (`ArgusThisUpHdr`).
    pub up: usize,
    /// argus's `ArgusThisLength`: bytes from `up` to the end of the packet
    /// as the IP header says (IPv4) or as the frame says (IPv6).
    pub len: i64,
}

impl ThisFlow {
    pub fn is_fragment(&self) -> bool {
        self.qual & QUAL_FRAGMENT != 0
    }
}

/// Builds the flow key for `f`, or `None` when argus makes no flow of it
/// (zero-length key, uncaptured headers).
pub fn create(f: &Frame<'_>) -> Option<ThisFlow> {
    match f.net {
        NetKind::Ipv4 => ipv4(f),
        NetKind::Ipv6 => ipv6(f),
        NetKind::Arp | NetKind::Rarp => arp(f),
        NetKind::Other(_) => ether(f),
        NetKind::Wlan => wlan(f),
    }
}

/// `ArgusCreate80211Flow`: destination, source and BSSID as the management
/// header lays them out (whatever the frame type), then 32 bytes of SSID
/// that 3.0.8.2 leaves zero; one direction only. Bytes past the captured
/// frame are read as the caller supplies them (see `Engine::packet`).
fn wlan(f: &Frame<'_>) -> Option<ThisFlow> {
    let b = if f.pcap_buf.len() > f.data.len() { f.pcap_buf } else { f.data };
    let mut key = Key::new(13);
    let h = f.net_off;
    f.data.get(h)?;
    for (i, k) in key.bytes[..18].iter_mut().enumerate() {
        *k = b.get(h + 4 + i).copied().unwrap_or(0);
    }
    let fc = b.get(h).copied().unwrap_or(0);
    if (fc >> 2) & 3 == 0 {
        if let Some((ssid, len)) = wlan_ssid(b, h + 24, fc >> 4) {
            key.bytes[18..18 + len].copy_from_slice(&ssid[..len]);
        }
    }
    Some(ThisFlow {
        key,
        subtype: SUB_CLASSIC,
        qual: QUAL_WLAN,
        dir: false,
        proto: 0,
        l3: L3::Ether,
        up: f.net_off,
        len: f.remaining,
    })
}

fn ipv4(f: &Frame<'_>) -> Option<ThisFlow> {
    let d = f.data;
    let ip = f.net_off;
    if d.len() < ip + 20 {
        return None;
    }
    let hlen = usize::from(d[ip] & 0xf) * 4;
    let ip_len = be16(d, ip + 2)?;
    let ip_off = be16(d, ip + 6)?;
    let ip_id = be16(d, ip + 4)?;
    let src = be32(d, ip + 12)?;
    let dst = be32(d, ip + 16)?;
    let len = i64::from(ip_len) - hlen as i64;
    let options = if hlen > 20 {
        ip_options(d.get(ip + 20..(ip + hlen).min(d.len())).unwrap_or(&[]))
    } else {
        0
    };
    let l3 = L3::V4 { ip, hlen, ip_len, ip_off, options };
    let mut key = Key::new(4);
    let mut proto = d[ip + 9];
    let mut up = ip + hlen;
    let mut t =
        ThisFlow { key, subtype: SUB_CLASSIC, qual: QUAL_IPV4, dir: false, proto, l3, up, len };

    if ip_off & 0x1fff != 0 {
        // A fragment other than the first: keyed on addresses, protocol and
        // IP id.
        if src > dst {
            t.dir = true;
            t.qual |= QUAL_DIRECTION;
            t.subtype |= SUB_REVERSE;
        }
        let (a, b) = if t.dir { (dst, src) } else { (src, dst) };
        key.bytes[0..4].copy_from_slice(&a.to_be_bytes());
        key.bytes[4..8].copy_from_slice(&b.to_be_bytes());
        key.bytes[8] = proto;
        key.bytes[14..16].copy_from_slice(&ip_id.to_le_bytes());
        t.qual |= QUAL_FRAGMENT;
        t.key = key;
        return Some(t);
    }

    if proto == 51 {
        // AH: the flow is keyed on what it carries.
        if let Some(&nxt) = d.get(up) {
            if d.len() >= up + 12 {
                proto = nxt;
                up += 12;
            }
        }
        t.proto = proto;
        t.up = up;
    }
    key.bytes[0..4].copy_from_slice(&src.to_be_bytes());
    key.bytes[4..8].copy_from_slice(&dst.to_be_bytes());
    key.bytes[8] = proto;
    match proto {
        50 => {
            let spi = be32(d, up)?;
            be32(d, up + 4)?;
            key.bytes[12..16].copy_from_slice(&spi.to_be_bytes());
            t.key = key;
            return Some(t);
        }
        1 => return icmp4(t, key, d, ip),
        2 => {
            be32(d, up)?;
            let ty = d[up];
            let group = be32(d, up + 4).unwrap_or(0);
            if !(ty == 0x11 && group == 0) {
                key.bytes[4..8].copy_from_slice(&group.to_be_bytes());
            }
            key.bytes[10] = ty;
            key.bytes[11] = d[up + 1];
            key.bytes[14..16].copy_from_slice(&ip_id.to_be_bytes());
            t.key = key;
            return Some(t);
        }
        _ => {}
    }
    let (mut sport, mut dport) = (0u16, 0u16);
    match proto {
        6 if len >= 20 => {
            if let (Some(s), Some(p)) = (be16(d, up), be16(d, up + 2)) {
                (sport, dport) = (s, p);
            }
        }
        17 if len >= 8 => {
            if let (Some(s), Some(p)) = (be16(d, up), be16(d, up + 2)) {
                (sport, dport) = (s, p);
            }
            if sport == 53 || dport == 53 {
                // The DNS transaction id rides in the mask bytes, host order.
                let id = be16(d, up + 8).unwrap_or(0);
                key.bytes[14..16].copy_from_slice(&id.to_le_bytes());
            }
        }
        _ => {}
    }
    if src > dst || (src == dst && sport > dport) {
        t.dir = true;
        t.subtype |= SUB_REVERSE;
    }
    if t.dir {
        key.bytes[0..4].copy_from_slice(&dst.to_be_bytes());
        key.bytes[4..8].copy_from_slice(&src.to_be_bytes());
        key.bytes[10..12].copy_from_slice(&dport.to_be_bytes());
        key.bytes[12..14].copy_from_slice(&sport.to_be_bytes());
    } else {
        key.bytes[10..12].copy_from_slice(&sport.to_be_bytes());
        key.bytes[12..14].copy_from_slice(&dport.to_be_bytes());
    }
    t.key = key;
    Some(t)
}

/// `ArgusCreateICMPFlow`: echo-like requests and replies share a key (the
/// reply swapped); errors are keyed on what they refer to.
fn icmp4(mut t: ThisFlow, mut key: Key, d: &[u8], ip: usize) -> Option<ThisFlow> {
    let up = t.up;
    let ty = *d.get(up)?;
    let (src, dst) = (be32(d, ip + 12)?, be32(d, ip + 16)?);
    key.bytes[10] = ty;
    let info = matches!(ty, 0 | 8 | 9 | 10 | 13 | 14 | 15 | 16 | 17 | 18);
    if info {
        let (req, reply) = match ty {
            0 | 8 => (8, ty == 0),
            13 | 14 => (13, ty == 14),
            15 | 16 => (15, ty == 16),
            17 | 18 => (17, ty == 18),
            _ => (ty, false),
        };
        key.bytes[10] = req;
        t.dir = reply;
        if req == 8 {
            if let Some(id) = be16(d, up + 4) {
                key.bytes[12..14].copy_from_slice(&id.to_le_bytes());
            }
            if let Some(seq) = be16(d, up + 6) {
                key.bytes[14..16].copy_from_slice(&seq.to_le_bytes());
            }
        }
    } else if let Some(&code) = d.get(up + 1) {
        key.bytes[11] = code;
        let oip = up + 8;
        if d.len() >= oip + 20 {
            match (ty, code) {
                (3, 2) => key.bytes[12] = d[oip + 9],
                (3, 3) => {
                    let ohl = usize::from(d[oip] & 0xf) * 4;
                    key.bytes[9] = d[oip + 9];
                    let dport = be16(d, oip + ohl + 2).unwrap_or(0);
                    key.bytes[12..14].copy_from_slice(&dport.to_le_bytes());
                }
                (3, 0) | (3, 1) | (5, 0) | (5, 1) => {
                    key.bytes[12..16].copy_from_slice(&d[oip + 16..oip + 20])
                }
                (5, 2) | (5, 3) => key.bytes[9] = d[oip + 1],
                _ => {}
            }
        }
    }
    let (a, b) = if t.dir { (dst, src) } else { (src, dst) };
    key.bytes[0..4].copy_from_slice(&a.to_be_bytes());
    key.bytes[4..8].copy_from_slice(&b.to_be_bytes());
    if t.dir {
        t.qual |= QUAL_DIRECTION;
    }
    t.key = key;
    Some(t)
}

/// argus's `ArgusParseIPOptions`.
fn ip_options(mut p: &[u8]) -> u32 {
    let mut bits = 0;
    while let Some(&opt) = p.first() {
        bits |= match opt {
            148 => 0x40,
            68 => 0x02,
            7 => 0x01,
            130 => 0x04,
            131 => 0x08,
            137 => 0x20,
            136 => 0x10,
            _ => 0,
        };
        let step = if opt <= 1 {
            1
        } else {
            match p.get(1) {
                Some(&l) if l != 0 && usize::from(l) <= p.len() => usize::from(l),
                _ => break,
            }
        };
        p = &p[step..];
    }
    bits
}

fn ipv6(f: &Frame<'_>) -> Option<ThisFlow> {
    let d = f.data;
    let ip = f.net_off;
    if d.len() < ip + 40 {
        return None;
    }
    let mut key = Key::new(10);
    let (s, dd) = (&d[ip + 8..ip + 24], &d[ip + 24..ip + 40]);
    let mut dir = false;
    for w in 0..4 {
        let a = u32::from_be_bytes([s[w * 4], s[w * 4 + 1], s[w * 4 + 2], s[w * 4 + 3]]);
        let b = u32::from_be_bytes([dd[w * 4], dd[w * 4 + 1], dd[w * 4 + 2], dd[w * 4 + 3]]);
        if a != b {
            dir = a < b;
            break;
        }
    }
    let (first, second) = if dir { (dd, s) } else { (s, dd) };
    key.bytes[0..16].copy_from_slice(first);
    key.bytes[16..32].copy_from_slice(second);
    let mut nxt = d[ip + 6];
    let mut len = f.remaining - 40;
    let mut up = ip + 40;
    let mut frag: Option<V6Frag> = None;
    let mut qual = QUAL_IPV6;
    let mut guard = 0;
    loop {
        guard += 1;
        if guard > 32 {
            break;
        }
        match nxt {
            44 => {
                let b = d.get(up..up + 8)?;
                let off = u16::from_be_bytes([b[2], b[3]]) & 0xfff8;
                let fr = V6Frag {
                    offset: off,
                    more: b[3] & 1 != 0,
                    ident: [b[4], b[5], b[6], b[7]],
                    nxt: b[0],
                };
                frag = Some(fr);
                nxt = b[0];
                let step = (usize::from(b[1]) + 1) * 8;
                len -= step as i64;
                up += step;
                if off != 0 {
                    break;
                }
            }
            0 | 60 | 43 => {
                let b = d.get(up..up + 2)?;
                let step = (usize::from(b[1]) + 1) * 8;
                nxt = b[0];
                len -= step as i64;
                up += step;
            }
            _ => break,
        }
    }
    key.bytes[32] = nxt;
    let mut proto = nxt;
    let mut subtype = SUB_CLASSIC;
    if let Some(fr) = frag.filter(|fr| fr.offset != 0) {
        qual |= QUAL_FRAGMENT;
        // ip6f_ident read in host order and byte-swapped on output.
        let id = fr.ident;
        key.bytes[36..40].copy_from_slice(&[id[3], id[2], id[1], id[0]]);
    } else {
        if proto == 51 {
            if let Some(&n) = d.get(up) {
                if d.len() >= up + 12 {
                    proto = n;
                    up += 12;
                    key.bytes[32] = n;
                }
            }
        }
        match proto {
            6 | 17 => {
                let (sp, dp) = (be16(d, up).unwrap_or(0), be16(d, up + 2).unwrap_or(0));
                let (a, b) = if dir { (dp, sp) } else { (sp, dp) };
                key.bytes[36..38].copy_from_slice(&a.to_be_bytes());
                key.bytes[38..40].copy_from_slice(&b.to_be_bytes());
            }
            50 => return None,
            58 => {
                d.get(up..up + 8)?;
                let ty = d[up];
                key.bytes[36] = match ty {
                    129 => 128,
                    131 | 132 => 130,
                    134 => 133,
                    136 => 135,
                    145 => 144,
                    t => t,
                };
                key.bytes[37] = d[up + 1];
            }
            _ => {}
        }
    }
    if dir {
        subtype |= SUB_REVERSE;
    }
    key.words = 10;
    Some(ThisFlow { key, subtype, qual, dir, proto, l3: L3::V6 { ip, frag }, up, len })
}

fn arp(f: &Frame<'_>) -> Option<ThisFlow> {
    let d = f.data;
    let a = f.net_off;
    let hdr = d.get(a..a + 8)?;
    let hrd = u16::from_be_bytes([hdr[0], hdr[1]]);
    let pro = u16::from_be_bytes([hdr[2], hdr[3]]);
    let (hln, pln) = (usize::from(hdr[4]), usize::from(hdr[5]));
    let op = u16::from_be_bytes([hdr[6], hdr[7]]);
    let at = |o: usize, n: usize| -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate().take(n.min(32)) {
            *b = d.get(a + 8 + o + i).copied().unwrap_or(0);
        }
        out
    };
    let sha = at(0, hln);
    let spa = at(hln, pln);
    let tha = at(hln + pln, hln);
    let tpa = at(2 * hln + pln, pln);
    let mut key;
    let mut t_dir = false;
    let (subtype, qual);
    match op {
        1 | 2 => {
            key = Key::new(12);
            subtype = SUB_ARP;
            qual = QUAL_ARP;
            if pln == 4 {
                key.bytes[0..2].copy_from_slice(&hrd.to_be_bytes());
                key.bytes[2..4].copy_from_slice(&pro.to_be_bytes());
                key.bytes[4] = hln as u8;
                key.bytes[5] = pln as u8;
                key.bytes[6..8].copy_from_slice(&1u16.to_be_bytes());
                let (s, t, h) = if op == 1 { (spa, tpa, sha) } else { (tpa, spa, tha) };
                key.bytes[8..12].copy_from_slice(&s[..4]);
                key.bytes[12..16].copy_from_slice(&t[..4]);
                key.bytes[16..48].copy_from_slice(&h);
                if op == 1 {
                    key.bytes[6..8].copy_from_slice(&op.to_be_bytes());
                }
            }
            t_dir = op == 2 && pln == 4;
        }
        3 | 4 => {
            key = Key::new(12);
            subtype = SUB_ARP;
            qual = QUAL_RARP;
            key.bytes[0..2].copy_from_slice(&hrd.to_be_bytes());
            key.bytes[2..4].copy_from_slice(&pro.to_be_bytes());
            key.bytes[4] = hln as u8;
            key.bytes[5] = pln as u8;
            key.bytes[6..8].copy_from_slice(&3u16.to_be_bytes());
            if op == 4 {
                key.bytes[8..12].copy_from_slice(&tpa[..4]);
            }
            let (x, y) = if op == 3 { (tha, sha) } else { (sha, tha) };
            key.bytes[12..28].copy_from_slice(&x[..16]);
            key.bytes[28..44].copy_from_slice(&y[..16]);
        }
        _ => return None,
    }
    Some(ThisFlow {
        key,
        subtype,
        qual,
        dir: t_dir,
        proto: 0,
        l3: L3::Arp,
        up: a,
        len: f.remaining,
    })
}

/// A layer-2 key from the Ethernet header (and LLC SAPs).
fn ether(f: &Frame<'_>) -> Option<ThisFlow> {
    let e = f.ether?;
    let mut dir = false;
    for i in 0..6 {
        if e.src[i] != e.dst[i] {
            dir = e.src[i] > e.dst[i];
            break;
        }
    }
    let mut key = Key::new(4);
    let (a, b) = if dir { (e.src, e.dst) } else { (e.dst, e.src) };
    key.bytes[0..6].copy_from_slice(&a);
    key.bytes[6..12].copy_from_slice(&b);
    if let Some((dsap, ssap)) = f.llc {
        let (x, y) = if dir { (ssap, dsap) } else { (dsap, ssap) };
        key.bytes[14] = x;
        key.bytes[15] = y;
    } else {
        key.bytes[12..14].copy_from_slice(&e.ether_type.to_be_bytes());
    }
    let subtype = SUB_CLASSIC | if dir { SUB_REVERSE } else { 0 };
    Some(ThisFlow {
        key,
        subtype,
        qual: QUAL_ETHER,
        dir,
        proto: 0,
        l3: L3::Ether,
        up: f.net_off,
        len: f.remaining,
    })
}

/// The SSID `ArgusParse80211MgmtBody` leaves for the key of a management
/// frame whose body starts at `body`: it walks the information elements
/// until one it does not know, past the frame's end into whatever the
/// buffer holds, and the last complete SSID element wins. Bytes past `b`
/// are zero, which reads as empty SSID elements to the buffer's end.
fn wlan_ssid(b: &[u8], body: usize, subtype: u8) -> Option<([u8; 32], usize)> {
    let fixed = match subtype {
        0 | 2 => 4,
        1 | 3 => 6,
        4 => 0,
        5 | 8 => 12,
        _ => return None,
    };
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut o = body + fixed;
    let mut ssid = [0u8; 32];
    let mut len = 0;
    let mut present = false;
    loop {
        if o >= b.len() {
            return Some((ssid, 0));
        }
        let l = usize::from(at(o + 1));
        match at(o) {
            0 => {
                present = false;
                o += 2;
                if l > 32 {
                    break;
                }
                for (i, s) in ssid[..l].iter_mut().enumerate() {
                    *s = at(o + i);
                }
                o += l;
                len = l;
                present = true;
            }
            1 | 16 => {
                o += 2;
                if l > if at(o - 2) == 1 { 16 } else { 253 } {
                    break;
                }
                o += l;
            }
            3 => o += 3,
            4 => o += 8,
            5 => {
                o += 5;
                if l <= 3 {
                    continue;
                }
                if l - 3 > 251 {
                    break;
                }
                o += l - 3;
            }
            _ => break,
        }
    }
    present.then_some((ssid, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::decode;

    fn frame(ip: &[u8]) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
        f.extend_from_slice(ip);
        f
    }

    fn udp(src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16) -> Vec<u8> {
        let mut ip = vec![0x45, 0, 0, 30, 0x12, 0x34, 0, 0, 64, 17, 0, 0];
        ip.extend(src);
        ip.extend(dst);
        ip.extend(sp.to_be_bytes());
        ip.extend(dp.to_be_bytes());
        ip.extend([0, 10, 0, 0, 0xab, 0xcd]);
        ip
    }

    #[test]
    fn ipv4_canonical_order_and_reverse() {
        let f = frame(&udp([127, 0, 0, 1], [127, 0, 0, 1], 52866, 19001));
        let t = create(&decode(1, &f, 60).unwrap()).unwrap();
        assert!(t.dir);
        assert_eq!(t.subtype, 0x41);
        assert_eq!(
            &t.key.body()[..16],
            &[127, 0, 0, 1, 127, 0, 0, 1, 17, 0, 0x4a, 0x39, 0xce, 0x82, 0, 0]
        );
        let f = frame(&udp([10, 0, 0, 1], [10, 0, 0, 2], 1000, 53));
        let t = create(&decode(1, &f, 60).unwrap()).unwrap();
        assert!(!t.dir);
        assert_eq!(&t.key.body()[14..16], &[0xcd, 0xab]);
    }

    #[test]
    fn truncated_ip_headers_give_no_key_or_no_panic() {
        let ip = udp([10, 0, 0, 1], [10, 0, 0, 2], 1, 2);
        for n in 0..ip.len() {
            let f = frame(&ip[..n]);
            if let Some(fr) = decode(1, &f, 60) {
                let _ = create(&fr);
            }
        }
    }
}
