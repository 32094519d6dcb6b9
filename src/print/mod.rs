//! How records become text: `ra`-compatible fixed-width columns, delimited
//! text (`-c`), `-M xml`, and argus-tool's `-M json`.
//!
//! The client fills a [`PrintOptions`] (from `-s`, `-c`, `-n`, `-p`, `-u`,
//! `-L`, `-z`, `-Z`, `-H`, `-M ...` and the `RA_*` variables), makes a
//! [`Printer`] and feeds it records; the printer appends whole lines to a
//! caller-owned buffer, which the caller writes out in large blocks. No
//! allocation happens per field or per record on the text path.
//!
//! ```text
//! let mut p = Printer::new(opts);
//! p.set_source(&initial_mar);          // XML header facts (per input)
//! for rec in records { p.print(&rec, &mut buf); if buf.len() > 1 << 16 { flush } }
//! p.finish(&mut buf);                  // XML closing tag
//! ```
//!
//! Field values come from `record::field` (the canonical view `ra` derives
//! from each record); this module only decides their text.

pub mod addr;
mod cell;
mod fixed;
mod json;
mod names;
pub(crate) mod numfmt;
pub mod options;
mod text;
pub mod timefmt;
mod xml;

/// The line that closes an XML document ([`Printer::finish`]).
pub const XML_END: &[u8] = b"</ArgusDataStream>\n";

pub use options::{
    CidrMode, Column, FieldSpecError, Format, LabelMode, NameMode, PrintOptions, UserDataEncoding,
};

use crate::record::field::{View, ViewOptions};
use crate::record::{Mar, Record};
use cell::{CellWriter, Layout};
use text::{LineBuilder, LineStyle};

/// Formats records as one output (one `ra` invocation) does.
pub struct Printer {
    opts: PrintOptions,
    cells: CellWriter,
    style: LineStyle,
    header: Vec<u8>,
    /// Records (flows and management records) passed to the label logic.
    labelled: u64,
    /// Flow records printed (`rank`).
    flows: u64,
    scratch: Vec<u8>,
    source: Option<Mar>,
    xml_started: bool,
    view_opts: ViewOptions,
    /// Fixed-width text (no `-c`, no abbreviation): flow lines are written
    /// in place by `fixed::flow_line`, with these column writers.
    fixed: Option<Vec<fixed::Slot>>,
    /// Bytes a fixed-width line usually takes.
    line_estimate: usize,
}

impl Printer {
    pub fn new(opts: PrintOptions) -> Printer {
        let markup = opts.format != Format::Text;
        let mut cells = CellWriter::new(&opts, opts.format == Format::Xml);
        if markup {
            cells.variable = true;
            cells.markup = true;
        }
        let header = text::header(&opts);
        let style = LineStyle::new(&opts);
        let view_opts = ViewOptions {
            rmon: opts.rmon,
            known_tcp_service: (opts.names == NameMode::All)
                .then_some(names::known_tcp_service as fn(u16) -> bool),
        };
        let fixed = (opts.format == Format::Text
            && style.delimiter.is_none()
            && !style.variable
            && !opts.abbreviate)
            .then(|| {
                let mut prev = None;
                let slots = opts.columns.iter().map(|c| {
                    let s = fixed::Slot::new(c, prev, style.join_ports);
                    prev = Some(c.field);
                    s
                });
                slots.collect()
            });
        // A guess (cells that need more make room): the columns, two of
        // them widened by the precision as times are.
        let line_estimate =
            opts.columns.iter().map(|c| c.width + 1).sum::<usize>() + 2 * opts.precision + 16;
        Printer {
            fixed,
            line_estimate,
            opts,
            cells,
            style,
            header,
            labelled: 0,
            flows: 0,
            scratch: Vec::with_capacity(256),
            source: None,
            xml_started: false,
            view_opts,
        }
    }

    pub fn options(&self) -> &PrintOptions {
        &self.opts
    }

    /// The header line, without its newline (empty for XML and JSON).
    pub fn header(&self) -> &[u8] {
        match self.opts.format {
            Format::Text => &self.header,
            _ => &[],
        }
    }

