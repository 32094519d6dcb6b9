//! The integration test binary: runs the built `argus-tool` both as
//! `argus-tool <role>` and through argv[0] symlinks. TZ is pinned to UTC.

mod util;

mod archive;
mod argus;
mod cases;
mod codec;
mod dispatch;
mod filter_diff;
mod install;
mod live;
mod print;
mod ra;
mod ramon;
mod raxml;
mod sortcount;
mod static_build;
mod timerange;
