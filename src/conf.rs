//! `KEY=value` configuration files (argus.conf, rarc): comments start with
//! `#` or `!`, values may be double-quoted, and an unquoted value ends at a
//! ` //` or tab-`//` comment, as argus reads them.

/// One `KEY=value` line; `quoted` tells whether the value was in quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    pub quoted: bool,
    pub line: usize,
}

/// Parses the text of a configuration file. Lines that are not `KEY=value`
/// are skipped, as argus skips them.
pub fn parse(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some((key, rest)) = line.split_once('=') else { continue };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let (value, quoted) = if let Some(q) = rest.strip_prefix('"') {
            (q.split('"').next().unwrap_or("").to_string(), true)
        } else {
            let mut v = rest;
            for pat in [" //", "\t//"] {
                if let Some(p) = v.find(pat) {
                    v = &v[..p];
                }
            }
            (v.trim_end_matches(['\r', '\n']).to_string(), false)
        };
        out.push(Entry { key: key.to_string(), value, quoted, line: n + 1 });
    }
    out
}

/// argus's yes/no test: a value starting with "yes" (any case) is true.
pub fn yes(v: &str) -> bool {
    // Bytes, not `&v[..3]`: a multi-byte character across byte 3 would panic.
    v.as_bytes().get(..3).is_some_and(|p| p.eq_ignore_ascii_case(b"yes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_argus_conf_lines() {
        let e = parse("# c\n ARGUS_FLOW_STATUS_INTERVAL=5\nARGUS_MONITOR_ID=\"ab\" x\nARGUS_X=1 // note\nbad line\n!x=1\n");
        assert_eq!(e.len(), 3);
        assert_eq!((e[0].key.as_str(), e[0].value.as_str()), ("ARGUS_FLOW_STATUS_INTERVAL", "5"));
        assert_eq!((e[1].value.as_str(), e[1].quoted), ("ab", true));
        assert_eq!(e[2].value, "1");
        assert!(yes("Yes please") && !yes("no") && !yes("y"));
        assert!(!yes("ééé") && !yes("yé"), "multi-byte values are not yes, and do not panic");
    }
}
