//! Initialization (spec A.1): top-k SVD of (1/p) P_Omega(M) by a randomized range finder
//! with power iterations (Halko, Martinsson, Tropp 2011, Alg. 4.4) on the sparse matrix,
//! never densified; then incoherence clipping of the rows of U, and the starting factors
//! (orthonormal U without a ridge, balanced factors with one; ridge means for the biases).

use rayon::prelude::*;

use super::data::Observations;
use super::dense::{Orthonormalizer, dot, orthonormalize_rows_major};
use super::model::{Factors, Model};
use super::rng::SplitMix;
use super::settings::Settings;

/// The sparse operator A = scale * P_Omega(M - offsets), offsets already subtracted from
/// the values, with products against row-major dense blocks.
pub struct SparseOp<'a> {
    /// Index structure.
    pub obs: &'a Observations,
    /// Values by rows (CSR order), offsets subtracted.
    pub row_val: &'a [f64],
    /// Values by columns (CSC order), offsets subtracted.
    pub col_val: &'a [f64],
    /// The factor 1/p.
    pub scale: f64,
}

/// out = scale * S X for the compressed sparse S (entries `ptr[i]..ptr[i + 1]` of line i:
/// positions `idx`, values `val`; CSR rows for A, CSC columns for A^T), X and out
/// row-major blocks of width l; lines in parallel.
pub(crate) fn compressed_product(
    ptr: &[usize],
    idx: &[u32],
    val: &[f64],
    scale: f64,
    x: &[f64],
    l: usize,
    out: &mut [f64],
) {
    out.par_chunks_mut(l).enumerate().for_each(|(i, oi)| {
        oi.fill(0.0);
        for p in ptr[i]..ptr[i + 1] {
            let j = idx[p] as usize;
            let a = scale * val[p];
            for (t, xv) in oi.iter_mut().zip(&x[j * l..(j + 1) * l]) {
                *t += a * xv;
            }
        }
    });
}

impl SparseOp<'_> {
    /// Y = A X, X row-major n x l, Y row-major m x l.
    pub fn apply(&self, x: &[f64], l: usize, y: &mut [f64]) {
        let o = self.obs;
        compressed_product(&o.row_ptr, &o.row_col, self.row_val, self.scale, x, l, y);
    }

    /// Z = A^T Y, Y row-major m x l, Z row-major n x l.
    pub fn apply_t(&self, y: &[f64], l: usize, z: &mut [f64]) {
        let o = self.obs;
        compressed_product(&o.col_ptr, &o.col_row, self.col_val, self.scale, y, l, z);
    }
}

/// A truncated SVD: U (m x k) and V (n x k) row-major with orthonormal columns, sigma
/// non-increasing.
#[derive(Debug, Clone)]
pub struct TruncatedSvd {
    /// Left singular vectors, row-major m x k.
    pub u: Vec<f64>,
    /// Singular values.
    pub sigma: Vec<f64>,
    /// Right singular vectors, row-major n x k.
    pub v: Vec<f64>,
}

/// Rows `first..first + count` of the Gaussian n x `l` test matrix of the range finder for
/// `seed` (row-major), from one stream: the rows a block draws are the rows of the whole.
pub(crate) fn test_matrix(seed: u64, l: usize, first: usize, count: usize) -> Vec<f64> {
    let mut rng = SplitMix::new(seed ^ 0x696e_6974_5f73_7664);
    rng.skip_normals((first * l) as u64);
    (0..count * l).map(|_| rng.normal()).collect()
}

