//! Small dense kernels on k x k and s x k blocks: dot/axpy with split accumulators (so the
//! compiler vectorizes them), the Gram matrix, the Cholesky and Householder QR
//! factorizations (faer's from [`FAER_MIN_K`] unknowns on, hand-written below, where faer's
//! per-call overhead dominates), triangular solves, and the orthonormalization of the
//! factors (faer's blocked QR). All in place on caller-owned buffers: nothing here
//! allocates once the workspaces exist.
//!
//! Why hand-written kernels remain (one regression solve, k x k systems called once per
//! row and column of every sweep): measured against faer 0.24's `cholesky_in_place`,
//! `qr_in_place` + `apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj`
//! and `solve_{lower,upper}_triangular_in_place` on the same buffers (criterion, one
//! thread, interleaved runs; the shared 2-core machine was loaded, so the spread is wide),
//! best time per call, hand-written / faer:
//!
//! | k | Cholesky + solve | QR of the 6k x k sketch + Q^T b + R solve | R^-T, R^-1 pair |
//! |---|---|---|---|
//! | 5 | 0.18 / 0.28 us | 1.5 / 1.8 us | 0.21 / 0.34 us |
//! | 10 | 1.1 / 1.3 us | 9.9 / 22.8 us | 0.32 / 0.66 us |
//! | 20 | 4.2 / 4.1 us | 25 / 34 us | 0.63 / 1.5 us |
//! | 50 | 39 / 82 us | (noisy) / faer 1.3x slower | 3.5 / 15 us |
//! | 100 | 667 / 287 us | 10.2 / 8.5 ms | 25 / 44 us |
//!
//! So faer factors from k = [`FAER_MIN_K`] on (it is faster at 100, 1.2-2.3x slower up to
//! 50), the triangular solves stay hand-written at every k (faer 1.6-4.4x slower on a
//! single right-hand side), and so do `dot`/`axpy`: eight split accumulators let the
//! compiler vectorize the length-k dot products of the residual and CG passes, which
//! `opal_core::linalg`'s left-to-right sums (kept for bit-reproducible results elsewhere)
//! cannot.
//!
//! Every kernel is `#[inline(always)]` so that the regression solvers, compiled once for
//! the baseline target and once with AVX2+FMA (chosen at run time), inline them.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::llt;
use faer::linalg::householder;
use faer::linalg::qr::no_pivoting::factor as qr;
use faer::{Conj, MatMut, MatRef, Par};

/// From this many unknowns on the regressions factor with faer (see the module
/// documentation for the measurements behind it).
pub const FAER_MIN_K: usize = 64;

/// Scratch memory for faer's in-place factorizations, sized once (a clone gets a buffer
/// of its own).
pub struct Scratch {
    req: StackReq,
    buf: MemBuffer,
}

impl Scratch {
    /// A buffer for `req`.
    pub fn new(req: StackReq) -> Self {
        Self {
            req,
            buf: MemBuffer::new(req),
        }
    }

    /// The buffer as faer's stack.
    pub fn stack(&mut self) -> &mut MemStack {
        MemStack::new(&mut self.buf)
    }
}

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Self::new(self.req)
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch").field("req", &self.req).finish()
    }
}

/// Householder QR of column-major `rows x k` blocks by faer, with its block reflector
/// coefficients and scratch sized once for up to `max_rows` rows.
#[derive(Debug, Clone)]
pub struct BlockQr {
    k: usize,
    block: usize,
    coeff: Vec<f64>,
    scratch: Scratch,
}

impl BlockQr {
    /// Buffers for `rows x k` blocks with `rows <= max_rows`.
    pub fn new(max_rows: usize, k: usize) -> Self {
        let block = qr::recommended_block_size::<f64>(max_rows.max(k), k).max(1);
        let req = StackReq::any_of(&[
            qr::qr_in_place_scratch::<f64>(max_rows, k, block, Par::Seq, Default::default()),
            householder::apply_block_householder_sequence_transpose_on_the_left_in_place_scratch::<
                f64,
            >(max_rows, block, k),
            householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(
                max_rows, block, k,
            ),
        ]);
        Self {
            k,
            block,
            coeff: vec![0.0; block * k],
            scratch: Scratch::new(req),
        }
    }

