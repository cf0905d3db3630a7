//! A fast structured sensing operator: random sign modulation, a Walsh-Hadamard transform
//! and random row subsampling, A_l = S_l H D_l P. Every entry is +-1 (the same scale as
//! the Gaussian ensemble) and one application costs O(N log N), N = 2^k >= max(n, m).

use rand::RngExt;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::error::CalibrationError;
use super::operator::{SensingOperator, Shape};

/// In-place unnormalized fast Walsh-Hadamard transform (Sylvester ordering) of a
/// power-of-two length buffer: H[i, j] = (-1)^popcount(i & j).
pub fn fwht(v: &mut [f64]) {
    let len = v.len();
    debug_assert!(len.is_power_of_two() || len == 0);
    let mut h = 1;
    while h < len {
        for block in v.chunks_exact_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
                let (s, t) = (*a, *b);
                *a = s + t;
                *b = s - t;
            }
        }
        h *= 2;
    }
}

/// A_l x = (H (sigma_l ⊙ pad(x)))[rows_l]: signs sigma_l in {+-1}^n, H the N x N
/// Hadamard matrix, rows_l m distinct row indices in 0..N.
#[derive(Debug, Clone)]
pub struct HadamardOperator {
    shape: Shape,
    size: usize,
    signs: Vec<f64>,
    rows: Vec<usize>,
}

impl HadamardOperator {
    /// An operator from explicit signs (p blocks of n entries, each +-1) and row indices
    /// (p blocks of m distinct indices below `size`, a power of two >= n).
    pub fn new(
        n: usize,
        m: usize,
        p: usize,
        size: usize,
        signs: Vec<f64>,
        rows: Vec<usize>,
    ) -> Result<Self, CalibrationError> {
        let shape = Shape::new(n, m, p)?;
        if !size.is_power_of_two() || size < n || size < m {
            return Err(CalibrationError::Shape(format!(
                "transform size {size} must be a power of two >= n = {n} and >= m = {m}"
            )));
        }
        CalibrationError::check_len("signs", n * p, signs.len())?;
        CalibrationError::check_len("rows", m * p, rows.len())?;
        if let Some(k) = signs.iter().position(|s| s.abs() != 1.0) {
            return Err(CalibrationError::Shape(format!(
                "signs[{k}] = {} is not +-1",
                signs[k]
            )));
        }
        let mut seen = vec![usize::MAX; size];
        for (k, &r) in rows.iter().enumerate() {
            let l = k / m;
            if r >= size || seen[r] == l {
                return Err(CalibrationError::Shape(format!(
                    "rows[{k}] = {r} is out of range or repeated within snapshot {l}"
                )));
            }
            seen[r] = l;
        }
        Ok(Self {
            shape,
            size,
            signs,
            rows,
        })
    }

    /// Random signs and rows (uniform without replacement, independent per snapshot) from
    /// `seed`; N is the next power of two >= max(n, m).
    pub fn random(n: usize, m: usize, p: usize, seed: u64) -> Result<Self, CalibrationError> {
        let size = n.max(m).max(1).next_power_of_two();
        let mut rng = StdRng::seed_from_u64(seed);
        let signs: Vec<f64> = (0..n * p)
            .map(|_| if rng.random_bool(0.5) { 1.0 } else { -1.0 })
            .collect();
        let mut rows = Vec::with_capacity(m * p);
        let mut perm: Vec<usize> = (0..size).collect();
        for _ in 0..p {
            // Partial Fisher-Yates: the first m entries are a uniform m-subset.
            for i in 0..m.min(size) {
                let j = rng.random_range(i..size);
                perm.swap(i, j);
            }
            rows.extend_from_slice(&perm[..m.min(size)]);
        }
        Self::new(n, m, p, size, signs, rows)
    }

    /// The transform size N.
    pub fn transform_len(&self) -> usize {
        self.size
    }
}

