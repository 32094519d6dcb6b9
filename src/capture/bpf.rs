//! BPF capture filters: compiled by libpcap (`pcap_compile` on a dead
//! handle of the capture's link type) and run with `pcap_offline_filter`.

use pcap::{BpfProgram, Capture, Linktype};

/// A compiled capture filter for one link type.
pub struct CaptureFilter {
    program: BpfProgram,
}

/// Mirror of libpcap's `struct pcap_pkthdr` (Linux, 64-bit timeval).
#[repr(C)]
struct PktHdr {
    ts: libc::timeval,
    caplen: u32,
    len: u32,
}

extern "C" {
    // libpcap is linked by the pcap crate. `BpfProgram` is
    // `#[repr(transparent)]` over libpcap's `struct bpf_program`, so a
    // pointer to it is a valid `const struct bpf_program *`.
    fn pcap_offline_filter(prog: *const BpfProgram, hdr: *const PktHdr, pkt: *const u8) -> i32;
}

impl CaptureFilter {
    /// Compiles `expr` for packets of `linktype`.
    pub fn compile(expr: &str, linktype: u16) -> Result<CaptureFilter, String> {
        let dead =
            Capture::dead(Linktype(i32::from(dlt_of(linktype)))).map_err(|e| e.to_string())?;
        let program = dead.compile(expr, true).map_err(|e| e.to_string())?;
        Ok(CaptureFilter { program })
    }

    /// True when the packet (captured bytes, length on the wire) passes.
    pub fn matches(&self, data: &[u8], wire_len: u32) -> bool {
        let hdr = PktHdr {
            ts: libc::timeval { tv_sec: 0, tv_usec: 0 },
            caplen: data.len() as u32,
            len: wire_len.max(data.len() as u32),
        };
        // SAFETY: `program` is a live compiled program (see the extern
        // block for the layout argument), `hdr.caplen` is exactly the length
        // of `data`, and libpcap's BPF interpreter never reads past caplen.
        unsafe { pcap_offline_filter(&self.program, &hdr, data.as_ptr()) > 0 }
    }
}

/// libpcap's DLT number for a file LINKTYPE (they differ only for raw IP).
fn dlt_of(linktype: u16) -> u16 {
    match linktype {
        101 => 12,
        l => l,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_matches_on_ethernet() {
        let f = CaptureFilter::compile("udp port 53", 1).unwrap();
        let mut frame = vec![0u8; 12];
        frame.extend([
            0x08, 0x00, 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        frame.extend([0x30, 0x39, 0, 53, 0, 8, 0, 0]);
        assert!(f.matches(&frame, frame.len() as u32));
        frame[36] = 54;
        assert!(!f.matches(&frame, frame.len() as u32));
        assert!(CaptureFilter::compile("no such (", 1).is_err());
        // Truncated packets never make the interpreter read past them.
        assert!(!f.matches(&frame[..20], 60));
    }
}
