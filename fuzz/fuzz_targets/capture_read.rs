#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    argus_tool::capture::fuzz_read(data);
});
