//! Opening record inputs and handing out their records: memory-mapped
//! plain files, compressed files (recognised by magic bytes, decompressed
//! as streams), stdin, directory trees (`-R`) and remote argus servers
//! (`-S host[:port]`).
//!
//! Every input reads the same way, with `ra` 3.0.8.2's rules
//! ([`crate::codec::stream`]):
//!
//! ```no_run
//! use argus_tool::archive::{self, Source};
//! use argus_tool::codec::RecordBuf;
//!
//! let mut rb = RecordBuf::new();
//! for source in [Source::parse("day.argus"), Source::parse("-")] {
//!     let mut input = match archive::open(&source) {
//!         Ok(i) => i,
//!         Err(e) => { eprintln!("{e}"); continue; } // "open 'F': No such file ..."
//!     };
//!     while let Some(item) = input.next_record() {
//!         match item {
//!             Ok(rec) => {
//!                 let record = rb.decode_ref(&rec).expect("scanner delivers whole records");
//!                 let _ = (rec.offset, record); // filter, print ...
//!             }
//!             Err(e) => eprintln!("{e}"), // "F: truncated record at byte offset N ..."
//!         }
//!     }
//! }
//! ```
//!
//! A plain file is mapped whole: [`Input::bytes`] gives the buffer, and
//! [`crate::codec::index::chunks`] splits it into record-aligned chunks for
//! parallel work. Everything else streams through a bounded buffer.
//! Offsets are byte offsets in the (decompressed) data.

pub mod decompress;
pub mod lzw;
pub mod remote;
pub mod walk;

pub use decompress::Compression;
pub use walk::InputList;

use crate::codec::stream::{End, Event, RecordRef, Scanner};
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

/// Where records come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    /// `-r file::start:stop`: after checking the initial MAR, the records
    /// from byte offset `start` on, until one ends at or after `stop` (the
    /// initial MAR itself is not delivered), as `ra` reads such ranges.
    FileRange {
        path: PathBuf,
        start: u64,
        stop: u64,
    },
    Stdin,
    /// A remote argus server (`-S host[:port]`, port 561 by default).
    Remote(remote::Endpoint),
}

impl Source {
    /// A `-r` argument: `-` is stdin, `file::start:stop` a byte range of a
    /// file, anything else a file name. As in `ra`, `file::start` without
    /// a stop reads the whole of `file`.
    pub fn parse(arg: &str) -> Source {
        if arg == "-" {
            return Source::Stdin;
        }
        if let Some((path, range)) = arg.split_once("::") {
            let parsed =
                range.split_once(':').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
            return match parsed {
                Some((start, stop)) => Source::FileRange { path: PathBuf::from(path), start, stop },
                None => Source::File(PathBuf::from(path)),
            };
        }
        Source::File(PathBuf::from(arg))
    }

    /// The name used in messages: the file name as given, `-` for stdin,
    /// `host:port` for a server.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) | Source::FileRange { path: p, .. } => p.display().to_string(),
            Source::Stdin => "-".to_string(),
            Source::Remote(e) => e.to_string(),
        }
    }
}

/// An input that could not be opened.
#[derive(Debug)]
pub struct OpenError {
    pub name: String,
    pub error: io::Error,
    /// A remote server refused or broke the handshake (`error` says how).
    pub remote: bool,
}

impl OpenError {
    fn file(name: &str, error: io::Error) -> OpenError {
        OpenError { name: name.to_string(), error, remote: false }
    }
}

impl fmt::Display for OpenError {
    /// `open 'F': No such file or directory`, as `ra` says it; for a
    /// server `host:port: remote access denied` and the like.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.remote {
            write!(f, "{}: {}", self.name, strerror(&self.error))
        } else {
            write!(f, "open '{}': {}", self.name, strerror(&self.error))
        }
    }
}

impl std::error::Error for OpenError {}

/// The C library's text for an I/O error, without Rust's "(os error N)".
pub fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Something went wrong part-way through an input. Records before it were
/// delivered.
#[derive(Debug)]
pub struct ReadError {
    /// The input's name ([`Source::name`]).
    pub name: String,
    pub kind: ReadErrorKind,
}

