//! Gate sampling: g_i ~ N(0, I_d) from a seed, activation patterns D_i = 1[X g_i >= 0],
//! duplicates and all-zero patterns dropped (and counted).

use std::collections::HashSet;

use faer::{Accum, Mat, MatRef, Par};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

/// The kept gates and their patterns.
#[derive(Debug, Clone)]
pub struct Gates {
    /// Gate vectors, d x P (column i is g_i).
    pub g: Mat<f64>,
    /// Patterns, n x P with entries 0/1 (column i is diag(D_i)).
    pub patterns: Mat<f64>,
    /// Gates sampled before dropping.
    pub sampled: usize,
    /// Gates dropped because their pattern repeated an earlier one.
    pub dropped_duplicate: usize,
    /// Gates dropped because their pattern was all zero.
    pub dropped_zero: usize,
}

impl Gates {
    /// Number of kept patterns P.
    pub fn len(&self) -> usize {
        self.g.ncols()
    }
    /// True when no pattern was kept.
    pub fn is_empty(&self) -> bool {
        self.g.ncols() == 0
    }
}

/// Samples `p` Gaussian gates with `seed` (column by column, d draws each) and keeps the
/// distinct nonzero patterns on `x`.
pub fn sample_gates(x: MatRef<'_, f64>, p: usize, seed: u64) -> Gates {
    let d = x.ncols();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut g = Mat::<f64>::zeros(d, p);
    for i in 0..p {
        for k in 0..d {
            g[(k, i)] = StandardNormal.sample(&mut rng);
        }
    }
    gates_from(x, g.as_ref())
}

/// Patterns of given gate vectors (d x P) on `x`, keeping the distinct nonzero ones.
pub fn gates_from(x: MatRef<'_, f64>, g: MatRef<'_, f64>) -> Gates {
    let (n, p) = (x.nrows(), g.ncols());
    let mut xg = Mat::<f64>::zeros(n, p);
    faer::linalg::matmul::matmul(xg.as_mut(), Accum::Replace, x, g, 1.0, Par::Seq);
    let mut seen: HashSet<Vec<u64>> = HashSet::new();
    let mut keep = Vec::new();
    let (mut dup, mut zero) = (0, 0);
    for i in 0..p {
        let mut bits = vec![0u64; n.div_ceil(64)];
        let mut any = false;
        for j in 0..n {
            if xg[(j, i)] >= 0.0 {
                bits[j / 64] |= 1 << (j % 64);
                any = true;
            }
        }
        if !any {
            zero += 1;
        } else if !seen.insert(bits) {
            dup += 1;
        } else {
            keep.push(i);
        }
    }
    let gk = Mat::from_fn(g.nrows(), keep.len(), |k, c| g[(k, keep[c])]);
    let patterns = Mat::from_fn(n, keep.len(), |j, c| {
        if xg[(j, keep[c])] >= 0.0 { 1.0 } else { 0.0 }
    });
    Gates {
        g: gk,
        patterns,
        sampled: p,
        dropped_duplicate: dup,
        dropped_zero: zero,
    }
}
