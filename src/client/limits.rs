//! `-N` record limits: `n`, `a-b`, `a+k`, with an `i` (input, default) or
//! `o` (output) prefix.
//!
//! What is counted, as ra 3.0.8.2 counts it (checked against Debian's ra):
//!
//! * *input* numbers count records that passed the filter, *including*
//!   management records other than an input's initial MAR, and each opened
//!   input adds one more (argus counts the connection itself); the time
//!   range is applied after counting. `-N 5-8` therefore skips while the
//!   count is <= 5 (counting starts at 1 for the connection) and stops once
//!   it exceeds 8.
//! * *output* numbers are the rank of the records a role emits (printed or
//!   written); records outside `[start, end]` are not emitted, and printing
//!   stops after `end`.
//! * `-N 0` reads nothing at all.

use std::fmt;

/// An inclusive record range; `start` 0 means "from the first".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: i64,
    pub end: i64,
}

/// Which stream a `-N` applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Input,
    Output,
}

/// The parsed limits. `input` uses argus's conventions: start `-1`/0 and end
/// `-1` mean unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub input: Range,
    /// `end == 0` means unlimited (argus's `eNoflag` default).
    pub output: Range,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { input: Range { start: -1, end: -1 }, output: Range { start: 0, end: 0 } }
    }
}

/// `-N` text that is not a number where one is needed (argus prints its usage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLimit(pub String);

impl fmt::Display for BadLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad -N value '{}'", self.0)
    }
}

/// C `strtol(s, &end, 10)`: leading blanks, optional sign, digits. Returns
/// the value and the unparsed rest, or `None` when no digit was read.
pub fn strtol(s: &str) -> Option<(i64, &str)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let mut v: i64 = 0;
    for b in body[..digits].bytes() {
        v = v.saturating_mul(10).saturating_add((b - b'0') as i64);
    }
    Some((if neg { -v } else { v }, &body[digits..]))
}

/// C `atoi`: like [`strtol`] but 0 when there is no number.
pub fn atoi(s: &str) -> i64 {
    strtol(s).map_or(0, |(v, _)| v).clamp(i32::MIN as i64, i32::MAX as i64)
}

impl Limits {
    /// Applies one `-N` argument.
    pub fn apply(&mut self, arg: &str) -> Result<(), BadLimit> {
        let bad = || BadLimit(arg.to_string());
        let mut text = arg;
        let mut stream = Stream::Input;
        if let Some(rest) = text.strip_prefix('o') {
            stream = Stream::Output;
            text = rest;
        }
        if let Some(rest) = text.strip_prefix('i') {
            stream = Stream::Input;
            text = rest;
        }
        let range = if let Some((a, b)) = text.split_once('-') {
            let (start, _) = strtol(a).ok_or_else(bad)?;
            let (end, _) = strtol(b).ok_or_else(bad)?;
            Range { start, end }
        } else if let Some((a, b)) = text.split_once('+') {
            let (start, _) = strtol(a).ok_or_else(bad)?;
            let (len, _) = strtol(b).ok_or_else(bad)?;
            Range { start, end: start.saturating_add(len) }
        } else {
            let (end, _) = strtol(text).ok_or_else(bad)?;
            Range { start: 0, end }
        };
        match stream {
            Stream::Input => self.input = range,
            Stream::Output => self.output = range,
        }
        Ok(())
    }

    /// True when `-N 0` (or an equivalent) asks for no input at all.
    pub fn reads_nothing(&self) -> bool {
        self.input.end == 0
    }
}

/// The running input count and stop decision (argus's `ArgusTotalRecords`
/// checked against `sNflag`/`eNflag`).
#[derive(Clone, Debug)]
pub struct InputCounter {
    start: i64,
    end: i64,
    /// Records counted so far (connections + matched records).
    pub total: i64,
}

impl InputCounter {
    pub fn new(limits: &Limits) -> InputCounter {
        InputCounter { start: limits.input.start, end: limits.input.end, total: 0 }
    }

    /// False once the limit has been reached: no further input is opened.
    pub fn wants_more(&self) -> bool {
        self.end != 0
    }

    /// An input was opened and its initial MAR read.
    pub fn connection(&mut self) {
        self.total += 1;
    }

    /// A record passed the filter; returns false when it falls before the
    /// start of the `-N a-b` range and must be skipped. The input's initial
    /// MAR is not counted.
    pub fn matched(&mut self, initial_mar: bool) -> bool {
        if !initial_mar {
            self.total += 1;
        }
        !(self.start > 0 && self.start >= self.total)
    }

