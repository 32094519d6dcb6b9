//! `-t` time ranges checked against Debian's ra 3.0.8.2 on invented ranges.
//!
//! For each range, the real `ra -t RANGE` prints the records it selects;
//! our `TimeRange` decides over the same records (their times taken from
//! the real ra's own listing), and the two selections must be identical.
//! This checks the range language and the matching rules independently of
//! the rest of the pipeline. Two archives are used: the historical
//! synth.argus, and one Debian's argus builds from a pcap with timestamps
//! around *now*, for the date-less and relative forms.

use std::process::Command;

use argus_tool::client::localtime;
use argus_tool::client::timerange::TimeRange;
use argus_tool::record::Timeval;

/// One record of a listing: its printed line and its time span.
struct Listed {
    line: String,
    start: Timeval,
    last: Timeval,
    mar: Option<bool>,
}

fn tv(text: &str) -> Timeval {
    let (s, us) = text.split_once('.').expect("seconds.micros");
    Timeval::new(s.parse().unwrap(), us.parse().unwrap())
}

/// Debian's ra with a pinned environment.
fn real_ra(args: &[&str]) -> std::process::Output {
    Command::new("/usr/bin/ra")
        .args(args)
        .env_clear()
        .env("TZ", "UTC")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("Debian's ra (package argus-client) is part of the test environment")
}

const COLUMNS: [&str; 6] = ["-s", "stime", "ltime", "state", "proto", "saddr"];

