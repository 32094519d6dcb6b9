//! argus's command line and argus.conf, as argus 3.0.8.2 reads them.
//!
//! Not clap: argus's command line is getopt with three quirks clap cannot
//! express — `-r` takes every following argument up to the next option,
//! `-w file` takes an optional record filter as the next argument, and
//! `-X` resets the configuration at the point where it appears — and the
//! words left after the options form the BPF capture filter.

use crate::conf;
use crate::flow::{Config, SourceId, Timeouts};
use crate::output::server::access::{self, Cidr};

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
    /// Live capture: `-i` / ARGUS_INTERFACE, one flow engine per group.
    pub interfaces: Vec<InterfaceGroup>,
    /// Promiscuous mode (`-p` / ARGUS_GO_PROMISCUOUS=no turn it off).
    pub promisc: bool,
    /// `-s`: bytes kept per packet (argus: 96, or 96 + `-U`).
    pub snaplen: Option<i32>,
    /// `-d` / ARGUS_DAEMON.
    pub daemon: bool,
    /// ARGUS_SET_PID / ARGUS_PID_PATH: a pid file (daemon mode only, as argus).
    pub set_pid: bool,
    pub pid_path: String,
    /// `-u` / ARGUS_SETUSER_ID, `-g` / ARGUS_SETGROUP_ID, `-c` / ARGUS_CHROOT_DIR.
    pub user: Option<String>,
    pub group: Option<String>,
    pub chroot: Option<String>,
    /// `-P` / ARGUS_ACCESS_PORT (0: no remote access).
    pub port: u16,
    /// `-B` / ARGUS_BIND_IP.
    pub bind: Vec<String>,
    /// `-T factor`: replay the `-r` files in real time (times the factor).
    pub realtime: Option<f64>,
    /// ARGUS_PACKET_CAPTURE_FILE: every captured packet also goes there.
    pub packet_file: Option<String>,
    /// ARGUS_PCAP_BUF_SIZE: the kernel capture buffer in bytes.
    pub pcap_buf: Option<i32>,
    /// ARGUS_ACCESS_ALLOW / ARGUS_ACCESS_DENY (ours): CIDR lists for port 561.
    pub access_allow: Vec<Cidr>,
    pub access_deny: Vec<Cidr>,
    /// The tcp_wrappers files (ARGUS_HOSTS_ALLOW / ARGUS_HOSTS_DENY, ours, for tests).
    pub hosts_allow: String,
    pub hosts_deny: String,
    /// ARGUS_MAX_CLIENTS (ours; 3.0.8.2 has 10 built in).
    pub max_clients: usize,
    /// ARGUS_CLIENT_QUEUE (ours): records a remote client may lag behind.
    pub client_queue: usize,
    /// ARGUS_REPLAY_WAIT_CLIENTS (ours): with `-T` and `-P`, the replay
    /// starts once this many remote clients have started.
    pub replay_wait_clients: usize,
    /// ARGUS_ENV assignments, applied before capture starts.
    pub env: Vec<(String, String)>,
    /// Configuration lines we do not act on, for warnings.
    pub warnings: Vec<String>,
}

/// Devices whose packets go through one flow engine: one device, or the
/// devices of a `bond:` / `dup:` group (3.0.8.2 treats both alike: one
/// flow model fed by every device of the group).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceGroup {
    pub devices: Vec<Device>,
    /// "bond" or "dup" for a group, "" for a single device.
    pub kind: &'static str,
}

/// One device of an `-i` value: `name[(DLT)][/srcid]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// A device name, `any` (Linux's every-interface device) or `all`
    /// (every device that is up, loopbacks aside).
    pub name: String,
    /// `eth0(EN10MB)`: the link type to ask the device for.
    pub datalink: Option<String>,
    /// `eth0/srcid`: the source id of the flows this device's packets create.
    pub srcid: Option<SourceId>,
}

