//! The client's text parsers on arbitrary bytes: rc files, `-t` time
//! ranges, `-N` limits and the getopt scanner. Errors are fine; panics are
//! not.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    argus_tool::client::fuzz_text(data);
});
