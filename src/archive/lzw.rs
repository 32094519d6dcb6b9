//! Unix `compress` (`.Z`) decoder: LZW with 9..16-bit codes read LSB
//! first, block mode (code 256 = CLEAR, first free code 257), and the
//! quirk that sinks GIF-style decoders: after every change of code width
//! and after a CLEAR, the reader skips to the end of the current group of
//! eight codes (`n_bits` bytes), because that is where compress flushed its
//! output buffer. Bit-for-bit what gzip's `unlzw` and ncompress read.
//!
//! [`LzwReader`] decodes a stream incrementally (bounded memory: the code
//! tables plus a small window of input); [`decompress`] is the
//! `fn(&[u8])` entry point the fuzz target uses.

use std::io::{self, Read};

const MAGIC: [u8; 2] = [0x1f, 0x9d];
const INIT_BITS: u32 = 9;
const MAX_BITS: u32 = 16;
const CLEAR: u32 = 256;
const BLOCK_MODE: u8 = 0x80;
const BIT_MASK: u8 = 0x1f;

/// A `.Z` decompressing reader.
pub struct LzwReader<R> {
    inner: R,
    /// Unconsumed input; `inbuf[0]` is at absolute bit `in_base`.
    inbuf: Vec<u8>,
    in_base: u64,
    in_eof: bool,
    /// Absolute bit position of the next code.
    pos: u64,
    /// Where the current group-aligned segment started (bits).
    seg_start: u64,
    n_bits: u32,
    maxbits: u32,
    maxcode: u32,
    maxmaxcode: u32,
    block_mode: bool,
    free_ent: u32,
    oldcode: Option<u32>,
    finchar: u8,
    prefix: Vec<u16>,
    suffix: Vec<u8>,
    stack: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    started: bool,
    done: bool,
}

fn corrupt(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("compress (.Z) data: {msg}"))
}

impl<R: Read> LzwReader<R> {
    pub fn new(inner: R) -> LzwReader<R> {
        LzwReader {
            inner,
            inbuf: Vec::new(),
            in_base: 0,
            in_eof: false,
            pos: 0,
            seg_start: 0,
            n_bits: INIT_BITS,
            maxbits: MAX_BITS,
            maxcode: (1 << INIT_BITS) - 1,
            maxmaxcode: 1 << MAX_BITS,
            block_mode: true,
            free_ent: 257,
            oldcode: None,
            finchar: 0,
            prefix: vec![0; 1 << MAX_BITS],
            suffix: (0..1u32 << MAX_BITS).map(|i| i as u8).collect(),
            stack: Vec::with_capacity(1 << MAX_BITS),
            out: Vec::with_capacity(1 << 16),
            out_pos: 0,
            started: false,
            done: false,
        }
    }

