//! `ra` through its argv[0] link, compared with Debian's ra 3.0.8.2 run with
//! the same arguments and environment: usage, errors and exit statuses,
//! rc files, `-N`, `-A`, stdin, several inputs, and `-w` (what we write,
//! Debian's ra must read back as it reads the original).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util;

fn data(name: &str) -> String {
    util::shared_reference().join("cases/data").join(name).to_string_lossy().into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("argus-tool-ra-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A pinned environment for both programs: TZ=UTC, LANG=C, an empty HOME
/// unless `home` is given, extra variables from `env`.
fn pinned(cmd: &mut Command, home: Option<&Path>, env: &[(&str, &str)]) {
    let empty = std::env::temp_dir().join("argus-tool-empty-home");
    let _ = std::fs::create_dir_all(&empty);
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home.unwrap_or(&empty))
        .env("TZ", "UTC")
        .env("LANG", "C")
        .env("LC_ALL", "C");
    for (k, v) in env {
        cmd.env(k, v);
    }
}

fn ours(args: &[&str], home: Option<&Path>, env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(util::link_dir().join("ra"));
    cmd.args(args);
    pinned(&mut cmd, home, env);
    cmd.stdin(stdin.map_or(Stdio::null(), |f| std::fs::File::open(f).unwrap().into()));
    cmd.output().unwrap()
}

fn debian(args: &[&str], home: Option<&Path>, env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new("/usr/bin/ra");
    cmd.args(args);
    pinned(&mut cmd, home, env);
    cmd.stdin(stdin.map_or(Stdio::null(), |f| std::fs::File::open(f).unwrap().into()));
    cmd.output().expect("Debian's ra (package argus-client) is part of the test environment")
}

/// `prog[PID]: HH:MM:SS.ffffff msg` -> `prog: msg`.
fn unstamped(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(|l| match (l.find('['), l.find("]: ")) {
            (Some(a), Some(b)) if a < b => {
                let rest = &l[b + 3..];
                let msg = rest.split_once(' ').map_or(rest, |(_, m)| m);
                format!("{}: {}", &l[..a], msg)
            }
            _ => l.to_string(),
        })
        .map(|l| l + "\n")
        .collect()
}

/// Our ra and Debian's print the same, end the same, and say the same on
/// stderr (when `stderr` is true).
fn same(
    args: &[&str],
    home: Option<&Path>,
    env: &[(&str, &str)],
    stdin: Option<&str>,
    stderr: bool,
) {
    let a = ours(args, home, env, stdin);
    let b = debian(args, home, env, stdin);
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout),
        "stdout of ra {args:?}"
    );
    assert_eq!(a.status.code(), b.status.code(), "exit status of ra {args:?}");
    if stderr {
        assert_eq!(unstamped(&a.stderr), unstamped(&b.stderr), "stderr of ra {args:?}");
    }
}

#[test]
fn usage_on_help_and_bad_options_is_debians_text_on_stdout_with_status_1() {
    for args in [&["-h"][..], &["-K"], &["-X", "-r"], &["--help"], &["-X", "-N", "x"]] {
        same(args, None, &[], None, true);
        let out = ours(args, None, &[], None);
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with("Ra Version 3.0.8.2\nusage: ra \n")
        );
    }
}

#[test]
fn errors_and_exit_statuses() {
    let synth = data("synth.argus");
    let empty = scratch("empty.argus");
    std::fs::write(&empty, b"").unwrap();
    let empty = empty.to_string_lossy().into_owned();
    // a missing input: named, the others still read, exit 2
    same(&["-X", "-r", "nope", &synth, "-s", "stime"], None, &[], None, true);
    same(&["-X", "-r", &synth, "nope", "-N", "3"], None, &[], None, true);
    // nothing read: 1; something matched: 0; no match: 1
    same(&["-X", "-r", &empty], None, &[], None, true);
    same(&["-X", "-r", &synth, "-q", "-", "tcp"], None, &[], None, true);
    same(&["-X", "-r", &synth, "-", "host", "1.2.3.4"], None, &[], None, true);
    same(&["-X", "-r", &synth, "-N", "0"], None, &[], None, true);
    // bad time range, bad filter
    same(&["-X", "-r", &synth, "-t", "2021/3/14"], None, &[], None, true);
    same(&["-X", "-r", &synth, "-", "tcp", "and"], None, &[], None, false);
}

