//! A GNU `getopt(3)` work-alike, the way Argus 3.0.8.2 clients use it.
//!
//! Why not clap: the ra* clients are driven by glibc's `getopt` in its
//! default *permuting* mode, and Argus bends it further. Non-option words
//! (`-`, filter words) are skipped and moved to the end, so options written
//! after the filter (`ra -r f - tcp -s stime`) still count; `--` ends option
//! parsing; and after some options (`-r`, `-R`, `-s`, `-m`, `-M`, `-P`) the
//! client itself keeps consuming following words until one starts with `-`,
//! by moving `optind` behind getopt's back, which getopt then treats like
//! option arguments when it permutes. clap parses a declared grammar and has
//! no notion of "the option handler eats more words, then permutation goes
//! on", so this small state machine reproduces getopt instead. clap is still
//! used for the new long options some roles add (see `client::options`).
//!
//! The interface mirrors getopt's: [`Getopt::next`] returns one option at a
//! time; an option handler may then take more words with
//! [`Getopt::take_word`] / [`Getopt::take_list`] (C's `argv[optind++]`);
//! after `next` returns `None`, [`Getopt::into_operands`] gives the
//! non-option words in their original order (the filter words).

/// Which option letters exist and which take an argument, parsed from a
/// getopt option string such as `"a:AbB:c:"`.
#[derive(Clone, Debug)]
pub struct OptString {
    known: [bool; 128],
    takes_arg: [bool; 128],
}

impl OptString {
    pub fn new(spec: &str) -> OptString {
        let mut s = OptString { known: [false; 128], takes_arg: [false; 128] };
        let bytes = spec.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b':' || b >= 128 {
                continue;
            }
            s.known[b as usize] = true;
            if bytes.get(i + 1) == Some(&b':') {
                s.takes_arg[b as usize] = true;
            }
        }
        s
    }

    fn lookup(&self, c: char) -> Option<bool> {
        let i = c as usize;
        if i < 128 && self.known[i] && c != '-' {
            Some(self.takes_arg[i])
        } else {
            None
        }
    }
}

/// A long option a role adds on top of the classic letters (`--topn N`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongOpt {
    pub name: &'static str,
    pub takes_value: bool,
}

/// One step of the scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A short option and its argument (for letters declared with `:`).
    Opt(char, Option<String>),
    /// A declared long option, `--name value` or `--name=value`.
    Long(&'static str, Option<String>),
    /// A letter not in the option string, or an undeclared `--word`
    /// (getopt's `?`; Argus prints its usage).
    Unknown(String),
    /// An option that needs an argument came last (getopt's `?` too).
    MissingArgument(char),
}

/// The scanner state: `args` is argv including argv[0]; `optind`,
/// `first_nonopt`, `last_nonopt` have getopt's meaning.
#[derive(Debug)]
pub struct Getopt {
    args: Vec<String>,
    spec: OptString,
    long: &'static [LongOpt],
    optind: usize,
    /// Byte offset of the next option letter inside `args[optind]`, for
    /// clustered options (`-nnz`); 0 when the next call starts a new word.
    nextchar: usize,
    first_nonopt: usize,
    last_nonopt: usize,
    finished: bool,
}

fn is_nonoption(word: &str) -> bool {
    !word.starts_with('-') || word == "-"
}

impl Getopt {
    /// `argv` includes the program name at index 0.
    pub fn new(argv: Vec<String>, spec: OptString, long: &'static [LongOpt]) -> Getopt {
        Getopt {
            args: argv,
            spec,
            long,
            optind: 1,
            nextchar: 0,
            first_nonopt: 1,
            last_nonopt: 1,
            finished: false,
        }
    }

    /// Moves the skipped non-options `[first_nonopt, last_nonopt)` behind
    /// the options `[last_nonopt, optind)`, keeping both groups' order.
    fn exchange(&mut self) {
        let nonopts = self.last_nonopt - self.first_nonopt;
        let opts = self.optind - self.last_nonopt;
        self.args[self.first_nonopt..self.optind].rotate_left(nonopts);
        self.first_nonopt += opts;
        self.last_nonopt = self.optind;
    }

