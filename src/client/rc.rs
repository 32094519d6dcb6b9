//! rc files (`/etc/ra.conf`, `~/.rarc`, `-F file`): one `NAME=value` per
//! line, read the way ra 3.0.8.2 reads them.
//!
//! * leading blanks are skipped; empty lines and lines starting with `#` or
//!   `!` are comments;
//! * a line is matched against the known `NAME=` prefixes; anything else is
//!   fatal: `<file>: syntax error line N`; `RADIUM_*` directives are fatal
//!   too;
//! * the value loses its line end, leading and trailing `"`; an empty value
//!   changes nothing;
//! * `RA_FIELD_SPECIFIER` lines of one file form one `-s` list, applied when
//!   the file ends;
//! * `RA_FILTER` may continue over several lines with a trailing `\`
//!   (3.0.8.2 documents this but breaks it; see `docs/differences.md`).
//!
//! `conf/rarc` in the repository documents every variable.

use super::limits::{atoi, strtol, Range};
use super::modes::{label_flag, UserDataEncoding};
use super::options::{split_words, ClientOptions, LayoutStep, Quote};
use crate::diag::Fatal;

/// Every variable name 3.0.8.2 accepts, in its matching order.
pub const VARIABLES: [&str; 74] = [
    "RA_ARGUS_SERVER",
    "RA_SOURCE_PORT",
    "RA_CISCONETFLOW_PORT",
    "RA_ARGUS_SERVERPORT",
    "RA_INPUT_FILE",
    "RA_NO_OUTPUT",
    "RA_USER_AUTH",
    "RA_AUTH_PASS",
    "RA_OUTPUT_FILE",
    "RA_EXCEPTION_OUTPUT_FILE",
    "RA_TIMERANGE",
    "RA_RUN_TIME",
    "RA_NUMBER",
    "RA_FLOW_MODEL",
    "RA_FIELD_DELIMITER",
    "RA_TIME_FORMAT",
    "RA_TZ",
    "RA_USEC_PRECISION",
    "RA_PRINT_MAN_RECORDS",
    "RA_PRINT_EVENT_RECORDS",
    "RA_PRINT_LABELS",
    "RA_PRINT_SUMMARY",
    "RA_PRINT_NAMES",
    "RA_PRINT_LOCALONLY",
    "RA_PRINT_DOMAINONLY",
    "RA_PRINT_RESPONSE_DATA",
    "RA_PRINT_TCPSTATES",
    "RA_PRINT_TCPFLAGS",
    "RAMON_MODE",
    "RA_DEBUG_LEVEL",
    "RA_USERDATA_ENCODE",
    "RA_FILTER",
    "RA_FIELD_SPECIFIER",
    "RA_MIN_SSF",
    "RA_MAX_SSF",
    "ARGUS_ARCHIVE",
    "RADIUM_DAEMON",
    "RADIUM_MONITOR_ID",
    "RADIUM_MAR_STATUS_INTERVAL",
    "RADIUM_ADJUST_TIME",
    "RADIUM_ACCESS_PORT",
    "RA_CONNECT_TIME",
    "RA_UPDATE_INTERVAL",
    "RA_FIELD_QUOTED",
    "RA_FIELD_WIDTH",
    "RA_SET_PID",
    "RA_PID_PATH",
    "RA_DELEGATED_IP",
    "RA_RELIABLE_CONNECT",
    "RA_DATABASE",
    "RA_DB_USER",
    "RA_DB_PASS",
    "RA_DB_HOST",
    "RA_DB_PORT",
    "RA_DB_TABLE",
    "RA_AIS_CACHE",
    "RA_PRINT_UNIX_TIME",
    "RA_TIMEOUT_INTERVAL",
    "RA_CIDR_ADDRESS_FORMAT",
    "RA_SORT_ALGORITHMS",
    "MYSQL_DB_ENGINE",
    "RA_PRINT_ETHERNET_VENDORS",
    "RA_ETHERNET_VENDORS",
    "RA_LOCAL",
    "RA_LOCAL_DIRECTION",
    "RA_PORT_DIRECTION",
    "RA_SERVICES_SIGNATURES",
    "RA_COLOR_SUPPORT",
    "RA_COLOR_CONFIG",
    "RA_CORRELATE_EVENTS",
    "RA_SEPARATE_ADDR_FROM_PORT_WITH_PERIOD",
    "RA_GENERATE_BIN_MAR_RECORDS",
    "RA_ASN_PRINT_FORMAT",
    "RA_FILTER_TIMEOUT",
];

