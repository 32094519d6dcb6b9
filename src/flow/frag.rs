//! IP fragments (argus's `ArgusFrag.c`): a first fragment sets up an
//! expected-fragments flow on its parent; later fragments are counted there
//! and folded into the parent when the datagram is complete (or when the
//! parent is reported). Fragments whose first fragment was never seen stay
//! flows of their own, keyed on addresses, protocol and IP id.

use super::key::{ThisFlow, L3, QUAL_DIRECTION, QUAL_FRAGMENT, SUB_REVERSE};
use super::state::{FlowState, FragObj, Net, Queue, RECORD_WRITTEN};
use super::update::STOP;
use super::Engine;
use crate::wire::{be16, be32, Frame};

impl Engine {
    /// A first fragment of the datagram that slot `i` belongs to.
    pub(super) fn first_fragment(
        &mut self,
        i: u32,
        this: &ThisFlow,
        f: &Frame<'_>,
        state: u8,
        this_dir: bool,
    ) {
        let d = f.data;
        let mut key = this.key;
        let (mut subtype, mut qual, dir, frag_id);
        match this.l3 {
            L3::V4 { ip, .. } => {
                let (Some(src), Some(dst), Some(id)) =
                    (be32(d, ip + 12), be32(d, ip + 16), be16(d, ip + 4))
                else {
                    return;
                };
                subtype = this.subtype;
                qual = this.qual;
                dir = src > dst;
                if dir {
                    qual |= QUAL_DIRECTION;
                    subtype |= SUB_REVERSE;
                }
                let (a, b) = if dir { (dst, src) } else { (src, dst) };
                key.bytes[0..4].copy_from_slice(&a.to_be_bytes());
                key.bytes[4..8].copy_from_slice(&b.to_be_bytes());
                key.bytes[8] = d[ip + 9];
                key.bytes[10..14].fill(0);
                key.bytes[14..16].copy_from_slice(&id.to_le_bytes());
                frag_id = u32::from(u16::from_le_bytes([d[ip + 4], d[ip + 5]]));
            }
            L3::V6 { frag: Some(fr), .. } => {
                subtype = this.subtype;
                qual = this.qual;
                dir = false;
                key.bytes[36..40].copy_from_slice(&[
                    fr.ident[3],
                    fr.ident[2],
                    fr.ident[1],
                    fr.ident[0],
                ]);
                frag_id = 0;
            }
            _ => return,
        }
        qual |= QUAL_FRAGMENT;
        // Creating the fragment flow makes argus take this packet as
        // going forward, whatever its direction, for the attribute bit below.
        let mut attr_dir = this_dir;
        let c = match self.table.find(&key) {
            None => {
                attr_dir = true;
                let mut fl =
                    FlowState::new(key, subtype | if dir { SUB_REVERSE } else { 0 }, qual, dir);
                fl.userlen = self.cfg.user_data;
                fl.lasttime = self.now;
                fl.timeout = self.cfg.timeouts.ip;
                fl.net =
                    Net::Frag(Box::new(FragObj { frag_id, parent: Some(i), ..FragObj::default() }));
                self.stats.flows += 1;
                let c = self.table.insert(fl, true);
                self.table.push_front(c, Queue::Frag(i), self.now);
                self.table.get_mut(i).xm().frags.insert(0, c);
                let ft = ThisFlow { key, subtype, qual, dir, ..*this };
                self.update_basic(c, &ft, f, state);
                c
            }
            Some(c) => {
                let fl = self.table.get_mut(c);
                if let Net::Frag(fo) = &mut fl.net {
                    fo.qual |= 0x20;
                    if fo.parent.is_none() {
                        fo.parent = Some(i);
                        if self.table.link(c).queue != Queue::Frag(i) {
                            self.table.unlink(c);
                            self.table.push_front(c, Queue::Frag(i), self.now);
                            self.table.get_mut(i).xm().frags.push(c);
                        }
                    }
                }
                c
            }
        };
        let ft = ThisFlow { key, subtype, qual, dir, ..*this };
        if self.frag_state(c, &ft, f, state) {
            self.delete(c);
        }
        if let Some(a) = &mut self.table.get_mut(i).attr {
            a.qual |= if attr_dir { 0x10 } else { 0x20 };
        }
    }

