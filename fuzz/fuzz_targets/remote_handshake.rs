//! The client side of the port-561 handshake against arbitrary server
//! bytes, then the record stream that follows.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = argus_tool::archive::remote::handshake_with(data, Some("tcp"));
    let _ = argus_tool::archive::remote::handshake_with(data, None);
});
