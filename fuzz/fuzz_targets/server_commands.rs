//! `argus_tool::fuzzing::server_commands` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (argus_tool::fuzzing::target("server_commands").expect("listed target"))(data);
});
