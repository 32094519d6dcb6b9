//! From parse tree to compiled filter: walks the pest tree in source order,
//! carrying the qualifier register exactly as the yacc actions do, and
//! calls the primitive generators of `gen`.
//!
//! The register rules (from grammar.y): a term leaves its qualifier behind;
//! a bare value after `and`/`or` is interpreted under it; a head (`src host`)
//! starts a new one; protocol keywords, record keywords, arithmetic and
//! `inbound`/`outbound` leave the undefined qualifier; a parenthesised
//! expression leaves the qualifier that was current before it; flag words
//! (`syn`) and option words (`mss`) leave the register as it was — and a
//! bare flag word takes its direction from it (`src host a and syn` tests
//! the source's SYN).

use super::gen::{self, GenError};
use super::node::{and, not, or, Node, Op};
use super::numbers;
use super::qual::{Addr, Dir, Pname, Proto, QType, Qual};
use super::syntax::Rule;
use pest::iterators::{Pair, Pairs};

/// `len`: the size of the real tools' in-memory record, which is what their
/// BPF-style `len` evaluates to.
const RECORD_LEN: i64 = 384;

/// A compile error at a byte offset of the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: GenError,
    pub position: usize,
}

type Built = Result<(Node, Qual), Failure>;

fn at(position: usize) -> impl Fn(GenError) -> Failure {
    move |error| Failure { error, position }
}

fn start(pair: &Pair<Rule>) -> usize {
    pair.as_span().start()
}

/// Compiles a parsed `filter`.
pub fn filter(pair: Pair<Rule>) -> Result<Node, Failure> {
    match pair.into_inner().find(|p| p.as_rule() == Rule::expr) {
        Some(e) => Ok(expr(e, Qual::UNDEF)?.0),
        None => Ok(Node::Null),
    }
}

/// `a and b`, `a or b`: an empty test cannot be combined with a real one
/// (the real compiler crashes), two empty tests stay empty.
fn combine(is_and: bool, a: Node, b: Node, position: usize) -> Result<Node, Failure> {
    match (&a, &b) {
        (Node::Null, Node::Null) => Ok(Node::Null),
        (Node::Null, _) | (_, Node::Null) => Err(Failure { error: GenError::Plain, position }),
        _ => Ok(if is_and { and(a, b) } else { or(a, b) }),
    }
}

fn negate(a: Node, position: usize) -> Result<Node, Failure> {
    if a == Node::Null {
        return Err(Failure { error: GenError::Plain, position });
    }
    Ok(not(a))
}

fn is_and(conj: &Pair<Rule>) -> bool {
    conj.clone().into_inner().next().is_some_and(|p| p.as_rule() == Rule::kw_and)
}

fn expr(pair: Pair<Rule>, reg: Qual) -> Built {
    let mut inner = pair.into_inner();
    let Some(first) = inner.next() else { return Ok((Node::Null, reg)) };
    let (mut node, mut q) = term(first, reg)?;
    while let (Some(conj), Some(next)) = (inner.next(), inner.next()) {
        let pos = start(&next);
        let (rhs, q2) = match next.as_rule() {
            Rule::term => term(next, q)?,
            _ => id(next, q)?,
        };
        node = combine(is_and(&conj), node, rhs, pos)?;
        q = q2;
    }
    Ok((node, q))
}

fn term(pair: Pair<Rule>, reg: Qual) -> Built {
    let mut nots = Vec::new();
    let mut result = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::kw_not => nots.push(start(&p)),
            _ => result = Some(rterm(p, reg)?),
        }
    }
    let (mut node, q) = result.unwrap_or((Node::Null, reg));
    for pos in nots.into_iter().rev() {
        node = negate(node, pos)?;
    }
    Ok((node, q))
}

fn rterm(pair: Pair<Rule>, reg: Qual) -> Built {
    let mut inner = pair.into_inner();
    let Some(first) = inner.next() else { return Ok((Node::Null, reg)) };
    let pos = start(&first);
    match first.as_rule() {
        Rule::paren_expr => {
            let e = first.into_inner().find(|p| p.as_rule() == Rule::expr);
            let node = match e {
                Some(e) => expr(e, reg)?.0,
                None => Node::Null,
            };
            Ok((node, reg))
        }
        Rule::head => {
            let q = head(first);
            let Some(value) = inner.next() else { return Ok((Node::Null, q)) };
            id(value, q)
        }
        Rule::thead => {
            let q = head(first);
            let Some(word) = inner.next() else { return Ok((Node::Null, q)) };
            let node = gen::tname(word.as_str(), q).map_err(at(pos))?;
            Ok((node, q))
        }
        Rule::arth => {
            let (Some(op), Some(rhs)) = (inner.next(), inner.next()) else {
                return Err(Failure { error: GenError::Plain, position: pos });
            };
            let node = relation(first, op, rhs)?;
            Ok((node, Qual::UNDEF))
        }
        Rule::other => Ok((other(first)?, Qual::UNDEF)),
        Rule::pname => {
            let p = pname(&first);
            Ok((gen::pname_alone(p).map_err(at(pos))?, Qual::UNDEF))
        }
        Rule::sname => Ok((gen::sname(first.as_str()).map_err(at(pos))?, Qual::UNDEF)),
        Rule::tname => Ok((gen::tname(first.as_str(), reg).map_err(at(pos))?, reg)),
        Rule::oname => Ok((gen::oname(first.as_str()).map_err(at(pos))?, reg)),
        _ => Err(Failure { error: GenError::Plain, position: pos }),
    }
}

