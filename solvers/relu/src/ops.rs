//! Kernels shared by the solvers: the operator F u = sum_i D_i X u_i and its adjoint as
//! two dense products, group soft-thresholding, objectives and cone violations.

use faer::{Accum, Mat, MatMut, MatRef, Par};

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

/// Column norms of a d x m matrix summed: sum_i ||u_i||_2.
pub(crate) fn group_norm(u: MatRef<'_, f64>) -> f64 {
    (0..u.ncols()).map(|i| u.col(i).norm_l2()).sum()
}

/// Group soft-threshold of each column: u_i <- max(0, 1 - t/||u_i||) u_i.
pub(crate) fn group_shrink(u: &mut Mat<f64>, t: f64) {
    for i in 0..u.ncols() {
        let c = u.col_as_slice_mut(i);
        let nrm = c.iter().map(|v| v * v).sum::<f64>().sqrt();
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

/// Frobenius inner product.
pub(crate) fn dot(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..a.ncols() {
        s += a
            .col_as_slice(i)
            .iter()
            .zip(b.col_as_slice(i))
            .map(|(x, y)| x * y)
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
