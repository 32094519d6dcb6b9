//! The options every ra-family client takes, resolved from rc files and the
//! command line in Argus's order, into one [`ClientOptions`].
//!
//! Order of evaluation (ra 3.0.8.2, `ArgusMainInit`/`ArgusParseArgs`):
//!
//! 1. If any argument *contains* `-X`, no rc file is read. Otherwise
//!    `/etc/ra.conf`, then `$ARGUSHOME/ra.conf`, then the first `.rarc` in
//!    a `$ARGUSPATH` directory, or else in `$HOME` or `$ARGUSHOME`.
//! 2. The command line, left to right with GNU getopt permutation
//!    ([`super::getopt`]); `-F file` reads an rc file at its position and
//!    `-X` resets the flags set so far.
//! 3. The words left over form the filter.
//!
//! Role-specific options fit in without touching this file: `-m` words
//! (sort keys, aggregation keys) are collected in
//! [`ClientOptions::mask_words`], `-M` words in [`ClientOptions::modes`],
//! `-v` in [`ClientOptions::reverse`]; new long options (`ramon --topn N`)
//! are declared in the role's [`RoleSpec`] and validated by clap.

use std::path::Path;

use super::getopt::{Getopt, Item, LongOpt, OptString};
use super::limits::{atoi, Limits};
use super::localtime;
use super::modes::{self, DsrMask, UserDataEncoding};
use super::rc;
use super::timerange::TimeRange;
use crate::diag::Fatal;

/// The option string of every non-radium 3.0.8.2 client.
pub const OPTION_STRING: &str =
    "a:AbB:c:C:dD:E:e:f:F:GhHiJlL:m:M:nN:Op:P:qQ:r:R:S:s:t:T:uU:Vvw:XzZ:%";

/// What a role tells the shared parser about itself.
pub struct RoleSpec {
    /// The role name (`ra`, `rasort`, ...), used when argv[0] is empty.
    pub name: &'static str,
    /// The usage text for `-h` and bad options, given the program name.
    pub usage: fn(&str) -> String,
    /// Long options this role adds (classic roles add none).
    pub long_options: &'static [LongOpt],
    /// clap definition that validates those long options; `None` when the
    /// role has none. Its arguments are `--name` long flags.
    pub long_parser: Option<fn() -> clap::Command>,
}

/// How a parse ended without options to run with.
#[derive(Debug)]
pub enum ParseError {
    /// `-h`, an unknown option or a missing argument: print the usage on
    /// stdout and exit 1.
    Usage,
    /// A fatal error in the Argus format (`prog[pid]: time message`).
    Fatal(Fatal),
}

impl From<Fatal> for ParseError {
    fn from(f: Fatal) -> ParseError {
        ParseError::Fatal(f)
    }
}

/// One `-r` input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputSpec {
    /// A path, or `-` for stdin.
    pub path: String,
    /// `file::start:stop` byte offsets.
    pub range: Option<(u64, u64)>,
}

/// One `-w file [filter]` (or `-E file`) output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteSpec {
    /// A path, or `-` for stdout.
    pub path: String,
    /// The write filter, applied on top of the main filter.
    pub filter: Option<String>,
}

/// The filter text and where it applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterText {
    /// Applied to every record read (files, and remote streams).
    pub local: Option<String>,
    /// Sent to a remote argus with `-S` (argus's "remote" filter; a plain
    /// filter is both sent and applied locally).
    pub remote: Option<String>,
}

impl FilterText {
    /// The expression records are matched against in this process.
    pub fn effective(&self) -> Option<&str> {
        self.local.as_deref().or(self.remote.as_deref())
    }
}

/// `RA_PORT_DIRECTION` / `RA_LOCAL_DIRECTION` policy bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortDirection {
    pub services: bool,
    pub wellknown: bool,
    pub registered: bool,
}

impl PortDirection {
    pub fn any(&self) -> bool {
        self.services || self.wellknown || self.registered
    }
}

/// Double or single quoting of delimited fields (`RA_FIELD_QUOTED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    Double,
    Single,
}

