//! The `argus` role: packets from capture files (`-r`, several in order,
//! `-` for stdin) through the BPF capture filter and the flow engine into
//! the `-w` archives, with management records at start, every `-M` seconds
//! of packet time, and at the end. Live capture (`-i`, or no `-r`), the
//! real-time replay (`-T`), remote access (`-P`) and the daemon are in
//! `live` (threads, signals) with `daemon` and `signals`.

mod daemon;
mod live;
mod options;
mod progress;
mod signals;

use std::cell::RefCell;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::rc::Rc;

use crate::capture::bpf::CaptureFilter;
use crate::capture::CaptureFile;
use crate::diag::{self, Fatal};
use crate::filter::Filter;
use crate::flow::Engine;
use crate::output::ArchiveWriter;
use crate::record::{cause, mar::mar_status, Mar, Record, RecordClass, RecordHeader, Timeval};

pub use options::{parse as parse_options, Options};

const PROG: &str = "argus";

/// Runs `argus` with `args` (args[0] is the role name) and returns the exit status.
pub fn main(args: Vec<OsString>) -> i32 {
    let args: Vec<String> = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let system_conf = std::fs::read_to_string("/etc/argus.conf").ok();
    let opts = match options::parse(&args, system_conf.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            diag::log(PROG, &e);
            return diag::EXIT_FAIL;
        }
    };
    if opts.help {
        print!("{}", usage());
        return diag::EXIT_OK;
    }
    match run(&opts) {
        Ok(status) => status,
        Err(f) => {
            diag::log(PROG, &f.message);
            f.status
        }
    }
}

fn usage() -> String {
    "usage: argus [options] [-i interface ...] [filter-expression]\nusage: argus [options] -r packetfile ... [- filter-expression]\n\n\
     options: -A        generate application byte metrics\n\
     \x20        -e <id>   argus identifier (number, IPv4 address or \"str\")\n\
     \x20        -B <addr[,addr]> bind the remote-access port to these addresses\n\
     \x20        -c <dir>  chroot to <dir> once the interfaces are open\n\
     \x20        -d        run as a daemon\n\
     \x20        -F <conf> read configuration from <conf>\n\
     \x20        -g <group> run as <group> once the interfaces are open\n\
     \x20        -i <interface> capture on <interface> (several; 'any')\n\
     \x20        -J        generate packet jitter data\n\
     \x20        -m        report MAC addresses\n\
     \x20        -M <secs> MAR interval (60)\n\
     \x20        -p        do not put the interfaces in promiscuous mode\n\
     \x20        -P <port> serve remote clients on <port> (561)\n\
     \x20        -r <file file ...> read packets from capture files ('-' is stdin)\n\
     \x20        -s <bytes> capture snap length (96 + -U)\n\
     \x20        -S <secs> flow status interval (5)\n\
     \x20        -T <factor> replay -r files in real time (times <factor>)\n\
     \x20        -u <user> run as <user> once the interfaces are open\n\
     \x20        -U <bytes> user data bytes to capture per direction\n\
     \x20        -v        print a summary line at the end\n\
     \x20        -w <file [\"filter\"]> write records to <file> ('-' is stdout), up to 5 times\n\
     \x20        -X        reset the configuration\n\
     \x20        -Z        generate packet size data\n"
        .to_string()
}

/// The MAR template for this run.
fn mar(opts: &Options, c: u8) -> Mar {
    let id = opts.engine.srcid;
    let status = match id.kind {
        0x21 => mar_status::ID_IS_STRING,
        0x20 => mar_status::ID_IS_INT,
        0x01 => mar_status::ID_IS_IPV4,
        _ => 0,
    };
    // The id as argus writes it in MARs: strings end up byte-reversed.
    let idval = match id.kind {
        0x21 => u32::from_le_bytes(id.bytes),
        _ => u32::from_be_bytes(id.bytes),
    };
    let mut m = Mar {
        header: RecordHeader::new(RecordClass::Mar, c),
        status,
        report_interval: opts.report_secs,
        mar_interval: opts.mar_interval.min(u32::from(u16::MAX)) as u16,
        ..Mar::default()
    };
    if c == cause::START {
        m.thisid = idval;
    } else {
        m.argusid = idval;
        m.suserlen = opts.engine.user_data;
        m.duserlen = opts.engine.user_data;
    }
    m
}

fn wall_clock() -> Timeval {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timeval::new(d.as_secs() as u32, d.subsec_micros())
}

