//! Address text: IPv4 dotted quads, IPv6 in `inet_ntop`'s compressed form,
//! MAC addresses, appended to a byte buffer.

/// Appends an IPv4 address (host order) as a dotted quad.
pub fn push_ipv4(out: &mut Vec<u8>, a: u32) {
    // Each byte's digits followed by a dot (4 bytes copied at once), then
    // the length actually used.
    let mut buf = [0u8; 20];
    let mut n = 0;
    for b in a.to_be_bytes() {
        let (text, len) = BYTE_DOT[b as usize];
        buf[n..n + 4].copy_from_slice(&text);
        n += len as usize;
    }
    let len = out.len();
    out.extend_from_slice(&buf[..16]);
    // n counts the last byte's dot, which is not part of the address.
    out.truncate(len + n - 1);
}

/// `"d."`, `"dd."`, `"ddd."` for every byte value, padded to 4, with the
/// length including the dot.
pub(super) const BYTE_DOT: [([u8; 4], u8); 256] = {
    let mut t = [([0u8; 4], 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b >= 100 {
            ([b'0' + b / 100, b'0' + b / 10 % 10, b'0' + b % 10, b'.'], 4)
        } else if b >= 10 {
            ([b'0' + b / 10, b'0' + b % 10, b'.', 0], 3)
        } else {
            ([b'0' + b, b'.', 0, 0], 2)
        };
        i += 1;
    }
    t
};

/// Appends an IPv6 address the way glibc's `inet_ntop` writes it: the
/// longest run (first on ties) of two or more zero groups becomes `::`,
/// and IPv4-compatible and IPv4-mapped addresses end in a dotted quad.
pub fn push_ipv6(out: &mut Vec<u8>, a: u128) {
    let mut buf = [0u8; IPV6_TEXT_MAX];
    let n = ipv6_text(&mut buf, a);
    super::numfmt::push_bytes(out, &buf[..n]);
}

/// Room for the longest IPv6 text (39 bytes) and slack.
pub const IPV6_TEXT_MAX: usize = 48;

/// Writes the text [`push_ipv6`] appends to the start of `buf`; returns
/// its length.
pub fn ipv6_text(buf: &mut [u8; IPV6_TEXT_MAX], a: u128) -> usize {
    let w: [u16; 8] = std::array::from_fn(|i| (a >> (112 - 16 * i)) as u16);
    let (mut best, mut best_len) = (None, 0);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best = Some(start);
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = None;
    }
    let mut n = 0;
    let mut i = 0;
    while i < 8 {
        if best == Some(i) {
            if i == 0 {
                buf[n] = b':';
                n += 1;
            }
            buf[n] = b':';
            n += 1;
            i += best_len;
            continue;
        }
        if i == 6
            && best == Some(0)
            && (best_len == 6 || (best_len == 7 && w[7] != 1) || (best_len == 5 && w[5] == 0xffff))
        {
            // The dotted quad: each byte's digits and its dot, the last
            // dot not counted.
            for b in (a as u32).to_be_bytes() {
                let (text, len) = BYTE_DOT[b as usize];
                buf[n..n + 4].copy_from_slice(&text);
                n += len as usize;
            }
            return n - 1;
        }
        // The group's four hex digits in one word, shifted so the ones
        // shown come first, written at once (the rest is overwritten).
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let g = w[i];
        let digits = (16 - g.leading_zeros() as usize).div_ceil(4).max(1);
        let h = |s: u32| HEX[((g >> s) & 0xf) as usize];
        let word = u32::from_be_bytes([h(12), h(8), h(4), h(0)]) << (8 * (4 - digits));
        buf[n..n + 4].copy_from_slice(&word.to_be_bytes());
        n += digits;
        if i < 7 {
            buf[n] = b':';
            n += 1;
        }
        i += 1;
    }
    n
}

/// Appends a MAC address as six colon-separated lower-case hex pairs.
pub fn push_mac(out: &mut Vec<u8>, m: &[u8; 6]) {
    for (i, b) in m.iter().enumerate() {
        if i > 0 {
            out.push(b':');
        }
        super::numfmt::push_hex(out, *b as u64, 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    #[test]
    fn ipv4_every_byte_value() {
        for b in 0..=255u32 {
            for a in [b << 24 | 0x000a_0001, 0x0a00_0000 | b << 8 | b, b * 0x0101_0101] {
                let mut o = b"x".to_vec();
                push_ipv4(&mut o, a);
                assert_eq!(o[1..], std::net::Ipv4Addr::from(a).to_string().into_bytes()[..]);
            }
        }
    }

    fn v6(s: &str) -> String {
        let a: Ipv6Addr = s.parse().unwrap();
        let mut o = Vec::new();
        push_ipv6(&mut o, u128::from(a));
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn ipv4_dotted() {
        let mut o = Vec::new();
        push_ipv4(&mut o, 0xc0a8_010a);
        assert_eq!(o, b"192.168.1.10");
    }

    #[test]
    fn ipv6_like_inet_ntop() {
        assert_eq!(v6("2001:db8::1"), "2001:db8::1");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("fe80::1:0:0:2"), "fe80::1:0:0:2");
        assert_eq!(v6("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
        assert_eq!(v6("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
        assert_eq!(v6("::ffff:10.1.2.3"), "::ffff:10.1.2.3");
        assert_eq!(v6("::10.1.2.3"), "::10.1.2.3");
        assert_eq!(v6("ff02::fb"), "ff02::fb");
    }

    #[test]
    fn mac_pairs() {
        let mut o = Vec::new();
        push_mac(&mut o, &[0, 0x11, 0x22, 0xaa, 0xbb, 0xff]);
        assert_eq!(o, b"00:11:22:aa:bb:ff");
    }
}
