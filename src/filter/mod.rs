//! The Argus client filter language: grammar (pest), compiler, and the
//! compiled evaluator over records. pest types never leave this module.
//!
//! The public surface is [`Filter::compile`] and [`Filter::matches`]; every
//! role that takes a filter (ra, rasort, racount, ramon, raxml, `-w file
//! "filter"`, `RA_FILTER`) goes through it. The language and its meaning
//! are those of argus-clients 3.0.8.2 (see `docs/filter.md`); the places
//! where 3.0.8.2 is evidently wrong and we are not are listed in
//! `docs/differences.md`.
//!
//! Module map: `grammar.pest` + `syntax` (scanner and parser), `build`
//! (parse tree to tests, qualifier inheritance), `gen` (what each primitive
//! tests), `qual` (qualifiers), `numbers` (the scanner's number forms),
//! `lookup` (names), `node` (the compiled tree), `canon` (the record as the
//! filter reads it, on top of `record::field`'s canonical view).

mod build;
mod bytes;
mod canon;
mod gen;
mod lookup;
mod node;
mod numbers;
mod prog;
mod qual;
mod raw;
mod syntax;

use crate::record::field::ViewOptions;
use crate::record::{Record, Slot};
use node::Fields;
use std::fmt;

/// A compiled filter expression.
#[derive(Debug, Clone)]
pub struct Filter {
    root: node::Node,
    reads_key: bool,
    /// The record slots evaluation reads, see [`Filter::slots`].
    slots: Vec<Slot>,
    /// How `ra` reads records (its direction corrections depend on `-n`).
    view: ViewOptions,
    reads_raw: bool,
    /// [`Filter::matches_bytes`] can judge records of this filter from
    /// their DSRs ([`bytes`]), or even straight from their bytes ([`raw`]).
    bytes_ok: bool,
    /// The filter flattened for [`raw`] (filters of the fields it reads).
    raw: Option<prog::Program>,
    /// The filter reads the TCP object.
    reads_net: bool,
    /// The DSRs [`Filter::matches_bytes`] decodes.
    bytes_slots: bytes::SlotBits,
    /// The client turns TCP flows of unknown direction round before it
    /// filters them ([`Filter::set_port_direction`]).
    port_direction: bool,
    /// 10^precision: floats are compared after rounding to this many
    /// decimals, as the real tools do (their `-p` option).
    scale: f64,
}

/// What [`Filter::judge_stored`] says about a stored flow record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredVerdict {
    /// The record passes the filter.
    pub pass: bool,
    /// Source plus destination packets (0 without a METER DSR, and for a
    /// record that fails).
    pub pkts: u64,
    /// Source plus destination bytes (0 without a METER DSR, and for a
    /// record that fails).
    pub bytes: u64,
}

/// Why a filter expression could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// What went wrong, in the words the real tools use where they have any
    /// (`port 'http' is tcp`, `illegal char 'a'`), else `syntax error`.
    pub message: String,
    /// Byte offset in the expression where the problem was found.
    pub position: usize,
    /// The token at that position (empty at the end of the expression).
    pub token: String,
    /// Whether the real tools print `message` on its own line before the
    /// generic `filter syntax error` line.
    pub has_detail: bool,
}

impl FilterError {
    /// The lines the real tools print for this error, in order (each is
    /// logged as `prog[pid]: time line`): the specific message if there is
    /// one, then `filter syntax error: 'EXPR'`, the expression cut to 20
    /// characters and ` ...` when it is longer.
    pub fn report_lines(&self, expr: &str) -> Vec<String> {
        let mut lines = Vec::new();
        if self.has_detail {
            lines.push(self.message.clone());
        }
        let shown = if expr.chars().count() > 20 {
            format!("{} ...", expr.chars().take(20).collect::<String>())
        } else {
            expr.to_owned()
        };
        lines.push(format!("filter syntax error: '{shown}'"));
        lines
    }

    /// Logs [`FilterError::report_lines`] through `crate::diag::log`.
    pub fn log(&self, prog: &str, expr: &str) {
        for line in self.report_lines(expr) {
            crate::diag::log(prog, &line);
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.token.is_empty() {
            write!(f, "{} at position {} (end of expression)", self.message, self.position)
        } else {
            write!(f, "{} at position {} ('{}')", self.message, self.position, self.token)
        }
    }
}

impl std::error::Error for FilterError {}

/// How to compile a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompileOptions {
    /// Resolve host names (`host NAME`, `srcid NAME`, `gateway NAME`) with
    /// getaddrinfo, as the real tools do. Off, every name is unknown — for
    /// callers that must not wait on DNS.
    pub resolve_names: bool,
}

