//! Deterministic mutations of seed inputs for the `cargo test` side of the fuzz targets
//! (included with `#[path]` by the `tests/fuzz_checks.rs` files): what a fuzzer tries
//! first, truncations and byte substitutions, from a fixed pseudo-random sequence.

#![allow(dead_code)] // each test file uses its own subset

/// A fixed pseudo-random byte sequence (xorshift) for seed `k`.
pub fn bytes(k: u64) -> impl FnMut() -> u8 {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ k.wrapping_mul(0x2545_f491_4f6c_dd1d);
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 24) as u8
    }
}

/// Runs `check` on every seed and on its [`mutations`].
pub fn run(check: fn(&[u8]), seeds: &[Vec<u8>], alphabet: &[u8]) {
    for (k, s) in seeds.iter().enumerate() {
        check(s);
        for m in mutations(s, k as u64, alphabet) {
            check(&m);
        }
    }
}

/// Truncations of `seed` and copies with a few bytes replaced by bytes from `alphabet`
/// (16 variants; `k` picks the sequence).
pub fn mutations(seed: &[u8], k: u64, alphabet: &[u8]) -> Vec<Vec<u8>> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ k.wrapping_mul(0x2545_f491_4f6c_dd1d);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    let len = seed.len().max(1);
    let mut out = Vec::with_capacity(16);
    for _ in 0..8 {
        out.push(seed[..next() % len].to_vec());
        let mut changed = seed.to_vec();
        for _ in 0..4 {
            let i = next() % len;
            if let Some(b) = changed.get_mut(i) {
                *b = alphabet[next() % alphabet.len()];
            }
        }
        out.push(changed);
    }
    out
}
