//! `-t` / `RA_TIMERANGE`: the time-range language of the Argus clients and
//! the test that decides whether a record falls in the range.
//!
//! ```text
//! range    = [ "x" ] [ "i" | "n" | "s" | "c" ] spec [ ( "-" | "+" ) spec2 ]
//! spec     = [[[yyyy/]mm/]dd.]HH[:MM[:SS[.frac]]] | [yyyy/]mm/dd | yyyy/mm | yyyy
//!          | epoch seconds (an "hour" > 24) | Nu[Nu...] with units y M d h m s
//!          | '*' in place of any component (a wildcard)
//! ```
//!
//! The behaviour follows ra 3.0.8.2, including its surprises, because
//! scripts depend on it (see `docs/ra-clients.md` §6):
//!
//! * a single spec covers one unit of its finest component (`2021/03` is
//!   the month); a trailing `.` makes it a point, which is an empty range;
//! * components missing from the first spec come from *today* (local
//!   time); missing leading components of the second spec come from the
//!   first; `yyyy` is a year only when 1900 < yyyy <= the current year
//!   (otherwise it is an hour, and an hour > 24 is epoch seconds);
//! * `Nu` words with a non-negative number set that component absolutely
//!   (`2021y3M14d9h`); a negative first word is relative to now, aligned to
//!   the unit (`-1h` is the current hour, `-2h` the last two); `spec+Nu` is
//!   a length, `spec-Nu` the range ending at `spec`;
//! * both ends are inclusive; the default strategy tests whether the
//!   record's start or end lies in the range (a record spanning the whole
//!   range does not match), `c` wants the record inside the range, `n`/`s`
//!   want the range inside the record, `x` negates;
//! * with wildcards, the wildcarded components of each record's times are
//!   replaced by the same base values before comparing (`2021/03/**.14` is
//!   14:00-15:00 on any day of March 2021).
//!
//! Times are interpreted in local time through the C library, so `TZ`
//! (including `RA_TZ` and `-M TZ=`) applies as it does for ra.

use std::fmt;

use super::localtime::{self, Tm};
use crate::record::Timeval;

/// Which relation between record and range counts as a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// `i` (default): the record starts or ends inside the range.
    Intersects,
    /// `n` / `s`: the record spans the whole range.
    Spans,
    /// `c`: the record lies inside the range.
    Contains,
}

/// A parsed `-t` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeRange {
    /// Range start, epoch seconds and microseconds.
    pub start: (i64, i64),
    /// Range end (inclusive).
    pub end: (i64, i64),
    pub strategy: Strategy,
    pub negate: bool,
    /// Components given as `*` (bit 0 year .. bit 5 second); applied to
    /// record times only when the first spec had a wildcard.
    pub wildcards: u8,
    pub apply_wildcards: bool,
}

/// Why a time range was rejected; the texts are ra's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeError {
    Syntax(String),
    Invalid { start: (i64, i64), end: (i64, i64) },
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeError::Syntax(arg) => write!(f, "time syntax error {arg}"),
            TimeError::Invalid { start, end } => write!(
                f,
                "error: invalid time range startime_t {}.{:06} lasttime_t {}.{:06}",
                start.0, start.1, end.0, end.1
            ),
        }
    }
}

/// The finest component a spec named; one "unit" of it is the length of a
/// single-spec range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    Year = 1,
    Month = 2,
    Day = 3,
    Hour = 4,
    Min = 5,
    Sec = 6,
}

const WILD_YEAR: u8 = 1 << 0;
const WILD_MONTH: u8 = 1 << 1;
const WILD_DAY: u8 = 1 << 2;
const WILD_HOUR: u8 = 1 << 3;
const WILD_MIN: u8 = 1 << 4;
const WILD_SEC: u8 = 1 << 5;

/// How a spec is combined with its context: `' '` sets components, `'+'`
/// adds a length, `'-'` subtracts one (and the two ends are swapped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Set,
    Plus,
    Minus,
}

/// Parser state shared by the two specs of a range (argus keeps it in
/// globals: the wildcard mask carries over from the first spec).
#[derive(Default)]
struct State {
    wildcards: u8,
    /// Set once a spec parsed without wildcards (argus's `RaExplicitDate`).
    explicit: bool,
    /// `explicit` as it was after the first spec: wildcards are applied to
    /// records only when the first spec had one.
    explicit_after_start: bool,
}