#[derive(Debug)]
pub enum ReadErrorKind {
    /// The data broke `ra`'s reading rules (see [`End`]).
    Format(End),
    /// Reading or decompressing failed after `offset` bytes of data.
    Io { offset: u64, error: io::Error },
}

impl ReadError {
    /// The byte offset in the (decompressed) data where it happened.
    pub fn offset(&self) -> Option<u64> {
        match &self.kind {
            ReadErrorKind::Format(e) => e.offset(),
            ReadErrorKind::Io { offset, .. } => Some(*offset),
        }
    }

    /// True when nothing of the input was read (no initial MAR).
    pub fn nothing_read(&self) -> bool {
        matches!(&self.kind, ReadErrorKind::Format(e) if e.nothing_read())
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ReadErrorKind::Format(e) => write!(f, "{}: {e}", self.name),
            ReadErrorKind::Io { offset, error } => {
                write!(f, "{}: read error at byte offset {offset}: {}", self.name, strerror(error))
            }
        }
    }
}

impl std::error::Error for ReadError {}

enum Body {
    /// The whole input in memory (a mapped file, or an empty one).
    Memory(Memory),
    /// A stream read through a buffer: `buf[0]` is at input offset `base`.
    Stream { reader: Box<dyn Read + Send>, buf: Vec<u8>, base: u64, eof: bool },
}

enum Memory {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Memory {
    fn bytes(&self) -> &[u8] {
        match self {
            Memory::Mapped(m) => m,
            Memory::Owned(v) => v,
        }
    }
}

/// An open input. Hand out its records with [`Input::next_record`].
pub struct Input {
    name: String,
    compression: Compression,
    body: Body,
    scanner: Scanner,
    end: Option<End>,
    /// An error to report before anything else (an unsupported format).
    pending: Option<io::Error>,
    /// A read error met by [`Input::load`]: the bytes before it are in
    /// memory and are handed out first, then this is reported once, as a
    /// streamed read would have reported it.
    after_loaded: Option<(u64, io::Error)>,
    /// A `file::start:stop` range still to apply, and its stop offset.
    range: Option<(u64, u64)>,
    stop: Option<u64>,
    /// Sends `DONE: ` to a remote server when the input is dropped.
    remote: Option<remote::Session>,
}

/// Bytes read from a stream at a time.
const READ_CHUNK: usize = 256 * 1024;

impl Input {
    fn new(name: String, compression: Compression, body: Body) -> Input {
        Input {
            name,
            compression,
            body,
            scanner: Scanner::new(),
            end: None,
            pending: None,
            after_loaded: None,
            range: None,
            stop: None,
            remote: None,
        }
    }

