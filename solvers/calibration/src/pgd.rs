//! Non-convex projected gradient descent for blind calibration (Cambareri and Jacques,
//! "Through the Haze"): minimize f(xi, gamma) = (1/(2mp)) sum_l ||diag(gamma) A_l xi - y_l||^2
//! over xi (or xi in span Z) and gamma in G_rho (or gamma in G_rho ∩ span B).

use faer::MatRef;
use opal_core::linalg::{axpy, dot, norm, scale};
use opal_core::{Observer, Run, Start, Status};

use super::engine::Engine;
use super::error::CalibrationError;
use super::operator::SensingOperator;
use super::output::{IterationInfo, Output, Reason, budget_message};
use super::problem::{Basis, Prepared};
use super::projection::{GainProjector, SubspaceGainProjector};
use super::settings::{Method, Settings, StepRule};

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
    scale(c, gx);
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
    scale(c, gg);
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

/// sum_l (w ⊙ x_l)^T r_l and sum_l ||w ⊙ x_l||^2 over the snapshots (x and r in p blocks
/// of m = len(w)): the numerator and denominator of an exact step along a direction whose
/// residual change is w ⊙ x.
fn step_terms(w: &[f64], x: &[f64], r: &[f64]) -> (f64, f64) {
    let m = w.len();
    let (mut num, mut den) = (0.0, 0.0);
    for (xl, rl) in x.chunks(m).zip(r.chunks(m)) {
        for i in 0..m {
            let t = w[i] * xl[i];
            num += t * rl[i];
            den += t * t;
        }
    }
    (num, den)
}

/// What one iteration did.
struct Step {
    /// Step length along -grad_xi.
    signal: f64,
    /// Step length along -grad_gamma (before projection).
    gain: f64,
    /// ||xi_new - xi||.
    dxi: f64,
    /// ||gamma_new - gamma||.
    dgamma: f64,
}

/// One run of projected gradient descent: the iterate, its residual and every buffer the
/// iterations use, sized once.
struct Pgd<'a> {
    pr: &'a Prepared<'a>,
    eng: Engine<'a>,
    gains: GainSet<'a>,
    signal_q: Option<MatRef<'a, f64>>,
    /// 1 / (m p).
    c: f64,
    /// ||xi0||^2, the scale of the paper's gain step.
    xi0_sq: f64,
    coef: Vec<f64>,
    xi: Vec<f64>,
    gx: Vec<f64>,
    gamma: Vec<f64>,
    gg: Vec<f64>,
    trial: Vec<f64>,
    dg: Vec<f64>,
    /// u_l = A_l xi.
    u: Vec<f64>,
    /// r_l = diag(gamma) u_l - y_l.
    r: Vec<f64>,
    v: Vec<f64>,
    w: Vec<f64>,
}

