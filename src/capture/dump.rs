//! `ARGUS_PACKET_CAPTURE_FILE`: every packet captured live also goes to a
//! capture file, from every interface argus captures on.
//!
//! When all the interfaces share a link type the file is classic pcap (what
//! 3.0.8.2 writes, and what any tool reads); when they differ it is pcapng
//! with one interface block per device, since one pcap header cannot
//! describe two link types. Packets are written in the order they are
//! captured; several capture threads share one writer behind a lock.
//!
//! As in 3.0.8.2 the file is started anew when argus starts, and again when
//! it is taken away while argus runs (checked once a second).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{linktype, Packet};

/// One interface as the file describes it.
#[derive(Clone, Debug)]
pub struct DumpInterface {
    pub name: String,
    pub linktype: u16,
    pub snaplen: u32,
}

/// The packet file writer.
pub struct PacketDump {
    path: String,
    interfaces: Vec<DumpInterface>,
    pcapng: bool,
    out: Option<BufWriter<File>>,
    checked: Instant,
}

/// How often the writer flushes and checks that its file is still there.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Link-layer numbers in files are LINKTYPE_ values; libpcap reports Linux's
/// raw-IP devices with DLT_RAW (12 or 14), whose LINKTYPE is 101.
fn file_linktype(dlt: u16) -> u16 {
    match dlt {
        linktype::RAW_12 | linktype::RAW_14 => linktype::RAW,
        l => l,
    }
}

impl PacketDump {
    /// Creates (or truncates) `path` for packets from `interfaces`.
    pub fn create(path: &str, interfaces: Vec<DumpInterface>) -> io::Result<PacketDump> {
        let first = interfaces.first().map(|i| i.linktype);
        let pcapng = interfaces.iter().any(|i| Some(i.linktype) != first);
        let mut d = PacketDump {
            path: path.to_string(),
            interfaces,
            pcapng,
            out: None,
            checked: Instant::now(),
        };
        d.start()?;
        Ok(d)
    }

    /// The file's name.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// True when the file is pcapng (interfaces of different link types).
    pub fn is_pcapng(&self) -> bool {
        self.pcapng
    }

    fn start(&mut self) -> io::Result<()> {
        let mut out = BufWriter::with_capacity(1 << 16, File::create(&self.path)?);
        out.write_all(&self.file_header())?;
        self.out = Some(out);
        self.checked = Instant::now();
        Ok(())
    }

    fn file_header(&self) -> Vec<u8> {
        let mut h = Vec::new();
        if !self.pcapng {
            let lt = self.interfaces.first().map(|i| file_linktype(i.linktype)).unwrap_or(1);
            let snap = self.interfaces.iter().map(|i| i.snaplen).max().unwrap_or(65_535);
            h.extend_from_slice(&0xa1b2_c3d4u32.to_ne_bytes());
            h.extend_from_slice(&2u16.to_ne_bytes());
            h.extend_from_slice(&4u16.to_ne_bytes());
            h.extend_from_slice(&[0; 8]);
            h.extend_from_slice(&snap.to_ne_bytes());
            h.extend_from_slice(&u32::from(lt).to_ne_bytes());
            return h;
        }
        // Section header: byte-order magic, version 1.0, unknown length.
        let mut body = Vec::new();
        body.extend_from_slice(&0x1a2b_3c4du32.to_ne_bytes());
        body.extend_from_slice(&1u16.to_ne_bytes());
        body.extend_from_slice(&0u16.to_ne_bytes());
        body.extend_from_slice(&u64::MAX.to_ne_bytes());
        block(&mut h, 0x0a0d_0d0a, &body);
        // One interface description per device, with its name; timestamps
        // in microseconds (the default resolution).
        for i in &self.interfaces {
            let mut body = Vec::new();
            body.extend_from_slice(&file_linktype(i.linktype).to_ne_bytes());
            body.extend_from_slice(&0u16.to_ne_bytes());
            body.extend_from_slice(&i.snaplen.to_ne_bytes());
            let name = i.name.as_bytes();
            body.extend_from_slice(&2u16.to_ne_bytes());
            body.extend_from_slice(&(name.len() as u16).to_ne_bytes());
            body.extend_from_slice(name);
            pad4(&mut body);
            body.extend_from_slice(&[0; 4]); // opt_endofopt
            block(&mut h, 1, &body);
        }
        h
    }