fn pname(pair: &Pair<Rule>) -> Pname {
    // The grammar only lets protocol keywords through here.
    Pname::from_word(pair.as_str()).unwrap_or(Pname::Anon)
}

/// A head or thead: protocol, direction and attribute keywords.
fn head(pair: Pair<Rule>) -> Qual {
    let mut proto = Proto::Default;
    let mut dir = Dir::Default;
    let mut addr = Addr::Default;
    let mut typ = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::pname => proto = Proto::Name(pname(&p)),
            Rule::dqual => dir = dqual(p),
            Rule::aqual => addr = Addr::from_aqual(p.as_str()).unwrap_or(Addr::Default),
            Rule::iqual => {
                addr = Addr::from_iqual(p.as_str()).unwrap_or(Addr::Default);
                typ = Some(QType::Integer);
            }
            Rule::fqual => {
                addr = Addr::from_fqual(p.as_str()).unwrap_or(Addr::Default);
                typ = Some(QType::Float);
            }
            Rule::kw_proto => addr = Addr::Proto,
            Rule::kw_gateway => addr = Addr::Gateway,
            _ => {}
        }
    }
    Qual { typ: typ.unwrap_or_else(|| QType::from_pqual(proto)), proto, dir, addr }
}

fn dqual(pair: Pair<Rule>) -> Dir {
    match pair.into_inner().next().map(|p| p.as_rule()) {
        Some(Rule::kw_src) => Dir::Src,
        Some(Rule::kw_dst) => Dir::Dst,
        Some(Rule::dq_src_or_dst | Rule::dq_dst_or_src) => Dir::Or,
        Some(Rule::dq_src_and_dst | Rule::dq_dst_and_src) => Dir::And,
        _ => Dir::Default,
    }
}

fn cmp_op(pair: &Pair<Rule>) -> Op {
    match pair.clone().into_inner().next().map(|p| p.as_rule()) {
        Some(Rule::kw_lt) => Op::Lt,
        Some(Rule::kw_gt) => Op::Gt,
        Some(Rule::kw_gte) => Op::Ge,
        Some(Rule::kw_lte) => Op::Le,
        _ => Op::Eq,
    }
}

/// A value (`id`), interpreted under the qualifier `q`.
fn id(pair: Pair<Rule>, q: Qual) -> Built {
    let pos = start(&pair);
    let mut inner = pair.into_inner();
    let Some(first) = inner.next() else { return Ok((Node::Null, q)) };
    match first.as_rule() {
        Rule::nid => nid(first, q),
        Rule::pnum => Ok((gen::number(None, pnum(first), q, Op::Eq).map_err(at(pos))?, q)),
        Rule::fnum => {
            let (text, v) = fnum(first);
            Ok((gen::float(&text, v, q, Op::Eq).map_err(at(pos))?, q))
        }
        Rule::cmpword => {
            let op = cmp_op(&first);
            let Some(value) = inner.next() else { return Ok((Node::Null, q)) };
            let node = match value.as_rule() {
                Rule::pnum => gen::number(None, pnum(value), q, op),
                _ => {
                    let (text, v) = fnum(value);
                    gen::float(&text, v, q, op)
                }
            };
            Ok((node.map_err(at(pos))?, q))
        }
        Rule::paren_pid => match first.into_inner().find(|p| p.as_rule() == Rule::pid) {
            Some(p) => pid(p, q),
            None => Ok((Node::Null, q)),
        },
        _ => Err(Failure { error: GenError::Plain, position: pos }),
    }
}

