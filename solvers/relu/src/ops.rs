//! Kernels shared by the solvers: the operator F u = sum_i D_i X u_i and its adjoint as
//! two dense products, products with the signed cone operator G, group soft-thresholding,
//! objectives, cone violations and the small reductions the loops share.

use faer::{Accum, Mat, MatMut, MatRef, Par};
use opal_core::linalg::{dot, norm};

/// `dst = alpha * a * b` (or `+=` when `add`), sequential.
#[inline]
pub(crate) fn gemm(
    dst: MatMut<'_, f64>,
    add: bool,
    a: MatRef<'_, f64>,
    b: MatRef<'_, f64>,
    alpha: f64,
) {
    let acc = if add { Accum::Add } else { Accum::Replace };
    faer::linalg::matmul::matmul(dst, acc, a, b, alpha, Par::Seq);
}

/// `dst = a b`, sequential.
#[inline]
pub(crate) fn mul(dst: MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>) {
    gemm(dst, false, a, b, 1.0);
}

/// `dst += a b`, sequential.
#[inline]
pub(crate) fn mul_add(dst: MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>) {
    gemm(dst, true, a, b, 1.0);
}

/// `out_j = sum_i D_ji (X U)_ji`: predictions of the gated model (U is d x P);
/// `work` is n x P.
pub(crate) fn forward(
    x: MatRef<'_, f64>,
    pat: MatRef<'_, f64>,
    u: MatRef<'_, f64>,
    work: &mut Mat<f64>,
    out: &mut [f64],
) {
    gemm(work.as_mut(), false, x, u, 1.0);
    out.fill(0.0);
    for i in 0..pat.ncols() {
        let z = work.col_as_slice(i);
        let dcol = pat.col(i);
        for j in 0..out.len() {
            out[j] += dcol[j] * z[j];
        }
    }
}

/// [`forward`] of the program's weights: `u` itself for the gated program (d x P), the
/// differences v_i - w_i of its two halves for the ReLU program (d x 2P), formed in
/// `diff` (d x P).
pub(crate) fn forward_blocks(
    x: MatRef<'_, f64>,
    pat: MatRef<'_, f64>,
    u: MatRef<'_, f64>,
    relu: bool,
    diff: &mut Mat<f64>,
    work: &mut Mat<f64>,
    out: &mut [f64],
) {
    let p = pat.ncols();
    if relu {
        for i in 0..p {
            for k in 0..u.nrows() {
                diff[(k, i)] = u[(k, i)] - u[(k, i + p)];
            }
        }
        forward(x, pat, diff.as_ref(), work, out);
    } else {
        forward(x, pat, u.subcols(0, p), work, out);
    }
}

/// The workspace of [`forward_blocks`] and [`adjoint`]: the differences, the n x P
/// products and the predictions (sized once).
pub(crate) struct Forward {
    diff: Mat<f64>,
    pub(crate) work: Mat<f64>,
    /// The last predictions (n).
    pub(crate) out: Vec<f64>,
}

impl Forward {
    /// Workspace for n samples, d features, P patterns.
    pub(crate) fn new(n: usize, d: usize, p: usize) -> Self {
        Self {
            diff: Mat::zeros(d, p),
            work: Mat::zeros(n, p),
            out: vec![0.0; n],
        }
    }

    /// `out` = predictions of the weights `u` ([`forward_blocks`]).
    pub(crate) fn apply(
        &mut self,
        x: MatRef<'_, f64>,
        pat: MatRef<'_, f64>,
        u: MatRef<'_, f64>,
        relu: bool,
    ) {
        forward_blocks(
            x,
            pat,
            u,
            relu,
            &mut self.diff,
            &mut self.work,
            &mut self.out,
        );
    }

    /// `a = alpha X^T (D ∘ r 1^T)` of the current `out` ([`adjoint`]).
    pub(crate) fn adjoint_of_out(
        &mut self,
        x: MatRef<'_, f64>,
        pat: MatRef<'_, f64>,
        alpha: f64,
        a: MatMut<'_, f64>,
    ) {
        adjoint(x, pat, &self.out, alpha, &mut self.work, a);
    }
}

/// `out = alpha X^T (D ∘ r 1^T)`, d x P: the adjoint of [`forward`]; `work` is n x P.
pub(crate) fn adjoint(
    x: MatRef<'_, f64>,
    pat: MatRef<'_, f64>,
    r: &[f64],
    alpha: f64,
    work: &mut Mat<f64>,
    out: MatMut<'_, f64>,
) {
    for i in 0..pat.ncols() {
        let dcol = pat.col(i);
        let w = work.col_as_slice_mut(i);
        for j in 0..r.len() {
            w[j] = dcol[j] * r[j];
        }
    }
    gemm(out, false, x.transpose(), work.as_ref(), alpha);
}

/// `out (=|+=) X^T (S ∘ Q)` with Q = `a` or `a - b`: the adjoint of the signed cone
/// operator G u = S ∘ (X u) applied to Q, formed in `tmp` (n x m) column by column.
pub(crate) fn signed_adjoint(
    x: MatRef<'_, f64>,
    sgn: &Mat<f64>,
    [a, b]: [&Mat<f64>; 2],
    minus: bool,
    tmp: &mut Mat<f64>,
    out: MatMut<'_, f64>,
    add: bool,
) {
    for c in 0..tmp.ncols() {
        let (t, sg, ac) = (
            tmp.col_as_slice_mut(c),
            sgn.col_as_slice(c),
            a.col_as_slice(c),
        );
        if minus {
            for (((t, s), a), b) in t.iter_mut().zip(sg).zip(ac).zip(b.col_as_slice(c)) {
                *t = s * (a - b);
            }
        } else {
            for ((t, s), a) in t.iter_mut().zip(sg).zip(ac) {
                *t = s * a;
            }
        }
    }
    gemm(out, add, x.transpose(), tmp.as_ref(), 1.0);
}

