//! Run totals: the `-A` summary line and the exit status, counted the way
//! ra 3.0.8.2 counts them.
//!
//! * `TotalManRecords` / `TotalFarRecords` count every record read, before
//!   any filter, plus one MAR per opened input (so an input's initial MAR
//!   counts twice);
//! * `Totalrecords` is the `-N` input count (one per opened input plus the
//!   records that passed the filter, the initial MARs excepted) plus one;
//! * `TotalPkts` / `TotalBytes` sum both directions of the flow records that
//!   were processed (filter, `-N` and time range passed).
//!
//! Exit status: 2 if an input could not be opened; otherwise with a filter
//! (or `-e`) 1 unless some record passed it, and without one 1 unless some
//! input was read.

use super::limits::InputCounter;
use crate::diag::{EXIT_FAIL, EXIT_NO_INPUT, EXIT_OK};

#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub mar_records: u64,
    pub far_records: u64,
    pub event_records: u64,
    pub pkts: u64,
    pub bytes: u64,
    /// An input could not be opened (argus logs it and goes on).
    pub open_failed: bool,
}

impl Totals {
    /// The `-A` line, `counted` being the `-N` input counter.
    pub fn summary_line(&self, counted: &InputCounter) -> String {
        format!(
            " Totalrecords {:<8}  TotalManRecords {:<8}  TotalFarRecords {:<8} TotalPkts {:<8} TotalBytes {:<8}\n",
            counted.total + 1,
            self.mar_records,
            self.far_records,
            self.pkts,
            self.bytes
        )
    }

    /// The exit status at the end of a run.
    pub fn exit_status(&self, counted: &InputCounter, selective: bool) -> i32 {
        if self.open_failed {
            EXIT_NO_INPUT
        } else if selective {
            if counted.total > 1 {
                EXIT_OK
            } else {
                EXIT_FAIL
            }
        } else if self.mar_records == 0 {
            EXIT_FAIL
        } else {
            EXIT_OK
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::limits::Limits;

    #[test]
    fn summary_of_synth_without_filter() {
        // synth.argus: initial MAR, 43 flows, closing MAR.
        let mut c = InputCounter::new(&Limits::default());
        let mut t = Totals::default();
        c.connection();
        t.mar_records += 1;
        t.mar_records += 1;
        c.matched(true);
        for _ in 0..43 {
            t.far_records += 1;
            c.matched(false);
        }
        t.mar_records += 1;
        c.matched(false);
        t.pkts = 189;
        t.bytes = 26095;
        assert_eq!(
            t.summary_line(&c),
            " Totalrecords 46        TotalManRecords 3         TotalFarRecords 43       TotalPkts 189      TotalBytes 26095   \n"
        );
        assert_eq!(t.exit_status(&c, false), 0);
        assert_eq!(t.exit_status(&c, true), 0);
    }

    #[test]
    fn exit_statuses() {
        let c = InputCounter::new(&Limits::default());
        let t = Totals::default();
        assert_eq!(t.exit_status(&c, false), 1);
        assert_eq!(Totals { open_failed: true, ..Default::default() }.exit_status(&c, false), 2);
        let mut c1 = InputCounter::new(&Limits::default());
        c1.connection();
        assert_eq!(t.exit_status(&c1, true), 1);
    }
}
