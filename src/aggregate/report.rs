//! The text table of a ranked host or pair table: a header line, then one
//! line per row, columns right-aligned to the widest cell (so nothing is
//! ever cut), separated by two spaces; or, with a delimiter (`-c`), cells
//! joined by it without padding.
//!
//! Columns are chosen with ra's `-s` words (`rank` is ramon's own):
//! `rank saddr daddr dir trans pkts spkts dpkts bytes sbytes dbytes
//! appbytes sappbytes dappbytes stime ltime dur`. Host tables label the
//! per-side columns as racluster's rmon mode does (Host, OutPkts, InPkts,
//! OutBytes, InBytes).

use super::{Counters, Endpoint};
use crate::print::timefmt::TimeFormatter;
use std::io::Write as _;

/// One column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Rank,
    Saddr,
    Daddr,
    Dir,
    Trans,
    Pkts,
    Spkts,
    Dpkts,
    Bytes,
    Sbytes,
    Dbytes,
    Appbytes,
    Sappbytes,
    Dappbytes,
    Stime,
    Ltime,
    Dur,
}

const NAMES: &[(&str, Column)] = &[
    ("rank", Column::Rank),
    ("saddr", Column::Saddr),
    ("host", Column::Saddr),
    ("daddr", Column::Daddr),
    ("dir", Column::Dir),
    ("trans", Column::Trans),
    ("pkts", Column::Pkts),
    ("spkts", Column::Spkts),
    ("dpkts", Column::Dpkts),
    ("bytes", Column::Bytes),
    ("sbytes", Column::Sbytes),
    ("dbytes", Column::Dbytes),
    ("appbytes", Column::Appbytes),
    ("sappbytes", Column::Sappbytes),
    ("dappbytes", Column::Dappbytes),
    ("stime", Column::Stime),
    ("ltime", Column::Ltime),
    ("dur", Column::Dur),
];

impl Column {
    pub fn from_name(name: &str) -> Option<Column> {
        NAMES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    fn label(self, hosts: bool) -> &'static str {
        use Column::*;
        match (self, hosts) {
            (Rank, _) => "Rank",
            (Saddr, true) => "Host",
            (Saddr, false) => "SrcAddr",
            (Daddr, _) => "DstAddr",
            (Dir, _) => "Dir",
            (Trans, _) => "Trans",
            (Pkts, _) => "TotPkts",
            (Spkts, true) => "OutPkts",
            (Spkts, false) => "SrcPkts",
            (Dpkts, true) => "InPkts",
            (Dpkts, false) => "DstPkts",
            (Bytes, _) => "TotBytes",
            (Sbytes, true) => "OutBytes",
            (Sbytes, false) => "SrcBytes",
            (Dbytes, true) => "InBytes",
            (Dbytes, false) => "DstBytes",
            (Appbytes, _) => "TotAppBytes",
            (Sappbytes, true) => "OAppBytes",
            (Sappbytes, false) => "SAppBytes",
            (Dappbytes, true) => "IAppBytes",
            (Dappbytes, false) => "DAppBytes",
            (Stime, _) => "StartTime",
            (Ltime, _) => "LastTime",
            (Dur, _) => "Dur",
        }
    }
}

/// The default columns of a host (TopN) table.
pub const HOST_COLUMNS: &[Column] = &[
    Column::Rank,
    Column::Saddr,
    Column::Trans,
    Column::Pkts,
    Column::Spkts,
    Column::Dpkts,
    Column::Bytes,
    Column::Sbytes,
    Column::Dbytes,
];

/// The default columns of a pair (Matrix) table.
pub const PAIR_COLUMNS: &[Column] = &[
    Column::Rank,
    Column::Saddr,
    Column::Dir,
    Column::Daddr,
    Column::Trans,
    Column::Pkts,
    Column::Spkts,
    Column::Dpkts,
    Column::Bytes,
    Column::Sbytes,
    Column::Dbytes,
];

/// Applies one `-s` list to `columns` the way ra does: a first word
/// without `+`/`-` replaces the list; `+word` appends, `-word` removes.
/// Words that name no column are ignored, as ra ignores unknown fields
/// (the rc files' RA_FIELD_SPECIFIER may name ra's other fields).
pub fn apply_field_words(columns: &mut Vec<Column>, words: &[String]) {
    for (i, w) in words.iter().enumerate() {
        let (op, name) = match w.as_bytes().first() {
            Some(b'+') => ('+', &w[1..]),
            Some(b'-') => ('-', &w[1..]),
            _ => (' ', w.as_str()),
        };
        // ra's `+N` insert index and `:width` suffix do not apply here.
        let name = name.trim_start_matches(|c: char| c.is_ascii_digit());
        let name = name.split(':').next().unwrap_or("");
        if i == 0 && op == ' ' {
            columns.clear();
        }
        let Some(col) = Column::from_name(name) else { continue };
        match op {
            '-' => columns.retain(|c| *c != col),
            _ => {
                if !columns.contains(&col) {
                    columns.push(col);
                }
            }
        }
    }
}

/// How the table is written.
pub struct Style {
    pub columns: Vec<Column>,
    /// Host (TopN) labels, else pair (Matrix) labels.
    pub hosts: bool,
    pub header: bool,
    /// `-c`: cells joined by this, unpadded.
    pub delimiter: Option<char>,
    pub times: TimeFormatter,
    /// `-p`, for the duration.
    pub precision: usize,
}