impl<'a> Pgd<'a> {
    /// Workspaces and the starting point xi0 = (1/(mp)) sum_l A_l^T y_l (restricted to
    /// span Z), gamma0 = 1, with its residual.
    fn new(pr: &'a Prepared<'a>, settings: &Settings) -> Result<Self, CalibrationError> {
        let (n, m, p) = (pr.n, pr.m, pr.p);
        let kz = pr.signal.as_ref().map_or(0, |b| b.q.ncols());
        let kb = pr.gain.as_ref().map_or(0, |b| b.q.ncols());
        let gains = match &pr.gain {
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
        let mut s = Self {
            pr,
            eng: Engine::new(pr.op, settings.parallel),
            gains,
            signal_q: pr.signal.as_ref().map(|b| b.q.as_ref()),
            c: 1.0 / (m * p) as f64,
            xi0_sq: 0.0,
            coef: vec![0.0; kz.max(kb).max(1)],
            xi: vec![0.0; n],
            gx: vec![0.0; n],
            gamma: vec![1.0; m],
            gg: vec![0.0; m],
            trial: vec![0.0; m],
            dg: vec![0.0; m],
            u: vec![0.0; m * p],
            r: vec![0.0; m * p],
            v: vec![0.0; m * p],
            w: vec![0.0; m * p],
        };
        s.eng.adjoint(pr.y, &mut s.xi);
        scale(s.c, &mut s.xi);
        if let Some(q) = s.signal_q {
            Basis::project(q, &mut s.xi, &mut s.coef);
        }
        s.xi0_sq = dot(&s.xi, &s.xi);
        if s.xi0_sq == 0.0 {
            return Err(CalibrationError::ZeroMeasurements);
        }
        s.eng.forward(&s.xi, &mut s.u);
        residual(&s.gamma, &s.u, pr.y, &mut s.r);
        Ok(s)
    }

    /// f at the current iterate, from the residual kept up to date.
    fn objective(&self) -> f64 {
        0.5 * self.c * dot(&self.r, &self.r)
    }

    /// grad_xi = (1/(mp)) sum_l A_l^T (gamma ⊙ r_l), restricted to span Z, into `gx`.
    fn signal_gradient(&mut self) {
        signal_gradient(
            &mut self.eng,
            &self.gamma,
            &self.r,
            &mut self.w,
            self.c,
            &mut self.gx,
        );
        if let Some(q) = self.signal_q {
            Basis::project(q, &mut self.gx, &mut self.coef);
        }
    }

    /// Exact minimization along each block in turn (see [`StepRule::LineSearch`]).
    fn line_search_step(&mut self) -> Step {
        let y = self.pr.y;
        // Signal block: r(t) = r - t gamma ⊙ (A gx), minimized in closed form.
        self.eng.forward(&self.gx, &mut self.v);
        let (num, den) = step_terms(&self.gamma, &self.v, &self.r);
        let t = if den > 0.0 { num / den } else { 0.0 };
        axpy(-t, &self.gx, &mut self.xi);
        axpy(-t, &self.v, &mut self.u);
        residual(&self.gamma, &self.u, y, &mut self.r);
        // Gain block at the new signal: grad_gamma = (1/(mp)) sum_l u_l ⊙ r_l on the
        // tangent space, then r(s) = r - s gg ⊙ u minimized in closed form.
        gain_gradient(&self.u, &self.r, self.c, &mut self.gg);
        self.gains.tangent(&mut self.gg, &mut self.coef);
        let (num, den) = step_terms(&self.gg, &self.u, &self.r);
        let s = if den > 0.0 { num / den } else { 0.0 };
        for ((tr, g), d) in self.trial.iter_mut().zip(&self.gamma).zip(&self.gg) {
            *tr = g - s * d;
        }
        self.gains.project(&self.trial, &mut self.dg);
        for (d, g) in self.dg.iter_mut().zip(&self.gamma) {
            *d -= g;
        }
        // Exact search on the segment gamma + tau dg, tau in [0, 1] (feasible by
        // convexity; tau = 1 when no bound is active).
        let (num, den) = step_terms(&self.dg, &self.u, &self.r);
        let tau = if den > 0.0 {
            (-num / den).clamp(0.0, 1.0)
        } else {
            1.0
        };
        axpy(tau, &self.dg, &mut self.gamma);
        residual(&self.gamma, &self.u, y, &mut self.r);
        Step {
            signal: t,
            gain: s * tau,
            dxi: t.abs() * norm(&self.gx),
            dgamma: tau * norm(&self.dg),
        }
    }

    /// The paper's simultaneous update from the gradients at the current point.
    fn fixed_step(&mut self, mu: f64) -> Step {
        let mu_gamma = mu * self.pr.m as f64 / self.xi0_sq;
        gain_gradient(&self.u, &self.r, self.c, &mut self.gg);
        self.gains.tangent(&mut self.gg, &mut self.coef);
        for ((tr, g), d) in self.trial.iter_mut().zip(&self.gamma).zip(&self.gg) {
            *tr = g - mu_gamma * d;
        }
        self.gains.project(&self.trial, &mut self.dg);
        let mut change = 0.0;
        for (g, d) in self.gamma.iter_mut().zip(&self.dg) {
            change += (d - *g).powi(2);
            *g = *d;
        }
        axpy(-mu, &self.gx, &mut self.xi);
        self.eng.forward(&self.gx, &mut self.v);
        axpy(-mu, &self.v, &mut self.u);
        residual(&self.gamma, &self.u, self.pr.y, &mut self.r);
        Step {
            signal: mu,
            gain: mu_gamma,
            dxi: mu * norm(&self.gx),
            dgamma: change.sqrt(),
        }
    }

    /// The record of iteration `iteration`, which ended at objective `f` after `step`.
    fn record(&self, iteration: usize, f: f64, step: &Step) -> IterationInfo {
        let xi_norm = norm(&self.xi);
        IterationInfo {
            iteration,
            objective: f,
            relative_residual: (2.0 * f / self.c).sqrt() / self.pr.y_norm,
            step_signal: step.signal,
            step_gain: step.gain,
            relative_change: if xi_norm > 0.0 {
                (step.dxi / xi_norm).max(step.dgamma / norm(&self.gamma))
            } else {
                f64::INFINITY
            },
        }
    }

    /// The objective of the returned point computed afresh (u was updated incrementally).
    fn final_objective(&mut self) -> f64 {
        self.eng.forward(&self.xi, &mut self.u);
        residual(&self.gamma, &self.u, self.pr.y, &mut self.r);
        self.objective()
    }
}

/// Why the iterations stopped, and the last record.
struct Stop {
    status: Status,
    reason: Option<Reason>,
    last: Option<IterationInfo>,
    /// The non-finite objective of a diverged run.
    diverged_at: f64,
}

/// The iterations until a test or the budget stops them.
fn iterate(pgd: &mut Pgd<'_>, settings: &Settings, run: &mut Run<'_, '_, IterationInfo>) -> Stop {
    let mut stop = Stop {
        status: Status::IterationLimit,
        reason: None,
        last: None,
        diverged_at: f64::NAN,
    };
    if let Some(status) = run.check(0) {
        stop.status = status;
        return stop;
    }
    let mut iterations = 0;
    loop {
        iterations += 1;
        pgd.signal_gradient();
        let step = match settings.step {
            StepRule::LineSearch => pgd.line_search_step(),
            StepRule::Fixed { mu } => pgd.fixed_step(mu),
        };
        let f = pgd.objective();
        if !f.is_finite() {
            (stop.status, stop.reason, stop.diverged_at) =
                (Status::NumericalError, Some(Reason::Diverged), f);
            stop.last = Some(pgd.record(iterations, f, &step));
            return stop;
        }
        let info = pgd.record(iterations, f, &step);
        stop.last = Some(info);
        let budget = run.iteration(iterations, &info);
        (stop.status, stop.reason) = if budget == Some(Status::Interrupted) {
            (Status::Interrupted, None)
        } else if info.relative_residual <= settings.tol_residual {
            (Status::Converged, Some(Reason::ResidualTolerance))
        } else if info.relative_change <= settings.tol_step {
            (Status::Converged, Some(Reason::StepTolerance))
        } else if let Some(status) = budget {
            (status, None)
        } else {
            continue;
        };
        return stop;
    }
}

/// The message of a run that ended with `stop` after `iterations` iterations.
fn message(stop: &Stop, settings: &Settings, iterations: usize) -> String {
    let last = stop.last.as_ref();
    let residual = last.map_or(f64::NAN, |i| i.relative_residual);
    match (stop.status, stop.reason) {
        (_, Some(Reason::ResidualTolerance)) => format!(
            "the relative residual {residual:.1e} reached tol_residual {:.1e}",
            settings.tol_residual
        ),
        (_, Some(Reason::StepTolerance)) => format!(
            "the relative change of the iterates {:.1e} fell below tol_step {:.1e}",
            last.map_or(f64::NAN, |i| i.relative_change),
            settings.tol_step
        ),
        (_, Some(Reason::Diverged)) => format!(
            "the objective became {} at iteration {iterations}: the step is too large",
            stop.diverged_at
        ),
        (status, _) => budget_message(status, &settings.budget, iterations),
    }
}

/// Runs projected gradient descent on a validated problem.
pub(crate) fn run(
    pr: &Prepared<'_>,
    settings: &Settings,
    observer: &mut dyn Observer<IterationInfo>,
) -> Result<Output, CalibrationError> {
    let mut pgd = Pgd::new(pr, settings)?;
    let problem = pr.describe();
    let mut run = Run::start(
        &settings.budget,
        observer,
        Start {
            solver: "calibration pgd",
            problem: &problem,
        },
    );
    let stop = iterate(&mut pgd, settings, &mut run);
    let iterations = stop.last.map_or(0, |i| i.iteration);
    let f = if stop.reason == Some(Reason::Diverged) {
        stop.diverged_at
    } else {
        pgd.final_objective()
    };
    let relative_residual = (2.0 * f / pgd.c).sqrt() / pr.y_norm;
    let message = message(&stop, settings, iterations);
    let time = run.finish(stop.status, iterations, f, &message);
    Ok(Output {
        status: stop.status,
        reason: stop.reason,
        message,
        method: Method::ProjectedGradient,
        z: pr.signal.as_ref().map(|b| b.coefficients(&pgd.xi)),
        b: pr.gain.as_ref().map(|b| b.coefficients(&pgd.gamma)),
        x: pgd.xi,
        d: pgd.gamma,
        iterations,
        objective: f,
        relative_residual,
        operator_applications: pgd.eng.applications,
        time,
    })
}
