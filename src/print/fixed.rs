//! Fixed-width text lines written in place: the common output (`ra`'s
//! columns, no `-c`, no `-Z`-style abbreviation) of flow records.
//!
//! The line is first laid down as blanks, as long as its columns need;
//! each cell then writes only its text at its place in it and moves the
//! cursor one column on, so padding costs nothing and a cell checks the
//! room left once. The hot cells (times, proto, IPv4 addresses, ports,
//! counters, flags, state, direction) are written straight from the
//! record; every other cell is written by [`CellWriter::write`] into a
//! scratch buffer and fitted as [`super::text::fit`] would.

use super::addr::{ipv6_text, IPV6_TEXT_MAX};
use super::cell::{time_width, CellWriter, Layout, Short};
use super::numfmt::{copy_short, hex4, write_digits};
use super::options::Column;
use crate::record::field::{dir_text, flags_text, state_text, FieldId, FlowView, View};

/// What writes a column's cells, decided once per output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Stime,
    Ltime,
    Proto,
    Addr { src: bool },
    Port { src: bool },
    Count,
    Dir,
    State,
    Flgs,
    Other,
}

/// One column of the fixed-width line.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    pub kind: Kind,
    pub field: FieldId,
    pub width: usize,
    /// The column has no `:fmt` format.
    pub unformatted: bool,
    /// `addr.port` joining: a port column right after its address.
    pub join: bool,
}

impl Slot {
    pub fn new(col: &Column, prev: Option<FieldId>, join_ports: bool) -> Slot {
        use FieldId::*;
        let field = col.field;
        let kind = match field {
            Stime => Kind::Stime,
            Ltime => Kind::Ltime,
            Proto => Kind::Proto,
            Saddr => Kind::Addr { src: true },
            Daddr => Kind::Addr { src: false },
            Sport => Kind::Port { src: true },
            Dport => Kind::Port { src: false },
            Pkts | Bytes | Spkts | Dpkts | Sbytes | Dbytes => Kind::Count,
            Dir => Kind::Dir,
            State => Kind::State,
            Flgs => Kind::Flgs,
            _ => Kind::Other,
        };
        let join =
            join_ports && matches!((prev, field), (Some(Saddr), Sport) | (Some(Daddr), Dport));
        Slot {
            kind,
            field,
            width: col.width,
            unformatted: col.format.as_deref().is_none_or(str::is_empty),
            join,
        }
    }
}

/// Blanks the line starts from.
const BLANKS: [u8; 256] = [b' '; 256];

/// Room every cell asks for beyond its text and width (its trailing blank,
/// a cut marker).
const SLACK: usize = 4;

/// A line being written into the output buffer: `out[pos..]` is blanks.
struct Line<'a> {
    out: &'a mut Vec<u8>,
    start: usize,
    pos: usize,
}

