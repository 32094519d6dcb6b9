//! The flow table: a slab of flows, a hash map from key to slot, and
//! argus's queues as intrusive doubly-linked lists over slots (front =
//! most recently queued, back = oldest).

use std::hash::{Hash, Hasher};

use hashbrown::HashTable;

use super::key::Key;
use super::state::{FlowState, Queue};
use crate::hash::FxHasher;
use crate::record::Timeval;

const NIL: u32 = u32::MAX;

impl std::hash::Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u8(self.words);
        state.write(self.body());
    }
}

/// One queue's ends and size.
#[derive(Clone, Copy, Debug)]
pub struct List {
    pub front: u32,
    pub back: u32,
    pub count: u32,
}

impl Default for List {
    fn default() -> List {
        List { front: NIL, back: NIL, count: 0 }
    }
}

/// The hash of a flow key.
pub fn hash_key(k: &Key) -> u64 {
    let mut h = FxHasher::default();
    k.hash(&mut h);
    h.finish()
}

/// A flow's place in the queues, kept apart from the flow itself: queue
/// operations touch the neighbours' links, and a dense array of links stays
/// in cache where the flows would not.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    pub queue: Queue,
    pub prev: u32,
    pub next: u32,
    /// When the flow entered its queue.
    pub qtime: Timeval,
}

const UNLINKED: Link = Link { queue: Queue::None, prev: NIL, next: NIL, qtime: Timeval::ZERO };

pub struct Table {
    slots: Vec<Option<FlowState>>,
    links: Vec<Link>,
    free: Vec<u32>,
    /// Slot numbers by key hash; the keys themselves live in the slots, so
    /// the index stays small enough to be cache-resident.
    map: HashTable<u32>,
    pub status: List,
    /// Timeout queues, in the order they were created.
    pub timeouts: Vec<(u16, List)>,
    pub max: usize,
    live: usize,
}

impl Table {
    pub fn new(max: usize) -> Table {
        Table {
            slots: Vec::new(),
            links: Vec::new(),
            free: Vec::new(),
            map: HashTable::new(),
            status: List::default(),
            timeouts: Vec::new(),
            max: max.max(2),
            live: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub fn find(&self, key: &Key) -> Option<u32> {
        let h = hash_key(key);
        let slots = &self.slots;
        self.map
            .find(h, |&i| {
                let Some(s) = slots.get(i as usize) else { return false };
                // The flow is likely cold: ask for all its lines at once so
                // that the update after the lookup finds them in cache
                // instead of missing on one field after another.
                crate::prefetch::object(s);
                s.as_ref().is_some_and(|f| f.key == *key)
            })
            .copied()
    }

    /// Asks the CPU to fetch slot `i` ahead of its use (queue walks).
    pub fn prefetch(&self, i: u32) {
        if let Some(s) = self.slots.get(i as usize) {
            crate::prefetch::object(s);
        }
    }

    pub fn get(&self, i: u32) -> &FlowState {
        self.slots[i as usize].as_ref().expect("live flow slot")
    }

    pub fn get_mut(&mut self, i: u32) -> &mut FlowState {
        self.slots[i as usize].as_mut().expect("live flow slot")
    }

    /// Adds a flow; `hashed` flows are findable by key.
    pub fn insert(&mut self, mut f: FlowState, hashed: bool) -> u32 {
        f.hash = hash_key(&f.key);
        let hash = f.hash;
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(f);
                self.links[i as usize] = UNLINKED;
                i
            }
            None => {
                self.slots.push(Some(f));
                self.links.push(UNLINKED);
                (self.slots.len() - 1) as u32
            }
        };
        if hashed {
            self.unhash_key(hash, i);
            let slots = &self.slots;
            self.map.insert_unique(hash, i, |&j| slots[j as usize].as_ref().map_or(0, |f| f.hash));
        }
        self.live += 1;
        i
    }

    /// Forgets the key of slot `i` (the flow stays until removed).
    pub fn unhash(&mut self, i: u32) {
        let hash = self.get(i).hash;
        self.unhash_key(hash, i);
    }

    fn unhash_key(&mut self, hash: u64, i: u32) {
        if let Ok(e) = self.map.find_entry(hash, |&j| j == i) {
            e.remove();
        }
    }

    /// Removes a flow (unlinking it from its queue first).
    pub fn remove(&mut self, i: u32) -> FlowState {
        self.unlink(i);
        self.unhash(i);
        self.live -= 1;
        self.free.push(i);
        self.slots[i as usize].take().expect("live flow slot")
    }

    fn list_mut(&mut self, q: Queue) -> Option<&mut List> {
        match q {
            Queue::Status => Some(&mut self.status),
            Queue::Timeout(t) => self.timeouts.iter_mut().find(|(v, _)| *v == t).map(|(_, l)| l),
            _ => None,
        }
    }

    /// The queue slot `i` is in, and since when.
    pub fn link(&self, i: u32) -> Link {
        self.links[i as usize]
    }

    /// Puts slot `i` at the front of queue `q` with queue time `now`.
    pub fn push_front(&mut self, i: u32, q: Queue, now: Timeval) {
        self.unlink(i);
        if let Queue::Timeout(t) = q {
            if !self.timeouts.iter().any(|(v, _)| *v == t) {
                self.timeouts.push((t, List::default()));
            }
        }
        if let Queue::Frag(_) = q {
            let l = &mut self.links[i as usize];
            l.queue = q;
            l.qtime = now;
            return;
        }
        let old_front = self.list_mut(q).map_or(NIL, |l| l.front);
        self.links[i as usize] = Link { queue: q, prev: NIL, next: old_front, qtime: now };
        if old_front != NIL {
            self.links[old_front as usize].prev = i;
        }
        let l = self.list_mut(q).expect("queue exists");
        l.front = i;
        if l.back == NIL {
            l.back = i;
        }
        l.count += 1;
    }

    /// Takes slot `i` out of its queue.
    pub fn unlink(&mut self, i: u32) {
        let Link { queue: q, prev, next, .. } = self.links[i as usize];
        if matches!(q, Queue::None | Queue::Frag(_)) {
            self.links[i as usize].queue = Queue::None;
            return;
        }
        if prev != NIL {
            self.links[prev as usize].next = next;
        }
        if next != NIL {
            self.links[next as usize].prev = prev;
        }
        if let Some(l) = self.list_mut(q) {
            if l.front == i {
                l.front = next;
            }
            if l.back == i {
                l.back = prev;
            }
            l.count -= 1;
        }
        let l = &mut self.links[i as usize];
        l.queue = Queue::None;
        l.prev = NIL;
        l.next = NIL;
    }

    /// The oldest flow of a queue.
    pub fn back(&self, q: Queue) -> Option<u32> {
        let b = match q {
            Queue::Status => self.status.back,
            Queue::Timeout(t) => {
                self.timeouts.iter().find(|(v, _)| *v == t).map_or(NIL, |(_, l)| l.back)
            }
            _ => NIL,
        };
        (b != NIL).then_some(b)
    }
}
