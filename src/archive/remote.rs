//! The client side of the argus remote-access protocol (port 561,
//! argus-format.md §5): connect, read the initial MAR (or an error MAR),
//! optionally send `FILTER: man or (<filter>)` and check the 2-byte answer,
//! send `START: `, then read records as from a file. `DONE: ` is sent when
//! the input is dropped.

use super::{open_stream_with_head, Input, OpenError};
use crate::record::{cause, mar_status, ARGUS_COOKIE, MAR_LEN};
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The port argus listens on by default (service `monitor`).
pub const DEFAULT_PORT: u16 = 561;

/// How long to wait for a connection (ra's default connect time).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait for the handshake answers.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// `host[:port]` of an argus server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    /// Parses a `-S` argument: `[argus://][user[:pass]@]host[:port]`, with
    /// IPv6 hosts in brackets (`[::1]:561`). User and password are not
    /// used (they are for SASL, which the Debian builds lack).
    pub fn parse(arg: &str) -> Result<Endpoint, String> {
        let mut s = arg;
        if let Some(i) = s.find("://") {
            s = &s[i + 3..];
        }
        if let Some(i) = s.rfind('@') {
            s = &s[i + 1..];
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let end = rest.find(']').ok_or_else(|| format!("bad server address '{arg}'"))?;
            let port = rest[end + 1..].strip_prefix(':');
            (&rest[..end], port)
        } else if s.matches(':').count() > 1 {
            (s, None) // a bare IPv6 address
        } else {
            match s.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            }
        };
        let port = match port {
            None | Some("") => DEFAULT_PORT,
            Some(p) => p.parse().map_err(|_| format!("bad port in server address '{arg}'"))?,
        };
        if host.is_empty() {
            return Err(format!("no host in server address '{arg}'"));
        }
        Ok(Endpoint { host: host.to_string(), port })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// The open connection; says `DONE: ` when dropped.
pub struct Session {
    stream: TcpStream,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.stream.write_all(b"DONE: ");
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// Why the handshake failed, in `ra`'s words where it has any.
#[derive(Debug)]
pub enum HandshakeError {
    Refused(&'static str),
    Io(io::Error),
}

impl From<io::Error> for HandshakeError {
    fn from(e: io::Error) -> HandshakeError {
        HandshakeError::Io(e)
    }
}

fn read_up_to(stream: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match stream.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Connects to an argus server and starts the record stream. `filter`,
/// when given, is sent as `FILTER: man or (<filter>)` (what `ra` sends) and
/// must be accepted.
pub fn connect(ep: &Endpoint, filter: Option<&str>) -> Result<Input, OpenError> {
    let io_err = |error: io::Error| OpenError { name: ep.to_string(), error, remote: true };
    let addrs: Vec<_> = (ep.host.as_str(), ep.port).to_socket_addrs().map_err(io_err)?.collect();
    let mut last = io::Error::new(io::ErrorKind::NotFound, "host has no address");
    let mut stream = None;
    for a in addrs {
        match TcpStream::connect_timeout(&a, CONNECT_TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = e,
        }
    }
    let mut stream = stream.ok_or_else(|| io_err(last))?;
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT)).map_err(io_err)?;
    let head = handshake(&mut stream, filter).map_err(|e| match e {
        HandshakeError::Refused(msg) => {
            OpenError { name: ep.to_string(), error: io::Error::other(msg), remote: true }
        }
        HandshakeError::Io(error) => io_err(error),
    })?;
    stream.set_read_timeout(None).map_err(io_err)?;
    let reader = stream.try_clone().map_err(io_err)?;
    let mut input = open_stream_with_head(ep.to_string(), head, Box::new(reader));
    input.remote = Some(Session { stream });
    Ok(input)
}

/// Reads the initial MAR and does the FILTER/START exchange over any
/// byte stream; returns the initial MAR bytes (the stream's first record).
pub fn handshake<S: Read + Write>(
    stream: &mut S,
    filter: Option<&str>,
) -> Result<Vec<u8>, HandshakeError> {
    use HandshakeError::Refused;
    let mut head = vec![0u8; MAR_LEN];
    let n = read_up_to(stream, &mut head[..16])?;
    // An error MAR may be just its 4-byte header (`83 82 00 01`).
    if n >= 4 && head[0] >> 4 == 0x8 && head[1] >> 4 == cause::ERROR {
        return Err(Refused(match head[1] & 0x0f {
            1 => "remote access denied",
            2 => "remote exceed listen error",
            _ => "remote error",
        }));
    }
    if n < 16 {
        return Err(Refused("connection closed"));
    }
    let id = u32::from_be_bytes([head[8], head[9], head[10], head[11]]);
    if head[0] & 0x0f < 3 && id != ARGUS_COOKIE {
        return Err(Refused("not an argus 3 server"));
    }
    if read_up_to(stream, &mut head[16..])? != MAR_LEN - 16 {
        return Err(Refused("connection closed"));
    }
    let status = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
    if status & mar_status::SASL != 0 {
        return Err(Refused("server requires SASL authentication, which is not supported"));
    }
    if let Some(f) = filter {
        stream.write_all(format!("FILTER: man or ({f})").as_bytes())?;
        let mut answer = [0u8; 2];
        if read_up_to(stream, &mut answer)? != 2 {
            return Err(Refused("remote Filter error"));
        }
        match &answer {
            b"OK" => {}
            b"SY" => return Err(Refused("remote filter syntax error")),
            b"TI" => return Err(Refused("remote filter compiler timed out")),
            _ => return Err(Refused("remote Filter error")),
        }
    }
    stream.write_all(b"START: ")?;
    Ok(head)
}

/// The handshake against server bytes held in memory, then the records
/// that follow them: the `fn(&[u8])` entry point for fuzzing.
pub fn handshake_with(server: &[u8], filter: Option<&str>) -> Result<usize, HandshakeError> {
    struct Mock<'a> {
        input: &'a [u8],
        sent: Vec<u8>,
    }
    impl Read for Mock<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }
    impl Write for Mock<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.sent.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut mock = Mock { input: server, sent: Vec::new() };
    let head = handshake(&mut mock, filter)?;
    let rest = mock.input.to_vec();
    let mut input =
        super::open_stream_with_head("fuzz".into(), head, Box::new(io::Cursor::new(rest)));
    let mut n = 0;
    while let Some(Ok(r)) = input.next_record() {
        let _ = crate::codec::decode(r.bytes);
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_server_addresses() {
        let e = |h: &str, p| Ok(Endpoint { host: h.to_string(), port: p });
        assert_eq!(Endpoint::parse("localhost"), e("localhost", 561));
        assert_eq!(Endpoint::parse("127.0.0.1:15612"), e("127.0.0.1", 15612));
        assert_eq!(Endpoint::parse("argus://user:pw@host:99"), e("host", 99));
        assert_eq!(Endpoint::parse("[::1]:562"), e("::1", 562));
        assert_eq!(Endpoint::parse("::1"), e("::1", 561));
        assert!(Endpoint::parse("host:x").is_err());
        assert!(Endpoint::parse(":5").is_err());
        assert_eq!(Endpoint::parse("[::1]:562").unwrap().to_string(), "[::1]:562");
    }
}