/// `yes` (first three letters, any case) as argus tests it.
fn yes(v: &str) -> bool {
    v.len() >= 3 && v[..3].eq_ignore_ascii_case("yes")
}

/// argus's `strncasecmp(value, word, n) == 0`, where the comparison also
/// stops at the end of either string.
fn ncase(value: &str, word: &str, n: usize) -> bool {
    let a = value.as_bytes();
    let b = word.as_bytes();
    for i in 0..n {
        let x = a.get(i).map(u8::to_ascii_lowercase);
        let y = b.get(i).map(u8::to_ascii_lowercase);
        if x != y {
            return false;
        }
        if x.is_none() {
            return true;
        }
    }
    true
}

/// Strips the line end and surrounding double quotes from a value.
fn clean_value(raw: &str) -> &str {
    let v = raw.trim_end_matches(['\n', '\r']);
    let v = v.trim_start_matches('"');
    v.trim_end_matches('"')
}

/// Per-file state: whether this file already replaced the server or input
/// lists, and its `RA_FIELD_SPECIFIER` words.
#[derive(Default)]
struct FileState {
    servers_replaced: bool,
    inputs_replaced: bool,
    fields: Vec<String>,
}

/// Reads one rc file. `explicit` (`-F file`) makes an unreadable file fatal;
/// the default files are skipped when unreadable.
pub fn read_file(opts: &mut ClientOptions, path: &str, explicit: bool) -> Result<(), Fatal> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if explicit => return Err(Fatal::err(format!("{path}: {}", io_message(&e)))),
        Err(_) => return Ok(()),
    };
    let text = String::from_utf8_lossy(&bytes);
    read_text(opts, path, &text)?;
    opts.rc_files_read.push(path.to_string());
    Ok(())
}

/// The C library's wording for an I/O error ("No such file or directory").
pub fn io_message(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        // SAFETY: strerror returns a pointer to a static, NUL-terminated
        // message for any errno value.
        Some(code) => {
            unsafe { std::ffi::CStr::from_ptr(libc::strerror(code)) }.to_string_lossy().into_owned()
        }
        None => e.to_string(),
    }
}

/// Parses rc text; `name` is used in messages.
pub fn read_text(opts: &mut ClientOptions, name: &str, text: &str) -> Result<(), Fatal> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut state = FileState::default();
    let mut i = 0;
    while i < lines.len() {
        let line_no = i + 1;
        let line = lines[i].trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
        i += 1;
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some(var) = VARIABLES.iter().find(|v| {
            line.len() > v.len() && line.starts_with(*v) && line.as_bytes()[v.len()] == b'='
        }) else {
            return Err(Fatal::err(format!("{name}: syntax error line {line_no}")));
        };
        let mut value = clean_value(&line[var.len() + 1..]).to_string();
        if *var == "RA_FILTER" {
            // Continuation: a trailing backslash joins the next line; its
            // leading blanks shrink to one, and quotes are dropped.
            while value.ends_with('\\') && i < lines.len() {
                value.pop();
                let next = lines[i].trim_end_matches(['\n', '\r']);
                i += 1;
                let trimmed = next.trim_start();
                if trimmed.len() < next.len() {
                    value.push(' ');
                }
                value.push_str(trimmed);
            }
            value.retain(|c| c != '"');
        }
        if value.is_empty() {
            continue;
        }
        apply(opts, name, var, &value, &mut state)?;
    }
    if !state.fields.is_empty() {
        opts.print.layout.push(LayoutStep::Fields(state.fields));
    }
    Ok(())
}