    /// Factors `a` (column-major `rows x k`, rows >= k) in place: R on and above the
    /// diagonal, the reflectors below it (with the coefficients kept here).
    pub fn factor(&mut self, a: &mut [f64], rows: usize) {
        let k = self.k;
        qr::qr_in_place(
            MatMut::from_column_major_slice_mut(&mut a[..rows * k], rows, k),
            MatMut::from_column_major_slice_mut(&mut self.coeff, self.block, k),
            Par::Seq,
            self.scratch.stack(),
            Default::default(),
        );
    }

    /// y <- Q^T y (`transpose`) or y <- Q y, `cols` right-hand sides column-major
    /// `rows x cols`, with the Q of the last [`factor`](Self::factor) of `a`.
    pub fn apply(&mut self, a: &[f64], rows: usize, y: &mut [f64], cols: usize, transpose: bool) {
        let basis = MatRef::from_column_major_slice(&a[..rows * self.k], rows, self.k);
        let coeff = MatRef::from_column_major_slice(&self.coeff, self.block, self.k);
        let y = MatMut::from_column_major_slice_mut(&mut y[..rows * cols], rows, cols);
        let stack = self.scratch.stack();
        if transpose {
            householder::apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj(
                basis,
                coeff,
                Conj::No,
                y,
                Par::Seq,
                stack,
            );
        } else {
            householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
                basis,
                coeff,
                Conj::No,
                y,
                Par::Seq,
                stack,
            );
        }
    }
}

/// Cholesky G = L L^T in place of the lower triangle of a row-major k x k matrix
/// (hand-written below [`FAER_MIN_K`], faer's from there on). Returns false when a pivot
/// is not positive (G not numerically positive definite).
#[inline(always)]
pub fn cholesky_any(g: &mut [f64], k: usize, scratch: &mut Scratch) -> bool {
    if k < FAER_MIN_K {
        return cholesky(g, k);
    }
    llt::factor::cholesky_in_place(
        MatMut::from_row_major_slice_mut(&mut g[..k * k], k, k),
        Default::default(),
        Par::Seq,
        scratch.stack(),
        Default::default(),
    )
    .is_ok()
}

/// Scratch for [`cholesky_any`] with k unknowns.
pub fn cholesky_scratch(k: usize) -> Scratch {
    Scratch::new(llt::factor::cholesky_in_place_scratch::<f64>(
        k,
        Par::Seq,
        Default::default(),
    ))
}

/// Dot product with eight independent partial sums.
#[inline(always)]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for t in 0..8 {
            acc[t] += x[t] * y[t];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// y += alpha x.
#[inline(always)]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// Lower triangle of G = A^T A for A row-major `n x k` (G row-major k x k; the strict upper
/// triangle is left untouched). Four rows per pass keep G's traffic low.
#[inline(always)]
pub fn gram_lower(a: &[f64], n: usize, k: usize, g: &mut [f64]) {
    for p in 0..k {
        g[p * k..p * k + p + 1].fill(0.0);
    }
    let mut i = 0;
    while i + 4 <= n {
        let r0 = &a[i * k..(i + 1) * k];
        let r1 = &a[(i + 1) * k..(i + 2) * k];
        let r2 = &a[(i + 2) * k..(i + 3) * k];
        let r3 = &a[(i + 3) * k..(i + 4) * k];
        for p in 0..k {
            let (x0, x1, x2, x3) = (r0[p], r1[p], r2[p], r3[p]);
            let gp = &mut g[p * k..p * k + p + 1];
            let it = r0[..=p]
                .iter()
                .zip(&r1[..=p])
                .zip(r2[..=p].iter().zip(&r3[..=p]));
            for (gq, ((a0, a1), (a2, a3))) in gp.iter_mut().zip(it) {
                *gq += (x0 * a0 + x1 * a1) + (x2 * a2 + x3 * a3);
            }
        }
        i += 4;
    }
    while i < n {
        let r0 = &a[i * k..(i + 1) * k];
        for p in 0..k {
            let x0 = r0[p];
            for (gq, a0) in g[p * k..p * k + p + 1].iter_mut().zip(&r0[..=p]) {
                *gq += x0 * a0;
            }
        }
        i += 1;
    }
}