impl<'a> Line<'a> {
    fn new(out: &'a mut Vec<u8>, estimate: usize) -> Line<'a> {
        let start = out.len();
        let mut line = Line { out, start, pos: start };
        line.blanks(estimate);
        line
    }

    /// At least `need` bytes from the cursor on, all blanks.
    #[inline(always)]
    fn room(&mut self, need: usize) -> &mut [u8] {
        if self.pos + need > self.out.len() {
            self.grow(need);
        }
        &mut self.out[self.pos..]
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, need: usize) {
        self.blanks(need + 64);
    }

    /// At least `n` blanks from the cursor on.
    fn blanks(&mut self, n: usize) {
        let want = self.pos + n;
        while self.out.len() < want {
            let n = (want - self.out.len()).min(BLANKS.len());
            self.out.extend_from_slice(&BLANKS[..n]);
        }
    }

    /// A `Layout::Right` cell.
    #[inline(always)]
    fn right(&mut self, text: &[u8], width: usize) {
        let n = text.len();
        let dst = self.room(width.max(n) + SLACK);
        if n <= width {
            put(&mut dst[width - n..], text);
            self.pos += width + 1;
        } else {
            self.cut(text, width);
        }
    }

    /// A `Layout::Left` cell.
    #[inline(always)]
    fn left(&mut self, text: &[u8], width: usize) {
        let n = text.len();
        let dst = self.room(width.max(n) + SLACK);
        if n <= width {
            put(dst, text);
            self.pos += width + 1;
        } else {
            self.cut(text, width);
        }
    }

    /// Text too long for its column: its first width-1 bytes and `*`.
    #[cold]
    fn cut(&mut self, text: &[u8], width: usize) {
        let keep = width.saturating_sub(1);
        let dst = self.room(keep + SLACK);
        dst[..keep].copy_from_slice(&text[..keep]);
        dst[keep] = b'*';
        self.pos += keep + 2;
    }

    /// A right-aligned decimal number.
    #[inline(always)]
    fn number(&mut self, n: u64, width: usize, right: bool) {
        let digits = n.checked_ilog10().unwrap_or(0) as usize + 1;
        if digits > width {
            let mut buf = [0u8; 20];
            write_digits(&mut buf[..digits], n);
            return self.cut(&buf[..digits], width);
        }
        let dst = self.room(width + SLACK);
        let at = if right { width - digits } else { 0 };
        write_digits(&mut dst[at..at + digits], n);
        self.pos += width + 1;
    }

    /// Any cell, as `LineBuilder::push` fits it in fixed-width output.
    fn fit(&mut self, text: &[u8], layout: Layout, width: usize) {
        let n = text.len();
        match layout {
            Layout::Skip => {}
            Layout::Right => self.right(text, width),
            Layout::Left => self.left(text, width),
            Layout::LeftMin => {
                let dst = self.room(width.max(n) + SLACK);
                dst[..n].copy_from_slice(text);
                self.pos += width.max(n) + 1;
            }
            Layout::Padded => {
                let t = &text[..n.min(width)];
                let dst = self.room(width + SLACK);
                dst[width - t.len()..width].copy_from_slice(t);
                self.pos += width + 1;
            }
            Layout::LeftWidth(w) => {
                let t = &text[..n.min(w)];
                let dst = self.room(w + SLACK);
                dst[..t.len()].copy_from_slice(t);
                self.pos += w + 1;
            }
        }
    }

    /// Turns the blank before the cell that starts at `cell` into the
    /// `.` of `addr.port` when the cell shows something.
    fn join(&mut self, cell: usize) {
        if cell > self.start
            && self.out[cell - 1] == b' '
            && self
                .out
                .get(cell..self.pos)
                .is_some_and(|c| c.iter().any(|c| !c.is_ascii_whitespace()))
        {
            self.out[cell - 1] = b'.';
        }
    }

    /// Ends the line: the blanks after the cursor and the trailing ones go.
    fn finish(self) {
        let mut end = self.pos;
        while end > self.start && self.out[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        self.out.truncate(end);
    }
}

/// Copies a short text to the start of `dst`.
#[inline(always)]
fn put(dst: &mut [u8], text: &[u8]) {
    if text.len() <= 32 {
        copy_short(dst, text);
    } else {
        dst[..text.len()].copy_from_slice(text);
    }
}

/// Writes the dotted quad of `a` right-aligned in a column of `width`.
#[inline(always)]
fn ipv4(line: &mut Line, a: u32, width: usize) {
    use super::addr::BYTE_DOT;
    let o = a.to_be_bytes().map(|b| BYTE_DOT[b as usize]);
    // Each octet's length counts its dot; the last one has none.
    let n = o.iter().map(|&(_, l)| l as usize).sum::<usize>() - 1;
    if n > width {
        let mut buf = Vec::with_capacity(16);
        super::addr::push_ipv4(&mut buf, a);
        return line.cut(&buf, width);
    }
    let dst = line.room(width + SLACK);
    // Four bytes an octet (digits, dot, filler), each write overlapping
    // the filler of the one before; the last one's dot and filler land
    // past the text, where the cell's trailing blank is put back.
    let mut at = width - n;
    for (text, len) in o {
        dst[at..at + 4].copy_from_slice(&text);
        at += len as usize;
    }
    dst[width..width + 4].copy_from_slice(b"    ");
    line.pos += width + 1;
}

/// Writes an IPv6 address right-aligned in a column of `width` (a call of
/// its own: rarer than IPv4 and long, it stays out of the line loop).
#[inline(never)]
fn ipv6(line: &mut Line, a: u128, width: usize) {
    let mut buf = [0u8; IPV6_TEXT_MAX];
    let n = ipv6_text(&mut buf, a);
    line.right(&buf[..n], width);
}

/// Writes the line of flow record `f` (of `view`); the caller adds the
/// newline.
#[allow(clippy::too_many_arguments)]
pub fn flow_line(
    cells: &mut CellWriter,
    cols: &[Column],
    slots: &[Slot],
    estimate: usize,
    view: &View,
    f: &FlowView,
    scratch: &mut Vec<u8>,
    out: &mut Vec<u8>,
) {
    let mut line = Line::new(out, estimate);
    for (i, slot) in slots.iter().enumerate() {
        let cell = line.pos;
        let w = slot.width;
        let done = match slot.kind {
            Kind::Stime | Kind::Ltime => {
                let t = if slot.kind == Kind::Stime { f.start() } else { f.last() };
                let precision = cells.precision;
                match cells.times.parts(t) {
                    Some(p) => {
                        let width = time_width(slot.field, w, precision, p.dot);
                        if p.len <= width {
                            let dst = line.room(width + SLACK);
                            let mut at = width - p.len;
                            let mut from = 0;
                            for &i in p.fracs {
                                let piece = &p.text[from..i];
                                put(&mut dst[at..], piece);
                                at += piece.len();
                                dst[at..at + p.digits].copy_from_slice(&p.frac[..p.digits]);
                                at += p.digits;
                                from = i + 1;
                            }
                            put(&mut dst[at..], &p.text[from..]);
                            line.pos += width + 1;
                            true
                        } else {
                            false
                        }
                    }
                    None => false,
                }
            }
            Kind::Proto => {
                match cells.proto_text(f) {
                    Short::Str(s) => line.right(s.as_bytes(), w),
                    Short::Num(n) => line.number(n, w, true),
                    Short::Hex(n) => line.right(&hex4(n), w),
                }
                true
            }
            Kind::Addr { src } => match cells.plain_ipv4(slot.unformatted, f, src) {
                Some(a) => {
                    ipv4(&mut line, a, w);
                    true
                }
                None => match cells.plain_ipv6(f, src) {
                    Some(a) => {
                        ipv6(&mut line, a, w);
                        true
                    }
                    None => false,
                },
            },
            Kind::Port { src } => match cells.service_port(f, src) {
                Some(Short::Str(s)) => {
                    line.left(s.as_bytes(), w);
                    true
                }
                Some(Short::Num(n)) => {
                    line.number(n, w, false);
                    true
                }
                Some(Short::Hex(n)) => {
                    line.left(&hex4(n), w);
                    true
                }
                None => false,
            },
            Kind::Count => match super::plain_count(f, slot.field) {
                Some(n) => {
                    line.number(n, w, true);
                    true
                }
                None => false,
            },
            Kind::Dir => {
                line.fit(dir_text(f).unwrap_or("   ").as_bytes(), Layout::Padded, w);
                true
            }
            Kind::State => {
                line.right(state_text(f, cells.state_style).as_bytes(), w);
                true
            }
            Kind::Flgs => {
                line.right(flags_text(f).as_bytes(), w);
                true
            }
            Kind::Other => false,
        };
        if !done {
            if let Some(col) = cols.get(i) {
                scratch.clear();
                let (layout, width) = cells.write(col, view, scratch);
                line.fit(scratch, layout, width);
            }
        }
        if slot.join {
            line.join(cell);
        }
    }
    line.finish();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::text::{LineBuilder, LineStyle};

    /// Every layout at every width fits a cell as `LineBuilder` does.
    #[test]
    fn cells_fit_as_line_builder_fits_them() {
        let style = LineStyle { delimiter: None, quote: None, variable: false, join_ports: false };
        let long = [b'x'; 40];
        let texts: [&[u8]; 7] = [b"", b"a", b"abc", b"abcdefgh", b" x", b"  ", &long];
        for text in texts {
            for width in (0..10).chain(30..34) {
                let layouts = [
                    Layout::Skip,
                    Layout::Right,
                    Layout::Left,
                    Layout::LeftMin,
                    Layout::Padded,
                    Layout::LeftWidth(0),
                    Layout::LeftWidth(3),
                    Layout::LeftWidth(35),
                ];
                for layout in layouts {
                    let mut want = b"ab ".to_vec();
                    let mut b = LineBuilder::new(&mut want, style, true);
                    b.push(FieldId::Proto, text, layout, width);
                    b.push(FieldId::State, b"ok", Layout::Right, 3);
                    let mut got = b"ab ".to_vec();
                    let mut line = Line::new(&mut got, 4);
                    line.fit(text, layout, width);
                    line.right(b"ok", 3);
                    let end = line.pos;
                    got.truncate(end);
                    assert_eq!(got, want, "{text:?} {layout:?} {width}");
                }
            }
        }
    }

    #[test]
    fn numbers_and_addresses() {
        let mut got = Vec::new();
        let mut line = Line::new(&mut got, 0);
        line.number(12345, 7, true);
        line.number(7, 3, false);
        line.number(123456, 4, true);
        ipv4(&mut line, 0x0a00_00ff, 15);
        ipv4(&mut line, 0xc0a8_6401, 8);
        line.left(&hex4(0x0800), 6);
        ipv6(&mut line, 1, 4);
        line.finish();
        assert_eq!(got, b"  12345 7   123*      10.0.0.255 192.168* 0x0800  ::1".to_vec());
    }
}
