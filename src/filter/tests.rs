//! Tests of the compiled filter on records built in Rust.

use super::*;
