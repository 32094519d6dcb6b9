//! racount's address categories (`-M addr`): which IANA block an IPv4 or
//! IPv6 address falls in, decided exactly as argus-clients 3.0.8.2's
//! `RaTallyIPv4AddressType` / `RaTallyIPv6AddressType` decide it — dead
//! branches, overlapping multicast blocks and all (an address of
//! 233.0.0.0/8 counts as GLOP *and* Reserved; 172.16/16 is the only
//! private block of 172; the link-local test sits where no address reaches
//! it), because the report must show the same numbers.

/// The categories, in the order of racount's report; the last three are
/// counted but never printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum AddrClass {
    V4Unicast,
    V4ThisNet,
    V4Private,
    V4LoopBack,
    V4LinkLocal,
    V4TestNet,
    V4Reserved,
    V4McLocal,
    V4McInternet,
    V4McAdHoc,
    V4McReserved,
    V4McSdpSap,
    V4McNasdaq,
    V4McDisTrans,
    V4McSrcSpec,
    V4McGlop,
    V4McOrgLocal,
    V4McSiteLocal,
    V6Unspecified,
    V6Loopback,
    V6LinkLocal,
    V6SiteLocal,
    V6Global,
    V6McNodeLocal,
    V6McLinkLocal,
    V6McSiteLocal,
    V6McOrgLocal,
    V6McGlobal,
    V4McAdmin,
    V6V4Compat,
    V6V4Mapped,
}

/// Number of categories.
pub const CLASSES: usize = AddrClass::V6V4Mapped as usize + 1;

/// The report's label of each printed category, in report order.
pub const LABELS: [(AddrClass, &str); 28] = [
    (AddrClass::V4Unicast, "IPv4 Unicast"),
    (AddrClass::V4ThisNet, "IPv4 Unicast This Network"),
    (AddrClass::V4Private, "IPv4 Unicast Private"),
    (AddrClass::V4LoopBack, "IPv4 Unicast LoopBack"),
    (AddrClass::V4LinkLocal, "IPv4 Unicast Link Local"),
    (AddrClass::V4TestNet, "IPv4 Unicast Test Net"),
    (AddrClass::V4Reserved, "IPv4 Unicast Reserved"),
    (AddrClass::V4McLocal, "IPv4 Multicast Local"),
    (AddrClass::V4McInternet, "IPv4 Multicast Internet"),
    (AddrClass::V4McAdHoc, "IPv4 Multicast AdHoc"),
    (AddrClass::V4McReserved, "IPv4 Multicast Reserved"),
    (AddrClass::V4McSdpSap, "IPv4 Multicast SdpSap"),
    (AddrClass::V4McNasdaq, "IPv4 Multicast Nasdaq"),
    (AddrClass::V4McDisTrans, "IPv4 Multicast DisTrans"),
    (AddrClass::V4McSrcSpec, "IPv4 Multicast Src Spec"),
    (AddrClass::V4McGlop, "IPv4 Multicast GLOP Blk"),
    (AddrClass::V4McOrgLocal, "IPv4 Multicast OrgLocal"),
    (AddrClass::V4McSiteLocal, "IPv4 Multicast SiteLocal"),
    (AddrClass::V6Unspecified, "IPv6 Unspecified"),
    (AddrClass::V6Loopback, "IPv6 Loopback"),
    (AddrClass::V6LinkLocal, "IPv6 LinkLocal"),
    (AddrClass::V6SiteLocal, "IPv6 SiteLocal"),
    (AddrClass::V6Global, "IPv6 Global"),
    (AddrClass::V6McNodeLocal, "IPv6 Multicast Node Local"),
    (AddrClass::V6McLinkLocal, "IPv6 Multicast Link Local"),
    (AddrClass::V6McSiteLocal, "IPv6 Multicast Site Local"),
    (AddrClass::V6McOrgLocal, "IPv6 Multicast Org  Local"),
    (AddrClass::V6McGlobal, "IPv6 Multicast Global"),
];