/// Result of parsing one spec.
struct Parsed {
    unit: Unit,
    frac: i64,
    /// The relative `-` mode computed the *start*: swap with the context.
    swap: bool,
}

/// Sets everything finer than `unit` to its base value.
fn truncate(tm: &mut Tm, unit: Unit) {
    if unit <= Unit::Year {
        tm.tm_mon = 0;
    }
    if unit <= Unit::Month {
        tm.tm_mday = 1;
    }
    if unit <= Unit::Day {
        tm.tm_hour = 0;
    }
    if unit <= Unit::Hour {
        tm.tm_min = 0;
    }
    if unit <= Unit::Min {
        tm.tm_sec = 0;
    }
}

/// The longest decimal-number prefix of `s` (C `strtod` for the inputs a
/// time spec can hold), or `None` when `s` does not start with a number.
fn strtod_prefix(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let int_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        frac_digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if int_digits > 0 || frac_digits > 0 {
            i += 1 + frac_digits;
        }
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let exp_digits = b[j.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits > 0 {
            i = j + exp_digits;
        }
    }
    s[..i].parse().ok()
}

fn all_digits_until_star(part: &str) -> Result<bool, ()> {
    for c in part.chars() {
        if c == '*' {
            return Ok(true);
        }
        if !c.is_ascii_digit() {
            return Err(());
        }
    }
    Ok(false)
}

/// Parses one spec into `out`, starting from `ctx`. `is_end` is true for
/// the spec that computes the range end (argus compares struct pointers).
fn parse_spec(
    out: &mut Tm,
    ctx: &mut Tm,
    spec: &str,
    mode: Mode,
    is_end: bool,
    state: &mut State,
    arg: &str,
) -> Result<Parsed, TimeError> {
    let first = spec.chars().next();
    if !matches!(first, Some(c) if c.is_ascii_digit() || c == '-' || c == '*') {
        return Err(TimeError::Syntax(arg.to_string()));
    }
    let parsed = if spec.contains(['y', 'M', 'd', 'h', 'm', 's']) {
        parse_relative(out, ctx, spec, mode, is_end, state, arg)?
    } else {
        parse_absolute(out, ctx, spec, state).ok_or_else(|| TimeError::Syntax(arg.to_string()))?
    };
    if state.wildcards == 0 {
        state.explicit = true;
    }
    Ok(parsed)
}

/// `Nu[Nu...]` words (y M d h m s).
fn parse_relative(
    out: &mut Tm,
    ctx: &mut Tm,
    spec: &str,
    mode: Mode,
    is_end: bool,
    state: &mut State,
    arg: &str,
) -> Result<Parsed, TimeError> {
    *out = *ctx;
    let mut thistime = localtime::mktime(out);
    let mut unit = None;
    let mut sign = 1.0;
    let mut rest = spec;
    while let Some(pos) = rest.find(['y', 'M', 'd', 'h', 'm', 's']) {
        let letter = rest.as_bytes()[pos];
        let wildcard = rest.starts_with('*');
        let mut i = if wildcard {
            let (base, bit) = match letter {
                b'y' => (1970.0, WILD_YEAR),
                b'M' => (0.0, WILD_MONTH),
                b'd' => (1.0, WILD_DAY),
                b'h' => (0.0, WILD_HOUR),
                b'm' => (0.0, WILD_MIN),
                _ => (0.0, WILD_SEC),
            };
            state.wildcards |= bit;
            base
        } else {
            strtod_prefix(rest).ok_or_else(|| TimeError::Syntax(arg.to_string()))?
        };
        let this_unit = match letter {
            b'y' => Unit::Year,
            b'M' => Unit::Month,
            b'd' => Unit::Day,
            b'h' => Unit::Hour,
            b'm' => Unit::Min,
            _ => Unit::Sec,
        };
        if i >= 0.0 && mode == Mode::Set {
            let v = i as i32;
            match this_unit {
                Unit::Year => out.tm_year = (i - 1900.0) as i32,
                Unit::Month => out.tm_mon = (i - 1.0) as i32,
                Unit::Day => out.tm_mday = v,
                Unit::Hour => out.tm_hour = v,
                Unit::Min => out.tm_min = v,
                Unit::Sec => out.tm_sec = v,
            }
        } else {
            if !is_end {
                i += 1.0;
            }
            if wildcard {
                return Err(TimeError::Syntax(arg.to_string()));
            }
            if mode == Mode::Minus {
                sign = -1.0;
            }
            let step = |secs: f64, t: &mut i64, out: &mut Tm| {
                *t = (*t as f64 + i * secs * sign) as i64;
                *out = localtime::localtime(*t);
            };
            match this_unit {
                Unit::Year => out.tm_year = (out.tm_year as f64 + i * sign) as i32,
                Unit::Month => {
                    while i > out.tm_mon as f64 {
                        out.tm_year += sign as i32;
                        i -= 12.0;
                    }
                    out.tm_mon = (out.tm_mon as f64 + i * sign) as i32;
                    thistime = localtime::mktime(out);
                }
                Unit::Day => step(86400.0, &mut thistime, out),
                Unit::Hour => step(3600.0, &mut thistime, out),
                Unit::Min => step(60.0, &mut thistime, out),
                Unit::Sec => step(1.0, &mut thistime, out),
            }
        }
        unit = Some(this_unit);
        rest = &rest[pos + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_digit() || c == '*') {
            break;
        }
    }
    let Some(unit) = unit else {
        return Err(TimeError::Syntax(arg.to_string()));
    };
    truncate(out, unit);
    let swap = sign < 0.0;
    if swap {
        std::mem::swap(out, ctx);
    }
    Ok(Parsed { unit, frac: 0, swap })
}

