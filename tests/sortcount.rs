//! `rasort` and `racount` through their argv[0] links, compared with
//! Debian's 3.0.8.2 tools on every reference archive (`-X`, TZ=UTC), with
//! keys and options beyond the shared cases; the output of `ra`, `rasort`
//! and `racount` does not depend on the thread count; damaged archives.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util;

/// Every archive of the shared reference data (plain and compressed).
fn archives() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(dir).expect("read dir").map(|e| e.expect("entry").path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.file_name().is_some_and(|n| n.to_string_lossy().contains(".argus")) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&util::shared_reference(), &mut out);
    assert!(out.len() > 50, "expected the reference archives, found {}", out.len());
    out
}

fn debian(tool: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = util::pinned(Path::new(&format!("/usr/bin/{tool}")));
    cmd.args(args).envs(env.iter().copied()).stdin(Stdio::null());
    cmd.output().expect("Debian's argus-client tools are part of the test environment")
}

fn ours(tool: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = util::role(tool);
    cmd.args(args).envs(env.iter().copied()).stdin(Stdio::null());
    util::run(&mut cmd)
}

/// Runs `tool ARGS -r F` for every archive with both tools; returns the
/// differences. Debian crashing on a probe archive is not one, nor is
/// rasort on the event-class probe (3.0.8.2 prints its key as garbage or
/// dies of SIGSEGV, depending on the columns).
fn differences(tool: &str, args: &[&str]) -> Vec<String> {
    let mut bad = Vec::new();
    for f in archives() {
        if tool == "rasort" && f.ends_with("record_class_0x43.argus") {
            continue;
        }
        let f = f.to_string_lossy().into_owned();
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["-r", &f]);
        let want = debian(tool, &a, &[]);
        let Some(code) = want.status.code() else { continue };
        let got = ours(tool, &a, &[]);
        if got.status.code() != Some(code) || got.stdout != want.stdout {
            bad.push(format!("{tool} {}: exit {:?} vs {code}", a.join(" "), got.status.code()));
        }
    }
    bad
}

fn assert_no_differences(tool: &str, arg_sets: &[&[&str]]) {
    let bad: Vec<String> = arg_sets.iter().flat_map(|a| differences(tool, a)).collect();
    assert!(bad.is_empty(), "{} differences:\n{}", bad.len(), bad.join("\n"));
}

/// The fuzz captures whose TCP fields print differently (docs/differences.md)
/// are left out of the `tcprtt` comparison only.
#[test]
fn rasort_matches_debian_on_every_reference_archive() {
    let cols =
        ["-s", "stime", "ltime", "proto", "saddr", "sport", "daddr", "dport", "pkts", "bytes"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut v = vec!["-X"];
        v.extend_from_slice(extra);
        v.extend_from_slice(&cols);
        v
    };
    let sets: Vec<Vec<&str>> = vec![
        with(&["-m", "bytes"]),
        with(&["-m", "proto", "dport", "saddr"]),
        with(&["-v", "-m", "pkts", "stime"]),
        with(&["-m", "daddr", "sport"]),
        with(&["-m", "dur", "-N", "o7"]),
        with(&["-m", "sttl", "dttl", "stos", "dtos"]),
        with(&["-m", "ltime", "spkts", "dpkts", "sbytes", "dbytes"]),
        with(&["-m", "saddr/16", "load", "rate"]),
        with(&["-n", "-m", "smac", "dmac", "sipid", "svlan", "smpls"]),
        vec!["-X", "-c", ",", "-m", "sbytes", "-s", "stime", "saddr", "daddr", "sbytes", "rank"],
    ];
    let refs: Vec<&[&str]> = sets.iter().map(Vec::as_slice).collect();
    assert_no_differences("rasort", &refs);
}

#[test]
fn rasort_accepts_the_argus_2_key_names_as_the_3_0_keys() {
    let f = util::shared_reference().join("cases/data/synthfull.argus");
    let f = f.to_string_lossy();
    for (long, short) in [
        ("startime", "stime"),
        ("lasttime", "ltime"),
        ("duration", "dur"),
        ("srcaddr", "saddr"),
        ("dstaddr", "daddr"),
        ("srcbytes", "sbytes"),
        ("dstbytes", "dbytes"),
        ("packets", "pkts"),
        ("srcpackets", "spkts"),
        ("dstpackets", "dpkts"),
    ] {
        let got =
            ours("rasort", &["-X", "-m", long, "-s", "stime", "saddr", "bytes", "-r", &f], &[]);
        let want =
            debian("rasort", &["-X", "-m", short, "-s", "stime", "saddr", "bytes", "-r", &f], &[]);
        assert_eq!(got.status.code(), Some(0), "rasort -m {long}");
        assert_eq!(
            String::from_utf8_lossy(&got.stdout),
            String::from_utf8_lossy(&want.stdout),
            "rasort -m {long} sorts as -m {short}"
        );
    }
}

