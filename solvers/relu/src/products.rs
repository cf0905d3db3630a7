//! The gated operator F u = sum_i D_i X u_i and its adjoint at data-set scale, for the
//! first-order solvers (FISTA, the augmented Lagrangian): cost O(nnz(X) P) per product
//! when X is sparse (a9a, w8a: 4-11% of the entries are nonzero), both cores, and memory
//! O(n P + d P) beyond the data: no n x n matrix and no copy of X per pattern.
//!
//! Small or dense data keep the two dense products of [`super::ops`] (sequential below
//! about 10^7 multiply-adds, so the small-set runs are unchanged to the last bit).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;

/// Row blocks of the parallel loops. Fixed, not the thread count, so the adjoint's sums
/// (and hence the iterates) are the same on every machine.
const BLOCKS: usize = 16;

/// X's rows in compressed form (exact zeros dropped).
struct SparseRows {
    ptr: Vec<usize>,
    idx: Vec<u32>,
    val: Vec<f64>,
}

impl SparseRows {
    fn from_dense(x: MatRef<'_, f64>) -> Self {
        let mut rows = Self {
            ptr: Vec::with_capacity(x.nrows() + 1),
            idx: Vec::new(),
            val: Vec::new(),
        };
        rows.ptr.push(0);
        for j in 0..x.nrows() {
            for k in 0..x.ncols() {
                let v = x[(j, k)];
                if v != 0.0 {
                    rows.idx.push(k as u32);
                    rows.val.push(v);
                }
            }
            rows.ptr.push(rows.idx.len());
        }
        rows
    }

    fn row(&self, j: usize) -> (&[u32], &[f64]) {
        let r = self.ptr[j]..self.ptr[j + 1];
        (&self.idx[r.clone()], &self.val[r])
    }
}

/// The sparse route's data and workspaces, sized once.
struct Sparse {
    rows: SparseRows,
    /// The patterns row by row: entry `j * P + i` is D_ji.
    pat_rows: Vec<f64>,
    /// U transposed (P x d): column k is row k of U, contiguous.
    ut: Mat<f64>,
    /// One P x d accumulator per row block of the adjoint.
    acc: Vec<Mat<f64>>,
    /// One length-P scratch per row block of the forward product.
    scratch: Vec<Vec<f64>>,
    /// Rows per block.
    chunk: usize,
}

/// Which products a data set gets.
enum Route {
    /// faer's dense products through an n x P workspace.
    Dense {
        work: Mat<f64>,
        par: Par,
    },
    Sparse(Box<Sparse>),
}

/// Products with F and F^T for one data set and one set of patterns.
pub(crate) struct GatedOps<'a> {
    x: MatRef<'a, f64>,
    pat: MatRef<'a, f64>,
    route: Route,
}

/// Multiply-adds of one dense product above which both cores are used.
const PARALLEL_WORK: f64 = 1e7;

impl<'a> GatedOps<'a> {
    /// Chooses the route: sparse rows where [`sparse_rows`] says so, dense otherwise.
    pub(crate) fn new(x: MatRef<'a, f64>, pat: MatRef<'a, f64>) -> Self {
        let (n, d, p) = (x.nrows(), x.ncols(), pat.ncols());
        let work = (n * d * p) as f64;
        let route = if let Some(rows) = sparse_rows(x, p) {
            Route::Sparse(Box::new(Sparse {
                rows,
                pat_rows: pattern_rows(pat),
                ut: Mat::zeros(p, d),
                acc: (0..BLOCKS).map(|_| Mat::zeros(p, d)).collect(),
                scratch: vec![vec![0.0; p]; BLOCKS],
                chunk: n.div_ceil(BLOCKS).max(1),
            }))
        } else {
            let par = if work >= PARALLEL_WORK {
                Par::rayon(0)
            } else {
                Par::Seq
            };
            Route::Dense {
                work: Mat::zeros(n, p),
                par,
            }
        };
        Self { x, pat, route }
    }

    /// True when the sparse route is in use.
    #[cfg(test)]
    pub(crate) fn is_sparse(&self) -> bool {
        matches!(self.route, Route::Sparse(_))
    }

