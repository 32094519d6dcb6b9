//! Magic-byte sniffing and every decompressor, then the record scanner on
//! whatever comes out.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(out) = argus_tool::archive::decompress::decompress_all(data) {
        for r in argus_tool::codec::Records::new(&out) {
            let _ = argus_tool::codec::decode(r.bytes);
        }
    }
});