    /// True for a remote server's stream (`-S`); dropping the input sends
    /// it `DONE: `.
    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// The input's name for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the input is compressed.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The whole input, when it is held in memory (a plain file): for
    /// splitting into chunks with [`crate::codec::index::chunks`].
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Memory(m) => Some(m.bytes()),
            Body::Stream { .. } => None,
        }
    }

    /// Reads a streamed input (compressed, stdin) whole into memory, so
    /// that [`Input::bytes`] gives it for chunked parallel work. Memory then
    /// grows with the input: use it where the role needs the whole input
    /// anyway. Only before the first record; a no-op for mapped files.
    pub fn load(&mut self) -> Result<(), ReadError> {
        if let Body::Stream { reader, buf, base, .. } = &mut self.body {
            if *base != 0 || self.scanner.position() != 0 {
                let error = io::Error::other("input already partly read");
                return Err(ReadError {
                    name: self.name.clone(),
                    kind: ReadErrorKind::Io { offset: 0, error },
                });
            }
            // On a read error (a compressed file cut short, say) the bytes
            // read so far stay in `buf`: their records are still processed,
            // and the error comes after them, where reading stopped.
            if let Err(error) = reader.read_to_end(buf) {
                // Keep whole records only, so that the data ends cleanly
                // and the read error is the one thing reported.
                let mut records = crate::codec::stream::Records::new(buf);
                let mut whole = 0;
                for r in records.by_ref() {
                    whole = r.offset as usize + r.bytes.len();
                }
                if matches!(records.end(), Some(End::Truncated { .. })) {
                    buf.truncate(whole);
                }
                self.after_loaded = Some((whole as u64, error));
            }
            let data = std::mem::take(buf);
            self.body = Body::Memory(Memory::Owned(data));
        }
        Ok(())
    }

    /// The read error [`Input::load`] met, once: for a caller that works
    /// on [`Input::bytes`] directly, to report after the records.
    pub fn take_load_error(&mut self) -> Option<ReadError> {
        let (offset, error) = self.after_loaded.take()?;
        Some(ReadError { name: self.name.clone(), kind: ReadErrorKind::Io { offset, error } })
    }

    /// How the input ended, once [`Input::next_record`] returned `None`.
    pub fn end(&self) -> Option<End> {
        self.end
    }

    /// The next record, an error (once, after which the input ends), or
    /// `None` at the end.
    pub fn next_record(&mut self) -> Option<Result<RecordRef<'_>, ReadError>> {
        if self.end.is_some() {
            return None;
        }
        if let Some(stop) = self.stop {
            if self.scanner.position() >= stop {
                self.end = Some(End::Clean);
                return None;
            }
        }
        if let Some(error) = self.pending.take() {
            self.end = Some(End::NotArgus);
            let kind = ReadErrorKind::Io { offset: 0, error };
            return Some(Err(ReadError { name: self.name.clone(), kind }));
        }
        // Work out where the next record is first, then borrow it.
        let found = match &mut self.body {
            Body::Memory(m) => Ok(self.scanner.next(m.bytes(), 0, true)),
            Body::Stream { reader, buf, base, eof } => {
                next_in_stream(&mut self.scanner, reader.as_mut(), buf, base, eof)
            }
        };
        if let (Ok(Event::Record { initial: true, .. }), Some((start, stop))) = (&found, self.range)
        {
            // The initial MAR only vouches for the file: reading starts at
            // the range.
            self.range = None;
            self.stop = Some(stop);
            self.scanner = Scanner::records_from(start);
            return self.next_record();
        }
        match found {
            Ok(Event::Record { offset, len, initial }) => {
                let (window, base) = match &self.body {
                    Body::Memory(m) => (m.bytes(), 0),
                    Body::Stream { buf, base, .. } => (buf.as_slice(), *base),
                };
                let s = (offset - base) as usize;
                let bytes = window.get(s..s + len)?;
                Some(Ok(RecordRef { offset, bytes, initial }))
            }
            Ok(Event::End(End::Clean)) if self.after_loaded.is_some() => {
                let error = self.take_load_error()?;
                let offset = error.offset().unwrap_or(0);
                self.end = Some(End::Truncated { offset, have: 0, need: 0 });
                Some(Err(error))
            }
            Ok(Event::End(e)) => {
                self.end = Some(e);
                e.is_error().then(|| {
                    Err(ReadError { name: self.name.clone(), kind: ReadErrorKind::Format(e) })
                })
            }
            Ok(Event::NeedMore) => {
                self.end = Some(End::Clean);
                None
            }
            Err(error) => {
                let offset = self.scanner.position();
                self.end = Some(End::Truncated { offset, have: 0, need: 0 });
                Some(Err(ReadError {
                    name: self.name.clone(),
                    kind: ReadErrorKind::Io { offset, error },
                }))
            }
        }
    }
}

/// Runs the scanner over a stream, reading more as it asks.
fn next_in_stream(
    scanner: &mut Scanner,
    reader: &mut (dyn Read + Send),
    buf: &mut Vec<u8>,
    base: &mut u64,
    eof: &mut bool,
) -> io::Result<Event> {
    loop {
        match scanner.next(buf, *base, *eof) {
            Event::NeedMore => {
                // Bytes before the scanner's position are done with: move
                // the rest to the front before reading more, so the buffer
                // stays about one read (or one record) long.
                let done = (scanner.position().saturating_sub(*base) as usize).min(buf.len());
                if done > 0 {
                    buf.drain(..done);
                    *base += done as u64;
                }
                let old = buf.len();
                buf.resize(old + READ_CHUNK, 0);
                let n = loop {
                    match reader.read(&mut buf[old..]) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            buf.truncate(old);
                            return Err(e);
                        }
                    }
                };
                buf.truncate(old + n);
                if n == 0 {
                    *eof = true;
                }
            }
            ev => return Ok(ev),
        }
    }
}

