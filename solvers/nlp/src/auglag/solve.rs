//! The augmented Lagrangian iteration and its Newton subproblem solver. Every matrix,
//! factor and workspace is sized once: an iteration allocates nothing.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt;
use faer::linalg::matmul::matmul;
use faer::{Accum, Conj, Mat, Par};
use opal_core::linalg::{add_scaled, dot, norm};
use opal_core::{Observer, Run, Start, Status};
use opal_problems::{SmoothProblem, SparsityPattern};

use super::settings::Settings;
use crate::eqnlp::solve::{
    Counters, Final, Setup, least_squares_start, output, record_at, with_log,
};
use crate::eqnlp::{
    Derivatives, DirectionKind, End, EqProblem, Gram, GramCholesky, IterationInfo, Output, Point,
    fill_general, fill_symmetric,
};

/// Dense matrices of the Newton system, sized once (n <= dense_limit).
struct DenseNewton {
    /// H + mu J^T J.
    a: Mat<f64>,
    /// The factor of a + tau I.
    work: Mat<f64>,
    jd: Mat<f64>,
    jtj: Mat<f64>,
    mem: MemBuffer,
    par: Par,
}

/// The Newton system matrix H(x, y) + mu J^T J + tau I, dense or sparse, with its
/// right side.
struct NewtonMatrix {
    kind: NewtonKind,
    rhs: Mat<f64>,
}

enum NewtonKind {
    Dense(Box<DenseNewton>),
    /// `None` when the symbolic analysis failed (no step can be computed).
    Sparse(Option<Box<GramCholesky>>),
}

impl NewtonMatrix {
    fn new(
        n: usize,
        m: usize,
        dense_limit: usize,
        hess: &SparsityPattern,
        jac: &SparsityPattern,
    ) -> Self {
        let kind = if n <= dense_limit {
            // Sequential: at n <= dense_limit threads hardly pay, the results are the
            // same bit for bit, and faer's rayon kernels allocate on every call.
            let par = Par::Seq;
            let req = llt::factor::cholesky_in_place_scratch::<f64>(n, par, Default::default())
                .or(llt::solve::solve_in_place_scratch::<f64>(n, 1, par));
            NewtonKind::Dense(Box::new(DenseNewton {
                a: Mat::zeros(n, n),
                work: Mat::zeros(n, n),
                jd: Mat::zeros(m, n),
                jtj: Mat::zeros(n, n),
                mem: MemBuffer::new(req),
                par,
            }))
        } else {
            NewtonKind::Sparse(GramCholesky::new(Gram::new(n, Some(hess), Some(jac))).map(Box::new))
        };
        Self {
            kind,
            rhs: Mat::zeros(n, 1),
        }
    }

    /// Solves (H + mu J^T J + tau I) p = -grad with the smallest tau of the sequence
    /// 0, beta, 2 beta, ... (beta = 1e-3 max(1, max |diag|)) giving a successful Cholesky.
    fn newton_step(
        &mut self,
        d: Derivatives<'_>,
        mu: f64,
        grad: &[f64],
        p: &mut [f64],
    ) -> Option<f64> {
        for (i, g) in grad.iter().enumerate() {
            self.rhs[(i, 0)] = -g;
        }
        let tau = match &mut self.kind {
            NewtonKind::Dense(dense) => dense.step(d, mu, self.rhs.as_mut())?,
            NewtonKind::Sparse(chol) => {
                sparse_step(chol.as_mut()?, d.hv, d.jv, mu, self.rhs.as_mut())?
            }
        };
        for (i, pi) in p.iter_mut().enumerate() {
            *pi = self.rhs[(i, 0)];
        }
        Some(tau)
    }
}

/// The first shift of the modified Cholesky from the diagonal: 0 when positive, else
/// beta - min diag; and beta = 1e-3 max(1, max |diag|).
fn first_shift(diag: impl Iterator<Item = f64>) -> (f64, f64) {
    let (dmin, dmax) = diag.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v.abs()))
    });
    let beta = 1e-3 * dmax.max(1.0);
    (if dmin > 0.0 { 0.0 } else { beta - dmin }, beta)
}