#[test]
fn input_limits_summaries_stdin_and_several_inputs() {
    let synth = data("synth.argus");
    let lo1 = data("lo1.argus");
    let live1 = data("live1.argus");
    for n in ["1", "7", "5-8", "3+4", "i6", "o4", "o2-5", "o3+2", "45", "0"] {
        same(&["-X", "-r", &synth, "-N", n, "-s", "stime", "saddr"], None, &[], None, false);
    }
    // -N counts each input's connection: across two inputs
    for n in ["31", "32", "33", "30-31", "29-35"] {
        same(&["-X", "-r", &lo1, &lo1, "-N", n, "-s", "stime", "dport"], None, &[], None, false);
    }
    same(&["-X", "-r", &synth, "-A", "-q"], None, &[], None, false);
    same(&["-X", "-r", &lo1, &lo1, "-A", "-s", "stime", "-N", "10"], None, &[], None, false);
    same(&["-X", "-r", &synth, &live1, "-A", "-q", "-", "udp"], None, &[], None, false);
    same(&["-X", "-r", "-", "-s", "stime", "proto"], None, &[], Some(&synth), false);
    same(&["-X", "-s", "stime", "proto", "-N", "4"], None, &[], Some(&synth), false);
    same(
        &["-X", "-M", "man", "-r", &synth, &lo1, "-s", "stime", "proto", "state"],
        None,
        &[],
        None,
        false,
    );
    same(&["-X", "-r", &data("synth.argus.gz"), "-s", "stime", "proto"], None, &[], None, false);
}

#[test]
fn rc_files_from_home_argushome_arguspath_and_f() {
    let synth = data("synth.argus");
    let home = scratch("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".rarc"),
        "# a user rc\nRA_FIELD_SPECIFIER=\"stime proto saddr dport\"\nRA_PRINT_LABELS=-1\n\
         RA_USEC_PRECISION=2\nRA_PRINT_NAMES=proto\n",
    )
    .unwrap();
    // read from $HOME, ignored with -X (any argument containing -X)
    same(&["-r", &synth, "-N", "4"], Some(&home), &[], None, false);
    same(&["-r", &synth, "-N", "4", "-X"], Some(&home), &[], None, false);
    // $ARGUSPATH takes precedence over $HOME
    let other = scratch("argpath");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join(".rarc"), "RA_FIELD_DELIMITER=','\nRA_PRINT_MAN_RECORDS=yes\n")
        .unwrap();
    let path = format!("/nonexistent:{}", other.display());
    same(&["-r", &synth, "-N", "4"], Some(&home), &[("ARGUSPATH", &path)], None, false);
    // -F at its position: later options win
    let rc = scratch("f.rc");
    std::fs::write(&rc, "RA_FIELD_SPECIFIER=\"stime dur\"\nRA_TIME_FORMAT=\"%Y/%m/%d %T.%f\"\n")
        .unwrap();
    let rc = rc.to_string_lossy().into_owned();
    same(&["-X", "-F", &rc, "-r", &synth, "-N", "3"], None, &[], None, false);
    same(&["-X", "-r", &synth, "-N", "3", "-F", &rc, "-s", "+proto"], None, &[], None, false);
    // errors in rc files are fatal, with ra's wording
    let bad = scratch("bad.rc");
    std::fs::write(&bad, "RA_PRINT_LABELS=0\nRA_NO_SUCH=1\n").unwrap();
    same(&["-X", "-F", &bad.to_string_lossy(), "-r", &synth], None, &[], None, true);
    std::fs::write(&bad, "RADIUM_DAEMON=no\n").unwrap();
    same(&["-X", "-F", &bad.to_string_lossy(), "-r", &synth], None, &[], None, true);
    same(&["-X", "-F", "/nonexistent.rc", "-r", &synth], None, &[], None, true);
}

