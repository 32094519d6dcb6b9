//! The `rasort` role: read the records, sort them by the `-m` keys (glibc's
//! merge sort over rasort's comparisons, so ties keep input order), and
//! print or write them as `ra` would.
//!
//! The stages: the shared options, the sort keys ([`SortSpec`]), key
//! collection on every core ([`KeyCollector`] through [`parallel::run`]),
//! the sort ([`SortTable::sorted`]), and ra's output rules for sorted
//! records ([`Emitter::for_sorted`], `-N o` ranks included).

use std::ffi::OsString;

use crate::client::emit::{EmitOutput, Emitter};
use crate::client::options::{ClientOptions, RoleSpec};
use crate::client::parallel::{self, Job};
use crate::client::select::Selector;
use crate::client::sorted::{KeyCollector, SortTable};
use crate::client::{printing, role, usage};
use crate::codec::{self, SlotSet};
use crate::diag::{Fatal, EXIT_OK};
use crate::print::Printer;
use crate::record::Record;
use crate::sort::SortSpec;

pub const SPEC: RoleSpec =
    RoleSpec { name: "rasort", usage: usage::rasort, long_options: &[], long_parser: None };

/// Runs `rasort` with `args` (args[0] is the role name) and returns the
/// exit status.
pub fn main(args: Vec<OsString>) -> i32 {
    role::run(&SPEC, args, run)
}

fn run(opts: ClientOptions) -> Result<i32, Fatal> {
    if opts.has_mode("replace") {
        return Err(Fatal::err("-M replace is not supported; sort into a new file with -w"));
    }
    // rasort checks the -w filters and the columns, then the filter, then
    // its sort keys.
    let mut emitter = Emitter::for_sorted(&opts)?;
    let filter = match opts.filter.effective() {
        Some(expr) => Some(role::compile_filter(&opts.prog, expr, opts.print.precision)?),
        None => None,
    };
    let spec = SortSpec::parse(&opts.sort_words, &opts.mask_words, opts.reverse > 0)
        .map_err(|e| Fatal::err(e.to_string()))?;
    let mut output = EmitOutput::new(&opts, &emitter)?;
    let mut selector = Selector::new(&opts, filter).map_err(Fatal::err)?;
    // The sorted records are decoded again only to be printed (as by ra).
    emitter.read_only_with(selector.judge.decode_for(SlotSet::ALL));

    let view = Printer::new(printing::print_options(&opts)?).view_options();
    let decode = selector.judge.decode_for(spec.slots());
    let collector = KeyCollector::new(spec, view, decode);
    let mut table = SortTable::default();
    parallel::run(&opts, &mut selector, &collector, &mut table)?;

    if let Some(mar) = table.first_mar() {
        if let Ok(Record::Mar(m)) = codec::decode(mar) {
            emitter.initial_mar(&m);
        }
    }
    let order = table.sorted(&collector, &selector.judge);
    table.replay(&order, &selector.judge, &emitter, &mut output)?;
    output.finish(None)?;
    let status = selector.totals.exit_status(&selector.counter, selector.is_selective());
    Ok(if status == EXIT_OK { EXIT_OK } else { status })
}
