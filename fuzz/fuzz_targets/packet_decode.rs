//! `argus_tool::fuzzing::packet_decode` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("packet_decode").expect("listed target"))(data);
});