/// Top-`k` SVD of the operator by a randomized range finder with `l = k + oversampling`
/// columns and `power_iters` re-orthonormalized power iterations.
pub fn randomized_svd(
    op: &SparseOp,
    k: usize,
    oversampling: usize,
    power_iters: usize,
    seed: u64,
) -> TruncatedSvd {
    let (m, n) = (op.obs.nrows, op.obs.ncols);
    let l = (k + oversampling).min(m).min(n).max(k);
    let omega = test_matrix(seed, l, 0, n);
    let mut y = vec![0.0; m * l];
    let mut z = vec![0.0; n * l];
    op.apply(&omega, l, &mut y);
    orthonormalize_rows_major(&mut y, m, l);
    for _ in 0..power_iters {
        op.apply_t(&y, l, &mut z);
        orthonormalize_rows_major(&mut z, n, l);
        op.apply(&z, l, &mut y);
        orthonormalize_rows_major(&mut y, m, l);
    }
    // B^T = A^T Q (n x l) = Qb Rb; then A ~ Q B = Q Rb^T Qb^T, and the SVD of the small
    // Rb^T = X S W^T gives U = Q X, V = Qb W.
    op.apply_t(&y, l, &mut z);
    let rb = orthonormalize_rows_major(&mut z, n, l);
    let small = faer::Mat::<f64>::from_fn(l, l, |i, j| rb[j * l + i]); // Rb^T
    let (x, s, w) = match small.thin_svd() {
        Ok(svd) => (
            svd.U().to_owned(),
            (0..l).map(|i| svd.S()[i]).collect::<Vec<f64>>(),
            svd.V().to_owned(),
        ),
        Err(_) => {
            // The Jacobi/divide-and-conquer SVD of an l x l matrix did not converge (not
            // seen in practice); fall back to the range basis itself.
            let id = faer::Mat::<f64>::identity(l, l);
            (id.clone(), vec![1.0; l], id)
        }
    };
    let mut u = vec![0.0; m * k];
    u.par_chunks_mut(k).enumerate().for_each(|(i, ui)| {
        let yi = &y[i * l..(i + 1) * l];
        for (c, uc) in ui.iter_mut().enumerate() {
            *uc = (0..l).map(|t| yi[t] * x[(t, c)]).sum();
        }
    });
    let mut v = vec![0.0; n * k];
    v.par_chunks_mut(k).enumerate().for_each(|(j, vj)| {
        let zj = &z[j * l..(j + 1) * l];
        for (c, vc) in vj.iter_mut().enumerate() {
            *vc = (0..l).map(|t| zj[t] * w[(t, c)]).sum();
        }
    });
    TruncatedSvd {
        u,
        sigma: s[..k].to_vec(),
        v,
    }
}

/// Scales rows of the row-major `m x k` matrix longer than `threshold` back to that length;
/// returns how many were clipped.
pub fn clip_rows(u: &mut [f64], k: usize, threshold: f64) -> usize {
    let mut clipped = 0;
    for row in u.chunks_exact_mut(k) {
        let norm = dot(row, row).sqrt();
        if norm > threshold {
            let f = threshold / norm;
            row.iter_mut().for_each(|x| *x *= f);
            clipped += 1;
        }
    }
    clipped
}

/// The starting factors from the observations `obs` (all training entries, or theory
/// mode's first part) and how many rows of U were clipped for incoherence. Without a
/// ridge U comes out orthonormal, with R carried into V (`ortho` holds buffers for the
/// larger side); with one the factors are balanced, U diag(sqrt(sigma)), V diag(sqrt(sigma)).
pub fn initialize(
    obs: &Observations,
    model: &Model,
    settings: &Settings,
    ortho: &mut Orthonormalizer,
) -> (Factors, usize) {
    let (m, n, k) = (obs.nrows, obs.ncols, model.k);
    let mut row_bias = vec![0.0; m];
    let mut col_bias = vec![0.0; n];
    if model.biases {
        init_biases(
            obs,
            model.mean,
            settings.lambda,
            settings.weighted_lambda,
            &mut row_bias,
            &mut col_bias,
        );
    }
    let (row_adj, col_adj) = adjusted_values(obs, model.mean, &row_bias, &col_bias, model.biases);
    let p = obs.len() as f64 / (m as f64 * n as f64);
    let op = SparseOp {
        obs,
        row_val: &row_adj,
        col_val: &col_adj,
        scale: 1.0 / p,
    };
    let svd = randomized_svd(
        &op,
        k,
        settings.oversampling,
        settings.power_iters,
        settings.seed,
    );
    let (mut u, mut v) = (svd.u, svd.v);
    let threshold = 2.0 * settings.incoherence * (k as f64 / m as f64).sqrt();
    let clipped_rows = clip_rows(&mut u, k, threshold);
    if settings.lambda == 0.0 {
        // U R = clipped U; warm start V = V_svd diag(sigma) R^T keeps U V^T
        for row in v.chunks_exact_mut(k) {
            for (c, x) in row.iter_mut().enumerate() {
                *x *= svd.sigma[c];
            }
        }
        ortho.orthonormalize(&mut u, m);
        ortho.carry(&mut v);
    } else {
        // ridge: balanced factors U diag(sqrt(sigma)), V diag(sqrt(sigma))
        for (f, len) in [(&mut u, m), (&mut v, n)] {
            for row in f.chunks_exact_mut(k).take(len) {
                for (c, x) in row.iter_mut().enumerate() {
                    *x *= svd.sigma[c].sqrt();
                }
            }
        }
    }
    let factors = Factors {
        u,
        v,
        row_bias,
        col_bias,
    };
    (factors, clipped_rows)
}