fn listing(archive: &str, extra: &[&str]) -> (Vec<String>, i32) {
    let mut args = vec!["-X", "-M", "man", "-u", "-p", "6", "-L", "-1", "-r", archive];
    args.extend_from_slice(&COLUMNS);
    args.extend_from_slice(extra);
    let out = real_ra(&args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (text.lines().map(str::to_string).collect(), out.status.code().unwrap_or(-1))
}

fn records(archive: &str) -> Vec<Listed> {
    let (lines, _) = listing(archive, &[]);
    lines
        .into_iter()
        .map(|line| {
            let w: Vec<&str> = line.split_whitespace().collect();
            // A MAR prints its "now" as stime and its start as ltime.
            let (start, last, mar) = if w[3] == "man" {
                (tv(w[1]), tv(w[0]), Some(w[2] == "STA"))
            } else {
                (tv(w[0]), tv(w[1]), None)
            };
            Listed { line, start, last, mar }
        })
        .collect()
}

fn ours(range: &TimeRange, recs: &[Listed]) -> Vec<String> {
    recs.iter()
        .filter(|r| match r.mar {
            Some(is_start) => range.matches_mar(r.start, r.last, is_start),
            None => range.matches_flow(r.start, r.last),
        })
        .map(|r| r.line.clone())
        .collect()
}

/// Compares every range; returns the list of disagreements.
fn compare(archive: &str, ranges: &[String], now: i64) -> Vec<String> {
    localtime::set_timezone("UTC");
    let recs = records(archive);
    assert!(recs.len() > 3, "listing of {archive} is empty");
    let mut problems = Vec::new();
    for r in ranges {
        let (theirs, code) = listing(archive, &["-t", r]);
        match TimeRange::parse(r, now) {
            Ok(range) => {
                let mine = ours(&range, &recs);
                if mine != theirs {
                    problems.push(format!("{r}: ra selects {theirs:?}\n   we select {mine:?}"));
                }
            }
            Err(e) => {
                if code != 1 {
                    problems.push(format!("{r}: we reject it ({e}) but ra exits {code}"));
                }
            }
        }
    }
    problems
}

fn synth() -> String {
    crate::util::shared_reference().join("cases/data/synth.argus").to_string_lossy().into_owned()
}

#[test]
fn historical_ranges_select_what_debian_ra_selects() {
    let ranges: Vec<String> = [
        "2021",
        "2020",
        "x2021",
        "x2020",
        "2021/03",
        "2021/03/14",
        "2021/03/15",
        "2020/12/31",
        "x2020/12/31",
        "2021/03/14.09",
        "2021/03/14.09:05",
        "2021/03/14.09:00:01",
        "2021/03/14.09:00-09:06",
        "2021/03/14.09-10",
        "2021/03/14.09-2021/03/14.11",
        "2021/03/14.11:20:00+2m",
        "2021/03/14.11:20-1m",
        "2021/03/14.09:00:00.5-09:00:01",
        "2021/03/14.09:00:01.000001-09:00:02",
        "1615712400",
        "1615712400+1h",
        "1615712400+90m",
        "1615712400-1h",
        "2021y3M14d9h",
        "2021y3M14d9h+30m",
        "2021y3M14d11h20m+5m",
        "c2021/03/14",
        "c2021/03/14.09:00:00-09:00:02",
        "i2021/03/14.09:00:00-09:00:02",
        "n2021/03/14.09:00:02-09:00:03",
        "s2021/03/14.14:00:00-14:00:10",
        "xc2021/03/14.09",
        "xn2021/03/14.14:00:01-14:00:02",
        "2021/03/**.14",
        "2021/03/**.09",
        "2021/**/14",
        "****/03/14.09",
        "2021/03/14.**:00-2021/03/14.**:10",
        "2021/01/01.00:00:00-2021/01/01.00:00:01",
        "2021/03/14.14:00:00-2021/03/14.14:00:10",
        "12/31",
        "03/14.09",
        "2021/03/14.25",
        "2021/3/14",
        "0x10",
        "2021/13",
        "2021/03/14.",
        "2020-2021",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let now = localtime::now().0;
    let problems = compare(&synth(), &ranges, now);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A pcap (Ethernet, IPv4/UDP, one packet per flow) with packets at the
/// given epoch times.
fn pcap_at(times: &[i64]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for (i, &t) in times.iter().enumerate() {
        let payload = b"ping";
        let udp_len = 8 + payload.len();
        let ip_len = 20 + udp_len;
        let mut frame = Vec::new();
        frame.extend_from_slice(&[0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
        frame.extend_from_slice(&[0x00, 0x66, 0x77, 0x88, 0x99, 0xaa]);
        frame.extend_from_slice(&[0x08, 0x00]);
        let mut ip = vec![0x45, 0, (ip_len >> 8) as u8, ip_len as u8, 0, 1, 0, 0, 64, 17, 0, 0];
        ip.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
        let sum = {
            let mut s: u32 = ip.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]]) as u32).sum();
            while s > 0xffff {
                s = (s & 0xffff) + (s >> 16);
            }
            !(s as u16)
        };
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        frame.extend_from_slice(&ip);
        let sport = 20000 + i as u16;
        frame.extend_from_slice(&sport.to_be_bytes());
        frame.extend_from_slice(&7u16.to_be_bytes());
        frame.extend_from_slice(&(udp_len as u16).to_be_bytes());
        frame.extend_from_slice(&[0, 0]);
        frame.extend_from_slice(payload);
        out.extend_from_slice(&(t as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    }
    out
}

#[test]
fn date_less_and_relative_ranges_select_what_debian_ra_selects() {
    let mut now = localtime::now().0;
    if now % 3600 > 3590 {
        // Both programs read the wall clock; keep them in the same hour.
        std::thread::sleep(std::time::Duration::from_secs(15));
        now = localtime::now().0;
    }
    let offsets = [
        -2 * 86400 - 600,
        -86400 - 60,
        -5 * 3600,
        -3 * 3600 - 120,
        -2 * 3600 + 30,
        -3600 - 5,
        -1800,
        -600,
        -120,
        -30,
        -(now % 3600) + 1,
        -(now % 86400) + 2,
    ];
    let mut times: Vec<i64> = offsets.iter().map(|o| now + o).collect();
    times.sort();
    let dir = std::env::temp_dir().join(format!("argus-tool-trange-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("now.pcap");
    let archive = dir.join("now.argus");
    std::fs::write(&pcap, pcap_at(&times)).unwrap();
    let _ = std::fs::remove_file(&archive);
    let status = Command::new("/usr/sbin/argus")
        .args(["-X", "-r"])
        .arg(&pcap)
        .arg("-w")
        .arg(&archive)
        .env("TZ", "UTC")
        .status()
        .expect("Debian's argus (package argus-server) is part of the test environment");
    assert!(status.success());

    localtime::set_timezone("UTC");
    let tm = localtime::localtime(now);
    let (h, mi, d, mo) = (tm.tm_hour, tm.tm_min, tm.tm_mday, tm.tm_mon + 1);
    let yh = (h + 23) % 24;
    let ranges: Vec<String> = vec![
        "-1h".into(),
        "-2h".into(),
        "-3h".into(),
        "-1d".into(),
        "-2d".into(),
        "-10m".into(),
        "-1m".into(),
        "-30s".into(),
        "-1M".into(),
        "-1y".into(),
        format!("{h}"),
        format!("{h:02}"),
        format!("{h}:00-{h}:{mi:02}"),
        format!("{yh}-{h}"),
        format!("{h}:{mi:02}"),
        format!("{d:02}.{h:02}"),
        format!("{mo:02}/{d:02}"),
        format!("{mo:02}/{d:02}.{yh:02}-{h:02}"),
        format!("*h{mi}m"),
        format!("{d}d*h"),
        format!("{h}h*m"),
        format!("x{h}"),
        format!("c{h}:00-{h}:59"),
        "0-23:59:59".into(),
        "0".into(),
    ];
    let problems = compare(&archive.to_string_lossy(), &ranges, now);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
