//! A filter tree flattened into a jump program, for the bytes-level pass
//! ([`super::raw`]): each integer test is one instruction that jumps on
//! its outcome, the way the real tools' filter machine runs, and each
//! field is read from the record once however many tests read it
//! (`tcp and dst port 443` tests the key's family byte six times).
//!
//! Only trees of integer tests, constants, `and`/`or`/`not` and rejects
//! are flattened; the tree evaluator ([`Node::eval`]) stays the reference,
//! and the two are checked against each other record by record
//! (tests/filter_diff.rs).

use super::canon::IntField;
use super::node::{IntTest, Node};

/// Where a jump goes: an instruction, or the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    At(u32),
    Accept,
    Refuse,
}

#[derive(Clone, Copy, Debug)]
struct Instr {
    test: IntTest,
    /// Index of the test's field in [`Program::fields`].
    slot: u8,
    on_true: Target,
    on_false: Target,
}

/// The flattened filter.
#[derive(Clone, Debug)]
pub struct Program {
    /// The distinct fields the tests read.
    fields: Vec<IntField>,
    code: Vec<Instr>,
    entry: Target,
}

/// At most this many distinct fields (a bit each in the read cache).
const MAX_FIELDS: usize = 16;

impl Program {
    /// Flattens `node`; `None` if it holds anything but integer tests
    /// (floats, MAC addresses, DSR presence) or reads too many fields.
    pub fn compile(node: &Node) -> Option<Program> {
        let mut p = Program { fields: Vec::new(), code: Vec::new(), entry: Target::Refuse };
        p.entry = p.emit(node, Target::Accept, Target::Refuse)?;
        Some(p)
    }

    /// Emits the code of `node` that goes on to `t` when it holds and to
    /// `f` when not; returns its entry. Children are emitted last first, so
    /// every jump target exists when it is needed.
    fn emit(&mut self, node: &Node, t: Target, f: Target) -> Option<Target> {
        Some(match node {
            Node::Const(true) | Node::Null => t,
            Node::Const(false) => f,
            // Evaluation stops there, whatever surrounds it.
            Node::Reject => Target::Refuse,
            Node::Not(a) => self.emit(a, f, t)?,
            Node::And(v) => {
                let mut next = t;
                for n in v.iter().rev() {
                    next = self.emit(n, next, f)?;
                }
                next
            }
            Node::Or(v) => {
                let mut next = f;
                for n in v.iter().rev() {
                    next = self.emit(n, t, next)?;
                }
                next
            }
            Node::Int(test) => {
                let slot = match self.fields.iter().position(|x| *x == test.field) {
                    Some(i) => i,
                    None if self.fields.len() < MAX_FIELDS => {
                        self.fields.push(test.field);
                        self.fields.len() - 1
                    }
                    None => return None,
                };
                let at = u32::try_from(self.code.len()).ok()?;
                self.code.push(Instr { test: *test, slot: slot as u8, on_true: t, on_false: f });
                Target::At(at)
            }
            Node::Float(_) | Node::Mac { .. } | Node::Present(_) => return None,
        })
    }

    /// Runs the program; `read` gives a field's value (`None` where the
    /// real tools read -1), called at most once per field.
    #[inline]
    pub fn run(&self, mut read: impl FnMut(IntField) -> Option<u64>) -> bool {
        // Values as the real tools read them (-1: missing), read on first
        // use: a bit of `have` per field.
        let mut cache = [0i64; MAX_FIELDS];
        let mut have = 0u32;
        let mut pc = self.entry;
        loop {
            let Target::At(i) = pc else { return pc == Target::Accept };
            let Some(ins) = self.code.get(i as usize) else { return false };
            let slot = usize::from(ins.slot) % MAX_FIELDS;
            if have & (1 << slot) == 0 {
                have |= 1 << slot;
                let field = self.fields.get(slot).copied();
                cache[slot] = field.and_then(&mut read).map_or(-1, |v| v as i64);
            }
            pc = if ins.test.holds_as_read(cache[slot]) { ins.on_true } else { ins.on_false };
        }
    }
}