impl InterfaceGroup {
    /// The group's name in messages and the pid file: its first device.
    pub fn name(&self) -> &str {
        self.devices.first().map(|d| d.name.as_str()).unwrap_or("")
    }
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
            interfaces: Vec::new(),
            promisc: true,
            snaplen: None,
            daemon: false,
            set_pid: false,
            pid_path: "/var/run".into(),
            user: None,
            group: None,
            chroot: None,
            port: 0,
            bind: Vec::new(),
            realtime: None,
            packet_file: None,
            pcap_buf: None,
            access_allow: Vec::new(),
            access_deny: Vec::new(),
            hosts_allow: "/etc/hosts.allow".into(),
            hosts_deny: "/etc/hosts.deny".into(),
            max_clients: 10,
            client_queue: 65_536,
            replay_wait_clients: 0,
            env: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl Options {
    /// The snap length to capture with: `-s`, else argus's 96 bytes plus
    /// the `-U` user data.
    pub fn capture_snaplen(&self) -> i32 {
        self.snaplen.unwrap_or(96 + i32::from(self.engine.user_data))
    }

    /// True when packets come from interfaces (or a real-time replay), so
    /// the daemon machinery (threads, server, signals) runs.
    pub fn is_live(&self) -> bool {
        self.rfiles.is_empty() || self.realtime.is_some()
    }
}

/// Options that take an argument (getopt's "AbB:c:CdD:e:fF:g:i:J..." string).
const WITH_ARG: &[u8] = b"BcDeFgiMNPrSsTuUw";
const FLAGS: &[u8] = b"AbCdfJmOpRtXZhv";

/// True when `w` names a network interface of this machine (so that
/// `-i eth0 eth1` takes both, while `-i lo udp` leaves `udp` to the filter).
fn is_interface(w: &str) -> bool {
    w == "any"
        || w == "all"
        || (!w.is_empty()
            && !w.contains('/')
            && std::path::Path::new("/sys/class/net").join(w).exists())
}

/// An `-i` / ARGUS_INTERFACE value, argus's syntax: `eth0`, `eth0,eth1`
/// (independent devices), `ind:eth0,eth1` (the same), `bond:eth0,eth1` or
/// `dup:eth0,eth1` (one flow engine for both), each device optionally
/// `name(DLT)` and `name/srcid`. 3.0.8.2 documents nested groups
/// (`dup:[bond:en0,en1],en2`) but cannot parse them; since bond and dup
/// are the same thing there, a nested group is flattened into one.
fn push_interfaces(o: &mut Options, v: &str) -> Result<(), String> {
    let v = v.trim().trim_matches('"');
    let (kind, list) = if let Some(l) = v.strip_prefix("bond:") {
        ("bond", l)
    } else if let Some(l) = v.strip_prefix("dup:") {
        ("dup", l)
    } else {
        ("", v.strip_prefix("ind:").unwrap_or(v))
    };
    let mut devices = Vec::new();
    for tok in list.split([',', ' ']).map(|t| t.trim_matches(['[', ']'])) {
        let tok = ["bond:", "dup:", "ind:"].iter().fold(tok, |t, p| t.strip_prefix(p).unwrap_or(t));
        if tok.is_empty() {
            continue;
        }
        let (rest, srcid) = match tok.split_once('/') {
            Some((d, id)) => (d, Some(parse_srcid(id).map_err(|e| format!("{tok}: {e}"))?)),
            None => (tok, None),
        };
        let (name, datalink) = match rest.split_once('(') {
            Some((d, dlt)) => (d, Some(dlt.trim_end_matches(')').to_string())),
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(format!("{tok}: no device name"));
        }
        devices.push(Device { name: name.to_string(), datalink, srcid });
    }
    if kind.is_empty() {
        for d in devices {
            let seen = o.interfaces.iter().any(|g| g.kind.is_empty() && g.devices[0] == d);
            if !seen {
                o.interfaces.push(InterfaceGroup { devices: vec![d], kind });
            }
        }
    } else if !devices.is_empty() {
        o.interfaces.push(InterfaceGroup { devices, kind });
    }
    Ok(())
}

fn port(v: &str) -> Result<u16, String> {
    v.trim().parse::<u16>().map_err(|_| format!("{v}: not a port number"))
}

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
    let mut interfaces_given = false;
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
                    b'd' => o.daemon = !o.daemon,
                    b'p' => o.promisc = false,
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
                b'i' => {
                    if !interfaces_given {
                        o.interfaces.clear();
                        interfaces_given = true;
                    }
                    push_interfaces(&mut o, &val)?;
                    while let Some(next) = args.get(i + 1) {
                        if !is_interface(next) {
                            break;
                        }
                        push_interfaces(&mut o, next)?;
                        i += 1;
                    }
                }
                b'P' => o.port = port(&val)?,
                b'B' => {
                    o.bind =
                        val.split([',', ' ']).filter(|s| !s.is_empty()).map(String::from).collect()
                }
                b's' => {
                    o.snaplen =
                        Some(val.trim().parse().map_err(|_| format!("-s {val}: not a number"))?)
                }
                b'T' => {
                    let f: f64 =
                        val.trim().parse().map_err(|_| format!("-T {val}: not a number"))?;
                    if !(f > 0.0 && f.is_finite()) {
                        return Err(format!("-T {val}: the factor must be above 0"));
                    }
                    o.realtime = Some(f);
                }
                b'u' => o.user = Some(val),
                b'g' => o.group = Some(val),
                b'c' => o.chroot = Some(val),
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
    o.interfaces.clear();
    o.port = 0;
    o.bind.clear();
    o.set_pid = false;
    o.promisc = true;
    o.daemon = false;
    o.snaplen = None;
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

/// The argus.conf variables 3.0.8.2 knows that we read but that have no
/// effect here, with why (no warning: the Debian sample sets some of them).
const ACCEPTED: &[&str] = &[
    // Only "Bidirectional" / "CLASSIC_5_TUPLE" exist here, checked below.
    "ARGUS_FLOW_TYPE",
    "ARGUS_FLOW_KEY",
    // -R: records are the same with and without it in 3.0.8.2.
    "ARGUS_GENERATE_RESPONSE_TIME_DATA",
    // The BPF optimiser is always on.
    "ARGUS_FILTER_OPTIMIZER",
    // 3.0.8.2 resets it per interface, so it has no effect there either.
    "ARGUS_GENERATE_TCP_PERF_METRIC",
];

fn apply_conf(o: &mut Options, text: &str, file: &str) -> Result<(), String> {
    let mut outputs = 0;
    let mut interfaces = 0;
    for e in conf::parse(text) {
        let v = e.value.as_str();
        let at = |what: &str| format!("{file}:{}: {}: {what}", e.line, e.key);
        let num = |v: &str| -> Result<u16, String> {
            v.trim().parse::<u16>().map_err(|_| at("not a number"))
        };
        let t = &mut o.engine.timeouts;
        match e.key.as_str() {
            "ARGUS_FLOW_STATUS_INTERVAL" => set_status(o, v).map_err(|m| at(&m))?,
            "ARGUS_MAR_STATUS_INTERVAL" => {
                o.mar_interval = seconds(v).map_err(|m| at(&m))?.0 as u32
            }
            "ARGUS_CAPTURE_DATA_LEN" => o.engine.user_data = num(v)?,
            "ARGUS_GENERATE_JITTER_DATA" => o.engine.jitter = conf::yes(v),
            "ARGUS_GENERATE_MAC_DATA" => o.engine.mac = conf::yes(v),
            "ARGUS_GENERATE_APPBYTE_METRIC" => o.engine.appbytes = conf::yes(v),
            "ARGUS_GENERATE_PACKET_SIZE" => o.engine.psize = conf::yes(v),
            "ARGUS_GENERATE_BIDIRECTIONAL_TIMESTAMPS" => o.engine.bidir_timestamps = conf::yes(v),
            "ARGUS_TRACK_DUPLICATES" => o.engine.track_duplicates = conf::yes(v),
            "ARGUS_MONITOR_ID" => {
                let id = if e.quoted {
                    format!("\"{v}\"")
                } else if v.trim() == "`hostname`" {
                    hostname_id()
                } else {
                    v.to_string()
                };
                o.engine.srcid = parse_srcid(&id).map_err(|m| at(&m))?;
            }
            "ARGUS_OUTPUT_FILE" => {
                if outputs == 0 {
                    o.wfiles.clear();
                }
                outputs += 1;
                if o.wfiles.len() == 5 {
                    return Err(at("more than 5 outputs"));
                }
                let (f, filter) = match v.split_once(' ') {
                    Some((f, flt)) => (f.to_string(), Some(flt.trim().to_string())),
                    None => (v.trim().to_string(), None),
                };
                o.wfiles.push((f, filter.filter(|f| !f.is_empty())));
            }
            "ARGUS_INTERFACE" => {
                if interfaces == 0 {
                    o.interfaces.clear();
                }
                interfaces += 1;
                push_interfaces(o, v).map_err(|m| at(&m))?;
            }
            "ARGUS_DAEMON" => o.daemon = conf::yes(v),
            "ARGUS_ACCESS_PORT" => o.port = port(v).map_err(|m| at(&m))?,
            "ARGUS_BIND_IP" => {
                o.bind = v.split([',', ' ']).filter(|s| !s.is_empty()).map(String::from).collect()
            }
            "ARGUS_SET_PID" => o.set_pid = conf::yes(v),
            "ARGUS_PID_PATH" => o.pid_path = v.trim().to_string(),
            "ARGUS_SETUSER_ID" => o.user = Some(v.trim().to_string()),
            "ARGUS_SETGROUP_ID" => o.group = Some(v.trim().to_string()),
            "ARGUS_CHROOT_DIR" => o.chroot = Some(v.trim().to_string()),
            // argus: any value but "yes" turns promiscuous mode off.
            "ARGUS_GO_PROMISCUOUS" => o.promisc = conf::yes(v),
            "ARGUS_FILTER" => o.bpf = Some(v.to_string()).filter(|f| !f.trim().is_empty()),
            "ARGUS_PACKET_CAPTURE_FILE" => {
                o.packet_file = Some(v.trim().to_string()).filter(|f| !f.is_empty())
            }
            "ARGUS_PCAP_BUF_SIZE" => {
                let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
                let mut n: i64 = digits.parse().map_err(|_| at("not a size"))?;
                for (c, m) in [('K', 1_000), ('M', 1_000_000), ('G', 1_000_000_000)] {
                    if v.contains(c) {
                        n = n.saturating_mul(m);
                    }
                }
                o.pcap_buf = Some(n.clamp(0, i64::from(i32::MAX)) as i32);
            }
            "ARGUS_ENV" => match v.split_once('=') {
                Some((k, val)) if !k.is_empty() => o.env.push((k.to_string(), val.to_string())),
                _ => return Err(at("expected NAME=value")),
            },
            "ARGUS_ACCESS_ALLOW" | "ARGUS_ACCESS_DENY" => {
                let (list, bad) = access::parse_list(v);
                if !bad.is_empty() {
                    return Err(at(&format!("not an address block: {}", bad.join(", "))));
                }
                if e.key == "ARGUS_ACCESS_ALLOW" {
                    o.access_allow = list;
                } else {
                    o.access_deny = list;
                }
            }
            "ARGUS_HOSTS_ALLOW" => o.hosts_allow = v.trim().to_string(),
            "ARGUS_HOSTS_DENY" => o.hosts_deny = v.trim().to_string(),
            "ARGUS_MAX_CLIENTS" => o.max_clients = usize::from(num(v)?),
            "ARGUS_CLIENT_QUEUE" => {
                o.client_queue = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|&n: &usize| n > 0)
                    .ok_or_else(|| at("not a number"))?
            }
            "ARGUS_REPLAY_WAIT_CLIENTS" => o.replay_wait_clients = usize::from(num(v)?),
            "ARGUS_IP_TIMEOUT" => t.ip = num(v)?,
            "ARGUS_TCP_TIMEOUT" => t.tcp = num(v)?,
            "ARGUS_ICMP_TIMEOUT" => t.icmp = num(v)?,
            "ARGUS_IGMP_TIMEOUT" => t.igmp = num(v)?,
            "ARGUS_FRAG_TIMEOUT" => t.frag = num(v)?,
            "ARGUS_ARP_TIMEOUT" => t.arp = num(v)?,
            "ARGUS_OTHER_TIMEOUT" => t.other = num(v)?,
            "ARGUS_FLOW_TABLE_MAX" => {
                o.engine.max_flows = v.trim().parse().map_err(|_| at("not a number"))?
            }
            "ARGUS_FLOW_TYPE" if !v.to_ascii_lowercase().starts_with("bi") => o
                .warnings
                .push(at(&format!("\"{v}\" is not supported (flows are bidirectional), ignored"))),
            "ARGUS_FLOW_KEY" if !v.eq_ignore_ascii_case("CLASSIC_5_TUPLE") => o.warnings.push(at(
                &format!("\"{v}\" is not supported (the key is CLASSIC_5_TUPLE), ignored"),
            )),
            k if ACCEPTED.contains(&k) => {}
            _ => o.warnings.push(at("not supported by this argus, ignored")),
        }
    }
    let _ = Timeouts::default();
    Ok(())
}

