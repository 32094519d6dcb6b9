//! Names the printers show instead of numbers: TCP/UDP services, LLC SAPs,
//! Ethernet types, DiffServ code points, and (with `-nnn`) host names.
//!
//! Like `ra`, the Ethernet type and LLC SAP names come from `ra`'s own
//! tables, not from system files; service names come from
//! `crate::names::services()` (`/etc/services`).

use crate::names::{self, Transport};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The service name of a TCP or UDP port, `None` when unknown.
pub fn service(port: u16, udp: bool) -> Option<&'static str> {
    let t = if udp { Transport::Udp } else { Transport::Tcp };
    names::services().name_of(port, t)
}

/// True when `port` names a TCP service (for `ra`'s `-nnn` direction fix).
pub fn known_tcp_service(port: u16) -> bool {
    service(port, false).is_some()
}

/// `ra`'s LLC SAP names (`llcsap_string`).
pub fn llc_sap(sap: u8) -> Option<&'static str> {
    Some(match sap {
        0x00 => "null",
        0x02 => "gsap",
        0x03 => "isap",
        0x04 => "snapath",
        0x06 => "ipsap",
        0x08 => "sna1",
        0x0c => "sna2",
        0x0e => "p-nm",
        0x18 => "ti",
        0x42 => "stp",
        0x4e => "eia",
        0x7e => "x25",
        0x80 => "xns",
        0x86 => "nestar",
        0x8e => "p-aslm",
        0x98 => "arp",
        0xaa => "snap",
        0xba => "vine1",
        0xbc => "vine2",
        0xe0 => "netware",
        0xf0 => "netbios",
        0xf4 => "ibmnm",
        0xf8 => "rpl1",
        0xfa => "ub",
        0xfc => "rpl2",
        0xfe => "clns",
        0xff => "gbl",
        _ => return None,
    })
}

/// `ra`'s DiffServ code point names (IANA table, or DISA's with `-M disa`).
pub fn ds_codepoint(dscp: u8, disa: bool) -> Option<&'static str> {
    if disa {
        Some(match dscp {
            40 => "US",
            46 => "Voice",
            48 => "NC",
            16 => "OAM",
            38 => "Video",
            26 | 28 | 30 => "SMMS",
            32 => "SM",
            25 => "HPMMS",
            9 => "HPHTD",
            17 => "HPLLD",
            10 | 12 | 14 => "SHTD",
            18 | 20 | 22 => "SHLLD",
            0 => "BE",
            _ => return None,
        })
    } else {
        Some(match dscp {
            0x00 => "cs0",
            0x08 => "cs1",
            0x10 => "cs2",
            0x18 => "cs3",
            0x20 => "cs4",
            0x28 => "cs5",
            0x30 => "cs6",
            0x38 => "cs7",
            0x0a => "af11",
            0x0c => "af12",
            0x0e => "af13",
            0x12 => "af21",
            0x14 => "af22",
            0x16 => "af23",
            0x1a => "af31",
            0x1c => "af32",
            0x1e => "af33",
            0x22 => "af41",
            0x24 => "af42",
            0x26 => "af43",
            0x2e => "ef",
            _ => return None,
        })
    }
}

/// `ra`'s Ethernet type names (`argus_ethertype_names`), `None` when it has
/// none for `t`.
pub fn ether_type(t: u16) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<Option<&'static str>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut v = vec![None; 65536];
        // Later entries win, as in ra's table fill.
        for &(start, end, name) in ETHER_TYPES {
            for slot in v.iter_mut().take(end as usize + 1).skip(start as usize) {
                *slot = Some(name);
            }
        }
        v
    });
    table[t as usize]
}

/// Host name of an address for `-nnn`, cached; `None` when the resolver
/// has none.
pub fn host_name(addr: std::net::IpAddr) -> Option<String> {
    static CACHE: OnceLock<Mutex<HashMap<std::net::IpAddr, Option<String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(c) = cache.lock() {
        if let Some(v) = c.get(&addr) {
            return v.clone();
        }
    }
    let name = reverse_lookup(addr);
    if let Ok(mut c) = cache.lock() {
        c.insert(addr, name.clone());
    }
    name
}

