//! The `ra` role: read records, select them, and print them — or, with
//! `-w`, write them to archives.
//!
//! The stages: the shared option parser ([`crate::client::options`]), the
//! inputs in order as one stream ([`reader`]), argus's record selection
//! ([`Selector`]), and ra's output rules ([`Emitter`]: what is printed, what
//! goes to `-w`/`-E` files), run on every core by [`parallel::run`] (output
//! in input order). Then the `-A` line and the exit status.

use std::ffi::OsString;

use crate::client::emit::{EmitOutput, Emitter};
use crate::client::options::{ClientOptions, RoleSpec};
use crate::client::select::Selector;
use crate::client::{parallel, reader, role, usage};
use crate::codec::SlotSet;
use crate::diag::{Fatal, EXIT_OK};

pub const SPEC: RoleSpec =
    RoleSpec { name: "ra", usage: usage::ra, long_options: &[], long_parser: None };

/// Runs `ra` with `args` (args[0] is the role name) and returns the exit status.
pub fn main(args: Vec<OsString>) -> i32 {
    role::run(&SPEC, args, run)
}

fn run(opts: ClientOptions) -> Result<i32, Fatal> {
    // ra checks the -w filters and the columns before the main filter.
    let mut emitter = Emitter::new(&opts)?;
    let mut output = EmitOutput::new(&opts, &emitter)?;
    let filter = match opts.filter.effective() {
        Some(expr) => Some(role::compile_filter(&opts.prog, expr, opts.print.precision)?),
        None => None,
    };
    let mut selector = Selector::new(&opts, filter).map_err(Fatal::err)?;
    emitter.read_only_with(selector.judge.decode_for(SlotSet::ALL));

    let ended = parallel::run(&opts, &mut selector, &emitter, &mut output)?;

    let summary = opts.summary.then(|| selector.totals.summary_line(&selector.counter));
    output.finish(summary)?;
    if ended == reader::Ended::Stopped {
        // ra ends on its output limit (or a closed pipe) with status 0.
        return Ok(EXIT_OK);
    }
    Ok(selector.totals.exit_status(&selector.counter, selector.is_selective()))
}
