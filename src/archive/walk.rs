//! The list of inputs from `-r` and `-R` arguments, in `ra` 3.0.8.2's
//! order: `-r` files in the order given; each `-R` adds the regular files
//! of a directory tree and then sorts the whole list so far by name (byte
//! order), so `-r b -R dir` puts `b` among the tree's files. Walking the
//! tree follows symbolic links (as `ra`'s `stat` does), skips names that
//! start with `.`, and never enters a directory twice (so a symlink loop
//! ends, where `ra` would recurse until it fails).

use super::Source;
use std::collections::HashSet;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Inputs in reading order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputList {
    sources: Vec<Source>,
}

/// A `-R` path that could not be read; `ra` skips it silently.
#[derive(Debug)]
pub struct WalkWarning {
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for WalkWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "-R '{}': {}", self.path.display(), super::strerror(&self.error))
    }
}

impl InputList {
    pub fn new() -> InputList {
        InputList::default()
    }

    /// A `-r` argument (`-` for stdin).
    pub fn add(&mut self, arg: &str) {
        self.sources.push(Source::parse(arg));
    }

    pub fn add_source(&mut self, s: Source) {
        self.sources.push(s);
    }

    /// A `-R` argument: the regular files under `path` (or `path` itself
    /// if it is a file), then the `ra` sort of the whole list. Returns the
    /// paths that could not be read.
    pub fn add_tree(&mut self, path: &Path) -> Vec<WalkWarning> {
        let mut warnings = Vec::new();
        let mut seen = HashSet::new();
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => descend(path, &mut self.sources, &mut seen, &mut warnings),
            Ok(m) if m.is_file() => self.sources.push(Source::File(path.to_path_buf())),
            Ok(_) => {}
            Err(error) => warnings.push(WalkWarning { path: path.to_path_buf(), error }),
        }
        self.sources.sort_by_key(sort_name);
        warnings
    }

    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    pub fn into_sources(self) -> Vec<Source> {
        self.sources
    }
}

fn sort_name(s: &Source) -> Vec<u8> {
    match s {
        Source::File(p) => p.as_os_str().as_bytes().to_vec(),
        other => other.name().into_bytes(),
    }
}

fn descend(
    dir: &Path,
    out: &mut Vec<Source>,
    seen: &mut HashSet<(u64, u64)>,
    warnings: &mut Vec<WalkWarning>,
) {
    let Ok(meta) = std::fs::metadata(dir) else { return };
    if !seen.insert((meta.dev(), meta.ino())) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(error) => {
            warnings.push(WalkWarning { path: dir.to_path_buf(), error });
            return;
        }
    };
    for entry in entries.flatten() {
        if entry.file_name().as_bytes().first() == Some(&b'.') {
            continue;
        }
        let path = entry.path();
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => descend(&path, out, seen, warnings),
            Ok(m) if m.is_file() => out.push(Source::File(path)),
            _ => {}
        }
    }
}
