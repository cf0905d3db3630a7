//! Non-convex projected gradient descent for blind calibration (Cambareri and Jacques,
//! "Through the Haze"): minimize f(xi, gamma) = (1/(2mp)) sum_l ||diag(gamma) A_l xi - y_l||^2
//! over xi (or xi in span Z) and gamma in G_rho (or gamma in G_rho ∩ span B).

use std::time::Instant;

use faer::MatRef;

use super::error::CalibrationError;
use super::operator::SensingOperator;
use super::projection::{GainProjector, SubspaceGainProjector};
use super::settings::{Method, Settings, StepRule};
use super::solve::{Basis, Control, Engine, IterationInfo, Output, Prepared, Status};

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// r_l = diag(gamma) u_l - y_l for every snapshot.
fn residual(gamma: &[f64], u: &[f64], y: &[f64], r: &mut [f64]) {
    let m = gamma.len();
    for ((rl, ul), yl) in r.chunks_mut(m).zip(u.chunks(m)).zip(y.chunks(m)) {
        for i in 0..m {
            rl[i] = gamma[i] * ul[i] - yl[i];
        }
    }
}

/// grad_xi = (1/(mp)) sum_l A_l^T (gamma ⊙ r_l) (w is workspace), unrestricted.
fn signal_gradient(
    eng: &mut Engine<'_>,
    gamma: &[f64],
    r: &[f64],
    w: &mut [f64],
    c: f64,
    gx: &mut [f64],
) {
    let m = gamma.len();
    for (wl, rl) in w.chunks_mut(m).zip(r.chunks(m)) {
        for i in 0..m {
            wl[i] = gamma[i] * rl[i];
        }
    }
    eng.adjoint(w, gx);
    gx.iter_mut().for_each(|t| *t *= c);
}

/// grad_gamma = (1/(mp)) sum_l (A_l xi) ⊙ r_l with u_l = A_l xi, before the tangent
/// projection.
fn gain_gradient(u: &[f64], r: &[f64], c: f64, gg: &mut [f64]) {
    let m = gg.len();
    gg.fill(0.0);
    for (ul, rl) in u.chunks(m).zip(r.chunks(m)) {
        for i in 0..m {
            gg[i] += ul[i] * rl[i];
        }
    }
    gg.iter_mut().for_each(|t| *t *= c);
}

/// f(xi, gamma) and its two gradients (the gamma gradient without the mean-zero
/// projection), computed by the kernels the solver uses; for derivative checks.
pub fn objective_gradient(
    op: &dyn SensingOperator,
    y: &[f64],
    xi: &[f64],
    gamma: &[f64],
) -> Result<(f64, Vec<f64>, Vec<f64>), CalibrationError> {
    let (n, m, p) = (op.signal_len(), op.sensors(), op.snapshots());
    CalibrationError::check_len("measurements", m * p, y.len())?;
    CalibrationError::check_len("xi", n, xi.len())?;
    CalibrationError::check_len("gamma", m, gamma.len())?;
    let c = 1.0 / (m * p) as f64;
    let mut eng = Engine::new(op, false);
    let mut u = vec![0.0; m * p];
    let mut r = vec![0.0; m * p];
    let mut w = vec![0.0; m * p];
    eng.forward(xi, &mut u);
    residual(gamma, &u, y, &mut r);
    let mut gx = vec![0.0; n];
    let mut gg = vec![0.0; m];
    signal_gradient(&mut eng, gamma, &r, &mut w, c, &mut gx);
    gain_gradient(&u, &r, c, &mut gg);
    Ok((0.5 * c * dot(&r, &r), gx, gg))
}

/// The gain constraint: exact projection, or Dykstra within the gain subspace.
enum GainSet<'a> {
    Full(GainProjector),
    Subspace {
        perp: MatRef<'a, f64>,
        projector: SubspaceGainProjector,
    },
}

impl GainSet<'_> {
    /// Projects a gain gradient onto the tangent space (mean zero, within the subspace).
    fn tangent(&self, g: &mut [f64], coef: &mut [f64]) {
        match self {
            GainSet::Full(_) => {
                let mean = g.iter().sum::<f64>() / g.len() as f64;
                g.iter_mut().for_each(|v| *v -= mean);
            }
            GainSet::Subspace { perp, .. } => Basis::project(*perp, g, coef),
        }
    }

    fn project(&mut self, v: &[f64], out: &mut [f64]) {
        match self {
            GainSet::Full(p) => {
                p.project(v, out);
            }
            GainSet::Subspace { perp, projector } => {
                projector.project(*perp, v, out);
            }
        }
    }
}

