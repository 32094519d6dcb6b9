//! Address text: IPv4 dotted quads, IPv6 in `inet_ntop`'s compressed form,
//! MAC addresses, appended to a byte buffer.

/// Appends an IPv4 address (host order) as a dotted quad.
pub fn push_ipv4(out: &mut Vec<u8>, a: u32) {
    let mut buf = [0u8; 15];
    let mut n = 0;
    for (i, b) in a.to_be_bytes().iter().enumerate() {
        if i > 0 {
            buf[n] = b'.';
            n += 1;
        }
        let b = *b;
        if b >= 100 {
            buf[n] = b'0' + b / 100;
            buf[n + 1] = b'0' + b / 10 % 10;
            buf[n + 2] = b'0' + b % 10;
            n += 3;
        } else if b >= 10 {
            buf[n] = b'0' + b / 10;
            buf[n + 1] = b'0' + b % 10;
            n += 2;
        } else {
            buf[n] = b'0' + b;
            n += 1;
        }
    }
    out.extend_from_slice(&buf[..n]);
}

/// Appends an IPv6 address the way glibc's `inet_ntop` writes it: the
/// longest run (first on ties) of two or more zero groups becomes `::`,
/// and IPv4-compatible and IPv4-mapped addresses end in a dotted quad.
pub fn push_ipv6(out: &mut Vec<u8>, a: u128) {
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
    let mut i = 0;
    while i < 8 {
        if best == Some(i) {
            if i == 0 {
                out.push(b':');
            }
            out.push(b':');
            i += best_len;
            continue;
        }
        if i == 6
            && best == Some(0)
            && (best_len == 6 || (best_len == 7 && w[7] != 1) || (best_len == 5 && w[5] == 0xffff))
        {
            push_ipv4(out, a as u32);
            return;
        }
        super::numfmt::push_hex(out, w[i] as u64, 1);
        if i < 7 {
            out.push(b':');
        }
        i += 1;
    }
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
