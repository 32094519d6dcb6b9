//! Everything that decides how records become text: the columns (`-s`),
//! the delimiter (`-c`), times (`RA_TIME_FORMAT`, `-p`, `-u`), names
//! (`-n`), headers (`-L`), TCP state style (`-z`, `-Z`), `-H`, and the
//! output format (`-M xml`, `-M json`, `-M rmon`).
//!
//! The client role fills a [`PrintOptions`] from the command line and rc
//! files, in the order `ra` applies them, and hands it to
//! [`super::Printer::new`].

use crate::record::field::{FieldId, StateStyle, DEFAULT_FIELDS, FIELDS};

/// `ra`'s name mode (`-n` cycles through them: Port -> Proto -> None ->
/// All -> Port).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NameMode {
    /// `-nnn` (nflag 0): ports and protocols as names, host names resolved.
    All,
    /// Default (nflag 1): ports and protocols as names, hosts numeric.
    #[default]
    Port,
    /// `-n` (nflag 2): numeric ports, protocol names.
    Proto,
    /// `-nn` (nflag 3): numeric ports and protocols, ra's name tables off.
    None,
}

impl NameMode {
    /// `ra`'s `nflag` value.
    pub fn nflag(self) -> u8 {
        match self {
            NameMode::All => 0,
            NameMode::Port => 1,
            NameMode::Proto => 2,
            NameMode::None => 3,
        }
    }

    /// The mode after one more `-n`.
    pub fn next(self) -> NameMode {
        match self {
            NameMode::Port => NameMode::Proto,
            NameMode::Proto => NameMode::None,
            NameMode::None => NameMode::All,
            NameMode::All => NameMode::Port,
        }
    }

    /// From `RA_PRINT_NAMES` (`none`, `proto`, `port`, `all`).
    pub fn from_rc(value: &str) -> Option<NameMode> {
        Some(match value {
            "none" => NameMode::None,
            "proto" => NameMode::Proto,
            "port" => NameMode::Port,
            "all" => NameMode::All,
            _ => return None,
        })
    }
}

/// When the header line is printed (`-L`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LabelMode {
    /// `-L -1`: never.
    Never,
    /// Default and `-L 0`: once, before the first printed record.
    #[default]
    Once,
    /// `-L n`: before record 1, n+1, 2n+1, ... (management records count).
    Every(u32),
}

impl LabelMode {
    /// From the `-L` / `RA_PRINT_LABELS` number.
    pub fn from_number(n: i64) -> LabelMode {
        match n {
            -1 => LabelMode::Never,
            n if n > 0 => LabelMode::Every(n.min(u32::MAX as i64) as u32),
            _ => LabelMode::Once,
        }
    }
}

/// Output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Fixed-width columns or, with a delimiter, delimited text.
    #[default]
    Text,
    /// `-M xml`: the `ArgusDataStream` document.
    Xml,
    /// `-M json`: one JSON object per record per line (argus-tool only).
    Json,
}

/// How user data (`suser`/`duser`) is shown (`RA_USERDATA_ENCODE`,
/// `-M printer=...`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserDataEncoding {
    #[default]
    Ascii,
    /// Ascii with the text after `PASS` blanked out.
    Obfuscate,
    /// A hex dump after the record line; the columns stay empty.
    Hex,
    Encode32,
    Encode64,
}

impl UserDataEncoding {
    /// From `RA_USERDATA_ENCODE` / `printer=` (`ra` matches prefixes,
    /// case-insensitively; anything unknown is Encode64).
    pub fn from_name(s: &str) -> UserDataEncoding {
        let l = s.to_ascii_lowercase();
        if l.starts_with("ascii") {
            UserDataEncoding::Ascii
        } else if l.starts_with("obfuscate") {
            UserDataEncoding::Obfuscate
        } else if l.starts_with("hex") {
            UserDataEncoding::Hex
        } else if l.starts_with("encode32") {
            UserDataEncoding::Encode32
        } else {
            UserDataEncoding::Encode64
        }
    }
}

/// `RA_CIDR_ADDRESS_FORMAT`: append `/masklen` to addresses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CidrMode {
    #[default]
    No,
    /// `yes`: only when the mask is not a host mask.
    Yes,
    /// `strict`: always.
    Strict,
}

/// One printed column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub field: FieldId,
    /// Width in characters (fixed-width output).
    pub width: usize,
    /// The `field:W:fmt` printf format, for the few printers that use it.
    pub format: Option<String>,
}

/// Why a `-s` word was refused (`ra` exits with this message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpecError(pub String);

impl std::fmt::Display for FieldSpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FieldSpecError {}

/// Most columns `ra` keeps (`ARGUS_MAX_PRINT_ALG`).
pub const MAX_COLUMNS: usize = 256;

