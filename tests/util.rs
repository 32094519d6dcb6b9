//! Helpers shared by the integration tests: locating the binary, making
//! role symlinks, running a role with a pinned environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The built multi-call binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_argus-tool"))
}

/// The repository root (for `argv0-links`, `tests/data`, ...).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/reference` next to the repository. The shared reference data
/// is part of the test environment: a missing folder fails the test rather
/// than skipping it.
pub fn shared_reference() -> PathBuf {
    let p = repo().join("../shared/reference");
    assert!(p.is_dir(), "the shared reference data is missing: {}", p.display());
    p
}

/// Every reference archive (`vectors/argus`, `pcaps/argus-ref`,
/// `cases/data`), sorted by name within each directory.
pub fn reference_archives() -> Vec<PathBuf> {
    let r = shared_reference();
    let mut all = Vec::new();
    for dir in ["vectors/argus", "pcaps/argus-ref", "cases/data"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(r.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "argus"))
            .collect();
        files.sort();
        all.extend(files);
    }
    assert!(all.len() > 50, "reference archives missing");
    all
}

/// A directory holding one symlink per role, all pointing at the binary.
pub fn link_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("argus-tool-links-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create link dir");
        let roles = std::fs::read_to_string(repo().join("argv0-links")).expect("argv0-links");
        for role in roles.lines().filter(|l| !l.trim().is_empty()) {
            let link = dir.join(role.trim());
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(bin(), &link).expect("symlink");
        }
        dir
    })
}

/// A command that runs `role` through its symlink, with TZ=UTC, LANG=C and
/// an empty HOME (so no ~/.rarc is read).
pub fn role(role: &str) -> Command {
    pinned(&link_dir().join(role))
}

/// A command that runs `program` with the environment `role` pins.
pub fn pinned(program: &Path) -> Command {
    let mut cmd = Command::new(program);
    let home = std::env::temp_dir().join("argus-tool-empty-home");
    let _ = std::fs::create_dir_all(&home);
    cmd.env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", link_dir().display()))
        .env("HOME", home)
        .env("TZ", "UTC")
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    cmd
}

/// Runs a command and returns its output.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run command")
}

/// A fresh scratch directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("argus-tool-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The role names in `argv0-links`.
pub fn roles() -> Vec<String> {
    let list = std::fs::read_to_string(repo().join("argv0-links")).expect("argv0-links");
    list.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// `make ARGS` in the repository, as a user would type it. The variables of
/// an enclosing `make test` (its jobserver) are not passed down.
pub fn make(args: &[&str]) -> Output {
    let out = Command::new("make")
        .current_dir(repo())
        .args(args)
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("MAKELEVEL")
        .stdin(Stdio::null())
        .output()
        .expect("run make");
    assert!(
        out.status.success(),
        "make {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Output text with the variable part of diagnostics (`prog[PID]: HH:MM:SS.ffffff`)
/// replaced, so two runs of the same command compare equal.
pub fn without_diag_stamps(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let line = without_current_date(line);
        out.push_str(&diag_line_without_stamp(&line).unwrap_or(line));
    }
    out
}

/// The XML header's `CurrentDate` (the time of the run) blanked out.
fn without_current_date(line: &str) -> String {
    const ATTR: &str = "CurrentDate = \"";
    let Some(at) = line.find(ATTR) else { return line.to_string() };
    let value = at + ATTR.len();
    match line[value..].find('"') {
        Some(len) => format!("{}NOW{}", &line[..value], &line[value + len..]),
        None => line.to_string(),
    }
}

fn diag_line_without_stamp(line: &str) -> Option<String> {
    let (prog, rest) = line.split_once('[')?;
    let (pid, rest) = rest.split_once("]: ")?;
    let (stamp, msg) = rest.split_once(' ')?;
    let is_stamp = stamp.len() == 15
        && stamp.bytes().enumerate().all(|(i, b)| match i {
            2 | 5 => b == b':',
            8 => b == b'.',
            _ => b.is_ascii_digit(),
        });
    (pid.bytes().all(|b| b.is_ascii_digit()) && is_stamp)
        .then(|| format!("{prog}[PID]: TIME {msg}"))
}

/// Runs both commands and asserts they exit alike and print the same,
/// diagnostics' PID and time of day and the XML header's run date aside.
pub fn assert_same_behaviour(a: &mut Command, b: &mut Command) {
    let (x, y) = (run(a), run(b));
    let what = format!("{a:?}\n  vs {b:?}");
    assert_eq!(x.status.code(), y.status.code(), "exit status: {what}");
    assert_eq!(without_diag_stamps(&x.stdout), without_diag_stamps(&y.stdout), "stdout: {what}");
    assert_eq!(without_diag_stamps(&x.stderr), without_diag_stamps(&y.stderr), "stderr: {what}");
}
