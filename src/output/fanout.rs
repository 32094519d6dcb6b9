//! The output thread's state: every record goes to each `-w` file (through
//! its filter) and is offered to each started remote client (never
//! waiting on one; an overflowing client is dropped with a log line).

use std::sync::mpsc::Receiver;
use std::sync::Arc;

use super::archive::ArchiveWriter;
use super::server::{Client, Gone};
use crate::record::Record;

/// Files and remote clients.
pub struct Fanout {
    files: Vec<ArchiveWriter>,
    clients: Vec<Client>,
    incoming: Option<Receiver<Client>>,
    log: Box<dyn Fn(&str) + Send>,
    /// Records handed out since the last MAR (the MAR `records` field).
    pub records_since_mar: u32,
    /// The last flow sequence number handed out (`nextMrSequenceNum`).
    pub last_seq: u32,
}

impl Fanout {
    pub fn new(
        files: Vec<ArchiveWriter>,
        incoming: Option<Receiver<Client>>,
        log: Box<dyn Fn(&str) + Send>,
    ) -> Fanout {
        Fanout { files, clients: Vec::new(), incoming, log, records_since_mar: 0, last_seq: 0 }
    }

    /// Files plus started clients (the MAR `clients` field).
    pub fn outputs(&self) -> u32 {
        (self.files.len() + self.clients.len()) as u32
    }

    pub fn remote_clients(&self) -> usize {
        self.clients.len()
    }

    /// Takes the clients that sent `START: ` since the last call; records
    /// from now on go to them too.
    pub fn take_new_clients(&mut self) {
        if let Some(rx) = &self.incoming {
            while let Ok(c) = rx.try_recv() {
                self.clients.push(c);
            }
        }
    }

    fn offer(&mut self, rec: &Arc<Record>) {
        let log = &self.log;
        self.clients.retain(|c| match c.offer(rec) {
            Ok(()) => true,
            Err(Gone::Left) => false,
            Err(Gone::QueueFull) => {
                log(&format!(
                    "client {} dropped: not reading, its queue of records is full",
                    c.peer
                ));
                c.kill();
                false
            }
        });
    }

    /// One flow record. A file write error is returned (and ends argus).
    pub fn record(&mut self, rec: Arc<Record>) -> Result<(), String> {
        self.take_new_clients();
        self.records_since_mar = self.records_since_mar.wrapping_add(1);
        if let Some(t) = rec.as_flow().and_then(|f| f.transport.as_ref()) {
            self.last_seq = t.seq;
        }
        for w in &mut self.files {
            w.write(&rec).map_err(|e| format!("write {}: {e}", w.name()))?;
        }
        self.offer(&rec);
        Ok(())
    }

    /// A management record, unfiltered, to every output.
    pub fn mar(&mut self, rec: Record) -> Result<(), String> {
        self.take_new_clients();
        self.records_since_mar = 0;
        for w in &mut self.files {
            w.write_mar(&rec).map_err(|e| format!("write {}: {e}", w.name()))?;
        }
        let rec = Arc::new(rec);
        self.offer(&rec);
        Ok(())
    }

    /// Once a second: files taken away are started anew (with `start_mar`)
    /// and what is buffered is written out, so that a reader of the file
    /// (or a cron job moving it) sees whole records at most a second old.
    pub fn maintain(&mut self, start_mar: &dyn Fn() -> Record) -> Result<(), String> {
        for w in &mut self.files {
            let fresh = w.check_removed().map_err(|e| format!("open {}: {e}", w.name()))?;
            if fresh {
                (self.log)(&format!("{}: file was removed, started a new one", w.name()));
                w.write_mar(&start_mar()).map_err(|e| format!("write {}: {e}", w.name()))?;
            }
            w.flush().map_err(|e| format!("write {}: {e}", w.name()))?;
        }
        Ok(())
    }

    /// SIGHUP: every file is closed and opened again.
    pub fn reopen(&mut self, start_mar: &dyn Fn() -> Record) -> Result<(), String> {
        for w in &mut self.files {
            let fresh = w.reopen().map_err(|e| format!("open {}: {e}", w.name()))?;
            if fresh {
                w.write_mar(&start_mar()).map_err(|e| format!("write {}: {e}", w.name()))?;
            }
        }
        Ok(())
    }

    /// The end: files flushed, clients let go (their threads write what is
    /// queued, then close).
    pub fn close(&mut self) -> Result<(), String> {
        self.clients.clear();
        self.incoming = None;
        for w in &mut self.files {
            w.flush().map_err(|e| format!("write {}: {e}", w.name()))?;
        }
        Ok(())
    }
}
