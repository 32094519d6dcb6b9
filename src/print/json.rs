//! `-M json` (new in argus-tool): one JSON object per record per line.
//!
//! Keys are the `-s` field names, in column order (a field listed twice
//! appears once). A value is the field's text as the delimited output
//! shows it; numeric fields whose text is a number are JSON numbers, every
//! other value is a string, and a field the record does not carry is
//! `null`. Times follow `RA_TIME_FORMAT` (strings) or `-u` (numbers).

use super::{raw_cell, Printer};
use crate::record::field::{FieldId, Kind, View};

/// Appends `s` as a JSON string.
pub fn push_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for chunk in String::from_utf8_lossy(s).chars() {
        match chunk {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(b"\\u00");
                super::numfmt::push_hex(out, c as u64, 2);
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// True when `s` is a JSON number.
fn is_json_number(s: &[u8]) -> bool {
    let mut i = 0;
    if s.first() == Some(&b'-') {
        i = 1;
    }
    let int_start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    let int = &s[int_start..i];
    if int.is_empty() || (int.len() > 1 && int[0] == b'0') {
        return false;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        let f = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        if i == f {
            return false;
        }
    }
    i == s.len()
}

/// One record as one line.
pub fn record(p: &mut Printer, view: &View, out: &mut Vec<u8>) {
    out.push(b'{');
    let mut seen: Vec<FieldId> = Vec::with_capacity(p.opts.columns.len());
    let columns = p.opts.columns.clone();
    for col in &columns {
        if seen.contains(&col.field) {
            continue;
        }
        if !seen.is_empty() {
            out.push(b',');
        }
        seen.push(col.field);
        push_string(out, col.field.name().as_bytes());
        out.push(b':');
        let kind = col.field.def().kind;
        match raw_cell(p, col, view) {
            None => out.extend_from_slice(b"null"),
            Some(text) => {
                let numeric = matches!(kind, Kind::Count | Kind::Float | Kind::Time)
                    || matches!(col.field, FieldId::Sport | FieldId::Dport);
                if numeric && is_json_number(text) {
                    out.extend_from_slice(text);
                } else {
                    push_string(out, text);
                }
            }
        }
    }
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings() {
        assert!(is_json_number(b"0"));
        assert!(is_json_number(b"12.500000"));
        assert!(is_json_number(b"-0.000000"));
        assert!(!is_json_number(b"012"));
        assert!(!is_json_number(b"3.863K"));
        assert!(!is_json_number(b"0x0008"));
        let mut o = Vec::new();
        push_string(&mut o, b"a\"b\\c\x01");
        assert_eq!(o, b"\"a\\\"b\\\\c\\u0001\"");
    }
}