/// All print settings. `Default` is `ra -X` with no options.
#[derive(Clone, Debug)]
pub struct PrintOptions {
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// Per-field widths (`ra`'s global table): `field:W` and
    /// `RA_TIME_FORMAT` change it, columns added later copy it.
    widths: Vec<usize>,
    formats: Vec<Option<String>>,
    /// `-c` / `RA_FIELD_DELIMITER`; `None` (or a space) joins cells with
    /// spaces.
    pub delimiter: Option<u8>,
    /// Cells unpadded (`-c` sets it; `RA_FIELD_WIDTH`).
    pub variable_width: bool,
    /// `RA_FIELD_QUOTED`: quote fields holding the delimiter or the quote.
    pub quote: Option<u8>,
    /// `-p` / `RA_USEC_PRECISION`.
    pub precision: usize,
    /// `RA_TIME_FORMAT`.
    pub time_format: String,
    /// `-u`.
    pub unix_time: bool,
    pub names: NameMode,
    pub labels: LabelMode,
    /// `-z` / `-Z`.
    pub state_style: StateStyle,
    /// `-H`.
    pub abbreviate: bool,
    pub format: Format,
    /// `-M rmon`: every flow is printed twice (as is and reversed) and the
    /// labels change.
    pub rmon: bool,
    pub userdata: UserDataEncoding,
    /// `RA_SEPARATE_ADDR_FROM_PORT_WITH_PERIOD` (default yes).
    pub separate_addr_port: bool,
    pub cidr: CidrMode,
    /// `-M disa`: DISA DiffServ names.
    pub disa: bool,
    /// Program name for the XML comment (`ra`, `rasort`, ...).
    pub program: String,
    /// Version for the XML comment.
    pub version: String,
}

impl Default for PrintOptions {
    fn default() -> PrintOptions {
        let widths: Vec<usize> = FIELDS.iter().map(|f| f.width as usize).collect();
        let mut o = PrintOptions {
            columns: Vec::new(),
            widths,
            formats: vec![None; FIELDS.len()],
            delimiter: None,
            variable_width: false,
            quote: None,
            precision: 6,
            time_format: "%T.%f".to_owned(),
            unix_time: false,
            names: NameMode::Port,
            labels: LabelMode::Once,
            state_style: StateStyle::Words,
            abbreviate: false,
            format: Format::Text,
            rmon: false,
            userdata: UserDataEncoding::Ascii,
            separate_addr_port: true,
            cidr: CidrMode::No,
            disa: false,
            program: "ra".to_owned(),
            version: "3.0.8.2".to_owned(),
        };
        o.columns = DEFAULT_FIELDS.iter().map(|&f| o.column(f)).collect();
        o
    }
}

impl PrintOptions {
    /// A column for `field` with the current table width and format.
    pub fn column(&self, field: FieldId) -> Column {
        Column {
            field,
            width: self.widths[field as usize],
            format: self.formats[field as usize].clone(),
        }
    }

    /// True when cells are separated by a delimiter rather than spaces.
    pub fn delimited(&self) -> bool {
        matches!(self.delimiter, Some(d) if d != b' ' && d != 0)
    }

    /// `-c x`: delimiter `x` and variable-width cells.
    pub fn set_delimiter(&mut self, d: u8) {
        self.delimiter = Some(d);
        self.variable_width = true;
    }

    /// Sets `RA_TIME_FORMAT`. As in `ra`, the `stime`/`ltime` widths become
    /// the length of the current time in that format minus the precision
    /// in force now.
    pub fn set_time_format(&mut self, format: &str) {
        self.time_format = format.to_owned();
        let len = super::timefmt::sample_width(format, self.precision);
        let w = len.saturating_sub(self.precision).max(1);
        self.widths[FieldId::Stime as usize] = w;
        self.widths[FieldId::Ltime as usize] = w;
        for c in &mut self.columns {
            if matches!(c.field, FieldId::Stime | FieldId::Ltime) {
                c.width = w;
            }
        }
    }

    /// Applies one `-s` list (`RA_FIELD_SPECIFIER` or the command line),
    /// already split into words (on spaces and commas): a first word
    /// without `+`/`-` replaces the list; `+field` appends, `+Nfield`
    /// inserts at 0-based index N, `-field` removes; `field:W[:fmt]` sets
    /// the width (and format) in the table; unknown names are ignored.
    pub fn apply_field_spec<S: AsRef<str>>(&mut self, words: &[S]) -> Result<(), FieldSpecError> {
        let words: Vec<&str> = words
            .iter()
            .flat_map(|w| w.as_ref().split([' ', ',']))
            .filter(|w| !w.is_empty())
            .collect();
        let Some(first) = words.first() else { return Ok(()) };
        if !(first.starts_with('+') || first.starts_with('-')) {
            self.columns.clear();
        }
        for word in words {
            self.apply_field_word(word)?;
        }
        Ok(())
    }

