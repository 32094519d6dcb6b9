//! Compressed inputs, recognised by their magic bytes (never by name, as
//! `ra` does), decompressed in-process as streams: gzip (multi-member),
//! bzip2 (multi-stream), Unix compress (`.Z`, our own LZW) and zstd
//! (multi-frame). xz is recognised and reported as unsupported.

use super::lzw::LzwReader;
use std::io::{self, Read};

/// What the first bytes of an input say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Compress,
    Zstd,
    Xz,
}

impl Compression {
    /// Recognises a format from (at least) the first 6 bytes of an input.
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x1f, 0x9d, ..] => Compression::Compress,
            [b'B', b'Z', b'h', ..] => Compression::Bzip2,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Compression::Xz,
            _ => Compression::None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Compress => "compress",
            Compression::Zstd => "zstd",
            Compression::Xz => "xz",
        }
    }

    /// A reader giving the decompressed bytes of `raw`.
    pub fn decoder<'a>(
        self,
        raw: Box<dyn Read + Send + 'a>,
    ) -> io::Result<Box<dyn Read + Send + 'a>> {
        Ok(match self {
            Compression::None => raw,
            Compression::Gzip => {
                Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(raw)))
            }
            Compression::Bzip2 => {
                Box::new(bzip2::read::MultiBzDecoder::new(io::BufReader::new(raw)))
            }
            Compression::Compress => Box::new(LzwReader::new(raw)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
            Compression::Xz => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "xz-compressed input is not supported (decompress it with xz -d first)",
                ))
            }
        })
    }
}

/// Decompresses a whole input held in memory (any supported format, or
/// plain): the `fn(&[u8])` entry point for fuzzing the decompressors.
pub fn decompress_all(data: &[u8]) -> io::Result<Vec<u8>> {
    let kind = Compression::sniff(data);
    let mut out = Vec::new();
    kind.decoder(Box::new(data))?.read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
        assert_eq!(Compression::sniff(b"BZh91AY"), Compression::Bzip2);
        assert_eq!(Compression::sniff(&[0x1f, 0x9d, 0x90]), Compression::Compress);
        assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Compression::Zstd);
        assert_eq!(Compression::sniff(&[0xfd, b'7', b'z', b'X', b'Z', 0]), Compression::Xz);
        assert_eq!(Compression::sniff(&[0x83, 0x10, 0, 0x20]), Compression::None);
        assert_eq!(Compression::sniff(&[0x1f]), Compression::None);
    }
}