impl SensingOperator for HadamardOperator {
    fn shape(&self) -> Shape {
        self.shape
    }
    fn scratch_len(&self) -> usize {
        self.size
    }
    fn apply(&self, l: usize, x: &[f64], out: &mut [f64], scratch: &mut [f64]) {
        let Shape { n, m, .. } = self.shape;
        let signs = &self.signs[l * n..(l + 1) * n];
        let buf = &mut scratch[..self.size];
        for ((b, s), xj) in buf.iter_mut().zip(signs).zip(x) {
            *b = s * xj;
        }
        buf[n..].fill(0.0);
        fwht(buf);
        for (o, &r) in out.iter_mut().zip(&self.rows[l * m..(l + 1) * m]) {
            *o = buf[r];
        }
    }
    fn apply_transpose(&self, l: usize, y: &[f64], out: &mut [f64], scratch: &mut [f64]) {
        let Shape { n, m, .. } = self.shape;
        let buf = &mut scratch[..self.size];
        buf.fill(0.0);
        for (&yi, &r) in y.iter().zip(&self.rows[l * m..(l + 1) * m]) {
            buf[r] = yi;
        }
        fwht(buf);
        for ((o, s), b) in out
            .iter_mut()
            .zip(&self.signs[l * n..(l + 1) * n])
            .zip(buf.iter())
        {
            *o = s * b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fwht_matches_the_hadamard_matrix() {
        let len: usize = 16;
        let v: Vec<f64> = (0..len).map(|k| (k as f64 * 1.3).cos()).collect();
        let mut w = v.clone();
        fwht(&mut w);
        for i in 0..len {
            let want: f64 = (0..len)
                .map(|j| {
                    if (i & j).count_ones() & 1 == 0 {
                        v[j]
                    } else {
                        -v[j]
                    }
                })
                .sum();
            assert!((w[i] - want).abs() < 1e-12);
        }
        // H H = N I.
        fwht(&mut w);
        for k in 0..len {
            assert!((w[k] - len as f64 * v[k]).abs() < 1e-12);
        }
    }

    #[test]
    fn fast_operator_matches_its_dense_matrix() {
        let (n, m, p) = (11, 7, 3);
        let op = HadamardOperator::random(n, m, p, 4).unwrap();
        let size = op.transform_len();
        assert_eq!(size, 16);
        let x: Vec<f64> = (0..n).map(|j| (j as f64).sin() + 0.5).collect();
        let y: Vec<f64> = (0..m).map(|i| (i as f64 * 0.7).cos()).collect();
        let mut scratch = vec![0.0; op.scratch_len()];
        for l in 0..p {
            // Explicit entries: A_l[i, j] = (-1)^popcount(rows_l[i] & j) sigma_l[j].
            let dense = |i: usize, j: usize| {
                let r = op.rows[l * m + i];
                let h = if (r & j).count_ones() & 1 == 0 {
                    1.0
                } else {
                    -1.0
                };
                h * op.signs[l * n + j]
            };
            let mut ax = vec![0.0; m];
            op.apply(l, &x, &mut ax, &mut scratch);
            let mut aty = vec![0.0; n];
            op.apply_transpose(l, &y, &mut aty, &mut scratch);
            for i in 0..m {
                let want: f64 = (0..n).map(|j| dense(i, j) * x[j]).sum();
                assert!((ax[i] - want).abs() < 1e-12);
            }
            for j in 0..n {
                let want: f64 = (0..m).map(|i| dense(i, j) * y[i]).sum();
                assert!((aty[j] - want).abs() < 1e-12);
            }
            let mat = op.to_dense(l);
            for i in 0..m {
                for j in 0..n {
                    assert_eq!(mat[(i, j)], dense(i, j));
                }
            }
        }
        // Rows are distinct within each snapshot.
        for l in 0..p {
            let mut r = op.rows[l * m..(l + 1) * m].to_vec();
            r.sort_unstable();
            r.dedup();
            assert_eq!(r.len(), m);
        }
    }

    #[test]
    fn rejects_invalid_structure() {
        assert!(HadamardOperator::new(3, 2, 1, 3, vec![1.0; 3], vec![0, 1]).is_err());
        assert!(HadamardOperator::new(3, 2, 1, 4, vec![1.0, 0.5, 1.0], vec![0, 1]).is_err());
        assert!(HadamardOperator::new(3, 2, 1, 4, vec![1.0; 3], vec![1, 1]).is_err());
        assert!(HadamardOperator::new(3, 2, 1, 4, vec![1.0; 3], vec![0, 4]).is_err());
        assert!(HadamardOperator::new(3, 2, 1, 4, vec![1.0; 3], vec![3, 0]).is_ok());
    }
}
