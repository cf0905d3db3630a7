//! Everything a problem gives at one point, evaluated once: what `opal inspect` reports.

use crate::error::EvalError;
use crate::smooth::SmoothProblem;

/// Values and derivatives of a problem at a point x (y = 0 unless stated).
#[derive(Debug, Clone, PartialEq)]
pub struct PointEvaluation {
    /// f(x) (0 when the problem has no objective).
    pub objective: f64,
    /// grad f(x).
    pub gradient: Vec<f64>,
    /// c(x).
    pub constraints: Vec<f64>,
    /// J(x) as (row, col, value).
    pub jacobian: Vec<(usize, usize, f64)>,
    /// Lower triangle of grad^2 f(x) as (row, col, value), zeros dropped.
    pub hessian_objective: Vec<(usize, usize, f64)>,
    /// Lower triangle of grad^2 c_i(x) for every constraint i, zeros dropped.
    pub hessian_constraints: Vec<Vec<(usize, usize, f64)>>,
}

fn hessian_triplets<P: SmoothProblem + ?Sized>(
    p: &P,
    x: &[f64],
    sigma: f64,
    y: &[f64],
    buf: &mut [f64],
) -> Result<Vec<(usize, usize, f64)>, EvalError> {
    p.hessian_values(x, sigma, y, buf)?;
    let pat = p.hessian_pattern();
    // Merge duplicate positions so that each (row, col) is reported once.
    let mut t: Vec<(usize, usize, f64)> = pat.triplets(buf).collect();
    t.sort_by_key(|&(r, c, _)| (r, c));
    let mut out: Vec<(usize, usize, f64)> = Vec::with_capacity(t.len());
    for (r, c, v) in t {
        match out.last_mut() {
            Some(last) if last.0 == r && last.1 == c => last.2 += v,
            _ => out.push((r, c, v)),
        }
    }
    out.retain(|e| e.2 != 0.0);
    // Kept per constraint: do not hold on to the capacity of the full pattern.
    out.shrink_to_fit();
    Ok(out)
}

/// Evaluates f, grad f, c, J, grad^2 f and every grad^2 c_i at `x`.
/// The per-constraint Hessians cost one Hessian evaluation each: fine for inspection.
pub fn evaluate_point<P: SmoothProblem + ?Sized>(
    p: &P,
    x: &[f64],
) -> Result<PointEvaluation, EvalError> {
    let info = p.info();
    let (n, m) = (info.n(), info.m());
    let mut gradient = vec![0.0; n];
    let objective = p.objective_and_gradient(x, &mut gradient)?;
    let mut constraints = vec![0.0; m];
    p.constraints(x, &mut constraints)?;
    let jpat = p.jacobian_pattern();
    let mut jv = vec![0.0; jpat.nnz()];
    p.jacobian_values(x, &mut jv)?;
    let mut jacobian: Vec<(usize, usize, f64)> = jpat.triplets(&jv).collect();
    jacobian.sort_by_key(|&(r, c, _)| (r, c));
    let mut hbuf = vec![0.0; p.hessian_pattern().nnz()];
    let mut y = vec![0.0; m];
    let hessian_objective = hessian_triplets(p, x, 1.0, &y, &mut hbuf)?;
    let mut hessian_constraints = Vec::with_capacity(m);
    for i in 0..m {
        y[i] = 1.0;
        hessian_constraints.push(hessian_triplets(p, x, 0.0, &y, &mut hbuf)?);
        y[i] = 0.0;
    }
    Ok(PointEvaluation {
        objective,
        gradient,
        constraints,
        jacobian,
        hessian_objective,
        hessian_constraints,
    })
}
