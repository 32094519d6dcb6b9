//! The compiled form of a filter: a tree of boolean operators over field
//! tests, evaluated per record without allocation.
//!
//! Field tests keep the comparison rules of the real filter machine: a
//! missing field reads as -1, a mask is applied to that -1 as to any value,
//! and the "less than" forms are negations of "greater or equal", so a
//! missing field satisfies `lt` and `lte` (`ttl lt 2` matches one-way
//! flows). Float tests compare at the output precision (`-p`), as the real
//! tools do.

use super::canon::{Dsr, FloatField, IntField, MacField};
use crate::record::Slot;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

/// `field & mask OP value`, with the real tools' treatment of missing
/// fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntTest {
    pub field: IntField,
    pub mask: Option<u32>,
    pub op: Op,
    pub value: i64,
}

/// Where a filter reads its fields: a decoded record
/// ([`super::canon::View`]) or stored bytes ([`super::raw::RawView`]).
pub trait Fields {
    /// An integer field, `None` where the real tools read -1.
    fn int(&self, field: IntField) -> Option<u64>;
    /// A float field, `None` where the real tools read -1.
    fn float(&self, field: FloatField) -> Option<f32>;
    /// A six-byte field.
    fn mac(&self, field: MacField) -> Option<[u8; 6]>;
    /// Whether a DSR is present.
    fn has(&self, dsr: Dsr) -> bool;
}

impl IntTest {
    #[inline]
    fn eval<F: Fields>(&self, view: &F) -> bool {
        self.holds(view.int(self.field))
    }

    /// The test on a field's value (`None`: the real tools read -1).
    #[inline]
    pub fn holds(&self, value: Option<u64>) -> bool {
        self.holds_as_read(value.map_or(-1, |v| v as i64))
    }

    /// The test on a field's value as the real tools read it (-1 for
    /// a missing one).
    #[inline]
    pub fn holds_as_read(&self, mut a: i64) -> bool {
        if let Some(m) = self.mask {
            a &= m as i64;
        }
        let valid = a != -1;
        match self.op {
            Op::Eq => valid && a == self.value,
            Op::Gt => valid && a > self.value,
            Op::Ge => valid && a >= self.value,
            Op::Lt => !(valid && a >= self.value),
            Op::Le => !(valid && a > self.value),
        }
    }
}

/// `field OP value` on floats, at the output precision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FloatTest {
    pub field: FloatField,
    pub op: Op,
    pub value: f32,
}

/// Evaluation settings.
pub struct Ctx {
    /// 10^precision, the scale floats are rounded to before comparing.
    pub scale: f64,
}

impl FloatTest {
    fn eval<F: Fields>(&self, view: &F, ctx: &Ctx) -> bool {
        let f = view.float(self.field).unwrap_or(-1.0) as f64;
        let a = (f * ctx.scale).round() / ctx.scale;
        let b = (self.value as f64 * ctx.scale).round() / ctx.scale;
        match self.op {
            Op::Eq => (a - b).abs() <= 0.1 / ctx.scale,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Lt => a < b,
            Op::Le => a <= b,
        }
    }
}

/// The compiled filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Const(bool),
    /// The empty test the C generator produces for a few primitives
    /// (`anon`, `ether net M`, `tcp broadcast`): alone it accepts every
    /// record; combining it with anything is an error (the real compiler
    /// crashes).
    Null,
    /// All of, evaluated left to right (chains are kept flat, so a long
    /// `a or b or c ...` does not nest).
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Int(IntTest),
    Float(FloatTest),
    Mac {
        field: MacField,
        addr: [u8; 6],
    },
    Present(Dsr),
    /// Rejects the record outright when evaluation reaches it, whatever
    /// the operators around it (an arithmetic relation that divides by
    /// zero: the real filter machine stops there).
    Reject,
}

/// Evaluation reached a [`Node::Reject`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected;

impl Node {
    pub fn int(field: IntField, op: Op, value: i64) -> Node {
        Node::Int(IntTest { field, mask: None, op, value })
    }

    pub fn eq(field: IntField, value: i64) -> Node {
        Node::int(field, Op::Eq, value)
    }

    /// `(field & mask) == value & mask`; a mask of all ones is no mask.
    pub fn masked(field: IntField, value: u32, mask: u32) -> Node {
        let m = if mask == 0xffff_ffff { None } else { Some(mask) };
        Node::Int(IntTest { field, mask: m, op: Op::Eq, value: (value & mask) as i64 })
    }

    /// `(field & bits) == bits`.
    pub fn bits(field: IntField, bits: u32) -> Node {
        Node::masked(field, bits, bits)
    }

    pub fn float(field: FloatField, op: Op, value: f32) -> Node {
        Node::Float(FloatTest { field, op, value })
    }