/// In-place Cholesky G = L L^T of the lower triangle of a row-major k x k matrix.
/// Returns false when a pivot is not positive (G not numerically positive definite).
#[inline(always)]
pub fn cholesky(g: &mut [f64], k: usize) -> bool {
    for j in 0..k {
        let (head, rest) = g.split_at_mut(j * k);
        let rowj = &mut rest[..k];
        // row j of L: L_jp for p < j
        for p in 0..j {
            let rowp = &head[p * k..p * k + p + 1];
            let s = rowj[p] - dot(&rowj[..p], &rowp[..p]);
            rowj[p] = s / rowp[p];
        }
        let d = rowj[j] - dot(&rowj[..j], &rowj[..j]);
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        rowj[j] = d.sqrt();
    }
    true
}

/// Solves L L^T x = x in place with the factor from [`cholesky`].
#[inline(always)]
pub fn cholesky_solve(l: &[f64], k: usize, x: &mut [f64]) {
    for i in 0..k {
        let s = x[i] - dot(&l[i * k..i * k + i], &x[..i]);
        x[i] = s / l[i * k + i];
    }
    for i in (0..k).rev() {
        let xi = x[i] / l[i * k + i];
        x[i] = xi;
        axpy(-xi, &l[i * k..i * k + i], &mut x[..i]);
    }
}

/// Householder QR of a column-major `rows x k` matrix (rows >= k) in place: R on and above
/// the diagonal, the reflectors' tails below it (LAPACK convention, v_j = 1 implied).
#[inline(always)]
pub fn householder_qr(qr: &mut [f64], rows: usize, k: usize, tau: &mut [f64]) {
    for j in 0..k {
        let (left, right) = qr.split_at_mut((j + 1) * rows);
        let col = &mut left[j * rows..];
        let alpha = col[j];
        let xnorm = dot(&col[j + 1..], &col[j + 1..]).sqrt();
        if xnorm == 0.0 {
            tau[j] = 0.0;
            continue;
        }
        let beta = -alpha.signum() * alpha.hypot(xnorm);
        tau[j] = (beta - alpha) / beta;
        let scale = 1.0 / (alpha - beta);
        for v in &mut col[j + 1..] {
            *v *= scale;
        }
        col[j] = beta;
        let v = &col[j + 1..];
        for c in 0..k - j - 1 {
            let other = &mut right[c * rows..(c + 1) * rows];
            let w = tau[j] * (other[j] + dot(v, &other[j + 1..]));
            other[j] -= w;
            axpy(-w, v, &mut other[j + 1..]);
        }
    }
}

/// y <- Q^T y for the Q of [`householder_qr`].
#[inline(always)]
pub fn apply_qt(qr: &[f64], rows: usize, k: usize, tau: &[f64], y: &mut [f64]) {
    for j in 0..k {
        let v = &qr[j * rows + j + 1..(j + 1) * rows];
        let w = tau[j] * (y[j] + dot(v, &y[j + 1..rows]));
        y[j] -= w;
        axpy(-w, v, &mut y[j + 1..rows]);
    }
}

/// Solves R^T w = w in place (forward substitution) for the R of [`householder_qr`].
#[inline(always)]
pub fn rt_solve(qr: &[f64], rows: usize, k: usize, w: &mut [f64]) {
    for i in 0..k {
        let col = &qr[i * rows..i * rows + i + 1];
        w[i] = (w[i] - dot(&col[..i], &w[..i])) / col[i];
    }
}

