//! `argus_tool::fuzzing::capture_read` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("capture_read").expect("listed target"))(data);
});
