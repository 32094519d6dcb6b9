//! `argus_tool::fuzzing::client_text` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("client_text").expect("listed target"))(data);
});