/// One row to print: rank, source (host), destination (pairs), totals.
pub struct Row<'a> {
    pub rank: usize,
    pub src: Endpoint,
    pub dst: Option<Endpoint>,
    pub counters: &'a Counters,
}

fn cell(col: Column, row: &Row, style: &mut Style, out: &mut Vec<u8>) {
    let c = row.counters;
    let num = crate::print::numfmt::push_u64;
    match col {
        Column::Rank => num(out, row.rank as u64),
        Column::Saddr => row.src.push_text(out),
        Column::Daddr => row.dst.unwrap_or(Endpoint::Unknown).push_text(out),
        Column::Dir => out.extend_from_slice(if c.dst.pkts > 0 { b"<->" } else { b"->" }),
        Column::Trans => num(out, c.trans),
        Column::Pkts => num(out, c.pkts()),
        Column::Spkts => num(out, c.src.pkts),
        Column::Dpkts => num(out, c.dst.pkts),
        Column::Bytes => num(out, c.bytes()),
        Column::Sbytes => num(out, c.src.bytes),
        Column::Dbytes => num(out, c.dst.bytes),
        Column::Appbytes => num(out, c.src.appbytes.saturating_add(c.dst.appbytes)),
        Column::Sappbytes => num(out, c.src.appbytes),
        Column::Dappbytes => num(out, c.dst.appbytes),
        Column::Stime => style.times.push(out, c.start),
        Column::Ltime => style.times.push(out, c.last),
        Column::Dur => {
            let secs = c.last.as_secs_f64() - c.start.as_secs_f64();
            let p = style.precision.min(9);
            // Writing into a Vec cannot fail.
            let _ = write!(out, "{:.*}", p, secs.max(0.0));
        }
    }
}

/// Writes the table of `rows` to `out`.
pub fn render(rows: &[Row], style: &mut Style, out: &mut Vec<u8>) {
    let ncol = style.columns.len();
    if ncol == 0 {
        return;
    }
    // Every cell as text first: the widths depend on all of them.
    let mut cells: Vec<Vec<u8>> = Vec::with_capacity((rows.len() + 1) * ncol);
    let columns = style.columns.clone();
    for col in &columns {
        cells.push(col.label(style.hosts).as_bytes().to_vec());
    }
    for row in rows {
        for col in &columns {
            let mut text = Vec::new();
            cell(*col, row, style, &mut text);
            cells.push(text);
        }
    }
    let skip = if style.header { 0 } else { 1 };
    if let Some(d) = style.delimiter {
        let mut dbuf = [0u8; 4];
        let dbytes = d.encode_utf8(&mut dbuf).as_bytes();
        for line in cells.chunks(ncol).skip(skip) {
            for (i, text) in line.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(dbytes);
                }
                out.extend_from_slice(text);
            }
            out.push(b'\n');
        }
        return;
    }
    let mut widths = vec![0usize; ncol];
    for line in cells.chunks(ncol) {
        for (w, text) in widths.iter_mut().zip(line) {
            *w = (*w).max(text.len());
        }
    }
    for line in cells.chunks(ncol).skip(skip) {
        for (i, (text, w)) in line.iter().zip(&widths).enumerate() {
            if i > 0 {
                out.extend_from_slice(b"  ");
            }
            out.resize(out.len() + w.saturating_sub(text.len()), b' ');
            out.extend_from_slice(text);
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{DirMetrics, Timeval};

    fn style(delimiter: Option<char>) -> Style {
        Style {
            columns: HOST_COLUMNS.to_vec(),
            hosts: true,
            header: true,
            delimiter,
            times: TimeFormatter::new("%T.%f", true, 0, false),
            precision: 0,
        }
    }

    #[test]
    fn columns_align_on_the_widest_cell() {
        let c = Counters {
            trans: 2,
            src: DirMetrics { pkts: 3, bytes: 1_234_567, appbytes: 0 },
            dst: DirMetrics { pkts: 1, bytes: 60, appbytes: 0 },
            start: Timeval::new(1, 0),
            last: Timeval::new(2, 0),
            ..Counters::default()
        };
        let rows = [Row { rank: 1, src: Endpoint::Ipv4(0x0a00_0001), dst: None, counters: &c }];
        let mut out = Vec::new();
        render(&rows, &mut style(None), &mut out);
        let text = String::from_utf8(out).unwrap();
        let want = "\
Rank      Host  Trans  TotPkts  OutPkts  InPkts  TotBytes  OutBytes  InBytes
   1  10.0.0.1      2        4        3       1   1234627   1234567       60
";
        assert_eq!(text, want);
        let mut out = Vec::new();
        render(&rows, &mut style(Some(',')), &mut out);
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("\n1,10.0.0.1,2,4,3,1,1234627,1234567,60\n"));
    }

    #[test]
    fn field_words_replace_add_and_remove() {
        let mut cols = HOST_COLUMNS.to_vec();
        apply_field_words(&mut cols, &["saddr".into(), "bytes".into(), "flgs".into()]);
        assert_eq!(cols, [Column::Saddr, Column::Bytes]);
        apply_field_words(&mut cols, &["+stime".into(), "-saddr".into()]);
        assert_eq!(cols, [Column::Bytes, Column::Stime]);
    }
}
