//! The `racount` role: count the selected flow records, their packets and
//! bytes, and with `-M proto` / `-M addr` per protocol and per address
//! category, then print racount's report.
//!
//! The stages: the shared options, argus's record selection
//! ([`Selector`]), the tallies on every core ([`Counter`] through
//! [`parallel::run`], merged in reading order), the report.

use std::ffi::OsString;
use std::io::Write;

use crate::client::count::{Counter, Tally, Totalled};
use crate::client::options::{ClientOptions, RoleSpec};
use crate::client::select::Selector;
use crate::client::{parallel, printing, reader, role, usage};
use crate::codec::{DecodeOptions, SlotSet};
use crate::diag::Fatal;

pub const SPEC: RoleSpec =
    RoleSpec { name: "racount", usage: usage::racount, long_options: &[], long_parser: None };

/// Runs `racount` with `args` (args[0] is the role name) and returns the
/// exit status.
pub fn main(args: Vec<OsString>) -> i32 {
    role::run(&SPEC, args, run)
}

/// racount's `-M` words: 3.0.8.2 compares the first four letters, case
/// aside (`protocol` is `proto`, `addresses` is `addr`).
fn has_mode(opts: &ClientOptions, word: &str) -> bool {
    let w = &word.as_bytes()[..4];
    opts.modes.iter().any(|m| m.as_bytes().get(..4).is_some_and(|m| m.eq_ignore_ascii_case(w)))
}

/// The plain sums of plain files, read in one pass over their bytes
/// ([`Counter::tally_raw`], through [`reader::raw_inputs`]). False, with
/// nothing counted, when some input needs the ordinary reader.
fn raw_run(
    opts: &ClientOptions,
    selector: &mut Selector,
    counter: &Counter,
    total: &mut Tally,
) -> Result<bool, Fatal> {
    let mut own = Tally::default();
    let raw = reader::raw_inputs(opts, selector, |bytes| counter.tally_raw(&mut own, bytes))?;
    if raw {
        total.append(&mut own);
    }
    Ok(raw)
}

fn run(opts: ClientOptions) -> Result<i32, Fatal> {
    let filter = match opts.filter.effective() {
        Some(expr) => Some(role::compile_filter(&opts.prog, expr, opts.print.precision)?),
        None => None,
    };
    let print = printing::print_options(&opts)?;
    let mut counter = Counter::new(
        has_mode(&opts, "proto"),
        has_mode(&opts, "addr"),
        has_mode(&opts, "rmon"),
        &print,
    );
    let mut selector = Selector::new(&opts, filter).map_err(Fatal::err)?;
    // The sums read the counters, the protocol lines the key and the
    // network object: all in what the selection reads anyway.
    counter.decode = selector.judge.decode_for(SlotSet::NONE);
    if selector.judge.reads_nothing() && !(counter.proto || counter.addr || counter.rmon) {
        // Plain sums: the counters are read from the record bytes.
        counter.lean = true;
        counter.decode = DecodeOptions::read_only(SlotSet::NONE);
    }
    let mut total = Totalled::default();
    let raw = counter.lean && raw_run(&opts, &mut selector, &counter, &mut total.0)?;
    if !raw {
        parallel::run(&opts, &mut selector, &counter, &mut total)?;
    }

    let report = counter.report(&total.0);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(report.as_bytes());
    let _ = out.flush();
    Ok(selector.totals.exit_status(&selector.counter, selector.is_selective()))
}
