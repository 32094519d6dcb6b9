//! The `ramon` role.

use std::ffi::OsString;

/// Runs `ramon` with `args` (args[0] is the role name) and returns the exit status.
pub fn main(args: Vec<OsString>) -> i32 {
    let _ = args;
    crate::diag::log("ramon", "not implemented yet");
    crate::diag::EXIT_FAIL
}
