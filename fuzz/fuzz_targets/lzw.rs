//! The Unix compress (.Z) decoder on arbitrary bytes: errors, never panics
//! or loops; valid-looking headers are forced to reach the code reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = argus_tool::archive::lzw::decompress(data);
    let mut z = vec![0x1f, 0x9d, 0x80 | (9 + data.first().copied().unwrap_or(0) % 8)];
    z.extend_from_slice(data.get(1..).unwrap_or(&[]));
    let _ = argus_tool::archive::lzw::decompress(&z);
});
