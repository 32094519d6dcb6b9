//! Writing Argus 3 archives: the initial MAR when the output is opened
//! (appending to an existing file, as argus does), each record through an
//! optional record filter, and the closing MAR.
//!
//! A long-running argus must let a cron job take its file away: once a
//! second (at most) the writer checks that its path still names the file
//! it has open, and when it does not (removed or renamed), it opens the
//! path anew; the caller then writes a start MAR into the new file, as
//! 3.0.8.2 does. `reopen` (SIGHUP) does the same unconditionally.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

use super::encoder::RecordEncoder;
use crate::filter::Filter;
use crate::record::Record;

/// How often a file output checks that its path is still its file.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// One `-w` output.
pub struct ArchiveWriter {
    name: String,
    out: BufWriter<Box<dyn Write + Send>>,
    filter: Option<Filter>,
    encoder: RecordEncoder,
    /// (device, inode) of the open file; `None` for stdout.
    identity: Option<(u64, u64)>,
    checked: Instant,
    /// Records written since the last MAR (the MAR counts itself too).
    pub since_mar: u32,
}

fn open_append(path: &str) -> io::Result<(File, (u64, u64))> {
    let f = OpenOptions::new().create(true).append(true).open(path)?;
    let m = f.metadata()?;
    Ok((f, (m.dev(), m.ino())))
}

impl ArchiveWriter {
    /// Opens `path` for appending (`-` is stdout).
    pub fn open(path: &str, filter: Option<Filter>) -> io::Result<ArchiveWriter> {
        let (out, identity): (Box<dyn Write + Send>, _) = if path == "-" {
            (Box::new(io::stdout()), None)
        } else {
            let (f, id) = open_append(path)?;
            (Box::new(f), Some(id))
        };
        Ok(ArchiveWriter {
            name: path.to_string(),
            out: BufWriter::with_capacity(1 << 16, out),
            filter,
            encoder: RecordEncoder::new(),
            identity,
            checked: Instant::now(),
            since_mar: 0,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the record passes this output's filter (MARs always do).
    pub fn wants(&self, rec: &Record) -> bool {
        match (&self.filter, rec) {
            (Some(f), Record::Flow(_)) => f.matches(rec),
            _ => true,
        }
    }

    /// Writes a record if it passes this output's filter.
    pub fn write(&mut self, rec: &Record) -> io::Result<()> {
        if !self.wants(rec) {
            return Ok(());
        }
        let bytes = self.encoder.encode(rec)?;
        self.since_mar += 1;
        self.out.write_all(bytes)
    }

    /// Writes a management record (no filter).
    pub fn write_mar(&mut self, rec: &Record) -> io::Result<()> {
        let bytes = self.encoder.encode(rec)?;
        self.since_mar = 0;
        self.out.write_all(bytes)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// At most once a second: when the path no longer names the open file
    /// (a cron job moved it away), open it anew. Returns true when a new,
    /// empty file was started (it needs a start MAR).
    pub fn check_removed(&mut self) -> io::Result<bool> {
        let Some(id) = self.identity else { return Ok(false) };
        if self.checked.elapsed() < CHECK_EVERY {
            return Ok(false);
        }
        self.checked = Instant::now();
        let same = std::fs::metadata(&self.name).map(|m| (m.dev(), m.ino()) == id).unwrap_or(false);
        if same {
            return Ok(false);
        }
        self.reopen()
    }

    /// Flushes, closes and opens the path again (SIGHUP). Returns true when
    /// the file it opened is empty (a new file needs a start MAR).
    pub fn reopen(&mut self) -> io::Result<bool> {
        if self.identity.is_none() {
            self.out.flush()?;
            return Ok(false);
        }
        // What is buffered belongs to the old file.
        let _ = self.out.flush();
        let (f, id) = open_append(&self.name)?;
        let empty = f.metadata()?.len() == 0;
        self.out = BufWriter::with_capacity(1 << 16, Box::new(f));
        self.identity = Some(id);
        self.checked = Instant::now();
        Ok(empty)
    }
}