    fn apply_field_word(&mut self, word: &str) -> Result<(), FieldSpecError> {
        let (remove, mut rest) = match word.as_bytes().first() {
            Some(b'+') => (false, &word[1..]),
            Some(b'-') => (true, &word[1..]),
            _ => (false, word),
        };
        let mut rank = None;
        if word.starts_with(['+', '-']) {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                rank = rest[..digits].parse::<usize>().ok();
                rest = &rest[digits..];
            }
        }
        // field[index list]:width:format/value
        let mut name = rest;
        let mut width = None;
        let mut format = None;
        if let Some(b) = name.find('[') {
            name = &name[..b];
        }
        if let Some(c) = rest.find(':') {
            name = &name[..name.len().min(c)];
            let spec = &rest[c + 1..];
            let (w, f) = match spec.find(':') {
                Some(i) => (&spec[..i], Some(&spec[i + 1..])),
                None => (spec, None),
            };
            if w.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                let digits: String = w
                    .chars()
                    .enumerate()
                    .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '-'))
                    .map(|(_, c)| c)
                    .collect();
                let n: i64 = digits.parse().unwrap_or(0);
                if n < 1 {
                    return Err(FieldSpecError(format!(
                        "-s {name}:{n} length must be greater than 0"
                    )));
                }
                width = Some(n as usize);
            }
            format = f.map(str::to_owned);
        }
        if let Some(s) = name.find('/') {
            name = &name[..s];
        }
        let Some(field) = FieldId::from_name(name) else { return Ok(()) };
        if let Some(w) = width {
            self.widths[field as usize] = w;
        }
        if let Some(f) = format {
            self.formats[field as usize] = Some(f);
        }
        if remove {
            if let Some(i) = self.columns.iter().position(|c| same_printer(c.field, field)) {
                self.columns.remove(i);
            }
        } else if self.columns.len() < MAX_COLUMNS {
            let col = self.column(field);
            match rank {
                Some(r) if r <= self.columns.len() => self.columns.insert(r, col),
                _ => self.columns.push(col),
            }
        }
        Ok(())
    }
}

/// `ra` removes the first column printed by the same function, and a few
/// field names share one.
fn same_printer(a: FieldId, b: FieldId) -> bool {
    use FieldId::*;
    let canon = |f| match f {
        Dlspkt => Dspkts,
        Dldpkt => Ddpkts,
        Abr => Pcr,
        f => f,
    };
    canon(a) == canon(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(o: &PrintOptions) -> Vec<&'static str> {
        o.columns.iter().map(|c| c.field.name()).collect()
    }

    #[test]
    fn default_columns() {
        let o = PrintOptions::default();
        assert_eq!(
            names(&o),
            [
                "stime", "flgs", "proto", "saddr", "sport", "dir", "daddr", "dport", "pkts",
                "bytes", "state"
            ]
        );
    }

    #[test]
    fn replace_insert_remove() {
        let mut o = PrintOptions::default();
        o.apply_field_spec(&["stime saddr,daddr"]).unwrap();
        assert_eq!(names(&o), ["stime", "saddr", "daddr"]);
        o.apply_field_spec(&["+0dur", "-saddr", "+proto", "foo"]).unwrap();
        assert_eq!(names(&o), ["dur", "stime", "daddr", "proto"]);
        o.apply_field_spec(&["+1trans"]).unwrap();
        assert_eq!(names(&o), ["dur", "trans", "stime", "daddr", "proto"]);
    }

    #[test]
    fn widths_are_global_and_validated() {
        let mut o = PrintOptions::default();
        o.apply_field_spec(&["saddr:20:%x", "daddr"]).unwrap();
        assert_eq!(o.columns[0].width, 20);
        assert_eq!(o.columns[0].format.as_deref(), Some("%x"));
        assert_eq!(o.columns[1].width, 18);
        o.apply_field_spec(&["+saddr"]).unwrap();
        assert_eq!(o.columns[2].width, 20);
        assert!(o.apply_field_spec(&["stime:0"]).is_err());
        assert!(o.apply_field_spec(&["stime:-3"]).is_err());
    }

    #[test]
    fn name_modes_cycle() {
        let mut m = NameMode::default();
        for expect in [2, 3, 0, 1] {
            m = m.next();
            assert_eq!(m.nflag(), expect);
        }
        assert_eq!(LabelMode::from_number(0), LabelMode::Once);
        assert_eq!(LabelMode::from_number(-1), LabelMode::Never);
        assert_eq!(LabelMode::from_number(3), LabelMode::Every(3));
    }
}
