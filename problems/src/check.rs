//! Finite-difference verification of a [`SmoothProblem`]'s derivatives.
//!
//! Directional central differences along seeded random directions, so the check costs a
//! handful of evaluations whatever n is: grad f . d, J d and H v against differences of
//! f, c and grad L. Errors are normwise relative: ||a - fd||_inf / max(1, ||fd||_inf).

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::EvalError;
use crate::smooth::SmoothProblem;

/// Largest relative discrepancies found by [`check_derivatives`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DerivativeReport {
    /// Gradient of f against differences of f.
    pub gradient: f64,
    /// Jacobian-vector products against differences of c.
    pub jacobian: f64,
    /// Hessian-of-Lagrangian-vector products against differences of grad L.
    pub hessian_vector: f64,
    /// `hessian_vector` against the assembled `hessian_values` (must agree to rounding).
    pub hessian_consistency: f64,
}

impl DerivativeReport {
    /// The largest of all discrepancies.
    pub fn max(&self) -> f64 {
        self.gradient
            .max(self.jacobian)
            .max(self.hessian_vector)
            .max(self.hessian_consistency)
    }
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}

fn axpy(x: &[f64], t: f64, d: &[f64], out: &mut [f64]) {
    for ((o, xi), di) in out.iter_mut().zip(x).zip(d) {
        *o = xi + t * di;
    }
}

/// grad L = sigma grad f + J^T y at x.
fn lagrangian_gradient<P: SmoothProblem + ?Sized>(
    p: &P,
    x: &[f64],
    sigma: f64,
    y: &[f64],
    out: &mut [f64],
) -> Result<(), EvalError> {
    p.gradient(x, out)?;
    out.iter_mut().for_each(|g| *g *= sigma);
    let pat = p.jacobian_pattern();
    let mut jv = vec![0.0; pat.nnz()];
    p.jacobian_values(x, &mut jv)?;
    pat.matvec_transpose(&jv, y, out, true);
    Ok(())
}

/// Checks all derivatives of `p` at `x` along `directions` random directions (seeded),
/// with multipliers `y` (random when `None`) and difference step `h` relative to ||x||.
pub fn check_derivatives<P: SmoothProblem + ?Sized>(
    p: &P,
    x: &[f64],
    y: Option<&[f64]>,
    directions: usize,
    seed: u64,
) -> Result<DerivativeReport, EvalError> {
    let info = p.info();
    let (n, m) = (info.n(), info.m());
    let mut rng = StdRng::seed_from_u64(seed);
    let mut gauss =
        |len: usize| -> Vec<f64> { (0..len).map(|_| StandardNormal.sample(&mut rng)).collect() };
    let y: Vec<f64> = match y {
        Some(y) => y.to_vec(),
        None => gauss(m),
    };
    let xnorm = x.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let h = 1e-5 * xnorm.max(1.0);
    let mut report = DerivativeReport::default();

    let mut grad = vec![0.0; n];
    p.gradient(x, &mut grad)?;
    let jpat = p.jacobian_pattern();
    let mut jval = vec![0.0; jpat.nnz()];
    p.jacobian_values(x, &mut jval)?;
    let hpat = p.hessian_pattern();
    let mut hval = vec![0.0; hpat.nnz()];
    p.hessian_values(x, 1.0, &y, &mut hval)?;

    let (mut xp, mut xm) = (vec![0.0; n], vec![0.0; n]);
    let (mut cp, mut cm, mut jd) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
    let (mut gp, mut gm, mut hv, mut hv2) =
        (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for _ in 0..directions {
        let d = gauss(n);
        axpy(x, h, &d, &mut xp);
        axpy(x, -h, &d, &mut xm);
        // gradient
        let fd = (p.objective(&xp)? - p.objective(&xm)?) / (2.0 * h);
        let an: f64 = grad.iter().zip(&d).map(|(g, di)| g * di).sum();
        report.gradient = report.gradient.max(rel_err(&[an], &[fd]));
        // Jacobian
        if m > 0 {
            p.constraints(&xp, &mut cp)?;
            p.constraints(&xm, &mut cm)?;
            let fdj: Vec<f64> = cp
                .iter()
                .zip(&cm)
                .map(|(a, b)| (a - b) / (2.0 * h))
                .collect();
            jpat.matvec(&jval, &d, &mut jd, false);
            report.jacobian = report.jacobian.max(rel_err(&jd, &fdj));
        }
        // Hessian of the Lagrangian
        lagrangian_gradient(p, &xp, 1.0, &y, &mut gp)?;
        lagrangian_gradient(p, &xm, 1.0, &y, &mut gm)?;
        let fdh: Vec<f64> = gp
            .iter()
            .zip(&gm)
            .map(|(a, b)| (a - b) / (2.0 * h))
            .collect();
        p.hessian_vector(x, 1.0, &y, &d, &mut hv)?;
        report.hessian_vector = report.hessian_vector.max(rel_err(&hv, &fdh));
        hpat.symmetric_matvec(&hval, &d, &mut hv2);
        report.hessian_consistency = report.hessian_consistency.max(rel_err(&hv, &hv2));
    }
    Ok(report)
}
