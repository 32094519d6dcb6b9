//! Number formatting for the hot path: decimal integers, hex, and C
//! `printf("%.*f")`-compatible floats, appended to a byte buffer without
//! allocating.

pub(crate) const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `s`. Cells are short: up to 32 bytes are copied with
/// fixed-size moves (no call into `memcpy`), longer ones normally.
#[inline(always)]
pub fn push_bytes(out: &mut Vec<u8>, s: &[u8]) {
    let n = s.len();
    if n > 32 {
        out.extend_from_slice(s);
        return;
    }
    // Room first, then the bytes straight into it.
    let len = out.len();
    out.extend_from_slice(&[0u8; 32]);
    copy_short(&mut out[len..], s);
    out.truncate(len + n);
}

/// Copies `s` (at most 32 bytes) to the start of `dst` with fixed-size
/// moves; `dst` must be at least as long as `s`.
#[inline(always)]
pub fn copy_short(dst: &mut [u8], s: &[u8]) {
    let n = s.len();
    if n >= 16 {
        dst[..16].copy_from_slice(&s[..16]);
        dst[n - 16..n].copy_from_slice(&s[n - 16..]);
    } else if n >= 8 {
        dst[..8].copy_from_slice(&s[..8]);
        dst[n - 8..n].copy_from_slice(&s[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&s[..4]);
        dst[n - 4..n].copy_from_slice(&s[n - 4..]);
    } else if n > 0 {
        dst[0] = s[0];
        dst[n / 2] = s[n / 2];
        dst[n - 1] = s[n - 1];
    }
}

/// Appends `n` blanks (fixed-size moves up to 32).
#[inline(always)]
pub fn push_spaces(out: &mut Vec<u8>, n: usize) {
    if n <= 32 {
        let len = out.len();
        out.extend_from_slice(&[b' '; 32]);
        out.truncate(len + n);
    } else {
        out.resize(out.len() + n, b' ');
    }
}

/// Appends `v` in decimal.
pub fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        buf[i] = DIGIT_PAIRS[d];
        buf[i + 1] = DIGIT_PAIRS[d + 1];
    }
    if v >= 10 {
        let d = v as usize * 2;
        i -= 2;
        buf[i] = DIGIT_PAIRS[d];
        buf[i + 1] = DIGIT_PAIRS[d + 1];
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    push_bytes(out, &buf[i..]);
}

/// Writes `v` in decimal filling `buf` exactly (its length is the digit
/// count, e.g. `v.checked_ilog10().unwrap_or(0) + 1`).
#[inline(always)]
pub fn write_digits(buf: &mut [u8], mut v: u64) {
    let mut i = buf.len();
    while i >= 2 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        buf[i - 2] = DIGIT_PAIRS[d];
        buf[i - 1] = DIGIT_PAIRS[d + 1];
        i -= 2;
    }
    if i == 1 {
        buf[0] = b'0' + (v % 10) as u8;
    }
}

/// `0x` and the four lower-case hex digits of `n` (ICMP words, IP ids).
#[inline]
pub fn hex4(n: u16) -> [u8; 6] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let d = |i: u32| HEX[((n >> (4 * i)) & 0xf) as usize];
    [b'0', b'x', d(3), d(2), d(1), d(0)]
}

/// Appends `v` in decimal with a sign when negative.
pub fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

/// Appends `v` as exactly `width` decimal digits (zero padded, truncated
/// to the low digits if longer).
pub fn push_zero_padded(out: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let width = width.min(buf.len());
    let mut i = width;
    while i > 1 && v > 0 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        buf[i - 2] = DIGIT_PAIRS[d];
        buf[i - 1] = DIGIT_PAIRS[d + 1];
        i -= 2;
    }
    if i == 1 && v > 0 {
        buf[0] = b'0' + (v % 10) as u8;
    }
    push_bytes(out, &buf[..width]);
}

/// Appends `v` in lower-case hex, zero padded to at least `min_digits`.
pub fn push_hex(out: &mut Vec<u8>, v: u64, min_digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digits = (64 - v.leading_zeros() as usize).div_ceil(4).max(min_digits).max(1);
    for i in (0..digits).rev() {
        let nib = if i >= 16 { 0 } else { (v >> (i * 4)) & 0xf };
        out.push(HEX[nib as usize]);
    }
}