/// `[[[yyyy/]mm/]dd.]HH[:MM[:SS[.frac]]]` and friends; `None` is a syntax error.
fn parse_absolute(out: &mut Tm, ctx: &Tm, spec: &str, state: &mut State) -> Option<Parsed> {
    let mut status = state.wildcards;
    *out = *ctx;
    let (mut year, mut month, mut day) = (out.tm_year, out.tm_mon, out.tm_mday);
    let (mut hour, mut mins, mut sec) = (out.tm_hour, out.tm_min, out.tm_sec);
    let mut unit: Option<Unit> = None;
    let mut frac = 0i64;

    // Split the date from the time of day at the first '.', unless that
    // '.' ends the spec (then it only marks a point in time).
    let (date, mut time): (&str, Option<&str>) = match spec.find('.') {
        Some(p) if p + 1 != spec.len() => {
            let t = &spec[p + 1..];
            if !t.starts_with(|c: char| c.is_ascii_digit() || c == '*') {
                return None;
            }
            (&spec[..p], Some(t))
        }
        Some(p) => (&spec[..p], None),
        None => (spec, None),
    };

    let (mut yptr, mut mptr, mut dptr): (Option<&str>, Option<&str>, Option<&str>) =
        (None, None, None);
    if let Some(last) = date.rfind('/') {
        let d = &date[last + 1..];
        let head = &date[..last];
        if let Some(m) = head.rfind('/') {
            yptr = Some(&head[..m]);
            mptr = Some(&head[m + 1..]);
            dptr = Some(d);
        } else if head.len() == 4 {
            yptr = Some(head);
            mptr = Some(d);
            out.tm_mday = 1;
        } else {
            mptr = Some(head);
            dptr = Some(d);
        }
    } else if time.is_some() {
        dptr = Some(date);
    } else {
        let value = super::limits::atoi(date);
        if value > 1900 && value <= out.tm_year as i64 + 1900 {
            yptr = Some(date);
            hour = 0;
        } else {
            time = Some(date);
        }
    }

    if let Some(y) = yptr {
        if y.len() != 4 {
            return None;
        }
        if all_digits_until_star(y).ok()? {
            status |= WILD_YEAR;
            out.tm_year = 70;
        } else {
            out.tm_year = super::limits::atoi(y) as i32 - 1900;
        }
        unit = Some(Unit::Year);
        year = out.tm_year;
    }
    if let Some(m) = mptr {
        if m.len() != 2 {
            return None;
        }
        if all_digits_until_star(m).ok()? {
            status |= WILD_MONTH;
            out.tm_mon = 0;
        } else {
            out.tm_mon = super::limits::atoi(m) as i32 - 1;
        }
        unit = Some(Unit::Month);
        month = out.tm_mon;
    }
    if let Some(d) = dptr {
        if d.len() != 2 {
            return None;
        }
        if all_digits_until_star(d).ok()? {
            status |= WILD_DAY;
            out.tm_mday = 1;
        } else {
            out.tm_mday = super::limits::atoi(d) as i32;
        }
        unit = Some(Unit::Day);
        day = out.tm_mday;
    }
    if let Some(t) = time {
        let mut t = t;
        if let Some(p) = t.find('.') {
            let digits = t[p + 1..].bytes().take_while(u8::is_ascii_digit).count();
            // argus scales in C float: 1e6 divided by ten once per digit.
            let mut scale: f32 = 1_000_000.0;
            for _ in 0..digits {
                scale /= 10.0;
            }
            frac = (super::limits::atoi(&t[p + 1..]) as f32 * scale) as i64;
            t = &t[..p];
        }
        let mut parts = t.splitn(3, ':');
        let h = parts.next().unwrap_or("");
        let m = parts.next();
        let s = parts.next();
        if all_digits_until_star(h).ok()? {
            status |= WILD_HOUR;
            hour = 0;
        } else {
            hour = super::limits::atoi(h) as i32;
            if hour < 24 {
                unit = Some(Unit::Hour);
            }
        }
        if let Some(m) = m {
            if all_digits_until_star(m).ok()? {
                status |= WILD_MIN;
                mins = 0;
            } else {
                mins = super::limits::atoi(m) as i32;
                unit = Some(Unit::Min);
            }
        }
        if let Some(s) = s {
            if all_digits_until_star(s).ok()? {
                status |= WILD_SEC;
                sec = 0;
            } else {
                sec = super::limits::atoi(s) as i32;
                unit = Some(Unit::Sec);
            }
        }
    }

    if let Some(u) = unit {
        truncate(out, u);
        if u <= Unit::Year {
            month = 0;
        }
        if u <= Unit::Month {
            day = 1;
        }
        if u <= Unit::Day {
            hour = 0;
        }
        if u <= Unit::Hour {
            mins = 0;
        }
        if u <= Unit::Min {
            sec = 0;
        }
    }

    let unit = if hour > 24 {
        // An "hour" this large is a time_t.
        *out = localtime::localtime(hour as i64);
        year = out.tm_year;
        month = out.tm_mon;
        day = out.tm_mday;
        hour = out.tm_hour;
        status = 0;
        Unit::Year
    } else {
        out.tm_hour = hour;
        out.tm_min = mins;
        out.tm_sec = sec;
        let valid = out.tm_year >= 0
            && (0..=11).contains(&out.tm_mon)
            && (1..=31).contains(&out.tm_mday)
            && (0..=23).contains(&out.tm_hour)
            && (0..=60).contains(&out.tm_min)
            && (0..=60).contains(&out.tm_sec);
        if !valid {
            return None;
        }
        unit?
    };
    state.wildcards = status;

    // argus first reads the wall-clock fields as standard time, then again
    // with the DST flag local time has at that instant.
    out.tm_isdst = 0;
    out.tm_gmtoff = 0;
    out.tm_zone = std::ptr::null();
    let t = localtime::mktime(out);
    *out = localtime::localtime(t);
    out.tm_year = year;
    out.tm_mon = month;
    out.tm_mday = day;
    out.tm_hour = hour;
    localtime::mktime(out);
    let _ = (mins, sec);
    Some(Parsed { unit, frac, swap: false })
}

