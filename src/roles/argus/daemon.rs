//! Becoming a daemon (`-d`), the pid file, and giving up root (`-u`, `-g`,
//! `-c`) once the interfaces and the listening sockets are open.
//!
//! The pid file is written as root and removed at the end even when the
//! daemon no longer can (see [`PidFile`]).
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

/// The child's end of the start-up pipe, and /dev/null opened before any
/// chroot could hide it.
pub struct Ready {
    pipe: Option<File>,
    null: Option<File>,
}

impl Ready {
    /// Start-up went well: the parent exits 0; stdin, stdout and stderr
    /// go to /dev/null (messages go to syslog from now on).
    pub fn ok(&mut self) {
        if let Some(mut p) = self.pipe.take() {
            let _ = p.write_all(b"\n");
        }
        if let Some(null) = self.null.take() {
            redirect_stdio(null);
        }
    }

    /// Start-up failed: the parent prints `msg` and exits 1.
    pub fn fail(&mut self, msg: &str) {
        if let Some(mut p) = self.pipe.take() {
            let _ = p.write_all(msg.as_bytes());
        }
    }
}

fn redirect_stdio(null: File) {
    use std::os::fd::AsRawFd;
    // SAFETY: dup2 onto the standard descriptors, which is what a daemon
    // does; `null` is an open descriptor we own (closed when dropped).
    unsafe {
        for t in 0..3 {
            libc::dup2(null.as_raw_fd(), t);
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
    let null = std::fs::OpenOptions::new().read(true).write(true).open("/dev/null").ok();
    // SAFETY: fds[1] is the write end we own.
    Ok(Ready { pipe: Some(unsafe { File::from_raw_fd(fds[1]) }), null })
}

/// The daemon's pid file, `<dir>/<prog>.<device>.<n>.pid` (argus's name),
/// and who removes it at the end.
///
/// The file is written as root. Once argus has given up root (`-u`) or
/// changed its root directory (`-c`) it may no longer be able to remove it
/// (3.0.8.2 leaves it behind then). So before privileges are dropped,
/// [`PidFile::keep_removable`] forks a small helper, still root and still
/// single-threaded, that holds nothing but one end of a pipe: when the
/// daemon ends, however it ends, the pipe closes and the helper removes the
/// file (if it still names the daemon) and exits.
pub struct PidFile {
    path: PathBuf,
    /// The daemon's end of the helper's pipe, held for the daemon's life.
    _keeper: Option<File>,
}

impl PidFile {
    /// Writes the pid file in the first of the slots `n` = 0..5 whose file is
    /// absent or names a process that no longer runs.
    pub fn create(dir: &str, prog: &str, device: &str) -> Result<PidFile, String> {
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
            writeln!(f, "{}", std::process::id())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            return Ok(PidFile { path, _keeper: None });
        }
        Err("daemon cannot create pid file: 5 instances are running".into())
    }

    /// Starts the helper that removes the file when this process ends.
    /// Call while still root, before any thread is started.
    pub fn keep_removable(&mut self) -> Result<(), String> {
        let path = CString::new(self.path.as_os_str().as_encoded_bytes())
            .map_err(|_| format!("{}: bad path", self.path.display()))?;
        let me = std::process::id().to_string();
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: pipe(2) fills two descriptors.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } < 0 {
            return Err(format!("pipe: {}", std::io::Error::last_os_error()));
        }
        // SAFETY: the process is single-threaded here (see the caller), so
        // the child may do anything; it only uses the pipe, the path and
        // `me`, made before the fork.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(format!("fork: {}", std::io::Error::last_os_error()));
        }
        if pid == 0 {
            // SAFETY: the helper's whole life, in the forked child.
            unsafe { pid_file_keeper(fds[0], &path, &me) }
        }
        // SAFETY: the read end is the helper's; the write end ours.
        unsafe { libc::close(fds[0]) };
        // SAFETY: fds[1] is the write end we own; no one else closes it.
        self._keeper = Some(unsafe { File::from_raw_fd(fds[1]) });
        Ok(())
    }

    /// Removes the file now if this process still can (the helper, if
    /// any, finds it gone), and only if it still names this process.
    pub fn remove(&self) {
        let ours = std::fs::read_to_string(&self.path)
            .is_ok_and(|t| t.trim() == std::process::id().to_string());
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A start-up that fails after the file was written leaves none behind.
impl Drop for PidFile {
    fn drop(&mut self) {
        self.remove();
    }
}

/// The pid file helper (in the forked child; never returns): every signal
/// blocked, every descriptor but the pipe closed, then it waits for the
/// daemon's end of the pipe to close and removes the file if it still holds
/// the daemon's pid.
unsafe fn pid_file_keeper(pipe: libc::c_int, path: &CString, daemon_pid: &str) -> ! {
    let mut all: libc::sigset_t = std::mem::zeroed();
    libc::sigfillset(&mut all);
    libc::sigprocmask(libc::SIG_SETMASK, &all, std::ptr::null_mut());
    for fd in 0..4096 {
        if fd != pipe {
            libc::close(fd);
        }
    }
    libc::prctl(libc::PR_SET_NAME, c"argus-pidfile".as_ptr());
    let mut b = [0u8; 16];
    loop {
        let n = libc::read(pipe, b.as_mut_ptr().cast(), b.len());
        if n == 0 || (n < 0 && *libc::__errno_location() != libc::EINTR) {
            break;
        }
    }
    let fd = libc::open(path.as_ptr(), libc::O_RDONLY);
    if fd >= 0 {
        let mut text = [0u8; 32];
        let n = libc::read(fd, text.as_mut_ptr().cast(), text.len());
        libc::close(fd);
        let n = usize::try_from(n).unwrap_or(0);
        let content = text.get(..n).unwrap_or(&[]);
        let ours = content.strip_suffix(b"\n").unwrap_or(content) == daemon_pid.as_bytes();
        if ours {
            libc::unlink(path.as_ptr());
        }
    }
    libc::_exit(0)
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
