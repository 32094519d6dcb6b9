//! A stable least-significant-digit radix sort of record numbers by rows
//! of 64-bit words: what rasort's sort comes to when its comparison is a
//! total order ([`super::SortSpec::push_words`]). Stable, so records with
//! equal words keep their reading order, as glibc's merge sort keeps them.

/// One record number with the word it is being sorted by.
type Pair = (u64, u32);

/// The record numbers `0..n` ordered by their rows of `width` words
/// (`words[i * width..][..width]` is record `i`'s row, `n` rows in all),
/// lexicographically ascending; equal rows in record order.
pub fn sort_rows(words: &[u64], width: usize) -> Vec<u32> {
    let n = words.len().checked_div(width).unwrap_or(0);
    let mut order: Vec<u32> = (0..n as u32).collect();
    if n < 2 {
        return order;
    }
    let mut pairs: Vec<Pair> = Vec::with_capacity(n);
    let mut spare: Vec<Pair> = vec![(0, 0); n];
    // The last word first: each pass is stable, so earlier words decide
    // and later ones break their ties.
    for col in (0..width).rev() {
        pairs.clear();
        pairs.extend(order.iter().map(|&r| (words[r as usize * width + col], r)));
        sort_pairs(&mut pairs, &mut spare);
        for (o, p) in order.iter_mut().zip(&pairs) {
            *o = p.1;
        }
    }
    order
}

/// Sorts `a` by its words, stably, a byte at a time; bytes that are the
/// same in every word are skipped. `spare` has `a`'s length.
fn sort_pairs(a: &mut Vec<Pair>, spare: &mut Vec<Pair>) {
    let n = a.len();
    let mut counts = vec![[0u32; 256]; 8];
    for &(w, _) in a.iter() {
        for (byte, c) in counts.iter_mut().enumerate() {
            c[(w >> (8 * byte)) as usize & 0xff] += 1;
        }
    }
    for (byte, c) in counts.iter().enumerate() {
        if c.iter().any(|&k| k as usize == n) {
            continue;
        }
        let mut next = [0u32; 256];
        let mut sum = 0u32;
        for (slot, &k) in next.iter_mut().zip(c.iter()) {
            *slot = sum;
            sum += k;
        }
        let shift = 8 * byte;
        for &p in a.iter() {
            let d = (p.0 >> shift) as usize & 0xff;
            spare[next[d] as usize] = p;
            next[d] += 1;
        }
        std::mem::swap(a, spare);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_rows_stably() {
        let width = 2;
        let mut words = Vec::new();
        for i in 0..5000u64 {
            words.push((((i * 7919) % 5) << 40) | ((i % 3) << 7));
            words.push(u64::MAX - (i * 31) % 7);
        }
        let got = sort_rows(&words, width);
        let mut want: Vec<u32> = (0..5000).collect();
        want.sort_by_key(|&r| (words[r as usize * 2], words[r as usize * 2 + 1], r));
        assert_eq!(got, want);
        assert_eq!(sort_rows(&[], 1), Vec::<u32>::new());
        assert_eq!(sort_rows(&[7, 7, 7], 1), vec![0, 1, 2]);
    }
}
