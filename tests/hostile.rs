//! Hostile input through the real binary: damaged, truncated and garbage
//! archives through every client role, every edge-case capture (the
//! tcpdump crash corpus included) through `argus -r X -w out`, and the
//! fuzzers' regression inputs and a seeded mutation run through the fuzz
//! entry points (`argus_tool::fuzzing`).
//!
//! What is asserted of every run: no panic (no "panicked" in stderr, no
//! exit 101), no death by a signal, no hang (each run is killed after
//! [`RUN_TIMEOUT`]). Of the roles in [`READY_ROLES`], also: damage is
//! reported on one line naming the file (and the byte offset once the file
//! is long enough to be an argus stream), the exit status is Debian's for
//! the same file, and every record before the damage is still printed.
//!
//! Variants are made from the reference archives with a fixed seed, so a
//! failure names a file that the next run makes again the same way.

use crate::util;
use argus_tool::codec::Records;
use argus_tool::fuzzing::XorShift;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The client roles whose whole contract is asserted (error line, exit
/// status as Debian's, records before the damage). A role listed in
/// `argv0-links` but not here is only checked for panics, signals and
/// hangs, and `ready_roles_list_is_current` fails once it is implemented,
/// so whoever merges it adds it here. A role here that answers "not
/// implemented yet" fails the suite.
const READY_ROLES: &[&str] = &["ra", "rasort", "racount", "ramon", "raxml"];

/// Longest any single run may take (the inputs are small; a hang is a bug).
const RUN_TIMEOUT: Duration = Duration::from_secs(20);

/// How long Debian's tools get: 3.0.8.2 hangs on some damaged files (an
/// initial MAR cut short), and then there is nothing to compare with.
const DEBIAN_TIMEOUT: Duration = Duration::from_secs(3);

/// Seed of every random choice here.
const SEED: u64 = 0x5eed_a7c5_0000_0001;

/// The size of the stream-opening management record.
const INITIAL_MAR: usize = 128;

struct Outcome {
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: String,
    elapsed: Duration,
}

impl Outcome {
    fn timed_out(&self) -> bool {
        self.status.is_none()
    }

    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// stderr without the `prog[PID]: HH:MM:SS.ffffff ` stamps.
    fn messages(&self) -> Vec<String> {
        util::without_diag_stamps(self.stderr.as_bytes()).lines().map(String::from).collect()
    }
}

/// Runs `cmd` with stdout and stderr in files (no pipe can fill up), killing
/// it after `timeout`.
fn run_limited(cmd: &mut Command, scratch: &Path, timeout: Duration) -> Outcome {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let (out_path, err_path) =
        (scratch.join(format!("run{n}.out")), scratch.join(format!("run{n}.err")));
    let out = std::fs::File::create(&out_path).expect("stdout file");
    let err = std::fs::File::create(&err_path).expect("stderr file");
    let start = Instant::now();
    let mut child =
        cmd.stdin(Stdio::null()).stdout(out).stderr(err).spawn().expect("spawn the command");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = start.elapsed();
    let stdout = std::fs::read(&out_path).unwrap_or_default();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into();
    let _ = std::fs::remove_file(out_path);
    let _ = std::fs::remove_file(err_path);
    Outcome { status, stdout, stderr, elapsed }
}

/// The robustness floor every run must clear, whatever the role.
fn assert_survived(o: &Outcome, what: &str) -> Result<(), String> {
    if o.timed_out() {
        return Err(format!("{what}: still running after {:?}", o.elapsed));
    }
    let status = o.status.expect("finished");
    match status.code() {
        None => Err(format!("{what}: killed by a signal ({status})\n{}", o.stderr)),
        Some(101) => Err(format!("{what}: exit 101 (a panic)\n{}", o.stderr)),
        Some(_) if o.stderr.contains("panicked") => Err(format!("{what}: panicked\n{}", o.stderr)),
        Some(_) => Ok(()),
    }
}

/// Runs `jobs` on two worker threads (the machine's cores), collecting
/// every failure instead of stopping at the first.
fn run_parallel<T: Sync>(jobs: &[T], work: impl Fn(&T) -> Vec<String> + Sync) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let f = work(job);
                    failures.lock().unwrap().extend(f);
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

fn report(failures: Vec<String>, runs: usize) {
    assert!(
        failures.is_empty(),
        "{} of {runs} runs failed:\n{}",
        failures.len(),
        failures.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// The fuzzers' xorshift64 with a fixed seed: the same variants on every
/// machine.
struct Rng(XorShift);

impl Rng {
    fn new(salt: u64) -> Rng {
        Rng(XorShift::new(SEED ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
    }

    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn salt_of(name: &str) -> u64 {
    name.bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

// ---------------------------------------------------------------- archives

/// Every reference archive Debian's argus wrote.
fn reference_archives() -> Vec<PathBuf> {
    let r = util::shared_reference();
    let mut v = Vec::new();
    for dir in [r.join("vectors/argus"), r.join("pcaps/argus-ref")] {
        for e in std::fs::read_dir(&dir).expect("reference archive folder") {
            let p = e.expect("dir entry").path();
            if p.extension().is_some_and(|x| x == "argus") {
                v.push(p);
            }
        }
    }
    v.sort();
    assert!(v.len() >= 60, "expected the 63 reference archives, found {}", v.len());
    v
}

/// How a variant was damaged, for the checks that depend on it.
#[derive(Clone, Debug)]
enum Damage {
    /// Cut after `cut` bytes; `complete` records (initial MAR included) of
    /// the original end at or before the cut; `boundary` is where the last
    /// of them ends, `incomplete` where the cut record starts (None when the
    /// cut falls on a record boundary).
    Truncated { cut: usize, complete: usize, boundary: usize, incomplete: Option<usize> },
    /// Bits flipped; `intact` records end before the first flipped byte.
    Flipped { first: usize, intact: usize },
    /// Random bytes appended to the whole archive.
    Appended { records: usize },
}

struct Variant {
    original: PathBuf,
    path: PathBuf,
    damage: Damage,
}

/// The cut points, flips and appended garbage for one archive: cuts in the
/// initial MAR (mid-header, mid-cookie, mid-body), mid-header and mid-body
/// of a record, on a record boundary, one byte short of the end.
fn variants_of(original: &Path, out: &Path) -> Vec<Variant> {
    let data = std::fs::read(original).expect("read archive");
    let ends: Vec<(usize, usize)> = Records::new(&data)
        .map(|r| (r.offset as usize, r.offset as usize + r.bytes.len()))
        .collect();
    let stem = original.file_stem().unwrap().to_string_lossy().to_string();
    let mut rng = Rng::new(salt_of(&stem));
    let mut cuts = vec![2, 10, 64];
    if let Some(&(start, end)) = ends.get(ends.len() / 2).filter(|_| ends.len() > 1) {
        cuts.extend([start + 2, start + (end - start) / 2, start]);
    }
    if data.len() > INITIAL_MAR {
        cuts.push(data.len() - 1);
    }
    cuts.retain(|&c| c < data.len());
    cuts.sort_unstable();
    cuts.dedup();
    let mut out_variants = Vec::new();
    let mut write = |name: String, bytes: &[u8], damage: Damage| {
        let path = out.join(format!("{stem}.{name}.argus"));
        std::fs::write(&path, bytes).expect("write variant");
        out_variants.push(Variant { original: original.to_path_buf(), path, damage });
    };
    for cut in cuts {
        let complete = ends.iter().filter(|&&(_, e)| e <= cut).count();
        let boundary = ends.iter().map(|&(_, e)| e).filter(|&e| e <= cut).max().unwrap_or(0);
        let incomplete = ends.iter().find(|&&(s, e)| s < cut && e > cut).map(|&(s, _)| s);
        write(
            format!("cut{cut}"),
            &data[..cut],
            Damage::Truncated { cut, complete, boundary, incomplete },
        );
    }
    for k in 0..2 {
        let mut d = data.clone();
        let mut first = usize::MAX;
        for _ in 0..1 + rng.below(8) {
            let i = rng.below(d.len());
            d[i] ^= 1 << rng.below(8);
            first = first.min(i);
        }
        let intact = ends.iter().filter(|&&(_, e)| e <= first).count();
        write(format!("flip{k}"), &d, Damage::Flipped { first, intact });
    }
    let mut d = data.clone();
    let n = 1 + rng.below(600);
    d.extend(rng.bytes(n));
    write("tail".into(), &d, Damage::Appended { records: ends.len() });
    out_variants
}

/// The default printout with MARs, one line per record and no title:
/// what the prefix checks compare.
const RA_LINES: &[&str] = &["-X", "-M", "man", "-n", "-u", "-L", "-1", "-c", ",", "-r"];

fn lines(b: &[u8]) -> Vec<&[u8]> {
    b.split(|&c| c == b'\n').filter(|l| !l.is_empty()).collect()
}

/// ra's contract on one damaged file: `full` is ra's output on the whole
/// original, `debian` Debian ra's outcome on the damaged file (None when it
/// hung or crashed: no oracle).
fn check_ra(v: &Variant, o: &Outcome, full: &[u8], debian: Option<&Outcome>) -> Vec<String> {
    let mut f = Vec::new();
    let what = format!("ra {}", v.path.display());
    let name = v.path.display().to_string();
    let msgs = o.messages();
    if let Some(d) = debian {
        if d.code() != o.code() {
            f.push(format!(
                "{what}: exit {:?}, Debian ra {:?} ({:?})",
                o.code(),
                d.code(),
                v.damage
            ));
        }
    }
    if msgs.iter().any(|m| !m.contains(&name)) {
        f.push(format!("{what}: a message does not name the file: {msgs:?}"));
    }
    if msgs.len() > 1 {
        f.push(format!("{what}: more than one line of error: {msgs:?}"));
    }
    if msgs.iter().any(|m| m.contains("not implemented")) {
        f.push(format!("{what}: {msgs:?}"));
    }
    let got = lines(&o.stdout);
    let full = lines(full);
    let prefix_of_full = |n: usize, f: &mut Vec<String>| {
        if got.len() != n {
            f.push(format!(
                "{what}: {} records printed, {n} complete before the damage",
                got.len()
            ));
        } else if full.get(..n) != Some(&got[..]) {
            f.push(format!("{what}: the records before the damage print differently"));
        }
    };
    match &v.damage {
        Damage::Truncated { cut, complete, boundary, incomplete } => {
            // ra prints every complete record before the cut, alike.
            if *cut >= INITIAL_MAR {
                prefix_of_full(*complete, &mut f);
            } else if !got.is_empty() {
                f.push(format!("{what}: printed records from a cut initial MAR"));
            }
            // One line naming the offset once the stream is recognisable
            // (the cookie is at 8..12: shorter files are "not argus").
            match incomplete {
                Some(start) if *cut >= 16 => {
                    let ok = msgs.len() == 1
                        && [*start, *cut]
                            .iter()
                            .any(|n| msgs[0].contains(&format!("byte offset {n}")));
                    if !ok {
                        f.push(format!(
                            "{what}: expected one line naming byte offset {start} or {cut}: {msgs:?}"
                        ));
                    }
                }
                Some(_) => {}
                None if *cut == *boundary && *cut >= INITIAL_MAR && !msgs.is_empty() => {
                    f.push(format!("{what}: a cut on a record boundary is a clean end: {msgs:?}"))
                }
                None => {}
            }
            // 3.0.8.2 hangs on a cut initial MAR; we exit 1.
            if debian.is_none() && (16..INITIAL_MAR).contains(cut) && o.code() != Some(1) {
                f.push(format!("{what}: a cut initial MAR must exit 1, got {:?}", o.code()));
            }
        }
        Damage::Flipped { intact, first } => {
            // Whatever a flip did, the records before it print as before.
            if got.len() < *intact || full.get(..*intact) != got.get(..*intact) {
                f.push(format!(
                    "{what}: the {intact} records before the flip at byte {first} changed"
                ));
            }
        }
        Damage::Appended { records } => {
            if got.len() < *records || full.get(..*records) != got.get(..*records) {
                f.push(format!("{what}: the {records} records before the garbage changed"));
            }
        }
    }
    f
}

/// Other ready roles: one line naming the file, Debian's exit status (its
/// tool of that name where installed, else Debian ra's), no "not
/// implemented yet".
fn check_other_ready(role: &str, v: &Variant, o: &Outcome, scratch: &Path) -> Vec<String> {
    let mut f = Vec::new();
    let what = format!("{role} {}", v.path.display());
    let msgs = o.messages();
    let name = v.path.display().to_string();
    if msgs.iter().any(|m| m.contains("not implemented")) {
        f.push(format!("{what}: {msgs:?}"));
    }
    if msgs.iter().any(|m| !m.contains(&name)) || msgs.len() > 1 {
        f.push(format!("{what}: expected at most one line naming the file: {msgs:?}"));
    }
    if known_debian_hang(&v.damage) {
        if o.code() != Some(1) {
            f.push(format!("{what}: a cut initial MAR must exit 1, got {:?}", o.code()));
        }
        return f;
    }
    let debian = Path::new("/usr/bin").join(role);
    let debian = if debian.exists() { debian } else { PathBuf::from("/usr/bin/ra") };
    let d = run_limited(
        util::pinned(&debian).arg("-X").arg("-r").arg(&v.path),
        scratch,
        DEBIAN_TIMEOUT,
    );
    if d.code().is_some() && d.code() != o.code() {
        f.push(format!("{what}: exit {:?}, {} {:?}", o.code(), debian.display(), d.code()));
    }
    f
}

/// 3.0.8.2's clients hang on an initial MAR cut short (past the cookie):
/// there is nothing to ask them, and we exit 1.
fn known_debian_hang(d: &Damage) -> bool {
    matches!(d, Damage::Truncated { cut, .. } if (16..INITIAL_MAR).contains(cut))
}

/// The client roles of `argv0-links`.
fn client_roles() -> Vec<String> {
    util::roles().into_iter().filter(|r| r != "argus").collect()
}

/// Roles other than ra run a fixed-seed quarter of the variants, so the
/// suite stays quick as roles are added.
fn sampled(role: &str, i: usize) -> bool {
    role == "ra" || Rng::new(salt_of(role) ^ i as u64).below(4) == 0
}

#[test]
fn damaged_archives_through_every_client_role() {
    let dir = util::TempDir::new("hostile-archives");
    let scratch = dir.path();
    let mut variants = Vec::new();
    for a in reference_archives() {
        variants.extend(variants_of(&a, scratch));
    }
    let roles = client_roles();
    assert!(roles.iter().any(|r| r == "ra"), "argv0-links lists ra");
    let jobs: Vec<(usize, &Variant)> = variants.iter().enumerate().collect();
    let runs = AtomicUsize::new(0);
    let failures = run_parallel(&jobs, |&(i, v)| {
        let mut f = Vec::new();
        for role in &roles {
            if !sampled(role, i) {
                continue;
            }
            runs.fetch_add(1, Ordering::Relaxed);
            let what = format!("{role} {}", v.path.display());
            let args: &[&str] = if role == "ra" { RA_LINES } else { &["-X", "-r"] };
            let o = run_limited(util::role(role).args(args).arg(&v.path), scratch, RUN_TIMEOUT);
            if let Err(e) = assert_survived(&o, &what) {
                f.push(e);
                continue;
            }
            if !READY_ROLES.contains(&role.as_str()) {
                continue;
            }
            if role == "ra" {
                let full = run_limited(
                    util::role("ra").args(RA_LINES).arg(&v.original),
                    scratch,
                    RUN_TIMEOUT,
                );
                let debian = (!known_debian_hang(&v.damage))
                    .then(|| {
                        run_limited(
                            util::pinned(Path::new("/usr/bin/ra")).args(RA_LINES).arg(&v.path),
                            scratch,
                            DEBIAN_TIMEOUT,
                        )
                    })
                    .filter(|d| d.code().is_some());
                f.extend(check_ra(v, &o, &full.stdout, debian.as_ref()));
            } else {
                f.extend(check_other_ready(role, v, &o, scratch));
            }
        }
        f
    });
    report(failures, runs.into_inner());
}

/// Hand-made garbage: what a wrong file, a half-written download or a
/// disk error gives. Each must end in a one-line error naming the file
/// (or silently, where Debian ra is silent too) with Debian's status.
#[test]
fn garbage_inputs_through_every_client_role() {
    let dir = util::TempDir::new("hostile-garbage");
    let scratch = dir.path();
    let mut rng = Rng::new(7);
    let good = std::fs::read(util::shared_reference().join("vectors/argus/tcp4.argus")).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("one-byte", vec![0x83]),
        ("random-4k", rng.bytes(4096)),
        ("zeros-4k", vec![0; 4096]),
        ("ones-4k", vec![0xff; 4096]),
        ("text", b"this is not an argus file\n".repeat(40)),
        ("mar-then-random", [&good[..INITIAL_MAR], &rng.bytes(2048)[..]].concat()),
        ("mar-then-zeros", [&good[..INITIAL_MAR], &[0u8; 512][..]].concat()),
        // A record header claiming 0xffff words (256 KiB) in a small file.
        (
            "mar-then-huge-len",
            [&good[..INITIAL_MAR], &[0x10, 0x02, 0xff, 0xff][..], &[0; 64][..]].concat(),
        ),
        ("gzip-magic", [&[0x1f, 0x8b, 8, 0][..], &rng.bytes(512)[..]].concat()),
        ("bzip2-magic", [&b"BZh9"[..], &rng.bytes(512)[..]].concat()),
        ("compress-magic", [&[0x1f, 0x9d, 0x90][..], &rng.bytes(512)[..]].concat()),
        ("zstd-magic", [&[0x28, 0xb5, 0x2f, 0xfd][..], &rng.bytes(512)[..]].concat()),
        ("xz-magic", [&[0xfd, b'7', b'z', b'X', b'Z', 0][..], &rng.bytes(64)[..]].concat()),
        (
            "pcap-not-argus",
            std::fs::read(util::shared_reference().join("vectors/pcap/udp4.pcap"))
                .unwrap_or_else(|_| vec![0xd4, 0xc3, 0xb2, 0xa1]),
        ),
    ];
    cases.push(("cookie-then-cut", good[..100].to_vec()));
    // A compressed archive cut short: what was decompressed still prints.
    let mut gz = Vec::new();
    {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::default());
        e.write_all(
            &std::fs::read(util::shared_reference().join("pcaps/argus-ref/ndpi-synscan.argus"))
                .unwrap(),
        )
        .unwrap();
        e.finish().unwrap();
    }
    cases.push(("gzip-cut", gz[..gz.len() / 2].to_vec()));
    let mut jobs = Vec::new();
    for (name, bytes) in &cases {
        let p = scratch.join(format!("{name}.argus"));
        std::fs::write(&p, bytes).unwrap();
        jobs.push((*name, p));
    }
    jobs.push(("directory", scratch.to_path_buf()));
    jobs.push(("missing", scratch.join("no-such-file.argus")));
    let roles = client_roles();
    let failures = run_parallel(&jobs, |(name, p)| {
        let mut f = Vec::new();
        for role in &roles {
            let what = format!("{role} {name}");
            let o = run_limited(util::role(role).arg("-X").arg("-r").arg(p), scratch, RUN_TIMEOUT);
            if let Err(e) = assert_survived(&o, &what) {
                f.push(e);
                continue;
            }
            if !READY_ROLES.contains(&role.as_str()) {
                continue;
            }
            let msgs = o.messages();
            let shown = p.display().to_string();
            if msgs.len() > 1 || msgs.iter().any(|m| !m.contains(&shown)) {
                f.push(format!("{what}: expected at most one line naming {shown}: {msgs:?}"));
            }
            if msgs.iter().any(|m| m.contains("not implemented")) {
                f.push(format!("{what}: {msgs:?}"));
            }
            let debian = Path::new("/usr/bin").join(role);
            let debian = if debian.exists() { debian } else { PathBuf::from("/usr/bin/ra") };
            let d = run_limited(
                util::pinned(&debian).arg("-X").arg("-r").arg(p),
                scratch,
                DEBIAN_TIMEOUT,
            );
            // 3.0.8.2 hangs on a cookie in a file shorter than a MAR: we exit 1.
            let expected = d.code().unwrap_or(1);
            if o.code() != Some(expected) {
                f.push(format!(
                    "{what}: exit {:?}, expected {expected} (Debian {:?})",
                    o.code(),
                    d.code()
                ));
            }
        }
        f
    });
    report(failures, jobs.len() * roles.len());
}

/// The roles list above is the lead's to update at merge time: a linked
/// role that works must be in it, so its contract is asserted.
#[test]
fn ready_roles_list_is_current() {
    let dir = util::TempDir::new("hostile-roles");
    let archive = util::shared_reference().join("vectors/argus/tcp4.argus");
    let linked = client_roles();
    for r in READY_ROLES {
        assert!(linked.iter().any(|l| l == r), "{r} is in READY_ROLES but not in argv0-links");
    }
    for role in linked.iter().filter(|r| !READY_ROLES.contains(&r.as_str())) {
        let o = run_limited(
            util::role(role).arg("-X").arg("-r").arg(&archive),
            dir.path(),
            RUN_TIMEOUT,
        );
        assert!(
            o.stderr.contains("not implemented yet"),
            "{role} works now: add it to READY_ROLES in tests/hostile.rs so damaged input \
             through it is checked in full (stderr: {})",
            o.stderr
        );
    }
}

// ---------------------------------------------------------------- captures

/// Every capture of `pcaps/edge`, and the 667 captures of tcpdump's test
/// suite (many deliberately malformed), through `argus -r X -w out`: no
/// panic, signal or hang, exit 0 or 1, and what was written is a whole
/// argus stream.
#[test]
fn argus_survives_every_edge_capture() {
    let dir = util::TempDir::new("hostile-captures");
    let scratch = dir.path();
    let edge = util::shared_reference().join("pcaps/edge");
    let mut captures = Vec::new();
    for e in std::fs::read_dir(&edge).expect("pcaps/edge") {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".tar.xz") {
            let into = scratch.join("corpus");
            std::fs::create_dir_all(&into).unwrap();
            let st = Command::new("tar").arg("-xJf").arg(&p).arg("-C").arg(&into).status();
            assert!(st.is_ok_and(|s| s.success()), "unpack {name} (tar and xz are needed)");
            collect_files(&into, &mut captures);
        } else {
            captures.push(p);
        }
    }
    captures.sort();
    assert!(captures.len() > 600, "only {} captures found", captures.len());
    let failures = run_parallel(&captures, |p| {
        let out = scratch.join(format!("{}.argus", salt_of(&p.display().to_string())));
        let what = format!("argus -r {}", p.display());
        let o = run_limited(
            util::role("argus").arg("-X").arg("-r").arg(p).arg("-w").arg(&out),
            scratch,
            RUN_TIMEOUT,
        );
        let mut f = Vec::new();
        if let Err(e) = assert_survived(&o, &what) {
            f.push(e);
        } else if !matches!(o.code(), Some(0 | 1)) {
            f.push(format!("{what}: exit {:?}\n{}", o.code(), o.stderr));
        } else if let Ok(bytes) = std::fs::read(&out) {
            let mut recs = Records::new(&bytes);
            let n = recs.by_ref().count();
            let end = recs.end();
            if n == 0 || !matches!(end, Some(argus_tool::codec::End::Clean)) {
                f.push(format!("{what}: wrote {n} records, then {end:?}"));
            }
        }
        let _ = std::fs::remove_file(&out);
        f
    });
    report(failures, captures.len());
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

// ------------------------------------------------------------ fuzz entries

/// Every input the fuzzers found (`tests/data/regress/<target>/<name>`)
/// through its target's entry point, as the fuzzer ran it.
#[test]
fn fuzz_regression_inputs_stay_fixed() {
    let root = util::repo().join("tests/data/regress");
    let mut n = 0;
    for e in std::fs::read_dir(&root).expect("tests/data/regress") {
        let dir = e.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let run = argus_tool::fuzzing::target(&name)
            .unwrap_or_else(|| panic!("tests/data/regress/{name}: no fuzz target of that name"));
        for input in std::fs::read_dir(&dir).unwrap() {
            let input = input.unwrap().path();
            run(&std::fs::read(&input).unwrap());
            n += 1;
        }
    }
    assert!(n > 0, "no regression inputs found");
}

/// A short, deterministic fuzzing run of every target without libFuzzer:
/// seeds from the reference data, then mutations from a fixed seed. It
/// catches the shallow breakage in CI; `fuzz/` goes deep.
#[test]
fn every_fuzz_target_survives_seeded_mutations() {
    let r = util::shared_reference();
    let read_dir = |d: PathBuf, ext: &str, max: usize| -> Vec<Vec<u8>> {
        let mut ps: Vec<PathBuf> = std::fs::read_dir(&d)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        ps.retain(|p| p.to_string_lossy().ends_with(ext));
        ps.sort();
        ps.iter()
            .filter_map(|p| std::fs::read(p).ok())
            .filter(|b| b.len() <= 64 << 10)
            .take(max)
            .collect()
    };
    let archives = read_dir(r.join("vectors/argus"), ".argus", 8);
    let pcaps = read_dir(r.join("vectors/pcap"), ".pcap", 8);
    let text = |s: &[&str]| s.iter().map(|t| t.as_bytes().to_vec()).collect::<Vec<_>>();
    for t in argus_tool::fuzzing::TARGETS {
        let seeds: Vec<Vec<u8>> = match t.name {
            "record_roundtrip" | "decompress" | "remote_handshake" => archives.clone(),
            "capture_read" | "argus_engine" => pcaps.clone(),
            "packet_decode" => pcaps
                .iter()
                .flat_map(|p| p.get(40..).map(|f| f.iter().take(200).copied().collect::<Vec<u8>>()))
                .collect(),
            "lzw" => vec![std::fs::read(util::repo().join("tests/data/lzw_b12.Z")).unwrap()],
            "filter_compile" | "server_commands" => text(&[
                "tcp and port 80",
                "src host 1.2.3.4 and not (udp or icmp)",
                "FILTER: man or (tcp)\nSTART: ",
                "bytes gt 100 and pkts lt 3",
            ]),
            _ => text(&[
                "RA_FIELD_SPECIFIER=\"stime proto saddr\"\nRA_TIMERANGE=-1d\n",
                "ARGUS_FLOW_STATUS_INTERVAL=60\nARGUS_MONITOR_ID=\"host\"\nARGUS_ACCESS_ALLOW=10.0.0.0/8\n",
                "-t 2020/01/01.10:00-1h -N 10",
            ]),
        };
        assert!(!seeds.is_empty(), "{}: no seeds", t.name);
        argus_tool::fuzzing::mutate_and_run(&seeds, 300, SEED ^ salt_of(t.name), t.run);
    }
}

// ------------------------------------------------------------------ remote

/// A hostile argus server: `ra -S` against a server that sends a recorded
/// session cut short, with bits flipped, an error record, or garbage, and
/// then closes. ra must end with at most one line naming the server, and
/// print every record that arrived whole.
#[test]
fn ra_survives_hostile_servers() {
    use std::io::{Read, Write};
    let dir = util::TempDir::new("hostile-remote");
    let session =
        std::fs::read(util::shared_reference().join("vectors/remote/remote_session_start.bin"))
            .expect("recorded session");
    let mut rng = Rng::new(561);
    let mut payloads: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        ("error-mar-header".into(), vec![0x83, 0x82, 0x00, 0x01]),
        ("garbage".into(), rng.bytes(700)),
        ("http".into(), b"HTTP/1.0 400 Bad Request\r\n\r\n".to_vec()),
    ];
    for cut in [3, 15, 16, 100, INITIAL_MAR, INITIAL_MAR + 3, session.len() / 2, session.len() - 1]
    {
        payloads.push((format!("cut{cut}"), session[..cut].to_vec()));
    }
    for k in 0..4 {
        let mut d = session.clone();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(d.len());
            d[i] ^= 1 << rng.below(8);
        }
        payloads.push((format!("flip{k}"), d));
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().unwrap().port();
    let to_send = payloads.clone();
    let server = std::thread::spawn(move || {
        for (_, bytes) in to_send {
            let Ok((mut s, _)) = listener.accept() else { return };
            let _ = s.write_all(&bytes);
            // Take what the client says (FILTER/START), then hang up.
            let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = s.read(&mut [0u8; 512]);
        }
    });
    let server_name = format!("127.0.0.1:{port}");
    let mut failures = Vec::new();
    let mut most_printed = 0;
    for (name, bytes) in &payloads {
        let what = format!("ra -S {name}");
        let o = run_limited(
            util::role("ra").args(["-X", "-M", "man", "-n", "-L", "-1", "-S", &server_name]),
            dir.path(),
            RUN_TIMEOUT,
        );
        if let Err(e) = assert_survived(&o, &what) {
            failures.push(e);
            continue;
        }
        let msgs = o.messages();
        if msgs.len() > 1 || msgs.iter().any(|m| !m.contains(&server_name)) {
            failures.push(format!("{what}: expected at most one line naming the server: {msgs:?}"));
        }
        // Records that arrived whole are printed (the initial MAR included).
        let whole = Records::new(bytes).count();
        most_printed = most_printed.max(lines(&o.stdout).len());
        if name.starts_with("cut") && lines(&o.stdout).len() != whole {
            failures.push(format!(
                "{what}: {} records printed, {whole} arrived whole",
                lines(&o.stdout).len()
            ));
        }
    }
    server.join().expect("server thread");
    assert!(most_printed >= 3, "no session reached its records ({most_printed} lines at most)");
    report(failures, payloads.len());
}

/// Reference captures cut short (inside the file header, inside a packet
/// header, inside a packet, one byte short): argus reports the file and
/// offset on one line, exits 1 (docs/differences.md, "Unreadable inputs"),
/// and writes the same flow records as Debian's argus on the same file.
#[test]
fn argus_on_truncated_captures_keeps_what_was_read() {
    let dir = util::TempDir::new("hostile-cut-pcaps");
    let scratch = dir.path();
    let mut jobs = Vec::new();
    for e in std::fs::read_dir(util::shared_reference().join("vectors/pcap")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "pcap") {
            continue;
        }
        let data = std::fs::read(&p).unwrap();
        for cut in [10, 24 + 7, data.len() / 2, data.len() - 1] {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            let cut_path = scratch.join(format!("{stem}.cut{cut}.pcap"));
            std::fs::write(&cut_path, &data[..cut]).unwrap();
            jobs.push(cut_path);
        }
    }
    assert!(jobs.len() >= 20, "expected the reference captures");
    let flows = |archive: &Path| {
        let o = run_limited(
            util::role("ra").args(["-X", "-n", "-u", "-c", ",", "-r"]).arg(archive),
            scratch,
            RUN_TIMEOUT,
        );
        o.stdout
    };
    let failures = run_parallel(&jobs, |p| {
        let mut f = Vec::new();
        let what = format!("argus -r {}", p.display());
        let (ours, theirs) = (p.with_extension("ours"), p.with_extension("debian"));
        let o = run_limited(
            util::role("argus").arg("-X").arg("-r").arg(p).arg("-w").arg(&ours),
            scratch,
            RUN_TIMEOUT,
        );
        if let Err(e) = assert_survived(&o, &what) {
            return vec![e];
        }
        let msgs = o.messages();
        let shown = p.display().to_string();
        // Inside the 24-byte file header there is no packet offset to name.
        let past_header = std::fs::metadata(p).map_or(0, |m| m.len()) >= 24;
        let names_offset = |m: &String| !past_header || m.contains("offset");
        if o.code() != Some(1)
            || msgs.len() != 1
            || !msgs[0].contains(&shown)
            || !names_offset(&msgs[0])
        {
            f.push(format!(
                "{what}: exit {:?}, expected 1 and one line naming the file (and offset): {msgs:?}",
                o.code()
            ));
        }
        let d = run_limited(
            util::pinned(Path::new("/usr/sbin/argus"))
                .arg("-X")
                .arg("-r")
                .arg(p)
                .arg("-w")
                .arg(&theirs),
            scratch,
            RUN_TIMEOUT,
        );
        if d.code() == Some(0) && theirs.exists() && flows(&ours) != flows(&theirs) {
            f.push(format!("{what}: flow records differ from Debian argus's on the same file"));
        }
        f
    });
    report(failures, jobs.len());
}
