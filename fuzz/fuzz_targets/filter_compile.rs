//! The filter compiler on arbitrary text: an expression compiles or gives
//! an error, never panics or overflows the stack; what compiles is
//! evaluated on a flow record, an empty one and a management record.
#![no_main]
use argus_tool::filter::{CompileOptions, Filter};
use argus_tool::record::{DirMetrics, Flow, FlowKey, Mar, Metrics, Record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let expr = String::from_utf8_lossy(data);
    // No DNS: random words would be looked up as host names.
    let options = CompileOptions { resolve_names: false };
    if let Ok(mut f) = Filter::compile_with(&expr, &options) {
        f.set_precision(data.first().map_or(6, |b| u32::from(b % 12)));
        let mut flow = Flow::argus(1);
        flow.key = Some(FlowKey::ipv4_ports(0x0a00_0001, 0x0a00_0002, 6, 40000, 80));
        let side = DirMetrics { pkts: 3, bytes: 300, appbytes: 0 };
        flow.metrics = Some(Metrics::argus(side, side, false));
        for rec in [Record::Flow(Box::new(flow)), Record::Flow(Box::default()), Record::Mar(Mar::default())] {
            let _ = f.matches(&rec);
        }
    }
});
