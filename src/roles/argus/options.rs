//! argus's command line and argus.conf, as argus 3.0.8.2 reads them.
//!
//! Not clap: argus's command line is getopt with three quirks clap cannot
//! express — `-r` takes every following argument up to the next option,
//! `-w file` takes an optional record filter as the next argument, and
//! `-X` resets the configuration at the point where it appears — and the
//! words left after the options form the BPF capture filter.

use crate::conf;
use crate::flow::{Config, SourceId, Timeouts};

/// Everything `argus` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    pub engine: Config,
    pub rfiles: Vec<String>,
    /// `-w` outputs with their optional record filters.
    pub wfiles: Vec<(String, Option<String>)>,
    /// BPF capture filter (trailing words, or ARGUS_FILTER).
    pub bpf: Option<String>,
    /// MAR interval in seconds (`-M`).
    pub mar_interval: u32,
    pub verbose: bool,
    pub help: bool,
    /// The `-S` value in seconds, as written to MARs.
    pub report_secs: u16,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            engine: Config::default(),
            rfiles: Vec::new(),
            wfiles: Vec::new(),
            bpf: None,
            mar_interval: 60,
            verbose: false,
            help: false,
            report_secs: 5,
        }
    }
}

/// Options that take an argument (getopt's "AbB:c:CdD:e:fF:g:i:J..." string).
const WITH_ARG: &[u8] = b"BcDeFgiMNPrSsTuUw";
const FLAGS: &[u8] = b"AbCdfJmOpRtXZhv";

/// Parses `argv` (without the program name). `system_conf` is the text of
/// /etc/argus.conf, read first unless `-X` or `-F` appears anywhere.
pub fn parse(args: &[String], system_conf: Option<&str>) -> Result<Options, String> {
    let mut o = Options::default();
    let resets = args.iter().any(|a| {
        a.starts_with('-')
            && a.len() > 1
            && a[1..].bytes().all(|b| b.is_ascii_alphabetic())
            && (a.contains('X') || a.contains('F'))
    });
    if !resets {
        if let Some(text) = system_conf {
            apply_conf(&mut o, text, "/etc/argus.conf")?;
        }
    }
    let mut i = 0;
    let mut wfiles_given = false;
    while i < args.len() {
        let a = &args[i];
        let b = a.as_bytes();
        if b.len() < 2 || b[0] != b'-' || a == "--" {
            break;
        }
        let mut j = 1;
        while j < b.len() {
            let c = b[j];
            if FLAGS.contains(&c) {
                match c {
                    b'A' => o.engine.appbytes = true,
                    b'J' => o.engine.jitter = true,
                    b'm' => o.engine.mac = true,
                    b'Z' => o.engine.psize = true,
                    b'X' => clear(&mut o),
                    b'h' => o.help = true,
                    b'v' => o.verbose = true,
                    _ => {}
                }
                j += 1;
                continue;
            }
            if !WITH_ARG.contains(&c) {
                return Err(format!("invalid option -- '{}'", c as char));
            }
            let val = if j + 1 < b.len() {
                a[j + 1..].to_string()
            } else {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| format!("option requires an argument -- '{}'", c as char))?
            };
            match c {
                b'e' => o.engine.srcid = parse_srcid(&val)?,
                b'F' => {
                    let text = std::fs::read_to_string(&val).map_err(|e| format!("{val}: {e}"))?;
                    apply_conf(&mut o, &text, &val)?;
                }
                b'M' => o.mar_interval = seconds(&val)?.0 as u32,
                b'S' => set_status(&mut o, &val)?,
                b'U' => {
                    o.engine.user_data =
                        val.parse().map_err(|_| format!("-U {val}: not a number"))?
                }
                b'r' => {
                    o.rfiles.push(val);
                    while let Some(next) = args.get(i + 1) {
                        if next.starts_with('-') && next != "-" {
                            break;
                        }
                        if looks_like_filter(next) {
                            break;
                        }
                        o.rfiles.push(next.clone());
                        i += 1;
                    }
                }
                b'w' => {
                    if !wfiles_given {
                        o.wfiles.clear();
                        wfiles_given = true;
                    }
                    let filter = match args.get(i + 1) {
                        Some(f) if !f.starts_with('-') => {
                            i += 1;
                            Some(f.clone())
                        }
                        _ => None,
                    };
                    if o.wfiles.len() == 5 {
                        return Err("too many -w outputs (at most 5)".into());
                    }
                    o.wfiles.push((val, filter));
                }
                _ => {}
            }
            break;
        }
        i += 1;
    }
    let rest: Vec<&str> = args[i.min(args.len())..]
        .iter()
        .map(String::as_str)
        .filter(|s| !s.starts_with('-'))
        .collect();
    if !rest.is_empty() {
        o.bpf = Some(rest.join(" "));
    }
    Ok(o)
}

