//! The printers against the real thing: every reference archive decoded and
//! printed by `print::Printer`, line for line against Debian's `ra -X`
//! (argus-client 3.0.8.2, installed by `.ci/run`) with the same options:
//! default columns, the CSV the golden files use, every field of the table
//! in fixed width and delimited, and the option combinations that change
//! text (`-n`, `-nn`, `-u`, `-p`, `-H`, `-z`, `-Z`, `-M rmon`, `-L`).
//!
//! Lines may differ only where argus-tool differs on purpose or where ra
//! prints memory it never filled in (each listed in `tolerated`, with the
//! reason); everything else must be byte-identical.

use crate::util;
use argus_tool::codec::{stream::Records, RecordBuf};
use argus_tool::print::{LabelMode, PrintOptions, Printer};
use argus_tool::record::field::{FieldId, StateStyle, TcpFlagSide, FIELDS};
use argus_tool::record::{ipproto, Network, Record};
use std::path::{Path, PathBuf};
use std::process::Command;

fn archives() -> Vec<PathBuf> {
    util::reference_archives()
}

/// The options a test run uses, as `ra` arguments and as `PrintOptions`.
struct Run {
    args: Vec<String>,
    opts: PrintOptions,
    /// `-M man`: management records are printed too.
    man: bool,
}

fn run(spec: &[&str]) -> Run {
    let mut o = PrintOptions::default();
    let mut fields = Vec::new();
    let mut man = false;
    let mut i = 0;
    while i < spec.len() {
        match spec[i] {
            "-n" => o.names = o.names.next(),
            "-nn" => o.names = o.names.next().next(),
            "-u" => o.unix_time = true,
            "-H" => o.abbreviate = true,
            "-z" => o.state_style = StateStyle::Changes,
            "-Z" => {
                i += 1;
                o.state_style = StateStyle::Flags(match spec[i] {
                    "s" => TcpFlagSide::Src,
                    "d" => TcpFlagSide::Dst,
                    _ => TcpFlagSide::Both,
                });
            }
            "-c" => {
                i += 1;
                o.set_delimiter(spec[i].as_bytes()[0]);
            }
            "-p" => {
                i += 1;
                o.precision = spec[i].parse().unwrap();
            }
            "-L" => {
                i += 1;
                o.labels = LabelMode::from_number(spec[i].parse().unwrap());
            }
            "-M" => {
                i += 1;
                match spec[i] {
                    "rmon" => o.rmon = true,
                    "man" => man = true,
                    other => panic!("test mode {other}"),
                }
            }
            "-s" => {
                fields.extend(spec[i + 1..].iter().map(|s| s.to_string()));
                break;
            }
            other => panic!("test option {other}"),
        }
        i += 1;
    }
    if !fields.is_empty() {
        o.apply_field_spec(&fields).unwrap();
    }
    Run { args: spec.iter().map(|s| s.to_string()).collect(), opts: o, man }
}

/// Debian ra's output, one entry per line.
fn debian(file: &Path, args: &[String]) -> Vec<Vec<u8>> {
    let out = Command::new("ra")
        .arg("-X")
        .arg("-r")
        .arg(file)
        .args(args)
        .env("TZ", "UTC")
        .env("HOME", "/nonexistent")
        .output()
        .expect("Debian's ra (argus-client) must be installed");
    split_lines(&out.stdout)
}

fn split_lines(b: &[u8]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = b.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect();
    if v.last().is_some_and(Vec::is_empty) {
        v.pop();
    }
    v
}

/// Our output, one entry per line, each with the flow record it came from
/// (`None` for header lines).
fn ours(file: &Path, opts: &PrintOptions, man: bool) -> Vec<(Vec<u8>, Option<Record>)> {
    let buf = std::fs::read(file).unwrap();
    let mut p = Printer::new(opts.clone());
    let mut rb = RecordBuf::new();
    let mut lines = Vec::new();
    for r in Records::new(&buf) {
        let Ok(rec) = rb.decode(r.bytes) else { continue };
        if let Record::Mar(m) = rec {
            if r.initial {
                p.set_source(m);
            }
            if !man {
                continue;
            }
        }
        let mut out = Vec::new();
        p.print_at(rec, Some(r.offset), &mut out);
        let rec = rec.clone();
        for l in split_lines(&out) {
            let is_header = l == p.header();
            lines.push((l, (!is_header).then(|| rec.clone())));
        }
    }
    lines
}