impl Default for CompileOptions {
    fn default() -> CompileOptions {
        CompileOptions { resolve_names: true }
    }
}

impl Filter {
    /// Compiles `expr`. An empty expression accepts every record.
    pub fn compile(expr: &str) -> Result<Filter, FilterError> {
        Filter::compile_with(expr, &CompileOptions::default())
    }

    /// Compiles `expr` with `options`.
    pub fn compile_with(expr: &str, options: &CompileOptions) -> Result<Filter, FilterError> {
        let root = lookup::with_resolution(options.resolve_names, || compile_tree(expr))?;
        // The canonical view itself reads these: direction corrections need
        // the key, counters and TCP object, time repairs the ICMP event.
        let mut slots = vec![Slot::Key, Slot::Time, Slot::Metrics, Slot::Network, Slot::Icmp];
        let reads_raw = root.collect_slots(&mut slots);
        let mut own = Vec::new();
        root.collect_slots(&mut own);
        Ok(Filter {
            reads_key: root.reads_key(),
            bytes_ok: !reads_raw && !root.reads_float(),
            raw: if root.reads_only(raw::supports) { prog::Program::compile(&root) } else { None },
            reads_net: root.reads_any(raw::is_net),
            bytes_slots: bytes::SlotBits::of(&own),
            port_direction: false,
            root,
            slots,
            reads_raw,
            view: ViewOptions::default(),
            scale: 1e6,
        })
    }

    /// The DSR slots [`Filter::matches`] reads: a caller that decodes
    /// records only to filter them can decode just these
    /// (`codec::DecodeOptions::read_only`).
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// Whether the filter reads DSRs the model keeps only as raw bytes
    /// (ASN, country code, behaviour, correlation): then records must be
    /// decoded with their layout.
    pub fn reads_raw_dsrs(&self) -> bool {
        self.reads_raw
    }

    /// Sets the number of decimals floats are compared at (`ra -p`; the
    /// default is 6).
    pub fn set_precision(&mut self, digits: u32) {
        self.scale = 10f64.powi(digits.min(30) as i32);
    }

    /// Reads records the way the printers do under these options (`ra -nnn`
    /// turns more TCP flows round: `ViewOptions::known_tcp_service`). Use
    /// the options the printer gets, so that the filter sees what is
    /// printed.
    pub fn set_view_options(&mut self, options: ViewOptions) {
        self.view = options;
    }

    /// Tells the filter that the client turns TCP flows of unknown
    /// direction round before filtering them (`RA_PORT_DIRECTION`):
    /// [`Filter::matches_bytes`] then leaves such flows to a decode.
    pub fn set_port_direction(&mut self, on: bool) {
        self.port_direction = on;
    }

    /// Judges a record from its stored bytes (header included), decoding
    /// only the DSRs the filter reads: `Some(verdict)`, the same as
    /// [`Filter::matches`] gives for the decoded record, or `None` when
    /// the record must be decoded whole to be judged (a record `ra`
    /// corrects on reading, an irregular one, a management record, or a
    /// filter on values only the whole record gives: durations, rates,
    /// loads, ASN/country-code DSRs). For clients that only select records.
    pub fn matches_bytes(&self, record: &[u8]) -> Option<bool> {
        self.matches_raw(record).or_else(|| bytes::matches(self, record))
    }

    /// The verdict straight from the stored bytes ([`raw`]), if it can
    /// be given.
    fn matches_raw(&self, record: &[u8]) -> Option<bool> {
        let program = self.raw.as_ref()?;
        let view = raw::RawView::new(record, &self.view, self.reads_net, self.port_direction)?;
        Some(program.run(|field| view.int(field)))
    }

    /// Judges a flow record straight from its stored bytes (header
    /// included), with no decode at all: `Some` with the verdict
    /// [`Filter::matches`] gives for the decoded record and, when it
    /// passes, the record's packet and byte counts (both directions, as the
    /// `-A` totals sum them), or `None` when the record must be decoded (see
    /// [`raw::RawView::new`] for what is declined). The fast path of a
    /// client that only writes the records it selects (`ra -w`).
    pub fn judge_stored(&self, record: &[u8]) -> Option<StoredVerdict> {
        let program = self.raw.as_ref()?;
        let view = raw::RawView::new(record, &self.view, self.reads_net, self.port_direction)?;
        let pass = program.run(|field| view.int(field));
        // (Only a record that passes is counted.)
        let (pkts, bytes) = if pass { view.totals() } else { (0, 0) };
        Some(StoredVerdict { pass, pkts, bytes })
    }

