//! Opening record inputs: memory-mapped plain files, compressed files
//! (recognised by magic bytes), stdin, directory trees, remote streams.
