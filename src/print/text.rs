//! Text lines as `ra` composes them (`ArgusPrintRecord`,
//! `ArgusGenerateLabel`): cells padded or cut to their columns and joined by
//! one space, `addr.port` joining, delimited output, the header line.

use super::cell::Layout;
use super::numfmt::{copy_short, push_bytes, push_spaces, write_digits};
use super::options::{Column, PrintOptions, UserDataEncoding};
use crate::record::field::FieldId;

/// How cells are put side by side.
#[derive(Clone, Copy, Debug)]
pub struct LineStyle {
    /// The delimiter of delimited output (`-c x`, not a space).
    pub delimiter: Option<u8>,
    /// `RA_FIELD_QUOTED`.
    pub quote: Option<u8>,
    pub variable: bool,
    /// `addr.port` joining (no delimiter at all, and the rc switch on).
    pub join_ports: bool,
}

impl LineStyle {
    pub fn new(o: &PrintOptions) -> LineStyle {
        let delimiter = o.delimiter.filter(|&d| d != b' ' && d != 0);
        LineStyle {
            delimiter,
            quote: o.quote,
            variable: o.variable_width,
            join_ports: o.delimiter.is_none_or(|d| d == 0) && o.separate_addr_port,
        }
    }
}

/// Fits `text` into a column as `layout` says; appends to `out`.
pub fn fit(out: &mut Vec<u8>, text: &[u8], layout: Layout, width: usize, variable: bool) {
    let pad = push_spaces;
    match layout {
        Layout::Skip => {}
        Layout::Right | Layout::Left | Layout::LeftMin if variable => push_bytes(out, text),
        Layout::Right => {
            if text.len() > width {
                push_bytes(out, &text[..width.saturating_sub(1)]);
                out.push(b'*');
            } else {
                pad(out, width - text.len());
                push_bytes(out, text);
            }
        }
        Layout::Left => {
            if text.len() > width {
                push_bytes(out, &text[..width.saturating_sub(1)]);
                out.push(b'*');
            } else {
                push_bytes(out, text);
                pad(out, width - text.len());
            }
        }
        Layout::LeftMin => {
            push_bytes(out, text);
            pad(out, width.saturating_sub(text.len()));
        }
        Layout::Padded => {
            let t = &text[..text.len().min(width)];
            pad(out, width - t.len());
            push_bytes(out, t);
        }
        Layout::LeftWidth(n) => {
            let t = &text[..text.len().min(n)];
            push_bytes(out, t);
            pad(out, n - t.len());
        }
    }
}

/// Builds lines cell by cell, straight into the output buffer.
pub struct LineBuilder<'a> {
    out: &'a mut Vec<u8>,
    start: usize,
    style: LineStyle,
    /// The line belongs to a flow record (management records never get
    /// `addr.port` joining).
    flow: bool,
    prev: Option<FieldId>,
}

