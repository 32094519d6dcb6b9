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
    let mut cmd = Command::new(link_dir().join(role));
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
