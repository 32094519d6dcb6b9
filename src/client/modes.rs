//! Small option values shared by the command line and the rc files: user
//! data encodings, the `-M dsrs=` strip mask, the `-e` grep and the `-L`
//! mapping.

use crate::record::flow::Slot;
use crate::record::{Flow, RawDsr};

/// How user data (`suser`/`duser`) is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserDataEncoding {
    /// Nothing configured (argus's `eflag` 0).
    Default,
    Ascii,
    Obfuscate,
    Hex,
    Encode32,
    Encode64,
}

impl UserDataEncoding {
    /// `-M printer=NAME`: argus compares the first 3/5/2/8/8 characters,
    /// case-insensitively; anything else is not a printer.
    pub fn from_printer(name: &str) -> Option<UserDataEncoding> {
        let starts = |w: &str, n: usize| {
            name.len() >= n && w.len() >= n && name[..n].eq_ignore_ascii_case(&w[..n])
        };
        if starts("hex", 3) {
            Some(UserDataEncoding::Hex)
        } else if starts("ascii", 5) {
            Some(UserDataEncoding::Ascii)
        } else if starts("obfuscate", 2) {
            Some(UserDataEncoding::Obfuscate)
        } else if starts("encode64", 8) {
            Some(UserDataEncoding::Encode64)
        } else if starts("encode32", 8) {
            Some(UserDataEncoding::Encode32)
        } else {
            None
        }
    }

    /// `RA_USERDATA_ENCODE=`: unknown names mean Encode64, as in argus.
    pub fn from_rc(value: &str) -> UserDataEncoding {
        let starts =
            |w: &str, n: usize| value.len() >= n && value[..n].eq_ignore_ascii_case(&w[..n]);
        if starts("ascii", 5) {
            UserDataEncoding::Ascii
        } else if starts("obfuscate", 3) {
            UserDataEncoding::Obfuscate
        } else if starts("hex", 3) {
            UserDataEncoding::Hex
        } else if starts("encode32", 8) {
            UserDataEncoding::Encode32
        } else {
            UserDataEncoding::Encode64
        }
    }
}

/// argus's `Lflag` from a `-L n` / `RA_PRINT_LABELS=n` value: 0 means "one
/// header" (-1), -1 means "none" (0), n > 0 "every n lines".
pub fn label_flag(n: i64) -> i64 {
    match n {
        0 => -1,
        -1 => 0,
        n => n,
    }
}

/// The DSR keywords of `-M dsrs=`, in argus's DSR index order: the first 16
/// are the typed slots of [`Flow`], the rest are kept as raw DSRs.
pub const DSR_KEYWORDS: [&str; 22] = [
    "trans", "flow", "time", "metric", "agr", "net", "vlan", "mpls", "jitter", "ipattr", "psize",
    "suser", "duser", "mac", "icmp", "encaps", "tadj", "behavior", "cor", "cocode", "label", "asn",
];

/// DSR types of the raw (untyped) keywords 16..21.
const RAW_DSR_TYPES: [u8; 6] = [
    0x00, // tadj: never on the wire in 3.0.8.2 archives
    crate::record::dsr_type::BEHAVIOR,
    crate::record::dsr_type::COR,
    crate::record::dsr_type::COCODE,
    crate::record::dsr_type::LABEL,
    crate::record::dsr_type::ASN,
];

/// Which DSRs `-M dsrs=` keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DsrMask {
    pub keep: [bool; 22],
}

impl DsrMask {
    /// Keeps everything.
    pub fn all() -> DsrMask {
        DsrMask { keep: [true; 22] }
    }

    /// Parses a `dsrs=` list: a first word with `+`/`-` edits "everything",
    /// a plain first word starts from nothing; words are matched by prefix.
    pub fn parse(list: &str) -> DsrMask {
        let mut mask = DsrMask { keep: [false; 22] };
        let mut first = true;
        for tok in list.split([' ', ',']).filter(|t| !t.is_empty()) {
            let (add, word) = match tok.as_bytes()[0] {
                b'-' => (false, &tok[1..]),
                b'+' => (true, &tok[1..]),
                _ => (true, tok),
            };
            if first {
                let edit = tok.starts_with(['-', '+']);
                mask.keep = [edit; 22];
                first = false;
            }
            if let Some(i) = DSR_KEYWORDS.iter().position(|k| word.starts_with(k)) {
                mask.keep[i] = add;
            }
        }
        mask
    }

