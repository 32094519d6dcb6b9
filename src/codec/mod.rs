//! Argus 3 records <-> [`crate::record::Record`]: every DSR argus 3.0.8.2
//! writes, byte for byte.