impl TimeRange {
    /// Parses a `-t` argument; `now` is the wall clock (seconds) that
    /// date-less specs and relative specs refer to.
    pub fn parse(arg: &str, now: i64) -> Result<TimeRange, TimeError> {
        let mut text = arg;
        let mut negate = false;
        let mut strategy = Strategy::Intersects;
        let mut skip = 0;
        if !text.starts_with(|c: char| c.is_ascii_digit()) {
            if let Some(rest) = text.strip_prefix('x') {
                negate = true;
                text = rest;
            }
            strategy = match text.chars().next() {
                Some('i') => Strategy::Intersects,
                Some('c') => Strategy::Contains,
                Some('n' | 's') => Strategy::Spans,
                _ => strategy,
            };
            if matches!(text.chars().next(), Some('i' | 'c' | 'n' | 's')) {
                skip = 1;
            }
        }
        // argus copies the argument into a 64-byte buffer.
        let buf: String = text.chars().take(63).collect();
        let spec = buf.get(skip..).unwrap_or("");
        let mut state = State::default();
        let (start, end) = check_format(spec, now, &buf, &mut state)?;
        Ok(TimeRange {
            start,
            end,
            strategy,
            negate,
            wildcards: state.wildcards,
            apply_wildcards: !state.explicit_after_start,
        })
    }