/// Words after `-r file` that can only be the start of a filter expression
/// are not taken as files. argus itself takes them as file names; we stop
/// at a word that names no file but is a BPF keyword.
fn looks_like_filter(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "ip",
        "ip6",
        "tcp",
        "udp",
        "icmp",
        "icmp6",
        "arp",
        "host",
        "net",
        "port",
        "src",
        "dst",
        "not",
        "and",
        "or",
        "vlan",
        "mpls",
        "ether",
        "proto",
        "portrange",
        "less",
        "greater",
        "(",
        "!",
    ];
    !std::path::Path::new(w).exists() && WORDS.contains(&w.split_whitespace().next().unwrap_or(""))
}

/// `-X`: back to the compiled-in defaults.
fn clear(o: &mut Options) {
    let max = o.engine.max_flows;
    o.engine = Config { max_flows: max, ..Config::default() };
    o.wfiles.clear();
    o.mar_interval = 60;
    o.report_secs = 5;
    o.bpf = None;
}

/// A seconds value with an optional fraction: (whole seconds, µs).
fn seconds(v: &str) -> Result<(i64, i64), String> {
    let v = v.trim();
    let f: f64 = v.parse().map_err(|_| format!("{v}: not a time interval"))?;
    if !(0.0..=4_000_000.0).contains(&f) {
        return Err(format!("{v}: interval out of range"));
    }
    let whole = f.floor();
    Ok((whole as i64, ((f - whole) * 1e6).round() as i64))
}

fn set_status(o: &mut Options, v: &str) -> Result<(), String> {
    let (s, us) = seconds(v)?;
    o.engine.status_interval = s * 1_000_000 + us;
    o.engine.status_interval_frac = us;
    o.report_secs = s.min(u16::MAX as i64) as u16;
    Ok(())
}

/// `-e`: an integer, an IPv4 address, or a quoted string of up to 4 bytes.
pub fn parse_srcid(v: &str) -> Result<SourceId, String> {
    if let Some(s) = v.strip_prefix('"') {
        let s = s.trim_end_matches('\n').trim_end_matches('"');
        let mut bytes = [0u8; 4];
        for (d, b) in bytes.iter_mut().zip(s.bytes()) {
            *d = b;
        }
        return Ok(SourceId { kind: 0x21, bytes });
    }
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = v.parse().map_err(|_| format!("-e {v}: number too large"))?;
        return Ok(SourceId { kind: 0x20, bytes: n.to_be_bytes() });
    }
    if let Ok(a) = v.parse::<std::net::Ipv4Addr>() {
        return Ok(SourceId { kind: 0x01, bytes: a.octets() });
    }
    Err(format!("Probe ID value {v} is not appropriate"))
}

