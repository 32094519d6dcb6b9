//! `argus_tool::fuzzing::decompress` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("decompress").expect("listed target"))(data);
});