/// Calls `count` once for every category an IPv4 address (host order)
/// counts in: none, one, or (multicast) several.
pub fn ipv4(addr: u32, mut count: impl FnMut(AddrClass)) {
    use AddrClass::*;
    let top = addr & 0xFF00_0000;
    if addr & 0xF000_0000 == 0xE000_0000 {
        let low = addr & 0x00FF_FFFF;
        if top == 0xE000_0000 {
            let c = if low < 0x100 {
                Some(V4McLocal)
            } else if low < 0x200 {
                Some(V4McInternet)
            } else if low < 0xFF00 {
                Some(V4McAdHoc)
            } else if low < 0x2_0000 {
                Some(V4McReserved)
            } else if low < 0x3_0000 {
                Some(V4McSdpSap)
            } else if low < 0x3_0040 {
                Some(V4McNasdaq)
            } else if low < 0xFD_0000 {
                Some(V4McReserved)
            } else if low <= 0xFD_0000 {
                Some(V4McDisTrans)
            } else {
                None
            };
            if let Some(c) = c {
                count(c);
            }
        }
        if top > 0xE000_0000 && top < 0xE800_0000 {
            count(V4McReserved);
        }
        if top == 0xE800_0000 {
            count(V4McSrcSpec);
        }
        if top == 0xE900_0000 {
            count(V4McGlop);
        }
        if (0xE900_0000..=0xEE00_0000).contains(&top) {
            count(V4McReserved);
        }
        if top == 0xEF00_0000 {
            count(V4McAdmin);
            let m = addr & 0x00FF_0000;
            if m > 0 && m < 0xC0_0000 {
                count(V4McReserved);
            }
            if (0xC0_0000..0xFC_0000).contains(&m) {
                count(V4McOrgLocal);
            }
            if (0xFC_0000..=0xFF_0000).contains(&m) {
                count(V4McSiteLocal);
            }
        }
        return;
    }
    let reserved_top = |t: u32| {
        (t > 0 && t < 0x0300_0000)
            || matches!(t, 0x0500_0000 | 0x1700_0000 | 0x1B00_0000 | 0x2400_0000 | 0x2500_0000)
            || matches!(t, 0x2900_0000 | 0x3000_0000)
            || (0x4900_0000..0x5000_0000).contains(&t)
            || (0x5900_0000..0x7F00_0000).contains(&t)
    };
    let c = if top == 0 {
        V4ThisNet
    } else if reserved_top(top) {
        V4Reserved
    } else if top == 0x7F00_0000 {
        V4LoopBack
    } else if addr & 0xFFFF_0000 == 0xAC10_0000 {
        V4Private
    } else if (0xAD00_0000..0xBC00_0000).contains(&top) {
        // 3.0.8.2 looks for 169.254/16 inside 173..187: never there.
        if addr & 0xFFFF_0000 == 0xA9FE_0000 {
            V4LinkLocal
        } else {
            V4Reserved
        }
    } else if (0xBE00_0000..0xC000_0000).contains(&top) {
        V4Reserved
    } else if top == 0xC000_0000 {
        if addr & 0xFFFF_FF00 == 0xC000_0200 {
            V4TestNet
        } else if addr & 0xFFFF_0000 == 0xC0A8_0000 {
            V4Private
        } else {
            V4Unicast
        }
    } else if top == 0xC500_0000 || top == 0xDF00_0000 || top >= 0xF000_0000 {
        V4Reserved
    } else if top == 0x0A00_0000 {
        V4Private
    } else {
        V4Unicast
    };
    count(c);
}

/// The category of an IPv6 address (its 16 bytes as a big-endian number),
/// if it has one: global unicast addresses have none (3.0.8.2 never counts
/// them).
pub fn ipv6(addr: u128) -> Option<AddrClass> {
    use AddrClass::*;
    let b = addr.to_be_bytes();
    let word = |i: usize| u32::from_be_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    let multicast = b[0] == 0xff;
    let scope = b[1] & 0x0f;
    Some(if addr == 0 {
        V6Unspecified
    } else if addr == 1 {
        V6Loopback
    } else if word(0) == 0 && word(1) == 0 && word(2) == 0 && word(3) > 1 {
        V6V4Compat
    } else if word(0) == 0 && word(1) == 0 && word(2) == 0xffff {
        V6V4Mapped
    } else if word(0) & 0xffc0_0000 == 0xfe80_0000 {
        V6LinkLocal
    } else if word(0) & 0xffc0_0000 == 0xfec0_0000 {
        V6SiteLocal
    } else if multicast && scope == 0x1 {
        V6McNodeLocal
    } else if multicast && scope == 0x2 {
        V6McLinkLocal
    } else if multicast && scope == 0x5 {
        V6McSiteLocal
    } else if multicast && scope == 0x8 {
        V6McOrgLocal
    } else if multicast && scope == 0xe {
        V6McGlobal
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(a: &str) -> Vec<AddrClass> {
        let mut v = Vec::new();
        ipv4(u32::from(a.parse::<Ipv4Addr>().unwrap()), |c| v.push(c));
        v
    }

    fn v6(a: &str) -> Option<AddrClass> {
        ipv6(u128::from(a.parse::<Ipv6Addr>().unwrap()))
    }

    #[test]
    fn ipv4_blocks_as_3_0_8_2_sees_them() {
        use AddrClass::*;
        assert_eq!(v4("192.168.1.1"), [V4Private]);
        assert_eq!(v4("10.0.0.1"), [V4Private]);
        assert_eq!(v4("172.16.3.4"), [V4Private]);
        // only 172.16/16 is private to 3.0.8.2
        assert_eq!(v4("172.17.3.4"), [V4Unicast]);
        assert_eq!(v4("169.254.1.1"), [V4Unicast]);
        assert_eq!(v4("192.0.2.7"), [V4TestNet]);
        assert_eq!(v4("127.0.0.1"), [V4LoopBack]);
        assert_eq!(v4("0.1.2.3"), [V4ThisNet]);
        assert_eq!(v4("8.8.8.8"), [V4Unicast]);
        // 89..126 is all reserved to 3.0.8.2
        assert_eq!(v4("100.1.2.3"), [V4Reserved]);
        assert_eq!(v4("90.1.2.3"), [V4Reserved]);
        assert_eq!(v4("255.255.255.255"), [V4Reserved]);
        assert_eq!(v4("224.0.0.251"), [V4McLocal]);
        assert_eq!(v4("224.0.1.1"), [V4McInternet]);
        assert_eq!(v4("233.1.2.3"), [V4McGlop, V4McReserved]);
        assert_eq!(v4("239.255.255.250"), [V4McAdmin, V4McSiteLocal]);
        assert_eq!(v4("239.0.0.1"), [V4McAdmin]);
        assert_eq!(v4("224.254.0.1"), Vec::<AddrClass>::new());
    }

    #[test]
    fn ipv6_blocks() {
        use AddrClass::*;
        assert_eq!(v6("::"), Some(V6Unspecified));
        assert_eq!(v6("::1"), Some(V6Loopback));
        assert_eq!(v6("fe80::1"), Some(V6LinkLocal));
        assert_eq!(v6("ff02::1"), Some(V6McLinkLocal));
        assert_eq!(v6("ff05::1:3"), Some(V6McSiteLocal));
        assert_eq!(v6("2001:db8::1"), None);
        assert_eq!(v6("::ffff:1.2.3.4"), Some(V6V4Mapped));
    }
}
