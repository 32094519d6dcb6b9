//! From the client's print settings to `print::PrintOptions`, replaying the
//! column and time-format steps in the order argus took them.

use super::modes::UserDataEncoding as Encoding;
use super::options::{ClientOptions, LayoutStep, Quote};
use crate::diag::Fatal;
use crate::print::{Format, LabelMode, NameMode, PrintOptions, UserDataEncoding};
use crate::record::field::{StateStyle, TcpFlagSide};

fn name_mode(nflag: u8) -> NameMode {
    match nflag {
        0 => NameMode::All,
        2 => NameMode::Proto,
        3 => NameMode::None,
        _ => NameMode::Port,
    }
}

/// argus's `Lflag` (0 none, -1 once, n every n) as a label mode.
fn label_mode(lflag: i64) -> LabelMode {
    match lflag {
        0 => LabelMode::Never,
        n if n > 0 => LabelMode::Every(n.min(u32::MAX as i64) as u32),
        _ => LabelMode::Once,
    }
}

fn state_style(tcp_states: bool, tcp_flags: Option<char>) -> StateStyle {
    // argus tests -Z before -z.
    match tcp_flags {
        Some('s') => StateStyle::Flags(TcpFlagSide::Src),
        Some('d') => StateStyle::Flags(TcpFlagSide::Dst),
        Some('b') => StateStyle::Flags(TcpFlagSide::Both),
        _ if tcp_states => StateStyle::Changes,
        _ => StateStyle::Words,
    }
}

fn encoding(e: Encoding) -> UserDataEncoding {
    match e {
        Encoding::Default | Encoding::Ascii => UserDataEncoding::Ascii,
        Encoding::Obfuscate => UserDataEncoding::Obfuscate,
        Encoding::Hex => UserDataEncoding::Hex,
        Encoding::Encode32 => UserDataEncoding::Encode32,
        Encoding::Encode64 => UserDataEncoding::Encode64,
    }
}

/// The printer configuration for a run; a bad `-s` width is fatal, as in ra.
pub fn print_options(opts: &ClientOptions) -> Result<PrintOptions, Fatal> {
    let s = &opts.print;
    let mut p = PrintOptions::default();
    for step in &s.layout {
        match step {
            LayoutStep::Fields(words) => {
                p.apply_field_spec(words).map_err(|e| Fatal::err(e.to_string()))?
            }
            LayoutStep::TimeFormat { format, precision } => {
                p.precision = (*precision).max(0) as usize;
                p.set_time_format(format);
            }
        }
    }
    p.time_format = s.time_format.clone();
    p.precision = s.precision.max(0) as usize;
    // A delimiter outside ASCII cannot be one output byte; ra takes the
    // first byte of the argument, which is what we do too.
    p.delimiter = s.delimiter.map(|c| {
        let mut b = [0u8; 4];
        c.encode_utf8(&mut b).as_bytes()[0]
    });
    p.variable_width = s.variable_width;
    p.quote = s.quoted.map(|q| match q {
        Quote::Double => b'"',
        Quote::Single => b'\'',
    });
    p.unix_time = s.unix_time;
    p.names = name_mode(s.names);
    p.labels = label_mode(s.label_every);
    p.state_style = state_style(s.tcp_states, s.tcp_flags);
    p.abbreviate = s.abbreviate;
    p.format = if s.xml {
        Format::Xml
    } else if opts.has_mode("json") {
        Format::Json
    } else {
        Format::Text
    };
    p.rmon = s.rmon;
    p.userdata = encoding(s.userdata);
    p.separate_addr_port = s.addr_port_period;
    p.disa = s.disa;
    p.program = opts.prog.clone();
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::options::{parse, RoleSpec};

    fn usage(_: &str) -> String {
        String::new()
    }
    const SPEC: RoleSpec = RoleSpec { name: "ra", usage, long_options: &[], long_parser: None };

    fn from(words: &[&str]) -> PrintOptions {
        let argv = std::iter::once("ra").chain(words.iter().copied()).map(String::from).collect();
        print_options(&parse(&SPEC, argv).unwrap()).unwrap()
    }

    #[test]
    fn flags_map_to_print_options() {
        let p = from(&["-X", "-nn", "-p", "3", "-u", "-L", "-1", "-c", ",", "-Z", "b", "-H"]);
        assert_eq!(p.names, NameMode::None);
        assert_eq!(p.precision, 3);
        assert!(p.unix_time && p.abbreviate && p.variable_width);
        assert_eq!(p.labels, LabelMode::Never);
        assert_eq!(p.delimiter, Some(b','));
        assert_eq!(p.state_style, StateStyle::Flags(TcpFlagSide::Both));
        let p = from(&["-X", "-z", "-M", "xml", "-s", "stime", "saddr"]);
        assert_eq!(p.state_style, StateStyle::Changes);
        assert_eq!(p.format, Format::Xml);
        assert_eq!(p.columns.len(), 2);
    }

    #[test]
    fn a_zero_width_is_fatal() {
        let argv = ["ra", "-X", "-s", "stime:0"].iter().map(|s| s.to_string()).collect();
        let e = print_options(&parse(&SPEC, argv).unwrap()).unwrap_err();
        assert!(e.message.contains("length must be greater than 0"), "{}", e.message);
    }
}