/// Solves R z = z in place (back substitution, column oriented).
#[inline(always)]
pub fn r_solve(qr: &[f64], rows: usize, k: usize, z: &mut [f64]) {
    for j in (0..k).rev() {
        let col = &qr[j * rows..j * rows + j + 1];
        let zj = z[j] / col[j];
        z[j] = zj;
        axpy(-zj, &col[..j], &mut z[..j]);
    }
}

/// Orthonormalizes the columns of row-major `rows x k` matrices in place (faer's blocked
/// Householder QR), with buffers for up to `max_rows` rows sized once: the sweeps
/// re-orthonormalize a factor every half-sweep without allocating.
#[derive(Debug, Clone)]
pub struct Orthonormalizer {
    k: usize,
    qr: Vec<f64>,
    q: Vec<f64>,
    r: Vec<f64>,
    tmp: Vec<f64>,
    factor: BlockQr,
}

impl Orthonormalizer {
    /// Buffers for matrices of up to `max_rows` rows and `k` columns.
    pub fn new(max_rows: usize, k: usize) -> Self {
        Self {
            k,
            qr: vec![0.0; max_rows * k],
            q: vec![0.0; max_rows * k],
            r: vec![0.0; k * k],
            tmp: vec![0.0; k],
            factor: BlockQr::new(max_rows, k),
        }
    }

    /// a <- Q with a = Q R on entry (a row-major `rows x k`, k <= rows <= max_rows);
    /// returns R (row-major k x k, upper).
    pub fn orthonormalize(&mut self, a: &mut [f64], rows: usize) -> &[f64] {
        let k = self.k;
        assert!(rows >= k, "orthonormalize: {rows} rows < {k} columns");
        let qr = &mut self.qr[..rows * k];
        for i in 0..rows {
            for c in 0..k {
                qr[c * rows + i] = a[i * k + c];
            }
        }
        self.factor.factor(qr, rows);
        self.r.fill(0.0);
        for i in 0..k {
            for j in i..k {
                self.r[i * k + j] = qr[j * rows + i];
            }
        }
        // thin Q = Q [I; 0]
        let q = &mut self.q[..rows * k];
        q.fill(0.0);
        for j in 0..k {
            q[j * rows + j] = 1.0;
        }
        self.factor.apply(qr, rows, q, k, false);
        for i in 0..rows {
            for c in 0..k {
                a[i * k + c] = q[c * rows + i];
            }
        }
        &self.r
    }

    /// b <- b R^T with the R of the last [`orthonormalize`](Self::orthonormalize) (b
    /// row-major with k columns): keeps a product A B^T unchanged when A became A R^-1.
    pub fn carry(&mut self, b: &mut [f64]) {
        times_rt_with(b, self.k, &self.r, &mut self.tmp);
    }
}

/// Orthonormalizes the columns of a row-major `rows x k` matrix in place and returns R
/// (row-major k x k, upper), so that input = output * R (allocates its buffers; the sweeps
/// keep an [`Orthonormalizer`]).
pub fn orthonormalize_rows_major(a: &mut [f64], rows: usize, k: usize) -> Vec<f64> {
    Orthonormalizer::new(rows, k)
        .orthonormalize(a, rows)
        .to_vec()
}

