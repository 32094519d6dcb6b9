//! The one name -> accessor table (`record::field`): every field the `ra`
//! family can print (`-s`), sort on, aggregate on or compare in a filter.
//!
//! A field is defined once here: its `-s` name, its header label (and the
//! label `-M rmon` gives it), its default column width, the kind of value it
//! holds and the attribute name it gets in XML. Its *value* comes from
//! [`View`], the canonical view `ra` 3.0.8.2 derives from a record when it
//! reads it (time fix-ups, direction corrections, synthesized aggregation
//! statistics, rates and loads as C `float`s), through [`View::value`], which
//! gives typed values (integers, floats, times, addresses) for the filter,
//! sorters and aggregators. How a value becomes text is `crate::print`'s job.
//!
//! The list is `ra` 3.0.8.2's print-algorithm table (200 names: the 168 of
//! `docs/ra-fields.md` plus the retransmission / NACK / solo / first
//! families and a few others `ra` also accepts). Names are matched exactly,
//! as `ra` does; what to do with unknown names is the caller's business
//! (`ra` drops them silently).

mod derive;
mod value;
mod view;

pub use derive::*;
pub use value::{classful_mask, tcp_options_text, ShortStr, Value};
pub use view::*;

/// What kind of value a field holds; decides JSON typing and how the
/// filter and sorters may compare it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An absolute time (seconds and microseconds).
    Time,
    /// A floating point quantity (durations, rates, loads, percentages).
    Float,
    /// An unsigned counter or small integer.
    Count,
    /// An address (IP, MAC, probe id).
    Addr,
    /// Text that is not a number (names, flags, states, ports as names).
    Text,
}

/// One row of the field table.
#[derive(Debug)]
pub struct FieldDef {
    pub id: FieldId,
    /// The `-s` name.
    pub name: &'static str,
    /// Header label (untruncated; the header shows it cut to the width).
    pub label: &'static str,
    /// Header label under `-M rmon`.
    pub rmon_label: &'static str,
    /// Default column width.
    pub width: u16,
    pub kind: Kind,
    /// XML attribute name.
    pub xml: &'static str,
}

macro_rules! field_table {
    ($($var:ident, $name:literal, $label:literal, $rlabel:literal, $width:literal, $kind:ident, $xml:literal;)*) => {
        /// Every field, in `ra`'s table order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum FieldId {
            $($var,)*
        }

        /// The field table, indexed by `FieldId as usize`.
        pub static FIELDS: &[FieldDef] = &[
            $(FieldDef {
                id: FieldId::$var,
                name: $name,
                label: $label,
                rmon_label: $rlabel,
                width: $width,
                kind: Kind::$kind,
                xml: $xml,
            },)*
        ];
    };
}

