//! `argus_tool::fuzzing::rc_file` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("rc_file").expect("listed target"))(data);
});
