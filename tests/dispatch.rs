//! The multi-call binary picks its role from argv[0] or argv[1].

use crate::util;

#[test]
fn argv0_links_lists_exactly_the_roles_the_binary_knows() {
    let listed = std::fs::read_to_string(util::repo().join("argv0-links")).unwrap();
    let out = util::run(std::process::Command::new(util::bin()).arg("--list"));
    assert!(out.status.success());
    let known = String::from_utf8(out.stdout).unwrap();
    let mut a: Vec<&str> = listed.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut b: Vec<&str> = known.lines().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn help_lists_every_role_and_version_prints_the_version() {
    let out = util::run(std::process::Command::new(util::bin()).arg("--help"));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for role in ["argus", "ra", "rasort", "racount", "ramon", "raxml"] {
        assert!(text.contains(&format!("  {role} ")), "help lacks {role}: {text}");
    }
    let out = util::run(std::process::Command::new(util::bin()).arg("--version"));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("argus-tool {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_role_is_an_error() {
    let out = util::run(std::process::Command::new(util::bin()).arg("rafoo"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role 'rafoo'"));
}