#[test]
fn racount_matches_debian_on_every_reference_archive() {
    assert_no_differences(
        "racount",
        &[
            &["-X"],
            &["-X", "-M", "proto", "addr"],
            &["-X", "-M", "rmon", "proto", "addr"],
            &["-X", "-nn", "-M", "proto"],
            &["-X", "-n", "-M", "addr", "-", "udp or arp"],
            &["-X", "-N", "3", "-M", "proto"],
            &["-X", "-M", "proto", "-", "host 10.255.255.1"],
        ],
    );
}

/// Enough records for several chunks of a parallel run: copies of a few
/// reference archives written into one file by our `ra -w`.
fn big_archive(dir: &Path) -> PathBuf {
    let out = dir.join("many.argus");
    let mut args: Vec<String> = vec!["-X".into()];
    let refs = util::shared_reference();
    for _ in 0..12 {
        for name in ["pcaps/argus-ref/ndpi-synscan.argus", "cases/data/synthfull.argus"] {
            args.push("-r".into());
            args.push(refs.join(name).to_string_lossy().into_owned());
        }
    }
    args.push("-w".into());
    args.push(out.to_string_lossy().into_owned());
    let r = util::run(util::role("ra").args(&args));
    assert!(r.status.success(), "ra -w: {}", String::from_utf8_lossy(&r.stderr));
    let len = std::fs::metadata(&out).expect("written").len();
    assert!(len > 2 << 20, "want several 512 KB chunks, got {len} bytes");
    out
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let tmp = util::TempDir::new("threads");
    let file = big_archive(tmp.path());
    let gz = tmp.path().join("many.argus.gz");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("gzip -c '{}' > '{}'", file.display(), gz.display()))
        .status()
        .expect("gzip");
    assert!(status.success());
    let (f, g) = (file.to_string_lossy(), gz.to_string_lossy());
    let runs: [(&str, Vec<&str>); 6] = [
        ("ra", vec!["-X", "-r", &f]),
        ("ra", vec!["-X", "-s", "rank", "stime", "saddr", "bytes", "-r", &g]),
        ("rasort", vec!["-X", "-m", "bytes", "saddr", "-r", &f]),
        ("rasort", vec!["-X", "-m", "sttl", "dport", "-r", &g]),
        ("racount", vec!["-X", "-M", "proto", "addr", "-r", &f]),
        ("racount", vec!["-X", "-M", "rmon", "addr", "-r", &g]),
    ];
    for (tool, args) in runs {
        let one = ours(tool, &args, &[("RAYON_NUM_THREADS", "1")]);
        let two = ours(tool, &args, &[("RAYON_NUM_THREADS", "2")]);
        let want = debian(tool, &args, &[]);
        assert!(one.status.success(), "{tool} {args:?}");
        assert!(one.stdout.len() > 100, "{tool} {args:?} printed little");
        assert!(one.stdout == two.stdout, "{tool} {args:?}: 1 and 2 threads differ");
        assert!(one.stdout == want.stdout, "{tool} {args:?}: differs from Debian's");
    }
}

#[test]
fn damaged_archives_keep_what_was_read_and_say_where() {
    let tmp = util::TempDir::new("damaged");
    let synth =
        std::fs::read(util::shared_reference().join("cases/data/synth.argus")).expect("read");
    let cut = tmp.path().join("cut.argus");
    std::fs::write(&cut, &synth[..3000]).expect("write");
    let garbled = tmp.path().join("garbled.argus");
    let mut g = synth[..2000].to_vec();
    g.extend((0..500u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    g.extend(&synth[2500..]);
    std::fs::write(&garbled, &g).expect("write");
    for file in [&cut, &garbled] {
        let f = file.to_string_lossy();
        for (tool, args) in [
            ("rasort", vec!["-X", "-m", "bytes", "-s", "stime", "saddr", "bytes", "-r", &f]),
            ("racount", vec!["-X", "-M", "proto", "addr", "-r", &f]),
        ] {
            let want = debian(tool, &args, &[]);
            let got = ours(tool, &args, &[]);
            assert_eq!(got.status.code(), want.status.code(), "{tool} {f}");
            assert_eq!(
                String::from_utf8_lossy(&got.stdout),
                String::from_utf8_lossy(&want.stdout),
                "{tool} {f}: the records before the damage"
            );
            let err = String::from_utf8_lossy(&got.stderr);
            assert_eq!(err.lines().count(), 1, "{tool} {f}: one error line, got {err}");
            assert!(err.contains(&*f) && err.contains("offset"), "{tool}: {err}");
        }
    }
}