fn run(opts: &Options) -> Result<i32, Fatal> {
    if opts.is_live() {
        return live::run(opts);
    }
    for w in &opts.warnings {
        diag::log(PROG, w);
    }
    // A capture filter that does not compile for the first file ends the
    // run before any output is opened (3.0.8.2 writes its start MAR
    // first); stdin is not peeked.
    if let (Some(expr), Some(first)) = (&opts.bpf, opts.rfiles.first()) {
        if first != "-" {
            if let Some(lt) = CaptureFile::open(first).ok().and_then(|cf| cf.linktype()) {
                CaptureFilter::compile(expr, lt).map_err(|e| Fatal::err(format!("{expr}: {e}")))?;
            }
        }
    }
    let mut outputs = Vec::new();
    for (path, filter) in &opts.wfiles {
        let f = match filter {
            Some(expr) => Some(
                Filter::compile(expr)
                    .map_err(|e| Fatal::err(format!("ArgusFilter syntax error: {expr}: {e}")))?,
            ),
            None => None,
        };
        let w =
            ArchiveWriter::open(path, f).map_err(|e| Fatal::err(format!("open {path}: {e}")))?;
        outputs.push(w);
    }
    let started = wall_clock();
    let clients = outputs.len() as u32;
    for w in outputs.iter_mut() {
        let mut m = mar(opts, cause::START);
        m.start = started;
        m.now = wall_clock();
        write_mar(w, &m)?;
    }
    // Records stream from the engine straight into the outputs; a write
    // error is kept and ends the run after the packet that caused it.
    let outputs = Rc::new(RefCell::new(outputs));
    let failed: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
    let mut engine = Engine::new(opts.engine.clone());
    {
        let (outs, failed) = (Rc::clone(&outputs), Rc::clone(&failed));
        engine.set_sink(Box::new(move |r| {
            for w in outs.borrow_mut().iter_mut() {
                if let Err(e) = w.write(&r) {
                    failed.borrow_mut().get_or_insert_with(|| format!("write {}: {e}", w.name()));
                }
            }
        }));
    }
    let mut filters: Vec<(u16, Option<CaptureFilter>)> = Vec::new();
    let mut status = diag::EXIT_OK;
    let mut last_mar = started;
    let mut next_mar: Option<i64> = None;
    let mar_every = i64::from(opts.mar_interval) * 1_000_000;
    let mut progress = progress::Progress::new(std::io::stderr().is_terminal());
    for path in &opts.rfiles {
        let mut cf = match CaptureFile::open(path) {
            Ok(cf) => cf,
            Err(e) => {
                diag::log(PROG, &format!("ArgusOpenInputPacketFile: {e}"));
                status = diag::EXIT_FAIL;
                continue;
            }
        };
        loop {
            let p = match cf.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(e) => {
                    diag::log(PROG, &e.to_string());
                    status = diag::EXIT_FAIL;
                    break;
                }
            };
            if let Some(expr) = &opts.bpf {
                let lt = p.linktype;
                let idx = match filters.iter().position(|(l, _)| *l == lt) {
                    Some(i) => i,
                    None => {
                        let f = CaptureFilter::compile(expr, lt)
                            .map_err(|e| Fatal::err(format!("{expr}: {e}")))?;
                        filters.push((lt, Some(f)));
                        filters.len() - 1
                    }
                };
                if let Some(f) = &filters[idx].1 {
                    if !f.matches(p.data, p.wire_len) {
                        continue;
                    }
                }
            }
            engine.packet(&p);
            let t = i64::from(p.sec) * 1_000_000 + i64::from(p.usec);
            if mar_every > 0 {
                match next_mar {
                    None => next_mar = Some(t + mar_every),
                    Some(n) if t >= n => {
                        next_mar = Some(n + mar_every * ((t - n) / mar_every + 1));
                        for w in outputs.borrow_mut().iter_mut() {
                            let mut m = mar(opts, cause::STATUS);
                            m.start = last_mar;
                            m.now = wall_clock();
                            m.next_seq = engine.last_seq();
                            m.records = w.since_mar + 1;
                            m.clients = clients;
                            m.flows = engine.stats.flows as u32;
                            write_mar(w, &m)?;
                        }
                        last_mar = wall_clock();
                    }
                    _ => {}
                }
            }
            if let Some(e) = failed.borrow_mut().take() {
                return Err(Fatal::err(e));
            }
            progress.tick(&engine);
        }
    }
    engine.finish();
    if let Some(e) = failed.borrow_mut().take() {
        return Err(Fatal::err(e));
    }
    progress.done();
    for w in outputs.borrow_mut().iter_mut() {
        let mut m = mar(opts, cause::STOP);
        m.start = last_mar;
        m.now = wall_clock();
        m.records = w.since_mar + 1;
        m.clients = clients;
        m.flows = engine.stats.flows as u32;
        write_mar(w, &m)?;
        w.flush().map_err(|e| Fatal::err(format!("write {}: {e}", w.name())))?;
    }
    if opts.verbose {
        let s = engine.stats;
        eprintln!(
            "argus: {} packets, {} bytes, {} flows, {} records{}",
            s.packets,
            s.bytes,
            s.flows,
            s.records,
            if s.evicted > 0 {
                format!(", {} reported early at the flow table limit", s.evicted)
            } else {
                String::new()
            }
        );
    }
    Ok(status)
}

fn write_mar(w: &mut ArchiveWriter, m: &Mar) -> Result<(), Fatal> {
    w.write_mar(&Record::Mar(m.clone())).map_err(|e| Fatal::err(format!("write {}: {e}", w.name())))
}
