//! argus's configuration file: `conf/argus.conf` documents every variable
//! our argus reads, and a variable we do not act on gets a warning that
//! names the file and the line.

use crate::util;

/// The `"ARGUS_..."` string literals of the argus options parser: the
/// variables it reads.
fn variables_read() -> Vec<String> {
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/roles/argus/options.rs"),
    )
    .unwrap();
    let mut vars: Vec<String> = src
        .split("\"ARGUS_")
        .skip(1)
        .filter_map(|rest| rest.split_once('"'))
        .map(|(name, _)| format!("ARGUS_{name}"))
        .filter(|v| v.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        .collect();
    vars.sort();
    vars.dedup();
    vars
}

#[test]
fn the_sample_configuration_documents_every_variable_read() {
    let conf = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("conf/argus.conf"),
    )
    .unwrap();
    let vars = variables_read();
    assert!(vars.len() > 40, "the parser's variables: {vars:?}");
    // Documented: set or commented out (`#VAR=`), or named in the notes.
    let missing: Vec<&String> = vars
        .iter()
        .filter(|v| {
            !conf.lines().any(|l| {
                let l = l.trim_start_matches('#');
                l.starts_with(&format!("{v}=")) || (l.starts_with(' ') && l.contains(v.as_str()))
            })
        })
        .collect();
    assert!(missing.is_empty(), "read but not in conf/argus.conf: {missing:?}");
}

#[test]
fn variables_not_acted_on_are_warned_with_file_and_line() {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("argus-conf-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let conf = d.join("argus.conf");
    std::fs::write(
        &conf,
        "ARGUS_FLOW_TYPE=\"Bidirectional\"\n\
         # a comment\n\
         ARGUS_DEBUG_LEVEL=2\n\
         \n\
         ARGUS_FLOW_KEY=\"LAYER_2\"\n\
         ARGUS_NO_SUCH_THING=1\n\
         ARGUS_FLOW_STATUS_INTERVAL=5\n",
    )
    .unwrap();
    let pcap = util::shared_reference().join("vectors/pcap/udp4.pcap");
    let o = util::run(
        util::role("argus").arg("-F").arg(&conf).arg("-r").arg(&pcap).args(["-w", "/dev/null"]),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let _ = std::fs::remove_dir_all(&d);
    assert!(o.status.success(), "{err}");
    let at = |line: u32, var: &str| format!("{}:{line}: {var}: ", conf.display());
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("argus.conf:")).collect();
    assert_eq!(warnings.len(), 3, "{err}");
    assert!(warnings[0].contains(&at(3, "ARGUS_DEBUG_LEVEL")), "{err}");
    assert!(warnings[1].contains(&at(5, "ARGUS_FLOW_KEY")), "{err}");
    assert!(warnings[2].contains(&at(6, "ARGUS_NO_SUCH_THING")), "{err}");
}