field_table! {
    Stime, "stime", "StartTime", "StartTime", 12, Time, "StartTime";
    Ltime, "ltime", "LastTime", "LastTime", 12, Time, "LastTime";
    Trans, "trans", "Trans", "Trans", 6, Count, "Trans";
    Dur, "dur", "Dur", "Dur", 10, Float, "Duration";
    Mean, "mean", "Mean", "Mean", 10, Float, "Mean";
    Min, "min", "Min", "Min", 10, Float, "Min";
    Max, "max", "Max", "Max", 10, Float, "Max";
    Saddr, "saddr", "SrcAddr", "Host", 18, Addr, "SrcAddr";
    Daddr, "daddr", "DstAddr", "DstAddr", 18, Addr, "DstAddr";
    Proto, "proto", "Proto", "Proto", 6, Text, "Proto";
    Sport, "sport", "Sport", "Sport", 6, Text, "SrcPort";
    Dport, "dport", "Dport", "Dport", 6, Text, "DstPort";
    Stos, "stos", "sTos", "sTos", 5, Count, "SrcTos";
    Dtos, "dtos", "dTos", "dTos", 5, Count, "DstTos";
    Sdsb, "sdsb", "sDSb", "sDSb", 5, Text, "SrcDSByte";
    Ddsb, "ddsb", "dDSb", "dDSb", 5, Text, "DstDSByte";
    Sttl, "sttl", "sTtl", "sTtl", 4, Count, "SrcTtl";
    Dttl, "dttl", "dTtl", "dTtl", 4, Count, "DstTtl";
    Bytes, "bytes", "TotBytes", "TotBytes", 10, Count, "Bytes";
    Sbytes, "sbytes", "SrcBytes", "OutBytes", 12, Count, "SrcBytes";
    Dbytes, "dbytes", "DstBytes", "InBytes", 12, Count, "DstBytes";
    Appbytes, "appbytes", "TotAppBytes", "TotAppBytes", 10, Count, "AppBytes";
    Sappbytes, "sappbytes", "SAppBytes", "OAppBytes", 12, Count, "SrcAppBytes";
    Dappbytes, "dappbytes", "DAppBytes", "IAppBytes", 12, Count, "DstAppBytes";
    Pkts, "pkts", "TotPkts", "TotPkts", 8, Count, "Pkts";
    Spkts, "spkts", "SrcPkts", "OutPkts", 8, Count, "SrcPkts";
    Dpkts, "dpkts", "DstPkts", "InPkts", 8, Count, "DstPkts";
    Load, "load", "Load", "Load", 8, Float, "Load";
    Sload, "sload", "SrcLoad", "SrcLoad", 8, Float, "SrcLoad";
    Dload, "dload", "DstLoad", "DstLoad", 8, Float, "DstLoad";
    Loss, "loss", "Loss", "Loss", 10, Count, "Loss";
    Sloss, "sloss", "SrcLoss", "SrcLoss", 10, Count, "SrcLoss";
    Dloss, "dloss", "DstLoss", "DstLoss", 10, Count, "DstLoss";
    Ploss, "ploss", "pLoss", "pLoss", 8, Float, "PctLoss";
    Sploss, "sploss", "pSrcLoss", "pSrcLoss", 10, Float, "SrcPctLoss";
    Dploss, "dploss", "pDstLoss", "pDstLoss", 10, Float, "DstPctLoss";
    Rate, "rate", "Rate", "Rate", 12, Float, "Rate";
    Srate, "srate", "SrcRate", "SrcRate", 12, Float, "SrcRate";
    Drate, "drate", "DstRate", "DstRate", 12, Float, "DstRate";
    Srcid, "srcid", "SrcId", "SrcId", 18, Addr, "SourceId";
    Flgs, "flgs", "Flgs", "Flgs", 9, Text, "Flags";
    Smac, "smac", "SrcMac", "Mac", 18, Addr, "SrcMacAddr";
    Dmac, "dmac", "DstMac", "DstMac", 18, Addr, "DstMacAddr";
    Dir, "dir", "Dir", "Dir", 5, Text, "Dir";
    Sintpkt, "sintpkt", "SIntPkt", "SIntPkt", 12, Float, "SrcIntPkt";
    Dintpkt, "dintpkt", "DIntPkt", "DIntPkt", 12, Float, "DstIntPkt";
    Sintpktact, "sintpktact", "SIntPktAct", "SIntPktAct", 12, Float, "SrcActiveIntPkt";
    Dintpktact, "dintpktact", "DIntPktAct", "DIntPktAct", 12, Float, "DstActiveIntPkt";
    Sintpktidl, "sintpktidl", "SIntPktIdl", "SIntPktIdl", 12, Float, "SrcIdleIntPkt";
    Dintpktidl, "dintpktidl", "DIntPktIdl", "DIntPktIdl", 12, Float, "DstIdleIntPkt";
    Sintpktmax, "sintpktmax", "SIntPktMax", "SIntPktMax", 12, Float, "SrcIntPktMax";
    Sintpktmin, "sintpktmin", "SIntPktMin", "SIntPktMin", 12, Float, "SrcIntPktMin";
    Dintpktmax, "dintpktmax", "DIntPktMax", "DIntPktMax", 12, Float, "DstIntPktMax";
    Dintpktmin, "dintpktmin", "DIntPktMin", "DIntPktMin", 12, Float, "DstIntPktMin";
    Sintpktactmax, "sintpktactmax", "SIPActMax", "SIPActMax", 12, Float, "SrcActIntPktMax";
    Sintpktactmin, "sintpktactmin", "SIPActMin", "SIPActMin", 12, Float, "SrcActIntPktMin";
    Dintpktactmax, "dintpktactmax", "DIPActMax", "DIPActMax", 12, Float, "DstActIntPktMax";
    Dintpktactmin, "dintpktactmin", "DIPActMin", "DIPActMin", 12, Float, "DstActIntPktMin";
    Sintpktidlmax, "sintpktidlmax", "SIPIdlMax", "SIPIdlMax", 12, Float, "SIPIdlMax";
    Sintpktidlmin, "sintpktidlmin", "SIPIdlMin", "SIPIdlMin", 12, Float, "SIPIdlMin";
    Dintpktidlmax, "dintpktidlmax", "DIPIdlMax", "DIPIdlMax", 12, Float, "DIPIdlMax";
    Dintpktidlmin, "dintpktidlmin", "DIPIdlMin", "DIPIdlMin", 12, Float, "DIPIdlMin";
    Sjit, "sjit", "SrcJitter", "SrcJitter", 12, Float, "SrcJitter";
    Djit, "djit", "DstJitter", "DstJitter", 12, Float, "DstJitter";
    Sjitact, "sjitact", "SrcJitAct", "SrcJitAct", 12, Float, "SrcJitAct";
    Djitact, "djitact", "DstJitAct", "DstJitAct", 12, Float, "DstJitAct";
    Sjitidl, "sjitidl", "SrcJitIdl", "SrcJitIdl", 12, Float, "SrcJitIdl";
    Djitidl, "djitidl", "DstJitIdl", "DstJitIdl", 12, Float, "DstJitIdl";
    State, "state", "State", "State", 5, Text, "State";
    Dldur, "dldur", "dlDur", "dlDur", 12, Float, "DeltaDuration";
    Dlstime, "dlstime", "dlsTime", "dlsTime", 12, Float, "DeltaStartTime";
    Dlltime, "dlltime", "dllTime", "dllTime", 12, Float, "DeltaLastTime";
    Dlspkt, "dlspkt", "dsPkts", "dsPkts", 6, Count, "DeltaSrcPkts";
    Dldpkt, "dldpkt", "ddPkts", "ddPkts", 6, Count, "DeltaDstPkts";
    Dspkts, "dspkts", "dsPkts", "dsPkts", 12, Count, "DeltaSrcPkts";
    Ddpkts, "ddpkts", "ddPkts", "ddPkts", 12, Count, "DeltaDstPkts";
    Dsbytes, "dsbytes", "dsBytes", "dsBytes", 12, Count, "DeltaSrcBytes";
    Ddbytes, "ddbytes", "ddBytes", "ddBytes", 12, Count, "DeltaDstBytes";
    Pdspkts, "pdspkts", "pdsPkt", "pdsPkt", 12, Float, "PctDeltaSrcPkts";
    Pddpkts, "pddpkts", "pddPkt", "pddPkt", 12, Float, "PctDeltaDstPkts";
    Pdsbytes, "pdsbytes", "pdsByte", "pdsByte", 12, Float, "PctDeltaSrcBytes";
    Pddbytes, "pddbytes", "pddByte", "pddByte", 12, Float, "PctDeltaDstBytes";
    Suser, "suser", "srcUdata", "srcUdata", 16, Text, "SrcUserData";
    Duser, "duser", "dstUdata", "dstUdata", 16, Text, "DstUserData";
    Tcpext, "tcpext", "(null)", "(null)", 12, Text, "TcpExtensions";
    Swin, "swin", "SrcWin", "SrcWin", 6, Count, "SrcWin";
    Dwin, "dwin", "DstWin", "DstWin", 6, Count, "DstWin";
    Jdelay, "jdelay", "JDelay", "JDelay", 12, Text, "JDelay";
    Ldelay, "ldelay", "LDelay", "LDelay", 12, Text, "LDelay";
    Seq, "seq", "Seq", "Seq", 12, Count, "SeqNumber";
    Bins, "bins", "Bins", "Bins", 6, Text, "Bins";
    Binnum, "binnum", "Bin", "Bin", 6, Text, "BinNum";
    Smpls, "smpls", "sMpls", "sMpls", 8, Count, "sMpls";
    Dmpls, "dmpls", "dMpls", "dMpls", 8, Count, "dMpls";
    Svlan, "svlan", "sVlan", "sVlan", 8, Text, "sVlan";
    Dvlan, "dvlan", "dVlan", "dVlan", 8, Text, "dVlan";
    Svid, "svid", "sVid", "sVid", 6, Count, "sVid";
    Dvid, "dvid", "dVid", "dVid", 6, Count, "dVid";
    Svpri, "svpri", "sVpri", "sVpri", 6, Text, "sVpri";
    Dvpri, "dvpri", "dVpri", "dVpri", 6, Text, "dVpri";
    Sipid, "sipid", "sIpId", "sIpId", 7, Text, "SrcIpId";
    Dipid, "dipid", "dIpId", "dIpId", 7, Text, "DstIpId";
    Srng, "srng", "SRange", "SRange", 6, Text, "StartRange";
    Erng, "erng", "ERange", "ERange", 6, Text, "DstRange";
    Stcpb, "stcpb", "SrcTCPBase", "SrcTCPBase", 12, Count, "SrcTCPBase";
    Dtcpb, "dtcpb", "DstTCPBase", "DstTCPBase", 12, Count, "DstTCPBase";
    Tcprtt, "tcprtt", "TcpRtt", "TcpRtt", 12, Float, "TcpRtt";
    Inode, "inode", "Inode", "Inode", 18, Addr, "Inode";
    Stddev, "stddev", "StdDev", "StdDev", 10, Float, "StdDev";
    Rtime, "rtime", "RelTime", "RelTime", 12, Float, "RelativeDate";
    Offset, "offset", "Offset", "Offset", 12, Count, "ByteOffset";
    Snet, "snet", "SrcNet", "Net", 18, Addr, "SrcNet";
    Dnet, "dnet", "DstNet", "DstNet", 18, Addr, "DstNet";
    Sdur, "sdur", "SrcDur", "SrcDur", 10, Float, "SrcDuration";
    Ddur, "ddur", "DstDur", "DstDur", 10, Float, "DstDuration";
    Stcpmax, "stcpmax", "STcpMax", "STcpMax", 10, Float, "STcpMax";
    Dtcpmax, "dtcpmax", "DTcpMax", "DTcpMax", 10, Float, "DTcpMax";
    Synack, "synack", "SynAck", "SynAck", 12, Float, "TcpSynAck";
    Ackdat, "ackdat", "AckDat", "AckDat", 12, Float, "TcpAckDat";
    Sstime, "sstime", "SrcStartTime", "SrcStartTime", 12, Time, "SrcStartTime";
    Sltime, "sltime", "SrcLastTime", "SrcLastTime", 12, Time, "SrcLastTime";
    Dstime, "dstime", "DstStartTime", "DstStartTime", 12, Time, "DstStartTime";
    Dltime, "dltime", "DstLastTime", "DstLastTime", 12, Time, "DstLastTime";
    Senc, "senc", "sEnc", "sEnc", 12, Text, "SrcEncaps";
    Denc, "denc", "dEnc", "dEnc", 12, Text, "DstEncaps";
    Spktsz, "spktsz", "sPktSz", "sPktSz", 12, Text, "SrcPktSize";
    Smaxsz, "smaxsz", "sMaxPktSz", "sMaxPktSz", 12, Count, "SrcMaxPktSize";
    Sminsz, "sminsz", "sMinPktSz", "sMinPktSz", 12, Count, "SrcMinPktSize";
    Dpktsz, "dpktsz", "dPktSz", "dPktSz", 12, Text, "DstPktSize";
    Dmaxsz, "dmaxsz", "dMaxPktSz", "dMaxPktSz", 12, Count, "DstMaxPktSize";
    Dminsz, "dminsz", "dMinPktSz", "dMinPktSz", 12, Count, "DstMinPktSize";
    Sco, "sco", "sCo", "sCo", 3, Text, "SrcCoCode";
    Dco, "dco", "dCo", "dCo", 3, Text, "DstCoCode";
    Shops, "shops", "sHops", "sHops", 5, Count, "SrcHops";
    Dhops, "dhops", "dHops", "dHops", 5, Count, "DstHops";
    Icmpid, "icmpid", "IcmpId", "IcmpId", 6, Count, "IcmpId";
    Label, "label", "Label", "Label", 5, Text, "Label";
    Sintdist, "sintdist", "SIntDist", "SIntDist", 8, Text, "SrcIntDist";
    Dintdist, "dintdist", "DIntDist", "DIntDist", 8, Text, "DstIntDist";
    Sintdistact, "sintdistact", "SIntActDist", "SIntActDist", 11, Text, "SrcActIntDist";
    Dintdistact, "dintdistact", "DIntActDist", "DIntActDist", 11, Text, "DstActIntDist";
    Sintdistidl, "sintdistidl", "SIntIdlDist", "SIntIdlDist", 11, Text, "SrcIdleIntDist";
    Dintdistidl, "dintdistidl", "DIntIdlDist", "DIntIdlDist", 11, Text, "DstIdleIntDist";
    Retrans, "retrans", "Retrans", "Retrans", 7, Count, "Retrans";
    Sretrans, "sretrans", "SrcRetrans", "SrcRetrans", 8, Count, "SrcRetrans";
    Dretrans, "dretrans", "DstRetrans", "DstRetrans", 8, Count, "DstRetrans";
    Pretrans, "pretrans", "pRetrans", "pRetrans", 7, Float, "PctRetrans";
    Spretrans, "spretrans", "pSrcRetrans", "pSrcRetrans", 8, Float, "SrcPctRetrans";
    Dpretrans, "dpretrans", "pDstRetrans", "pDstRetrans", 8, Float, "DstPctRetrans";
    Nacks, "nacks", "Nacks", "Nacks", 7, Count, "Nacks";
    Snacks, "snacks", "SrcNacks", "SrcNacks", 8, Count, "SrcNacks";
    Dnacks, "dnacks", "DstNacks", "DstNacks", 8, Count, "DstNacks";
    Pnacks, "pnacks", "pNacks", "pNacks", 7, Float, "PctNacks";
    Spnacks, "spnacks", "pSrcNacks", "pSrcNacks", 8, Float, "SrcPctNacks";
    Dpnacks, "dpnacks", "pDstNacks", "pDstNacks", 8, Float, "DstPctNacks";
    Solo, "solo", "Solo", "Solo", 7, Count, "Solo";
    Ssolo, "ssolo", "SrcSolo", "SrcSolo", 8, Count, "SrcSolo";
    Dsolo, "dsolo", "DstSolo", "DstSolo", 8, Count, "DstSolo";
    Psolo, "psolo", "pSolo", "pSolo", 7, Float, "PctSolo";
    Spsolo, "spsolo", "pSrcSolo", "pSrcSolo", 8, Float, "SrcPctSolo";
    Dpsolo, "dpsolo", "pDstSolo", "pDstSolo", 8, Float, "DstPctSolo";
    First, "first", "First", "First", 7, Count, "First";
    Sfirst, "sfirst", "SrcFirst", "SrcFirst", 8, Count, "SrcFirst";
    Dfirst, "dfirst", "DstFirst", "DstFirst", 8, Count, "DstFirst";
    Pfirst, "pfirst", "pFirst", "pFirst", 7, Float, "PctFirst";
    Spfirst, "spfirst", "pSrcFirst", "pSrcFirst", 8, Float, "SrcPctFirst";
    Dpfirst, "dpfirst", "pDstFirst", "pDstFirst", 8, Float, "DstPctFirst";
    Autoid, "autoid", "AutoId", "AutoId", 6, Count, "AutoId";
    Sas, "sas", "sAS", "sAS", 6, Count, "SrcASNum";
    Das, "das", "dAS", "dAS", 6, Count, "DstASNum";
    Ias, "ias", "iAS", "iAS", 5, Count, "InodeASNum";
    Cause, "cause", "Cause", "Cause", 7, Text, "Cause";
    Bssid, "bssid", "Bssid", "Bssid", 18, Addr, "Bssid";
    Ssid, "ssid", "Ssid", "Ssid", 9, Text, "Ssid";
    Nstroke, "nstroke", "NStrok", "NStrok", 9, Count, "KeyStrokeNStroke";
    Snstroke, "snstroke", "sNStrok", "sNStrok", 9, Count, "KeyStrokeSrcNStroke";
    Dnstroke, "dnstroke", "dNStrok", "dNStrok", 9, Count, "KeyStrokeDstNStroke";
    Smeansz, "smeansz", "sMeanPktSz", "sMeanPktSz", 12, Float, "SrcMeanPktSize";
    Dmeansz, "dmeansz", "dMeanPktSz", "dMeanPktSz", 12, Float, "DstMeanPktSize";
    Rank, "rank", "Rank", "Rank", 6, Count, "Rank";
    Sum, "sum", "Sum", "Sum", 10, Float, "Sum";
    Runtime, "runtime", "RunTime", "RunTime", 10, Float, "Run";
    Idle, "idle", "IdleTime", "IdleTime", 10, Float, "Idle";
    Tcpopt, "tcpopt", "TcpOpt", "TcpOpt", 12, Text, "TcpOptions";
    Resp, "resp", "Response", "Response", 12, Text, "Response";
    Sgap, "sgap", "SrcGap", "SrcGap", 8, Count, "SrcGap";
    Dgap, "dgap", "DstGap", "DstGap", 8, Count, "DstGap";
    Soui, "soui", "SrcOui", "Oui", 9, Text, "SrcOui";
    Doui, "doui", "DstOui", "DstOui", 9, Text, "DstOui";
    Cor, "cor", "Cor", "Cor", 12, Text, "Cor";
    Laddr, "laddr", "LocalAddr", "Host", 18, Addr, "LocalAddr";
    Raddr, "raddr", "RemoteAddr", "RemoteAddr", 18, Addr, "RemoteAddr";
    Lnet, "lnet", "LocalNet", "Net", 18, Addr, "LocalNet";
    Rnet, "rnet", "RemoteNet", "RemoteNet", 18, Addr, "RemoteNet";
    Abr, "abr", "ABRatio", "ABRatio", 10, Float, "ABRatio";
    Pcr, "pcr", "PCRatio", "PCRatio", 10, Float, "PCR";
    Tf, "tf", "TF", "TF", 12, Float, "TransEff";
    Stf, "stf", "STF", "STF", 12, Float, "SrcTransEff";
    Dtf, "dtf", "DTF", "DTF", 12, Float, "DstTransEff";
    Ico, "ico", "iCo", "iCo", 3, Text, "InodeCoCode";
}