    /// The reader options that make `record::field::View`s agree with what
    /// this printer shows (for callers that derive views themselves).
    pub fn view_options(&self) -> ViewOptions {
        self.view_opts
    }

    /// Tells the printer about the initial management record of the input
    /// being read (the XML header shows its start time, interface and
    /// network).
    pub fn set_source(&mut self, initial: &Mar) {
        if self.source.is_none() {
            self.source = Some(initial.clone());
        }
    }

    /// Prints one record (a flow record twice under `-M rmon`).
    pub fn print(&mut self, rec: &Record, out: &mut Vec<u8>) {
        self.print_at(rec, None, out);
    }

    /// As [`Printer::print`], with the record's byte offset in its input
    /// (the `offset` field).
    pub fn print_at(&mut self, rec: &Record, offset: Option<u64>, out: &mut Vec<u8>) {
        self.cells.offset = offset;
        let view = View::with_options(rec, self.view_opts);
        self.print_view(&view, out);
        if self.opts.rmon {
            if let Some(rev) = view.rmon_reversed() {
                self.print_view(&rev, out);
            }
        }
    }

    /// As [`Printer::print_at`] but one line per record even under
    /// `-M rmon` (rasort shows rmon labels without doubling records).
    pub fn print_single(&mut self, rec: &Record, offset: Option<u64>, out: &mut Vec<u8>) {
        self.cells.offset = offset;
        let view = View::with_options(rec, self.view_opts);
        self.print_view(&view, out);
    }

    /// Counts `n` flow records as ranked but not printed (`-N o` ranges
    /// that start later): the `rank` of the next printed record is its
    /// place among all ranked records.
    pub fn skip_ranks(&mut self, n: u64) {
        self.flows += n;
    }

    /// Prints one already derived view (no rmon doubling here).
    pub fn print_view(&mut self, view: &View, out: &mut Vec<u8>) {
        if !view.is_mar() {
            self.flows += 1;
            self.cells.rank = self.flows;
        } else {
            self.cells.rank = 0;
        }
        match self.opts.format {
            Format::Text => self.print_text(view, out),
            Format::Xml => {
                if !self.xml_started {
                    xml::prologue(self, view, out);
                    self.xml_started = true;
                }
                xml::record(self, view, out);
            }
            Format::Json => json::record(self, view, out),
        }
    }

    /// Marks the opening of the output (the `-L` header, the XML prologue)
    /// as written elsewhere: for printers that print one chunk of a
    /// parallel run, whose opening [`Printer::opening`] gives once.
    pub fn detach(&mut self) {
        self.labelled = 1;
        self.xml_started = true;
    }

    /// What a fresh printer writes before its first record `rec`: the
    /// header line (`-L` once) or the XML prologue; empty otherwise.
    pub fn opening(&mut self, rec: &Record) -> Vec<u8> {
        let mut out = Vec::new();
        match self.opts.format {
            Format::Text => {
                if self.opts.labels == LabelMode::Once {
                    out.extend_from_slice(&self.header);
                    out.push(b'\n');
                }
            }
            Format::Xml => {
                let view = View::with_options(rec, self.view_opts);
                xml::prologue(self, &view, &mut out);
            }
            Format::Json => {}
        }
        out
    }

    /// True when the output depends on the records printed before (output
    /// ranks, relative times, repeated headers): such output cannot be
    /// printed in independent chunks.
    pub fn needs_order(&self) -> bool {
        use crate::record::field::FieldId;
        matches!(self.opts.labels, LabelMode::Every(_))
            || self.opts.columns.iter().any(|c| matches!(c.field, FieldId::Rank | FieldId::Rtime))
    }

