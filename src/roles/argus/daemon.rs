//! Becoming a daemon (`-d`), the pid file, and giving up root (`-u`, `-g`,
//! `-c`) once the interfaces and the listening sockets are open.
//!
//! `daemonize` forks before any thread exists. The parent waits on a pipe
//! until the child reports that it is running (interfaces, sockets and
//! outputs open) or why it failed, so `argus -d` exits 0 only for a daemon
//! that actually runs, and prints the child's error otherwise. (3.0.8.2
//! sleeps half a second and checks that the child is still alive.)

use std::ffi::CString;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::FromRawFd;
use std::path::PathBuf;

/// The child's end of the start-up pipe.
pub struct Ready {
    pipe: Option<File>,
}

impl Ready {
    /// Start-up went well: the parent exits 0; stdin, stdout and stderr
    /// go to /dev/null (messages go to syslog from now on).
    pub fn ok(&mut self) {
        if let Some(mut p) = self.pipe.take() {
            let _ = p.write_all(b"\n");
        }
        redirect_stdio();
    }

    /// Start-up failed: the parent prints `msg` and exits 1.
    pub fn fail(&mut self, msg: &str) {
        if let Some(mut p) = self.pipe.take() {
            let _ = p.write_all(msg.as_bytes());
        }
    }
}

fn redirect_stdio() {
    let Ok(null) = CString::new("/dev/null") else { return };
    // SAFETY: open/dup2/close on descriptors we own; stdio fds 0..2 are
    // replaced, which is what a daemon does.
    unsafe {
        let fd = libc::open(null.as_ptr(), libc::O_RDWR);
        if fd >= 0 {
            for t in 0..3 {
                libc::dup2(fd, t);
            }
            if fd > 2 {
                libc::close(fd);
            }
        }
    }
}

/// Forks. In the parent this never returns (it exits with the child's
/// start-up verdict); in the child it returns the pipe to report on.
pub fn daemonize(prog: &str) -> Result<Ready, String> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe(2) fills two descriptors.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } < 0 {
        return Err(format!("pipe: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: no thread has been started yet, so fork is safe.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("Can't fork daemon {}", std::io::Error::last_os_error()));
    }
    if pid > 0 {
        // SAFETY: we own both descriptors; the write end is the child's.
        unsafe { libc::close(fds[1]) };
        // SAFETY: fds[0] is the read end we own.
        let mut r = unsafe { File::from_raw_fd(fds[0]) };
        let mut msg = String::new();
        let _ = r.read_to_string(&mut msg);
        if msg == "\n" {
            std::process::exit(0);
        }
        if msg.is_empty() {
            msg = "the daemon exited during start-up".into();
        }
        crate::diag::log(prog, msg.trim_end());
        std::process::exit(1);
    }
    // SAFETY: the child keeps the write end only; setsid detaches it from
    // the terminal.
    unsafe {
        libc::close(fds[0]);
        libc::setsid();
    }
    // SAFETY: fds[1] is the write end we own.
    Ok(Ready { pipe: Some(unsafe { File::from_raw_fd(fds[1]) }) })
}

/// argus's pid file: `<dir>/<prog>.<device>.<n>.pid` for the first `n` in
/// 0..5 whose file is absent or names a process that no longer runs.
pub fn write_pid_file(dir: &str, prog: &str, device: &str) -> Result<PathBuf, String> {
    let dev = device.rsplit('/').next().unwrap_or(device);
    for n in 0..5 {
        let path = PathBuf::from(format!("{dir}/{prog}.{dev}.{n}.pid"));
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Ok(pid) = text.trim().parse::<libc::pid_t>() {
                // SAFETY: kill with signal 0 only checks that the process exists.
                if pid > 0 && unsafe { libc::kill(pid, 0) } == 0 {
                    continue;
                }
            }
        }
        let mut f = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        writeln!(f, "{}", std::process::id()).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(path);
    }
    Err("daemon cannot create pid file: 5 instances are running".into())
}

/// A user and group resolved before any chroot.
#[derive(Clone, Copy, Debug)]
pub struct Identity {
    pub uid: Option<libc::uid_t>,
    pub gid: Option<libc::gid_t>,
}

/// Looks `-u user` / `-g group` up (names or numbers). A user without `-g`
/// takes the user's primary group.
pub fn resolve(user: Option<&str>, group: Option<&str>) -> Result<Identity, String> {
    let mut id = Identity { uid: None, gid: None };
    if let Some(u) = user {
        let c = CString::new(u).map_err(|_| format!("unknown user \"{u}\""))?;
        // SAFETY: getpwnam returns a pointer to static storage or null; we
        // copy the two numbers out at once, before any other call.
        let pw = unsafe { libc::getpwnam(c.as_ptr()) };
        if pw.is_null() {
            match u.parse::<libc::uid_t>() {
                Ok(n) => id.uid = Some(n),
                Err(_) => return Err(format!("unknown user \"{u}\"")),
            }
        } else {
            // SAFETY: `pw` is non-null and points to a valid passwd.
            unsafe {
                id.uid = Some((*pw).pw_uid);
                id.gid = Some((*pw).pw_gid);
            }
        }
    }
    if let Some(g) = group {
        let c = CString::new(g).map_err(|_| format!("unknown group \"{g}\""))?;
        // SAFETY: as for getpwnam.
        let gr = unsafe { libc::getgrnam(c.as_ptr()) };
        if gr.is_null() {
            match g.parse::<libc::gid_t>() {
                Ok(n) => id.gid = Some(n),
                Err(_) => return Err(format!("unknown group \"{g}\"")),
            }
        } else {
            // SAFETY: `gr` is non-null and points to a valid group.
            id.gid = Some(unsafe { (*gr).gr_gid });
        }
    }
    Ok(id)
}

/// chroot (if asked), then the group, supplementary groups and user, for
/// good: a process that dropped root cannot get it back. Checked.
pub fn drop_privileges(chroot: Option<&str>, id: Identity) -> Result<(), String> {
    let os = |what: &str| format!("{what}: {}", std::io::Error::last_os_error());
    if let Some(dir) = chroot {
        let c = CString::new(dir).map_err(|_| format!("bad chroot directory \"{dir}\""))?;
        let root = CString::new("/").unwrap_or_default();
        // SAFETY: chdir/chroot with NUL-terminated paths.
        unsafe {
            if libc::chdir(c.as_ptr()) < 0 {
                return Err(os(&format!("ArgusSetChroot: failed to chdir to \"{dir}\"")));
            }
            if libc::chroot(c.as_ptr()) < 0 {
                return Err(os(&format!("ArgusSetChroot: failed to chroot to \"{dir}\"")));
            }
            if libc::chdir(root.as_ptr()) < 0 {
                return Err(os("ArgusSetChroot: failed to chdir to \"/\" after chroot"));
            }
        }
    }
    if let Some(gid) = id.gid {
        // SAFETY: setgroups with one valid gid, then setgid.
        unsafe {
            if libc::setgroups(1, &gid) < 0 && id.uid.is_some() {
                return Err(os("setgroups"));
            }
            if libc::setgid(gid) < 0 {
                return Err(os("setgid"));
            }
        }
    }
    if let Some(uid) = id.uid {
        // SAFETY: plain setuid.
        if unsafe { libc::setuid(uid) } < 0 {
            return Err(os("setuid"));
        }
        // SAFETY: plain setuid; it must fail now unless uid is root.
        if uid != 0 && unsafe { libc::setuid(0) } == 0 {
            return Err("could not drop root privileges".into());
        }
    }
    Ok(())
}
