//! The `raxml` role: the records as one XML document, what `ra -M xml`
//! prints (root `ArgusDataStream`, one element per record, one attribute
//! per `-s` field named after its label). It is `ra` with the XML printer
//! always on: the same options, filter, `-s` choices and inputs. The
//! document's schema is `conf/argus-xml.xsd`.

use std::ffi::OsString;

use crate::client::emit::Emitter;
use crate::client::options::{ClientOptions, RoleSpec};
use crate::client::select::Selector;
use crate::client::{reader, role};
use crate::diag::{Fatal, EXIT_OK};

const USAGE: &str = "\
Raxml Version 3.0.8.2
usage: {prog} [options] [- filter-expression]
         prints the records as an XML document (ra -M xml); the options are ra's:
options: -A                     print record summaries on termination.
         -F <conffile>          read configuration from <conffile>.
         -h                     print help.
         -M <option>            specify a Mode of operation (man: include management records).
         -n                     don't convert numbers to names.
         -N [io]<num>           process the first <num> records in the stream.
         -p <digits>            print fractional time with <digits> precision.
         -r <file ...>          read argus data from <file>. '-' denotes stdin.
         -R <dir>               recursively process files in directory
         -s [-][+[#]]field[:w]  specify fields to print (attributes, in order).
         -S <host[:port]>       specify remote argus and optional port number
         -t <timerange>         specify <timerange> for reading records.
         -u                     print time in Unix time format.
         -X                     don't read default rarc file.
";

fn usage(prog: &str) -> String {
    USAGE.replace("{prog}", prog)
}

pub const SPEC: RoleSpec = RoleSpec { name: "raxml", usage, long_options: &[], long_parser: None };

/// Runs `raxml` with `args` (args[0] is the role name) and returns the exit status.
pub fn main(args: Vec<OsString>) -> i32 {
    role::run(&SPEC, args, run)
}

fn run(mut opts: ClientOptions) -> Result<i32, Fatal> {
    // What `-M xml` sets; -w is not for an XML printer.
    opts.print.xml = true;
    opts.print.label_every = 0;
    opts.writes.clear();
    opts.except_file = None;
    let mut emitter = Emitter::new(&opts)?;
    let filter = match opts.filter.effective() {
        Some(expr) => Some(role::compile_filter(&opts.prog, expr, opts.print.precision)?),
        None => None,
    };
    let mut selector = Selector::new(&opts, filter).map_err(Fatal::err)?;
    let ended = reader::read_all(&opts, &mut selector, &mut emitter)?;
    emitter.finish(None)?;
    if ended == reader::Ended::Stopped {
        return Ok(EXIT_OK);
    }
    Ok(selector.totals.exit_status(&selector.counter, selector.is_selective()))
}