/// One step that changes the column layout, in the order argus takes them:
/// column widths are copied when a column is added, so a time format set
/// after the columns were chosen does not widen them (ra 3.0.8.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutStep {
    /// A `-s` list (all `-s` words of the command line form one list, each
    /// rc file's `RA_FIELD_SPECIFIER` lines another): a first word without
    /// `+`/`-` replaces the columns, otherwise the words edit them.
    Fields(Vec<String>),
    /// `RA_TIME_FORMAT`, with the `-p` precision in force when it was read
    /// (the stime/ltime widths are computed from both).
    TimeFormat { format: String, precision: i32 },
}

/// Everything the printer is configured with; handed to `print`.
#[derive(Clone, Debug, PartialEq)]
pub struct PrintSettings {
    /// Column layout changes in order, starting from ra's default columns.
    pub layout: Vec<LayoutStep>,
    /// `-c` / `RA_FIELD_DELIMITER`.
    pub delimiter: Option<char>,
    /// Variable-width fields (`-c`, `RA_FIELD_WIDTH=variable`). Note that an
    /// escaped `RA_FIELD_DELIMITER` ('\t') keeps fixed widths, as in 3.0.8.2.
    pub variable_width: bool,
    pub quoted: Option<Quote>,
    /// argus's name mode: 0 resolve hosts too, 1 default (port and protocol
    /// names), 2 numeric ports, 3 numeric ports and protocols.
    pub names: u8,
    /// `-p`: decimal digits of times and floats.
    pub precision: i32,
    /// `-u`.
    pub unix_time: bool,
    /// `-z`.
    pub tcp_states: bool,
    /// `-Z s|d|b`.
    pub tcp_flags: Option<char>,
    /// `-H`.
    pub abbreviate: bool,
    /// `-%`.
    pub percent: bool,
    /// argus's `Lflag`: 0 no header, -1 one header, n > 0 every n lines.
    pub label_every: i64,
    /// `RA_TIME_FORMAT` (strftime plus `%f`).
    pub time_format: String,
    /// User data printing (`RA_USERDATA_ENCODE`, `-M printer=`).
    pub userdata: UserDataEncoding,
    /// `-M disa`.
    pub disa: bool,
    /// `RA_SEPARATE_ADDR_FROM_PORT_WITH_PERIOD`.
    pub addr_port_period: bool,
    /// `-M xml`.
    pub xml: bool,
    /// `-M rmon` (labels change to Host/Out/In).
    pub rmon: bool,
}

impl Default for PrintSettings {
    fn default() -> PrintSettings {
        PrintSettings {
            layout: Vec::new(),
            delimiter: None,
            variable_width: false,
            quoted: None,
            names: 1,
            precision: 6,
            unix_time: false,
            tcp_states: false,
            tcp_flags: None,
            abbreviate: false,
            percent: false,
            label_every: -1,
            time_format: "%T.%f".to_string(),
            userdata: UserDataEncoding::Default,
            disa: false,
            addr_port_period: true,
            xml: false,
            rmon: false,
        }
    }
}

/// Everything a client role runs with.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The program name used in messages (argv[0]'s basename).
    pub prog: String,

    pub inputs: Vec<InputSpec>,
    /// `-S` sources (`[uri://][user[:pass]@]host[:port]`).
    pub remotes: Vec<String>,
    /// False when a later `-r`/`-R` switched remote reading off (argus's Sflag).
    pub read_remote: bool,
    /// `RA_ARGUS_SERVERPORT`.
    pub remote_port: Option<u16>,
    /// `-T secs`.
    pub run_time: Option<i64>,
    pub user_auth: Option<String>,
    pub auth_pass: Option<String>,

    pub writes: Vec<WriteSpec>,
    /// `-E file`: records the filter rejects.
    pub except_file: Option<String>,

    pub filter: FilterText,
    pub time_range: Option<TimeRange>,
    pub limits: Limits,
    /// `-e regex`, with `s:`/`d:` narrowing to one side's user data.
    pub grep: Option<modes::Grep>,
    /// `-M dsrs=...`.
    pub strip: Option<DsrMask>,
    /// `RA_PORT_DIRECTION`.
    pub port_direction: PortDirection,

    /// `-q` / `RA_NO_OUTPUT`.
    pub quiet: bool,
    /// `-A`.
    pub summary: bool,
    /// `RA_PRINT_MAN_RECORDS`, `-M man`/`noman` (the latter applied by roles
    /// through [`ClientOptions::print_man_records`]).
    pub print_man: bool,
    pub print_event: bool,
    /// `-M` words in order, except `xml`, `printer=` and `dsrs=`.
    pub modes: Vec<String>,
    /// `-m` words in order (rasort sort keys, racluster/ramon keys).
    pub mask_words: Vec<String>,
    /// `-P` / `RA_SORT_ALGORITHMS` words.
    pub sort_words: Vec<String>,
    /// `-v` count.
    pub reverse: u32,
    /// `-i` (case-insensitive `-e`).
    pub ignore_case: bool,
    /// `-b`: dump the compiled filter and exit.
    pub dump_filter: bool,
    /// `-D`.
    pub debug: i64,
    /// `-d`.
    pub daemon: bool,
    /// `-V`.
    pub verbose: u32,
    /// `-a` (`RA_PRINT_SUMMARY`).
    pub aflag: i64,

    pub print: PrintSettings,

    /// Values of the role's long options, validated by its clap command.
    pub long: Option<clap::ArgMatches>,

    /// rc files that were read, in order (for diagnostics and tests).
    pub rc_files_read: Vec<String>,
    /// The wall clock at start (seconds); time ranges refer to it.
    pub now: i64,
    /// Set by the first `-r`/`-R` on the command line: replaces rc inputs.
    inputs_from_cmdline: bool,
    /// Set by the first `-S`: replaces rc servers.
    remotes_from_cmdline: bool,
    /// The command line's `-s` words, applied as one list after parsing.
    cmdline_fields: Vec<String>,
}

