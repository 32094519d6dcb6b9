//! What every ra-family client (ra, rasort, racount, ramon, raxml) shares:
//! the command line as Argus 3.0.8.2 parses it, the rc files, time ranges,
//! record limits, `-M` modes, and the run totals behind `-A` and the exit
//! status.
//!
//! A role builds a [`RoleSpec`](options::RoleSpec) (its name, usage text,
//! extra long options) and calls [`options::parse`]; it gets a
//! [`ClientOptions`](options::ClientOptions) with everything resolved.

pub mod addrclass;
pub mod count;
pub mod direction;
pub mod emit;
pub mod getopt;
pub mod grep;
pub mod limits;
pub mod localtime;
pub mod modes;
pub mod options;
pub mod parallel;
pub mod printing;
pub mod rc;
pub mod reader;
pub mod role;
pub mod select;
pub mod sorted;
pub mod timerange;
pub mod totals;
pub mod usage;

/// Entry point for fuzzing the client's parsers of outside text (rc files,
/// `-t`, `-N`, argv scanning) with arbitrary bytes; see `fuzz/`.
pub fn fuzz_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut opts = options::ClientOptions::new("ra");
    let _ = rc::read_text(&mut opts, "fuzz", &text);
    let _ = timerange::TimeRange::parse(&text, 1_600_000_000);
    let _ = timerange::TimeRange::is_spec(&text, 1_600_000_000);
    let _ = limits::Limits::default().apply(&text);
    let argv: Vec<String> = std::iter::once("ra".to_string())
        .chain(text.split(['\0', ' ']).map(str::to_string))
        .collect();
    let mut g = getopt::Getopt::new(argv, getopt::OptString::new(options::OPTION_STRING), &[]);
    while let Some(item) = g.next() {
        if let getopt::Item::Opt('s' | 'r' | 'M', _) = item {
            let _ = g.take_list();
        }
    }
    let _ = g.into_operands();
}

#[cfg(test)]
mod fuzz_tests {
    /// A few thousand pseudo-random texts from an alphabet that hits the
    /// parsers' special characters, multi-byte characters included.
    #[test]
    fn parsers_never_panic_on_odd_text() {
        let alphabet: Vec<char> =
            "0123456789-+.:/*xyMdhmsincRA_=\"'\\ \n\t,é€#!abT".chars().collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        crate::client::localtime::set_timezone("UTC");
        for _ in 0..5000 {
            let len = (next() % 24) as usize;
            let s: String =
                (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            super::fuzz_text(s.as_bytes());
            let rc = format!("RA_TIMERANGE={s}\nRA_FIELD_DELIMITER={s}\nRA_FILTER={s}\\\n{s}\n");
            super::fuzz_text(rc.as_bytes());
        }
    }
}
