//! A filter tree flattened into a jump program, for the bytes-level pass
//! ([`super::raw`]): each integer test is one instruction that jumps on
//! its outcome, the way the real tools' filter machine runs, and each
//! field is read from the record once however many tests read it
//! (`tcp and dst port 443` tests the key's family byte six times).
//! The flattened code is then specialised by what the tests already run
//! on each path say ([`Program::compile`]): a test whose outcome is known
//! there is skipped.
//!
//! Only trees of integer tests, constants, `and`/`or`/`not` and rejects
//! are flattened; the tree evaluator ([`Node::eval`]) stays the reference,
//! and the two are checked against each other record by record
//! (tests/filter_diff.rs).

use super::canon::IntField;
use std::collections::HashMap;

use super::node::{IntTest, Node, Op};

/// Where a jump goes: an instruction, or the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Target {
    At(u32),
    Accept,
    Refuse,
}

/// An instruction of the flattened tree.
#[derive(Clone, Copy, Debug)]
struct Instr {
    test: IntTest,
    /// Index of the test's field in [`Program::fields`].
    slot: u8,
    on_true: Target,
    on_false: Target,
}

/// A jump of the run code: an index into [`Program::code`], or one of
/// these two verdicts (never an index).
const ACCEPT: u32 = u32::MAX;
const REFUSE: u32 = u32::MAX - 1;

/// An instruction as run: `(field & mask) OP value` with the real tools'
/// treatment of a missing field (-1), as [`IntTest::holds_as_read`].
#[derive(Clone, Copy, Debug)]
struct Op1 {
    /// The mask, all ones for none.
    mask: i64,
    value: i64,
    op: Op,
    slot: u8,
    on_true: u32,
    on_false: u32,
}

/// The flattened filter.
#[derive(Clone, Debug)]
pub struct Program {
    /// The distinct fields the tests read.
    fields: Vec<IntField>,
    code: Vec<Op1>,
    entry: u32,
}

/// At most this many distinct fields (a bit each in the read cache).
const MAX_FIELDS: usize = 16;

/// Flattened code longer than this is run as flattened.
const MAX_SPECIALISED: usize = 512;

/// The outcome of `b` on a record where test `a` of the same field came
/// out `outcome`, when that decides it.
fn implied(a: &IntTest, outcome: bool, b: &IntTest) -> Option<bool> {
    if a.field != b.field {
        return None;
    }
    if a == b {
        return Some(outcome);
    }
    // `field & mask == v` held: the masked value is `v` (masking it again
    // changes nothing), which decides any test of the same masked value.
    if outcome && a.op == Op::Eq && a.mask == b.mask {
        return Some(b.holds_as_read(a.value));
    }
    None
}

/// The flattening of a tree, before it is specialised.
struct Flat {
    fields: Vec<IntField>,
    code: Vec<Instr>,
}

impl Flat {
    /// Emits the code of `node` that goes on to `t` when it holds and to
    /// `f` when not; returns its entry. Children are emitted last first, so
    /// every jump target exists when it is needed (jumps go to lower
    /// indices).
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
}

/// The specialisation of flattened code by what is known on each path:
/// the outcomes of the tests run so far. Fields are read once per record,
/// so a test of a field already tested on the path may be decided by what
/// that test said ([`implied`]); such a test is skipped, and code reached
/// with different knowledge is copied once per distinct knowledge (of the
/// fields still tested below it), within a budget.
struct Spec<'a> {
    src: &'a [Instr],
    /// The slots tested at or below each instruction, as bits.
    below: Vec<u32>,
    memo: HashMap<(u32, Vec<(u32, bool)>), Target>,
    out: Vec<Instr>,
    budget: usize,
}