/// ARGUS_MONITOR_ID=`hostname`: argus takes the host's IPv4 address when
/// the name resolves to one, else the name as a string id.
fn hostname_id() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
    let name = if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        String::new()
    };
    use std::net::ToSocketAddrs;
    let v4 = (name.as_str(), 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.find(|a| a.is_ipv4()))
        .map(|a| a.ip().to_string());
    v4.unwrap_or_else(|| format!("\"{name}\""))
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
    fn live_options_and_variables() {
        let names = |o: &Options| -> Vec<Vec<String>> {
            o.interfaces
                .iter()
                .map(|g| g.devices.iter().map(|d| d.name.clone()).collect())
                .collect()
        };
        let o = p("-X -i lo -P 561 -B 127.0.0.1,::1 -p -s 200 -d -u nobody -c /tmp -T 2 udp");
        assert_eq!(names(&o), vec![vec!["lo"]]);
        assert_eq!((o.port, o.promisc, o.snaplen, o.daemon), (561, false, Some(200), true));
        assert_eq!(o.bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(
            (o.user.as_deref(), o.chroot.as_deref(), o.realtime),
            (Some("nobody"), Some("/tmp"), Some(2.0))
        );
        assert_eq!(o.bpf.as_deref(), Some("udp"));
        // -i takes following words only when they name interfaces.
        assert_eq!(names(&p("-i lo any tcp")), vec![vec!["lo"], vec!["any"]]);
        assert_eq!(p("-i lo any tcp").bpf.as_deref(), Some("tcp"));
        let mut o = Options::default();
        let conf = "ARGUS_INTERFACE=ind:eth0/1,eth1\nARGUS_ACCESS_PORT=5610\nARGUS_GO_PROMISCUOUS=no\n\
                    ARGUS_DAEMON=yes\nARGUS_ACCESS_DENY=10.0.0.0/8\nARGUS_FLOW_TYPE=\"Bidirectional\"\n\
                    ARGUS_DEBUG_LEVEL=3\nARGUS_FLOW_KEY=LAYER_2\nARGUS_PCAP_BUF_SIZE=2M\n";
        apply_conf(&mut o, conf, "x.conf").unwrap();
        assert_eq!(names(&o), vec![vec!["eth0"], vec!["eth1"]]);
        assert_eq!(o.interfaces[0].devices[0].srcid, Some(parse_srcid("1").unwrap()));
        assert_eq!((o.port, o.promisc, o.daemon, o.pcap_buf), (5610, false, true, Some(2_000_000)));
        assert_eq!(o.access_deny.len(), 1);
        // Unsupported variables and values are named with their line.
        assert_eq!(o.warnings.len(), 2, "{:?}", o.warnings);
        assert!(o.warnings[0].starts_with("x.conf:7: ARGUS_DEBUG_LEVEL"));
        assert!(o.warnings[1].starts_with("x.conf:8: ARGUS_FLOW_KEY"));
        assert!(apply_conf(&mut o, "ARGUS_ACCESS_ALLOW=not-an-address\n", "y").is_err());
    }

    #[test]
    fn interface_groups() {
        let o = p("-i bond:eth0,eth1/10.0.0.1 -i dup:[bond:en0,en1],en2 -i ind:a,b(EN10MB) -i a");
        let g = &o.interfaces;
        assert_eq!(g.len(), 4, "{g:?}");
        assert_eq!((g[0].kind, g[0].devices.len()), ("bond", 2));
        assert_eq!(g[0].devices[0].srcid, None);
        assert_eq!(g[0].devices[1].srcid, Some(parse_srcid("10.0.0.1").unwrap()));
        // The nested group is flattened: one engine for en0, en1 and en2.
        assert_eq!(g[1].kind, "dup");
        let names: Vec<&str> = g[1].devices.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["en0", "en1", "en2"]);
        // ind: and plain lists are one group per device, repeats dropped.
        assert_eq!((g[2].name(), g[3].name()), ("a", "b"));
        assert_eq!(g[3].devices[0].datalink.as_deref(), Some("EN10MB"));
        let v: Vec<String> = ["-i", "eth0/not an id!"].iter().map(|s| s.to_string()).collect();
        assert!(parse(&v, None).is_err());
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