/// Appends `v` as C's `printf("%.*f", prec, v)` does (glibc: exact value,
/// rounded to nearest, ties to even; `inf`, `nan`).
pub fn push_fixed(out: &mut Vec<u8>, v: f64, prec: usize) {
    use std::io::Write;
    if v.is_nan() {
        out.extend_from_slice(if v.is_sign_negative() { b"-nan" } else { b"nan" });
    } else if v.is_infinite() {
        out.extend_from_slice(if v < 0.0 { b"-inf" } else { b"inf" });
    } else if prec == 0 && v.fract() == 0.0 && v.abs() < 1e18 {
        if v.is_sign_negative() {
            out.push(b'-');
        }
        push_u64(out, v.abs() as u64);
    } else {
        // Rust's fixed-precision formatting is exact and rounds ties to
        // even, like glibc.
        let _ = write!(out, "{:.*}", prec, v);
    }
}

/// `ArgusAbbreviateMetric` (`-H`): divide by 1000 until below 1000, print
/// with three decimals (fewer when `-p` is below 3) and a unit letter, or a
/// space for unscaled values.
pub fn push_abbreviated(out: &mut Vec<u8>, mut v: f64, prec: usize) {
    let mut ind = 0;
    while v >= 1000.0 {
        v /= 1000.0;
        ind += 1;
    }
    let start = out.len();
    push_fixed(out, v, 3);
    if prec < 3 {
        if let Some(dot) = out[start..].iter().position(|&c| c == b'.') {
            out.truncate(start + dot + 1 + prec);
        }
    }
    const UNITS: &[u8; 9] = b" KMGTPEZY";
    if let Some(&u) = UNITS.get(ind) {
        out.push(u);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn short_copies_and_padding_of_every_length() {
        let src: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=40 {
            let mut v = b"x".to_vec();
            push_bytes(&mut v, &src[..n]);
            assert_eq!(&v[1..], &src[..n]);
            let mut v = b"x".to_vec();
            push_spaces(&mut v, n);
            assert_eq!(v.len(), n + 1);
            assert!(v[1..].iter().all(|&c| c == b' '));
        }
        assert_eq!(s(|o| push_zero_padded(o, 5, 6)), "000005");
        assert_eq!(s(|o| push_zero_padded(o, 123, 3)), "123");
        assert_eq!(s(|o| push_zero_padded(o, 1234567, 6)), "234567");
        assert_eq!(s(|o| push_zero_padded(o, 0, 1)), "0");
        assert_eq!(s(|o| push_zero_padded(o, 7, 1)), "7");
        assert_eq!(s(|o| push_zero_padded(o, 42, 0)), "");
    }

    #[test]
    fn integers() {
        for n in [0u64, 7, 10, 99, 100, 12345, u64::MAX] {
            assert_eq!(s(|o| push_u64(o, n)), n.to_string());
        }
        assert_eq!(s(|o| push_i64(o, -42)), "-42");
        assert_eq!(s(|o| push_zero_padded(o, 4217, 6)), "004217");
        assert_eq!(s(|o| push_hex(o, 0x8, 4)), "0008");
        assert_eq!(s(|o| push_hex(o, 0xdeadbeef, 8)), "deadbeef");
    }

    #[test]
    fn floats_print_like_c() {
        assert_eq!(s(|o| push_fixed(o, 999.999_94_f32 as f64, 6)), "999.999939");
        assert_eq!(s(|o| push_fixed(o, 0.125, 2)), "0.12");
        assert_eq!(s(|o| push_fixed(o, 0.375, 2)), "0.38");
        assert_eq!(s(|o| push_fixed(o, 2.5, 0)), "2");
        assert_eq!(s(|o| push_fixed(o, -0.0, 6)), "-0.000000");
        assert_eq!(s(|o| push_fixed(o, f64::NAN, 6)), "nan");
        assert_eq!(s(|o| push_fixed(o, 3.0, 0)), "3");
    }

    #[test]
    fn abbreviations() {
        assert_eq!(s(|o| push_abbreviated(o, 3863.0, 6)), "3.863K");
        assert_eq!(s(|o| push_abbreviated(o, 278.473969, 6)), "278.474 ");
        assert_eq!(s(|o| push_abbreviated(o, 83040000.0, 6)), "83.040M");
        assert_eq!(s(|o| push_abbreviated(o, 3863.0, 1)), "3.8K");
    }
}
