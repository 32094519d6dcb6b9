//! The flow record: a header and one optional slot per DSR kind.

use super::dsr::*;
use super::{cause, RecordClass, RecordHeader};

/// Where a DSR sits in a flow record. The discriminants are argus's DSR
/// index numbers, which are also the order in which argus writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Slot {
    Transport = 0,
    Key = 1,
    Time = 2,
    Metrics = 3,
    Agr = 4,
    Network = 5,
    Vlan = 6,
    Mpls = 7,
    Jitter = 8,
    IpAttr = 9,
    PacketSize = 10,
    SrcData = 11,
    DstData = 12,
    Mac = 13,
    Icmp = 14,
    Encaps = 15,
}

/// One entry of [`Flow::order`]: a typed slot, or the n-th raw DSR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DsrRef {
    Slot(Slot),
    Raw(u16),
}

/// A flow record (also used for the NETFLOW and EVENT record classes).
///
/// A `None` slot means the DSR is absent. `raw` holds the DSRs kept
/// verbatim (see [`RawDsr`]). `order`, when non-empty, is the order the
/// DSRs were read in; the encoder follows it so that decode -> encode is the
/// identity, and falls back to argus's index order (the [`Slot`] order, raw
/// DSRs last) when it is empty, as for records built by the flow engine.
/// `trailing` holds bytes after the last DSR that could be parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub header: RecordHeader,
    pub transport: Option<Transport>,
    pub key: Option<FlowKey>,
    pub time: Option<Time>,
    pub metrics: Option<Metrics>,
    pub agr: Option<Agr>,
    pub network: Option<Network>,
    pub vlan: Option<Vlan>,
    pub mpls: Option<Mpls>,
    pub jitter: Option<Jitter>,
    pub ipattr: Option<IpAttr>,
    pub psize: Option<PacketSize>,
    pub src_data: Option<UserData>,
    pub dst_data: Option<UserData>,
    pub mac: Option<Mac>,
    pub icmp: Option<IcmpEvent>,
    pub encaps: Option<Encaps>,
    pub raw: Vec<RawDsr>,
    pub order: Vec<DsrRef>,
    pub trailing: Vec<u8>,
}

impl Default for Flow {
    fn default() -> Flow {
        Flow {
            header: RecordHeader::new(RecordClass::Flow, cause::START),
            transport: None,
            key: None,
            time: None,
            metrics: None,
            agr: None,
            network: None,
            vlan: None,
            mpls: None,
            jitter: None,
            ipattr: None,
            psize: None,
            src_data: None,
            dst_data: None,
            mac: None,
            icmp: None,
            encaps: None,
            raw: Vec::new(),
            order: Vec::new(),
            trailing: Vec::new(),
        }
    }
}

impl Flow {
    /// Empties every slot, keeping allocations, so a decoder can reuse one
    /// `Flow` for a whole stream.
    pub fn clear(&mut self) {
        self.header = RecordHeader::new(RecordClass::Flow, cause::START);
        self.transport = None;
        self.key = None;
        self.time = None;
        self.metrics = None;
        self.agr = None;
        self.network = None;
        self.vlan = None;
        self.mpls = None;
        self.jitter = None;
        self.ipattr = None;
        self.psize = None;
        self.src_data = None;
        self.dst_data = None;
        self.mac = None;
        self.icmp = None;
        self.encaps = None;
        self.raw.clear();
        self.order.clear();
        self.trailing.clear();
    }

    /// Source-side metrics, zero when the METER DSR is absent.
    pub fn src_metrics(&self) -> DirMetrics {
        self.metrics.map(|m| m.src).unwrap_or_default()
    }

    /// Destination-side metrics, zero when the METER DSR is absent.
    pub fn dst_metrics(&self) -> DirMetrics {
        self.metrics.map(|m| m.dst).unwrap_or_default()
    }

    /// The TCP performance object, if the network DSR holds one.
    pub fn tcp(&self) -> Option<&TcpPerf> {
        match &self.network {
            Some(Network::Tcp(t)) => Some(t),
            _ => None,
        }
    }
}