    /// `ArgusUpdateFRAGState`: accounts a fragment; true when the datagram
    /// is complete (the fragment flow was folded into its parent or
    /// reported, and can go).
    pub(super) fn frag_state(
        &mut self,
        c: u32,
        this: &ThisFlow,
        f: &Frame<'_>,
        _state: u8,
    ) -> bool {
        let d = f.data;
        let (offset, length, last, totlen) = match this.l3 {
            L3::V4 { hlen, ip_len, ip_off, .. } => {
                let off = i32::from(ip_off & 0x1fff) << 3;
                let len = i32::from(ip_len) - hlen as i32;
                let last = ip_off & 0x2000 == 0;
                (off, len, last, off + len)
            }
            L3::V6 { ip, frag: Some(fr) } => {
                let off = i32::from(fr.offset);
                let len = this.len as i32;
                let plen = i32::from(be16(d, ip + 4).unwrap_or(0));
                (off, len, !fr.more, off + plen - 8)
            }
            _ => return false,
        };
        let this_len = this.len;
        let complete = {
            let fl = self.table.get_mut(c);
            let Net::Frag(fo) = &mut fl.net else { return false };
            fo.totbytes = fo.totbytes.wrapping_add(this_len as u32);
            let end = offset + length;
            let newbytes = add_range(fo, offset, end);
            fo.bytes = fo.bytes.wrapping_add(newbytes as u32);
            fo.fragnum += 1;
            if this_len > i64::from(fo.maxfraglen) {
                fo.maxfraglen = this_len as u16;
            }
            if last {
                fo.totlen = totlen as u16;
            }
            fo.totlen != 0 && u32::from(fo.totlen) == fo.bytes
        };
        if complete {
            if !self.update_parent(c) {
                self.send(c, STOP);
            }
            if let Net::Frag(fo) = &mut self.table.get_mut(c).net {
                fo.offsets.clear();
            }
            return true;
        }
        false
    }

    /// `ArgusUpdateParentFlow`: folds a fragment flow's packets into its
    /// parent. False when it has no parent (or nothing to fold).
    pub(super) fn update_parent(&mut self, c: u32) -> bool {
        let fr = self.table.get(c);
        if !fr.has_packets() {
            return false;
        }
        let Net::Frag(fo) = &fr.net else { return false };
        let Some(p) = fo.parent else { return false };
        if self.table.link(c).queue != Queue::Frag(p) {
            return false;
        }
        let (fdir, fsrc, ftime) = (fr.dir, fr.metric[0], fr.time);
        {
            let par = self.table.get_mut(p);
            if par.status & RECORD_WRITTEN != 0 {
                par.zero();
            }
            let other = par.dir != fdir;
            if matches!(par.key_qual & 0x07, 1 | 2) {
                let m = &mut par.metric[usize::from(other)];
                m.pkts += fsrc.pkts;
                m.bytes += fsrc.bytes;
                if let Some(a) = &mut par.attr {
                    a.qual |= if other { 0x20 } else { 0x10 };
                }
            }
            let pt = &mut par.time;
            let (ps, pe) = if other {
                (&mut pt.dst_start, &mut pt.dst_end)
            } else {
                (&mut pt.src_start, &mut pt.src_end)
            };
            if pt.subtype == 0x01 {
                if *ps > ftime.src_start {
                    *ps = ftime.src_start;
                }
                *pe = ftime.src_end;
                pt.subtype = 0x02;
                par.time_len5 = true;
            } else if *pe < ftime.src_end {
                *pe = ftime.src_end;
            }
        }
        let fr = self.table.get_mut(c);
        fr.metric[0].pkts = 0;
        fr.metric[0].bytes = 0;
        true
    }
}

/// Adds the byte range `[start, end)` to the chunks seen; returns how many
/// bytes were new and flags overlaps and repeats.
fn add_range(fo: &mut FragObj, start: i32, end: i32) -> i32 {
    if end <= start {
        return 0;
    }
    let mut new = end - start;
    let mut overlap = false;
    for &(s, e) in &fo.offsets {
        let (a, b) = (start.max(s), end.min(e));
        if a < b {
            new -= b - a;
            overlap = true;
        }
    }
    if overlap && !(fo.offsets.iter().any(|&(s, e)| s == start && e == end)) {
        fo.qual |= 0x02;
    }
    fo.offsets.push((start, end));
    fo.offsets.sort_unstable();
    let mut merged: Vec<(i32, i32)> = Vec::with_capacity(fo.offsets.len());
    for &(s, e) in &fo.offsets {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    fo.offsets = merged;
    new.max(0)
}
