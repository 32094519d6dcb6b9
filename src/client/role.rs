//! The frame every client role runs in: parse the options, print the usage
//! or a fatal error the Argus way, run the role, map the outcome to an exit
//! status.

use std::ffi::OsString;
use std::io::Write;

use super::options::{parse, ClientOptions, ParseError, RoleSpec, WriteSpec};
use crate::diag::{self, Fatal};
use crate::filter::Filter;

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

/// Compiles a filter expression with ra's precision for float comparisons.
/// On failure the specific message, when ra prints one, is logged now and
/// ra's `filter syntax error: '...'` line is the fatal error.
pub fn compile_filter(prog: &str, expr: &str, precision: i32) -> Result<Filter, Fatal> {
    compile_filter_or(prog, expr, precision, None)
}

/// As [`compile_filter`]; `fatal` replaces ra's final line (a `-w` filter
/// ends with "setArgusWfile: ArgusFilterCompile returned error").
pub fn compile_filter_or(
    prog: &str,
    expr: &str,
    precision: i32,
    fatal: Option<&str>,
) -> Result<Filter, Fatal> {
    match Filter::compile(expr) {
        Ok(mut f) => {
            f.set_precision(precision.max(0) as u32);
            Ok(f)
        }
        Err(e) => {
            let mut lines = e.report_lines(expr);
            let last = lines.pop().unwrap_or_else(|| format!("filter syntax error: '{expr}'"));
            for line in lines {
                diag::log(prog, &line);
            }
            Err(Fatal::err(fatal.map_or(last, str::to_string)))
        }
    }
}

/// The filter of a `-w file "filter"` output, compiled (`None` without
/// one); a bad one ends the run as 3.0.8.2's `setArgusWfile` does.
pub fn compile_write_filter(opts: &ClientOptions, w: &WriteSpec) -> Result<Option<Filter>, Fatal> {
    w.filter
        .as_deref()
        .map(|f| {
            compile_filter_or(
                &opts.prog,
                f,
                opts.print.precision,
                Some("setArgusWfile: ArgusFilterCompile returned error"),
            )
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_errors_end_with_ras_syntax_line() {
        let e = compile_filter("ra", "bytes > 100", 6).err().unwrap();
        assert_eq!(e.message, "filter syntax error: 'bytes > 100'");
        let e = compile_filter("ra", "tcp and port 80 and not host", 6).err().unwrap();
        assert_eq!(e.message, "filter syntax error: 'tcp and port 80 and  ...'");
        assert!(compile_filter("ra", "tcp and port 80", 6).is_ok());
    }
}