    /// True when `word` is a complete time spec on its own (how ra decides
    /// whether `-t a - b` means the range `a-b`).
    pub fn is_spec(word: &str, now: i64) -> bool {
        let mut state = State::default();
        check_format(word, now, word, &mut state).is_ok()
    }

    fn wildcard_times(&self, start: i64, last: i64) -> (i64, i64) {
        let mut stm = localtime::localtime(start);
        let mut ltm = localtime::localtime(last);
        let gmtoff = stm.tm_gmtoff;
        for tm in [&mut stm, &mut ltm] {
            if self.wildcards & WILD_YEAR != 0 {
                tm.tm_year = 70;
            }
            if self.wildcards & WILD_MONTH != 0 {
                tm.tm_mon = 0;
            }
            if self.wildcards & WILD_DAY != 0 {
                tm.tm_mday = 1;
            }
            if self.wildcards & WILD_HOUR != 0 {
                tm.tm_hour = 0;
            }
            if self.wildcards & WILD_MIN != 0 {
                tm.tm_min = 0;
            }
            if self.wildcards & WILD_SEC != 0 {
                tm.tm_sec = 0;
            }
            tm.tm_zone = std::ptr::null();
        }
        let mut s = localtime::mktime(&mut stm);
        let mut l = localtime::mktime(&mut ltm);
        let shift = gmtoff - stm.tm_gmtoff;
        if shift != 0 {
            s += shift;
            l += shift;
        }
        (s, l)
    }

    /// Does a flow (or event) record active from `start` to `last` match?
    pub fn matches_flow(&self, start: Timeval, last: Timeval) -> bool {
        let (mut s, mut l) = (start.sec as i64, last.sec as i64);
        if self.apply_wildcards {
            (s, l) = self.wildcard_times(s, l);
        }
        let rs = (s, start.usec as i64);
        let rl = (l, last.usec as i64);
        let (ps, pl) = (self.start, self.end);
        let hit = match self.strategy {
            Strategy::Intersects => (ps <= rs && pl >= rs) || (ps < rl && pl >= rl),
            Strategy::Contains => ps <= rs && pl >= rl,
            Strategy::Spans => rs <= ps && rl >= pl,
        };
        hit != self.negate
    }

    /// Does a management record match? argus compares whole seconds only:
    /// a start MAR must lie inside the range, other MARs need their `now`
    /// time inside it.
    pub fn matches_mar(&self, start: Timeval, now: Timeval, is_start: bool) -> bool {
        let (mut s, mut l) = (start.sec as i64, now.sec as i64);
        if self.apply_wildcards {
            (s, l) = self.wildcard_times(s, l);
        }
        let hit = if is_start {
            s >= self.start.0 && l <= self.end.0
        } else {
            l >= self.start.0 && l <= self.end.0
        };
        hit != self.negate
    }
}

type Bounds = ((i64, i64), (i64, i64));