impl ClientOptions {
    /// Defaults before any rc file or option.
    pub fn new(prog: &str) -> ClientOptions {
        ClientOptions {
            prog: prog.to_string(),
            inputs: Vec::new(),
            remotes: Vec::new(),
            read_remote: false,
            remote_port: None,
            run_time: None,
            user_auth: None,
            auth_pass: None,
            writes: Vec::new(),
            except_file: None,
            filter: FilterText::default(),
            time_range: None,
            limits: Limits::default(),
            grep: None,
            strip: None,
            port_direction: PortDirection::default(),
            quiet: false,
            summary: false,
            print_man: false,
            print_event: false,
            modes: Vec::new(),
            mask_words: Vec::new(),
            sort_words: Vec::new(),
            reverse: 0,
            ignore_case: false,
            dump_filter: false,
            debug: 0,
            daemon: false,
            verbose: 0,
            aflag: 0,
            print: PrintSettings::default(),
            long: None,
            rc_files_read: Vec::new(),
            now: localtime::now().0,
            inputs_from_cmdline: false,
            remotes_from_cmdline: false,
            cmdline_fields: Vec::new(),
        }
    }

    /// True when a `-M` word starts with `word` (case-insensitive), the way
    /// the clients test their modes.
    pub fn has_mode(&self, word: &str) -> bool {
        self.modes
            .iter()
            .any(|m| m.len() >= word.len() && m[..word.len()].eq_ignore_ascii_case(word))
    }

    /// Whether management records are printed: `RA_PRINT_MAN_RECORDS`,
    /// then the `-M man` / `-M noman` words in order (ra's ClientInit).
    pub fn print_man_records(&self) -> bool {
        let mut on = self.print_man;
        for m in &self.modes {
            let starts = |w: &str| m.len() >= w.len() && m[..w.len()].eq_ignore_ascii_case(w);
            if starts("man") {
                on = true;
            }
            if starts("noman") {
                on = false;
            }
        }
        on
    }

    /// What `-X` resets (argus's `RaClearConfiguration`): the flags, not the
    /// lists (inputs, outputs, fields, filter, modes stay).
    fn clear_flags(&mut self) {
        self.aflag = 0;
        self.summary = false;
        self.debug = 0;
        self.dump_filter = false;
        self.daemon = false;
        self.grep = None;
        self.print.userdata = UserDataEncoding::Default;
        self.print.abbreviate = false;
        self.print.label_every = -1;
        self.print.names = 1;
        self.limits.input = Limits::default().input;
        self.print.precision = 6;
        self.quiet = false;
        self.time_range = None;
        self.print.unix_time = false;
        self.reverse = 0;
        self.verbose = 0;
        self.ignore_case = false;
        self.run_time = None;
        self.read_remote = false;
        self.print.tcp_states = false;
        self.print.tcp_flags = None;
        self.remote_port = None;
        self.print.time_format = "%T.%f".to_string();
        self.print.addr_port_period = true;
    }