/// b <- b R^T for b row-major `rows x k` and R row-major k x k upper triangular, with a
/// scratch row `tmp` of length k.
fn times_rt_with(b: &mut [f64], k: usize, r: &[f64], tmp: &mut [f64]) {
    for row in b.chunks_exact_mut(k) {
        for (i, t) in tmp.iter_mut().enumerate() {
            *t = dot(&row[i..], &r[i * k + i..(i + 1) * k]);
        }
        row.copy_from_slice(tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_against_naive_formulas() {
        let (n, k) = (11, 5);
        let mut rng = crate::rng::SplitMix::new(3);
        let a: Vec<f64> = (0..n * k).map(|_| rng.normal()).collect();
        let mut g = vec![0.0; k * k];
        gram_lower(&a, n, k, &mut g);
        for p in 0..k {
            for q in 0..=p {
                let want: f64 = (0..n).map(|i| a[i * k + p] * a[i * k + q]).sum();
                assert!((g[p * k + q] - want).abs() < 1e-12);
            }
        }
        // Cholesky solve reproduces G x = b
        let b: Vec<f64> = (0..k).map(|t| t as f64 - 1.5).collect();
        let mut l = g.clone();
        assert!(cholesky(&mut l, k));
        let mut x = b.clone();
        cholesky_solve(&l, k, &mut x);
        for p in 0..k {
            let gx: f64 = (0..k)
                .map(|q| if q <= p { g[p * k + q] } else { g[q * k + p] } * x[q])
                .sum();
            assert!((gx - b[p]).abs() < 1e-10, "{gx} {}", b[p]);
        }
        // QR: R^T R = A^T A, and Q^T b then R x = (Q^T b)[..k] solves least squares
        let mut qr = vec![0.0; n * k];
        for i in 0..n {
            for c in 0..k {
                qr[c * n + i] = a[i * k + c];
            }
        }
        let mut tau = vec![0.0; k];
        householder_qr(&mut qr, n, k, &mut tau);
        for p in 0..k {
            for q in 0..=p {
                let rtr: f64 = (0..=q).map(|t| qr[p * n + t] * qr[q * n + t]).sum();
                assert!((rtr - g[p * k + q]).abs() < 1e-10);
            }
        }
        let rhs: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let mut y = rhs.clone();
        apply_qt(&qr, n, k, &tau, &mut y);
        let mut xq = y[..k].to_vec();
        r_solve(&qr, n, k, &mut xq);
        let mut xn: Vec<f64> = (0..k)
            .map(|p| (0..n).map(|i| a[i * k + p] * rhs[i]).sum())
            .collect();
        cholesky_solve(&l, k, &mut xn);
        for p in 0..k {
            assert!((xq[p] - xn[p]).abs() < 1e-9);
        }
        // R^T w = v
        // thin Q and the row-major helper: Q R = A, Q^T Q = I
        let mut am = a.clone();
        let r = orthonormalize_rows_major(&mut am, n, k);
        for i in 0..n {
            for c in 0..k {
                let qr_ic: f64 = (0..k).map(|t| am[i * k + t] * r[t * k + c]).sum();
                assert!((qr_ic - a[i * k + c]).abs() < 1e-12);
            }
        }
        for p in 0..k {
            for q in 0..k {
                let g: f64 = (0..n).map(|i| am[i * k + p] * am[i * k + q]).sum();
                assert!((g - f64::from(u8::from(p == q))).abs() < 1e-13);
            }
        }
        // A B^T = Q (B R^T)^T for any B
        let bm: Vec<f64> = (0..7 * k).map(|t| ((t * 13 % 17) as f64) - 8.0).collect();
        let mut b2 = bm.clone();
        times_rt_with(&mut b2, k, &r, &mut vec![0.0; k]);
        for i in 0..n {
            for j in 0..7 {
                let ab = dot(&a[i * k..(i + 1) * k], &bm[j * k..(j + 1) * k]);
                let qb = dot(&am[i * k..(i + 1) * k], &b2[j * k..(j + 1) * k]);
                assert!((ab - qb).abs() < 1e-11);
            }
        }
        let v: Vec<f64> = (0..k).map(|t| 1.0 + t as f64).collect();
        let mut w = v.clone();
        rt_solve(&qr, n, k, &mut w);
        for i in 0..k {
            let s: f64 = (0..=i).map(|p| qr[i * n + p] * w[p]).sum();
            assert!((s - v[i]).abs() < 1e-10);
        }
    }
}