impl DenseNewton {
    /// The dense modified-Cholesky step; the solution overwrites `rhs`.
    fn step(&mut self, d: Derivatives<'_>, mu: f64, rhs: faer::MatMut<'_, f64>) -> Option<f64> {
        let Derivatives { hess, hv, jac, jv } = d;
        let n = self.a.nrows();
        fill_symmetric(hess, hv, self.a.as_mut());
        if !jv.is_empty() && mu > 0.0 {
            fill_general(jac, jv, self.jd.as_mut());
            matmul(
                self.jtj.as_mut(),
                Accum::Replace,
                self.jd.transpose(),
                self.jd.as_ref(),
                1.0,
                self.par,
            );
            for j in 0..n {
                for i in 0..n {
                    self.a[(i, j)] += mu * self.jtj[(i, j)];
                }
            }
        }
        let (mut tau, beta) = first_shift((0..n).map(|i| self.a[(i, i)]));
        for _ in 0..80 {
            self.work.fill(0.0);
            self.work.copy_from_triangular_lower(&self.a);
            for i in 0..n {
                self.work[(i, i)] += tau;
            }
            let factored = llt::factor::cholesky_in_place(
                self.work.as_mut(),
                Default::default(),
                self.par,
                MemStack::new(&mut self.mem),
                Default::default(),
            );
            if factored.is_ok() {
                llt::solve::solve_in_place_with_conj(
                    self.work.as_ref(),
                    Conj::No,
                    rhs,
                    self.par,
                    MemStack::new(&mut self.mem),
                );
                return Some(tau);
            }
            tau = (2.0 * tau).max(beta);
        }
        None
    }
}

/// The sparse modified-Cholesky step; the solution overwrites `rhs`.
fn sparse_step(
    chol: &mut GramCholesky,
    hv: &[f64],
    jv: &[f64],
    mu: f64,
    rhs: faer::MatMut<'_, f64>,
) -> Option<f64> {
    chol.gram.assemble(hv, 1.0, jv, mu, 0.0);
    let (mut tau, beta) = first_shift(chol.gram.diagonal());
    for _ in 0..80 {
        chol.gram.assemble(hv, 1.0, jv, mu, tau);
        if chol.factor() {
            chol.solve_in_place(rhs);
            return Some(tau);
        }
        tau = (2.0 * tau).max(beta);
    }
    None
}

entry_points!(
    "the classical augmented Lagrangian method",
    "outer iterate",
    |problem, settings, observer| {
        let setup = Setup::new(
            problem,
            "auglag",
            settings.scaling,
            settings.multiplier_init,
        )?;
        let al = AugLag::new(setup, settings);
        Ok(with_log(settings.verbose, observer, |obs| al.run(obs)))
    }
);

/// How one subproblem solve went.
struct Subproblem {
    inner: usize,
    last_alpha: f64,
    last_tau: f64,
    line_search_failed: bool,
}

/// The state of an augmented Lagrangian run.
struct AugLag<'a, 'p, P: ?Sized> {
    s: &'a Settings,
    ep: EqProblem<'p, P>,
    jac: &'p SparsityPattern,
    hess: SparsityPattern,
    line: String,
    x: Vec<f64>,
    lam: Vec<f64>,
    pt: Point,
    trial: Point,
    xt: Vec<f64>,
    y: Vec<f64>,
    grad: Vec<f64>,
    gl: Vec<f64>,
    p: Vec<f64>,
    hv: Vec<f64>,
    matrix: NewtonMatrix,
    mu: f64,
    omega: f64,
    omega_min: f64,
    counters: Counters,
    stuck: usize,
    r0: f64,
    tol: f64,
}