impl FieldId {
    /// The table row of this field.
    pub fn def(self) -> &'static FieldDef {
        &FIELDS[self as usize]
    }

    /// The `-s` name.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// Looks a field up by its exact `-s` name.
    pub fn from_name(name: &str) -> Option<FieldId> {
        FIELDS.iter().find(|f| f.name == name).map(|f| f.id)
    }
}

/// Looks a field up by its exact `-s` name (`ra` uses `strcmp`).
pub fn lookup(name: &str) -> Option<&'static FieldDef> {
    FieldId::from_name(name).map(FieldId::def)
}

/// `ra`'s default field list.
pub const DEFAULT_FIELDS: [FieldId; 11] = [
    FieldId::Stime,
    FieldId::Flgs,
    FieldId::Proto,
    FieldId::Saddr,
    FieldId::Sport,
    FieldId::Dir,
    FieldId::Daddr,
    FieldId::Dport,
    FieldId::Pkts,
    FieldId::Bytes,
    FieldId::State,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_id_and_names_are_unique() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert_eq!(f.id as usize, i, "{}", f.name);
            assert_eq!(FieldId::from_name(f.name), Some(f.id));
        }
        let mut names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len());
    }

    #[test]
    fn labels_and_widths_match_ra() {
        let f = lookup("appbytes").unwrap();
        assert_eq!((f.label, f.width), ("TotAppBytes", 10));
        assert_eq!(lookup("saddr").unwrap().rmon_label, "Host");
        assert_eq!(lookup("sport").unwrap().width, 6);
        assert!(lookup("avgdur").is_none());
        assert!(lookup("Saddr").is_none());
    }
}
