//! Number and address conversions exactly as the Argus 3.0.8.2 filter
//! compiler performs them: `0`-prefixed numbers are octal, digits are
//! accumulated without checking their base, dotted quads wrap per part, and
//! CIDR masks are built with x86 shift semantics. Filters written for the
//! real tools rely on these results (`port 080` is port 64), so they are
//! reproduced rather than "fixed".

/// Value of one hex digit character, as the C `xdtoi` computes it (it does
/// not reject non-hex characters).
fn xdtoi(c: u8) -> i32 {
    if c.is_ascii_digit() {
        (c - b'0') as i32
    } else if c.is_ascii_lowercase() {
        (c as i32) - ('a' as i32) + 10
    } else {
        (c as i32) - ('A' as i32) + 10
    }
}

/// The scanner's integer conversion of a NUM token: optional sign, `0x` hex,
/// a leading `0` means octal, 32-bit wrap-around.
pub fn stoi(text: &str) -> i32 {
    let mut s = text.trim_start_matches([' ', '\t', '\n']).as_bytes();
    let mut negative = false;
    if let Some((&c, rest)) = s.split_first() {
        if c == b'-' {
            negative = true;
            s = rest;
        } else if c == b'+' {
            s = rest;
        }
    }
    let mut base = 10i32;
    if let Some((&b'0', rest)) = s.split_first() {
        s = rest;
        if let Some((&c, rest)) = s.split_first() {
            if c == b'x' || c == b'X' {
                s = rest;
                base = 16;
            } else {
                base = 8;
            }
        }
    }
    let mut n: i32 = 0;
    for &c in s {
        n = n.wrapping_mul(base).wrapping_add(xdtoi(c));
    }
    if negative {
        n = n.wrapping_neg();
    }
    n
}

/// The scanner's float conversion of a FLOAT token (single precision, the
/// integer part accumulated digit by digit, the fraction from the right).
/// Hex mantissas are not understood: the conversion stops at the `x`.
pub fn stof(text: &str) -> f32 {
    let s = text.trim_start_matches([' ', '\t', '\n']).as_bytes();
    let mut i = 0;
    let mut negative = false;
    if let Some(&c) = s.first() {
        if c == b'-' {
            negative = true;
            i = 1;
        } else if c == b'+' {
            i = 1;
        }
    }
    let mut value: f32 = 0.0;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        value = value * 10.0 + (c - b'0') as f32;
        i += 1;
    }
    if s.get(i) == Some(&b'.') {
        let start = i + 1;
        let mut end = start;
        while s.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        // The fraction is accumulated from its last digit backwards.
        let mut frac: f32 = 0.0;
        for &c in s[start..end].iter().rev() {
            frac = (frac + (c - b'0') as f32) / 10.0;
        }
        value += frac;
    }
    if negative {
        value *= -1.0;
    }
    value
}

/// `__argus_atoin`: a dotted quad to a host-order address. Each part is
/// accumulated in decimal without validation and truncated to 8 bits.
pub fn atoin(text: &str) -> u32 {
    let mut addr: u32 = 0;
    for part in text.split('.') {
        let mut n: i32 = 0;
        for &c in part.as_bytes() {
            n = n.wrapping_mul(10).wrapping_add(c as i32 - '0' as i32);
        }
        addr = (addr << 8) | (n as u32 & 0xff);
    }
    addr
}

/// C `strtol(s, &end, 10)` followed by a conversion to `int`: returns the
/// value and whether any digit was read.
pub fn strtol_int(text: &str) -> (i32, bool) {
    let s = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']).as_bytes();
    let mut i = 0;
    let mut negative = false;
    if let Some(&c) = s.first() {
        if c == b'-' || c == b'+' {
            negative = c == b'-';
            i = 1;
        }
    }
    let digits_start = i;
    let mut value: i64 = 0;
    let mut overflow = false;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        match value.checked_mul(10).and_then(|v| v.checked_add((c - b'0') as i64)) {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return (0, false);
    }
    let long = match (overflow, negative) {
        (true, false) => i64::MAX,
        (true, true) => i64::MIN,
        (false, true) => -value,
        (false, false) => value,
    };
    (long as i32, true)
}

/// An address pattern as the filter compiler holds it: up to four 32-bit
/// words and their masks. IPv4 patterns use word 0 (a host-order value);
/// IPv6 patterns hold the 16 address bytes as four little-endian words, the
/// way the real tools load them from memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddrPattern {
    pub words: [u32; 4],
    pub masks: [u32; 4],
}

impl AddrPattern {
    pub fn v4(addr: u32, mask: u32) -> AddrPattern {
        AddrPattern { words: [addr, 0, 0, 0], masks: [mask, 0, 0, 0] }
    }

