//! Random low-rank matrix completion instances: M = U V^T with Gaussian factors (incoherent
//! with high probability), |Omega| entries observed uniformly without replacement.

use std::collections::HashSet;

use rand::RngExt;

use super::{check_noise, gaussian_vec, positive_shape, rng};
use crate::error::ProblemError;
use crate::triplets::Triplets;

/// A completion instance with its ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionInstance {
    /// The observed entries (possibly noisy).
    pub observed: Triplets,
    /// Ground-truth left factor, m x k column-major.
    pub u: Vec<f64>,
    /// Ground-truth right factor, n x k column-major.
    pub v: Vec<f64>,
    /// Rank k.
    pub rank: usize,
}

impl CompletionInstance {
    /// The true entry M_ij = u_i^T v_j.
    pub fn entry(&self, i: usize, j: usize) -> f64 {
        let (m, n) = (self.observed.nrows, self.observed.ncols);
        (0..self.rank)
            .map(|r| self.u[i + r * m] * self.v[j + r * n])
            .sum()
    }

    /// Relative Frobenius error of a completion U2 V2^T (column-major factors of rank k2)
    /// against the truth, computed through k x k Gram matrices, never densely. The
    /// difference of traces cancels: errors below ~1e-8 come out as rounding noise (often
    /// 0); use [`CompletionInstance::relative_error_entrywise`] to resolve them.
    pub fn relative_error(&self, u2: &[f64], v2: &[f64], k2: usize) -> f64 {
        let (m, n, k) = (self.observed.nrows, self.observed.ncols, self.rank);
        let gram = |a: &[f64], ka: usize, b: &[f64], kb: usize, len: usize| -> Vec<f64> {
            let mut g = vec![0.0; ka * kb];
            for p in 0..ka {
                for q in 0..kb {
                    g[p * kb + q] = (0..len).map(|i| a[i + p * len] * b[i + q * len]).sum();
                }
            }
            g
        };
        // ||A B^T||_F^2 = trace((A^T A)(B^T B)); cross term trace((A^T C)(D^T B)).
        let tr = |x: &[f64], y: &[f64], ka: usize, kb: usize| -> f64 {
            (0..ka)
                .map(|p| (0..kb).map(|q| x[p * kb + q] * y[p * kb + q]).sum::<f64>())
                .sum()
        };
        let truth = tr(
            &gram(&self.u, k, &self.u, k, m),
            &gram(&self.v, k, &self.v, k, n),
            k,
            k,
        );
        let est = tr(&gram(u2, k2, u2, k2, m), &gram(v2, k2, v2, k2, n), k2, k2);
        let cross = tr(
            &gram(&self.u, k, u2, k2, m),
            &gram(&self.v, k, v2, k2, n),
            k,
            k2,
        );
        ((truth + est - 2.0 * cross).max(0.0) / truth).sqrt()
    }
}

impl CompletionInstance {
    /// Relative Frobenius error of U2 V2^T against the truth summed entry by entry
    /// (O(m n (k + k2)) time, O(1) extra memory): accurate down to machine precision.
    pub fn relative_error_entrywise(&self, u2: &[f64], v2: &[f64], k2: usize) -> f64 {
        let (m, n, k) = (self.observed.nrows, self.observed.ncols, self.rank);
        let (mut num, mut den) = (0.0, 0.0);
        let mut ui = vec![0.0; k];
        let mut wi = vec![0.0; k2];
        for i in 0..m {
            for r in 0..k {
                ui[r] = self.u[i + r * m];
            }
            for r in 0..k2 {
                wi[r] = u2[i + r * m];
            }
            for j in 0..n {
                let t: f64 = (0..k).map(|r| ui[r] * self.v[j + r * n]).sum();
                let e: f64 = (0..k2).map(|r| wi[r] * v2[j + r * n]).sum();
                num += (t - e) * (t - e);
                den += t * t;
            }
        }
        (num / den).sqrt()
    }
}

/// Draws an m x n rank-k instance with `observed` entries and additive N(0, noise^2) noise.
pub fn low_rank(
    m: usize,
    n: usize,
    rank: usize,
    observed: usize,
    noise: f64,
    seed: u64,
) -> Result<CompletionInstance, ProblemError> {
    positive_shape(&[m, n, rank], "m, n and rank")?;
    let total = (m as u128) * (n as u128);
    if observed as u128 > total {
        return Err(ProblemError::parameter(
            "observed",
            format!("{observed} entries requested from a {m} x {n} matrix"),
        ));
    }
    check_noise(noise)?;
    let mut r = rng(seed);
    let u = gaussian_vec(&mut r, m * rank);
    let v = gaussian_vec(&mut r, n * rank);
    let mut inst = CompletionInstance {
        observed: Triplets {
            nrows: m,
            ncols: n,
            ..Default::default()
        },
        u,
        v,
        rank,
    };
    // Sample positions without replacement: rejection while sparse, a shuffle when dense.
    let positions: Vec<u64> = if (observed as u128) * 2 < total {
        let mut seen = HashSet::with_capacity(observed);
        let mut out = Vec::with_capacity(observed);
        while out.len() < observed {
            let p = r.random_range(0..total as u64);
            if seen.insert(p) {
                out.push(p);
            }
        }
        out
    } else {
        let mut all: Vec<u64> = (0..total as u64).collect();
        for i in 0..observed {
            let j = r.random_range(i..all.len());
            all.swap(i, j);
        }
        all.truncate(observed);
        all
    };
    let noise_samples = gaussian_vec(&mut r, if noise > 0.0 { observed } else { 0 });
    for (k, p) in positions.into_iter().enumerate() {
        let (i, j) = ((p / n as u64) as usize, (p % n as u64) as usize);
        let mut val = inst.entry(i, j);
        if noise > 0.0 {
            val += noise * noise_samples[k];
        }
        inst.observed.rows.push(i);
        inst.observed.cols.push(j);
        inst.observed.values.push(val);
    }
    Ok(inst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_distinct_positions() {
        let a = low_rank(30, 20, 2, 200, 0.0, 5).unwrap();
        let b = low_rank(30, 20, 2, 200, 0.0, 5).unwrap();
        let c = low_rank(30, 20, 2, 200, 0.0, 6).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let set: HashSet<_> = a.observed.rows.iter().zip(&a.observed.cols).collect();
        assert_eq!(set.len(), 200);
        a.observed.validate().unwrap();
        let k = 0;
        let (i, j) = (a.observed.rows[k], a.observed.cols[k]);
        assert!((a.observed.values[k] - a.entry(i, j)).abs() < 1e-12);
        // dense branch
        let d = low_rank(5, 4, 1, 15, 0.0, 1).unwrap();
        assert_eq!(d.observed.len(), 15);
    }

    #[test]
    fn relative_error_of_truth_is_zero() {
        let a = low_rank(15, 12, 3, 50, 0.0, 1).unwrap();
        assert!(a.relative_error(&a.u, &a.v, 3) < 1e-7);
        assert_eq!(a.relative_error_entrywise(&a.u, &a.v, 3), 0.0);
        let mut u2 = a.u.clone();
        u2[4] *= 1.0 + 1e-12;
        let e = a.relative_error_entrywise(&u2, &a.v, 3);
        assert!(e > 0.0 && e < 1e-11, "{e}");
        assert!((a.relative_error_entrywise(&[0.0; 15], &[0.0; 12], 1) - 1.0).abs() < 1e-15);
        let zero_u = vec![0.0; 15];
        let zero_v = vec![0.0; 12];
        assert!((a.relative_error(&zero_u, &zero_v, 1) - 1.0).abs() < 1e-12);
    }
}
