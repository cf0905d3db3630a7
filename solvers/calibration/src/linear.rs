//! The linear baseline of Ling and Strohmer ("Self-calibration and biconvex compressive
//! sensing"): with s = 1/d the model becomes the homogeneous linear system
//! y_il s_i - a_il^T x = 0 in (s, x), exact on noiseless data once m p >= n + m - 1.
//!
//! Each s_i appears only in the p equations of sensor i, so it is eliminated exactly: with
//! Y_i = (y_i1..y_ip) and A^(i) the p x n matrix of rows a_il^T, the best s_i for a given x
//! is Y_i^T A^(i) x / ||Y_i||^2 and the remaining residual is (I - P_{Y_i}) A^(i) x. A
//! Householder reflection mapping Y_i to a multiple of e_1 turns that projector into "drop
//! the first row", leaving an m(p-1) x n matrix N whose smallest right singular vector is x
//! (up to scale; found by QR of N and an SVD of R). Then s follows, d = 1/s, and the scale
//! is fixed by mean(d) = 1.
//!
//! The method works on dense blocks: operators that store none (the fast ones) are
//! materialized, p m n numbers, and the QR costs O(m p n^2) flops.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use opal_core::{Observer, Run, Start, Status};
use rayon::prelude::*;

use super::engine::Engine;
use super::error::CalibrationError;
use super::output::{IterationInfo, Output, Reason};
use super::problem::Prepared;
use super::settings::{Method, Settings};

/// Relative size of the second smallest singular value below which the null space is
/// taken to be more than one-dimensional.
const NULL_GAP: f64 = 1e-10;

/// Householder reflections H_i = I - beta_i w_i w_i^T with H_i Y_i = -+||Y_i|| e_1, one per
/// sensor: the vectors w (m blocks of p), beta and ||Y_i||^2.
struct Reflections {
    w: Vec<f64>,
    beta: Vec<f64>,
    ynorm2: Vec<f64>,
}

impl Reflections {
    fn new(y: &[f64], m: usize, p: usize) -> Result<Self, CalibrationError> {
        let mut w = vec![0.0; m * p];
        let mut beta = vec![0.0; m];
        let mut ynorm2 = vec![0.0; m];
        for i in 0..m {
            let wi = &mut w[i * p..(i + 1) * p];
            for l in 0..p {
                wi[l] = y[l * m + i];
            }
            let nu2: f64 = wi.iter().map(|v| v * v).sum();
            if nu2 == 0.0 {
                return Err(CalibrationError::ZeroSensor { sensor: i });
            }
            let nu = nu2.sqrt();
            ynorm2[i] = nu2;
            let y0 = wi[0];
            wi[0] += if y0 >= 0.0 { nu } else { -nu };
            beta[i] = 1.0 / (nu * (nu + y0.abs()));
        }
        Ok(Self { w, beta, ynorm2 })
    }
}

/// N, column-major m(p-1) x n: row (j-1) m + i holds (H_i A^(i))_j for j >= 1.
fn reduced_system(
    pr: &Prepared<'_>,
    h: &Reflections,
    parallel: bool,
) -> Result<Vec<f64>, CalibrationError> {
    let (n, m, p) = (pr.n, pr.m, pr.p);
    let rows = m * (p - 1);
    let owned: Vec<Option<Mat<f64>>> = (0..p)
        .map(|l| match pr.op.dense_block(l) {
            Some(_) => None,
            None => Some(pr.op.to_dense(l)),
        })
        .collect();
    let views: Vec<MatRef<'_, f64>> = (0..p)
        .map(|l| {
            owned[l]
                .as_ref()
                .map(|a| a.as_ref())
                .or_else(|| pr.op.dense_block(l))
        })
        .collect::<Option<_>>()
        .ok_or_else(|| CalibrationError::Numerical("a stored sensing block disappeared".into()))?;
    let (hw, beta) = (&h.w, &h.beta);
    let mut nbuf = vec![0.0; rows * n];
    let build = |(col, out): (usize, &mut [f64]), q: &mut Vec<f64>| {
        q.iter_mut().for_each(|t| *t = 0.0);
        for (l, a) in views.iter().enumerate() {
            for (i, aik) in a.col(col).iter().enumerate() {
                q[i] += hw[i * p + l] * aik;
            }
        }
        for (l, a) in views.iter().enumerate().skip(1) {
            let dst = &mut out[(l - 1) * m..l * m];
            for (i, aik) in a.col(col).iter().enumerate() {
                dst[i] = aik - beta[i] * hw[i * p + l] * q[i];
            }
        }
    };
    if parallel {
        nbuf.par_chunks_mut(rows)
            .enumerate()
            .for_each_init(|| vec![0.0; m], |q, job| build(job, q));
    } else {
        let mut q = vec![0.0; m];
        nbuf.chunks_mut(rows)
            .enumerate()
            .for_each(|job| build(job, &mut q));
    }
    Ok(nbuf)
}