    /// Ends the output (closes the XML document).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.opts.format == Format::Xml && self.xml_started {
            out.extend_from_slice(XML_END);
            self.xml_started = false;
        }
    }

    fn print_text(&mut self, view: &View, out: &mut Vec<u8>) {
        let due = match self.opts.labels {
            LabelMode::Never => false,
            LabelMode::Once => self.labelled == 0,
            LabelMode::Every(n) => self.labelled.is_multiple_of(n as u64),
        };
        self.labelled += 1;
        if due {
            out.extend_from_slice(&self.header);
            out.push(b'\n');
        }
        if let (Some(slots), View::Flow(f)) = (&self.fixed, view) {
            fixed::flow_line(
                &mut self.cells,
                &self.opts.columns,
                slots,
                self.line_estimate,
                view,
                f,
                &mut self.scratch,
                out,
            );
            if self.opts.userdata == UserDataEncoding::Hex {
                self.hex_dumps(view, out);
            }
            out.push(b'\n');
            return;
        }
        let mut line = LineBuilder::new(out, self.style, !view.is_mar());
        // Counters in fixed columns (the common case) go straight in.
        let direct =
            self.style.delimiter.is_none() && !self.style.variable && !self.opts.abbreviate;
        for col in &self.opts.columns {
            if direct {
                if let Some(n) = view.as_flow().and_then(|f| plain_count(f, col.field)) {
                    if line.push_count(col.field, n, col.width) {
                        continue;
                    }
                }
            }
            self.scratch.clear();
            let (layout, width) = self.cells.write(col, view, &mut self.scratch);
            line.push(col.field, &self.scratch, layout, width);
        }
        line.finish();
        if self.opts.userdata == UserDataEncoding::Hex {
            self.hex_dumps(view, out);
        }
        out.push(b'\n');
    }

    /// `-M printer=hex`: a hex dump of each user data column after the
    /// record line.
    fn hex_dumps(&self, view: &View, out: &mut Vec<u8>) {
        use crate::record::field::FieldId;
        let View::Flow(f) = view else { return };
        for col in &self.opts.columns {
            let src = match col.field {
                FieldId::Suser => true,
                FieldId::Duser => false,
                _ => continue,
            };
            let (s, d) = f.user_data();
            if let Some(u) = if src { s } else { d } {
                let n = u.data.len().min(col.width);
                hex_dump(out, &u.data[..n], b"      ");
            }
        }
    }
}

/// The value of a packet or byte counter column, for the direct path.
fn plain_count(
    v: &crate::record::field::FlowView,
    id: crate::record::field::FieldId,
) -> Option<u64> {
    use crate::record::field::{FieldId, StateStyle, Value};
    match id {
        FieldId::Pkts => v.metrics().map(|[s, d]| s.pkts.wrapping_add(d.pkts)),
        FieldId::Bytes => v.metrics().map(|[s, d]| s.bytes.wrapping_add(d.bytes)),
        FieldId::Spkts | FieldId::Dpkts | FieldId::Sbytes | FieldId::Dbytes => {
            match v.value(id, StateStyle::Words) {
                Value::U64(n) => Some(n),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `ArgusDump`: 16 bytes a line, `\n<prefix>0xOOOO\t<hex>\t<ascii>`, then a
/// newline.
fn hex_dump(out: &mut Vec<u8>, data: &[u8], prefix: &[u8]) {
    let graph = |c: u8| if c.is_ascii_graphic() { c } else { b'.' };
    for (n, chunk) in data.chunks(16).enumerate() {
        out.push(b'\n');
        out.extend_from_slice(prefix);
        out.extend_from_slice(b"0x");
        numfmt::push_hex(out, (n * 16) as u64, 4);
        out.push(b'\t');
        let mut hex = Vec::with_capacity(40);
        for pair in chunk.chunks(2) {
            hex.push(b' ');
            for &c in pair {
                numfmt::push_hex(&mut hex, c as u64, 2);
            }
        }
        out.extend_from_slice(&hex);
        out.resize(out.len() + 40usize.saturating_sub(hex.len()), b' ');
        out.push(b'\t');
        out.extend(chunk.iter().map(|&c| graph(c)));
    }
    out.push(b'\n');
}

/// Text of one cell without padding, for the markup formats; `None` when
/// `ra`'s printer writes nothing or only blanks.
fn raw_cell<'a>(p: &'a mut Printer, col: &Column, view: &View) -> Option<&'a [u8]> {
    p.scratch.clear();
    let (layout, _) = p.cells.write(col, view, &mut p.scratch);
    if layout == Layout::Skip || p.scratch.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(&p.scratch)
    }
}
