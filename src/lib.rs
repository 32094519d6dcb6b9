//! argus-tool: the Argus flow monitor (`argus`) and its record clients (`ra`,
//! `rasort`, `racount`, `ramon`, `raxml`) in one binary, reading and writing
//! the Argus 3 record format byte-compatibly with Argus 3.0.8.2.
//!
//! The pipeline and the module map are described in `README.md` and
//! `docs/design.md`. Dependency direction: `record` depends on nothing of
//! ours; `codec` on `record`; `archive` and `output` on `codec`; `filter` and
//! `print` on `record`; `flow` on `wire` and `record`; `roles` on everything,
//! and nothing depends on `roles`.

pub mod aggregate;
pub mod archive;
pub mod capture;
pub mod client;
pub mod codec;
pub mod conf;
pub mod diag;
pub mod dispatch;
pub mod filter;
pub mod flow;
pub mod fuzzing;
pub mod hash;
pub mod names;
pub mod output;
pub mod prefetch;
pub mod print;
pub mod record;
pub mod roles;
pub mod sort;
pub mod wire;
