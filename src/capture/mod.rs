//! Packet sources: pcap/pcapng files and live interfaces (the pcap crate
//! stays inside this module).
