//! The clients' record writer (`ra -w file`, `-w -`, `-E file`): Argus
//! records appended to an archive, the way ra 3.0.8.2 writes them.
//!
//! * An existing file is appended to, never truncated.
//! * A new or empty file, and stdout, begin with a start MAR: the initial
//!   MAR of the input being read when the first record is written. When
//!   that first record *is* this initial MAR it is not written twice.
//! * Later, an input's initial MAR is written like any other record when it
//!   passes the filters (which is what ra does when appending, and when a
//!   second input follows: the file then reads like `cat a b`).
//! * Nothing is created when nothing is written.
//! * Records are written as given: the caller passes the bytes it read for
//!   unchanged records, and encoded bytes for records it changed.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// One `-w` destination.
pub struct AppendWriter {
    path: String,
    out: Option<Box<dyn Write>>,
    /// The next write must be preceded by the start MAR.
    needs_header: bool,
    /// Bytes written so far (for tests and reports).
    pub written: u64,
}

/// The write buffer. A block at least this long goes to the file as it is,
/// without a copy into the buffer (`BufWriter` passes such writes
/// through): the parallel reader merges the records a chunk selects into
/// one block, of some 100 KiB for a selective filter, so these are the
/// common writes of `ra -w`. Smaller writes are still gathered.
const BUFFER: usize = 64 * 1024;

impl AppendWriter {
    /// A writer for `path` (`-` is stdout). Nothing is opened yet; parent
    /// directories that do not exist are created now, as ra does when it
    /// checks its `-w` arguments.
    pub fn new(path: &str) -> io::Result<AppendWriter> {
        if path != "-" {
            if let Some(parent) = Path::new(path).parent() {
                if !parent.as_os_str().is_empty() && !parent.exists() {
                    std::fs::create_dir_all(parent)?;
                }
            }
        }
        Ok(AppendWriter { path: path.to_string(), out: None, needs_header: false, written: 0 })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    fn open(&mut self) -> io::Result<()> {
        if self.path == "-" {
            self.out = Some(Box::new(BufWriter::with_capacity(BUFFER, io::stdout())));
            self.needs_header = true;
        } else {
            let file: File = OpenOptions::new().create(true).append(true).open(&self.path)?;
            self.needs_header = file.metadata()?.len() == 0;
            self.out = Some(Box::new(BufWriter::with_capacity(BUFFER, file)));
        }
        Ok(())
    }

    /// Writes one record. `start_mar` is the current input's initial MAR
    /// (as read); `is_start_mar` says that `record` is that MAR.
    pub fn write(&mut self, record: &[u8], start_mar: &[u8], is_start_mar: bool) -> io::Result<()> {
        if self.out.is_none() {
            self.open()?;
        }
        let Some(out) = self.out.as_mut() else { return Ok(()) };
        if self.needs_header {
            out.write_all(start_mar)?;
            self.written += start_mar.len() as u64;
            self.needs_header = false;
            if is_start_mar {
                return Ok(());
            }
        }
        out.write_all(record)?;
        self.written += record.len() as u64;
        Ok(())
    }

    /// Flushes what is buffered (end of run, or an idle remote stream).
    pub fn flush(&mut self) -> io::Result<()> {
        match self.out.as_mut() {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory for one test, removed when dropped.
    struct Scratch(std::path::PathBuf);

    impl Scratch {
        fn new(test: &str) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("argus-tool-append-{test}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn file(&self, name: &str) -> String {
            self.0.join(name).to_string_lossy().into_owned()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn new_file_gets_the_start_mar_once_and_appending_adds_no_header() {
        let dir = Scratch::new("a");
        let p = dir.file("a.argus");
        let mar = b"MAR0".as_slice();
        let mut w = AppendWriter::new(&p).unwrap();
        w.write(mar, mar, true).unwrap();
        w.write(b"rec1", mar, false).unwrap();
        w.flush().unwrap();
        drop(w);
        assert_eq!(std::fs::read(&p).unwrap(), b"MAR0rec1");
        let mut w = AppendWriter::new(&p).unwrap();
        w.write(b"rec2", mar, false).unwrap();
        w.flush().unwrap();
        drop(w);
        assert_eq!(std::fs::read(&p).unwrap(), b"MAR0rec1rec2");
    }

    #[test]
    fn header_precedes_a_first_record_that_is_not_the_mar() {
        let dir = Scratch::new("b");
        let p = dir.file("b.argus");
        let mut w = AppendWriter::new(&p).unwrap();
        w.write(b"rec1", b"MAR0", false).unwrap();
        w.flush().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"MAR0rec1");
    }

    #[test]
    fn nothing_written_nothing_created_and_parents_are_made() {
        let dir = Scratch::new("c");
        let p = dir.file("sub/dir/c.argus");
        let w = AppendWriter::new(&p).unwrap();
        drop(w);
        assert!(!Path::new(&p).exists());
        assert!(Path::new(&p).parent().unwrap().is_dir());
    }
}
