//! `-e regex`: keep records whose captured user data matches a POSIX
//! extended regular expression, as ra does with `regcomp(REG_EXTENDED)`.
//!
//! The C library's regex engine is used on purpose: it is the engine ra
//! uses, so patterns mean exactly the same thing, and it costs no extra
//! dependency. The user data buffer is searched string by string (split at
//! NUL bytes), like argus's `ArgusGrepBuf`; `-v` inverts, `-i` ignores case.

use std::ffi::CString;

use super::modes::Grep;
use crate::record::Flow;

/// A compiled `-e` pattern.
pub struct UserDataGrep {
    regex: Box<libc::regex_t>,
    src: bool,
    dst: bool,
    invert: bool,
}

impl UserDataGrep {
    /// Compiles `grep`; the error text is the C library's.
    pub fn new(grep: &Grep, ignore_case: bool, invert: bool) -> Result<UserDataGrep, String> {
        let pattern = CString::new(grep.pattern.as_bytes())
            .map_err(|_| "user data regex error: NUL in pattern".to_string())?;
        // SAFETY: regex_t is plain data that regcomp initialises.
        let mut regex: Box<libc::regex_t> = Box::new(unsafe { std::mem::zeroed() });
        let mut flags = libc::REG_EXTENDED | libc::REG_NOSUB;
        if ignore_case {
            flags |= libc::REG_ICASE;
        }
        // SAFETY: `regex` is a valid, exclusively owned regex_t and
        // `pattern` a NUL-terminated string that outlives the call.
        let rc = unsafe { libc::regcomp(&mut *regex, pattern.as_ptr(), flags) };
        if rc != 0 {
            let mut buf = vec![0u8; 256];
            // SAFETY: regerror writes at most buf.len() bytes, NUL-terminated.
            unsafe {
                libc::regerror(rc, &*regex, buf.as_mut_ptr() as *mut libc::c_char, buf.len());
            }
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            let msg = String::from_utf8_lossy(&buf[..end]).into_owned();
            return Err(format!("ArgusProcessLabelOption: user data regex error {msg}"));
        }
        Ok(UserDataGrep { regex, src: grep.src, dst: grep.dst, invert })
    }

    fn search(&self, data: &[u8]) -> bool {
        data.split(|&b| b == 0).any(|piece| {
            let Ok(text) = CString::new(piece) else { return false };
            // SAFETY: the regex was compiled by regcomp; `text` is
            // NUL-terminated; REG_NOSUB means no match array is written.
            unsafe { libc::regexec(&*self.regex, text.as_ptr(), 0, std::ptr::null_mut(), 0) == 0 }
        })
    }

    /// True when the record passes `-e`.
    pub fn matches(&self, flow: &Flow) -> bool {
        let mut found = false;
        if self.src {
            if let Some(d) = &flow.src_data {
                found |= self.search(&d.data);
            }
        }
        if self.dst && !found {
            if let Some(d) = &flow.dst_data {
                found |= self.search(&d.data);
            }
        }
        found != self.invert
    }
}

impl Drop for UserDataGrep {
    fn drop(&mut self) {
        // SAFETY: the regex was successfully compiled and is freed once.
        unsafe { libc::regfree(&mut *self.regex) }
    }
}

// SAFETY: a compiled regex_t is only read by regexec, which glibc and musl
// document as thread-safe for concurrent searches.
unsafe impl Send for UserDataGrep {}
unsafe impl Sync for UserDataGrep {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::UserData;

    fn flow(src: &[u8], dst: &[u8]) -> Flow {
        let data = |d: &[u8]| Some(UserData { data: d.to_vec(), ..Default::default() });
        Flow { src_data: data(src), dst_data: data(dst), ..Default::default() }
    }

    #[test]
    fn searches_each_side_as_asked() {
        let f = flow(b"GET /index.html HTTP/1.1", b"HTTP/1.1 200 OK");
        let g = |p: &str| UserDataGrep::new(&Grep::parse(p), false, false).unwrap();
        assert!(g("GET /[a-z]+").matches(&f));
        assert!(g("200 OK").matches(&f));
        assert!(!g("s:200 OK").matches(&f));
        assert!(g("d:^HTTP").matches(&f));
        assert!(!g("POST").matches(&f));
        assert!(UserDataGrep::new(&Grep::parse("post"), false, true).unwrap().matches(&f));
        assert!(UserDataGrep::new(&Grep::parse("get"), true, false).unwrap().matches(&f));
        assert!(!g("x").matches(&Flow::default()));
    }

    #[test]
    fn strings_after_a_nul_are_searched_too() {
        let f = flow(b"abc\0def", b"");
        let g = UserDataGrep::new(&Grep::parse("^def"), false, false).unwrap();
        assert!(g.matches(&f));
    }

    #[test]
    fn bad_patterns_are_reported() {
        let e = UserDataGrep::new(&Grep::parse("a("), false, false).err().unwrap();
        assert!(e.contains("regex error"), "{e}");
    }
}