/// `ArgusCheckTimeFormat`: one spec or `spec-spec2` / `spec+spec2`.
fn check_format(spec: &str, now: i64, arg: &str, state: &mut State) -> Result<Bounds, TimeError> {
    let syntax = || TimeError::Syntax(arg.to_string());
    let mut now_tm = localtime::localtime(now);
    let leading_dash = spec.starts_with('-');
    let search_from = usize::from(leading_dash);
    let sep = spec[search_from..].find('-').map(|p| p + search_from).or_else(|| spec.find('+'));

    let mut start = localtime::zeroed();
    let mut last = localtime::zeroed();
    let (startfrac, lastfrac);
    if let Some(p) = sep {
        let mode = if spec.as_bytes()[p] == b'-' { Mode::Minus } else { Mode::Plus };
        let first = spec[..p].trim_end();
        let second = spec[p + 1..].trim_start();
        let parsed = parse_spec(&mut start, &mut now_tm, first, Mode::Set, false, state, arg)?;
        state.explicit_after_start = state.explicit;
        startfrac = parsed.frac;
        // An unparsable second spec leaves argus with an undefined end; we
        // report it as a syntax error.
        let p2 = parse_spec(&mut last, &mut start, second, mode, true, state, arg)?;
        lastfrac = p2.frac;
        let _ = p2.swap;
    } else {
        if spec.is_empty() {
            return Err(syntax());
        }
        let parsed = parse_spec(&mut start, &mut now_tm, spec, Mode::Set, false, state, arg)?;
        state.explicit_after_start = state.explicit;
        startfrac = parsed.frac;
        if !leading_dash {
            last = start;
            if !spec.ends_with('.') {
                match parsed.unit {
                    Unit::Year => last.tm_year += 1,
                    Unit::Month => last.tm_mon += 1,
                    Unit::Day => last.tm_mday += 1,
                    Unit::Hour => last.tm_hour += 1,
                    Unit::Min => last.tm_min += 1,
                    Unit::Sec => last.tm_sec += 1,
                }
            }
            lastfrac = startfrac;
        } else {
            let p2 = parse_spec(&mut last, &mut start, &spec[1..], Mode::Plus, true, state, arg)?;
            lastfrac = if p2.frac != 0 { p2.frac } else { startfrac };
        }
    }
    let s = (localtime::mktime(&mut start), startfrac);
    let l = (localtime::mktime(&mut last), lastfrac);
    if !(l.0 > s.0 || (l.0 == s.0 && l.1 > s.1)) {
        return Err(TimeError::Invalid { start: s, end: l });
    }
    Ok((s, l))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-27 12:34:56 UTC, a fixed "now".
    const NOW: i64 = 1_796_214_896;

    fn utc() {
        localtime::set_timezone("UTC");
    }

    fn range(arg: &str) -> (i64, i64) {
        utc();
        let r = TimeRange::parse(arg, NOW).unwrap_or_else(|e| panic!("{arg}: {e}"));
        (r.start.0, r.end.0)
    }

    #[test]
    fn single_specs_cover_one_unit() {
        assert_eq!(range("2021"), (1_609_459_200, 1_640_995_200));
        assert_eq!(range("2021/03"), (1_614_556_800, 1_617_235_200));
        assert_eq!(range("2021/03/14"), (1_615_680_000, 1_615_766_400));
        assert_eq!(range("2021/03/14.09"), (1_615_712_400, 1_615_716_000));
        assert_eq!(range("2021/03/14.09:05"), (1_615_712_700, 1_615_712_760));
        assert_eq!(range("2021/03/14.09:05:07"), (1_615_712_707, 1_615_712_708));
    }

    #[test]
    fn ranges_borrow_missing_parts_from_the_first_spec() {
        assert_eq!(range("2021/03/14.09:00-09:06"), (1_615_712_400, 1_615_712_760));
        assert_eq!(range("2021/03/14.09-10"), (1_615_712_400, 1_615_716_000));
        assert_eq!(range("2021/03/14.11:20:00+2m"), (1_615_720_800, 1_615_720_920));
        assert_eq!(range("2021/03/14.11:20-1m"), (1_615_720_740, 1_615_720_800));
        assert_eq!(range("1615712400+1h"), (1_615_712_400, 1_615_716_000));
    }

    #[test]
    fn epoch_seconds_alone_cover_a_year_and_big_years_are_hours() {
        assert_eq!(range("1615712400"), (1_615_712_400, 1_647_248_400));
        // 2100 is not a year yet: it is read as epoch seconds.
        assert_eq!(range("2100").0, 2100);
    }

    #[test]
    fn component_words_set_fields_and_negative_words_count_back_from_now() {
        assert_eq!(range("2021y3M14d9h"), (1_615_712_400, 1_615_716_000));
        assert_eq!(range("2021y3M14d9h+30m"), (1_615_712_400, 1_615_714_200));
        // -1h is the current hour, -2h the current and the previous one.
        let hour = NOW - NOW % 3600;
        assert_eq!(range("-1h"), (hour, hour + 3600));
        assert_eq!(range("-2h"), (hour - 3600, hour + 3600));
        let day = NOW - NOW % 86400;
        assert_eq!(range("-1d"), (day, day + 86400));
    }

    #[test]
    fn time_only_specs_mean_today() {
        let day = NOW - NOW % 86400;
        assert_eq!(range("2-2:15"), (day + 7200, day + 8100));
        assert_eq!(range("4:30:56-4:31"), (day + 16256, day + 16260));
    }

    #[test]
    fn prefixes_and_fractions() {
        utc();
        let r = TimeRange::parse("xc2021/03/14", NOW).unwrap();
        assert!(r.negate);
        assert_eq!(r.strategy, Strategy::Contains);
        let r = TimeRange::parse("n2021/03/14.09:00:02-09:00:03", NOW).unwrap();
        assert_eq!(r.strategy, Strategy::Spans);
        let r = TimeRange::parse("2021/03/14.09:00:00.5-09:00:01", NOW).unwrap();
        assert_eq!(r.start, (1_615_712_400, 500_000));
        assert_eq!(r.end, (1_615_712_401, 0));
    }

    #[test]
    fn errors_read_like_ra() {
        utc();
        let err = |a: &str| TimeRange::parse(a, NOW).unwrap_err().to_string();
        assert_eq!(err("2021/3/14"), "time syntax error 2021/3/14");
        assert_eq!(err("0x10"), "time syntax error 0x10");
        assert_eq!(err("abc"), "time syntax error abc");
        assert_eq!(err("2021/13"), "time syntax error 2021/13");
        assert_eq!(err("2021/03/14 11:05"), "time syntax error 2021/03/14 11:05");
        assert_eq!(err("2021/03/14.09:61"), "time syntax error 2021/03/14.09:61");
        assert_eq!(err("-"), "time syntax error -");
        assert_eq!(
            err("2020-2021"),
            "error: invalid time range startime_t 1577836800.000000 lasttime_t 2021.000000"
        );
        assert_eq!(
            err("2021/03/14."),
            "error: invalid time range startime_t 1615680000.000000 lasttime_t 1615680000.000000"
        );
    }

    #[test]
    fn intersect_misses_a_record_spanning_the_range_and_ends_are_inclusive() {
        utc();
        let r = TimeRange::parse("2021/03/14.09", NOW).unwrap();
        let t = |s: u32, us: u32| Timeval::new(s, us);
        // spans the whole hour: no match with the default strategy
        assert!(!r.matches_flow(t(1_615_712_000, 0), t(1_615_717_000, 0)));
        // starts exactly at the end: inclusive
        assert!(r.matches_flow(t(1_615_716_000, 0), t(1_615_716_500, 0)));
        let s = TimeRange::parse("n2021/03/14.09", NOW).unwrap();
        assert!(s.matches_flow(t(1_615_712_000, 0), t(1_615_717_000, 0)));
        let c = TimeRange::parse("c2021/03/14.09", NOW).unwrap();
        assert!(!c.matches_flow(t(1_615_712_000, 0), t(1_615_713_000, 0)));
        assert!(c.matches_flow(t(1_615_712_400, 0), t(1_615_713_000, 0)));
    }

    #[test]
    fn wildcards_compare_only_the_given_components() {
        utc();
        let r = TimeRange::parse("2021/03/**.14", NOW).unwrap();
        assert!(r.apply_wildcards);
        let t = |s: u32| Timeval::new(s, 0);
        // 2021-03-14 14:00:00 and 2021-03-15 14:30:00 match, 13:00 does not
        assert!(r.matches_flow(t(1_615_730_400), t(1_615_730_401)));
        assert!(r.matches_flow(t(1_615_818_600), t(1_615_818_601)));
        assert!(!r.matches_flow(t(1_615_726_800), t(1_615_726_801)));
    }

    #[test]
    fn is_spec_recognises_a_following_range_end() {
        utc();
        assert!(TimeRange::is_spec("2021/03/14.10", NOW));
        assert!(!TimeRange::is_spec("tcp", NOW));
        assert!(!TimeRange::is_spec("host", NOW));
    }
}