fn apply(
    opts: &mut ClientOptions,
    file: &str,
    var: &str,
    v: &str,
    state: &mut FileState,
) -> Result<(), Fatal> {
    match var {
        "RA_ARGUS_SERVER" => {
            if !state.servers_replaced {
                opts.remotes.clear();
                state.servers_replaced = true;
            }
            opts.remotes.push(v.to_string());
            opts.read_remote = true;
        }
        "RA_ARGUS_SERVERPORT" => opts.remote_port = u16::try_from(atoi(v)).ok(),
        "RA_INPUT_FILE" => {
            if !state.inputs_replaced {
                opts.inputs.clear();
                state.inputs_replaced = true;
            }
            opts.inputs.push(super::options::InputSpec { path: v.to_string(), range: None });
        }
        "RA_NO_OUTPUT" => opts.quiet = yes(v),
        "RA_USER_AUTH" => opts.user_auth = Some(v.to_string()),
        "RA_AUTH_PASS" => opts.auth_pass = Some(v.to_string()),
        "RA_OUTPUT_FILE" => {
            let (path, filter) = match v.split_once(' ') {
                Some((p, f)) => (p, Some(f.split_once('"').map_or(f, |(_, after)| after))),
                None => (v, None),
            };
            opts.add_write(path, filter);
        }
        "RA_EXCEPTION_OUTPUT_FILE" => {
            opts.except_file = Some(v.to_string());
            opts.add_write(v, None);
        }
        "RA_TIMERANGE" => opts.set_time_range(v)?,
        "RA_RUN_TIME" => opts.run_time = Some(atoi(v)),
        "RA_NUMBER" => opts.limits.input = Range { start: 0, end: atoi(v) },
        "RA_FIELD_DELIMITER" => field_delimiter(opts, v),
        "RA_TIME_FORMAT" => {
            opts.print.time_format = v.to_string();
            opts.print.layout.push(LayoutStep::TimeFormat {
                format: v.to_string(),
                precision: opts.print.precision,
            });
        }
        "RA_TZ" => opts.set_timezone(v),
        "RA_USEC_PRECISION" => opts.print.precision = atoi(v) as i32,
        "RA_PRINT_MAN_RECORDS" => opts.print_man = yes(v),
        "RA_PRINT_EVENT_RECORDS" => opts.print_event = yes(v),
        "RA_PRINT_LABELS" => opts.print.label_every = label_flag(atoi(v)),
        "RA_PRINT_SUMMARY" => opts.aflag = i64::from(yes(v)),
        "RA_PRINT_NAMES" => {
            if ncase(v, "none", 4) {
                opts.print.names = 3;
            } else if ncase(v, "proto", 5) {
                opts.print.names = 2;
            } else if ncase(v, "port", 5) {
                opts.print.names = 1;
            } else if ncase(v, "all", 5) {
                opts.print.names = 0;
            }
        }
        "RA_PRINT_TCPSTATES" => opts.print.tcp_states = yes(v),
        "RA_PRINT_TCPFLAGS" => opts.print.tcp_flags = v.chars().next(),
        "RA_DEBUG_LEVEL" => opts.debug = atoi(v),
        "RA_USERDATA_ENCODE" => opts.print.userdata = UserDataEncoding::from_rc(v),
        "RA_FILTER" => {
            opts.filter = super::options::FilterText { local: None, remote: Some(v.to_string()) }
        }
        "RA_FIELD_SPECIFIER" => state.fields.extend(split_words(v)),
        "RADIUM_DAEMON"
        | "RADIUM_MONITOR_ID"
        | "RADIUM_MAR_STATUS_INTERVAL"
        | "RADIUM_ADJUST_TIME"
        | "RADIUM_ACCESS_PORT" => {
            return Err(Fatal::err(format!(
                "{file}: radium directive in client configuration (use -f)"
            )))
        }
        "RA_UPDATE_INTERVAL" | "RA_TIMEOUT_INTERVAL" | "RA_FILTER_TIMEOUT"
            if v.trim_start().parse::<f64>().is_err() && strtol(v).is_none() =>
        {
            return Err(Fatal::err(format!(
                "{file}: format error for {var} in client configuration (use float)"
            )));
        }
        "RA_FIELD_QUOTED" => {
            if ncase(v, "double", 6) {
                opts.print.quoted = Some(Quote::Double);
            }
            if ncase(v, "single", 6) {
                opts.print.quoted = Some(Quote::Single);
            }
        }
        "RA_FIELD_WIDTH" => {
            if ncase(v, "fixed", 5) {
                opts.print.variable_width = false;
            } else if ncase(v, "variable", 3) {
                opts.print.variable_width = true;
            }
        }
        "RA_PRINT_UNIX_TIME" => opts.print.unix_time = yes(v),
        "RA_SORT_ALGORITHMS" => opts.sort_words.extend(split_words(v)),
        "RA_PORT_DIRECTION" => {
            opts.port_direction.services |= v.contains("services");
            opts.port_direction.wellknown |= v.contains("wellknown");
            opts.port_direction.registered |= v.contains("registered");
        }
        "RA_SEPARATE_ADDR_FROM_PORT_WITH_PERIOD" => opts.print.addr_port_period = yes(v),
        // Accepted and without effect here: remote-connection tuning we do
        // not have (SASL, reliable connect), databases, labelers, colours,
        // address printing variants, the flow model, PID files.
        _ => {}
    }
    Ok(())
}

