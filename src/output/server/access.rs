//! Who may connect to the remote-access port.
//!
//! Two layers, both checked on every connection before anything is sent:
//!
//! 1. CIDR lists from argus.conf (`ARGUS_ACCESS_ALLOW`, `ARGUS_ACCESS_DENY`,
//!    ours): a peer in the deny list is refused; when an allow list is
//!    given, a peer outside it is refused.
//! 2. tcp_wrappers rules, which Debian's argus honours through libwrap:
//!    `/etc/hosts.allow` then `/etc/hosts.deny`, daemon name `argus`. The
//!    first matching rule of hosts.allow grants, else the first matching
//!    rule of hosts.deny refuses, else access is granted. We read the
//!    address forms (`ALL`, `a.b.c.d`, `a.b.c.`, `a.b.c.d/m.m.m.m`,
//!    `a.b.c.d/nn`, `[v6]/nn`, `LOCAL`, `EXCEPT`); host-name patterns never
//!    match, because deciding on reverse DNS would let whoever controls
//!    the peer's DNS choose (and it would stall the accept loop). A rule
//!    file that cannot be read counts as empty, as libwrap does.
//!
//! The files are read when the server starts and on SIGHUP, so a chroot
//! does not hide them and editing them takes effect on the next SIGHUP.

use std::net::IpAddr;

/// An address block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

/// Maps IPv4-mapped IPv6 peers (`::ffff:a.b.c.d`) to IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

fn bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)) << 96, 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

impl Cidr {
    /// `a.b.c.d`, `a.b.c.d/nn`, `a.b.c.d/m.m.m.m` (contiguous mask), `v6`,
    /// `v6/nn`, `[v6]/nn`.
    pub fn parse(s: &str) -> Option<Cidr> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let a = a.trim_start_matches('[').trim_end_matches(']');
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) if p.contains('.') => {
                let m: std::net::Ipv4Addr = p.parse().ok()?;
                let m = u32::from(m);
                let n = m.leading_ones();
                if m.checked_shl(n).unwrap_or(0) != 0 || !addr.is_ipv4() {
                    return None; // not a contiguous mask
                }
                n as u8
            }
            Some(p) => p.parse::<u8>().ok().filter(|&n| n <= max)?,
        };
        Some(Cidr { addr: canonical(addr), prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        if ip.is_ipv4() != self.addr.is_ipv4() {
            return false;
        }
        let (a, _) = bits(self.addr);
        let (b, _) = bits(ip);
        let shift = if self.addr.is_ipv4() {
            32 - u32::from(self.prefix) + 96
        } else {
            128 - u32::from(self.prefix)
        };
        if shift >= 128 {
            return true;
        }
        (a >> shift) == (b >> shift)
    }
}

/// A comma/space separated list of blocks; the words that are no block are
/// returned for a warning.
pub fn parse_list(s: &str) -> (Vec<Cidr>, Vec<String>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for w in s.split([',', ' ', '\t']).filter(|w| !w.is_empty()) {
        match Cidr::parse(w) {
            Some(c) => ok.push(c),
            None => bad.push(w.to_string()),
        }
    }
    (ok, bad)
}

/// One hosts.allow / hosts.deny rule.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    daemons: Vec<String>,
    clients: Vec<String>,
}

/// Parses a tcp_wrappers file: `daemons : clients [: options]`, `#`
/// comments, `\` continuation lines.
fn parse_rules(text: &str) -> Vec<Rule> {
    let mut rules = Vec::new();
    let mut line = String::new();
    for raw in text.lines() {
        let raw = raw.trim_end();
        if let Some(cont) = raw.strip_suffix('\\') {
            line.push_str(cont);
            line.push(' ');
            continue;
        }
        line.push_str(raw);
        let l = std::mem::take(&mut line);
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let mut parts = l.splitn(3, ':');
        let (Some(d), Some(c)) = (parts.next(), parts.next()) else { continue };
        let words = |s: &str| -> Vec<String> {
            s.split([',', ' ', '\t']).filter(|w| !w.is_empty()).map(str::to_string).collect()
        };
        rules.push(Rule { daemons: words(d), clients: words(c) });
    }
    rules
}

/// tcp_wrappers list matching with EXCEPT: `a b EXCEPT c` matches when a
/// or b matches and c does not.
fn list_matches(words: &[String], one: &dyn Fn(&str) -> bool) -> bool {
    match words.iter().position(|w| w == "EXCEPT") {
        Some(i) => {
            let (head, tail) = (&words[..i], &words[i + 1..]);
            head.iter().any(|w| one(w)) && !list_matches(tail, one)
        }
        None => words.iter().any(|w| one(w)),
    }
}

