//! Record sinks: archive files (`-w file [filter]`), stdout, and the TCP
//! server for remote clients.

pub mod append;
