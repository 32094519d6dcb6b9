//! The progress line `argus -r` shows on a terminal: packets, bytes, flows
//! and rate, refreshed twice a second; nothing when stderr is not a
//! terminal.

use std::io::Write;
use std::time::Instant;

use crate::flow::Engine;

pub struct Progress {
    enabled: bool,
    start: Instant,
    last: Instant,
    calls: u32,
    shown: bool,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        let now = Instant::now();
        Progress { enabled, start: now, last: now, calls: 0, shown: false }
    }

    /// Called per packet; looks at the clock every 64k calls.
    pub fn tick(&mut self, e: &Engine) {
        if !self.enabled {
            return;
        }
        self.calls += 1;
        if self.calls & 0xffff != 0 {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.last).as_millis() < 500 {
            return;
        }
        self.last = now;
        let s = e.stats;
        let secs = now.duration_since(self.start).as_secs_f64().max(1e-9);
        let line = format!(
            "\rargus: {} packets, {:.1} MB, {} flows ({} active), {:.0} packets/s ",
            s.packets,
            s.bytes as f64 / 1e6,
            s.flows,
            e.flows(),
            s.packets as f64 / secs
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
        self.shown = true;
    }

    /// Clears the line.
    pub fn done(&mut self) {
        if self.shown {
            let _ = std::io::stderr().write_all(b"\r\x1b[K");
        }
    }
}
