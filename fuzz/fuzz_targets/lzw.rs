//! `argus_tool::fuzzing::lzw` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("lzw").expect("listed target"))(data);
});