/// `out = sgn ∘ out`, column by column.
pub(crate) fn apply_signs(sgn: &Mat<f64>, out: &mut Mat<f64>) {
    for c in 0..out.ncols() {
        for (o, s) in out.col_as_slice_mut(c).iter_mut().zip(sgn.col_as_slice(c)) {
            *o *= s;
        }
    }
}

/// Column norms of a d x m matrix summed: sum_i ||u_i||_2.
pub(crate) fn group_norm(u: MatRef<'_, f64>) -> f64 {
    (0..u.ncols()).map(|i| u.col(i).norm_l2()).sum()
}

/// Group soft-threshold of each column: u_i <- max(0, 1 - t/||u_i||) u_i.
pub(crate) fn group_shrink(u: &mut Mat<f64>, t: f64) {
    for i in 0..u.ncols() {
        let c = u.col_as_slice_mut(i);
        let nrm = norm(c);
        let s = if nrm > t { 1.0 - t / nrm } else { 0.0 };
        c.iter_mut().for_each(|v| *v *= s);
    }
}

/// (1/(2n)) ||p - y||^2.
pub(crate) fn half_mse(pred: &[f64], y: &[f64]) -> f64 {
    pred.iter()
        .zip(y)
        .map(|(p, t)| (p - t) * (p - t))
        .sum::<f64>()
        / (2.0 * y.len() as f64)
}

/// `r = pred - y`.
pub(crate) fn residual(pred: &[f64], y: &[f64], r: &mut [f64]) {
    for ((ri, p), t) in r.iter_mut().zip(pred).zip(y) {
        *ri = p - t;
    }
}

/// Frobenius inner product, summed column by column.
pub(crate) fn frob_dot(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..a.ncols() {
        s += dot(a.col_as_slice(i), b.col_as_slice(i));
    }
    s
}

/// y += a x for matrices of equal shape, column by column (no temporary).
pub(crate) fn mat_axpy(a: f64, x: &Mat<f64>, y: &mut Mat<f64>) {
    for c in 0..x.ncols() {
        opal_core::linalg::axpy(a, x.col_as_slice(c), y.col_as_slice_mut(c));
    }
}

/// ||a - b||_F^2, summed column by column.
pub(crate) fn sq_dist(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..a.ncols() {
        s += a
            .col_as_slice(i)
            .iter()
            .zip(b.col_as_slice(i))
            .map(|(u, v)| (u - v) * (u - v))
            .sum::<f64>();
    }
    s
}

/// Largest violation max_{i,j} (eps ||u_i||_1 - s (2 D_ji - 1) x_j^T u_i)_+ over the columns
/// u_i of `u` (d x P); `l1_mask` excludes the bias coordinate from the l1 norm.
pub(crate) fn cone_violation(
    x: MatRef<'_, f64>,
    pat: MatRef<'_, f64>,
    u: MatRef<'_, f64>,
    eps: f64,
    l1_mask: &[f64],
) -> f64 {
    let mut xu = Mat::<f64>::zeros(x.nrows(), u.ncols());
    gemm(xu.as_mut(), false, x, u, 1.0);
    let mut worst = 0.0f64;
    for i in 0..u.ncols() {
        let l1: f64 = (0..u.nrows()).map(|k| l1_mask[k] * u[(k, i)].abs()).sum();
        for j in 0..x.nrows() {
            let s = 2.0 * pat[(j, i)] - 1.0;
            worst = worst.max(eps * l1 - s * xu[(j, i)]);
        }
    }
    worst
}

/// Residual balancing (Boyd et al. 3.4.1): the new penalty when one scaled residual
/// dominates the other by more than a factor 5, else `None`.
pub(crate) fn balanced_rho(rho: f64, pri_ratio: f64, dual_ratio: f64) -> Option<f64> {
    let ratio = pri_ratio / dual_ratio.max(1e-300);
    (!(0.2..=5.0).contains(&ratio)).then(|| {
        (rho * ratio.sqrt())
            .clamp(rho / 100.0, rho * 100.0)
            .clamp(1e-8, 1e8)
    })
}

/// The blocks an interior point left at O(mu) size, smallest first (nonzero columns of
/// norm at most 1e-3 times the largest), with every column's norm.
pub(crate) fn small_blocks(u: &Mat<f64>) -> (Vec<f64>, Vec<usize>) {
    let m = u.ncols();
    let norms: Vec<f64> = (0..m).map(|b| u.col(b).norm_l2()).collect();
    let big = norms.iter().cloned().fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..m)
        .filter(|&b| norms[b] > 0.0 && norms[b] <= 1e-3 * big)
        .collect();
    order.sort_by(|&a, &b| norms[a].total_cmp(&norms[b]));
    (norms, order)
}

/// 1 - y x^T z + eps ||z||_1 over the masked coordinates: the argument of the robust
/// hinge loss of one sample (summed left to right).
pub(crate) fn hinge_arg(
    d: usize,
    y: f64,
    x: impl Fn(usize) -> f64,
    z: impl Fn(usize) -> f64,
    eps: f64,
    mask: &[f64],
) -> f64 {
    let mut s = 1.0;
    for k in 0..d {
        s += -y * x(k) * z(k) + eps * mask[k] * z(k).abs();
    }
    s
}