/// `RA_FIELD_DELIMITER`: `'x'`, an escape `'\t'` (\a \b \t \n \v \f \r \\),
/// or `''` for no change. As in 3.0.8.2, an escaped delimiter keeps fixed
/// column widths while a plain one switches to variable widths. An
/// unquoted value (which crashes 3.0.8.2) uses its first character.
fn field_delimiter(opts: &mut ClientOptions, v: &str) {
    let body = match v.find('\'') {
        Some(p) => &v[p + 1..],
        None => v,
    };
    if body.starts_with('\'') {
        return;
    }
    let mut chars = body.chars();
    match chars.next() {
        Some('\\') => {
            let esc = match chars.next() {
                Some('a') => Some('\x07'),
                Some('b') => Some('\x08'),
                Some('t') => Some('\t'),
                Some('n') => Some('\n'),
                Some('v') => Some('\x0b'),
                Some('f') => Some('\x0c'),
                Some('r') => Some('\r'),
                Some('\\') => Some('\\'),
                _ => None,
            };
            if let Some(c) = esc {
                opts.print.delimiter = Some(c);
            }
            if opts.print.delimiter.is_none() {
                opts.print.variable_width = true;
            }
        }
        Some(c) => {
            opts.print.delimiter = Some(c);
            opts.print.variable_width = true;
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<ClientOptions, Fatal> {
        let mut o = ClientOptions::new("ra");
        read_text(&mut o, "test.rc", text)?;
        Ok(o)
    }

    #[test]
    fn case_86_rc_file() {
        let o = read(
            "# test rc file for case 86\n\
             RA_FIELD_SPECIFIER=\"stime proto saddr sport daddr dport bytes state\"\n\
             RA_FIELD_DELIMITER='|'\n\
             RA_TIME_FORMAT=\"%Y-%m-%d %T.%f\"\n\
             RA_USEC_PRECISION=3\n\
             RA_PRINT_NAMES=proto\n\
             RA_PRINT_LABELS=0\n",
        )
        .unwrap();
        let words = ["stime", "proto", "saddr", "sport", "daddr", "dport", "bytes", "state"];
        assert_eq!(
            o.print.layout,
            vec![
                LayoutStep::TimeFormat { format: "%Y-%m-%d %T.%f".into(), precision: 6 },
                LayoutStep::Fields(words.iter().map(|s| s.to_string()).collect()),
            ]
        );
        assert_eq!(o.print.delimiter, Some('|'));
        assert!(o.print.variable_width);
        assert_eq!(o.print.time_format, "%Y-%m-%d %T.%f");
        assert_eq!(o.print.precision, 3);
        assert_eq!(o.print.names, 2);
        assert_eq!(o.print.label_every, -1);
    }

    #[test]
    fn debian_ra_conf() {
        let o = read(
            "RA_PRINT_MAN_RECORDS=yes\nRA_PRINT_EVENT_RECORDS=yes\nRA_GENERATE_BIN_MAR_RECORDS=yes\n\
             RA_PRINT_LABELS=0\n \nRA_USERDATA_ENCODE=Ascii\nRA_PORT_DIRECTION=\"services,wellknown\"\n",
        )
        .unwrap();
        assert!(o.print_man && o.print_event);
        assert_eq!(o.print.userdata, UserDataEncoding::Ascii);
        assert!(o.port_direction.services && o.port_direction.wellknown);
        assert!(!o.port_direction.registered);
    }

    #[test]
    fn unknown_names_and_radium_directives_are_fatal() {
        let e = read("  # c\n!x\n\nRA_FOO=1\n").unwrap_err();
        assert_eq!(e.message, "test.rc: syntax error line 4");
        let e = read("RA_FILTER\n").unwrap_err();
        assert_eq!(e.message, "test.rc: syntax error line 1");
        let e = read("RADIUM_DAEMON=no\n").unwrap_err();
        assert_eq!(e.message, "test.rc: radium directive in client configuration (use -f)");
        // accepted-but-ignored names are fine
        assert!(read("RA_COLOR_SUPPORT=yes\nRA_LOCAL=/etc/x\nRAMON_MODE=TopN\n").is_ok());
    }

    #[test]
    fn filter_continuation_lines() {
        let o = read("RA_FILTER=\"udp \\\n   and port 53\"\nRA_NO_OUTPUT=yes\n").unwrap();
        assert_eq!(o.filter.effective(), Some("udp  and port 53"));
        assert!(o.quiet);
    }

    #[test]
    fn delimiters_with_escapes_keep_fixed_widths() {
        let o = read("RA_FIELD_DELIMITER='\\t'\n").unwrap();
        assert_eq!(o.print.delimiter, Some('\t'));
        assert!(!o.print.variable_width);
        let o = read("RA_FIELD_DELIMITER=''\n").unwrap();
        assert_eq!(o.print.delimiter, None);
        let o = read("RA_FIELD_DELIMITER=,\n").unwrap();
        assert_eq!(o.print.delimiter, Some(','));
    }

    #[test]
    fn names_numbers_and_outputs() {
        let o = read(
            "RA_PRINT_NAMES=none\nRA_NUMBER=7\nRA_OUTPUT_FILE=out.argus tcp\n\
             RA_PRINT_TCPFLAGS=b\nRA_PRINT_UNIX_TIME=yes\nRA_SORT_ALGORITHMS=bytes pkts\n",
        )
        .unwrap();
        assert_eq!(o.print.names, 3);
        assert_eq!(o.limits.input, Range { start: 0, end: 7 });
        assert_eq!(o.writes[0].path, "out.argus");
        assert_eq!(o.writes[0].filter.as_deref(), Some("tcp"));
        assert_eq!(o.print.tcp_flags, Some('b'));
        assert!(o.print.unix_time);
        assert_eq!(o.sort_words, ["bytes", "pkts"]);
        assert_eq!(read("RA_PRINT_NAMES=ports\n").unwrap().print.names, 1);
    }

    #[test]
    fn the_sample_rarc_documents_every_variable_and_parses_uncommented() {
        let text = include_str!("../../conf/rarc");
        for v in VARIABLES.iter().filter(|v| !v.starts_with("RADIUM_")) {
            assert!(text.contains(&format!("#{v}=")), "conf/rarc does not document {v}");
        }
        // Uncomment every example (not the prose), continuation lines
        // included, and read the result.
        let mut examples = String::new();
        let mut continued = false;
        for l in text.lines().filter_map(|l| l.strip_prefix('#')) {
            if continued || (l.starts_with(|c: char| c.is_ascii_uppercase()) && l.contains('=')) {
                examples.push_str(l);
                examples.push('\n');
                continued = l.ends_with('\\');
            }
        }
        let mut o = ClientOptions::new("ra");
        read_text(&mut o, "conf/rarc", &examples).unwrap();
        assert_eq!(o.filter.effective(), Some("tcp and  not port ssh"));
        assert!(o.port_direction.services && o.port_direction.wellknown);
    }

    #[test]
    fn empty_values_change_nothing() {
        let o = read("RA_USEC_PRECISION=\"\"\nRA_TIME_FORMAT=\n").unwrap();
        assert_eq!(o.print.precision, 6);
        assert_eq!(o.print.time_format, "%T.%f");
    }
}