    /// Called after every record; true when reading must stop. When the
    /// end has been passed, argus also zeroes the end, which makes the next
    /// record stop the run too: the record after an input's initial MAR is
    /// still processed, because the caller ignores the stop request for the
    /// initial MAR (see [`InputCounter::after_initial_mar`]).
    pub fn after_record(&mut self) -> bool {
        if self.end >= 0 && self.total > self.end {
            self.end = 0;
            true
        } else {
            false
        }
    }

    /// The check after an input's initial MAR: argus zeroes the end but goes
    /// on reading the input, so exactly one more record is processed.
    pub fn after_initial_mar(&mut self) {
        let _ = self.after_record();
    }
}

/// Output ranks (`-N o...`).
#[derive(Clone, Debug)]
pub struct OutputCounter {
    range: Range,
    next_rank: i64,
}

/// What to do with one output record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputDecision {
    Emit,
    Skip,
    /// Past the end of the range: stop producing output.
    Stop,
}

impl OutputCounter {
    pub fn new(limits: &Limits) -> OutputCounter {
        OutputCounter { range: limits.output, next_rank: 1 }
    }

    /// Ranks the next record and decides whether it is emitted.
    pub fn decide(&mut self) -> OutputDecision {
        let rank = self.next_rank;
        self.next_rank += 1;
        if self.range.end == 0 || (self.range.end >= rank && self.range.start <= rank) {
            OutputDecision::Emit
        } else if self.range.end < rank {
            OutputDecision::Stop
        } else {
            OutputDecision::Skip
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(arg: &str) -> Limits {
        let mut l = Limits::default();
        l.apply(arg).unwrap();
        l
    }

    #[test]
    fn all_forms_parse() {
        assert_eq!(parse("5").input, Range { start: 0, end: 5 });
        assert_eq!(parse("5-8").input, Range { start: 5, end: 8 });
        assert_eq!(parse("5+3").input, Range { start: 5, end: 8 });
        assert_eq!(parse("i7").input, Range { start: 0, end: 7 });
        let o = parse("o2-4");
        assert_eq!(o.output, Range { start: 2, end: 4 });
        assert_eq!(o.input, Range { start: -1, end: -1 });
        assert!(parse("0").reads_nothing());
        assert!(Limits::default().apply("x").is_err());
        assert!(Limits::default().apply("3-").is_err());
        assert!(Limits::default().apply("").is_err());
    }

    /// Simulates one input: connection, initial MAR, `n` records; returns
    /// the 1-based numbers of the records that were processed.
    fn run(limits: &Limits, inputs: &[usize]) -> Vec<usize> {
        let mut c = InputCounter::new(limits);
        let mut seen = Vec::new();
        let mut k = 0;
        'outer: for &n in inputs {
            if !c.wants_more() {
                break;
            }
            c.connection();
            c.matched(true);
            c.after_initial_mar();
            for _ in 0..n {
                k += 1;
                if c.matched(false) {
                    seen.push(k);
                }
                if c.after_record() {
                    break 'outer;
                }
            }
        }
        seen
    }

    #[test]
    fn input_ranges_are_inclusive_and_one_based() {
        assert_eq!(run(&parse("5-8"), &[20]), vec![5, 6, 7, 8]);
        assert_eq!(run(&parse("3"), &[20]), vec![1, 2, 3]);
        assert_eq!(run(&parse("2+2"), &[20]), vec![2, 3, 4]);
        assert!(run(&parse("0"), &[20]).is_empty());
    }

    #[test]
    fn a_second_input_counts_its_connection_and_lets_one_record_through() {
        // Debian's ra with two 31-record inputs and -N 32 processes the 31
        // records of the first and the first record of the second.
        assert_eq!(run(&parse("32"), &[31, 31]).len(), 32);
        // -N 30-31: the connection took number 1, so records 30 and 31 are
        // the 29th..30th counted: the 30th record, then the 31st stops.
        assert_eq!(run(&parse("30-31"), &[31, 31]), vec![30, 31]);
    }

    #[test]
    fn output_ranks() {
        let mut o = OutputCounter::new(&parse("o2-3"));
        let d: Vec<_> = (0..4).map(|_| o.decide()).collect();
        assert_eq!(
            d,
            vec![
                OutputDecision::Skip,
                OutputDecision::Emit,
                OutputDecision::Emit,
                OutputDecision::Stop
            ]
        );
        let mut all = OutputCounter::new(&Limits::default());
        assert!((0..100).all(|_| all.decide() == OutputDecision::Emit));
    }
}
