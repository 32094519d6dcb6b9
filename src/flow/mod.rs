//! The flow engine: bidirectional flow table, TCP state machine, timeouts,
//! status reports; time comes from packet timestamps only.
