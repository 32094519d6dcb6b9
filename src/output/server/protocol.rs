//! The commands a remote client sends an argus server (argus-format.md §5):
//! `START: `, `DONE: `, `FILTER: <expression>`, and `MODEL: `, `PROJECT: `,
//! `FILE: ` which 3.0.8.2 accepts and ignores.
//!
//! The protocol has no terminator: 3.0.8.2 takes what one `recv` returns
//! as one command. We parse a chunk the same way, and also split it where a
//! second command word begins, so `FILTER: udpSTART: ` arriving in one
//! segment is a filter and a start. Everything here is bytes from an
//! untrusted peer: the parser never panics and bounds what it keeps.

/// Longest filter expression accepted (argus's MAXSTRLEN buffer).
pub const MAX_COMMAND: usize = 4096;

/// One client command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Start,
    Done,
    Filter(String),
    /// MODEL:, PROJECT:, FILE: — accepted, nothing to do.
    Ignored(&'static str),
    /// Bytes that are no command (3.0.8.2 logs them and carries on).
    Unknown(String),
}

const WORDS: [(&str, u8); 6] = [
    ("START: ", 0),
    ("DONE: ", 1),
    ("FILTER: ", 2),
    ("MODEL: ", 3),
    ("PROJECT: ", 4),
    ("FILE: ", 5),
];

/// The command word starting at `at`, if any.
fn word_at(chunk: &[u8], at: usize) -> Option<(usize, u8)> {
    let rest = chunk.get(at..)?;
    WORDS.iter().find(|(w, _)| rest.starts_with(w.as_bytes())).map(|(w, k)| (w.len(), *k))
}

/// Text for a message or filter: lossy UTF-8, NULs and line ends trimmed
/// (ra sends none; other clients may end with a newline or a NUL).
fn text(bytes: &[u8]) -> String {
    let end = bytes.len().min(MAX_COMMAND);
    let s = String::from_utf8_lossy(&bytes[..end]);
    s.trim_end_matches(['\0', '\n', '\r']).trim_start().to_string()
}

/// Splits one received chunk into commands.
pub fn parse(chunk: &[u8]) -> Vec<Command> {
    let mut out = Vec::new();
    let mut i = 0;
    // Leading bytes that are no command word.
    let mut junk_start = None;
    while i < chunk.len() && out.len() < 16 {
        let Some((len, kind)) = word_at(chunk, i) else {
            junk_start.get_or_insert(i);
            i += 1;
            continue;
        };
        if let Some(j) = junk_start.take() {
            out.push(Command::Unknown(text(&chunk[j..i])));
        }
        let arg_start = i + len;
        // The argument runs to the next command word.
        let mut end = arg_start;
        while end < chunk.len() && word_at(chunk, end).is_none() {
            end += 1;
        }
        let arg = &chunk[arg_start..end];
        out.push(match kind {
            0 => Command::Start,
            1 => Command::Done,
            2 => Command::Filter(text(arg)),
            3 => Command::Ignored("MODEL"),
            4 => Command::Ignored("PROJECT"),
            _ => Command::Ignored("FILE"),
        });
        i = end;
    }
    if let Some(j) = junk_start {
        out.push(Command::Unknown(text(&chunk[j..])));
    }
    out
}

/// Fuzzing entry point: parse a chunk, and compile any filter in it the
/// way the server does; must never panic.
pub fn fuzz_commands(data: &[u8]) {
    for c in parse(data) {
        if let Command::Filter(f) = c {
            let _ = crate::filter::Filter::compile(&f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_ra_sends() {
        assert_eq!(parse(b"START: "), vec![Command::Start]);
        assert_eq!(parse(b"DONE: "), vec![Command::Done]);
        assert_eq!(parse(b"FILTER: man or (udp)"), vec![Command::Filter("man or (udp)".into())]);
    }

    #[test]
    fn commands_sharing_a_segment_are_split() {
        assert_eq!(
            parse(b"FILTER: tcp\nSTART: "),
            vec![Command::Filter("tcp".into()), Command::Start]
        );
        assert_eq!(parse(b"MODEL: xyzSTART: "), vec![Command::Ignored("MODEL"), Command::Start]);
    }

    #[test]
    fn garbage_is_reported_not_obeyed() {
        assert_eq!(parse(b"HELLO"), vec![Command::Unknown("HELLO".into())]);
        assert_eq!(parse(b"xxSTART: "), vec![Command::Unknown("xx".into()), Command::Start]);
        assert_eq!(parse(b"START:"), vec![Command::Unknown("START:".into())]);
        assert!(parse(b"").is_empty());
        // Invalid UTF-8 and long input do not panic and stay bounded.
        let big = vec![0xffu8; 100_000];
        let c = parse(&big);
        assert_eq!(c.len(), 1);
        let mut f = b"FILTER: ".to_vec();
        f.extend(std::iter::repeat_n(b'a', 10_000));
        match &parse(&f)[0] {
            Command::Filter(s) => assert!(s.len() <= MAX_COMMAND),
            c => panic!("{c:?}"),
        }
    }
}