    /// The next option, or `None` when options are exhausted.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Item> {
        if self.finished {
            return None;
        }
        let argc = self.args.len();
        if self.nextchar == 0 {
            self.last_nonopt = self.last_nonopt.min(self.optind);
            self.first_nonopt = self.first_nonopt.min(self.optind);
            if self.first_nonopt != self.last_nonopt && self.last_nonopt != self.optind {
                self.exchange();
            } else if self.last_nonopt != self.optind {
                self.first_nonopt = self.optind;
            }
            while self.optind < argc && is_nonoption(&self.args[self.optind]) {
                self.optind += 1;
            }
            self.last_nonopt = self.optind;

            if self.optind != argc && self.args[self.optind] == "--" {
                self.optind += 1;
                if self.first_nonopt != self.last_nonopt && self.last_nonopt != self.optind {
                    self.exchange();
                } else if self.first_nonopt == self.last_nonopt {
                    self.first_nonopt = self.optind;
                }
                self.last_nonopt = argc;
                self.optind = argc;
            }
            if self.optind == argc {
                if self.first_nonopt != self.last_nonopt {
                    self.optind = self.first_nonopt;
                }
                self.finished = true;
                return None;
            }
            if self.args[self.optind].starts_with("--") && !self.long.is_empty() {
                return Some(self.long_option());
            }
            self.nextchar = 1;
        }