/// The smallest right singular vector of N (reduced to span Z when a signal basis is
/// given): the signal coefficients, and whether the null space looks larger than one
/// dimension.
fn null_vector(
    pr: &Prepared<'_>,
    nbuf: &[f64],
    k: usize,
    coef: &mut [f64],
) -> Result<bool, CalibrationError> {
    let rows = pr.m * (pr.p - 1);
    let nmat = MatRef::from_column_major_slice(nbuf, rows, pr.n);
    let reduced: Option<Mat<f64>> = pr.signal.as_ref().map(|b| {
        let mut t = Mat::zeros(rows, k);
        matmul(
            t.as_mut(),
            Accum::Replace,
            nmat,
            b.q.as_ref(),
            1.0,
            Par::rayon(0),
        );
        t
    });
    let system = reduced.as_ref().map_or(nmat, |t| t.as_ref());
    let fail = |e: faer::linalg::svd::SvdError| CalibrationError::Numerical(format!("SVD: {e:?}"));
    let mut underdetermined = false;
    let svd = if rows >= k {
        system.qr().thin_R().to_owned().svd().map_err(fail)?
    } else {
        system.svd().map_err(fail)?
    };
    let s = svd.S().column_vector();
    if k >= 2 && rows + 1 >= k && s[k - 2] <= NULL_GAP * s[0] {
        underdetermined = true;
    }
    for (j, c) in coef.iter_mut().enumerate() {
        *c = svd.V()[(j, k - 1)];
    }
    Ok(underdetermined)
}

/// Runs the linear method on a validated problem (no gain basis).
pub(crate) fn run(
    pr: &Prepared<'_>,
    settings: &Settings,
    observer: &mut dyn Observer<IterationInfo>,
) -> Result<Output, CalibrationError> {
    if pr.gain.is_some() {
        return Err(CalibrationError::Unsupported(
            "a gain basis with the linear method (s = 1/d is not linear in the basis)",
        ));
    }
    let problem = pr.describe();
    let run = Run::start(
        &settings.budget,
        observer,
        Start {
            solver: "calibration linear",
            problem: &problem,
        },
    );
    let (n, m, p) = (pr.n, pr.m, pr.p);
    let y = pr.y;
    let mut eng = Engine::new(pr.op, settings.parallel);
    let h = Reflections::new(y, m, p)?;

    let k = pr.signal.as_ref().map_or(n, |b| b.q.ncols());
    let rows = m * (p - 1);
    let mut underdetermined = rows + 1 < k;
    let mut coef = vec![0.0; k];
    if rows == 0 {
        // One snapshot: nothing constrains x. Return the back-projection.
        let mut x0 = vec![0.0; n];
        eng.adjoint(y, &mut x0);
        coef = match &pr.signal {
            Some(b) => (0..k)
                .map(|j| (0..n).map(|i| b.q[(i, j)] * x0[i]).sum())
                .collect(),
            None => x0,
        };
        underdetermined = true;
    } else {
        let nbuf = reduced_system(pr, &h, settings.parallel)?;
        underdetermined |= null_vector(pr, &nbuf, k, &mut coef)?;
    }
    let mut x = match &pr.signal {
        Some(b) => (0..n)
            .map(|i| (0..k).map(|j| b.q[(i, j)] * coef[j]).sum())
            .collect(),
        None => coef.clone(),
    };

    // s_i = Y_i^T A^(i) x / ||Y_i||^2, sign chosen so that sum(s) > 0.
    let mut u = vec![0.0; m * p];
    eng.forward(&x, &mut u);
    let mut s = vec![0.0; m];
    for l in 0..p {
        for i in 0..m {
            s[i] += y[l * m + i] * u[l * m + i];
        }
    }
    for i in 0..m {
        s[i] /= h.ynorm2[i];
    }
    if s.iter().sum::<f64>() < 0.0 {
        s.iter_mut().for_each(|v| *v = -*v);
        x.iter_mut().for_each(|v| *v = -*v);
        u.iter_mut().for_each(|v| *v = -*v);
    }
    let positive = s.iter().all(|&v| v > 0.0);
    let mut d: Vec<f64> = s.iter().map(|v| 1.0 / v).collect();
    let scale = d.iter().sum::<f64>() / m as f64;
    d.iter_mut().for_each(|v| *v /= scale);
    x.iter_mut().for_each(|v| *v *= scale);
    let mut f = 0.0;
    for l in 0..p {
        for i in 0..m {
            let r = d[i] * scale * u[l * m + i] - y[l * m + i];
            f += r * r;
        }
    }
    let relative_residual = f.sqrt() / pr.y_norm;
    f *= 0.5 / (m * p) as f64;
    let (status, reason, message) = if underdetermined {
        (
            Status::Underdetermined,
            None,
            format!(
                "the homogeneous system (m(p-1) = {rows} equations, {k} signal unknowns) has a \
                 null space of more than one dimension: the answer is one of many"
            ),
        )
    } else if !positive || !f.is_finite() {
        (
            Status::NumericalError,
            Some(Reason::NonPositiveGains),
            "some s_i = 1/d_i is not positive (too much noise for the linear method)".into(),
        )
    } else {
        (
            Status::Converged,
            Some(Reason::Solved),
            format!(
                "unique solution with positive gains, relative residual {relative_residual:.1e}"
            ),
        )
    };
    let time = run.finish(status, 0, f, &message);
    Ok(Output {
        status,
        reason,
        message,
        method: Method::Linear,
        z: pr.signal.as_ref().map(|b| b.coefficients(&x)),
        b: None,
        x,
        d,
        iterations: 0,
        objective: f,
        relative_residual,
        operator_applications: eng.applications,
        time,
    })
}