/// Runs projected gradient descent on a validated problem.
pub(crate) fn run(
    pr: &Prepared<'_>,
    settings: &Settings,
    observer: &mut dyn FnMut(&IterationInfo) -> Control,
) -> Result<Output, CalibrationError> {
    let start = Instant::now();
    let (n, m, p) = (pr.n, pr.m, pr.p);
    let y = pr.y;
    let c = 1.0 / (m * p) as f64;
    let mut eng = Engine::new(pr.op, settings.parallel);

    let kz = pr.signal.as_ref().map_or(0, |b| b.q.ncols());
    let kb = pr.gain.as_ref().map_or(0, |b| b.q.ncols());
    let mut coef = vec![0.0; kz.max(kb).max(1)];
    let mut gains = match &pr.gain {
        None => GainSet::Full(GainProjector::new(m, pr.rho)),
        Some(b) => GainSet::Subspace {
            perp: b.q.as_ref().subcols(1, kb - 1),
            projector: SubspaceGainProjector::new(
                m,
                kb - 1,
                pr.rho,
                settings.dykstra_max_iterations,
                settings.dykstra_tolerance,
            ),
        },
    };
    let signal_q = pr.signal.as_ref().map(|b| b.q.as_ref());

    let mut xi = vec![0.0; n];
    let mut gx = vec![0.0; n];
    let mut gamma = vec![1.0; m];
    let mut gg = vec![0.0; m];
    let mut trial = vec![0.0; m];
    let mut dg = vec![0.0; m];
    let mut u = vec![0.0; m * p];
    let mut r = vec![0.0; m * p];
    let mut v = vec![0.0; m * p];
    let mut w = vec![0.0; m * p];

    // xi0 = (1/(mp)) sum_l A_l^T y_l (restricted to span Z), gamma0 = 1.
    eng.adjoint(y, &mut xi);
    xi.iter_mut().for_each(|t| *t *= c);
    if let Some(q) = signal_q {
        Basis::project(q, &mut xi, &mut coef);
    }
    let xi0_sq = dot(&xi, &xi);
    if xi0_sq == 0.0 {
        return Err(CalibrationError::ZeroMeasurements);
    }
    eng.forward(&xi, &mut u);
    residual(&gamma, &u, y, &mut r);
    let mut f = 0.5 * c * dot(&r, &r);
    if settings.verbose {
        eprintln!(
            "calibration pgd: n = {n}, m = {m}, p = {p}, rho = {}, f0 = {f:.6e}",
            pr.rho
        );
    }

    let mut status = Status::MaxIterations;
    let mut iterations = 0;
    while iterations < settings.max_iterations {
        if settings.time_limit.is_some_and(|t| start.elapsed() >= t) {
            status = Status::TimeLimit;
            break;
        }
        iterations += 1;
        // grad_xi = (1/(mp)) sum_l A_l^T (gamma ⊙ r_l), restricted to span Z.
        signal_gradient(&mut eng, &gamma, &r, &mut w, c, &mut gx);
        if let Some(q) = signal_q {
            Basis::project(q, &mut gx, &mut coef);
        }
        let (step_signal, step_gain, dxi, dgamma);
        match settings.step {
            StepRule::LineSearch => {
                // Signal block: r(t) = r - t gamma ⊙ (A gx), minimized in closed form.
                eng.forward(&gx, &mut v);
                let (mut num, mut den) = (0.0, 0.0);
                for (vl, rl) in v.chunks(m).zip(r.chunks(m)) {
                    for i in 0..m {
                        let gv = gamma[i] * vl[i];
                        num += gv * rl[i];
                        den += gv * gv;
                    }
                }
                let t = if den > 0.0 { num / den } else { 0.0 };
                for (a, g) in xi.iter_mut().zip(&gx) {
                    *a -= t * g;
                }
                for (a, b) in u.iter_mut().zip(&v) {
                    *a -= t * b;
                }
                residual(&gamma, &u, y, &mut r);
                // Gain block at the new signal: grad_gamma = (1/(mp)) sum_l u_l ⊙ r_l on
                // the tangent space, then r(s) = r - s gg ⊙ u minimized in closed form.
                gain_gradient(&u, &r, c, &mut gg);
                gains.tangent(&mut gg, &mut coef);
                let (mut num, mut den) = (0.0, 0.0);
                for (ul, rl) in u.chunks(m).zip(r.chunks(m)) {
                    for i in 0..m {
                        let gu = gg[i] * ul[i];
                        num += gu * rl[i];
                        den += gu * gu;
                    }
                }
                let s = if den > 0.0 { num / den } else { 0.0 };
                for i in 0..m {
                    trial[i] = gamma[i] - s * gg[i];
                }
                gains.project(&trial, &mut dg);
                for i in 0..m {
                    dg[i] -= gamma[i];
                }
                // Exact search on the segment gamma + tau dg, tau in [0, 1] (feasible by
                // convexity; tau = 1 when no bound is active).
                let (mut num, mut den) = (0.0, 0.0);
                for (ul, rl) in u.chunks(m).zip(r.chunks(m)) {
                    for i in 0..m {
                        let du = dg[i] * ul[i];
                        num -= du * rl[i];
                        den += du * du;
                    }
                }
                let tau = if den > 0.0 {
                    (num / den).clamp(0.0, 1.0)
                } else {
                    1.0
                };
                for i in 0..m {
                    gamma[i] += tau * dg[i];
                }
                residual(&gamma, &u, y, &mut r);
                step_signal = t;
                step_gain = s * tau;
                dxi = t.abs() * norm(&gx);
                dgamma = tau * norm(&dg);
            }
            StepRule::Fixed { mu } => {
                // The paper's simultaneous update from the gradients at the current point.
                let mu_gamma = mu * m as f64 / xi0_sq;
                gain_gradient(&u, &r, c, &mut gg);
                gains.tangent(&mut gg, &mut coef);
                for i in 0..m {
                    trial[i] = gamma[i] - mu_gamma * gg[i];
                }
                gains.project(&trial, &mut dg);
                let mut change = 0.0;
                for i in 0..m {
                    change += (dg[i] - gamma[i]).powi(2);
                    gamma[i] = dg[i];
                }
                for (a, g) in xi.iter_mut().zip(&gx) {
                    *a -= mu * g;
                }
                eng.forward(&gx, &mut v);
                for (a, b) in u.iter_mut().zip(&v) {
                    *a -= mu * b;
                }
                residual(&gamma, &u, y, &mut r);
                step_signal = mu;
                step_gain = mu_gamma;
                dxi = mu * norm(&gx);
                dgamma = change.sqrt();
            }
        }
        f = 0.5 * c * dot(&r, &r);
        if !f.is_finite() {
            status = Status::Diverged;
            break;
        }
        let rel_res = (2.0 * f / c).sqrt() / pr.y_norm;
        let xi_norm = norm(&xi);
        let rel_change = if xi_norm > 0.0 {
            (dxi / xi_norm).max(dgamma / norm(&gamma))
        } else {
            f64::INFINITY
        };
        let info = IterationInfo {
            iteration: iterations,
            objective: f,
            relative_residual: rel_res,
            step_signal,
            step_gain,
            relative_change: rel_change,
        };
        if settings.verbose {
            eprintln!(
                "calibration pgd: it {iterations:5} f {f:.6e} residual {rel_res:.3e} \
                 step_x {step_signal:.3e} step_d {step_gain:.3e} change {rel_change:.3e}"
            );
        }
        if observer(&info) == Control::Stop {
            status = Status::Interrupted;
            break;
        }
        if rel_res <= settings.tol_residual {
            status = Status::ResidualTolerance;
            break;
        }
        if rel_change <= settings.tol_step {
            status = Status::StepTolerance;
            break;
        }
    }

    // Report the objective of the returned point exactly (u was updated incrementally).
    if status != Status::Diverged {
        eng.forward(&xi, &mut u);
        residual(&gamma, &u, y, &mut r);
        f = 0.5 * c * dot(&r, &r);
    }
    let relative_residual = (2.0 * f / c).sqrt() / pr.y_norm;
    if settings.verbose {
        eprintln!(
            "calibration pgd: {status:?} after {iterations} iterations, f = {f:.6e}, residual {relative_residual:.3e}"
        );
    }
    Ok(Output {
        status,
        method: Method::ProjectedGradient,
        z: pr.signal.as_ref().map(|b| b.coefficients(&xi)),
        b: pr.gain.as_ref().map(|b| b.coefficients(&gamma)),
        x: xi,
        d: gamma,
        iterations,
        objective: f,
        relative_residual,
        operator_applications: eng.applications,
        time: start.elapsed(),
    })
}
