//! The server side of the port-561 protocol: whatever a remote client
//! sends is split into commands and any filter in it compiled.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    argus_tool::output::server::protocol::fuzz_commands(data);
});
