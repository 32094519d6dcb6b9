//! Bounds-checked byte access for the decoders and a small writer for the
//! encoders. Nothing here panics on short input: reads past the end give
//! `None` (or zero, for the `_or0` forms the lax decoders use).

/// A read cursor over one DSR body or record.
#[derive(Clone, Copy)]
pub(crate) struct Rd<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Rd<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Rd<'a> {
        Rd { b, pos: 0 }
    }

    /// Takes the next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).and_then(|s| s.try_into().ok())
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|a| a[0])
    }
    pub(crate) fn be16(&mut self) -> Option<u16> {
        self.array().map(u16::from_be_bytes)
    }
    pub(crate) fn le16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }
    pub(crate) fn be32(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }
    pub(crate) fn le32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
    pub(crate) fn be64(&mut self) -> Option<u64> {
        self.array().map(u64::from_be_bytes)
    }
    pub(crate) fn be128(&mut self) -> Option<u128> {
        self.array().map(u128::from_be_bytes)
    }

    /// A BE u32, or 0 past the end (for lax reads of short DSRs).
    pub(crate) fn be32_or0(&mut self) -> u32 {
        self.be32().unwrap_or(0)
    }

    /// Unsigned big-endian value of `width` bytes (1, 2, 4 or 8).
    pub(crate) fn uint(&mut self, width: usize) -> Option<u64> {
        match width {
            1 => self.u8().map(u64::from),
            2 => self.be16().map(u64::from),
            4 => self.be32().map(u64::from),
            8 => self.be64(),
            _ => None,
        }
    }

    pub(crate) fn remaining(&self) -> &'a [u8] {
        self.b.get(self.pos..).unwrap_or(&[])
    }
}

/// Appends big-endian (and the few little-endian) values to a buffer.
pub(crate) struct Wr<'a>(pub(crate) &'a mut Vec<u8>);

impl Wr<'_> {
    pub(crate) fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    pub(crate) fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.0.extend_from_slice(v);
        self
    }
    pub(crate) fn be16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_be_bytes())
    }
    pub(crate) fn le16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub(crate) fn be32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_be_bytes())
    }
    pub(crate) fn le32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub(crate) fn be64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_be_bytes())
    }
    pub(crate) fn be128(&mut self, v: u128) -> &mut Self {
        self.bytes(&v.to_be_bytes())
    }
    /// Big-endian value truncated to `width` bytes (1, 2, 4 or 8).
    pub(crate) fn uint(&mut self, width: usize, v: u64) -> &mut Self {
        match width {
            1 => self.u8(v as u8),
            2 => self.be16(v as u16),
            4 => self.be32(v as u32),
            _ => self.be64(v),
        }
    }
    /// Zero bytes up to the next multiple of 4 counted from `start`.
    pub(crate) fn pad_to_word(&mut self, start: usize) -> &mut Self {
        while !(self.0.len() - start).is_multiple_of(4) {
            self.0.push(0);
        }
        self
    }
}

/// Fixed-offset reads from a byte array. With constant offsets the bounds
/// checks are resolved at compile time (an out-of-range constant offset
/// does not compile), which makes these the fast path of the decoders.
#[inline(always)]
pub(crate) fn be16_at<const N: usize>(b: &[u8; N], i: usize) -> u16 {
    u16::from_be_bytes([b[i], b[i + 1]])
}

#[inline(always)]
pub(crate) fn be32_at<const N: usize>(b: &[u8; N], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

#[inline(always)]
pub(crate) fn arr_at<const N: usize, const M: usize>(b: &[u8; N], i: usize) -> [u8; M] {
    let mut out = [0u8; M];
    out.copy_from_slice(&b[i..i + M]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end() {
        let mut r = Rd::new(&[1, 2, 3]);
        assert_eq!(r.be16(), Some(0x0102));
        assert_eq!(r.be16(), None);
        assert_eq!(r.u8(), Some(3));
        assert_eq!(r.u8(), None);
        assert_eq!(r.be32_or0(), 0);
        assert!(r.remaining().is_empty());
    }
}
