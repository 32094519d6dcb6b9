//! Record sinks: archive files (`-w file [filter]`), stdout, and the TCP
//! server for remote clients. `append` is the clients' writer (`ra -w`:
//! appends, a start MAR only on a new file); `archive` is argus's (a start
//! MAR whenever it opens an output, as argus 3.0.8.2 does); `encoder` is
//! the per-output record buffer both argus sinks use; `fanout` hands each
//! record to every file and remote client; `server` is port 561.

pub mod append;
pub mod archive;
pub mod encoder;
pub mod fanout;
pub mod server;

pub use archive::ArchiveWriter;
