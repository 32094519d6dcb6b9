//! `make install` and `make links`, run as a user would run them: the binary
//! lands under PREFIX with one relative symlink per role, and a role started
//! through its installed symlink behaves as `argus-tool ROLE` does.
//!
//! `PROFILE=dev` makes the Makefile's build step the cargo build that this
//! test binary was made with (a no-op), instead of a slow release build.

use std::path::Path;

use crate::util;

/// Asserts that every role in `argv0-links` is a symlink to `argus-tool` in
/// `dir`, relative so the directory can be moved or copied as a whole.
fn assert_role_links(dir: &Path) {
    for role in util::roles() {
        let link = dir.join(&role);
        let target = std::fs::read_link(&link)
            .unwrap_or_else(|e| panic!("{} is not a symlink: {e}", link.display()));
        assert_eq!(target, Path::new("argus-tool"), "{}", link.display());
    }
}

/// Runs `ra -X -r tests/data/demo.argus` through `ra_link` and as
/// `argus-tool ra ...`: the two runs must be indistinguishable.
fn assert_runs_as_ra(ra_link: &Path) {
    let demo = util::repo().join("tests/data/demo.argus");
    let mut through_link = util::pinned(ra_link);
    through_link.arg("-X").arg("-r").arg(&demo);
    let mut multicall = util::pinned(&util::bin());
    multicall.arg("ra").arg("-X").arg("-r").arg(&demo);
    util::assert_same_behaviour(&mut through_link, &mut multicall);
}

#[test]
fn make_install_puts_the_binary_and_role_links_under_prefix() {
    let prefix = util::TempDir::new("install");
    util::make(&["install", "PROFILE=dev", &format!("PREFIX={}", prefix.path().display())]);

    let bindir = prefix.path().join("bin");
    let installed = std::fs::read(bindir.join("argus-tool")).expect("installed argus-tool");
    assert!(
        installed == std::fs::read(util::bin()).unwrap(),
        "installed file differs from the build"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(bindir.join("argus-tool")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o755);
    assert_role_links(&bindir);
    assert_runs_as_ra(&bindir.join("ra"));

    // Installing again over an existing installation replaces it cleanly.
    util::make(&["install", "PROFILE=dev", &format!("PREFIX={}", prefix.path().display())]);
    assert_role_links(&bindir);
}

#[test]
fn make_install_honours_destdir() {
    let root = util::TempDir::new("destdir");
    util::make(&[
        "install",
        "PROFILE=dev",
        "PREFIX=/usr",
        &format!("DESTDIR={}", root.path().display()),
    ]);
    let bindir = root.path().join("usr/bin");
    assert!(bindir.join("argus-tool").is_file());
    assert_role_links(&bindir);
}

#[test]
fn make_links_puts_role_links_next_to_the_build() {
    util::make(&["links", "PROFILE=dev"]);
    let dir = util::bin().parent().unwrap().to_path_buf();
    assert_role_links(&dir);
    assert_runs_as_ra(&dir.join("ra"));
}
