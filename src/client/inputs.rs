//! `-R dir`: the files below a directory, the way argus walks it (entries
//! starting with `.` skipped, symbolic links followed, only regular files).

use std::path::Path;

/// Appends every regular file under `path` (or `path` itself when it is a
/// regular file) to `out`, as the strings argus would build ("dir/name").
pub fn collect_tree(path: &Path, out: &mut Vec<String>) {
    let text = path.to_string_lossy();
    // argus skips a hidden top-level argument, but not "./x".
    if text.len() > 1 && text.starts_with('.') && !text.starts_with("./") {
        return;
    }
    let Ok(meta) = std::fs::metadata(path) else { return };
    if meta.is_dir() {
        descend(&text, out);
    } else if meta.is_file() {
        out.push(text.into_owned());
    }
}

fn descend(dir: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let child = format!("{dir}/{name}");
        match std::fs::metadata(&child) {
            Ok(m) if m.is_dir() => descend(&child, out),
            Ok(m) if m.is_file() => out.push(child),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_files_skipping_dot_entries() {
        let root = std::env::temp_dir().join(format!("argus-tool-tree-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        std::fs::write(root.join("a/b/x.argus"), b"x").unwrap();
        std::fs::write(root.join("a/y.argus"), b"y").unwrap();
        std::fs::write(root.join(".hidden/z"), b"z").unwrap();
        std::fs::write(root.join(".dot"), b"d").unwrap();
        let mut out = Vec::new();
        collect_tree(&root, &mut out);
        out.sort();
        let r = root.to_string_lossy();
        assert_eq!(out, vec![format!("{r}/a/b/x.argus"), format!("{r}/a/y.argus")]);
        let _ = std::fs::remove_dir_all(&root);
    }
}