fn reverse_lookup(addr: std::net::IpAddr) -> Option<String> {
    use std::ffi::CStr;
    let mut host = [0 as libc::c_char; 1025];
    // SAFETY: the sockaddr structs are plain C data, fully initialised
    // here; getnameinfo writes at most `host.len()` bytes into `host` and
    // NUL-terminates on success.
    let rc = unsafe {
        match addr {
            std::net::IpAddr::V4(a) => {
                let mut sa: libc::sockaddr_in = std::mem::zeroed();
                sa.sin_family = libc::AF_INET as libc::sa_family_t;
                sa.sin_addr.s_addr = u32::from(a).to_be();
                libc::getnameinfo(
                    &sa as *const _ as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                    host.as_mut_ptr(),
                    host.len() as libc::socklen_t,
                    std::ptr::null_mut(),
                    0,
                    libc::NI_NAMEREQD,
                )
            }
            std::net::IpAddr::V6(a) => {
                let mut sa: libc::sockaddr_in6 = std::mem::zeroed();
                sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sa.sin6_addr.s6_addr = a.octets();
                libc::getnameinfo(
                    &sa as *const _ as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                    host.as_mut_ptr(),
                    host.len() as libc::socklen_t,
                    std::ptr::null_mut(),
                    0,
                    libc::NI_NAMEREQD,
                )
            }
        }
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: getnameinfo succeeded, so `host` holds a NUL-terminated string.
    let s = unsafe { CStr::from_ptr(host.as_ptr()) };
    s.to_str().ok().map(str::to_owned)
}

/// `/etc/ethers` names, used (like `ra`) only when a MAC column is printed.
pub fn ethers() -> &'static HashMap<[u8; 6], String> {
    static E: OnceLock<HashMap<[u8; 6], String>> = OnceLock::new();
    E.get_or_init(|| {
        let mut m = HashMap::new();
        if let Ok(text) = std::fs::read_to_string("/etc/ethers") {
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or("");
                let mut w = line.split_whitespace();
                let (Some(mac), Some(name)) = (w.next(), w.next()) else { continue };
                let parts: Vec<u8> =
                    mac.split(':').filter_map(|p| u8::from_str_radix(p, 16).ok()).collect();
                if let Ok(a) = <[u8; 6]>::try_from(parts.as_slice()) {
                    m.entry(a).or_insert_with(|| name.to_owned());
                }
            }
        }
        m.entry([0xff; 6]).or_insert_with(|| "Broadcast".to_owned());
        m
    })
}