    /// Adds `-r` words (argus's `ArgusAddFileList`).
    fn add_inputs(&mut self, words: &[String]) -> Result<(), Fatal> {
        if !self.inputs_from_cmdline {
            self.inputs.clear();
            self.inputs_from_cmdline = true;
        }
        self.read_remote = false;
        for (i, word) in words.iter().enumerate() {
            let mut w = word.as_str();
            if i == 0 {
                for prefix in ["mysql:", "cisco:", "jflow:", "ft:", "sflow:"] {
                    if w.starts_with(prefix) {
                        return Err(Fatal::err(format!(
                            "input type '{prefix}' is not supported: {word}"
                        )));
                    }
                }
            }
            let mut range = None;
            if let Some(p) = w.find("::") {
                let offsets = &w[p + 2..];
                if let Some((a, b)) = offsets.split_once(':') {
                    let start = super::limits::strtol(a).map_or(0, |(v, _)| v.max(0) as u64);
                    let stop = super::limits::strtol(b).map_or(0, |(v, _)| v.max(0) as u64);
                    range = Some((start, stop));
                }
                w = &w[..p];
            }
            self.inputs.push(InputSpec { path: w.to_string(), range });
        }
        Ok(())
    }

    /// `-R dir...`: every regular file below the directories (dot entries
    /// skipped), then the whole input list sorted by name, as argus does.
    fn add_trees(&mut self, words: &[String]) {
        if !self.inputs_from_cmdline {
            self.inputs.clear();
            self.inputs_from_cmdline = true;
        }
        self.read_remote = false;
        for w in words {
            let mut found = Vec::new();
            super::inputs::collect_tree(Path::new(w), &mut found);
            self.inputs.extend(found.into_iter().map(|path| InputSpec { path, range: None }));
            self.inputs.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        }
    }

    fn add_remote(&mut self, spec: &str, from_rc: bool) {
        if !from_rc && !self.remotes_from_cmdline {
            self.remotes.clear();
            self.remotes_from_cmdline = true;
        }
        self.read_remote = true;
        self.remotes.push(spec.to_string());
    }

    /// Records a `-w`/`RA_OUTPUT_FILE`/`-E` output.
    pub(super) fn add_write(&mut self, path: &str, filter: Option<&str>) {
        self.writes.push(WriteSpec {
            path: path.to_string(),
            filter: filter.filter(|f| !f.is_empty()).map(str::to_string),
        });
    }

    /// Sets the time range from `-t` / `RA_TIMERANGE`.
    pub(super) fn set_time_range(&mut self, arg: &str) -> Result<(), Fatal> {
        let r = TimeRange::parse(arg, self.now).map_err(|e| Fatal::err(e.to_string()))?;
        self.time_range = Some(r);
        Ok(())
    }

    /// `RA_TZ` and `-M TZ=zone`.
    pub(super) fn set_timezone(&mut self, zone: &str) {
        localtime::set_timezone(zone);
    }

    /// One `-M` word.
    fn add_mode(&mut self, word: &str) -> Result<(), Fatal> {
        if let Some(p) = word.find("printer=") {
            if let Some(enc) = UserDataEncoding::from_printer(&word[p + 8..]) {
                self.print.userdata = enc;
                return Ok(());
            }
        } else if word.contains("label=") {
            // Label matching needs the LABEL DSR, which our archives never
            // carry; kept as a mode word.
        } else if let Some(p) = word.find("dsrs=") {
            let mask = self.strip.get_or_insert_with(DsrMask::all);
            mask.apply(&word[p + 5..]);
            return Ok(());
        } else if word == "xml" {
            self.print.xml = true;
            self.print.label_every = 0;
            return Ok(());
        } else if word == "disa" {
            self.print.disa = true;
        } else if let Some(p) = word.find("TZ=") {
            self.set_timezone(&word[p + 3..]);
        }
        if word.len() >= 4 && word[..4].eq_ignore_ascii_case("rmon") {
            self.print.rmon = true;
        }
        self.modes.push(word.to_string());
        Ok(())
    }

