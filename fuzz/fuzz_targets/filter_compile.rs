//! `argus_tool::fuzzing::filter_compile` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("filter_compile").expect("listed target"))(data);
});