/// Why a line may differ from ra's: the reasons are in
/// docs/differences.md or are ra reading memory it never set.
fn tolerated(rec: &Record, fields: &[FieldId], tcp_flag_letters: bool) -> bool {
    // ra shows the offset and rank of the input's previous flow record on
    // a management record's line (docs/differences.md).
    if rec.is_mar() && fields.iter().any(|f| matches!(f, FieldId::Offset | FieldId::Rank)) {
        return true;
    }
    let Record::Flow(f) = rec else { return false };
    let proto = f.key.and_then(|k| k.ip_proto());
    // A TCP flow carrying another network object (fuzzed captures): ra
    // reads TCP fields out of that object and past it (and `-Z` letters
    // from uninitialised variables).
    let tcp_fields = [
        FieldId::Swin,
        FieldId::Dwin,
        FieldId::Stcpb,
        FieldId::Dtcpb,
        FieldId::Tcprtt,
        FieldId::Synack,
        FieldId::Ackdat,
        FieldId::Stcpmax,
        FieldId::Dtcpmax,
    ];
    if proto == Some(ipproto::TCP)
        && !matches!(f.network, Some(Network::Tcp(_) | Network::TcpInit(_) | Network::TcpStatus(_)))
        && fields
            .iter()
            .any(|x| tcp_fields.contains(x) || (tcp_flag_letters && *x == FieldId::State))
    {
        return true;
    }
    false
}

fn compare(spec: &[&str]) -> Vec<String> {
    let r = run(spec);
    let fields: Vec<FieldId> = r.opts.columns.iter().map(|c| c.field).collect();
    let letters = matches!(r.opts.state_style, StateStyle::Flags(_));
    let mut problems = Vec::new();
    for file in archives() {
        let theirs = debian(&file, &r.args);
        let mine = ours(&file, &r.opts, r.man);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if theirs.len() != mine.len() {
            problems.push(format!("{name} {spec:?}: {} lines, ra {}", mine.len(), theirs.len()));
            continue;
        }
        for (i, (t, (m, rec))) in theirs.iter().zip(&mine).enumerate() {
            if t == m || rec.as_ref().is_some_and(|rec| tolerated(rec, &fields, letters)) {
                continue;
            }
            problems.push(format!(
                "{name} {spec:?} line {}:\n  ra:   {}\n  ours: {}",
                i + 1,
                String::from_utf8_lossy(t),
                String::from_utf8_lossy(m)
            ));
        }
    }
    problems
}

fn assert_same(spec: &[&str]) {
    let problems = compare(spec);
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n"));
}

/// Every field but those `ra` fills with the wall clock (`idle`), with a
/// computation it gets wrong (`rtime`) or with uninitialised memory (`cor`).
fn all_fields() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.name).filter(|n| !matches!(*n, "idle" | "rtime" | "cor")).collect()
}

#[test]
fn default_columns_match_ra() {
    assert_same(&[]);
}

#[test]
fn golden_csv_columns_match_ra() {
    let s = "stime ltime flgs proto saddr sport dir daddr dport spkts dpkts sbytes dbytes state";
    let mut spec = vec!["-n", "-u", "-c", ",", "-s"];
    spec.extend(s.split(' '));
    assert_same(&spec);
}

#[test]
fn every_field_fixed_width_matches_ra() {
    let fields = all_fields();
    for chunk in fields.chunks(25) {
        let mut spec = vec!["-s", "stime"];
        spec.extend(chunk);
        assert_same(&spec);
    }
}

#[test]
fn every_field_delimited_matches_ra() {
    let fields = all_fields();
    for chunk in fields.chunks(40) {
        let mut spec = vec!["-c", ",", "-s", "stime"];
        spec.extend(chunk);
        assert_same(&spec);
    }
}

#[test]
fn management_records_match_ra() {
    let fields = all_fields();
    for chunk in fields.chunks(50) {
        let mut spec = vec!["-M", "man", "-s", "stime"];
        spec.extend(chunk);
        assert_same(&spec);
    }
    assert_same(&["-M", "man"]);
    assert_same(&["-M", "man", "-c", ",", "-n", "-s", "stime", "ltime", "saddr", "sport", "daddr"]);
}

#[test]
fn option_combinations_match_ra() {
    let cols =
        ["saddr", "sport", "dir", "daddr", "dport", "proto", "state", "sdsb", "rate", "load"];
    for opts in [
        &["-n"][..],
        &["-nn"],
        &["-u", "-p", "3"],
        &["-p", "0"],
        &["-H"],
        &["-z"],
        &["-Z", "b"],
        &["-Z", "s"],
        &["-M", "rmon"],
        &["-L", "3"],
        &["-c", ",", "-nn", "-u", "-p", "2"],
    ] {
        let mut spec: Vec<&str> = opts.to_vec();
        spec.extend(["-s", "stime", "ltime", "dur", "trans", "flgs", "pkts", "spkts", "bytes"]);
        spec.extend(cols);
        assert_same(&spec);
    }
}

/// Our XML document for one archive.
fn our_document(file: &Path, opts: &PrintOptions) -> Vec<u8> {
    let buf = std::fs::read(file).unwrap();
    let mut p = Printer::new(opts.clone());
    let mut rb = RecordBuf::new();
    let mut out = Vec::new();
    for r in Records::new(&buf) {
        let Ok(rec) = rb.decode(r.bytes) else { continue };
        if let Record::Mar(m) = rec {
            if r.initial {
                p.set_source(m);
            }
            continue;
        }
        p.print_at(rec, Some(r.offset), &mut out);
    }
    p.finish(&mut out);
    out
}

