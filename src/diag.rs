//! Diagnostics in the format the Argus tools use, and exit-status policy.
//!
//! Argus clients report errors on stderr as
//! `prog[PID]: HH:MM:SS.ffffff message` (local wall-clock time). Exit
//! statuses: 0 success / something matched, 1 nothing matched or a fatal
//! error (bad option, filter syntax, ...), 2 an input could not be opened.

use std::fmt;
use std::io::Write;

/// Exit status: success, at least one record matched.
pub const EXIT_OK: i32 = 0;
/// Exit status: nothing matched, usage error, or fatal error.
pub const EXIT_FAIL: i32 = 1;
/// Exit status: an input file could not be opened.
pub const EXIT_NO_INPUT: i32 = 2;

/// A fatal error carrying the exit status to end with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    pub status: i32,
    pub message: String,
}

impl Fatal {
    pub fn new(status: i32, message: impl Into<String>) -> Fatal {
        Fatal { status, message: message.into() }
    }

    /// A fatal error with status 1 (the Argus `ArgusLog(LOG_ERR, ...)` case).
    pub fn err(message: impl Into<String>) -> Fatal {
        Fatal::new(EXIT_FAIL, message)
    }
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Fatal {}

/// Local wall-clock time of day as `HH:MM:SS.ffffff`.
pub fn wall_clock_stamp() -> String {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() as _;
    // SAFETY: `tm` is a plain C struct that localtime_r fully initialises on
    // success; on failure we fall back to the zeroed value.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&secs, &mut tm);
        tm
    };
    format!("{:02}:{:02}:{:02}.{:06}", tm.tm_hour, tm.tm_min, tm.tm_sec, now.subsec_micros())
}

/// Set once a daemon has left its terminal: messages go to syslog.
static SYSLOG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on [`log`] writes to syslog (facility daemon, with the pid),
/// as argus does once it runs as a daemon.
pub fn use_syslog(prog: &str) {
    // openlog keeps the pointer: the name must live for the whole run.
    let ident: &'static std::ffi::CStr = Box::leak(
        std::ffi::CString::new(prog).unwrap_or_else(|_| c"argus".to_owned()).into_boxed_c_str(),
    );
    // SAFETY: `ident` is a NUL-terminated string that is never freed.
    unsafe { libc::openlog(ident.as_ptr(), libc::LOG_PID, libc::LOG_DAEMON) };
    SYSLOG.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Writes one diagnostic line in the Argus format to stderr (or syslog).
pub fn log(prog: &str, message: &str) {
    if SYSLOG.load(std::sync::atomic::Ordering::Relaxed) {
        if let Ok(m) = std::ffi::CString::new(message.replace('\0', " ")) {
            // SAFETY: "%s" with one NUL-terminated string argument.
            unsafe { libc::syslog(libc::LOG_WARNING, c"%s".as_ptr(), m.as_ptr()) };
        }
        return;
    }
    let line = format!("{}[{}]: {} {}\n", prog, std::process::id(), wall_clock_stamp(), message);
    let _ = std::io::stderr().write_all(line.as_bytes());
}
