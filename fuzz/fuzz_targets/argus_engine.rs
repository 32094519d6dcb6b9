//! `argus_tool::fuzzing::argus_engine` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("argus_engine").expect("listed target"))(data);
});
