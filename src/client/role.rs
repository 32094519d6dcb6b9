//! The frame every client role runs in: parse the options, print the usage
//! or a fatal error the Argus way, run the role, map the outcome to an exit
//! status.

use std::ffi::OsString;
use std::io::Write;

use super::options::{parse, ClientOptions, ParseError, RoleSpec};
use crate::diag::{self, Fatal};

/// argv as strings (file names that are not UTF-8 are taken lossily).
pub fn argv_strings(args: Vec<OsString>) -> Vec<String> {
    args.into_iter().map(|a| a.to_string_lossy().into_owned()).collect()
}

/// Runs a client role: `body` gets the parsed options and returns the exit
/// status, or a fatal error that is logged as `prog[pid]: time message`.
pub fn run(
    spec: &RoleSpec,
    args: Vec<OsString>,
    body: impl FnOnce(ClientOptions) -> Result<i32, Fatal>,
) -> i32 {
    let argv = argv_strings(args);
    let prog = argv
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| spec.name.to_string());
    match parse(spec, argv) {
        Err(ParseError::Usage) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all((spec.usage)(&prog).as_bytes());
            let _ = out.flush();
            diag::EXIT_FAIL
        }
        Err(ParseError::Fatal(f)) => {
            diag::log(&prog, &f.message);
            f.status
        }
        Ok(opts) => match body(opts) {
            Ok(code) => code,
            Err(f) => {
                diag::log(&prog, &f.message);
                f.status
            }
        },
    }
}

/// ra's message for a filter that does not compile: the expression, cut to
/// 20 characters plus ` ...` when longer.
pub fn filter_syntax_message(expr: &str) -> String {
    if expr.chars().count() > 20 {
        let head: String = expr.chars().take(20).collect();
        format!("filter syntax error: '{head} ...'")
    } else {
        format!("filter syntax error: '{expr}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_filters_are_cut_like_ra() {
        assert_eq!(filter_syntax_message("bytes > 100"), "filter syntax error: 'bytes > 100'");
        assert_eq!(
            filter_syntax_message("tcp and port 80 and not host 1.2.3.4"),
            "filter syntax error: 'tcp and port 80 and  ...'"
        );
    }
}