/// A parenthesised list of values (`port (80 or 443)`).
fn pid(pair: Pair<Rule>, q: Qual) -> Built {
    let mut inner = pair.into_inner();
    let Some(first) = inner.next() else { return Ok((Node::Null, q)) };
    let pos = start(&first);
    let (mut node, mut cur) = match first.as_rule() {
        Rule::nid => nid(first, q)?,
        Rule::pnum => (gen::number(None, pnum(first), q, Op::Eq).map_err(at(pos))?, q),
        _ => {
            let (text, v) = fnum(first);
            (gen::float(&text, v, q, Op::Eq).map_err(at(pos))?, q)
        }
    };
    while let (Some(conj), Some(next)) = (inner.next(), inner.next()) {
        let pos = start(&next);
        let (rhs, q2) = id(next, cur)?;
        node = combine(is_and(&conj), node, rhs, pos)?;
        cur = q2;
    }
    Ok((node, cur))
}

/// Address literals, names and negated values.
fn nid(pair: Pair<Rule>, q: Qual) -> Built {
    let pos = start(&pair);
    let mut inner = pair.into_inner();
    let Some(first) = inner.next() else { return Ok((Node::Null, q)) };
    let err = at(pos);
    match first.as_rule() {
        Rule::kw_not => {
            let Some(value) = inner.next() else { return Ok((Node::Null, q)) };
            let (node, q2) = id(value, q)?;
            Ok((negate(node, pos)?, q2))
        }
        Rule::ident => {
            let text = first.into_inner().next().map(|p| (p.as_rule(), p.as_str()));
            let name = match text {
                Some((Rule::escaped_id, t)) => t.get(1..).unwrap_or(""),
                Some((_, t)) => t,
                None => "",
            };
            Ok((gen::name(name, q).map_err(err)?, q))
        }
        Rule::string => {
            let q = q.with_type(QType::String);
            Ok((gen::name(first.as_str(), q).map_err(err)?, q))
        }
        Rule::hidv4 => {
            let q = q.with_type(QType::Ipv4);
            Ok((gen::number(Some(first.as_str()), 0, q, Op::Eq).map_err(err)?, q))
        }
        Rule::hidv6 => {
            let q = q.with_type(QType::Ipv6);
            Ok((gen::number(Some(first.as_str()), 0, q, Op::Eq).map_err(err)?, q))
        }
        Rule::v4_cidr | Rule::v6_cidr => {
            let typ = if first.as_rule() == Rule::v4_cidr { QType::Ipv4 } else { QType::Ipv6 };
            let q = q.with_type(typ);
            let parts: Vec<Pair<Rule>> = first.into_inner().collect();
            let addr = parts.first().map_or("", |p| p.as_str());
            let len = parts
                .iter()
                .find(|p| p.as_rule() == Rule::num)
                .map_or(0, |p| numbers::stoi(p.as_str()));
            Ok((gen::masked_address(addr, None, len, q).map_err(err)?, q))
        }
        Rule::v4_mask => {
            let q = q.with_type(QType::Ipv4);
            let addrs: Vec<&str> = first
                .into_inner()
                .filter(|p| p.as_rule() == Rule::hidv4)
                .map(|p| p.as_str())
                .collect();
            let (a, m) = (addrs.first().copied().unwrap_or(""), addrs.get(1).copied());
            Ok((gen::masked_address(a, m, 0, q).map_err(err)?, q))
        }
        Rule::eid => {
            // The grammar gives a MAC the IPv6 value kind.
            let q = q.with_type(QType::Ipv6);
            let mac = super::lookup::parse_mac(first.as_str()).unwrap_or_default();
            Ok((gen::mac_address(mac, q).map_err(err)?, q))
        }
        _ => Err(Failure { error: GenError::Plain, position: pos }),
    }
}

fn pnum(pair: Pair<Rule>) -> i32 {
    let mut p = pair;
    loop {
        match p.clone().into_inner().find(|c| matches!(c.as_rule(), Rule::num | Rule::pnum)) {
            Some(c) if c.as_rule() == Rule::num => return numbers::stoi(c.as_str()),
            Some(c) => p = c,
            None => return 0,
        }
    }
}

/// A float literal: its text (the real tools keep it for `asn`) and value.
fn fnum(pair: Pair<Rule>) -> (String, f32) {
    let mut p = pair;
    loop {
        match p.clone().into_inner().find(|c| matches!(c.as_rule(), Rule::float | Rule::fnum)) {
            Some(c) if c.as_rule() == Rule::float => {
                return (c.as_str().to_owned(), numbers::stof(c.as_str()));
            }
            Some(c) => p = c,
            None => return (String::new(), 0.0),
        }
    }
}

fn other(pair: Pair<Rule>) -> Result<Node, Failure> {
    let pos = start(&pair);
    let mut proto = Proto::Default;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::pname => proto = Proto::Name(pname(&p)),
            Rule::kw_broadcast => return gen::broadcast(proto).map_err(at(pos)),
            Rule::kw_multicast => return gen::multicast(proto).map_err(at(pos)),
            _ => return Ok(gen::inbound()),
        }
    }
    Ok(Node::Null)
}

// ------------------------------------------------------------- arithmetic