    /// Whether evaluating this tree reads the flow key.
    pub fn reads_key(&self) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().any(Node::reads_key),
            Node::Not(a) => a.reads_key(),
            Node::Int(t) => {
                matches!(t.field, IntField::KeyU8(_) | IntField::KeyU16(_) | IntField::KeyU32(_))
            }
            Node::Mac { field, .. } => *field == MacField::ArpHardware,
            Node::Const(_) | Node::Null | Node::Float(_) | Node::Present(_) | Node::Reject => false,
        }
    }

    /// Whether every field this tree reads is an integer field accepted
    /// by `pred`.
    pub fn reads_only(&self, pred: fn(IntField) -> bool) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().all(|n| n.reads_only(pred)),
            Node::Not(a) => a.reads_only(pred),
            Node::Int(t) => pred(t.field),
            Node::Float(_) | Node::Mac { .. } | Node::Present(_) => false,
            Node::Const(_) | Node::Null | Node::Reject => true,
        }
    }

    /// Whether this tree reads an integer field accepted by `pred`.
    pub fn reads_any(&self, pred: fn(IntField) -> bool) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().any(|n| n.reads_any(pred)),
            Node::Not(a) => a.reads_any(pred),
            Node::Int(t) => pred(t.field),
            _ => false,
        }
    }

    /// Whether evaluating this tree reads a float field (durations, rates,
    /// loads, statistics: values only the whole record gives).
    pub fn reads_float(&self) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().any(Node::reads_float),
            Node::Not(a) => a.reads_float(),
            Node::Float(_) => true,
            _ => false,
        }
    }

    /// Adds the record slots evaluating this tree reads to `out`; returns
    /// whether it reads DSRs the model keeps raw (ASN, country codes,
    /// behaviour, correlation).
    pub fn collect_slots(&self, out: &mut Vec<Slot>) -> bool {
        let mut add = |s: Slot| {
            if !out.contains(&s) {
                out.push(s);
            }
        };
        match self {
            Node::And(v) | Node::Or(v) => {
                let mut raw = false;
                for n in v {
                    raw |= n.collect_slots(out);
                }
                raw
            }
            Node::Not(a) => a.collect_slots(out),
            Node::Int(t) => {
                use IntField::*;
                match t.field {
                    AgrCount => add(Slot::Agr),
                    VlanType | VlanSrc | VlanDst => add(Slot::Vlan),
                    MplsType | MplsSrcLabel | MplsDstLabel => add(Slot::Mpls),
                    AttrQual | AttrSrcTtl | AttrSrcTos | AttrSrcIpId | AttrDstTtl | AttrDstTos
                    | AttrDstIpId => add(Slot::IpAttr),
                    MacQual => add(Slot::Mac),
                    EncapsSrc | EncapsDst => add(Slot::Encaps),
                    SrcId | Seq => add(Slot::Transport),
                    IcmpQual | IcmpType | IcmpOrigSrc => add(Slot::Icmp),
                    NetSubtype | NetStatus | NetTcpOptions | NetIcmpType | NetSrcFlags
                    | NetDstFlags | NetSrcSeqBase | NetDstSeqBase => add(Slot::Network),
                    AsnSrc | AsnDst | CocodeSrc | CocodeDst | StrokesSrc | StrokesDst
                    | CorDeltaDur | CorDeltaLast => return true,
                    _ => {}
                }
                false
            }
            Node::Float(t) => {
                match t.field {
                    FloatField::AvgDur => add(Slot::Agr),
                    FloatField::Jitter { .. } => add(Slot::Jitter),
                    _ => {}
                }
                false
            }
            Node::Mac { field, .. } => {
                if *field != MacField::ArpHardware {
                    add(Slot::Mac);
                }
                false
            }
            Node::Present(Dsr::Mac) => {
                add(Slot::Mac);
                false
            }
            Node::Present(Dsr::Icmp) => {
                add(Slot::Icmp);
                false
            }
            Node::Present(Dsr::Cocode) => true,
            Node::Const(_) | Node::Null | Node::Reject => false,
        }
    }

    /// Evaluates the tree, left to right with short-circuits.
    pub fn eval<F: Fields>(&self, view: &F, ctx: &Ctx) -> Result<bool, Rejected> {
        Ok(match self {
            Node::Const(b) => *b,
            Node::Null => true,
            Node::And(v) => {
                for n in v {
                    if !n.eval(view, ctx)? {
                        return Ok(false);
                    }
                }
                true
            }
            Node::Or(v) => {
                for n in v {
                    if n.eval(view, ctx)? {
                        return Ok(true);
                    }
                }
                false
            }
            Node::Not(a) => !a.eval(view, ctx)?,
            Node::Int(t) => t.eval(view),
            Node::Float(t) => t.eval(view, ctx),
            Node::Mac { field, addr } => view.mac(*field) == Some(*addr),
            Node::Present(d) => view.has(*d),
            Node::Reject => return Err(Rejected),
        })
    }
}

/// Combining tests. These never fail: the combinations the real compiler
/// rejects (anything with [`Node::Null`]) are caught by the builder, which
/// knows where in the expression they are.
pub fn and(a: Node, b: Node) -> Node {
    match (a, b) {
        (Node::And(mut x), Node::And(y)) => {
            x.extend(y);
            Node::And(x)
        }
        (Node::And(mut x), b) => {
            x.push(b);
            Node::And(x)
        }
        (a, Node::And(mut y)) => {
            y.insert(0, a);
            Node::And(y)
        }
        (a, b) => Node::And(vec![a, b]),
    }
}

pub fn or(a: Node, b: Node) -> Node {
    match (a, b) {
        (Node::Or(mut x), Node::Or(y)) => {
            x.extend(y);
            Node::Or(x)
        }
        (Node::Or(mut x), b) => {
            x.push(b);
            Node::Or(x)
        }
        (a, Node::Or(mut y)) => {
            y.insert(0, a);
            Node::Or(y)
        }
        (a, b) => Node::Or(vec![a, b]),
    }
}

/// Negation; a double negation cancels (so `not not ... x` does not nest).
pub fn not(a: Node) -> Node {
    match a {
        Node::Not(inner) => *inner,
        a => Node::Not(Box::new(a)),
    }
}

/// `a OR b OR ...`.
pub fn any(nodes: impl IntoIterator<Item = Node>) -> Node {
    nodes.into_iter().reduce(or).unwrap_or(Node::Const(false))
}

/// `a AND b AND ...`.
pub fn all(nodes: impl IntoIterator<Item = Node>) -> Node {
    nodes.into_iter().reduce(and).unwrap_or(Node::Const(true))
}
