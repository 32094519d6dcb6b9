//! Writing Argus 3 archives: the initial MAR when the output is opened
//! (appending to an existing file, as argus does), each record through an
//! optional record filter, and the closing MAR.
//!
//! argus 3.0.8.2 builds every record in one reused buffer per output and
//! never fills the `win` field of a TCP_INIT network DSR, so that field
//! carries whatever the previous records left at that offset. The writer
//! keeps the same buffer so its archives are byte-identical.

use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};

use crate::codec;
use crate::filter::Filter;
use crate::record::{Network, Record};

/// One `-w` output.
pub struct ArchiveWriter {
    name: String,
    out: BufWriter<Box<dyn Write + Send>>,
    filter: Option<Filter>,
    /// argus's per-output record buffer (see the module docs).
    stale: Vec<u8>,
    scratch: Vec<u8>,
    /// Records written since the last MAR (the MAR counts itself too).
    pub since_mar: u32,
}

impl ArchiveWriter {
    /// Opens `path` for appending (`-` is stdout).
    pub fn open(path: &str, filter: Option<Filter>) -> io::Result<ArchiveWriter> {
        let out: Box<dyn Write + Send> = if path == "-" {
            Box::new(io::stdout())
        } else {
            Box::new(OpenOptions::new().create(true).append(true).open(path)?)
        };
        Ok(ArchiveWriter {
            name: path.to_string(),
            out: BufWriter::with_capacity(1 << 16, out),
            filter,
            stale: Vec::new(),
            scratch: Vec::with_capacity(512),
            since_mar: 0,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Writes a record if it passes this output's filter.
    pub fn write(&mut self, rec: &Record) -> io::Result<()> {
        if let (Some(f), Record::Flow(_)) = (&self.filter, rec) {
            if !f.matches(rec) {
                return Ok(());
            }
        }
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
        self.since_mar += 1;
        self.out.write_all(&self.scratch)
    }

    /// Writes a management record (no filter).
    pub fn write_mar(&mut self, rec: &Record) -> io::Result<()> {
        self.scratch.clear();
        codec::encode(rec, &mut self.scratch).map_err(|e| io::Error::other(e.to_string()))?;
        self.since_mar = 0;
        self.out.write_all(&self.scratch)
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

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