impl Spec<'_> {
    /// The code for `target` reached knowing the outcomes `facts` (of the
    /// source instructions named); `None` over budget.
    fn visit(&mut self, target: Target, facts: &[(u32, bool)]) -> Option<Target> {
        let mut target = target;
        // Skip the tests the facts decide.
        let j = loop {
            let Target::At(j) = target else { return Some(target) };
            let ins = self.src.get(j as usize)?;
            let known = facts
                .iter()
                .find_map(|&(f, o)| implied(&self.src.get(f as usize)?.test, o, &ins.test));
            match known {
                Some(o) => target = if o { ins.on_true } else { ins.on_false },
                None => break j,
            }
        };
        let ins = *self.src.get(j as usize)?;
        let below = self.below.get(j as usize).copied().unwrap_or(0);
        let mut key: Vec<(u32, bool)> = facts
            .iter()
            .copied()
            .filter(|&(f, _)| self.src.get(f as usize).is_some_and(|i| below & (1 << i.slot) != 0))
            .collect();
        key.sort_unstable();
        key.dedup();
        if let Some(t) = self.memo.get(&(j, key.clone())) {
            return Some(*t);
        }
        if self.out.len() >= self.budget {
            return None;
        }
        let mut more = key.clone();
        more.push((j, true));
        let on_true = self.visit(ins.on_true, &more)?;
        if let Some(last) = more.last_mut() {
            last.1 = false;
        }
        let on_false = self.visit(ins.on_false, &more)?;
        let t = if on_true == on_false {
            // The test decides nothing here.
            on_true
        } else {
            let at = u32::try_from(self.out.len()).ok()?;
            self.out.push(Instr { on_true, on_false, ..ins });
            Target::At(at)
        };
        self.memo.insert((j, key), t);
        Some(t)
    }
}

impl Program {
    /// Flattens `node`; `None` if it holds anything but integer tests
    /// (floats, MAC addresses, DSR presence) or reads too many fields.
    pub fn compile(node: &Node) -> Option<Program> {
        let mut flat = Flat { fields: Vec::new(), code: Vec::new() };
        let mut entry = flat.emit(node, Target::Accept, Target::Refuse)?;
        let mut code = flat.code;
        if code.len() <= MAX_SPECIALISED {
            let mut below = Vec::with_capacity(code.len());
            for ins in &code {
                let at = |t: Target| match t {
                    Target::At(j) => below.get(j as usize).copied().unwrap_or(0),
                    _ => 0,
                };
                let bits = 1u32 << ins.slot | at(ins.on_true) | at(ins.on_false);
                below.push(bits);
            }
            let mut spec = Spec {
                src: &code,
                below,
                memo: HashMap::new(),
                out: Vec::new(),
                budget: (code.len() * 4).max(64),
            };
            if let Some(e) = spec.visit(entry, &[]) {
                entry = e;
                code = spec.out;
            }
        }
        let jump = |t: Target| match t {
            Target::At(j) => j,
            Target::Accept => ACCEPT,
            Target::Refuse => REFUSE,
        };
        let run = code
            .iter()
            .map(|i| Op1 {
                mask: i.test.mask.map_or(-1, i64::from),
                value: i.test.value,
                op: i.test.op,
                slot: i.slot,
                on_true: jump(i.on_true),
                on_false: jump(i.on_false),
            })
            .collect();
        Some(Program { fields: flat.fields, code: run, entry: jump(entry) })
    }

    /// Runs the program; `read` gives a field's value (`None` where the
    /// real tools read -1), called at most once per field.
    #[inline(always)]
    pub fn run(&self, mut read: impl FnMut(IntField) -> Option<u64>) -> bool {
        // Values as the real tools read them (-1: missing), read on first
        // use: a bit of `have` per field.
        let mut cache = [0i64; MAX_FIELDS];
        let mut have = 0u32;
        let mut pc = self.entry;
        while let Some(ins) = self.code.get(pc as usize) {
            let slot = usize::from(ins.slot) % MAX_FIELDS;
            if have & (1 << slot) == 0 {
                have |= 1 << slot;
                let field = self.fields.get(slot).copied();
                cache[slot] = field.and_then(&mut read).map_or(-1, |v| v as i64);
            }
            // IntTest::holds_as_read, with the mask always applied.
            let a = cache[slot] & ins.mask;
            let valid = a != -1;
            let holds = match ins.op {
                Op::Eq => valid && a == ins.value,
                Op::Gt => valid && a > ins.value,
                Op::Ge => valid && a >= ins.value,
                Op::Lt => !(valid && a >= ins.value),
                Op::Le => !(valid && a > ins.value),
            };
            pc = if holds { ins.on_true } else { ins.on_false };
        }
        pc == ACCEPT
    }
}