    /// The verdicts of the two bytes-level readers [`Filter::matches_bytes`]
    /// tries in turn: straight from the bytes, and from the decoded DSRs
    /// the filter reads; then [`Filter::judge_stored`]'s. For tests, which
    /// check each against [`Filter::matches`].
    #[doc(hidden)]
    pub fn matches_bytes_each(&self, record: &[u8]) -> [Option<bool>; 3] {
        let stored = self.judge_stored(record).map(|v| v.pass);
        [self.matches_raw(record), bytes::matches(self, record), stored]
    }

    /// True when `record` passes the filter.
    pub fn matches(&self, record: &Record) -> bool {
        let lazy = canon::Lazy::default();
        let view = canon::View::new(record, self.reads_key, self.view, &lazy);
        let ctx = node::Ctx { scale: self.scale };
        self.root.eval(&view, &ctx).unwrap_or(false)
    }
}

/// The deepest nesting of parentheses and negations accepted. The real
/// parser gives up at a stack of 10000 symbols; this bound keeps compiling
/// within a small thread stack and is far beyond any real filter.
const MAX_NESTING: usize = 1000;

fn compile_tree(expr: &str) -> Result<node::Node, FilterError> {
    if let Some((position, token)) = syntax::too_deep(expr, MAX_NESTING) {
        return Err(FilterError {
            message: "syntax error".into(),
            position,
            token,
            has_detail: false,
        });
    }
    match syntax::parse(expr) {
        Ok(tree) => build::filter(tree).map_err(|f| failure_error(expr, f)),
        // The real compiler generates code while it parses: an error in a
        // primitive before the bad token is reported first.
        Err(syntax::SyntaxFailure::Lexical { position, token, message }) => {
            Err(prefix_error(expr, position).unwrap_or(FilterError {
                message,
                position,
                token,
                has_detail: true,
            }))
        }
        Err(syntax::SyntaxFailure::Grammar { position, token }) => {
            Err(prefix_error(expr, position).unwrap_or(FilterError {
                message: "syntax error".into(),
                position,
                token,
                has_detail: false,
            }))
        }
    }
}

/// The compile error the real tools report before the syntax error at
/// `limit`: their parser generates each primitive as soon as it has read it
/// (and the token after it, unless the primitive ends in a plain value), so
/// an error in a primitive before `limit` comes first. The primitives are
/// found by compiling the longest prefix that parses once its open
/// parentheses are closed.
fn prefix_error(expr: &str, limit: usize) -> Option<FilterError> {
    let toks = syntax::tokens(expr).0;
    // Only the prefixes ending near the error can hold the primitive the
    // real parser was reducing; a bound keeps garbage input cheap.
    let mut attempts = 0;
    for i in (1..=toks.len()).rev() {
        let prev = &toks[i - 1];
        let end = prev.start + prev.text.len();
        let (cut, separated) = match toks.get(i) {
            Some(t) => (t.start, matches!(t.text, "and" | "or" | "&&" | "||" | ")")),
            // After the last token: the end, or a character no token takes.
            None => (end, expr.get(end..).is_some_and(|r| r.trim().is_empty())),
        };
        let complete = prev.value;
        let at_limit = cut == limit || expr.get(cut..limit).is_some_and(|g| g.trim().is_empty());
        if cut > limit || !(separated || (at_limit && complete) || prev.text == "]") {
            continue;
        }
        attempts += 1;
        if attempts > 32 {
            break;
        }
        let depth = toks[..i].iter().fold(0i64, |d, t| match t.text {
            "(" => d + 1,
            ")" => d - 1,
            _ => d,
        });
        // A packet-data load is checked as soon as its `]` is read.
        let relation = if prev.text == "]" { " > 0" } else { "" };
        let closers = ")".repeat(depth.max(0) as usize);
        let candidate = format!("{}{relation}{closers}", expr.get(..cut)?);
        if let Ok(tree) = syntax::parse(&candidate) {
            return build::filter(tree).err().map(|f| failure_error(expr, f));
        }
    }
    None
}

fn failure_error(expr: &str, f: build::Failure) -> FilterError {
    let token = syntax::token_at(expr, f.position);
    match f.error {
        gen::GenError::Detail(message) => {
            FilterError { message, position: f.position, token, has_detail: true }
        }
        gen::GenError::Plain => FilterError {
            message: "syntax error".into(),
            position: f.position,
            token,
            has_detail: false,
        },
    }
}

#[cfg(test)]
mod tests;