    /// `out = F u`: the predictions sum_i D_i X u_i of the weights `u` (d x P).
    pub(crate) fn forward(&mut self, u: MatRef<'_, f64>, out: &mut [f64]) {
        let (x, pat) = (self.x, self.pat);
        match &mut self.route {
            Route::Dense { work, par } => {
                matmul(work.as_mut(), Accum::Replace, x, u, 1.0, *par);
                out.fill(0.0);
                for i in 0..pat.ncols() {
                    let (z, dcol) = (work.col_as_slice(i), pat.col(i));
                    for (j, o) in out.iter_mut().enumerate() {
                        *o += dcol[j] * z[j];
                    }
                }
            }
            Route::Sparse(s) => {
                let p = pat.ncols();
                for k in 0..u.nrows() {
                    for i in 0..p {
                        s.ut[(i, k)] = u[(k, i)];
                    }
                }
                let (rows, pat_rows, ut, chunk) = (&s.rows, &s.pat_rows, &s.ut, s.chunk);
                // Row j: t = sum_k x_jk U[k, :] (contiguous axpys), then out_j = <D_j, t>.
                out.par_chunks_mut(chunk)
                    .zip(s.scratch.par_iter_mut())
                    .enumerate()
                    .for_each(|(c, (block, t))| {
                        for (jj, o) in block.iter_mut().enumerate() {
                            let j = c * chunk + jj;
                            t.fill(0.0);
                            let (idx, val) = rows.row(j);
                            for (&k, &v) in idx.iter().zip(val) {
                                for (ti, &ui) in t.iter_mut().zip(ut.col_as_slice(k as usize)) {
                                    *ti += v * ui;
                                }
                            }
                            *o = dot(&pat_rows[j * p..(j + 1) * p], t);
                        }
                    });
            }
        }
    }

    /// `out = alpha F^T r` (d x P): column i is alpha X^T (D_i r).
    pub(crate) fn adjoint(&mut self, r: &[f64], alpha: f64, mut out: MatMut<'_, f64>) {
        let (x, pat) = (self.x, self.pat);
        match &mut self.route {
            Route::Dense { work, par } => {
                for i in 0..pat.ncols() {
                    let (dcol, w) = (pat.col(i), work.col_as_slice_mut(i));
                    for (j, wj) in w.iter_mut().enumerate() {
                        *wj = dcol[j] * r[j];
                    }
                }
                let xt = x.transpose();
                matmul(out.as_mut(), Accum::Replace, xt, work.as_ref(), alpha, *par);
            }
            Route::Sparse(s) => {
                let p = pat.ncols();
                let n = r.len();
                let (rows, pat_rows, chunk) = (&s.rows, &s.pat_rows, s.chunk);
                s.acc.par_iter_mut().enumerate().for_each(|(c, acc)| {
                    acc.fill(0.0);
                    for j in (c * chunk).min(n)..((c + 1) * chunk).min(n) {
                        if r[j] == 0.0 {
                            continue;
                        }
                        let prow = &pat_rows[j * p..(j + 1) * p];
                        let (idx, val) = rows.row(j);
                        for (&k, &v) in idx.iter().zip(val) {
                            let a = alpha * v * r[j];
                            for (o, &dm) in acc.col_as_slice_mut(k as usize).iter_mut().zip(prow) {
                                *o += a * dm;
                            }
                        }
                    }
                });
                for i in 0..p {
                    for k in 0..out.nrows() {
                        out[(k, i)] = s.acc.iter().map(|a| a[(i, k)]).sum();
                    }
                }
            }
        }
    }
}

/// Products of X with weight blocks for the augmented Lagrangian: `Z` (d x m) to the
/// sample-major m x n array of X Z (entry (c, j) at `j * m + c`, so a sample's m values
/// are contiguous and the parallel loops own disjoint samples), and back.
pub(crate) struct RowOps<'a> {
    x: MatRef<'a, f64>,
    m: usize,
    sparse: Option<SparseRows>,
    /// Z transposed (m x d, sparse route).
    zt: Mat<f64>,
    /// One m x d accumulator per row block (sparse route), column k at `k * m`.
    acc: Vec<Vec<f64>>,
    chunk: usize,
    par: Par,
}

