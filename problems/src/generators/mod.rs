//! Seeded random instance generators for demos, tests and benchmarks.

pub mod calibration;
pub mod completion;
pub mod mip;

use rand::SeedableRng;

use crate::error::ProblemError;
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

/// Refuses a zero among `sizes` (named together as `names` in the error, parameter "shape").
pub(crate) fn positive_shape(sizes: &[usize], names: &str) -> Result<(), ProblemError> {
    if sizes.contains(&0) {
        return Err(ProblemError::parameter(
            "shape",
            format!("{names} must be positive"),
        ));
    }
    Ok(())
}

/// Refuses a noise level that is not finite and non-negative.
pub(crate) fn check_noise(noise: f64) -> Result<(), ProblemError> {
    if !(noise.is_finite() && noise >= 0.0) {
        return Err(ProblemError::parameter(
            "noise",
            "must be finite and non-negative",
        ));
    }
    Ok(())
}
