//! `argus -d` as root (CI runs as root): it detaches (new session, stdio on
//! /dev/null, the command returns once the daemon runs), writes its pid
//! file and removes it at the end; `-u`/`-g` give up root and `-c` changes
//! the root directory once the interfaces and the port are open, and the pid
//! file still goes away at the end; a daemon that cannot start says why and
//! the command fails.
//!
//! A daemon is not our child: the guard below kills it by the pid in its
//! pid file, after checking that the process is the one this test started.

use std::io::Read;
use std::net::{TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::live::{wait_for, Proc, Scratch};
use crate::util;

/// A daemon started by a test, found through its pid file; SIGKILLed when
/// dropped if it still runs (a failed test leaves nothing behind).
struct Daemon {
    pid: i32,
    /// A word of its command line, to be sure `pid` is still ours.
    mark: String,
}

impl Daemon {
    /// Reads the pid file and checks the process it names.
    fn from_pid_file(path: &Path, mark: &str) -> Daemon {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let pid: i32 = text.trim().parse().expect("a pid");
        let d = Daemon { pid, mark: mark.to_string() };
        assert!(d.running(), "the pid file names a process that is not ours: {pid}");
        d
    }

    /// Alive (not a zombie) and still the process we started.
    fn running(&self) -> bool {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        let zombie = stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z'));
        let cmd = std::fs::read(format!("/proc/{}/cmdline", self.pid)).unwrap_or_default();
        !zombie && String::from_utf8_lossy(&cmd).contains(&self.mark)
    }

    fn signal(&self, sig: i32) {
        if self.running() {
            // SAFETY: kill(2) on the daemon this test started (checked above).
            unsafe { libc::kill(self.pid, sig) };
        }
    }

    fn status(&self) -> String {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default()
    }

    /// SIGTERM, then waits for the end.
    fn stop(&self) {
        self.signal(libc::SIGTERM);
        wait_for("the daemon to end", Duration::from_secs(60), || !self.running());
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.signal(libc::SIGKILL);
    }
}

/// Processes whose parent is `pid` and whose name is `comm`.
fn children_named(pid: i32, comm: &str) -> Vec<i32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<i32>() else { continue };
        let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
        let Some((head, rest)) = stat.rsplit_once(") ") else { continue };
        let name = head.split_once(" (").map(|x| x.1).unwrap_or("");
        let ppid: i32 = rest.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
        if ppid == pid && name == comm && !rest.starts_with('Z') {
            out.push(p);
        }
    }
    out
}

/// `argus -d ARGS`: the command itself must return promptly.
fn start_daemon(args: &[&str]) -> (Option<i32>, String) {
    Proc::spawn(util::role("argus").args(args)).wait(Duration::from_secs(60))
}

fn pid_file(dir: &Path) -> PathBuf {
    dir.join("argus.lo.0.pid")
}

fn udp_to(port: u16, n: usize) {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    for _ in 0..n {
        s.send_to(b"daemon", ("127.0.0.1", port)).unwrap();
    }
}

/// Flow records and the last MAR's cause of an archive.
fn summary(bytes: &[u8]) -> (usize, Option<u8>) {
    let (mut flows, mut last_mar, mut i) = (0, None, 0);
    while i + 4 <= bytes.len() {
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]])) * 4;
        assert!(len > 0);
        if bytes[i] & 0xf0 == 0x80 {
            last_mar = Some(bytes[i + 1] & 0xf0);
        } else {
            flows += 1;
        }
        i += len;
    }
    (flows, last_mar)
}