impl<'a> RowOps<'a> {
    /// Products for `m` weight blocks; the sparse route under the same rule as
    /// [`GatedOps::new`] ([`sparse_rows`]).
    pub(crate) fn new(x: MatRef<'a, f64>, m: usize) -> Self {
        let (n, d) = (x.nrows(), x.ncols());
        let big = (n * d * m) as f64 >= PARALLEL_WORK;
        let sparse = sparse_rows(x, m);
        let blocks = if sparse.is_some() { BLOCKS } else { 0 };
        Self {
            x,
            m,
            zt: Mat::zeros(m, d),
            acc: (0..blocks).map(|_| vec![0.0; m * d]).collect(),
            sparse,
            chunk: n.div_ceil(BLOCKS).max(1),
            par: if big { Par::rayon(0) } else { Par::Seq },
        }
    }

    /// `out = (X z)^T` in the sample-major layout (length m n).
    pub(crate) fn mul(&mut self, z: MatRef<'_, f64>, out: &mut [f64]) {
        let (m, d) = (self.m, self.x.ncols());
        let Some(rows) = &self.sparse else {
            let out = faer::MatMut::from_column_major_slice_mut(out, m, self.x.nrows());
            matmul(
                out,
                Accum::Replace,
                z.transpose(),
                self.x.transpose(),
                1.0,
                self.par,
            );
            return;
        };
        for k in 0..d {
            for c in 0..m {
                self.zt[(c, k)] = z[(k, c)];
            }
        }
        let zt = &self.zt;
        out.par_chunks_mut(m * self.chunk)
            .enumerate()
            .for_each(|(b, block)| {
                for (jj, o) in block.chunks_exact_mut(m).enumerate() {
                    o.fill(0.0);
                    let (idx, val) = rows.row(b * self.chunk + jj);
                    for (&k, &v) in idx.iter().zip(val) {
                        for (o, &zc) in o.iter_mut().zip(zt.col_as_slice(k as usize)) {
                            *o += v * zc;
                        }
                    }
                }
            });
    }

    /// `out = alpha X^T q^T` (d x m) of a sample-major m x n array `q`.
    pub(crate) fn tmul(&mut self, q: &[f64], alpha: f64, mut out: MatMut<'_, f64>) {
        let (m, n) = (self.m, self.x.nrows());
        let Some(rows) = &self.sparse else {
            let q = MatRef::from_column_major_slice(q, m, n);
            matmul(
                out,
                Accum::Replace,
                self.x.transpose(),
                q.transpose(),
                alpha,
                self.par,
            );
            return;
        };
        let chunk = self.chunk;
        self.acc.par_iter_mut().enumerate().for_each(|(b, acc)| {
            acc.fill(0.0);
            for j in (b * chunk).min(n)..((b + 1) * chunk).min(n) {
                let qj = &q[j * m..(j + 1) * m];
                let (idx, val) = rows.row(j);
                for (&k, &v) in idx.iter().zip(val) {
                    let col = &mut acc[k as usize * m..(k as usize + 1) * m];
                    for (a, &qc) in col.iter_mut().zip(qj) {
                        *a += alpha * v * qc;
                    }
                }
            }
        });
        for k in 0..out.nrows() {
            for c in 0..m {
                out[(k, c)] = self.acc.iter().map(|a| a[k * m + c]).sum();
            }
        }
    }
}

/// X's rows in compressed form when products with `m` weight blocks go the sparse route:
/// at most a quarter of X nonzero, and products large enough for it to matter.
fn sparse_rows(x: MatRef<'_, f64>, m: usize) -> Option<SparseRows> {
    let (n, d) = (x.nrows(), x.ncols());
    let big = (n * d * m) as f64 >= PARALLEL_WORK;
    (big && nonzeros(x) * 4 <= n * d).then(|| SparseRows::from_dense(x))
}

/// The patterns (n x P) row by row: entry `j * P + i` is D_ji, so a sample's patterns are
/// contiguous.
pub(crate) fn pattern_rows(pat: MatRef<'_, f64>) -> Vec<f64> {
    let (n, p) = (pat.nrows(), pat.ncols());
    let mut rows = vec![0.0; n * p];
    for i in 0..p {
        for (j, &v) in pat.col(i).iter().enumerate() {
            rows[j * p + i] = v;
        }
    }
    rows
}