fn client_matches(pattern: &str, ip: IpAddr) -> bool {
    let ip = canonical(ip);
    match pattern {
        "ALL" => true,
        // LOCAL means "host name without a dot": we never resolve names.
        "LOCAL" | "KNOWN" | "UNKNOWN" | "PARANOID" => false,
        p if p.ends_with('.') && !p.starts_with('.') => {
            // `10.1.` : a prefix of the dotted address.
            ip.is_ipv4() && ip.to_string().starts_with(p)
        }
        p => Cidr::parse(p).is_some_and(|c| c.contains(ip)),
    }
}

/// The rules in force.
#[derive(Clone, Debug, Default)]
pub struct AccessControl {
    pub allow: Vec<Cidr>,
    pub deny: Vec<Cidr>,
    daemon: String,
    hosts_allow: Vec<Rule>,
    hosts_deny: Vec<Rule>,
}

impl AccessControl {
    /// CIDR lists plus the tcp_wrappers files' text (empty when absent),
    /// for daemon name `daemon`.
    pub fn new(
        daemon: &str,
        allow: Vec<Cidr>,
        deny: Vec<Cidr>,
        hosts_allow: &str,
        hosts_deny: &str,
    ) -> AccessControl {
        AccessControl {
            allow,
            deny,
            daemon: daemon.to_string(),
            hosts_allow: parse_rules(hosts_allow),
            hosts_deny: parse_rules(hosts_deny),
        }
    }

    fn wrapper_rule_matches(&self, r: &Rule, ip: IpAddr) -> bool {
        let daemon = |w: &str| w == "ALL" || w == self.daemon;
        list_matches(&r.daemons, &daemon) && list_matches(&r.clients, &|w| client_matches(w, ip))
    }

    /// Why `ip` may not connect, or `None` when it may.
    pub fn check(&self, ip: IpAddr) -> Option<&'static str> {
        let ip = canonical(ip);
        if self.deny.iter().any(|c| c.contains(ip)) {
            return Some("in ARGUS_ACCESS_DENY");
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|c| c.contains(ip)) {
            return Some("not in ARGUS_ACCESS_ALLOW");
        }
        if self.hosts_allow.iter().any(|r| self.wrapper_rule_matches(r, ip)) {
            return None;
        }
        if self.hosts_deny.iter().any(|r| self.wrapper_rule_matches(r, ip)) {
            return Some("refused by hosts.deny");
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_blocks() {
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(c.contains(ip("10.1.200.3")) && !c.contains(ip("10.2.0.1")));
        assert!(c.contains(ip("::ffff:10.1.0.9")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("192.0.2.1")));
        assert!(Cidr::parse("10.0.0.0/255.255.255.0").unwrap().contains(ip("10.0.0.77")));
        assert!(Cidr::parse("10.0.0.0/255.0.255.0").is_none());
        assert!(Cidr::parse("[2001:db8::]/32").unwrap().contains(ip("2001:db8:1::5")));
        assert!(!Cidr::parse("2001:db8::/32").unwrap().contains(ip("10.0.0.1")));
        assert!(Cidr::parse("10.0.0.0/33").is_none() && Cidr::parse("host.example").is_none());
        let (ok, bad) = parse_list("127.0.0.1, ::1 bogus");
        assert_eq!((ok.len(), bad), (2, vec!["bogus".to_string()]));
    }

    #[test]
    fn cidr_lists_from_argus_conf() {
        let (allow, _) = parse_list("127.0.0.0/8");
        let (deny, _) = parse_list("127.0.0.9");
        let a = AccessControl::new("argus", allow, deny, "", "");
        assert_eq!(a.check(ip("127.0.0.1")), None);
        assert!(a.check(ip("127.0.0.9")).is_some());
        assert!(a.check(ip("192.0.2.1")).is_some());
    }

    #[test]
    fn tcp_wrappers_rules() {
        let allow = "# comment\nargus: 127.0.0.1 10.1. \\\n  192.168.0.0/255.255.0.0\nsshd: ALL\n";
        let deny = "ALL: ALL EXCEPT 172.16.0.0/12\n";
        let a = AccessControl::new("argus", vec![], vec![], allow, deny);
        assert_eq!(a.check(ip("127.0.0.1")), None);
        assert_eq!(a.check(ip("10.1.2.3")), None);
        assert_eq!(a.check(ip("192.168.4.4")), None);
        assert_eq!(a.check(ip("172.16.1.1")), None); // the EXCEPT in hosts.deny
        assert!(a.check(ip("127.0.0.2")).is_some());
        // Another daemon's rule does not apply; host names never match.
        let a = AccessControl::new(
            "argus",
            vec![],
            vec![],
            "sshd: 10.0.0.1",
            "argus: .example.com 10.0.0.1",
        );
        assert!(a.check(ip("10.0.0.1")).is_some());
        assert_eq!(a.check(ip("10.0.0.2")), None);
        let a = AccessControl::new("argus", vec![], vec![], "", "ALL EXCEPT argus: ALL");
        assert_eq!(a.check(ip("10.0.0.2")), None);
    }
}
