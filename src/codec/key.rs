//! The FLOW DSR (0x02): flow keys by family, and the REVERSE bit.
//!
//! On read, IPv4 and IPv6 keys of the classic 5-tuple and layer-3 matrix
//! kinds are un-reversed exactly as `ra` 3.0.8.2 does in
//! `ArgusGenerateRecordStruct`: addresses always (fragment keys: classic
//! kind only), ports for TCP and UDP (classic kind, not fragments), masks
//! when the MASKLEN qualifier bit is set. Other keys stay as stored. The
//! same swap is its own inverse, so the encoder applies it again.
//!
//! Layouts (bodies after the 4-byte header), see argus-format.md §2.4:
//! IPv4 `src dst proto tp_p l4[6]` (16 bytes); IPv6 `src dst flowword l4[4]
//! [masks]` (40/44); Ethernet `dst src type dsap ssap` (16); ARP `hrd pro hln
//! pln op spa tpa haddr[4]` (20).

use super::bytes::{arr_at, be32_at, Rd, Wr};
use super::dsr::Dec;
use crate::record::*;

fn ip_kind(kind: u8) -> bool {
    matches!(kind & 0x3f, key_kind::CLASSIC5TUPLE | key_kind::LAYER_3_MATRIX)
}

#[inline(always)]
pub(crate) fn decode(subtype: u8, qual: u8, body: &[u8]) -> Dec<FlowKey> {
    let kind = subtype & !key_kind::REVERSE;
    let reversed = subtype & key_kind::REVERSE != 0;
    let fam = qual & 0x1f;
    let mut r = Rd::new(body);
    let addrs = match (fam, body.len()) {
        (family::IPV4, 16) if ip_kind(kind) => {
            let Ok(b) = <&[u8; 16]>::try_from(body) else { return Dec::Raw };
            KeyAddrs::Ipv4(Ipv4Key {
                src: be32_at(b, 0),
                dst: be32_at(b, 4),
                proto: b[8],
                tp_p: b[9],
                l4: arr_at(b, 10),
            })
        }
        (family::IPV6, 40 | 44) if ip_kind(kind) => {
            let (Some(src), Some(dst), Some(flow_word), Some(l4)) =
                (r.be128(), r.be128(), r.be32(), r.array())
            else {
                return Dec::Raw;
            };
            let masks = r.array();
            KeyAddrs::Ipv6(Ipv6Key { src, dst, flow_word, l4, masks })
        }
        (family::ETHER, 16) if ip_kind(kind) => {
            let (Some(dst), Some(src), Some(ether_type), Some(dsap), Some(ssap)) =
                (r.array(), r.array(), r.be16(), r.u8(), r.u8())
            else {
                return Dec::Raw;
            };
            KeyAddrs::Ether(EtherKey { dst, src, ether_type, dsap, ssap })
        }
        (family::ARP, 20) if kind & 0x3f == key_kind::ARP => {
            let (Some(hrd), Some(pro), Some(hln), Some(pln), Some(op)) =
                (r.be16(), r.be16(), r.u8(), r.u8(), r.be16())
            else {
                return Dec::Raw;
            };
            let (Some(spa), Some(tpa), Some(haddr)) = (r.be32(), r.be32(), r.array()) else {
                return Dec::Raw;
            };
            KeyAddrs::Arp(ArpKey { hrd, pro, hln, pln, op, spa, tpa, haddr })
        }
        (_, n) if n <= OTHER_KEY_MAX => {
            let mut bytes = [0u8; OTHER_KEY_MAX];
            bytes[..n].copy_from_slice(body);
            KeyAddrs::Other { bytes, len: n as u8 }
        }
        _ => return Dec::Raw,
    };
    let mut key = FlowKey { kind, reversed, qual, addrs };
    if reversed {
        unreverse(&mut key);
    }
    Dec::Exact(key)
}