    /// One command-line option; `g` lets list options consume more words.
    fn apply_option(
        &mut self,
        c: char,
        arg: Option<String>,
        g: &mut Getopt,
    ) -> Result<(), ParseError> {
        let arg = arg.unwrap_or_default();
        match c {
            '%' => self.print.percent = true,
            'a' => self.aflag = atoi(&arg),
            'A' => self.summary = true,
            'b' => self.dump_filter = true,
            'B' => {
                // Bflag (a time buffer for racluster-like clients): a number
                // with an optional unit letter; argus prints usage otherwise.
                if super::limits::strtol(&arg).is_none() && !arg.starts_with('.') {
                    return Err(ParseError::Usage);
                }
            }
            'c' => {
                let mut chars = arg.chars();
                let delim = match (chars.next(), chars.next()) {
                    (Some('\\'), Some('t')) => Some('\t'),
                    (Some('\\'), _) => self.print.delimiter,
                    (first, _) => first,
                };
                self.print.delimiter = delim;
                self.print.variable_width = true;
            }
            'C' => {
                return Err(ParseError::Fatal(Fatal::err(format!(
                    "Cisco Netflow sources are not supported: {arg}"
                ))))
            }
            'D' => self.debug = atoi(&arg),
            'd' => self.daemon = !self.daemon,
            'e' => self.grep = Some(modes::Grep::parse(&arg)),
            'E' => {
                self.except_file = Some(arg.clone());
                self.add_write(&arg, None);
            }
            'f' | 'G' | 'J' | 'l' | 'O' | 'Q' | 'U' => {}
            'F' => {
                rc::read_file(self, &arg, true)?;
            }
            'H' => self.print.abbreviate = true,
            'i' => self.ignore_case = true,
            'L' => self.print.label_every = modes::label_flag(atoi(&arg)),
            'm' => {
                self.mask_words.push(arg);
                self.mask_words.extend(g.take_list());
            }
            'M' => {
                self.add_mode(&arg)?;
                for w in g.take_list() {
                    self.add_mode(&w)?;
                }
            }
            'n' => {
                self.print.names += 1;
                if self.print.names > 3 {
                    self.print.names = 0;
                }
            }
            'N' => self.limits.apply(&arg).map_err(|_| ParseError::Usage)?,
            'p' => self.print.precision = atoi(&arg) as i32,
            'P' => {
                let mut words = vec![arg];
                words.extend(g.take_list());
                for w in words {
                    self.sort_words.extend(split_words(&w));
                }
            }
            'q' => self.quiet = true,
            'r' => {
                let mut words = vec![arg];
                words.extend(g.take_list());
                self.add_inputs(&words)?;
            }
            'R' => {
                let mut words = vec![arg];
                words.extend(g.take_list());
                self.add_trees(&words);
            }
            's' => {
                let mut words = split_words(&arg);
                for w in g.take_list() {
                    words.extend(split_words(&w));
                }
                self.cmdline_fields.extend(words);
            }
            'S' => self.add_remote(&arg, false),
            't' => {
                let full = self.time_arg_with_following_words(&arg, g);
                self.set_time_range(&full)?;
            }
            'T' => self.run_time = Some(super::limits::strtol(&arg).map_or(0, |(v, _)| v)),
            'u' => self.print.unix_time = true,
            'v' => self.reverse += 1,
            'V' => self.verbose += 1,
            'w' => {
                // argus ignores `-w -x` (a name starting with '-' other than
                // "-"), and takes one following word as a filter unless it
                // starts with '-'.
                if arg.starts_with("mysql:") {
                    return Err(ParseError::Fatal(Fatal::err(format!(
                        "database outputs are not supported: {arg}"
                    ))));
                }
                if !arg.starts_with('-') || arg == "-" {
                    let filter = match g.peek_word() {
                        Some(w) if !w.starts_with('-') => g.take_word(),
                        _ => None,
                    };
                    self.add_write(&arg, filter.as_deref());
                }
            }
            'X' => self.clear_flags(),
            'z' => self.print.tcp_states = true,
            'Z' => self.print.tcp_flags = arg.chars().next(),
            _ => return Err(ParseError::Usage),
        }
        Ok(())
    }

