//! Time formatting as `ra`'s `ArgusPrintTime` does it: an strftime-like
//! format in local time (TZ honoured) where `%f` is the microseconds cut to
//! `-p` digits, or Unix seconds with `-u`.
//!
//! The expensive part (local time, strftime) only depends on the second, so
//! the text of the whole format is cached per second with a marker where
//! the fraction goes; a record then costs a copy and a few digits. The
//! cache holds the last seconds seen in [`CACHED_SECONDS`] slots (by second
//! modulo the slot count), so output that is not in time order (rasort)
//! still hits it: more than an hour of seconds, as sorted output of an
//! archive of a few minutes otherwise misses at nearly every record.

use super::numfmt::{push_bytes, push_u64, push_zero_padded, DIGIT_PAIRS};
use crate::record::Timeval;

/// Marker byte standing for the fraction in the cached text (never
/// produced by strftime for the formats `ra` users write).
const FRAC: u8 = 0;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Lit(Vec<u8>),
    /// One strftime conversion, e.g. `%T` or `%Ey`.
    Conv(String),
    Frac,
    /// `%z` in XML output: `Z` or `+hh:mm`.
    XmlZone,
}

/// Slots of the per-second cache (a power of two), filled on first use.
const CACHED_SECONDS: usize = 4096;

/// Slots at first (a power of two): output in time order never needs more,
/// and a printer per chunk of records then starts cheaply. The cache grows
/// to [`CACHED_SECONDS`] when a second evicts another.
const FIRST_SLOTS: usize = 256;

/// The text of one second, with the fraction markers' positions.
#[derive(Clone, Debug, Default)]
struct CachedSecond {
    sec: Option<u32>,
    text: Vec<u8>,
    fracs: Vec<usize>,
    /// `text` has a `.`.
    dot: bool,
}

/// The text of one time in pieces: `text` with the fraction (`digits`
/// bytes of `frac`) in place of each marker at `fracs`.
pub struct TimeParts<'a> {
    pub text: &'a [u8],
    pub fracs: &'a [usize],
    /// The text has a `.` (`stime`'s column then widens by `-p`).
    pub dot: bool,
    pub frac: [u8; 6],
    pub digits: usize,
    /// Length of the whole text.
    pub len: usize,
}

/// Formats times for one output; cheap to clone.
#[derive(Clone, Debug)]
pub struct TimeFormatter {
    unix: bool,
    precision: usize,
    segs: Vec<Seg>,
    /// Filled on first use.
    cache: Vec<CachedSecond>,
}

impl TimeFormatter {
    /// `format` is `RA_TIME_FORMAT` (`%T.%f` by default); `unix` is `-u`;
    /// `precision` is `-p`; `xml` selects `ra`'s XML handling of `%z`.
    pub fn new(format: &str, unix: bool, precision: usize, xml: bool) -> TimeFormatter {
        TimeFormatter { unix, precision, segs: parse(format, xml), cache: Vec::new() }
    }

    /// Appends the text of `t`.
    pub fn push(&mut self, out: &mut Vec<u8>, t: Timeval) {
        if self.unix {
            push_u64(out, t.sec as i32 as u32 as u64);
            if self.precision > 0 {
                out.push(b'.');
                let digits = self.precision.min(6);
                push_zero_padded(out, t.usec as u64 / 10u64.pow(6 - digits as u32), digits);
            }
            return;
        }
        let slot = self.slot(t.sec);
        let cached = &self.cache[slot];
        let mut from = 0;
        for &i in &cached.fracs {
            push_bytes(out, &cached.text[from..i]);
            self.push_fraction(out, t.usec);
            from = i + 1;
        }
        push_bytes(out, &cached.text[from..]);
    }

    /// The cache slot holding the text of second `sec`, filled if needed.
    #[inline]
    fn slot(&mut self, sec: u32) -> usize {
        let slot = sec as usize & self.cache.len().wrapping_sub(1);
        match self.cache.get(slot) {
            Some(c) if c.sec == Some(sec) => slot,
            _ => self.fill(sec),
        }
    }

