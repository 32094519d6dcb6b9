//! Record sinks: archive files (`-w file [filter]`), stdout, and the TCP
//! server for remote clients. `append` is the clients' writer (`ra -w`:
//! appends, a start MAR only on a new file); `archive` is argus's (a start
//! MAR whenever it opens an output, as argus 3.0.8.2 does).

pub mod append;
pub mod archive;

pub use archive::ArchiveWriter;