        let word = &self.args[self.optind];
        let c = word[self.nextchar..].chars().next().unwrap_or('\0');
        self.nextchar += c.len_utf8();
        let word_done = self.nextchar >= word.len();
        if word_done {
            self.optind += 1;
            self.nextchar = 0;
        }
        match self.spec.lookup(c) {
            None => Some(Item::Unknown(format!("-{c}"))),
            Some(false) => Some(Item::Opt(c, None)),
            Some(true) => {
                if !word_done {
                    let arg = self.args[self.optind][self.nextchar..].to_string();
                    self.optind += 1;
                    self.nextchar = 0;
                    Some(Item::Opt(c, Some(arg)))
                } else if self.optind == argc {
                    Some(Item::MissingArgument(c))
                } else {
                    let arg = self.args[self.optind].clone();
                    self.optind += 1;
                    Some(Item::Opt(c, Some(arg)))
                }
            }
        }
    }

    fn long_option(&mut self) -> Item {
        let word = self.args[self.optind].clone();
        self.optind += 1;
        let body = &word[2..];
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let Some(opt) = self.long.iter().find(|o| o.name == name) else {
            return Item::Unknown(word);
        };
        if !opt.takes_value {
            return if inline.is_some() { Item::Unknown(word) } else { Item::Long(opt.name, None) };
        }
        if inline.is_some() {
            return Item::Long(opt.name, inline);
        }
        match self.take_word() {
            Some(v) => Item::Long(opt.name, Some(v)),
            None => Item::Unknown(word),
        }
    }

    /// The word at `optind` (what C code reads as `argv[optind]`).
    pub fn peek_word(&self) -> Option<&str> {
        if self.nextchar != 0 {
            return None;
        }
        self.args.get(self.optind).map(String::as_str)
    }

    /// The word after the one at `optind`.
    pub fn peek_word_after(&self) -> Option<&str> {
        if self.nextchar != 0 {
            return None;
        }
        self.args.get(self.optind + 1).map(String::as_str)
    }

    /// Consumes the word at `optind` (C's `argv[optind++]`).
    pub fn take_word(&mut self) -> Option<String> {
        if self.nextchar != 0 {
            return None;
        }
        let w = self.args.get(self.optind).cloned()?;
        self.optind += 1;
        Some(w)
    }

    /// Argus's list rule: consumes following words up to the first one that
    /// starts with `-` (an empty word is consumed).
    pub fn take_list(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(w) = self.peek_word() {
            if w.starts_with('-') {
                break;
            }
            out.extend(self.take_word());
        }
        out
    }

    /// The non-option words in their original order, once `next` has
    /// returned `None`.
    pub fn into_operands(self) -> Vec<String> {
        let start = self.optind.min(self.args.len());
        self.args.into_iter().skip(start).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "a:AbB:c:C:dD:E:e:f:F:GhHiJlL:m:M:nN:Op:P:qQ:r:R:S:s:t:T:uU:Vvw:XzZ:%";
    const LISTS: &str = "rRsmMP";

    fn argv(words: &[&str]) -> Vec<String> {
        std::iter::once("ra").chain(words.iter().copied()).map(String::from).collect()
    }

    /// Runs the scanner the way the clients do: list letters eat words.
    fn scan(words: &[&str]) -> (Vec<(char, Vec<String>)>, Vec<String>) {
        scan_long(words, &[])
    }

    fn scan_long(
        words: &[&str],
        long: &'static [LongOpt],
    ) -> (Vec<(char, Vec<String>)>, Vec<String>) {
        let mut g = Getopt::new(argv(words), OptString::new(SPEC), long);
        let mut opts = Vec::new();
        while let Some(item) = g.next() {
            match item {
                Item::Opt(c, arg) => {
                    let mut v: Vec<String> = arg.into_iter().collect();
                    if LISTS.contains(c) {
                        v.extend(g.take_list());
                    }
                    opts.push((c, v));
                }
                Item::Long(n, v) => {
                    opts.push(('L', std::iter::once(n.to_string()).chain(v).collect()))
                }
                Item::Unknown(w) => opts.push(('?', vec![w])),
                Item::MissingArgument(c) => opts.push(('!', vec![c.to_string()])),
            }
        }
        (opts, g.into_operands())
    }

    fn o(c: char, args: &[&str]) -> (char, Vec<String>) {
        (c, args.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn flags_cluster_and_arguments_attach_or_follow() {
        let (opts, rest) = scan(&["-nnz", "-p3", "-L", "-1", "-Zb"]);
        assert_eq!(
            opts,
            vec![
                o('n', &[]),
                o('n', &[]),
                o('z', &[]),
                o('p', &["3"]),
                o('L', &["-1"]),
                o('Z', &["b"])
            ]
        );
        assert!(rest.is_empty());
    }

    #[test]
    fn list_options_consume_words_up_to_the_next_dash_word() {
        let (opts, rest) = scan(&["-r", "a", "b", "c", "-s", "stime", "saddr", "-", "tcp"]);
        assert_eq!(opts, vec![o('r', &["a", "b", "c"]), o('s', &["stime", "saddr"])]);
        assert_eq!(rest, vec!["-", "tcp"]);
    }

    #[test]
    fn options_after_a_lone_dash_filter_are_still_parsed() {
        // case 91: ra -X -r f -N 3 - tcp -s stime saddr daddr dport
        let (opts, rest) =
            scan(&["-X", "-r", "f", "-N", "3", "-", "tcp", "-s", "stime", "saddr", "daddr"]);
        assert_eq!(
            opts,
            vec![o('X', &[]), o('r', &["f"]), o('N', &["3"]), o('s', &["stime", "saddr", "daddr"])]
        );
        assert_eq!(rest, vec!["-", "tcp"]);
    }

    #[test]
    fn double_dash_ends_options() {
        // case 92: everything after -- is filter text.
        let (opts, rest) = scan(&["-X", "-r", "f", "-N", "3", "--", "tcp", "-s", "stime"]);
        assert_eq!(opts, vec![o('X', &[]), o('r', &["f"]), o('N', &["3"])]);
        assert_eq!(rest, vec!["tcp", "-s", "stime"]);
    }

    #[test]
    fn non_options_before_options_are_permuted_to_the_end_in_order() {
        let (opts, rest) = scan(&["tcp", "and", "-n", "port", "80", "-q", "x"]);
        assert_eq!(opts, vec![o('n', &[]), o('q', &[])]);
        assert_eq!(rest, vec!["tcp", "and", "port", "80", "x"]);
    }

    #[test]
    fn a_list_stops_at_a_dash_word_so_modifiers_must_share_one_word() {
        // `-s -flgs -proto` parses `-proto` as -p roto.
        let (opts, _) = scan(&["-s", "-flgs", "-proto"]);
        assert_eq!(opts, vec![o('s', &["-flgs"]), o('p', &["roto"])]);
    }

    #[test]
    fn unknown_letters_and_missing_arguments_are_reported() {
        let (opts, _) = scan(&["-K"]);
        assert_eq!(opts, vec![o('?', &["-K"])]);
        let (opts, _) = scan(&["-r"]);
        assert_eq!(opts, vec![o('!', &["r"])]);
        // Without declared long options `--help` is letters, the first '-' unknown.
        let (opts, _) = scan(&["--help"]);
        assert_eq!(opts[0], o('?', &["--"]));
    }

    #[test]
    fn declared_long_options_take_a_value_in_either_form() {
        static LONG: [LongOpt; 2] = [
            LongOpt { name: "topn", takes_value: true },
            LongOpt { name: "json", takes_value: false },
        ];
        let (opts, rest) =
            scan_long(&["--topn", "25", "-r", "f", "--json", "--topn=3", "-", "udp"], &LONG);
        assert_eq!(
            opts,
            vec![
                o('L', &["topn", "25"]),
                o('r', &["f"]),
                o('L', &["json"]),
                o('L', &["topn", "3"])
            ]
        );
        assert_eq!(rest, vec!["-", "udp"]);
        let (opts, _) = scan_long(&["--nope"], &LONG);
        assert_eq!(opts, vec![o('?', &["--nope"])]);
    }

    #[test]
    fn an_empty_word_is_an_operand_or_a_list_member() {
        let (opts, rest) = scan(&["-s", "", "x", "-n", ""]);
        assert_eq!(opts, vec![o('s', &["", "x"]), o('n', &[])]);
        assert_eq!(rest, vec![""]);
    }
}