    pub fn v6(bytes: [u8; 16], mask: [u8; 16]) -> AddrPattern {
        let mut p = AddrPattern::default();
        for i in 0..4 {
            let w = [bytes[4 * i], bytes[4 * i + 1], bytes[4 * i + 2], bytes[4 * i + 3]];
            let m = [mask[4 * i], mask[4 * i + 1], mask[4 * i + 2], mask[4 * i + 3]];
            p.words[i] = u32::from_le_bytes(w);
            p.masks[i] = u32::from_le_bytes(m);
        }
        p
    }
}

/// Why a CIDR text could not be parsed (the real message is generic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CidrError;

/// `RaParseCIDRAddr` for `ADDR/LEN` as the compiler builds it: the mask
/// length is stored in a byte, length 0 means a full-length mask, IPv4
/// parts are `strtol` decimals shifted into place without range checks.
pub fn parse_cidr(addr: &str, masklen: i32) -> Result<AddrPattern, CidrError> {
    let mut len = masklen as u8;
    if addr.contains(':') {
        return parse_cidr_v6(addr, len);
    }
    if len == 0 {
        len = 32;
    }
    let mut value: u32 = 0;
    let mut rest = Some(addr);
    for i in 0..4 {
        let Some(part) = rest else { break };
        let digits = part.bytes().take_while(u8::is_ascii_digit).count();
        let tval = strtol_int(&part[..digits]).0 as i64;
        let after = &part[digits..];
        rest = if after.is_empty() {
            None
        } else if let Some(stripped) = after.strip_prefix('.') {
            Some(stripped)
        } else {
            return Err(CidrError);
        };
        value |= (tval << ((3 - i) * 8)) as u32;
    }
    let mask = 0xFFFF_FFFFu32.wrapping_shl((32i32 - len as i32) as u32);
    Ok(AddrPattern::v4(value, mask))
}

fn parse_cidr_v6(addr: &str, masklen: u8) -> Result<AddrPattern, CidrError> {
    let ip: std::net::Ipv6Addr = addr.parse().map_err(|_| CidrError)?;
    let len = if masklen == 0 { 128 } else { masklen.min(128) };
    Ok(AddrPattern::v6(ip.octets(), prefix_mask(len)))
}

/// A 16-byte prefix mask of `len` bits (network byte order).
pub fn prefix_mask(len: u8) -> [u8; 16] {
    let mut mask = [0u8; 16];
    for bit in 0..len.min(128) as usize {
        mask[bit / 8] |= 0x80 >> (bit % 8);
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stoi_follows_the_scanner() {
        assert_eq!(stoi("80"), 80);
        assert_eq!(stoi("080"), 64);
        assert_eq!(stoi("0x1f"), 31);
        assert_eq!(stoi("0X10"), 16);
        assert_eq!(stoi("-5"), -5);
        assert_eq!(stoi("+7"), 7);
        assert_eq!(stoi("0"), 0);
        assert_eq!(stoi("09"), 9);
        assert_eq!(stoi("4294967297"), 1);
    }

    #[test]
    fn stof_follows_the_scanner() {
        assert_eq!(stof("1.5"), 1.5);
        assert_eq!(stof("-0.25"), -0.25);
        assert_eq!(stof(".5"), 0.5);
        assert_eq!(stof("0x1.5"), 0.0);
        assert!((stof("1.1") - 1.1).abs() < 1e-6);
    }

    #[test]
    fn atoin_truncates_each_part() {
        assert_eq!(atoin("10.0.0.1"), 0x0a00_0001);
        assert_eq!(atoin("1.2.3.300"), 0x0102_032c);
    }

    #[test]
    fn strtol_reports_digits() {
        assert_eq!(strtol_int("53"), (53, true));
        assert_eq!(strtol_int("053x"), (53, true));
        assert_eq!(strtol_int("x"), (0, false));
        assert_eq!(strtol_int(""), (0, false));
    }

    #[test]
    fn cidr_masks_use_x86_shifts() {
        assert_eq!(parse_cidr("10.0.0.0", 8), Ok(AddrPattern::v4(0x0a00_0000, 0xff00_0000)));
        // Length 0 means a host mask, as in 3.0.8.2.
        assert_eq!(parse_cidr("10.1.2.3", 0), Ok(AddrPattern::v4(0x0a01_0203, 0xffff_ffff)));
        // A length above 32 shifts by (32 - len) mod 32.
        assert_eq!(parse_cidr("1.2.3.4", 33).map(|p| p.masks[0]), Ok(0x8000_0000));
        assert_eq!(parse_cidr("0x1.2.3.4", 8), Err(CidrError));
        let p = parse_cidr("fe80::", 16).unwrap();
        assert_eq!(p.words[0], 0x0000_80fe);
        assert_eq!(p.masks[0], 0x0000_ffff);
        assert_eq!(p.masks[1], 0);
    }
}
