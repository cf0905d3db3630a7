//! Seeded random instance generators for demos, tests and benchmarks.

pub mod calibration;
pub mod completion;
pub mod mip;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

/// The generator RNG: a fixed algorithm so that a seed means the same instance everywhere.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// `len` independent N(0, 1) samples.
pub fn gaussian_vec(rng: &mut StdRng, len: usize) -> Vec<f64> {
    (0..len).map(|_| StandardNormal.sample(rng)).collect()
}