impl<'a, 'p, P: SmoothProblem + ?Sized> AugLag<'a, 'p, P> {
    fn new(setup: Setup<'p, P>, s: &'a Settings) -> Self {
        let ep = setup.ep;
        let (n, m) = (ep.n, ep.m);
        let jac = ep.jac();
        let hess = ep.hess.clone();
        Self {
            s,
            jac,
            hv: vec![0.0; hess.nnz()],
            matrix: NewtonMatrix::new(n, m, s.dense_limit, &hess, jac),
            hess,
            line: setup.line,
            x: setup.x,
            lam: setup.lam,
            pt: Point::new(n, m, jac.nnz()),
            trial: Point::new(n, m, jac.nnz()),
            xt: vec![0.0; n],
            y: vec![0.0; m],
            grad: vec![0.0; n],
            gl: vec![0.0; n],
            p: vec![0.0; n],
            mu: s.mu0,
            omega: s.inner_tol0,
            omega_min: 0.0,
            counters: Counters::default(),
            stuck: 0,
            r0: f64::NAN,
            tol: 0.0,
            ep,
        }
    }

    /// The whole run: start point, outer iterations, output.
    fn run(mut self, observer: &mut dyn Observer<IterationInfo>) -> Output {
        let s = self.s;
        let start = Start {
            solver: "auglag",
            problem: &self.line,
        };
        let mut run = Run::start(&s.budget, observer, start);
        if let Err(e) = self.pt.eval(&mut self.ep, &self.x) {
            let end = End::evaluation(format!("at the start point: {e}"));
            let time = run.finish(end.status, 0, f64::NAN, &end.message);
            let mut out = self.output(end, f64::NAN, time);
            out.objective = f64::NAN;
            out.lagrangian_gradient_norm = f64::NAN;
            return out;
        }
        least_squares_start(&self.ep, s.multiplier_init, &self.pt, &mut self.lam);
        self.pt.gradient_with(self.jac, &self.lam, &mut self.gl);
        // Convergence is judged on the original problem (the iteration runs on the scaled one).
        self.r0 = self.ep.unscaled_kkt(&self.gl, &self.pt.c);
        self.tol = s.abs_tol.max(s.tol * self.r0.max(1.0));
        self.omega_min = 0.1 * self.tol * self.ep.obj_scale;
        let end = self.iterate(&mut run);
        self.pt.gradient_with(self.jac, &self.lam, &mut self.gl);
        let kkt = self.ep.unscaled_kkt(&self.gl, &self.pt.c);
        let objective = self.pt.f / self.ep.obj_scale;
        let time = run.finish(
            end.status,
            self.counters.iterations,
            objective,
            &end.message,
        );
        self.output(end, kkt, time)
    }

    /// Outer iterations until convergence, a limit or a failure.
    fn iterate(&mut self, run: &mut Run<'_, '_, IterationInfo>) -> End {
        let first = self.record(0, None, run);
        let mut limit = run.iteration(0, &first);
        loop {
            self.pt.gradient_with(self.jac, &self.lam, &mut self.gl);
            let r = self.ep.unscaled_kkt(&self.gl, &self.pt.c);
            if r <= self.tol {
                return End::with_status(Status::Converged, r, self.tol, &self.s.budget);
            }
            if let Some(status) = limit {
                return End::with_status(status, r, self.tol, &self.s.budget);
            }
            let sub = match self.subproblem(run) {
                Ok(sub) => sub,
                Err(end) => return end,
            };
            self.counters.inner += sub.inner;
            // First-order multiplier update and penalty / tolerance schedule.
            for (l, c) in self.lam.iter_mut().zip(&self.pt.c) {
                *l += self.mu * c;
            }
            self.mu = (self.mu * self.s.mu_factor).min(self.s.mu_max);
            self.omega = (self.omega * self.s.inner_tol_factor).max(self.omega_min);
            self.counters.iterations += 1;
            self.pt.gradient_with(self.jac, &self.lam, &mut self.gl);
            let r_new = self.ep.unscaled_kkt(&self.gl, &self.pt.c);
            self.stuck = if sub.line_search_failed && (r_new.is_nan() || r_new >= 0.999 * r) {
                self.stuck + 1
            } else {
                0
            };
            let info = self.record(self.counters.iterations, Some(&sub), run);
            limit = run.iteration(self.counters.iterations, &info);
            if self.stuck >= 5 {
                return End::stalled(format!(
                    "the subproblem line search failed in 5 consecutive outer iterations \
                     (last {})",
                    self.counters.iterations
                ));
            }
        }
    }