/// Alternating ridge means for the biases: b_i = sum_j (M_ij - mu - c_j) / (lambda_i + n_i)
/// and likewise c_j (three rounds), lambda_i = lambda (or lambda n_i when weighted).
fn init_biases(
    obs: &Observations,
    mean: f64,
    lambda: f64,
    weighted: bool,
    rb: &mut [f64],
    cb: &mut [f64],
) {
    let reg = |n: usize| {
        let l = if weighted { lambda * n as f64 } else { lambda };
        l.max(1e-12) + n as f64
    };
    for _ in 0..3 {
        for j in 0..obs.ncols {
            let (rows, vals) = obs.col(j);
            let s: f64 = rows
                .iter()
                .zip(vals)
                .map(|(&i, &v)| v - mean - rb[i as usize])
                .sum();
            cb[j] = s / reg(rows.len());
        }
        for i in 0..obs.nrows {
            let (cols, vals) = obs.row(i);
            let s: f64 = cols
                .iter()
                .zip(vals)
                .map(|(&j, &v)| v - mean - cb[j as usize])
                .sum();
            rb[i] = s / reg(cols.len());
        }
    }
}

/// Values minus mu + b_i + c_j, in CSR and CSC order.
fn adjusted_values(
    obs: &Observations,
    mean: f64,
    rb: &[f64],
    cb: &[f64],
    biases: bool,
) -> (Vec<f64>, Vec<f64>) {
    if !biases {
        return (obs.row_val.clone(), obs.col_val.clone());
    }
    let mut row_adj = obs.row_val.clone();
    for i in 0..obs.nrows {
        for p in obs.row_ptr[i]..obs.row_ptr[i + 1] {
            row_adj[p] -= mean + rb[i] + cb[obs.row_col[p] as usize];
        }
    }
    let mut col_adj = obs.col_val.clone();
    for j in 0..obs.ncols {
        for p in obs.col_ptr[j]..obs.col_ptr[j + 1] {
            col_adj[p] -= mean + cb[j] + rb[obs.col_row[p] as usize];
        }
    }
    (row_adj, col_adj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Entry, Observations};

    #[test]
    fn randomized_svd_matches_dense_svd() {
        // a 40 x 30 sparse matrix with a decaying spectrum plus noise, 60% observed
        let (m, n) = (40, 30);
        let mut rng = SplitMix::new(9);
        let mut dense = faer::Mat::<f64>::zeros(m, n);
        let mut entries = Vec::new();
        for j in 0..n {
            for i in 0..m {
                if rng.unit() < 0.6 {
                    let v = 3.0 * ((i as f64) * 0.3).sin() * ((j as f64) * 0.2).cos()
                        + 1.5 * ((i * j) as f64 * 0.01).cos()
                        + 0.1 * rng.normal();
                    dense[(i, j)] = v;
                    entries.push(Entry {
                        row: i as u32,
                        col: j as u32,
                        value: v,
                    });
                }
            }
        }
        let obs = Observations::new(m, n, &entries);
        let op = SparseOp {
            obs: &obs,
            row_val: &obs.row_val,
            col_val: &obs.col_val,
            scale: 2.0,
        };
        let svd = randomized_svd(&op, 3, 10, 6, 1);
        let exact = (&dense * 2.0).thin_svd().unwrap();
        for i in 0..3 {
            let (a, b) = (svd.sigma[i], exact.S()[i]);
            assert!((a - b).abs() < 1e-6 * b, "sigma {i}: {a} vs {b}");
        }
        // U^T A V = diag(sigma)
        let mut av = vec![0.0; m * 3];
        op.apply(&svd.v, 3, &mut av);
        for c in 0..3 {
            let d: f64 = (0..m).map(|i| svd.u[i * 3 + c] * av[i * 3 + c]).sum();
            assert!((d - svd.sigma[c]).abs() < 1e-6 * svd.sigma[0]);
        }
        let mut u = svd.u.clone();
        let before = u.clone();
        assert_eq!(clip_rows(&mut u, 3, 1e9), 0);
        assert_eq!(u, before);
        assert_eq!(clip_rows(&mut u, 3, 0.0), m);
    }
}
