//! DSR headers and the length rule, and the dispatch from a DSR's type to
//! its decoder.
//!
//! Header: `type subtype qual len8`, or `type subtype len16` when the
//! subtype has bit 0x80. Length rule of `ra` 3.0.8.2 (exactly): an
//! "immediate" DSR (type bit 0x80) is one word; otherwise a subtype with
//! bit 0x80 means a BE u16 length at bytes 2-3; otherwise byte 3. Lengths
//! count words, header included.

/// Outcome of decoding one DSR into the model.
pub(crate) enum Dec<T> {
    /// Decoded; the encoder gives back exactly the bytes read.
    Exact(T),
    /// Decoded as `ra` would read it, but the stored form has more (or
    /// other) bytes than the model keeps: the bytes are kept raw for writing.
    Lossy(T),
    /// Not decodable into the model: kept raw only.
    Raw,
}

impl<T> Dec<T> {
    /// What a reader sees: the decoded value, exact or not.
    #[inline]
    pub(crate) fn value(self) -> Option<T> {
        match self {
            Dec::Exact(v) | Dec::Lossy(v) => Some(v),
            Dec::Raw => None,
        }
    }
}

/// Length in bytes of the DSR starting with these header bytes, by `ra`'s
/// rule. `None` if fewer than 4 header bytes are available.
#[inline]
pub fn dsr_len(b: &[u8]) -> Option<usize> {
    Some(dsr_words(*b.first_chunk::<4>()?) * 4)
}

/// Length in 32-bit words of the DSR with this header, by `ra`'s rule: one
/// word for the short form (bit 7 of the type), a 16-bit length when bit 7
/// of the subtype says so, else the 8-bit length byte.
#[inline(always)]
pub fn dsr_words(h: [u8; 4]) -> usize {
    if h[0] & 0x80 != 0 {
        1
    } else if h[1] & 0x80 != 0 {
        usize::from(u16::from_be_bytes([h[2], h[3]]))
    } else {
        usize::from(h[3])
    }
}

/// The DSR that starts at byte `pos` of `record` as (subtype, qualifier,
/// length byte, body); `None` for `pos` 0 (the record header: "no such
/// DSR" in the offset tables of the raw readers), a DSR shorter than its
/// own header, or one that runs past the record's end.
#[inline]
pub fn dsr_at(record: &[u8], pos: usize) -> Option<(u8, u8, u8, &[u8])> {
    if pos == 0 {
        return None;
    }
    let rest = record.get(pos..)?;
    let n = dsr_len(rest).filter(|n| *n >= 4)?;
    let d = rest.get(..n)?;
    Some((d[1], d[2], d[3], &d[4..]))
}

/// Writes the 8-bit length of the DSR that starts at `start` (its bytes
/// run to the end of `out`). A DSR too long for 8 bits gets length 0,
/// which the flow encoder detects and reports.
pub(crate) fn set_len8(out: &mut [u8], start: usize) {
    let words = out.len().saturating_sub(start) / 4;
    if let Some(b) = out.get_mut(start + 3) {
        *b = u8::try_from(words).unwrap_or(0);
    }
}
