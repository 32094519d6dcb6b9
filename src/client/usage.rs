//! Usage texts, printed on stdout for `-h` and for a bad option (exit 1).
//! The classic roles print exactly what 3.0.8.2 prints, with the program
//! name the user typed.

/// ra's usage text.
pub fn ra(prog: &str) -> String {
    include_str!("usage/ra.txt").replace("{prog}", prog)
}

/// rasort's usage text.
pub fn rasort(prog: &str) -> String {
    include_str!("usage/rasort.txt").replace("{prog}", prog)
}

/// racount's usage text.
pub fn racount(prog: &str) -> String {
    include_str!("usage/racount.txt").replace("{prog}", prog)
}
