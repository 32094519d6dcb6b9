//! `argus_tool::fuzzing::record_roundtrip` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("record_roundtrip").expect("listed target"))(data);
});
