//! Live capture from a network interface through libpcap: open the device
//! (snap length, promiscuous mode, kernel buffer size), install the BPF
//! capture filter in the kernel, hand out packets one at a time, and report
//! the kernel's drop counters. Optionally every packet seen is also written
//! to a pcap file (`ARGUS_PACKET_CAPTURE_FILE`), recreated when removed.
//!
//! The read blocks for at most [`READ_TIMEOUT_MS`]: the capture thread gets
//! control back at least that often even on a silent interface, to advance
//! the flow engine's clock and to notice a shutdown request.

use std::ffi::CString;
use std::path::Path;
use std::time::Instant;

use pcap::{Active, Capture, Savefile};

use super::Packet;

/// How long one read waits for a packet (argus 3.0.8.2 uses 100 ms too).
pub const READ_TIMEOUT_MS: i32 = 100;

/// libpcap's largest snap length; argus's default when `-s` is not given
/// is much smaller (see `roles::argus`), we only clamp here.
const MAX_SNAPLEN: i32 = 262_144;

/// How a device is opened.
#[derive(Clone, Debug)]
pub struct LiveOptions {
    /// Bytes kept per packet (`-s`).
    pub snaplen: i32,
    /// Promiscuous mode (off with `-p` / `ARGUS_GO_PROMISCUOUS=no`).
    pub promisc: bool,
    /// Kernel buffer in bytes (`ARGUS_PCAP_BUF_SIZE`), libpcap's default when `None`.
    pub buffer_size: Option<i32>,
    /// BPF capture filter, compiled against the device's link type.
    pub filter: Option<String>,
}

/// Packets and drops seen by the kernel for one device since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelStats {
    pub received: u64,
    pub dropped: u64,
}

/// What one read gave.
pub enum Read<'a> {
    Packet(Packet<'a>),
    /// Packets arrived while waiting: read again.
    Again,
    /// Nothing for a whole read timeout.
    Idle,
}

/// One open device.
pub struct LiveCapture {
    name: String,
    cap: Capture<Active>,
    linktype: u16,
    localnet: u32,
    netmask: u32,
    dump: Option<PacketDump>,
    /// pcap_stats counters are 32-bit and wrap; we keep 64-bit totals.
    last_raw: (u32, u32),
    totals: KernelStats,
}

/// The `ARGUS_PACKET_CAPTURE_FILE` writer.
struct PacketDump {
    path: String,
    file: Option<Savefile>,
    checked: Instant,
}

extern "C" {
    // libpcap, linked through the pcap crate (which does not wrap it).
    fn pcap_lookupnet(
        device: *const libc::c_char,
        netp: *mut u32,
        maskp: *mut u32,
        errbuf: *mut libc::c_char,
    ) -> libc::c_int;
}

/// The IPv4 network and mask of `device` in host order, (0, 0) when it has
/// none (argus writes them in its management records).
pub fn lookup_net(device: &str) -> (u32, u32) {
    let Ok(name) = CString::new(device) else { return (0, 0) };
    let (mut net, mut mask) = (0u32, 0u32);
    let mut errbuf = [0 as libc::c_char; 256];
    // SAFETY: `name` is NUL-terminated, `net`/`mask` are valid u32 slots
    // (libpcap's bpf_u_int32) and `errbuf` is larger than PCAP_ERRBUF_SIZE.
    let rc = unsafe { pcap_lookupnet(name.as_ptr(), &mut net, &mut mask, errbuf.as_mut_ptr()) };
    if rc < 0 {
        return (0, 0);
    }
    // libpcap stores them in network byte order.
    (u32::from_be(net), u32::from_be(mask))
}