    /// Writes one packet captured on interface `iface` (an index into the
    /// list given to `create`).
    pub fn write(&mut self, iface: usize, p: &Packet<'_>) -> io::Result<()> {
        if self.checked.elapsed() >= CHECK_EVERY {
            self.maintain()?;
        }
        let Some(out) = self.out.as_mut() else { return Ok(()) };
        let caplen = p.data.len() as u32;
        if !self.pcapng {
            let mut rec = [0u8; 16];
            rec[..4].copy_from_slice(&p.sec.to_ne_bytes());
            rec[4..8].copy_from_slice(&p.usec.to_ne_bytes());
            rec[8..12].copy_from_slice(&caplen.to_ne_bytes());
            rec[12..].copy_from_slice(&p.wire_len.to_ne_bytes());
            out.write_all(&rec)?;
            return out.write_all(p.data);
        }
        // Enhanced packet block.
        let ts = u64::from(p.sec) * 1_000_000 + u64::from(p.usec);
        let padded = (p.data.len() + 3) & !3;
        let total = (32 + padded) as u32;
        let mut h = [0u8; 28];
        h[..4].copy_from_slice(&6u32.to_ne_bytes());
        h[4..8].copy_from_slice(&total.to_ne_bytes());
        h[8..12].copy_from_slice(&(iface as u32).to_ne_bytes());
        h[12..16].copy_from_slice(&((ts >> 32) as u32).to_ne_bytes());
        h[16..20].copy_from_slice(&(ts as u32).to_ne_bytes());
        h[20..24].copy_from_slice(&caplen.to_ne_bytes());
        h[24..28].copy_from_slice(&p.wire_len.to_ne_bytes());
        out.write_all(&h)?;
        out.write_all(p.data)?;
        out.write_all(&[0u8; 3][..padded - p.data.len()])?;
        out.write_all(&total.to_ne_bytes())
    }

    /// Flushes, and starts a new file when this one was taken away. Call
    /// about once a second (writes do it too).
    pub fn maintain(&mut self) -> io::Result<()> {
        self.checked = Instant::now();
        if let Some(out) = self.out.as_mut() {
            out.flush()?;
        }
        if !Path::new(&self.path).exists() {
            self.out = None;
            self.start()?;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match self.out.as_mut() {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

/// A pcapng block: type, total length, body, total length.
fn block(out: &mut Vec<u8>, kind: u32, body: &[u8]) {
    let total = (12 + body.len()) as u32;
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(&total.to_ne_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&total.to_ne_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::CaptureFile;

    fn packet(data: &[u8], sec: u32, linktype: u16) -> Packet<'_> {
        Packet {
            sec,
            usec: 7,
            data,
            wire_len: data.len() as u32 + 10,
            linktype,
            buf_off: 0,
            buf_tail: &[],
        }
    }

    fn read_back(path: &str) -> Vec<(u32, u16, Vec<u8>, u32)> {
        let mut cf = CaptureFile::open(path).unwrap();
        let mut v = Vec::new();
        while let Some(p) = cf.next_packet().unwrap() {
            v.push((p.sec, p.linktype, p.data.to_vec(), p.wire_len));
        }
        v
    }

    #[test]
    fn one_link_type_is_pcap_several_are_pcapng() {
        let dir = std::env::temp_dir().join(format!("argus-dump-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let eth = |n: &str| DumpInterface { name: n.into(), linktype: 1, snaplen: 96 };
        let path = dir.join("same.pcap").to_string_lossy().into_owned();
        let mut d = PacketDump::create(&path, vec![eth("a"), eth("b")]).unwrap();
        assert!(!d.is_pcapng());
        d.write(0, &packet(b"first", 1, 1)).unwrap();
        d.write(1, &packet(b"second", 2, 1)).unwrap();
        d.flush().unwrap();
        assert_eq!(std::fs::read(&path).unwrap()[..4], 0xa1b2_c3d4u32.to_ne_bytes());
        let got = read_back(&path);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1], (2, 1, b"second".to_vec(), 16));

        let path = dir.join("mixed.pcapng").to_string_lossy().into_owned();
        let raw = DumpInterface { name: "tun0".into(), linktype: linktype::RAW_12, snaplen: 96 };
        let mut d = PacketDump::create(&path, vec![eth("eth0"), raw]).unwrap();
        assert!(d.is_pcapng());
        d.write(0, &packet(b"ethernet", 5, 1)).unwrap();
        d.write(1, &packet(b"rawip", 6, linktype::RAW_12)).unwrap();
        d.flush().unwrap();
        let got = read_back(&path);
        assert_eq!(got[0], (5, 1, b"ethernet".to_vec(), 18));
        assert_eq!(got[1], (6, linktype::RAW, b"rawip".to_vec(), 15));

        // Taken away: a new file at the next check.
        std::fs::remove_file(&path).unwrap();
        d.maintain().unwrap();
        d.write(0, &packet(b"again", 9, 1)).unwrap();
        d.flush().unwrap();
        assert_eq!(read_back(&path).len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