    /// The slot of a second not cached yet, filled (the cache made or
    /// grown first when needed).
    #[cold]
    #[inline(never)]
    fn fill(&mut self, sec: u32) -> usize {
        if self.cache.is_empty() {
            self.cache.resize_with(FIRST_SLOTS, CachedSecond::default);
        }
        let mut slot = sec as usize & (self.cache.len() - 1);
        if self.cache[slot].sec.is_some() && self.cache.len() < CACHED_SECONDS {
            slot = self.grow(sec);
        }
        let text = self.render_second(sec);
        let fracs = text.iter().enumerate().filter(|(_, &b)| b == FRAC).map(|(i, _)| i);
        let fracs = fracs.collect();
        let dot = text.contains(&b'.');
        self.cache[slot] = CachedSecond { sec: Some(sec), text, fracs, dot };
        slot
    }

    /// The pieces of the text of `t` for writers that place it themselves:
    /// `None` under `-u` or for microseconds out of range (then
    /// [`TimeFormatter::push`] is the way).
    #[inline]
    pub fn parts(&mut self, t: Timeval) -> Option<TimeParts<'_>> {
        if self.unix || t.usec >= 1_000_000 {
            return None;
        }
        let slot = self.slot(t.sec);
        let c = &self.cache[slot];
        let digits = self.precision.min(6);
        let frac = six_digits(t.usec);
        Some(TimeParts {
            text: &c.text,
            fracs: &c.fracs,
            dot: c.dot,
            frac,
            digits,
            len: c.text.len() - c.fracs.len() + c.fracs.len() * digits,
        })
    }

    /// The cache at its full size, what it held kept; the slot of `sec`.
    fn grow(&mut self, sec: u32) -> usize {
        let old = std::mem::take(&mut self.cache);
        self.cache.resize_with(CACHED_SECONDS, CachedSecond::default);
        for c in old {
            if let Some(s) = c.sec {
                self.cache[s as usize & (CACHED_SECONDS - 1)] = c;
            }
        }
        sec as usize & (CACHED_SECONDS - 1)
    }

    /// `%06u` of the microseconds, cut to the precision (never more than
    /// the digits printed).
    fn push_fraction(&self, out: &mut Vec<u8>, usec: u32) {
        let start = out.len();
        if usec >= 1_000_000 {
            push_u64(out, usec as u64);
            if self.precision < 6 {
                out.truncate(start + self.precision);
            }
        } else {
            // All six digits, then as many as the precision shows (the
            // same as the quotient zero padded to that many digits).
            let digits = self.precision.min(6);
            let six = six_digits(usec);
            push_bytes(out, &six[..digits]);
        }
    }

    fn render_second(&self, sec: u32) -> Vec<u8> {
        let tm = local_tm(sec);
        let mut out = Vec::with_capacity(32);
        for seg in &self.segs {
            match seg {
                Seg::Lit(b) => out.extend_from_slice(b),
                Seg::Conv(c) => {
                    if let Some(tm) = &tm {
                        strftime_into(&mut out, c, tm);
                    }
                }
                Seg::XmlZone => {
                    if let Some(tm) = &tm {
                        let mut z = Vec::new();
                        strftime_into(&mut z, "%z", tm);
                        if z.windows(4).any(|w| w == b"0000") {
                            out.push(b'Z');
                        } else {
                            if z.len() >= 2 {
                                z.insert(z.len() - 2, b':');
                            }
                            out.extend_from_slice(&z);
                        }
                    }
                }
                Seg::Frac => {
                    if self.precision > 0 {
                        while out.last().is_some_and(|c| c.is_ascii_whitespace()) {
                            out.pop();
                        }
                        out.push(FRAC);
                    } else if out.last() == Some(&b'.') {
                        out.pop();
                    }
                }
            }
        }
        out
    }
}

/// `%06u` of microseconds below 1,000,000, as six ASCII digits.
#[inline]
fn six_digits(usec: u32) -> [u8; 6] {
    let u = usec as usize;
    let (hi, mid, lo) = (u / 10_000, u / 100 % 100, u % 100);
    [
        DIGIT_PAIRS[hi * 2],
        DIGIT_PAIRS[hi * 2 + 1],
        DIGIT_PAIRS[mid * 2],
        DIGIT_PAIRS[mid * 2 + 1],
        DIGIT_PAIRS[lo * 2],
        DIGIT_PAIRS[lo * 2 + 1],
    ]
}

