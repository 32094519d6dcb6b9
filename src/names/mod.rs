//! Service (port) and protocol names, in both directions.
//!
//! Like the C library calls Argus uses (`getservbyport`, `getservbyname`,
//! `getprotobynumber`, `getprotobyname`), the tables come from
//! `/etc/services` and `/etc/protocols`. A router may have neither, so
//! copies of Debian's netbase files are built in and used when the system
//! files cannot be read. Tables are parsed once, on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

const BUILTIN_SERVICES: &str = include_str!("services");
const BUILTIN_PROTOCOLS: &str = include_str!("protocols");

/// Transport protocol a service entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    Tcp,
    Udp,
    Other,
}

impl Transport {
    fn parse(s: &str) -> Transport {
        match s {
            "tcp" => Transport::Tcp,
            "udp" => Transport::Udp,
            _ => Transport::Other,
        }
    }
}

/// One parsed `/etc/services` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub port: u16,
    pub transport: Transport,
    pub aliases: Vec<String>,
}

/// The services table: lookups by (port, transport) give the first entry in
/// file order, as `getservbyport` does.
pub struct Services {
    entries: Vec<Service>,
    tcp_by_port: Vec<Option<u32>>,
    udp_by_port: Vec<Option<u32>>,
    by_name: HashMap<String, Vec<u32>>,
}

impl Services {
    /// Parses the text of a services file. Malformed lines are skipped, as
    /// the C library does.
    pub fn parse(text: &str) -> Services {
        let mut s = Services {
            entries: Vec::new(),
            tcp_by_port: vec![None; 65536],
            udp_by_port: vec![None; 65536],
            by_name: HashMap::new(),
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            let (Some(name), Some(portproto)) = (words.next(), words.next()) else {
                continue;
            };
            let Some((port, proto)) = portproto.split_once('/') else {
                continue;
            };
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            let transport = Transport::parse(proto);
            let idx = s.entries.len() as u32;
            let aliases: Vec<String> = words.map(str::to_owned).collect();
            let table = match transport {
                Transport::Tcp => Some(&mut s.tcp_by_port),
                Transport::Udp => Some(&mut s.udp_by_port),
                Transport::Other => None,
            };
            if let Some(t) = table {
                t[port as usize].get_or_insert(idx);
            }
            for n in std::iter::once(name).chain(aliases.iter().map(String::as_str)) {
                s.by_name.entry(n.to_owned()).or_default().push(idx);
            }
            s.entries.push(Service { name: name.to_owned(), port, transport, aliases });
        }
        s
    }

    /// The service name of `port` for `transport`, as `getservbyport`.
    pub fn name_of(&self, port: u16, transport: Transport) -> Option<&str> {
        let idx = match transport {
            Transport::Tcp => self.tcp_by_port[port as usize],
            Transport::Udp => self.udp_by_port[port as usize],
            Transport::Other => None,
        }?;
        Some(self.entries[idx as usize].name.as_str())
    }

    /// Every entry whose name or alias is `name`, in file order.
    pub fn lookup(&self, name: &str) -> impl Iterator<Item = &Service> {
        self.by_name.get(name).into_iter().flatten().map(|&i| &self.entries[i as usize])
    }
}

/// The protocols table (`/etc/protocols`).
pub struct Protocols {
    by_number: Vec<Option<String>>,
    by_name: HashMap<String, u8>,
}

impl Protocols {
    pub fn parse(text: &str) -> Protocols {
        let mut p = Protocols { by_number: vec![None; 256], by_name: HashMap::new() };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            let (Some(name), Some(num)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(num) = num.parse::<u8>() else {
                continue;
            };
            p.by_number[num as usize].get_or_insert_with(|| name.to_owned());
            for n in std::iter::once(name).chain(words) {
                p.by_name.entry(n.to_owned()).or_insert(num);
            }
        }
        p
    }

    pub fn name_of(&self, number: u8) -> Option<&str> {
        self.by_number[number as usize].as_deref()
    }

    pub fn number_of(&self, name: &str) -> Option<u8> {
        self.by_name.get(name).copied()
    }
}

fn read_or(path: &str, builtin: &'static str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|_| builtin.to_owned())
}

/// The process-wide services table.
pub fn services() -> &'static Services {
    static S: OnceLock<Services> = OnceLock::new();
    S.get_or_init(|| Services::parse(&read_or("/etc/services", BUILTIN_SERVICES)))
}

/// The process-wide protocols table.
pub fn protocols() -> &'static Protocols {
    static P: OnceLock<Protocols> = OnceLock::new();
    P.get_or_init(|| Protocols::parse(&read_or("/etc/protocols", BUILTIN_PROTOCOLS)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_services_resolve_both_ways() {
        let s = Services::parse(BUILTIN_SERVICES);
        assert_eq!(s.name_of(80, Transport::Tcp), Some("http"));
        assert_eq!(s.name_of(53, Transport::Udp), Some("domain"));
        assert_eq!(s.name_of(1, Transport::Udp), None);
        let http: Vec<_> = s.lookup("www").map(|e| (e.port, e.transport)).collect();
        assert_eq!(http, vec![(80, Transport::Tcp)]);
    }

    #[test]
    fn builtin_protocols_resolve_both_ways() {
        let p = Protocols::parse(BUILTIN_PROTOCOLS);
        assert_eq!(p.name_of(6), Some("tcp"));
        assert_eq!(p.number_of("esp"), Some(50));
        assert_eq!(p.number_of("ipv6-icmp"), Some(58));
    }

    #[test]
    fn malformed_lines_are_skipped() {
        let s = Services::parse("bad\nfoo 99999/tcp\nbar x/udp\nok 7/tcp alias1\n");
        assert_eq!(s.name_of(7, Transport::Tcp), Some("ok"));
        assert_eq!(s.lookup("alias1").count(), 1);
    }
}
