//! What every ra-family client (ra, rasort, racount, ramon, raxml) shares:
//! the command line as Argus 3.0.8.2 parses it, the rc files, time ranges,
//! record limits, `-M` modes, and the run totals behind `-A` and the exit
//! status.
//!
//! A role builds a [`RoleSpec`](options::RoleSpec) (its name, usage text,
//! extra long options) and calls [`options::parse`]; it gets a
//! [`ClientOptions`](options::ClientOptions) with everything resolved.

pub mod direction;
pub mod getopt;
pub mod grep;
pub mod inputs;
pub mod limits;
pub mod localtime;
pub mod modes;
pub mod options;
pub mod printing;
pub mod rc;
pub mod reader;
pub mod role;
pub mod select;
pub mod timerange;
pub mod totals;
pub mod usage;