    /// Subproblem: minimize phi(x) = f + lam^T c + mu/2 ||c||^2 by modified Newton steps
    /// with an Armijo backtracking line search, to ||grad phi|| <= omega.
    fn subproblem(&mut self, run: &Run<'_, '_, IterationInfo>) -> Result<Subproblem, End> {
        let s = self.s;
        let mut sub = Subproblem {
            inner: 0,
            last_alpha: 0.0,
            last_tau: 0.0,
            line_search_failed: false,
        };
        let iterations = self.counters.iterations;
        loop {
            for ((yi, l), c) in self.y.iter_mut().zip(&self.lam).zip(&self.pt.c) {
                *yi = l + self.mu * c;
            }
            self.pt.gradient_with(self.jac, &self.y, &mut self.grad);
            if norm(&self.grad) <= self.omega || sub.inner >= s.max_inner {
                return Ok(sub);
            }
            if let Some(status) = run.should_stop() {
                return Err(End::with_status(status, f64::NAN, self.tol, &s.budget));
            }
            if let Err(e) = self.ep.hessian(&self.x, 1.0, &self.y, &mut self.hv) {
                return Err(End::evaluation(format!(
                    "Hessian at outer iteration {iterations}: {e}"
                )));
            }
            let step = self.matrix.newton_step(
                Derivatives::new(&self.hess, &self.hv, self.jac, &self.pt.jv),
                self.mu,
                &self.grad,
                &mut self.p,
            );
            let Some(tau) = step else {
                return Err(End::stalled(format!(
                    "no positive definite modification of the subproblem Hessian at outer \
                     iteration {iterations}"
                )));
            };
            sub.last_tau = tau;
            let accepted = self.backtrack();
            sub.inner += 1;
            let Some(alpha) = accepted else {
                sub.line_search_failed = true;
                return Ok(sub);
            };
            sub.last_alpha = alpha;
            self.x.copy_from_slice(&self.xt);
            std::mem::swap(&mut self.pt, &mut self.trial);
        }
    }

    /// Armijo backtracking (halving) along `p` on phi; the accepted step, if any, with
    /// the trial point in `xt` / `trial`.
    fn backtrack(&mut self) -> Option<f64> {
        let s = self.s;
        let phi0 = self.pt.augmented_lagrangian(&self.lam, self.mu);
        let slope = dot(&self.grad, &self.p);
        let noise = 10.0 * f64::EPSILON * phi0.abs();
        let mut alpha = 1.0;
        while alpha >= s.alpha_min {
            add_scaled(&self.x, alpha, &self.p, &mut self.xt);
            if self.trial.eval(&mut self.ep, &self.xt).is_ok()
                && self.trial.augmented_lagrangian(&self.lam, self.mu)
                    <= phi0 + s.armijo * alpha * slope + noise
            {
                return Some(alpha);
            }
            alpha *= 0.5;
        }
        None
    }

    /// The record of the current outer iterate, with the last subproblem's step.
    fn record(
        &self,
        iteration: usize,
        sub: Option<&Subproblem>,
        run: &Run<'_, '_, IterationInfo>,
    ) -> IterationInfo {
        let base = record_at(
            &self.ep,
            self.pt.f,
            &self.gl,
            &self.pt.c,
            iteration,
            run.elapsed(),
        );
        let mut info = IterationInfo {
            eta1: self.mu,
            eta2: 0.0,
            ..base
        };
        if let Some(sub) = sub {
            info.shift = sub.last_tau;
            info.inner_iterations = sub.inner;
            info.alpha = sub.last_alpha;
            info.direction = DirectionKind::Subproblem;
        }
        info
    }

    /// The output at the current iterate with KKT residual `kkt`.
    fn output(self, end: End, kkt: f64, time: std::time::Duration) -> Output {
        let last = Final {
            x: self.x,
            lam: &self.lam,
            f: self.pt.f,
            gl: &self.gl,
            c: &self.pt.c,
            kkt,
            r0: self.r0,
        };
        output(
            &self.ep,
            "auglag",
            end,
            last,
            self.counters,
            (self.mu, 0.0),
            time,
        )
    }
}
