//! The integration test binary: runs the built `argus-tool` both as
//! `argus-tool <role>` and through argv[0] symlinks. TZ is pinned to UTC.

mod util;

mod archive;
mod argus;
mod argus_conf;
mod cases;
mod codec;
mod daemon;
mod dispatch;
mod filter_diff;
mod gen_capture;
mod hostile;
mod install;
mod live;
mod load;
mod print;
mod ra;
mod ramon;
mod raxml;
mod soak;
mod sortcount;
mod static_build;
mod timerange;
mod traffic;
