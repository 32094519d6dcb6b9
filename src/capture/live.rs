//! Live capture from a network interface through libpcap: open the device
//! (snap length, promiscuous mode, kernel buffer size, optionally a link
//! type), install the BPF capture filter in the kernel, hand out packets
//! one at a time without blocking, and report the kernel's drop counters.
//! [`wait_readable`] waits on several devices at once (argus's `bond:` and
//! `dup:` groups feed one flow engine from several devices).
//!
//! [`interface_up`] tells whether a device is up or gone, and
//! [`LiveCapture::reopen`] opens a device again (one that was removed and
//! has come back), as 3.0.8.2 does for the devices it captures on.
//!
//! The wait is at most [`READ_TIMEOUT_MS`]: the capture thread gets
//! control back at least that often even on a silent interface, to advance
//! the flow engine's clock and to notice a shutdown request.

use std::ffi::CString;
use std::os::fd::{AsRawFd, RawFd};

use pcap::{Active, Capture, Linktype};

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
    /// Packets handed over as they arrive, not a kernel block at a time.
    pub immediate: bool,
}

/// argus's `-i eth0(EN10MB)`: a link type to ask the device for.
pub fn datalink_by_name(name: &str) -> Option<i32> {
    Linktype::from_name(name).ok().map(|l| l.0)
}

/// Packets and drops seen by the kernel for one device since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelStats {
    pub received: u64,
    pub dropped: u64,
}

/// One open device.
pub struct LiveCapture {
    name: String,
    cap: Capture<Active>,
    linktype: u16,
    localnet: u32,
    netmask: u32,
    snaplen: u32,
    /// pcap_stats counters are 32-bit and wrap; we keep 64-bit totals.
    last_raw: (u32, u32),
    totals: KernelStats,
    /// How it was opened, to open it again.
    datalink: Option<i32>,
    opts: LiveOptions,
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
    pub fn open(
        device: &str,
        datalink: Option<i32>,
        opts: &LiveOptions,
    ) -> Result<LiveCapture, String> {
        let err = |e: pcap::Error| format!("{device}: {e}");
        let mut inactive = Capture::from_device(device)
            .map_err(err)?
            .snaplen(opts.snaplen.clamp(64, MAX_SNAPLEN))
            .promisc(opts.promisc)
            .immediate_mode(opts.immediate)
            .timeout(READ_TIMEOUT_MS);
        if let Some(size) = opts.buffer_size {
            inactive = inactive.buffer_size(size);
        }
        // Non-blocking reads and our own poll(2) with a timeout: with
        // TPACKET_V3 a blocking libpcap read polls without a timeout and
        // never returns on a silent interface.
        let mut cap = inactive.open().map_err(err)?.setnonblock().map_err(err)?;
        if let Some(dlt) = datalink {
            cap.set_datalink(Linktype(dlt)).map_err(err)?;
        }
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
            snaplen: opts.snaplen.clamp(64, MAX_SNAPLEN) as u32,
            last_raw: (0, 0),
            totals: KernelStats::default(),
            datalink,
            opts: opts.clone(),
        })
    }

    /// Opens the device again as it was opened (after it was removed and
    /// created anew, the old socket never gets another packet). The kernel
    /// counters carry on from the old handle's.
    pub fn reopen(&mut self) -> Result<(), String> {
        let mut fresh = LiveCapture::open(&self.name, self.datalink, &self.opts)?;
        let _ = self.stats();
        fresh.totals = self.totals;
        *self = fresh;
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

    /// The snap length the device was opened with.
    pub fn snaplen(&self) -> u32 {
        self.snaplen
    }

    /// The next packet the kernel has for us, without waiting.
    pub fn next_packet(&mut self) -> Result<Option<Packet<'_>>, String> {
        match self.cap.next_packet() {
            Ok(p) => {
                let ts = p.header.ts;
                Ok(Some(Packet {
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
            Err(pcap::Error::TimeoutExpired) => Ok(None),
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    fn fd(&self) -> RawFd {
        self.cap.as_raw_fd()
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

/// Waits up to [`READ_TIMEOUT_MS`] for any of `caps` to have packets;
/// true when one has. Devices marked in `skip` (failed ones, whose socket
/// would report an error at once) are left out.
pub fn wait_readable(caps: &[LiveCapture], skip: &[bool]) -> bool {
    let mut fds: Vec<libc::pollfd> = caps
        .iter()
        .enumerate()
        .map(|(i, c)| {
            // poll(2) ignores a negative descriptor.
            let fd = if skip.get(i).copied().unwrap_or(false) { -1 } else { c.fd() };
            libc::pollfd { fd, events: libc::POLLIN, revents: 0 }
        })
        .collect();
    // SAFETY: `fds` is a valid array of `fds.len()` pollfds for the call.
    unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, READ_TIMEOUT_MS) > 0 }
}

/// Whether network device `name` is up (`IFF_UP`); `None` when there is
/// no such network device (removed, or a pseudo-device such as `any`).
pub fn interface_up(name: &str) -> Option<bool> {
    // SAFETY: an all-zero ifreq is a valid value (plain C data).
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    let bytes = name.as_bytes();
    if bytes.len() >= ifr.ifr_name.len() || bytes.contains(&0) {
        return None;
    }
    for (d, s) in ifr.ifr_name.iter_mut().zip(bytes) {
        *d = *s as libc::c_char;
    }
    // SAFETY: a datagram socket only for the ioctl, closed at once;
    // SIOCGIFFLAGS reads the NUL-terminated name and writes the flags into
    // `ifr`, which outlives the call.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            // Cannot tell: say "up", so nothing is logged or reopened.
            return Some(true);
        }
        let r = libc::ioctl(fd, libc::SIOCGIFFLAGS as _, &mut ifr);
        libc::close(fd);
        if r < 0 {
            return None;
        }
        Some(i32::from(ifr.ifr_ifru.ifru_flags) & libc::IFF_UP != 0)
    }
}

/// The device argus captures on when none is named: libpcap's default
/// (`pcap_lookupdev`), the first device `pcap_findalldevs` lists, unless
/// that is a loopback device. libpcap lists devices that are up and running
/// first.
pub fn default_device() -> Result<String, String> {
    let devs = pcap::Device::list().map_err(|e| e.to_string())?;
    match devs.first() {
        Some(d) if !d.flags.is_loopback() => Ok(d.name.clone()),
        _ => Err("no suitable device found".into()),
    }
}

/// `-i all`: every device that is up, loopbacks and the `any` pseudo-device
/// aside, in libpcap's order.
pub fn all_devices() -> Result<Vec<String>, String> {
    let devs = pcap::Device::list().map_err(|e| e.to_string())?;
    Ok(devs
        .into_iter()
        .filter(|d| d.flags.is_up() && !d.flags.is_loopback() && d.name != "any")
        .map(|d| d.name)
        .collect())
}