impl<'a> LineBuilder<'a> {
    pub fn new(out: &'a mut Vec<u8>, style: LineStyle, flow: bool) -> LineBuilder<'a> {
        let start = out.len();
        LineBuilder { out, start, style, flow, prev: None }
    }

    /// Adds the cell of `field`, whose raw text is `text`.
    pub fn push(&mut self, field: FieldId, text: &[u8], layout: Layout, width: usize) {
        let prev = self.prev.replace(field);
        if layout == Layout::Skip {
            return;
        }
        let cell = self.out.len();
        let n = text.len();
        if !self.style.variable
            && matches!(layout, Layout::Right | Layout::Left)
            && width < 64
            && n <= width
            && n <= 32
        {
            // The common case in one fixed-size write: the cell padded to
            // its width, and its trailing blank.
            // Blanks first, then the text over them, straight in the
            // output (a stack buffer copied afterwards stalls on the
            // reload of its narrow stores).
            let at = if layout == Layout::Right { width - n } else { 0 };
            self.out.extend_from_slice(&[b' '; 64]);
            copy_short(&mut self.out[cell + at..], text);
            self.out.truncate(cell + width + 1);
        } else {
            fit(self.out, text, layout, width, self.style.variable);
            // ra drops one trailing blank of the printer's text and adds one.
            self.out.push(b' ');
        }
        if self.style.join_ports
            && self.flow
            && cell > self.start
            && matches!(
                (prev, field),
                (Some(FieldId::Saddr), FieldId::Sport) | (Some(FieldId::Daddr), FieldId::Dport)
            )
            && self.out[cell - 1] == b' '
            && self.out[cell..].iter().any(|c| !c.is_ascii_whitespace())
        {
            self.out[cell - 1] = b'.';
        }
        let Some(d) = self.style.delimiter else { return };
        if field != FieldId::Flgs {
            while self.out.len() > cell && self.out.last().is_some_and(u8::is_ascii_whitespace) {
                self.out.pop();
            }
        }
        if let Some(q) = self.style.quote {
            if self.out.len() > cell {
                let text: Vec<u8> = self.out.split_off(cell);
                let needs = text.iter().any(|&c| c == q || c == d);
                if needs {
                    self.out.push(q);
                }
                for &c in &text {
                    self.out.push(c);
                    if c == q {
                        self.out.push(q);
                    }
                }
                if needs {
                    self.out.push(q);
                }
            }
        }
        self.out.push(d);
    }

    /// Adds a right-aligned decimal counter cell, its digits written in
    /// place; false (nothing written) when it does not fit the width.
    pub fn push_count(&mut self, field: FieldId, n: u64, width: usize) -> bool {
        let digits = n.checked_ilog10().unwrap_or(0) as usize + 1;
        if digits > width || width >= 64 {
            return false;
        }
        self.prev = Some(field);
        let cell = self.out.len();
        self.out.extend_from_slice(&[b' '; 64]);
        self.out.truncate(cell + width + 1);
        write_digits(&mut self.out[cell + width - digits..cell + width], n);
        true
    }

    /// Ends the line: trailing blanks go, then one trailing delimiter.
    pub fn finish(self) {
        while self.out.len() > self.start && self.out.last().is_some_and(u8::is_ascii_whitespace) {
            self.out.pop();
        }
        if let Some(d) = self.style.delimiter {
            if self.out.len() > self.start && self.out.last() == Some(&d) {
                self.out.pop();
            }
        }
    }
}

/// The header label of one column as `ra`'s label printer writes it, with
/// its trailing blank; `None` where `ra` writes nothing (`tcpext`).
fn label_cell(o: &PrintOptions, col: &Column) -> Option<Vec<u8>> {
    let def = col.field.def();
    let text = if o.rmon { def.rmon_label } else { def.label };
    let mut len = col.width;
    match col.field {
        FieldId::Tcpext => return None,
        FieldId::Stime | FieldId::Ltime => len += o.precision,
        FieldId::Sstime | FieldId::Sltime | FieldId::Dstime | FieldId::Dltime => {
            len += o.precision + 1
        }
        FieldId::Suser | FieldId::Duser => {
            let mut slen = match o.userdata {
                UserDataEncoding::Encode32 | UserDataEncoding::Encode64 => len * 2,
                _ => len,
            };
            if len > 10 {
                slen += 1;
            }
            let half = (slen / 2).max(1);
            let mut s = Vec::new();
            s.resize(half, b' ');
            s.extend_from_slice(text.as_bytes());
            s.resize(s.len() + half, b' ');
            s.push(b' ');
            if slen & 1 == 1 {
                s.push(b' ');
            }
            return Some(s);
        }
        _ => {}
    }
    match col.field {
        FieldId::Seq | FieldId::Rank | FieldId::Bins | FieldId::Binnum => {
            return Some(centered_label(text, len, col.field != FieldId::Rank));
        }
        FieldId::Load | FieldId::Sload | FieldId::Dload if o.app_load_labels => {
            let t = match col.field {
                FieldId::Load => "AppLoad",
                FieldId::Sload => "SrcAppLoad",
                _ => "DstAppLoad",
            };
            return Some(right_label(t, len));
        }
        _ => {}
    }
    Some(right_label(text, len))
}

fn right_label(text: &str, len: usize) -> Vec<u8> {
    let t = &text.as_bytes()[..text.len().min(len)];
    let mut s = vec![b' '; len - t.len()];
    s.extend_from_slice(t);
    s.push(b' ');
    s
}

/// `ra`'s centred labels (`Seq`, `Rank`, `Bin`, `Bins`): the label between
/// two runs of (width - label)/2 blanks (at least one each), one more blank
/// for even widths, and (except `Rank`) the usual trailing blank.
fn centered_label(text: &str, len: usize, trailing: bool) -> Vec<u8> {
    let half = ((len as i64 - text.len() as i64) / 2).unsigned_abs().max(1) as usize;
    let mut s = vec![b' '; half];
    s.extend_from_slice(text.as_bytes());
    s.resize(s.len() + half, b' ');
    if trailing {
        s.push(b' ');
    }
    if len.is_multiple_of(2) {
        s.push(b' ');
    }
    s
}

/// The header line (without newline), as `ra`'s `ArgusGenerateLabel`.
pub fn header(o: &PrintOptions) -> Vec<u8> {
    let style = LineStyle::new(o);
    let mut line = Vec::new();
    for col in &o.columns {
        let cell = label_cell(o, col);
        if style.variable {
            let trimmed: &[u8] = match &cell {
                Some(c) => c.trim_ascii(),
                None => b"(null)",
            };
            let trimmed = if trimmed.is_empty() { &b"(null)"[..] } else { trimmed };
            line.extend_from_slice(trimmed);
            line.push(b' ');
        } else if let Some(c) = cell {
            line.extend_from_slice(&c);
        }
    }
    if let Some(d) = style.delimiter {
        // Runs of blanks become one delimiter; a trailing one goes.
        let mut out = Vec::with_capacity(line.len());
        let mut last = d;
        let mut i = 0;
        while i < line.len() {
            if line[i] == b' ' {
                if last != d {
                    out.push(d);
                }
                while i < line.len() && line[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i >= line.len() {
                    break;
                }
            }
            last = line[i];
            out.push(line[i]);
            i += 1;
        }
        if out.last() == Some(&d) {
            out.pop();
        }
        if let Some(q) = style.quote {
            let mut quoted = Vec::with_capacity(out.len() + 16);
            for (i, part) in out.split(|&c| c == d).filter(|p| !p.is_empty()).enumerate() {
                if i > 0 {
                    quoted.push(d);
                }
                quoted.push(q);
                quoted.extend_from_slice(part);
                quoted.push(q);
            }
            out = quoted;
        }
        line = out;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_header() {
        let o = PrintOptions::default();
        assert_eq!(
            String::from_utf8(header(&o)).unwrap(),
            "         StartTime      Flgs  Proto            SrcAddr  Sport   Dir            DstAddr  Dport  TotPkts   TotBytes State "
        );
    }

    #[test]
    fn delimited_header_trims_labels() {
        let mut o = PrintOptions::default();
        o.set_delimiter(b',');
        o.apply_field_spec(&["stime", "saddr:4", "appbytes", "tcpext"]).unwrap();
        assert_eq!(String::from_utf8(header(&o)).unwrap(), "StartTime,SrcA,TotAppByte,(null)");
    }

    #[test]
    fn fitting_cells() {
        let f = |t: &[u8], l, w, v| {
            let mut o = Vec::new();
            fit(&mut o, t, l, w, v);
            String::from_utf8(o).unwrap()
        };
        assert_eq!(f(b"udp", Layout::Right, 6, false), "   udp");
        assert_eq!(f(b"ipv6-icmp", Layout::Right, 6, false), "ipv6-*");
        assert_eq!(f(b"http-alt", Layout::Left, 6, false), "http-*");
        assert_eq!(f(b"http", Layout::Left, 6, false), "http  ");
        assert_eq!(f(b"<->", Layout::Padded, 5, true), "  <->");
        assert_eq!(f(b"udp", Layout::Right, 6, true), "udp");
    }
}