#[test]
fn options_after_the_filter_and_lists_of_words() {
    let synth = data("synth.argus");
    same(
        &["-X", "-r", &synth, "-", "udp", "-s", "stime", "sport", "-N", "4"],
        None,
        &[],
        None,
        false,
    );
    same(&["-X", "-s", "stime", "dport", "-r", &synth, "-n", "-", "tcp"], None, &[], None, false);
    same(&["-X", "-r", &synth, "-s", "+1dur,-flgs", "-N", "3"], None, &[], None, false);
    same(
        &["-X", "-r", &synth, "-t", "2021/03/14.09", "-", "2021/03/14.10", "-s", "stime"],
        None,
        &[],
        None,
        false,
    );
    same(
        &["-X", "-r", &synth, "-t", "2021/03/14.09", "-", "tcp", "-s", "stime"],
        None,
        &[],
        None,
        false,
    );
}

type Runner = fn(&[&str], Option<&Path>, &[(&str, &str)], Option<&str>) -> Output;

fn print_all(file: &str) -> String {
    let cols = ["-s", "stime", "ltime", "flgs", "proto", "saddr", "sport", "dir", "daddr", "dport"];
    let more = ["spkts", "dpkts", "sbytes", "dbytes", "state", "suser", "duser", "smac", "sttl"];
    let mut args = vec!["-X", "-M", "man", "-r", file];
    args.extend(cols);
    args.extend(more);
    String::from_utf8_lossy(&debian(&args, None, &[], None).stdout).into_owned()
}

#[test]
fn what_ra_w_writes_debians_ra_reads_back_as_the_original() {
    for name in ["synth.argus", "synthfull.argus", "live1.argus", "lo1.argus"] {
        let input = data(name);
        let out = scratch(&format!("w-{name}"));
        let _ = std::fs::remove_file(&out);
        let o = ours(&["-X", "-r", &input, "-w", &out.to_string_lossy()], None, &[], None);
        assert_eq!(o.status.code(), Some(0));
        assert!(o.stdout.is_empty(), "ra -w printed something");
        // unchanged records pass through: the file is the input
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&input).unwrap(), "{name}");
        assert_eq!(print_all(&out.to_string_lossy()), print_all(&input), "{name}");
    }
}

#[test]
fn ra_w_appends_like_debians_ra() {
    let synth = data("synth.argus");
    for (label, filter) in [("all", None), ("icmp", Some("icmp")), ("write-filter", None)] {
        let a = scratch(&format!("append-ours-{label}"));
        let b = scratch(&format!("append-debian-{label}"));
        for f in [&a, &b] {
            let _ = std::fs::remove_file(f);
        }
        for _ in 0..2 {
            for (f, run) in [(&a, ours as Runner), (&b, debian as Runner)] {
                let fs = f.to_string_lossy().into_owned();
                let mut args = vec!["-X", "-r", synth.as_str(), "-w", fs.as_str()];
                if label == "write-filter" {
                    args.push("udp");
                }
                if let Some(flt) = filter {
                    args.extend(["-", flt]);
                }
                run(&args, None, &[], None);
            }
        }
        let (pa, pb) = (print_all(&a.to_string_lossy()), print_all(&b.to_string_lossy()));
        assert!(pa.lines().count() > 4, "{label}: nothing written");
        assert_eq!(pa, pb, "{label}: Debian's ra reads our appended file differently");
        let summary = |f: &Path| {
            String::from_utf8_lossy(
                &debian(&["-X", "-A", "-q", "-r", &f.to_string_lossy()], None, &[], None).stdout,
            )
            .into_owned()
        };
        assert_eq!(summary(&a), summary(&b), "{label}: record counts differ");
    }
    // nothing selected: no file is created
    let none = scratch("append-none");
    let _ = std::fs::remove_file(&none);
    let o = ours(
        &["-X", "-r", &synth, "-w", &none.to_string_lossy(), "-", "host", "1.2.3.4"],
        None,
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(!none.exists());
}

#[test]
fn ra_w_to_stdout_feeds_another_ra() {
    let synth = data("synth.argus");
    let piped = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ra -X -r {synth} -w - - udp | ra -X -r - -s stime proto saddr sport daddr dport"
        ))
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", util::link_dir().display()))
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let direct = debian(
        &[
            "-X", "-r", &synth, "-s", "stime", "proto", "saddr", "sport", "daddr", "dport", "-",
            "udp",
        ],
        None,
        &[],
        None,
    );
    assert_eq!(String::from_utf8_lossy(&piped.stdout), String::from_utf8_lossy(&direct.stdout));
}