    /// Reads more input; false at its end.
    fn fill(&mut self) -> io::Result<bool> {
        if self.in_eof {
            return Ok(false);
        }
        // Drop whole bytes before the next code.
        let consumed = ((self.pos.saturating_sub(self.in_base)) / 8) as usize;
        let consumed = consumed.min(self.inbuf.len());
        if consumed > 0 {
            self.inbuf.drain(..consumed);
            self.in_base += consumed as u64 * 8;
        }
        let old = self.inbuf.len();
        self.inbuf.resize(old + 64 * 1024, 0);
        let n = loop {
            match self.inner.read(&mut self.inbuf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.inbuf.truncate(old);
                    return Err(e);
                }
            }
        };
        self.inbuf.truncate(old + n);
        if n == 0 {
            self.in_eof = true;
        }
        Ok(n > 0)
    }

    /// Input bits available from the absolute position `self.pos` on.
    fn avail_bits(&self) -> u64 {
        (self.in_base + self.inbuf.len() as u64 * 8).saturating_sub(self.pos)
    }

    fn header(&mut self) -> io::Result<()> {
        while self.inbuf.len() < 3 && self.fill()? {}
        let h = self.inbuf.get(..3).ok_or_else(|| corrupt("missing header"))?;
        if h[..2] != MAGIC {
            return Err(corrupt("bad magic"));
        }
        self.maxbits = u32::from(h[2] & BIT_MASK);
        self.block_mode = h[2] & BLOCK_MODE != 0;
        if !(INIT_BITS..=MAX_BITS).contains(&self.maxbits) {
            return Err(corrupt(&format!("unsupported maximum code width {}", self.maxbits)));
        }
        self.maxmaxcode = 1 << self.maxbits;
        self.free_ent = if self.block_mode { 257 } else { 256 };
        self.pos = 24;
        self.seg_start = 24;
        self.started = true;
        Ok(())
    }

    /// Skips to the end of the current group of eight codes.
    fn align_group(&mut self) {
        let group = u64::from(self.n_bits) * 8;
        let into = (self.pos - self.seg_start) % group;
        if into != 0 {
            self.pos += group - into;
        }
        self.seg_start = self.pos;
    }

    /// The next code, or `None` at the end of the input.
    fn next_code(&mut self) -> io::Result<Option<u32>> {
        while self.avail_bits() < u64::from(self.n_bits) {
            if !self.fill()? {
                return Ok(None);
            }
        }
        let rel = self.pos - self.in_base;
        let byte = (rel / 8) as usize;
        let shift = (rel % 8) as u32;
        let mut v: u32 = 0;
        for i in 0..3 {
            v |= u32::from(self.inbuf.get(byte + i).copied().unwrap_or(0)) << (8 * i);
        }
        self.pos += u64::from(self.n_bits);
        Ok(Some((v >> shift) & ((1 << self.n_bits) - 1)))
    }

    /// Decodes codes until some output is ready or the data ends.
    fn decode_some(&mut self) -> io::Result<()> {
        if !self.started {
            self.header()?;
        }
        self.out.clear();
        self.out_pos = 0;
        while self.out.len() < 32 * 1024 {
            if self.free_ent > self.maxcode {
                self.align_group();
                self.n_bits += 1;
                self.maxcode = if self.n_bits == self.maxbits {
                    self.maxmaxcode
                } else {
                    (1 << self.n_bits) - 1
                };
            }
            let Some(code) = self.next_code()? else {
                self.done = true;
                return Ok(());
            };
            let Some(old) = self.oldcode else {
                if code >= 256 {
                    return Err(corrupt("first code is not a literal"));
                }
                self.finchar = code as u8;
                self.oldcode = Some(code);
                self.out.push(code as u8);
                continue;
            };
            if code == CLEAR && self.block_mode {
                self.prefix[..256].fill(0);
                self.free_ent = 256;
                self.align_group();
                self.n_bits = INIT_BITS;
                self.maxcode = (1 << INIT_BITS) - 1;
                continue;
            }
            let incode = code;
            let mut c = code;
            self.stack.clear();
            if c >= self.free_ent {
                if c > self.free_ent {
                    return Err(corrupt("code out of range"));
                }
                self.stack.push(self.finchar);
                c = old;
            }
            while c >= 256 {
                if self.stack.len() >= 1 << MAX_BITS {
                    return Err(corrupt("code chain too long"));
                }
                self.stack.push(self.suffix[c as usize]);
                c = u32::from(self.prefix[c as usize]);
            }
            self.finchar = c as u8;
            self.stack.push(self.finchar);
            self.out.extend(self.stack.iter().rev());
            if self.free_ent < self.maxmaxcode {
                self.prefix[self.free_ent as usize] = old as u16;
                self.suffix[self.free_ent as usize] = self.finchar;
                self.free_ent += 1;
            }
            self.oldcode = Some(incode);
        }
        Ok(())
    }
}

impl<R: Read> Read for LzwReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.decode_some()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Decompresses a whole `.Z` file held in memory.
pub fn decompress(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    LzwReader::new(data).read_to_end(&mut out)?;
    Ok(out)
}
