//! Records to bytes the way one argus 3.0.8.2 output does it.
//!
//! argus builds every record in one reused buffer per output (per file and
//! per remote client) and never fills the `win` field of a TCP_INIT network
//! DSR, so that field carries whatever earlier records left at that offset.
//! An encoder keeps the same buffer so its streams are byte-identical.

use std::io;

use crate::codec;
use crate::record::{Network, Record};

/// One output's record buffer.
#[derive(Default)]
pub struct RecordEncoder {
    stale: Vec<u8>,
    scratch: Vec<u8>,
}

impl RecordEncoder {
    pub fn new() -> RecordEncoder {
        RecordEncoder { stale: Vec::new(), scratch: Vec::with_capacity(512) }
    }

    /// The bytes of `rec` as this output writes them.
    pub fn encode(&mut self, rec: &Record) -> io::Result<&[u8]> {
        self.scratch.clear();
        codec::encode(rec, &mut self.scratch).map_err(|e| io::Error::other(e.to_string()))?;
        if let Record::Flow(fl) = rec {
            if let Some(Network::TcpInit(_)) = &fl.network {
                self.patch_tcp_init_win();
            }
            let n = self.scratch.len();
            if self.stale.len() < n {
                self.stale.resize(n, 0);
            }
            self.stale[..n].copy_from_slice(&self.scratch);
        }
        Ok(&self.scratch)
    }

    /// The TCP_INIT `win` field as argus leaves it: the two bytes at that
    /// offset from earlier records, byte-swapped.
    fn patch_tcp_init_win(&mut self) {
        let rec = &self.scratch;
        let mut off = 4;
        while off + 4 <= rec.len() {
            let t = rec[off];
            let len = if t & 0x80 != 0 {
                4
            } else if t == 0x50 {
                usize::from(u16::from_be_bytes([rec[off + 2], rec[off + 3]])) * 4
            } else {
                usize::from(rec[off + 3]) * 4
            };
            if len == 0 {
                return;
            }
            if t == 0x30 && rec[off + 1] == 0x03 {
                let w = off + 16;
                if w + 2 > self.scratch.len() {
                    return;
                }
                let old = [
                    self.stale.get(w).copied().unwrap_or(0),
                    self.stale.get(w + 1).copied().unwrap_or(0),
                ];
                self.scratch[w] = old[1];
                self.scratch[w + 1] = old[0];
                return;
            }
            off += len;
        }
    }
}
