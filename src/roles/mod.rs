//! One thin module per role: each parses its options and wires stages
//! together; no role holds an algorithm of its own, and no role imports
//! another role.

pub mod argus;
pub mod ra;
pub mod racount;
pub mod ramon;
pub mod rasort;
pub mod raxml;
