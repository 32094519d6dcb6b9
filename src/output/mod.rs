//! Record sinks: the archive writer (`argus -w file ["filter"]`, `-w -`).
//! Shared with the clients' `ra -w`.

pub mod archive;

pub use archive::ArchiveWriter;