#[test]
fn a_daemon_detaches_keeps_a_pid_file_and_removes_it() {
    let d = Scratch::new("daemon");
    let run = d.join("run");
    std::fs::create_dir(&run).unwrap();
    let conf = d.join("argus.conf");
    std::fs::write(&conf, format!("ARGUS_SET_PID=yes\nARGUS_PID_PATH={}\n", run.display()))
        .unwrap();
    let out = d.join("out.argus");
    let (code, err) = start_daemon(&[
        "-X",
        "-F",
        conf.to_str().unwrap(),
        "-d",
        "-i",
        "lo",
        "-g",
        "daemon",
        "-w",
        out.to_str().unwrap(),
        "-S",
        "1",
        "udp and port 17811",
    ]);
    assert_eq!(code, Some(0), "argus -d: {err}");
    let daemon = Daemon::from_pid_file(&pid_file(&run), out.to_str().unwrap());
    // Its own session, nothing of ours on its standard descriptors.
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", daemon.pid)).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split_whitespace().collect();
    assert_eq!(fields[3], daemon.pid.to_string(), "session id = its pid (setsid)");
    for fd in 0..3 {
        let target = std::fs::read_link(format!("/proc/{}/fd/{fd}", daemon.pid)).unwrap();
        assert_eq!(target, Path::new("/dev/null"), "fd {fd}");
    }
    // `-g` alone: root's user id, the group's id (and only that group).
    let status = daemon.status();
    let daemon_gid = group("daemon");
    for (key, id) in [("Uid:", 0), ("Gid:", daemon_gid)] {
        let line = status.lines().find(|l| l.starts_with(key)).unwrap();
        let ids: Vec<u32> = line.split_whitespace().skip(1).map(|v| v.parse().unwrap()).collect();
        assert_eq!(ids, [id; 4], "{key} {line}");
    }
    let groups = status.lines().find(|l| l.starts_with("Groups:")).unwrap();
    assert_eq!(groups.split_whitespace().skip(1).collect::<Vec<_>>(), [daemon_gid.to_string()]);
    // Running as root, it removes the pid file itself: no helper.
    assert!(children_named(daemon.pid, "argus-pidfile").is_empty());
    udp_to(17811, 3);
    wait_for("the flow record", Duration::from_secs(60), || {
        summary(&std::fs::read(&out).unwrap_or_default()).0 >= 1
    });
    daemon.stop();
    assert!(!pid_file(&run).exists(), "the pid file is removed at the end");
    let (flows, last) = summary(&std::fs::read(&out).unwrap());
    assert!(flows >= 1);
    assert_eq!(last, Some(0x30), "the file ends with the stop MAR");
}

/// A group's gid.
fn group(name: &str) -> u32 {
    let c = std::ffi::CString::new(name).unwrap();
    // SAFETY: getgrnam returns static storage or null; the number is
    // copied out at once.
    unsafe {
        let gr = libc::getgrnam(c.as_ptr());
        assert!(!gr.is_null(), "no group {name}");
        (*gr).gr_gid
    }
}

/// A user's uid and primary gid.
fn user(name: &str) -> (u32, u32) {
    let c = std::ffi::CString::new(name).unwrap();
    // SAFETY: getpwnam returns static storage or null; the two numbers are
    // copied out at once.
    unsafe {
        let pw = libc::getpwnam(c.as_ptr());
        assert!(!pw.is_null(), "no user {name}");
        ((*pw).pw_uid, (*pw).pw_gid)
    }
}