/// Opens an input: maps a plain file, or sets up the stream for a
/// compressed file, stdin or a remote server (handshake included; use
/// [`remote::connect`] to send a filter).
pub fn open(source: &Source) -> Result<Input, OpenError> {
    let name = source.name();
    match source {
        Source::File(path) => {
            let file = File::open(path).map_err(|e| OpenError::file(&name, e))?;
            open_file(name, file)
        }
        Source::FileRange { path, start, stop } => {
            let file = File::open(path).map_err(|e| OpenError::file(&name, e))?;
            let mut input = open_file(name, file)?;
            input.range = Some((*start, *stop));
            Ok(input)
        }
        Source::Stdin => Ok(open_stream(name, Box::new(io::stdin()))),
        Source::Remote(ep) => remote::connect(ep, None),
    }
}

fn open_file(name: String, file: File) -> Result<Input, OpenError> {
    let meta = file.metadata().map_err(|e| OpenError::file(&name, e))?;
    if !meta.is_file() {
        // FIFOs, character devices, ...: read as a stream.
        return Ok(open_stream(name, Box::new(file)));
    }
    if meta.len() == 0 {
        return Ok(Input::new(name, Compression::None, Body::Memory(Memory::Owned(Vec::new()))));
    }
    // SAFETY: the map is only read, and only through the returned `Input`.
    // The contract of a file mapping is that nobody truncates or rewrites
    // the file while it is mapped; if another process does, reading the
    // vanished pages raises SIGBUS. Like ripgrep, we accept that risk for
    // explicitly named regular files (argus appends to an archive it is
    // writing, which only extends the file past what we mapped).
    let map = unsafe { memmap2::Mmap::map(&file) };
    let map = match map {
        Ok(m) => m,
        // Mapping can fail on some file systems: fall back to streaming.
        Err(_) => return Ok(open_stream(name, Box::new(file))),
    };
    let _ = map.advise(memmap2::Advice::Sequential);
    match Compression::sniff(&map[..map.len().min(8)]) {
        Compression::None => {
            Ok(Input::new(name, Compression::None, Body::Memory(Memory::Mapped(map))))
        }
        _ => {
            drop(map);
            Ok(open_stream(name, Box::new(file)))
        }
    }
}

fn stream_body(reader: Box<dyn Read + Send>) -> Body {
    Body::Stream { reader, buf: Vec::new(), base: 0, eof: false }
}

/// An input over any byte stream; compression is recognised from its
/// first bytes.
pub fn open_stream(name: String, raw: Box<dyn Read + Send>) -> Input {
    let mut sniffer = Sniffer { head: Vec::new(), pos: 0, inner: raw };
    let kind = match sniffer.fill_head(8) {
        Ok(()) => Compression::sniff(&sniffer.head),
        Err(_) => Compression::None,
    };
    match kind.decoder(Box::new(sniffer)) {
        Ok(reader) => Input::new(name, kind, stream_body(reader)),
        Err(error) => {
            // An unsupported format: report it as the input's first item.
            let mut input = Input::new(name, kind, Body::Memory(Memory::Owned(Vec::new())));
            input.pending = Some(error);
            input
        }
    }
}

/// An input whose first bytes were already read (a remote server's
/// initial MAR): they are replayed before the rest of the stream.
pub(crate) fn open_stream_with_head(
    name: String,
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
) -> Input {
    let reader = Sniffer { head, pos: 0, inner: rest };
    Input::new(name, Compression::None, stream_body(Box::new(reader)))
}

/// Replays the bytes read for sniffing, then the rest of the stream.
struct Sniffer {
    head: Vec<u8>,
    pos: usize,
    inner: Box<dyn Read + Send>,
}

impl Sniffer {
    fn fill_head(&mut self, n: usize) -> io::Result<()> {
        let mut tmp = [0u8; 8];
        while self.head.len() < n {
            let want = (n - self.head.len()).min(tmp.len());
            match self.inner.read(&mut tmp[..want]) {
                Ok(0) => break,
                Ok(k) => self.head.extend_from_slice(&tmp[..k]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl Read for Sniffer {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.head.len() {
            let n = buf.len().min(self.head.len() - self.pos);
            buf[..n].copy_from_slice(&self.head[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}