fn apply_conf(o: &mut Options, text: &str, file: &str) -> Result<(), String> {
    let mut outputs = 0;
    for e in conf::parse(text) {
        let v = e.value.as_str();
        let t = &mut o.engine.timeouts;
        let num = |v: &str| -> Result<u16, String> {
            v.trim()
                .parse::<u16>()
                .map_err(|_| format!("{file}:{}: {}: not a number", e.line, e.key))
        };
        match e.key.as_str() {
            "ARGUS_FLOW_STATUS_INTERVAL" => set_status(o, v)?,
            "ARGUS_MAR_STATUS_INTERVAL" => o.mar_interval = seconds(v)?.0 as u32,
            "ARGUS_CAPTURE_DATA_LEN" => o.engine.user_data = num(v)?,
            "ARGUS_GENERATE_JITTER_DATA" => o.engine.jitter = conf::yes(v),
            "ARGUS_GENERATE_MAC_DATA" => o.engine.mac = conf::yes(v),
            "ARGUS_GENERATE_APPBYTE_METRIC" => o.engine.appbytes = conf::yes(v),
            "ARGUS_GENERATE_PACKET_SIZE" => o.engine.psize = conf::yes(v),
            "ARGUS_GENERATE_BIDIRECTIONAL_TIMESTAMPS" => o.engine.bidir_timestamps = conf::yes(v),
            "ARGUS_TRACK_DUPLICATES" => o.engine.track_duplicates = conf::yes(v),
            "ARGUS_MONITOR_ID" => {
                let id = if e.quoted { format!("\"{v}\"") } else { v.to_string() };
                o.engine.srcid = parse_srcid(&id)?;
            }
            "ARGUS_OUTPUT_FILE" => {
                if outputs == 0 {
                    o.wfiles.clear();
                }
                outputs += 1;
                let (f, filter) = match v.split_once(' ') {
                    Some((f, flt)) => (f.to_string(), Some(flt.to_string())),
                    None => (v.to_string(), None),
                };
                o.wfiles.push((f, filter));
            }
            "ARGUS_FILTER" => o.bpf = Some(v.to_string()),
            "ARGUS_IP_TIMEOUT" => t.ip = num(v)?,
            "ARGUS_TCP_TIMEOUT" => t.tcp = num(v)?,
            "ARGUS_ICMP_TIMEOUT" => t.icmp = num(v)?,
            "ARGUS_IGMP_TIMEOUT" => t.igmp = num(v)?,
            "ARGUS_FRAG_TIMEOUT" => t.frag = num(v)?,
            "ARGUS_ARP_TIMEOUT" => t.arp = num(v)?,
            "ARGUS_OTHER_TIMEOUT" => t.other = num(v)?,
            "ARGUS_FLOW_TABLE_MAX" => {
                o.engine.max_flows = v
                    .trim()
                    .parse()
                    .map_err(|_| format!("{file}:{}: ARGUS_FLOW_TABLE_MAX: not a number", e.line))?
            }
            _ => {}
        }
    }
    let _ = Timeouts::default();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Options {
        let v: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse(&v, None).unwrap()
    }

    #[test]
    fn argus_command_lines() {
        let o = p("-X -m -U 64 -r a.pcap b.pcap -w out.argus -S 1 tcp and port 80");
        assert!(o.engine.mac);
        assert_eq!(o.engine.user_data, 64);
        assert_eq!(o.rfiles, vec!["a.pcap", "b.pcap"]);
        assert_eq!(o.wfiles, vec![("out.argus".to_string(), None)]);
        assert_eq!(o.engine.status_interval, 1_000_000);
        assert_eq!(o.bpf.as_deref(), Some("tcp and port 80"));
        let o = p("-r x.pcap -w - udp -A");
        assert_eq!(o.wfiles, vec![("-".to_string(), Some("udp".to_string()))]);
        assert!(o.engine.appbytes);
        let o = p("-mJZ -S 0.5");
        assert!(o.engine.mac && o.engine.jitter && o.engine.psize);
        assert_eq!((o.engine.status_interval, o.engine.status_interval_frac), (500_000, 500_000));
        // -X resets what came before it.
        assert!(!p("-m -X").engine.mac);
    }

    #[test]
    fn source_ids() {
        assert_eq!(parse_srcid("1234").unwrap(), SourceId { kind: 0x20, bytes: [0, 0, 4, 0xd2] });
        assert_eq!(parse_srcid("10.1.2.3").unwrap(), SourceId { kind: 0x01, bytes: [10, 1, 2, 3] });
        assert_eq!(
            parse_srcid("\"ab\"").unwrap(),
            SourceId { kind: 0x21, bytes: [b'a', b'b', 0, 0] }
        );
        assert!(parse_srcid("no such host!").is_err());
    }

    #[test]
    fn bad_values_are_errors() {
        let v: Vec<String> = ["-S", "abc"].iter().map(|s| s.to_string()).collect();
        assert!(parse(&v, None).is_err());
        let v: Vec<String> = ["-U"].iter().map(|s| s.to_string()).collect();
        assert!(parse(&v, None).is_err());
        let v: Vec<String> = ["-q"].iter().map(|s| s.to_string()).collect();
        assert!(parse(&v, None).is_err());
    }
}