/// [`decode`] for a reader, into `slot` (left as it was when the key
/// cannot be read). The IPv4 key of most records is built in its place.
#[inline(always)]
pub(crate) fn read_into(subtype: u8, qual: u8, body: &[u8], slot: &mut Option<FlowKey>) {
    let kind = subtype & !key_kind::REVERSE;
    if let (family::IPV4, true, Ok(b)) = (qual & 0x1f, ip_kind(kind), <&[u8; 16]>::try_from(body)) {
        let key = slot.insert(FlowKey {
            kind,
            reversed: subtype & key_kind::REVERSE != 0,
            qual,
            addrs: KeyAddrs::Ipv4(Ipv4Key {
                src: be32_at(b, 0),
                dst: be32_at(b, 4),
                proto: b[8],
                tp_p: b[9],
                l4: arr_at(b, 10),
            }),
        });
        if key.reversed {
            unreverse(key);
        }
        return;
    }
    if let Some(key) = decode(subtype, qual, body).value() {
        *slot = Some(key);
    }
}

/// The swap `ra` 3.0.8.2 applies to a key stored with the REVERSE bit.
/// Depends only on fields it does not change, so it is its own inverse.
fn unreverse(key: &mut FlowKey) {
    if !ip_kind(key.kind) {
        return;
    }
    let classic = key.kind & 0x3f == key_kind::CLASSIC5TUPLE;
    let masklen = key.qual & family::MASKLEN != 0;
    match &mut key.addrs {
        KeyAddrs::Ipv4(k) => {
            if key.qual & family::FRAGMENT != 0 {
                if classic {
                    std::mem::swap(&mut k.src, &mut k.dst);
                }
                return;
            }
            std::mem::swap(&mut k.src, &mut k.dst);
            if classic && matches!(k.proto, ipproto::TCP | ipproto::UDP) {
                k.l4.swap(0, 2);
                k.l4.swap(1, 3);
            }
            if masklen {
                k.l4.swap(4, 5);
            }
        }
        KeyAddrs::Ipv6(k) => {
            std::mem::swap(&mut k.src, &mut k.dst);
            if classic && matches!(k.proto(), ipproto::TCP | ipproto::UDP) {
                k.l4.swap(0, 2);
                k.l4.swap(1, 3);
            }
            if masklen {
                if let Some(m) = &mut k.masks {
                    m.swap(0, 2);
                    m.swap(1, 3);
                }
            }
        }
        _ => {}
    }
}

pub(crate) fn encode(key: &FlowKey, out: &mut Vec<u8>) {
    let mut k = *key;
    if k.reversed {
        unreverse(&mut k);
    }
    let start = out.len();
    let subtype = k.kind | if k.reversed { key_kind::REVERSE } else { 0 };
    let mut w = Wr(out);
    w.u8(dsr_type::FLOW).u8(subtype).u8(k.qual).u8(0);
    match &k.addrs {
        KeyAddrs::Ipv4(a) => {
            w.be32(a.src).be32(a.dst).u8(a.proto).u8(a.tp_p).bytes(&a.l4);
        }
        KeyAddrs::Ipv6(a) => {
            w.be128(a.src).be128(a.dst).be32(a.flow_word).bytes(&a.l4);
            if let Some(m) = &a.masks {
                w.bytes(m);
            }
        }
        KeyAddrs::Ether(a) => {
            w.bytes(&a.dst).bytes(&a.src).be16(a.ether_type).u8(a.dsap).u8(a.ssap);
        }
        KeyAddrs::Arp(a) => {
            w.be16(a.hrd).be16(a.pro).u8(a.hln).u8(a.pln).be16(a.op);
            w.be32(a.spa).be32(a.tpa).bytes(&a.haddr);
        }
        KeyAddrs::Other { bytes, len } => {
            let n = usize::from(*len).min(OTHER_KEY_MAX);
            w.bytes(&bytes[..n]);
        }
    }
    w.pad_to_word(start);
    super::dsr::set_len8(out, start);
}