#[test]
fn directory_trees_are_read_in_name_order() {
    let root = scratch("tree");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("b/c")).unwrap();
    std::fs::create_dir_all(root.join(".hidden")).unwrap();
    std::fs::copy(data("lo1.argus"), root.join("b/c/one.argus")).unwrap();
    std::fs::copy(data("synth.argus"), root.join("a.argus")).unwrap();
    std::fs::copy(data("live1.argus"), root.join(".hidden/x.argus")).unwrap();
    let dir = root.to_string_lossy().into_owned();
    same(&["-X", "-R", &dir, "-s", "stime", "proto", "saddr"], None, &[], None, false);
    let lo1 = data("lo1.argus");
    same(&["-X", "-r", &lo1, "-R", &dir, "-A", "-q"], None, &[], None, false);
}

#[test]
fn a_remote_argus_is_read_with_s_and_the_filter_applies() {
    use std::net::{TcpListener, TcpStream};
    use std::time::{Duration, Instant};
    let pcap = util::shared_reference().join("vectors/pcap/status.pcap");
    let file = scratch("remote.argus");
    let _ = std::fs::remove_file(&file);
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut argus = Command::new("/usr/sbin/argus")
        .args(["-X", "-r"])
        .arg(&pcap)
        .args(["-P", &port.to_string(), "-T", "1", "-w"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Debian's argus (argus-server) is part of the test environment");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "argus did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let server = format!("127.0.0.1:{port}");
    let mut cmd = Command::new(util::link_dir().join("ra"));
    cmd.args([
        "-X", "-S", &server, "-s", "stime", "proto", "saddr", "sport", "daddr", "dport", "pkts",
    ]);
    cmd.args(["-", "udp", "and", "src", "pkts", "gt", "5"]);
    pinned(&mut cmd, None, &[]);
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).spawn().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let got = rx.recv_timeout(Duration::from_secs(60)).expect("ra -S ended").unwrap();
    let _ = argus.wait();
    let cols = ["-s", "stime", "proto", "saddr", "sport", "daddr", "dport", "pkts", "-", "udp"];
    let cols: Vec<&str> = cols.into_iter().chain(["and", "src", "pkts", "gt", "5"]).collect();
    let mut args = vec!["-X", "-r"];
    let f = file.to_string_lossy().into_owned();
    args.push(&f);
    args.extend(cols);
    let want = debian(&args, None, &[], None);
    assert!(String::from_utf8_lossy(&want.stdout).lines().count() > 1);
    assert_eq!(String::from_utf8_lossy(&got.stdout), String::from_utf8_lossy(&want.stdout));
    assert_eq!(got.status.code(), Some(0));
}

#[test]
fn e_greps_user_data_like_debians_ra() {
    let full = data("synthfull.argus");
    let cols = ["-s", "stime", "proto", "saddr", "daddr", "suser", "duser"];
    for pat in ["GET", "s:GET", "d:HTTP/1\\.1 [0-9]+", "tick[0-9]", "nothing-like-this"] {
        let mut args = vec!["-X", "-r", full.as_str(), "-e", pat];
        args.extend(cols);
        same(&args, None, &[], None, false);
    }
    let mut args = vec!["-X", "-r", full.as_str(), "-e", "get", "-i"];
    args.extend(cols);
    same(&args, None, &[], None, false);
}