#[test]
fn a_daemon_gives_up_root_in_a_chroot_and_its_pid_file_still_goes() {
    let d = Scratch::new("unpriv");
    let (uid, gid) = user("nobody");
    // The pid file's directory is root's: nobody cannot remove files there,
    // and it is outside the chroot anyway.
    let run = d.join("run");
    std::fs::create_dir(&run).unwrap();
    let root = d.join("root");
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::os::unix::fs::chown(&data, Some(uid), Some(gid)).unwrap();
    let conf = d.join("argus.conf");
    std::fs::write(&conf, format!("ARGUS_SET_PID=yes\nARGUS_PID_PATH={}\n", run.display()))
        .unwrap();
    // A port below 1024: bound as root, before root is given up.
    let port = 979u16;
    let (code, err) = start_daemon(&[
        "-X",
        "-F",
        conf.to_str().unwrap(),
        "-d",
        "-i",
        "lo",
        "-u",
        "nobody",
        "-c",
        root.to_str().unwrap(),
        "-w",
        "/data/out.argus",
        "-P",
        &port.to_string(),
        "-B",
        "127.0.0.1",
        "-S",
        "1",
        "udp and port 17821",
    ]);
    assert_eq!(code, Some(0), "argus -d -u -c: {err}");
    let daemon = Daemon::from_pid_file(&pid_file(&run), root.to_str().unwrap());
    // Written before root is given up, as 3.0.8.2 does (ArgusSourceProcess
    // writes it before the setgid/setuid).
    {
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::metadata(pid_file(&run)).unwrap().uid(), 0, "root's pid file");
    }
    let status = daemon.status();
    for (key, id) in [("Uid:", uid), ("Gid:", gid)] {
        let line = status.lines().find(|l| l.starts_with(key)).unwrap();
        let ids: Vec<u32> = line.split_whitespace().skip(1).map(|v| v.parse().unwrap()).collect();
        assert_eq!(ids, [id; 4], "real, effective, saved and file-system {key} {line}");
    }
    let groups = status.lines().find(|l| l.starts_with("Groups:")).unwrap();
    assert_eq!(groups.split_whitespace().skip(1).collect::<Vec<_>>(), [gid.to_string()]);
    assert_eq!(std::fs::read_link(format!("/proc/{}/root", daemon.pid)).unwrap(), root);
    // The helper that will remove the pid file: root, holding nothing.
    let keepers = children_named(daemon.pid, "argus-pidfile");
    assert_eq!(keepers.len(), 1, "one pid file helper");
    let fds = std::fs::read_dir(format!("/proc/{}/fd", keepers[0])).unwrap().count();
    assert_eq!(fds, 1, "the helper holds only its pipe");

    // The output file, inside the chroot, is nobody's; a remote client
    // reads from the port bound before root was given up.
    let out = data.join("out.argus");
    let meta = std::fs::metadata(&out).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!((meta.uid(), meta.gid()), (uid, gid));
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut mar = [0u8; 128];
    s.read_exact(&mut mar).unwrap();
    assert_eq!(mar[..4], [0x83, 0x10, 0, 0x20]);
    drop(s);
    // Removed while it runs: recreated inside the chroot, as nobody.
    udp_to(17821, 2);
    wait_for("the first record", Duration::from_secs(60), || {
        summary(&std::fs::read(&out).unwrap_or_default()).0 >= 1
    });
    std::fs::remove_file(&out).unwrap();
    udp_to(17821, 2);
    wait_for("the recreated file", Duration::from_secs(60), || out.exists());
    assert_eq!(std::fs::metadata(&out).unwrap().uid(), uid);

    daemon.stop();
    wait_for("the helper to remove the pid file", Duration::from_secs(60), || {
        !pid_file(&run).exists()
    });
    wait_for("the helper to end", Duration::from_secs(60), || {
        !Path::new(&format!("/proc/{}/cmdline", keepers[0])).exists()
            || std::fs::read_to_string(format!("/proc/{}/stat", keepers[0]))
                .map(|s| s.contains(") Z"))
                .unwrap_or(true)
    });
    let (_, last) = summary(&std::fs::read(&out).unwrap());
    assert_eq!(last, Some(0x30), "the recreated file ends with the stop MAR");
}

#[test]
fn a_daemon_that_cannot_start_says_why_and_the_command_fails() {
    let d = Scratch::new("nostart");
    let out = d.join("out.argus");
    let (code, err) =
        start_daemon(&["-X", "-d", "-i", "nosuchdev0", "-w", out.to_str().unwrap(), "udp"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no interface could be opened"), "{err}");
    let (code, err) = start_daemon(&["-X", "-d", "-i", "lo", "-u", "no-such-user-x", "udp"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("unknown user \"no-such-user-x\""), "{err}");
    // A chroot that does not exist: found once the interfaces are open.
    let (code, err) = start_daemon(&[
        "-X",
        "-d",
        "-i",
        "lo",
        "-c",
        d.join("missing").to_str().unwrap(),
        "-w",
        out.to_str().unwrap(),
        "udp",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("ArgusSetChroot"), "{err}");
    // An output that cannot be opened, found after the pid file was
    // written: the pid file goes too.
    let run = d.join("run");
    std::fs::create_dir(&run).unwrap();
    let conf = d.join("argus.conf");
    std::fs::write(&conf, format!("ARGUS_SET_PID=yes\nARGUS_PID_PATH={}\n", run.display()))
        .unwrap();
    let bad = d.join("missing/out.argus");
    let (code, err) = start_daemon(&[
        "-X",
        "-F",
        conf.to_str().unwrap(),
        "-d",
        "-i",
        "lo",
        "-w",
        bad.to_str().unwrap(),
        "udp",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("missing/out.argus"), "{err}");
    assert_eq!(std::fs::read_dir(&run).unwrap().count(), 0, "no pid file left behind");
}
