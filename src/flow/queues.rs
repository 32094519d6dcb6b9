//! argus's queue manager: flows whose status interval ran out are reported
//! and parked in an idle-timeout queue; flows idle past their timeout are
//! dropped; at the table limit the oldest flows are reported early; at the
//! end of input everything left is reported.

use super::state::{Queue, RECORD_WRITTEN};
use super::update::{SHUTDOWN, TIMEOUT};
use super::Engine;

impl Engine {
    /// `ArgusQueueManager` with the given status interval (µs).
    pub(super) fn queue_manager(&mut self, interval: i64) {
        self.status_timeouts(interval);
        let queues: Vec<u16> = self.table.timeouts.iter().map(|(t, _)| *t).collect();
        for t in queues {
            while let Some(i) = self.table.back(Queue::Timeout(t)) {
                let q = self.table.link(i).qtime;
                if self.now.as_micros() - q.as_micros() >= i64::from(t) * 1_000_000 {
                    self.prefetch_next(i);
                    self.delete(i);
                } else {
                    break;
                }
            }
        }
    }

    /// `ArgusProcessQueueTimeout` on the status queue: report every flow
    /// whose interval ran out, oldest first, and park it.
    pub(super) fn status_timeouts(&mut self, interval: i64) {
        while let Some(i) = self.table.back(Queue::Status) {
            let qtime = self.table.link(i).qtime;
            let due = interval == 0
                || (interval > 0 && self.now.as_micros() - qtime.as_micros() >= interval);
            if !due {
                break;
            }
            self.prefetch_next(i);
            self.table.unlink(i);
            self.expire_frags(i);
            if self.table.get(i).status & RECORD_WRITTEN == 0 {
                let cause = self.table.get(i).status as u8 & 0xf0;
                self.send(i, cause);
            }
            let t = self.table.get(i).timeout;
            if t > 0 {
                self.table.push_front(i, Queue::Timeout(t.min(65534)), self.now);
            } else {
                self.delete(i);
            }
        }
    }

    /// A queue walk is about to take slot `i`, the oldest of its queue:
    /// the flow queued just before it is likely the next one taken, and
    /// cold; fetching it now overlaps its misses with the work on `i`.
    fn prefetch_next(&self, i: u32) {
        let prev = self.table.link(i).prev;
        if prev != u32::MAX {
            self.table.prefetch(prev);
        }
    }

    /// Fragment flows of a parent: fold them in, drop those older than 2 s.
    fn expire_frags(&mut self, i: u32) {
        let frags = self.table.get(i).frags();
        for c in frags {
            self.update_parent(c);
            if self.now.as_micros() - self.table.link(c).qtime.as_micros() >= 2_000_000 {
                self.delete(c);
            }
        }
    }

    /// `ArgusDeleteObject`: forget a flow; fragment flows still waiting for
    /// it are reported (cause TIMEOUT) and dropped.
    pub(super) fn delete(&mut self, i: u32) {
        let parent = match &self.table.get(i).net {
            super::state::Net::Frag(f) => f.parent,
            _ => None,
        };
        if let (Some(p), super::state::Queue::Frag(_)) = (parent, self.table.link(i).queue) {
            if let Some(x) = &mut self.table.get_mut(p).x {
                x.frags.retain(|&c| c != i);
            }
        }
        let frags = self
            .table
            .get_mut(i)
            .x
            .as_mut()
            .map(|x| std::mem::take(&mut x.frags))
            .unwrap_or_default();
        for c in frags {
            self.send(c, TIMEOUT);
            self.table.remove(c);
        }
        self.table.remove(i);
    }

    /// At the table limit: drop an idle flow (already reported) if there is
    /// one, else report the oldest active flow early and drop it.
    pub(super) fn evict(&mut self) {
        let idle = self
            .table
            .timeouts
            .iter()
            .filter(|(_, l)| l.count > 0)
            .filter_map(|(t, _)| self.table.back(Queue::Timeout(*t)))
            .min_by_key(|&i| self.table.link(i).qtime);
        if let Some(i) = idle {
            self.delete(i);
            return;
        }
        if let Some(i) = self.table.back(Queue::Status) {
            self.stats.evicted += 1;
            self.table.unlink(i);
            self.expire_frags(i);
            if self.table.get(i).status & RECORD_WRITTEN == 0 {
                let cause = self.table.get(i).status as u8 & 0xf0;
                self.send(i, cause);
            }
            self.delete(i);
        }
    }

    /// `ArgusModelerCleanUp`: what the final queue run left behind is
    /// reported with cause SHUTDOWN (timeout queues first, then the status
    /// queue, oldest first).
    pub(super) fn shutdown(&mut self) {
        let queues: Vec<u16> = self.table.timeouts.iter().map(|(t, _)| *t).collect();
        for t in queues {
            while let Some(i) = self.table.back(Queue::Timeout(t)) {
                self.prefetch_next(i);
                self.table.unlink(i);
                if self.table.get(i).status & RECORD_WRITTEN == 0 {
                    self.send(i, SHUTDOWN);
                }
                self.delete(i);
            }
        }
        while let Some(i) = self.table.back(Queue::Status) {
            self.prefetch_next(i);
            self.table.unlink(i);
            if self.table.get(i).status & RECORD_WRITTEN == 0 {
                self.send(i, SHUTDOWN);
            }
            self.delete(i);
        }
    }
}
