//! Sorting flow records the way `rasort` 3.0.8.2 does.
//!
//! * [`keys`]: the sort keys (`-m` words): which value of a record each one
//!   compares and how — `ArgusSort*` of argus-clients, with their quirks
//!   (direction, attributes that compare equal when either record lacks
//!   them, the address family ordering that `-v` does not reverse).
//! * [`msort`]: glibc 2.36's `qsort`, a top-down merge sort, because with
//!   comparators that are not transitive the exact sequence of comparisons
//!   decides the output. Halves are sorted on separate threads; the result
//!   is the same.
//! * [`radix`]: when the comparison is a total order (the keys' words,
//!   [`SortSpec::push_words`]), a stable radix sort by those words gives
//!   the same order far faster.
//!
//! A sorter holds compact keys (a word or a few per record and sort key) and
//! the record's place in its input, never decoded records: the records
//! are read again, by offset, when they are printed or written.

pub mod keys;
pub mod msort;
pub mod radix;

pub use keys::{KeyError, SortSpec, Val};