fn parse(format: &str, xml: bool) -> Vec<Seg> {
    let b = format.as_bytes();
    let mut segs = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    let flush = |lit: &mut Vec<u8>, segs: &mut Vec<Seg>| {
        if !lit.is_empty() {
            segs.push(Seg::Lit(std::mem::take(lit)));
        }
    };
    while i < b.len() {
        if b[i] != b'%' {
            lit.push(b[i]);
            i += 1;
            continue;
        }
        let Some(&c) = b.get(i + 1) else {
            lit.push(b'%');
            break;
        };
        match c {
            b'%' => lit.push(b'%'),
            b'f' => {
                flush(&mut lit, &mut segs);
                segs.push(Seg::Frac);
            }
            b'z' if xml => {
                flush(&mut lit, &mut segs);
                segs.push(Seg::XmlZone);
            }
            b'E' | b'O' => {
                flush(&mut lit, &mut segs);
                let end = (i + 3).min(b.len());
                segs.push(Seg::Conv(String::from_utf8_lossy(&b[i..end]).into_owned()));
                i = end;
                continue;
            }
            _ => {
                flush(&mut lit, &mut segs);
                let end = i + 1 + utf8_len(c);
                let end = end.min(b.len());
                segs.push(Seg::Conv(String::from_utf8_lossy(&b[i..end]).into_owned()));
                i = end;
                continue;
            }
        }
        i += 2;
    }
    flush(&mut lit, &mut segs);
    // Adjacent literal and conversion text is rendered per second anyway;
    // nothing more to fold.
    segs
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// The broken-down local time of `sec`.
// `libc::time_t` is deprecated on musl (its width changes with time64);
// it is the type `localtime_r` takes on every target we build.
#[allow(deprecated)]
fn local_tm(sec: u32) -> Option<libc::tm> {
    let t = sec as libc::time_t;
    // SAFETY: `tm` is a plain C struct; localtime_r fills it completely on
    // success and we only read it in that case.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            None
        } else {
            Some(tm)
        }
    }
}

/// Appends strftime's expansion of one conversion (`ra` allows 64 bytes).
fn strftime_into(out: &mut Vec<u8>, conv: &str, tm: &libc::tm) {
    let Ok(fmt) = std::ffi::CString::new(conv) else { return };
    let mut buf = [0u8; 64];
    // SAFETY: `buf` is writable for its length, `fmt` is NUL-terminated and
    // `tm` is a valid broken-down time; strftime writes at most `len` bytes.
    let n = unsafe {
        libc::strftime(buf.as_mut_ptr() as *mut libc::c_char, buf.len(), fmt.as_ptr(), tm)
    };
    out.extend_from_slice(&buf[..n.min(buf.len())]);
}

/// Length of the text the current time gives in `format` at precision
/// `precision`: how `ra` sizes the time columns for `RA_TIME_FORMAT`.
pub fn sample_width(format: &str, precision: usize) -> usize {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let mut f = TimeFormatter::new(format, false, precision, false);
    let mut out = Vec::new();
    f.push(&mut out, Timeval::new(now.as_secs() as u32, now.subsec_micros()));
    out.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(format: &str, unix: bool, p: usize, t: Timeval) -> String {
        // The tests pin TZ for the whole process.
        std::env::set_var("TZ", "UTC");
        let mut f = TimeFormatter::new(format, unix, p, false);
        let mut o = Vec::new();
        f.push(&mut o, t);
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn default_format_and_precision() {
        let t = Timeval::new(1_609_459_198, 500_000);
        assert_eq!(fmt("%T.%f", false, 6, t), "23:59:58.500000");
        assert_eq!(fmt("%T.%f", false, 3, t), "23:59:58.500");
        assert_eq!(fmt("%T.%f", false, 0, t), "23:59:58");
        assert_eq!(fmt("%T.%f", false, 9, t), "23:59:58.500000");
        assert_eq!(fmt("%Y-%m-%dT%H:%M:%S.%f", false, 6, t), "2020-12-31T23:59:58.500000");
        assert_eq!(fmt("%m/%d %H:%M", false, 6, t), "12/31 23:59");
    }

    #[test]
    fn unix_seconds() {
        let t = Timeval::new(1_609_459_198, 500_123);
        assert_eq!(fmt("%T.%f", true, 6, t), "1609459198.500123");
        assert_eq!(fmt("%T.%f", true, 2, t), "1609459198.50");
        assert_eq!(fmt("%T.%f", true, 0, t), "1609459198");
    }

    #[test]
    fn fraction_strips_preceding_blanks() {
        let t = Timeval::new(0, 42);
        assert_eq!(fmt("%T %f", false, 6, t), "00:00:00000042");
        assert_eq!(fmt("x%%y", false, 6, t), "x%y");
    }
}