impl LiveCapture {
    /// Opens `device` ("any" is every interface) and installs the filter.
    pub fn open(device: &str, opts: &LiveOptions) -> Result<LiveCapture, String> {
        let err = |e: pcap::Error| format!("{device}: {e}");
        let mut inactive = Capture::from_device(device)
            .map_err(err)?
            .snaplen(opts.snaplen.clamp(64, MAX_SNAPLEN))
            .promisc(opts.promisc)
            .timeout(READ_TIMEOUT_MS);
        if let Some(size) = opts.buffer_size {
            inactive = inactive.buffer_size(size);
        }
        // Non-blocking reads and our own poll(2) with a timeout: with
        // TPACKET_V3 a blocking libpcap read polls without a timeout and
        // never returns on a silent interface.
        let mut cap = inactive.open().map_err(err)?.setnonblock().map_err(err)?;
        if let Some(expr) = &opts.filter {
            cap.filter(expr, true).map_err(|e| format!("{expr}: {e}"))?;
        }
        let linktype = u16::try_from(cap.get_datalink().0).unwrap_or(0);
        let (localnet, netmask) = lookup_net(device);
        Ok(LiveCapture {
            name: device.to_string(),
            cap,
            linktype,
            localnet,
            netmask,
            dump: None,
            last_raw: (0, 0),
            totals: KernelStats::default(),
        })
    }

    /// Also write every packet to the pcap file `path`.
    pub fn dump_to(&mut self, path: &str) -> Result<(), String> {
        let file = self.cap.savefile_append(path).map_err(|e| format!("{path}: {e}"))?;
        self.dump =
            Some(PacketDump { path: path.to_string(), file: Some(file), checked: Instant::now() });
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The device's link type (a DLT number, which is the LINKTYPE for
    /// every link type our decoder knows on Linux).
    pub fn linktype(&self) -> u16 {
        self.linktype
    }

    /// The device's IPv4 network and netmask (host order), 0 if none.
    pub fn net(&self) -> (u32, u32) {
        (self.localnet, self.netmask)
    }

    /// Waits up to [`READ_TIMEOUT_MS`] for the capture to be readable;
    /// true when it is.
    fn wait_readable(fd: std::os::fd::RawFd) -> bool {
        let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd for the duration of the call.
        unsafe { libc::poll(&mut pfd, 1, READ_TIMEOUT_MS) > 0 }
    }

    /// The next packet if one is there; otherwise waits up to the read
    /// timeout and says whether packets have arrived meanwhile.
    pub fn read(&mut self) -> Result<Read<'_>, String> {
        use std::os::fd::AsRawFd;
        let fd = self.cap.as_raw_fd();
        match self.cap.next_packet() {
            Ok(p) => {
                if let Some(f) = self.dump.as_mut().and_then(|d| d.file.as_mut()) {
                    f.write(&p);
                }
                let ts = p.header.ts;
                Ok(Read::Packet(Packet {
                    sec: ts.tv_sec as u32,
                    usec: ts.tv_usec.clamp(0, 999_999) as u32,
                    data: p.data,
                    wire_len: p.header.len,
                    linktype: self.linktype,
                    buf_off: 0,
                    buf_tail: &[],
                }))
            }
            // Non-blocking: nothing buffered now.
            Err(pcap::Error::TimeoutExpired) => {
                Ok(if Self::wait_readable(fd) { Read::Again } else { Read::Idle })
            }
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    /// Kernel counters since the device was opened.
    pub fn stats(&mut self) -> KernelStats {
        if let Ok(s) = self.cap.stats() {
            let (r0, d0) = self.last_raw;
            self.totals.received += u64::from(s.received.wrapping_sub(r0));
            self.totals.dropped += u64::from(s.dropped.wrapping_sub(d0));
            self.last_raw = (s.received, s.dropped);
        }
        self.totals
    }
}

impl LiveCapture {
    /// Called about once a second: the packet file is flushed, and started
    /// anew when it was taken away (as argus does).
    pub fn maintain(&mut self) {
        let Some(d) = &mut self.dump else { return };
        if d.checked.elapsed().as_secs() < 1 {
            return;
        }
        d.checked = Instant::now();
        if let Some(f) = &mut d.file {
            let _ = f.flush();
        }
        if !Path::new(&d.path).exists() {
            d.file = self.cap.savefile_append(&d.path).ok();
        }
    }
}