/// (first, last, name) ranges of `ra`'s Ethernet type table, in its order.
static ETHER_TYPES: &[(u16, u16, &str)] = &[
    (0, 0, "llc"),
    (100, 100, "ipx"),
    (129, 129, "clns"),
    (130, 130, "esis"),
    (131, 131, "isis"),
    (132, 132, "nullns"),
    (257, 257, "exp"),
    (258, 258, "drip"),
    (259, 511, "exp"),
    (512, 512, "pup"),
    (513, 513, "pupat"),
    (1024, 1024, "nix"),
    (1536, 1536, "idp"),
    (1632, 1632, "dlog"),
    (1633, 1633, "dlog"),
    (2048, 2048, "ip"),
    (2049, 2049, "x75"),
    (2050, 2050, "nbs"),
    (2051, 2051, "ecma"),
    (2052, 2052, "chaos"),
    (2053, 2053, "x25"),
    (2054, 2054, "arp"),
    (2055, 2055, "xnscp"),
    (2056, 2056, "frarp"),
    (2076, 2076, "symbl"),
    (2184, 2186, "xyplx"),
    (2304, 2304, "ubdeb"),
    (2560, 2560, "pup.3"),
    (2561, 2561, "pupat"),
    (2989, 2989, "vines"),
    (2990, 2990, "vinlb"),
    (2991, 2991, "vinec"),
    (4096, 4096, "brktn"),
    (4097, 4111, "brkte"),
    (5632, 5632, "valid"),
    (6532, 6532, "train"),
    (8192, 8192, "cdp"),
    (8193, 8193, "cgmp"),
    (8195, 8195, "vtp"),
    (9298, 9298, "cent"),
    (15367, 15367, "nbp"),
    (16962, 16962, "pcs"),
    (21000, 21000, "bbn"),
    (24576, 24576, "decun"),
    (24577, 24577, "decdl"),
    (24578, 24578, "decrc"),
    (24579, 24579, "decro"),
    (24580, 24580, "lat"),
    (24581, 24581, "decdp"),
    (24582, 24582, "deccp"),
    (24583, 24583, "lavc"),
    (24584, 24585, "decun"),
    (24586, 24596, "3com"),
    (25944, 25944, "trans"),
    (25945, 25945, "rawfr"),
    (28672, 28672, "dbdwn"),
    (28674, 28674, "ubdia"),
    (28704, 28713, "lrt"),
    (28720, 28720, "prote"),
    (28724, 28724, "cable"),
    (32771, 32771, "cronv"),
    (32772, 32772, "crond"),
    (32773, 32773, "hppro"),
    (32774, 32774, "nesta"),
    (32776, 32776, "att"),
    (32784, 32784, "excel"),
    (32787, 32787, "sgid"),
    (32788, 32788, "sging"),
    (32789, 32789, "sgres"),
    (32790, 32790, "sgibs"),
    (32793, 32793, "apld"),
    (32815, 32815, "tym"),
    (32816, 32816, "tigan"),
    (32821, 32821, "rarp"),
    (32822, 32822, "aeon"),
    (32824, 32824, "declb"),
    (32825, 32828, "decun"),
    (32829, 32829, "decee"),
    (32830, 32830, "decun"),
    (32831, 32831, "dectm"),
    (32832, 32834, "decun"),
    (32836, 32836, "plan"),
    (32838, 32838, "att"),
    (32839, 32839, "att"),
    (32841, 32841, "expd"),
    (32859, 32859, "Vexp"),
    (32860, 32860, "Vprod"),
    (32861, 32861, "es"),
    (32864, 32864, "ltlm"),
    (32866, 32866, "count"),
    (32869, 32869, "um"),
    (32870, 32870, "um"),
    (32871, 32871, "veeco"),
    (32872, 32872, "gd"),
    (32873, 32873, "att"),
    (32874, 32874, "autop"),
    (32876, 32876, "comd"),
    (32877, 32877, "comgr"),
    (32878, 32887, "land"),
    (32890, 32890, "matra"),
    (32891, 32891, "dansk"),
    (32892, 32892, "merit"),
    (32893, 32895, "vtlnk"),
    (32896, 32896, "vtlnk"),
    (32897, 32899, "count"),
    (32923, 32923, "atalk"),
    (32924, 32926, "data"),
    (32927, 32927, "spidr"),
    (32931, 32931, "nix"),
    (32932, 32947, "siem"),
    (32960, 32963, "dcaex"),
    (32964, 32964, "ban"),
    (32965, 32965, "ban"),
    (32966, 32966, "pacer"),
    (32967, 32967, "appli"),
    (32968, 32972, "intrg"),
    (32973, 32974, "haris"),
    (32975, 32978, "taylr"),
    (32979, 32980, "rose"),
    (32981, 32981, "sna"),
    (32989, 32989, "varin"),
    (32990, 32991, "trfs"),
    (32992, 32995, "allen"),
    (32996, 33008, "data"),
    (33010, 33010, "retix"),
    (33011, 33011, "aarp"),
    (33012, 33013, "kinet"),
    (33015, 33015, "aplo"),
    (33023, 33023, "wcp"),
    (33024, 33027, "well"),
    (33031, 33033, "symbl"),
    (33072, 33072, "hayes"),
    (33073, 33073, "vglab"),
    (33074, 33078, "brdg"),
    (33079, 33080, "ipx/spx"),
    (33081, 33085, "kti"),
    (33096, 33096, "logic"),
    (33097, 33097, "ncd"),
    (33098, 33098, "alpha"),
    (33100, 33100, "snmp"),
    (33101, 33101, "biin"),
    (33104, 33104, "biin"),
    (33103, 33103, "elite"),
    (33104, 33104, "ratnl"),
    (33105, 33107, "qual"),
    (33108, 33110, "cprot"),
    (33124, 33126, "crd"),
    (33149, 33149, "xtp"),
    (33150, 33150, "sgitw"),
    (33152, 33152, "hippi"),
    (33153, 33153, "stp"),
    (33154, 33154, "h6400"),
    (33155, 33155, "h6400"),
    (33156, 33164, "sgi"),
    (33165, 33165, "mot"),
    (33178, 33187, "qual"),
    (33188, 33188, "arai"),
    (33189, 33198, "rad"),
    (33207, 33209, "xyplx"),
    (33228, 33237, "apri"),
    (33238, 33245, "arti"),
    (33254, 33263, "poly"),
    (33264, 33266, "comst"),
    (33267, 33269, "saic"),
    (33270, 33272, "vg"),
    (33277, 33277, "ismp"),
    (33283, 33285, "quant"),
    (33313, 33314, "ascom"),
    (33342, 33344, "aes"),
    (33407, 33410, "athen"),
    (33379, 33386, "crd"),
    (33434, 33435, "iiit"),
    (33436, 33451, "tarus"),
    (33452, 34451, "wrq"),
    (34452, 34461, "ideac"),
    (34462, 34465, "cnt"),
    (34467, 34476, "gtway"),
    (34523, 34523, "sectr"),
    (34526, 34526, "delta"),
    (34525, 34525, "ipv6"),
    (34527, 34527, "atom"),
    (34528, 34543, "lgp"),
    (34560, 34576, "mot"),
    (34605, 34605, "cwl"),
    (34667, 34667, "compr"),
    (34668, 34668, "ipas"),
    (34669, 34669, "sdata"),
    (34824, 34824, "mac"),
    (34825, 34825, "slow"),
    (34827, 34827, "ppp"),
    (34887, 34887, "mplsu"),
    (34888, 34888, "mplsm"),
    (34915, 34915, "pppoe"),
    (34916, 34916, "pppoe"),
    (34925, 34925, "ans"),
    (34927, 34927, "nlb"),
    (34945, 34945, "cdma"),
    (34958, 34958, "eapol"),
    (34962, 34962, "prof"),
    (34970, 34970, "hscsi"),
    (34971, 34971, "csm"),
    (34978, 34978, "aoe"),
    (34990, 34990, "brd"),
    (34999, 34999, "oui"),
    (35000, 35002, "gse"),
    (35015, 35015, "rsn"),
    (35018, 35018, "tipc"),
    (35020, 35020, "lldp"),
    (35026, 35026, "3gpp"),
    (35478, 35479, "invis"),
    (36864, 36864, "loop"),
    (36865, 36865, "xnssm"),
    (36866, 36866, "3coms"),
    (36867, 36867, "3coml"),
    (36897, 36897, "rtmac"),
    (36898, 36898, "rtcfg"),
    (48879, 48879, "nrludt"),
    (64764, 64764, "fcft"),
    (65280, 65295, "ramo"),
    (65535, 65535, "*"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ra_tables() {
        assert_eq!(ether_type(0), Some("llc"));
        assert_eq!(ether_type(2054), Some("arp"));
        assert_eq!(ether_type(2048), Some("ip"));
        assert_eq!(ether_type(34997), None);
        assert_eq!(llc_sap(0x42), Some("stp"));
        assert_eq!(llc_sap(0x43), None);
        assert_eq!(ds_codepoint(0x2e, false), Some("ef"));
        assert_eq!(ds_codepoint(46, true), Some("Voice"));
    }

    #[test]
    fn services_come_from_the_table() {
        assert_eq!(service(80, false), Some("http"));
        assert_eq!(service(53, true), Some("domain"));
    }
}