    /// `-t a - b` and `-t a -b` spell the range `a-b` in argus: when the
    /// argument has no range of its own, a following lone `-` plus a valid
    /// spec, or a following `-digits...` word, is joined to it.
    fn time_arg_with_following_words(&self, arg: &str, g: &mut Getopt) -> String {
        let has_range = |sep: char| arg.find(sep).is_some_and(|p| p + 1 < arg.len());
        if has_range('+') || has_range('-') {
            return arg.to_string();
        }
        match g.peek_word() {
            Some("-") => {
                let next = g.peek_word_after().map(str::to_string);
                if let Some(next) = next {
                    if TimeRange::is_spec(&next, self.now) {
                        g.take_word();
                        g.take_word();
                        return format!("{arg}-{next}");
                    }
                }
                arg.to_string()
            }
            Some(w) if w.starts_with('-') && w[1..].starts_with(|c: char| c.is_ascii_digit()) => {
                let w = g.take_word().unwrap_or_default();
                format!("{arg}{w}")
            }
            _ => arg.to_string(),
        }
    }
}

/// Splits a `-s`/`-P` word on spaces and commas (argus's `strtok(" ,")`).
pub fn split_words(s: &str) -> Vec<String> {
    s.split([' ', ',']).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// The basename of argv[0], or the role name.
fn program_name(argv0: Option<&String>, spec: &RoleSpec) -> String {
    argv0
        .and_then(|a| Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| spec.name.to_string())
}

/// Reads the rc files argus reads before the command line.
fn read_default_rc_files(opts: &mut ClientOptions) -> Result<(), Fatal> {
    let exists = |p: &str| std::fs::metadata(p).is_ok();
    if exists("/etc/ra.conf") {
        rc::read_file(opts, "/etc/ra.conf", false)?;
    }
    if let Some(home) = std::env::var_os("ARGUSHOME") {
        let p = format!("{}/ra.conf", home.to_string_lossy());
        if exists(&p) {
            rc::read_file(opts, &p, false)?;
        }
    }
    if let Some(paths) = std::env::var_os("ARGUSPATH") {
        for dir in paths.to_string_lossy().split(':').filter(|d| !d.is_empty()) {
            let p = format!("{dir}/.rarc");
            if exists(&p) {
                rc::read_file(opts, &p, false)?;
                break;
            }
        }
    } else {
        for var in ["HOME", "ARGUSHOME"] {
            if let Some(dir) = std::env::var_os(var) {
                let p = format!("{}/.rarc", dir.to_string_lossy());
                if exists(&p) {
                    rc::read_file(opts, &p, false)?;
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Parses a role's argv (argv[0] is the program name).
pub fn parse(spec: &RoleSpec, argv: Vec<String>) -> Result<ClientOptions, ParseError> {
    let prog = program_name(argv.first(), spec);
    let mut opts = ClientOptions::new(&prog);

    let no_conf = argv.iter().skip(1).any(|a| a.contains("-X"));
    if !no_conf {
        read_default_rc_files(&mut opts)?;
    }

    let mut g = Getopt::new(argv, OptString::new(OPTION_STRING), spec.long_options);
    let mut long_args: Vec<String> = Vec::new();
    while let Some(item) = g.next() {
        match item {
            Item::Opt('h', _) | Item::Unknown(_) | Item::MissingArgument(_) => {
                return Err(ParseError::Usage)
            }
            Item::Opt(c, arg) => opts.apply_option(c, arg, &mut g)?,
            Item::Long(name, value) => {
                long_args.push(format!("--{name}"));
                long_args.extend(value);
            }
        }
    }

    if !opts.cmdline_fields.is_empty() {
        let words = std::mem::take(&mut opts.cmdline_fields);
        opts.print.layout.push(LayoutStep::Fields(words));
    }

    let mut words = g.into_operands();
    if matches!(words.first().map(String::as_str), Some("-" | "--")) {
        words.remove(0);
    }
    if !words.is_empty() {
        opts.filter = split_filter(&words.join(" "));
    }

    if let Some(make) = spec.long_parser {
        let cmd = make().no_binary_name(true);
        match cmd.try_get_matches_from(long_args) {
            Ok(m) => opts.long = Some(m),
            Err(e) => {
                let text = e.render().to_string();
                let first = text.lines().next().unwrap_or("bad option");
                return Err(ParseError::Fatal(Fatal::err(
                    first.trim_start_matches("error: ").to_string(),
                )));
            }
        }
    }
    Ok(opts)
}

/// Splits the filter text into local and remote parts. `local `, `display `
/// and `remote ` are honoured as prefixes (3.0.8.2 also looks for them
/// further in, and then mangles the text).
pub fn split_filter(text: &str) -> FilterText {
    if let Some(rest) = text.strip_prefix("local ") {
        FilterText { local: Some(rest.to_string()), remote: None }
    } else if let Some(rest) = text.strip_prefix("display ") {
        FilterText { local: Some(rest.to_string()), remote: None }
    } else if let Some(rest) = text.strip_prefix("remote ") {
        FilterText { local: None, remote: Some(rest.to_string()) }
    } else {
        FilterText { local: None, remote: Some(text.to_string()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(prog: &str) -> String {
        format!("usage: {prog}\n")
    }

    const SPEC: RoleSpec = RoleSpec { name: "ra", usage, long_options: &[], long_parser: None };

    fn parse_words(words: &[&str]) -> Result<ClientOptions, ParseError> {
        let argv = std::iter::once("ra").chain(words.iter().copied()).map(String::from).collect();
        parse(&SPEC, argv)
    }

    fn fields(w: &[&str]) -> LayoutStep {
        LayoutStep::Fields(w.iter().map(|s| s.to_string()).collect())
    }

    fn ok(words: &[&str]) -> ClientOptions {
        match parse_words(words) {
            Ok(o) => o,
            Err(e) => panic!("{words:?}: {e:?}"),
        }
    }

    #[test]
    fn inputs_fields_and_filter_after_a_lone_dash() {
        let o = ok(&[
            "-X", "-r", "a", "b", "-N", "3", "-", "tcp", "and", "port", "80", "-s", "stime",
            "saddr",
        ]);
        assert_eq!(o.inputs.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(o.filter.effective(), Some("tcp and port 80"));
        assert_eq!(o.print.layout.last().unwrap(), &fields(&["stime", "saddr"]));
        assert_eq!(o.limits.input.end, 3);
    }

    #[test]
    fn double_dash_keeps_option_words_in_the_filter() {
        let o = ok(&["-X", "-r", "a", "--", "tcp", "-s", "stime"]);
        assert_eq!(o.filter.effective(), Some("tcp -s stime"));
    }

    #[test]
    fn filter_prefixes() {
        assert_eq!(split_filter("local tcp").local.as_deref(), Some("tcp"));
        let r = split_filter("remote udp");
        assert_eq!((r.local, r.remote.as_deref()), (None, Some("udp")));
        assert_eq!(split_filter("icmp").effective(), Some("icmp"));
    }

    #[test]
    fn s_words_split_on_commas_and_spaces_and_keep_modifiers() {
        let o = ok(&["-X", "-s", "+1dur -flgs", "+ltime,-proto"]);
        assert_eq!(
            o.print.layout.last().unwrap(),
            &fields(&["+1dur", "-flgs", "+ltime", "-proto"])
        );
        // all -s options of the command line form one list
        let o = ok(&["-X", "-s", "stime", "-r", "f", "-s", "saddr"]);
        assert_eq!(o.print.layout, vec![fields(&["stime", "saddr"])]);
    }

    #[test]
    fn usage_on_help_unknown_and_missing_arguments() {
        assert!(matches!(parse_words(&["-h"]), Err(ParseError::Usage)));
        assert!(matches!(parse_words(&["-K"]), Err(ParseError::Usage)));
        assert!(matches!(parse_words(&["-r"]), Err(ParseError::Usage)));
        assert!(matches!(parse_words(&["--help"]), Err(ParseError::Usage)));
        assert!(matches!(parse_words(&["-N", "x"]), Err(ParseError::Usage)));
    }

    #[test]
    fn w_takes_an_optional_filter_word() {
        let o = ok(&["-X", "-w", "out", "tcp", "-r", "f"]);
        assert_eq!(o.writes, vec![WriteSpec { path: "out".into(), filter: Some("tcp".into()) }]);
        let o = ok(&["-X", "-w", "-", "-r", "f", "-", "udp"]);
        assert_eq!(o.writes, vec![WriteSpec { path: "-".into(), filter: None }]);
        assert_eq!(o.filter.effective(), Some("udp"));
        // a name starting with '-' other than "-" is ignored, as in argus
        let o = ok(&["-X", "-w", "-x"]);
        assert!(o.writes.is_empty());
    }

    #[test]
    fn n_cycles_and_l_maps_like_argus() {
        assert_eq!(ok(&["-X", "-n"]).print.names, 2);
        assert_eq!(ok(&["-X", "-nn"]).print.names, 3);
        assert_eq!(ok(&["-X", "-nnn"]).print.names, 0);
        assert_eq!(ok(&["-X", "-nnnn"]).print.names, 1);
        assert_eq!(ok(&["-X", "-L", "0"]).print.label_every, -1);
        assert_eq!(ok(&["-X", "-L", "-1"]).print.label_every, 0);
        assert_eq!(ok(&["-X", "-L", "3"]).print.label_every, 3);
    }

    #[test]
    fn x_resets_flags_set_before_it() {
        let o = ok(&["-q", "-u", "-p", "3", "-X", "-z"]);
        assert!(!o.quiet && !o.print.unix_time && o.print.tcp_states);
        assert_eq!(o.print.precision, 6);
    }

    #[test]
    fn time_range_joins_a_following_dash_spec() {
        localtime::set_timezone("UTC");
        let o = ok(&["-X", "-t", "2021/03/14.09", "-", "2021/03/14.10", "-r", "f"]);
        let r = o.time_range.unwrap();
        assert_eq!((r.start.0, r.end.0), (1_615_712_400, 1_615_716_000));
        assert!(o.filter.effective().is_none());
        // not a time: stays the filter separator
        let o = ok(&["-X", "-t", "2021", "-", "tcp"]);
        assert_eq!(o.filter.effective(), Some("tcp"));
        let e = parse_words(&["-X", "-t", "2021/3/14"]).unwrap_err();
        assert!(matches!(e, ParseError::Fatal(f) if f.message == "time syntax error 2021/3/14"));
    }

    #[test]
    fn modes_are_kept_and_interpreted() {
        let o = ok(&["-X", "-M", "xml", "man", "printer=hex", "TZ=UTC", "foo", "-r", "f"]);
        assert!(o.print.xml);
        assert_eq!(o.print.label_every, 0);
        assert!(o.print_man_records());
        assert_eq!(o.print.userdata, UserDataEncoding::Hex);
        assert!(o.has_mode("foo"));
        assert!(!ok(&["-X", "-M", "man", "noman"]).print_man_records());
        assert!(o.has_mode("Tz=utc"));
    }

    #[test]
    fn m_and_p_and_v_are_collected_for_the_roles() {
        let o = ok(&["-X", "-m", "saddr", "dport", "-v", "-P", "bytes,pkts", "-r", "f"]);
        assert_eq!(o.mask_words, ["saddr", "dport"]);
        assert_eq!(o.sort_words, ["bytes", "pkts"]);
        assert_eq!(o.reverse, 1);
    }

    #[test]
    fn read_offsets_and_unsupported_types() {
        let o = ok(&["-X", "-r", "f::100:200", "g::5"]);
        assert_eq!(o.inputs[0], InputSpec { path: "f".into(), range: Some((100, 200)) });
        assert_eq!(o.inputs[1], InputSpec { path: "g".into(), range: None });
        assert!(matches!(parse_words(&["-X", "-r", "cisco:f"]), Err(ParseError::Fatal(_))));
    }

    static TOPN: [LongOpt; 1] = [LongOpt { name: "topn", takes_value: true }];

    fn topn_parser() -> clap::Command {
        clap::Command::new("ramon")
            .arg(clap::Arg::new("topn").long("topn").value_parser(clap::value_parser!(u32)))
    }

    #[test]
    fn long_options_go_through_clap() {
        let spec =
            RoleSpec { name: "ramon", usage, long_options: &TOPN, long_parser: Some(topn_parser) };
        let argv = |w: &[&str]| {
            std::iter::once("ramon").chain(w.iter().copied()).map(String::from).collect()
        };
        let o = parse(&spec, argv(&["-X", "--topn", "25", "-r", "f"])).unwrap();
        assert_eq!(o.long.unwrap().get_one::<u32>("topn"), Some(&25));
        match parse(&spec, argv(&["-X", "--topn", "many"])) {
            Err(ParseError::Fatal(f)) => assert!(f.message.contains("many"), "{}", f.message),
            other => panic!("{other:?}"),
        }
    }
}