/// A value of BPF-style arithmetic: a constant, or unknown when it reads
/// packet bytes, which flow records do not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arith {
    Const(i64),
    Packet,
    /// Division by zero: the real filter rejects the record outright.
    DivZero,
}

/// `arth relop arth`, evaluated at compile time. A division by zero rejects
/// the record when the relation is reached, as in the real filter machine.
/// difference: relations that read packet bytes (`ip[0] = 69`) compare
/// whatever memory the real tools find at that offset of their record;
/// here they never match.
fn relation(lhs: Pair<Rule>, op: Pair<Rule>, rhs: Pair<Rule>) -> Result<Node, Failure> {
    let a = arith(lhs)?;
    let b = arith(rhs)?;
    let op_rule = op.into_inner().next().map(|p| p.as_rule());
    let (a, b) = match (a, b) {
        (Arith::DivZero, _) | (_, Arith::DivZero) => return Ok(Node::Reject),
        (Arith::Const(a), Arith::Const(b)) => (a, b),
        _ => return Ok(Node::Const(false)),
    };
    let d = a.wrapping_sub(b);
    let valid = d != -1;
    Ok(Node::Const(match op_rule {
        Some(Rule::op_gt) => valid && d > 0,
        Some(Rule::op_ge | Rule::kw_gte_word) => valid && d >= 0,
        Some(Rule::op_eq | Rule::kw_eq_word) => d == 0,
        Some(Rule::op_le | Rule::kw_lte_word) => !(valid && d > 0),
        Some(Rule::op_lt) => !(valid && d >= 0),
        _ => d != 0,
    }))
}

fn arith(pair: Pair<Rule>) -> Result<Arith, Failure> {
    match pair.as_rule() {
        Rule::arth | Rule::arth_and | Rule::arth_sh | Rule::arth_add | Rule::arth_mul => {
            fold(pair.into_inner())
        }
        Rule::arth_atom => {
            let Some(first) = pair.into_inner().find(|p| p.as_rule() != Rule::lparen) else {
                return Ok(Arith::Const(0));
            };
            match first.as_rule() {
                Rule::kw_len => Ok(Arith::Const(RECORD_LEN)),
                Rule::pnum => Ok(Arith::Const(pnum(first) as i64)),
                Rule::arth_load => load(first),
                _ => arith(first),
            }
        }
        _ => Ok(Arith::Const(0)),
    }
}

/// Left fold of `operand (op operand)*`.
fn fold(mut pairs: Pairs<Rule>) -> Result<Arith, Failure> {
    let Some(first) = pairs.next() else { return Ok(Arith::Const(0)) };
    let mut acc = arith(first)?;
    while let (Some(op), Some(next)) = (pairs.next(), pairs.next()) {
        let rhs = arith(next)?;
        acc = match (acc, rhs) {
            (Arith::DivZero, _) | (_, Arith::DivZero) => Arith::DivZero,
            (Arith::Packet, _) | (_, Arith::Packet) => Arith::Packet,
            (Arith::Const(a), Arith::Const(b)) => match op.as_rule() {
                Rule::op_bar => Arith::Const(a | b),
                Rule::op_amp => Arith::Const(a & b),
                Rule::op_lsh => Arith::Const(a.wrapping_shl(b as u32)),
                Rule::op_rsh => Arith::Const(a.wrapping_shr(b as u32)),
                Rule::op_plus => Arith::Const(a.wrapping_add(b)),
                Rule::op_minus => Arith::Const(a.wrapping_sub(b)),
                Rule::op_star => Arith::Const(a.wrapping_mul(b)),
                _ if b == 0 => Arith::DivZero,
                _ => Arith::Const(a.wrapping_div(b)),
            },
        };
    }
    Ok(acc)
}

/// `proto[index:size]`: checks what the real compiler checks, then yields
/// an unknown value.
fn load(pair: Pair<Rule>) -> Result<Arith, Failure> {
    let pos = start(&pair);
    let mut proto = None;
    let mut size = 1;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::pname => proto = Some(pname(&p)),
            Rule::arth => {
                arith(p)?;
            }
            Rule::num => size = numbers::stoi(p.as_str()),
            _ => {}
        }
    }
    if !matches!(size, 1 | 2 | 4 | 8) {
        return Err(Failure {
            error: GenError::Detail("data size must be 1, 2, or 4".into()),
            position: pos,
        });
    }
    match proto {
        Some(Pname::Mpls | Pname::Isis | Pname::Vlan | Pname::Anon) | None => Err(Failure {
            error: GenError::Detail("unsupported index operation".into()),
            position: pos,
        }),
        Some(p) => {
            if p != Pname::Link {
                gen::pname_alone(p).map_err(at(pos))?;
            }
            Ok(Arith::Packet)
        }
    }
}
