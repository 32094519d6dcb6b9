//! Cache prefetch hints for the hot loops: the next capture record, the
//! flow a lookup found, the next flow a queue walk will report.

/// Asks the CPU to fetch the cache line holding the start of `b`.
#[inline(always)]
pub fn line(b: &[u8]) {
    ptr(b.as_ptr());
}

/// Asks the CPU to fetch every cache line of `*r`, so that the misses of a
/// cold object overlap instead of following one another.
#[inline(always)]
pub fn object<T>(r: &T) {
    let p = (r as *const T).cast::<u8>();
    let mut off = 0;
    while off < std::mem::size_of::<T>() {
        ptr(p.wrapping_add(off));
        off += 64;
    }
    // The last line when the object does not start on a line boundary.
    ptr(p.wrapping_add(std::mem::size_of::<T>().saturating_sub(1)));
}

#[inline(always)]
fn ptr(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE is part of the x86_64 baseline; a prefetch never
        // faults (whatever the address) nor changes any state the program
        // can observe, and `p` is within or one byte inside a live object.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
