//! `argus_tool::fuzzing::remote_handshake` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("remote_handshake").expect("listed target"))(data);
});