    /// Applies another `dsrs=` word (each starts afresh, as in argus).
    pub fn apply(&mut self, list: &str) {
        *self = DsrMask::parse(list);
    }

    /// Removes the DSRs the mask does not keep. The time DSR cannot be
    /// stripped (argus drops records without one).
    pub fn strip(&self, flow: &mut Flow) {
        let k = &self.keep;
        let slots = [
            Slot::Transport,
            Slot::Key,
            Slot::Time,
            Slot::Metrics,
            Slot::Agr,
            Slot::Network,
            Slot::Vlan,
            Slot::Mpls,
            Slot::Jitter,
            Slot::IpAttr,
            Slot::PacketSize,
            Slot::SrcData,
            Slot::DstData,
            Slot::Mac,
            Slot::Icmp,
            Slot::Encaps,
        ];
        for (i, slot) in slots.iter().enumerate() {
            if k[i] || *slot == Slot::Time {
                continue;
            }
            match slot {
                Slot::Transport => flow.transport = None,
                Slot::Key => flow.key = None,
                Slot::Time => {}
                Slot::Metrics => flow.metrics = None,
                Slot::Agr => flow.agr = None,
                Slot::Network => flow.network = None,
                Slot::Vlan => flow.vlan = None,
                Slot::Mpls => flow.mpls = None,
                Slot::Jitter => flow.jitter = None,
                Slot::IpAttr => flow.ipattr = None,
                Slot::PacketSize => flow.psize = None,
                Slot::SrcData => flow.src_data = None,
                Slot::DstData => flow.dst_data = None,
                Slot::Mac => flow.mac = None,
                Slot::Icmp => flow.icmp = None,
                Slot::Encaps => flow.encaps = None,
            }
        }
        let dropped: Vec<u8> = RAW_DSR_TYPES
            .iter()
            .enumerate()
            .filter(|(i, t)| !k[16 + i] && **t != 0)
            .map(|(_, t)| *t)
            .collect();
        if !dropped.is_empty() {
            flow.raw.retain(|d: &RawDsr| !dropped.contains(&d.dsr_type()));
        }
        // The recorded DSR order no longer describes the record.
        flow.order.clear();
    }

    /// True when the mask removes nothing.
    pub fn keeps_all(&self) -> bool {
        self.keep.iter().enumerate().all(|(i, k)| *k || i == 2)
    }
}

/// `-e [s:|d:]regex`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grep {
    pub pattern: String,
    pub src: bool,
    pub dst: bool,
}

impl Grep {
    pub fn parse(arg: &str) -> Grep {
        let mut g = Grep { pattern: arg.to_string(), src: true, dst: true };
        if let Some(rest) = g.pattern.strip_prefix("s:") {
            g = Grep { pattern: rest.to_string(), src: true, dst: false };
        }
        if let Some(rest) = g.pattern.strip_prefix("d:") {
            g = Grep { pattern: rest.to_string(), src: false, dst: true };
        }
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_names_match_by_argus_prefix_lengths() {
        assert_eq!(UserDataEncoding::from_printer("HEX"), Some(UserDataEncoding::Hex));
        assert_eq!(UserDataEncoding::from_printer("ob"), Some(UserDataEncoding::Obfuscate));
        assert_eq!(UserDataEncoding::from_printer("asc"), None);
        assert_eq!(UserDataEncoding::from_rc("Ascii"), UserDataEncoding::Ascii);
        assert_eq!(UserDataEncoding::from_rc("whatever"), UserDataEncoding::Encode64);
    }

    #[test]
    fn dsr_masks() {
        let m = DsrMask::parse("-suser,-duser");
        assert!(!m.keep[11] && !m.keep[12] && m.keep[0] && m.keep[3]);
        let m = DsrMask::parse("flow,time,metric");
        assert!(m.keep[1] && m.keep[2] && m.keep[3] && !m.keep[0] && !m.keep[13]);
        let mut f = Flow {
            metrics: Some(Default::default()),
            mac: Some(Default::default()),
            ..Default::default()
        };
        m.strip(&mut f);
        assert!(f.metrics.is_some() && f.mac.is_none());
        assert!(DsrMask::all().keeps_all());
    }

    #[test]
    fn grep_side_prefixes() {
        assert_eq!(Grep::parse("s:GET").pattern, "GET");
        assert!(!Grep::parse("s:GET").dst);
        assert!(!Grep::parse("d:200").src);
        assert!(Grep::parse("x").src && Grep::parse("x").dst);
    }
}
