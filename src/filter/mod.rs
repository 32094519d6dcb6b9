//! The Argus client filter language: grammar (pest), AST, and a compiled
//! evaluator over records. pest types never leave this module.
//!
//! The public surface is [`Filter::compile`] and [`Filter::matches`]; every
//! role that takes a filter (ra, rasort, racount, ramon, raxml, `-w file
//! "filter"`, `RA_FILTER`) goes through it.

use crate::record::Record;
use std::fmt;

/// A compiled filter expression.
#[derive(Debug)]
pub struct Filter {
    _compiled: (),
}

/// Why a filter expression could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// What went wrong, in the words the real tools use where they have any.
    pub message: String,
    /// Byte offset in the expression where the problem was found.
    pub position: usize,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterError {}

impl Filter {
    /// Compiles `expr`. Not implemented yet: every expression is rejected.
    pub fn compile(expr: &str) -> Result<Filter, FilterError> {
        let _ = expr;
        Err(FilterError { message: "filter expressions are not supported yet".into(), position: 0 })
    }

    /// True when `record` passes the filter.
    pub fn matches(&self, record: &Record) -> bool {
        let _ = record;
        true
    }
}