/// Drops what may differ: the wall clock, and the `dir` attribute that
/// 3.0.8.2 writes broken (` Dir"`, docs/differences.md).
fn xml_comparable(doc: &[u8]) -> String {
    let text = String::from_utf8_lossy(doc).into_owned();
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut l = line.to_owned();
        if let Some(i) = l.find("CurrentDate = \"") {
            let rest = &l[i + 15..];
            let end = rest.find('"').map_or(l.len(), |e| i + 15 + e);
            l.replace_range(i + 15..end, "X");
        }
        // The SPI: 3.0.8.2 cuts it to the column width (docs/differences.md).
        if let Some(i) = l.find("EspSpi = \"") {
            let end = l[i + 10..].find('"').map_or(l.len(), |e| i + 10 + e);
            l.replace_range(i + 10..end, "X");
        }
        if let Some(i) = l.find(" Dir = \"") {
            let end = l[i + 8..].find('"').map_or(l.len(), |e| i + 8 + e + 1);
            l.replace_range(i..end, "");
        }
        out.push_str(&l.replace(" Dir\"", ""));
        out.push('\n');
    }
    out
}

#[test]
fn xml_matches_ra_except_the_dir_attribute() {
    let mut o = PrintOptions::default();
    o.format = argus_tool::print::Format::Xml;
    for file in archives() {
        let theirs = Command::new("ra")
            .args(["-X", "-M", "xml", "-r"])
            .arg(&file)
            .env("TZ", "UTC")
            .output()
            .unwrap()
            .stdout;
        let ours = our_document(&file, &o);
        let (a, b) = (xml_comparable(&ours), xml_comparable(&theirs));
        let diffs: Vec<String> = a
            .lines()
            .zip(b.lines())
            .filter(|(x, y)| x != y)
            .map(|(x, y)| format!("  ours: {x}\n  ra:   {y}"))
            .collect();
        assert_eq!(a.lines().count(), b.lines().count(), "{}", file.display());
        assert!(diffs.is_empty(), "{}:\n{}", file.display(), diffs.join("\n"));
        if !ours.is_empty() {
            assert!(String::from_utf8_lossy(&ours).contains(" Dir = \""), "{}", file.display());
        }
    }
}

#[test]
fn xml_is_well_formed_with_every_field() {
    let mut o = PrintOptions::default();
    o.format = argus_tool::print::Format::Xml;
    let fields = all_fields();
    o.apply_field_spec(&fields).unwrap();
    let dir = std::env::temp_dir().join(format!("argus-tool-xml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for file in archives() {
        let doc = our_document(&file, &o);
        if doc.is_empty() {
            // No flow records: ra prints nothing either.
            continue;
        }
        let path = dir.join("doc.xml");
        std::fs::write(&path, &doc).unwrap();
        let lint = Command::new("xmllint").arg("--noout").arg(&path).output().expect("xmllint");
        assert!(
            lint.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&lint.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_lines_carry_the_delimited_values() {
    // `resp` drops out of delimited lines of non-ARP records (as in ra),
    // which would shift the cells this test lines up.
    let fields: Vec<&str> = all_fields().into_iter().filter(|f| *f != "resp").collect();
    let mut json = PrintOptions::default();
    json.format = argus_tool::print::Format::Json;
    json.apply_field_spec(&fields).unwrap();
    let mut csv = PrintOptions::default();
    csv.set_delimiter(b'\t');
    csv.labels = LabelMode::Never;
    csv.apply_field_spec(&fields).unwrap();
    for file in archives() {
        let j = our_document(&file, &json);
        let c = our_document(&file, &csv);
        let jl: Vec<&[u8]> = j.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
        let cl: Vec<&[u8]> = c.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
        assert_eq!(jl.len(), cl.len(), "{}", file.display());
        for (jline, cline) in jl.iter().zip(&cl) {
            let v: serde_json::Value = serde_json::from_slice(jline).unwrap_or_else(|e| {
                panic!("{}: {e}: {}", file.display(), String::from_utf8_lossy(jline))
            });
            let obj = v.as_object().expect("one object per line");
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            assert_eq!(keys, fields, "keys in column order");
            // Delimited lines lose trailing empty cells; pad them back.
            let mut cells: Vec<String> =
                String::from_utf8_lossy(cline).split('\t').map(str::to_owned).collect();
            cells.resize(fields.len(), String::new());
            for ((name, value), cell) in obj.iter().zip(&cells) {
                match value {
                    serde_json::Value::Null => {
                        assert!(cell.trim().is_empty(), "{name}: null but {cell:?}")
                    }
                    serde_json::Value::Number(n) => {
                        let cell: f64 = cell.trim().parse().expect("numeric cell");
                        assert_eq!(n.as_f64(), Some(cell), "{name}")
                    }
                    serde_json::Value::String(s) => {
                        // JSON's user data is the data alone, without the
                        // `s[N]=` prefix of the columns.
                        let cell = match name.as_str() {
                            "suser" | "duser" => cell.split_once("]=").map_or("", |(_, d)| d),
                            _ => cell.as_str(),
                        };
                        assert_eq!(s.trim(), cell.trim(), "{name}")
                    }
                    other => panic!("{name}: unexpected {other}"),
                }
            }
        }
    }
}
