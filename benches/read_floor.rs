//! The floor under every client benchmark: the least a process can spend
//! to read an archive and find its records. It reads the file through one
//! reused buffer (the cheapest way into the page cache measured on the
//! team machine: mmap page faults cost more), frames each record by its
//! length word, walks its DSR headers and looks at the flow key, as any
//! filter must, and does nothing else: no decode, no verdict, no output.
//!
//! `cargo build --release --example read-floor`, then time
//! `target/release/examples/read-floor big.argus` with the same CPU-time
//! measure as benches/compare.sh. A client row whose goal asks for less
//! CPU time than this program takes cannot be met by any reader; the
//! filter row is the one that comes near it (README, "Benchmarks and
//! load tests").

use std::fs::File;
use std::io::Read;
use std::process::ExitCode;

/// The reused read buffer: small enough to stay in the second-level cache.
const BUFFER: usize = 256 * 1024;

/// The FLOW DSR's type byte.
const FLOW: u8 = 0x02;

/// What one pass over the archive saw.
#[derive(Default)]
struct Tally {
    records: u64,
    /// Records whose one FLOW DSR holds a TCP key (the first test of
    /// `tcp and dst port 443 ...`).
    tcp: u64,
    /// Management (MAR) records, which hold no DSRs.
    management: u64,
    /// Flow records whose DSR walk did not end at the record's end, or
    /// that hold no FLOW DSR or two.
    irregular: u64,
}

/// Walks one record's DSR headers; the offset of its FLOW DSR when there
/// is exactly one and the walk ends at the record's end.
fn flow_dsr(record: &[u8]) -> Option<usize> {
    let (mut pos, mut flow, mut flows) = (4usize, 0usize, 0u32);
    while let Some(h) = record.get(pos..pos + 4) {
        let words = if h[0] & 0x80 != 0 {
            1
        } else if h[1] & 0x80 != 0 {
            usize::from(u16::from_be_bytes([h[2], h[3]]))
        } else {
            usize::from(h[3])
        };
        if words == 0 {
            return None;
        }
        if h[0] == FLOW {
            flow = pos;
            flows += 1;
        }
        pos += words * 4;
    }
    (pos == record.len() && flows == 1).then_some(flow)
}

/// Frames and walks the records of `buf`; returns how many bytes it used
/// (a record cut by the buffer's end waits for the next read).
fn scan(buf: &[u8], tally: &mut Tally) -> usize {
    let mut pos = 0;
    while let Some(h) = buf.get(pos..pos + 4) {
        let len = usize::from(u16::from_be_bytes([h[2], h[3]])) * 4;
        let Some(record) = buf.get(pos..pos + len.max(4)) else { break };
        if len == 0 {
            // A zero length would never advance: count it and stop here.
            tally.irregular += 1;
            return buf.len();
        }
        tally.records += 1;
        if h[0] >> 4 == 0x8 {
            tally.management += 1;
            pos += len;
            continue;
        }
        match flow_dsr(record) {
            Some(at) if record.get(at + 12) == Some(&6) => tally.tcp += 1,
            Some(_) => {}
            None => tally.irregular += 1,
        }
        pos += len;
    }
    pos
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: read-floor ARCHIVE");
        return ExitCode::from(2);
    };
    let mut file = match File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("read-floor: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut buf = vec![0u8; BUFFER];
    let (mut have, mut tally) = (0usize, Tally::default());
    loop {
        let n = match file.read(&mut buf[have..]) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("read-floor: {path}: {e}");
                return ExitCode::from(1);
            }
        };
        have += n;
        let used = scan(&buf[..have], &mut tally);
        buf.copy_within(used..have, 0);
        have -= used;
        if n == 0 {
            break;
        }
    }
    println!(
        "{} records: {} management, {} with a TCP key, {} irregular; {} bytes left over",
        tally.records, tally.management, tally.tcp, tally.irregular, have
    );
    ExitCode::SUCCESS
}