/// Number of nonzero entries of X.
pub(crate) fn nonzeros(x: MatRef<'_, f64>) -> usize {
    (0..x.ncols())
        .map(|k| x.col(k).iter().filter(|v| **v != 0.0).count())
        .sum()
}

/// <a, b> with four running sums (independent chains the compiler can vectorize).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..4 {
            s[i] += x[i] * y[i];
        }
    }
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{adjoint, forward};

    /// Sparse 0/±1 data large enough for the sparse route.
    fn data(n: usize, d: usize, p: usize) -> (Mat<f64>, Mat<f64>, Mat<f64>, Vec<f64>) {
        let x = Mat::from_fn(n, d, |j, k| match (j * 31 + k * 17) % 13 {
            0 => 1.0,
            1 => -0.5,
            _ => 0.0,
        });
        let pat = Mat::from_fn(n, p, |j, i| ((j * 7 + i * 3) % 5 < 2) as u8 as f64);
        let u = Mat::from_fn(d, p, |k, i| ((k * 5 + i * 11) % 9) as f64 / 4.0 - 1.0);
        let r = (0..n).map(|j| ((j * 13) % 7) as f64 - 3.0).collect();
        (x, pat, u, r)
    }

    #[test]
    fn sparse_route_matches_the_dense_products() {
        let (n, d, p) = (2000, 60, 100);
        let (x, pat, u, r) = data(n, d, p);
        let mut ops = GatedOps::new(x.as_ref(), pat.as_ref());
        assert!(
            ops.is_sparse(),
            "2/13 of X is nonzero: sparse route expected"
        );
        let (mut got, mut want) = (vec![0.0; n], vec![0.0; n]);
        let mut work = Mat::zeros(n, p);
        ops.forward(u.as_ref(), &mut got);
        forward(x.as_ref(), pat.as_ref(), u.as_ref(), &mut work, &mut want);
        let err = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(err < 1e-10, "forward differs by {err}");
        let (mut ga, mut wa) = (Mat::zeros(d, p), Mat::zeros(d, p));
        ops.adjoint(&r, 0.5, ga.as_mut());
        adjoint(x.as_ref(), pat.as_ref(), &r, 0.5, &mut work, wa.as_mut());
        let err = (&ga - &wa).norm_max();
        assert!(err < 1e-9, "adjoint differs by {err}");
    }

    #[test]
    fn row_products_agree_on_both_routes() {
        let (n, d, m) = (2000, 60, 100);
        let (x, _, z, _) = data(n, d, m);
        let xd = Mat::from_fn(n, d, |j, k| x[(j, k)] + 1e-3);
        let q: Vec<f64> = (0..n * m).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
        for (xx, sparse) in [(&x, true), (&xd, false)] {
            let mut ops = RowOps::new(xx.as_ref(), m);
            assert_eq!(ops.sparse.is_some(), sparse);
            let mut got = vec![0.0; n * m];
            ops.mul(z.as_ref(), &mut got);
            let want = xx * &z;
            let err = (0..n * m)
                .map(|i| (got[i] - want[(i / m, i % m)]).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-10, "mul differs by {err} (sparse {sparse})");
            let mut t = Mat::zeros(d, m);
            ops.tmul(&q, 0.5, t.as_mut());
            let qm = Mat::from_fn(n, m, |j, c| q[j * m + c]);
            let err = (&t - xx.transpose() * &qm * 0.5).norm_max();
            assert!(err < 1e-8, "tmul differs by {err} (sparse {sparse})");
        }
    }

    #[test]
    fn dense_data_keeps_the_dense_route() {
        let (n, d, p) = (2000, 60, 100);
        let x = Mat::from_fn(n, d, |j, k| ((j + k) % 7) as f64 + 1.0);
        let pat = Mat::from_fn(n, p, |j, i| ((j + i) % 2) as f64);
        assert!(!GatedOps::new(x.as_ref(), pat.as_ref()).is_sparse());
    }
}
