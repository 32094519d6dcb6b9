//! Any input read as an argus stream: every record the scanner delivers
//! decodes, re-encodes to the same bytes, and decodes to the same model;
//! the read-only fast path and the chunk index agree with the scanner.
#![no_main]
use argus_tool::codec::{self, index, DecodeOptions, RecordBuf, Records, SlotSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Let short inputs reach the record loop: prefix a valid initial MAR
    // when the input has none.
    let mut owned;
    let data = if data.len() > 16 && data[8..12] == [0xe5, 0x71, 0x2d, 0xcb] {
        data
    } else {
        owned = vec![0u8; 128];
        owned[..4].copy_from_slice(&[0x83, 0x10, 0x00, 0x20]);
        owned[8..12].copy_from_slice(&[0xe5, 0x71, 0x2d, 0xcb]);
        owned.extend_from_slice(data);
        &owned
    };
    let mut rb = RecordBuf::new();
    let mut ro = RecordBuf::with_options(DecodeOptions::read_only(SlotSet::ALL));
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    let mut records = Records::new(data);
    for r in records.by_ref() {
        offsets.push(r.offset);
        let rec = rb.decode(r.bytes).expect("scanner delivers decodable records").clone();
        out.clear();
        codec::encode(&rec, &mut out).expect("decoded records encode");
        assert_eq!(out, r.bytes, "decode -> encode is the identity");
        let again = codec::decode(&out).unwrap();
        assert_eq!(again, rec, "decode -> encode -> decode");
        let _ = ro.decode(r.bytes).unwrap();
        if let argus_tool::record::Record::Flow(mut f) = rec {
            f.forget_layout();
            out.clear();
            if codec::encode_flow(&f, &mut out).is_ok() {
                let _ = codec::decode(&out).unwrap();
            }
        }
    }
    let end = records.end();
    let (chunks, end2) = index::chunks(data, 64);
    assert_eq!(Some(end2), end);
    let from_chunks: Vec<u64> = chunks
        .iter()
        .flat_map(|c| Records::range(data, c.start, c.end).map(|r| r.offset))
        .collect();
    assert_eq!(from_chunks, offsets);
});
