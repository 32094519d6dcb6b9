//! Broken-down local time through the C library, so that time ranges and
//! printed times follow `TZ` exactly as the Argus tools do (`mktime`
//! normalisation, DST rules from the system zone files).
//!
//! `RA_TZ` and `-M TZ=zone` change the process's `TZ` while options are
//! parsed; [`set_timezone`] does that and re-reads the zone.

/// `struct tm` as the time-range code manipulates it.
pub type Tm = libc::tm;

extern "C" {
    fn tzset();
}

/// A zeroed `struct tm`.
pub fn zeroed() -> Tm {
    // SAFETY: `struct tm` is plain old data; all-zero (with a null
    // `tm_zone`) is a valid value.
    unsafe { std::mem::zeroed() }
}

/// `localtime_r(t)`.
pub fn localtime(t: i64) -> Tm {
    let mut tm = zeroed();
    let secs = t as _;
    // SAFETY: both pointers refer to live, properly aligned locals; on
    // failure localtime_r leaves `tm` zeroed, which callers tolerate.
    unsafe {
        libc::localtime_r(&secs, &mut tm);
    }
    tm
}

/// `mktime(tm)`: normalises `tm` in place and returns the epoch seconds.
pub fn mktime(tm: &mut Tm) -> i64 {
    // SAFETY: `tm` is a valid exclusive reference to a `struct tm`.
    unsafe { libc::mktime(tm) as i64 }
}

/// Sets `TZ` for this process (argus's `setenv("TZ", ...); tzset()`).
/// Called while options are parsed, before any thread exists.
/// A NUL ends the zone, as it ends setenv's C string (an rc file can hold
/// one; `set_var` would panic on it).
pub fn set_timezone(zone: &str) {
    let zone = zone.split('\0').next().unwrap_or_default();
    std::env::set_var("TZ", zone);
    // SAFETY: tzset has no preconditions; it re-reads TZ.
    unsafe { tzset() }
}

/// The wall clock in seconds and microseconds.
pub fn now() -> (i64, u32) {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    (d.as_secs() as i64, d.subsec_micros())
}
