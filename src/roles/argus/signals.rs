//! SIGTERM, SIGINT and SIGHUP for the live daemon, taken synchronously.
//!
//! The signals are blocked in every thread (the mask is set before any
//! thread starts and threads inherit it) and the main thread collects them
//! with `sigtimedwait`. No handler runs in signal context, so nothing has to
//! be async-signal-safe, and a few lines of libc do what a crate would;
//! that is why there is no signal-hook dependency.

use std::time::Duration;

/// What the main thread was asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// SIGTERM or SIGINT: flush every flow, write the stop record, exit.
    Stop(&'static str),
    /// SIGHUP: reopen the output files, reload the access rules.
    Reopen,
}

fn set() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise and fill a plain sigset_t.
    unsafe {
        let mut s: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut s);
        for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::sigaddset(&mut s, sig);
        }
        s
    }
}

/// Blocks the three signals in the calling thread and in every thread it
/// starts afterwards. Call before spawning threads.
pub fn block() {
    let s = set();
    // SAFETY: `s` is an initialised sigset_t; a null old-set pointer is allowed.
    unsafe {
        libc::pthread_sigmask(libc::SIG_BLOCK, &s, std::ptr::null_mut());
    }
}

/// Waits up to `timeout` for one of the signals.
pub fn wait(timeout: Duration) -> Option<Request> {
    let s = set();
    let ts = libc::timespec {
        tv_sec: timeout.as_secs() as _,
        tv_nsec: libc::c_long::from(timeout.subsec_nanos() as i32),
    };
    // SAFETY: `s` and `ts` are initialised; a null siginfo pointer is allowed.
    let sig = unsafe { libc::sigtimedwait(&s, std::ptr::null_mut(), &ts) };
    match sig {
        libc::SIGTERM => Some(Request::Stop("SIGTERM")),
        libc::SIGINT => Some(Request::Stop("SIGINT")),
        libc::SIGHUP => Some(Request::Reopen),
        _ => None, // timeout (EAGAIN) or EINTR
    }
}
