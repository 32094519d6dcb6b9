//! Zero-copy views of packet headers over `&[u8]`: link layers, IP, TCP,
//! UDP, ICMP, ... Never panics on short or lying headers.
