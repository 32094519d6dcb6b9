//! glibc 2.36's `qsort` (`msort.c`): a top-down merge sort that splits `n`
//! elements into `n / 2` and the rest, sorts both halves, and merges them
//! taking the left element whenever the comparison is `<= 0`.
//!
//! It is stable, and with a comparison that is not transitive (rasort's
//! attribute keys) the output is whatever this exact sequence of
//! comparisons gives, so it is reproduced as is. The two halves of the top
//! levels are independent and are sorted on separate threads: the same
//! comparisons happen, so the result does not depend on the thread count.

/// Halves smaller than this are sorted on the calling thread.
const PARALLEL_MIN: usize = 1 << 14;

/// Sorts `items` with `cmp` (qsort's contract: positive when the first
/// argument must come after the second).
pub fn sort<T, F>(items: &mut [T], cmp: &F)
where
    T: Copy + Send + Sync,
    F: Fn(&T, &T) -> i32 + Sync,
{
    if items.len() <= 1 {
        return;
    }
    let mut tmp = items.to_vec();
    let depth = if rayon::current_num_threads() > 1 { 6 } else { 0 };
    msort(items, &mut tmp, cmp, depth);
}

fn msort<T, F>(b: &mut [T], tmp: &mut [T], cmp: &F, depth: u32)
where
    T: Copy + Send + Sync,
    F: Fn(&T, &T) -> i32 + Sync,
{
    let n = b.len();
    if n <= 1 {
        return;
    }
    let n1 = n / 2;
    {
        let (left, right) = b.split_at_mut(n1);
        let (t1, t2) = tmp.split_at_mut(n1);
        if depth > 0 && n >= PARALLEL_MIN {
            rayon::join(|| msort(left, t1, cmp, depth - 1), || msort(right, t2, cmp, depth - 1));
        } else {
            msort(left, t1, cmp, 0);
            msort(right, t2, cmp, 0);
        }
    }
    // Merge into tmp; what is left of the right half is already in place.
    let (mut i, mut j, mut k) = (0, n1, 0);
    while i < n1 && j < n {
        if cmp(&b[i], &b[j]) <= 0 {
            tmp[k] = b[i];
            i += 1;
        } else {
            tmp[k] = b[j];
            j += 1;
        }
        k += 1;
    }
    while i < n1 {
        tmp[k] = b[i];
        i += 1;
        k += 1;
    }
    b[..k].copy_from_slice(&tmp[..k]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably() {
        let mut v: Vec<(u32, u32)> = (0..1000).map(|i| ((i * 7919) % 13, i)).collect();
        sort(&mut v, &|a: &(u32, u32), b: &(u32, u32)| a.0 as i32 - b.0 as i32);
        for w in v.windows(2) {
            assert!(w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1));
        }
    }

    /// A comparison that is not transitive gives glibc's order: here "equal
    /// unless both are even" — the merge sequence decides.
    #[test]
    fn non_transitive_comparisons_follow_the_merge_sequence() {
        let mut v = vec![5u32, 4, 3, 2, 1, 0];
        let cmp = |a: &u32, b: &u32| {
            if a.is_multiple_of(2) && b.is_multiple_of(2) {
                *a as i32 - *b as i32
            } else {
                0
            }
        };
        sort(&mut v, &cmp);
        // [5,4,3] -> [5] [4,3] -> [5,4,3]; [2,1,0] -> [2] [1,0] -> [2,1,0];
        // merge: 5|2 take 5, 4|2 4>2 take 2, 4|1 take 4, 3|1 take 3, then 1,0
        assert_eq!(v, vec![5, 2, 4, 3, 1, 0]);
    }
}
