//! The per-row / per-column least-squares solves of alternating minimization,
//! min_x ||A x - b||^2 + lambda ||x||^2 with A small (|Omega_j| x k), by three
//! interchangeable methods (spec A.3):
//!
//! - exact: normal equations + Cholesky, refined on the true residual;
//! - CG: CGLS (conjugate gradients on the normal equations, residual kept explicitly)
//!   warm-started from the previous sweep, with the diagonal of A^T A as preconditioner
//!   (it undoes the column scaling of un-normalized factors; it does not undo correlated
//!   columns);
//! - sketch: sketch-and-precondition. A sparse sign embedding S (s rows, `nnz` signs per
//!   column placed one per block of s/nnz rows, the block construction of Kane and Nelson),
//!   QR of [S A; sqrt(lambda) I] = Q R, start at the sketched solution R^-1 Q^T [S b; 0],
//!   then CGLS preconditioned by R (x <- R^-1 y). The preconditioned matrix A R^-1 has
//!   condition number O(1) whatever the conditioning of A, so the iteration count to a
//!   given accuracy does not grow with cond(A). When A has at most 2 s rows the sketch
//!   would not pay for itself and A's own QR solves the problem directly.
//!
//! Accuracy: the iterative solvers stop when the (preconditioned) normal-equation residual
//! is below `tol` times that of x = 0, i.e. ||M^(1/2) (A^T r - lambda x)|| <= tol
//! ||M^(1/2) A^T b|| with M = diag(A^T A)^-1 (CG) or (R^T R)^-1 (sketch; then the left
//! side estimates ||A (x - x*)|| up to the embedding's distortion, whatever cond(A); for
//! CG it does so only when A is well conditioned). The exact solver refines until the
//! correction is below `tol ||x||`.

use super::dense::{
    BlockQr, FAER_MIN_K, Scratch, apply_qt, axpy, cholesky_any, cholesky_scratch, cholesky_solve,
    dot, gram_lower, householder_qr, r_solve, rt_solve,
};
use super::rng::SplitMix;
use super::settings::RegressionSolver;

/// One least-squares problem: A row-major `rows x k`, right-hand side b, ridge lambda.
#[derive(Debug, Clone, Copy)]
pub struct LsqProblem<'a> {
    /// The matrix, row-major.
    pub a: &'a [f64],
    /// The right-hand side.
    pub b: &'a [f64],
    /// Number of rows of A.
    pub rows: usize,
    /// Number of unknowns.
    pub k: usize,
    /// Ridge weight (>= 0).
    pub lambda: f64,
}

/// Accuracy and sketch parameters of one solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegressionOptions {
    /// Requested relative accuracy (see the module documentation).
    pub tol: f64,
    /// Iteration cap of the iterative solvers (refinement cap of the exact solver is 4).
    pub max_iter: usize,
    /// Sketch rows s = ceil(sketch_factor * k).
    pub sketch_factor: f64,
    /// Nonzeros per column of the embedding (1 = count sketch).
    pub sketch_nnz: usize,
}

impl Default for RegressionOptions {
    fn default() -> Self {
        RegressionOptions {
            tol: 1e-10,
            max_iter: 200,
            sketch_factor: 6.0,
            sketch_nnz: 2,
        }
    }
}

/// What one solve did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegressionStats {
    /// The method that ran (never `Auto`).
    pub solver: RegressionSolver,
    /// Iterations (CG / preconditioned CG) or refinement steps (exact).
    pub iterations: usize,
    /// ||A x - b||^2 at the returned x (for the exact solver: at the iterate before the
    /// last, negligible, correction).
    pub rss: f64,
    /// Whether the requested accuracy was reached.
    pub converged: bool,
}

/// Scratch space for problems of up to `max_rows` rows and `k` unknowns; allocated once.
#[derive(Debug, Clone)]
pub struct RegressionWorkspace {
    max_rows: usize,
    k: usize,
    sketch_rows: usize,
    r: Vec<f64>,
    q: Vec<f64>,
    g: Vec<f64>,
    sk_rows: Vec<f64>,
    qr: Vec<f64>,
    sb: Vec<f64>,
    tau: Vec<f64>,
    s: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    t: Vec<f64>,
    best: Vec<f64>,
    diag: Vec<f64>,
    chol: Scratch,
    block_qr: BlockQr,
}

/// Sketch size used for `k` unknowns: ceil(factor k) rounded up to a multiple of the
/// number of nonzeros per column, at least k + 1.
pub fn sketch_rows(k: usize, factor: f64, nnz: usize) -> usize {
    let s = ((factor * k as f64).ceil() as usize).max(k + 1);
    let z = nnz.min(s).max(1);
    s.div_ceil(z) * z
}

impl RegressionWorkspace {
    /// Workspace for up to `max_rows` rows, `k` unknowns and the given sketch parameters.
    pub fn new(max_rows: usize, k: usize, opts: &RegressionOptions) -> Self {
        let sketch = sketch_rows(k, opts.sketch_factor, opts.sketch_nnz);
        // The QR buffer holds either [S A; sqrt(lambda) I] or, when A has at most twice
        // the sketch's rows, [A; sqrt(lambda) I] itself.
        let qr_rows = (2 * sketch).max(k) + k;
        RegressionWorkspace {
            max_rows,
            k,
            sketch_rows: sketch,
            r: vec![0.0; max_rows],
            q: vec![0.0; max_rows],
            g: vec![0.0; k * k],
            sk_rows: vec![0.0; sketch * k],
            qr: vec![0.0; qr_rows * k],
            sb: vec![0.0; qr_rows],
            tau: vec![0.0; k],
            s: vec![0.0; k],
            z: vec![0.0; k],
            p: vec![0.0; k],
            t: vec![0.0; k],
            best: vec![0.0; k],
            diag: vec![0.0; k],
            chol: cholesky_scratch(k),
            block_qr: BlockQr::new(qr_rows, k),
        }
    }

    /// Largest number of rows this workspace accepts.
    pub fn max_rows(&self) -> usize {
        self.max_rows
    }
}

impl RegressionSolver {
    /// The method `Auto` tries first for a problem with `rows` rows and `k` unknowns (other
    /// variants are returned unchanged): warm-started CG for k >= 50, or k >= 20 with
    /// |Omega_j| >= 20 k; the exact solver below, where its |Omega_j| k^2 / 2 Gram matrix,
    /// run near peak speed, beats a few CG passes. When CG is chosen it gets a budget of
    /// max(6, k/8) iterations (about the cost of the exact solve) and hands over to
    /// [`RegressionSolver::fallback`] if it does not converge within it: CG's iteration
    /// count grows with cond(A), which orthonormalized or ridge-regularized factors keep
    /// small but un-normalized, unregularized ones do not. Crossover measured by
    /// `bench/src/bin/completion_sweep.rs` (CPU time; report of issue 7).
    pub fn resolve(self, rows: usize, k: usize) -> RegressionSolver {
        match self {
            RegressionSolver::Auto => {
                if k >= AUTO_CG_MIN_K || (k >= AUTO_CG_MID_K && rows >= AUTO_CG_MID_RATIO * k) {
                    RegressionSolver::Cg
                } else {
                    RegressionSolver::Exact
                }
            }
            other => other,
        }
    }

    /// What `Auto` runs when CG exceeds its budget: the sketch for k >= 100 with
    /// |Omega_j| >= 50 k (where it beat the exact solver on ill-conditioned factors, with an
    /// iteration count independent of cond(A)), else the exact solver.
    pub fn fallback(rows: usize, k: usize) -> RegressionSolver {
        if k >= AUTO_SKETCH_MIN_K && rows >= AUTO_SKETCH_MIN_RATIO * k {
            RegressionSolver::Sketch
        } else {
            RegressionSolver::Exact
        }
    }
}

/// `Auto`: CG from this many unknowns on.
pub const AUTO_CG_MIN_K: usize = 50;
/// `Auto`: CG from this many unknowns on when ...
pub const AUTO_CG_MID_K: usize = 20;
/// ... |Omega_j| is at least this multiple of k.
pub const AUTO_CG_MID_RATIO: usize = 20;
/// `Auto` fallback: the sketch from this many unknowns on when ...
pub const AUTO_SKETCH_MIN_K: usize = 100;
/// ... |Omega_j| is at least this multiple of k.
pub const AUTO_SKETCH_MIN_RATIO: usize = 50;

/// Solves `problem` into `x` (on entry the warm start of the CG solver, ignored by the
/// others). `seed` drives the sketch. `Auto` is resolved per problem (see
/// [`RegressionSolver::resolve`]). Never allocates.
pub fn solve(
    solver: RegressionSolver,
    problem: &LsqProblem,
    x: &mut [f64],
    opts: &RegressionOptions,
    ws: &mut RegressionWorkspace,
    seed: u64,
) -> RegressionStats {
    let job = Job {
        solver,
        p: problem,
        x,
        opts,
        ws,
        seed,
    };
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU features the function was compiled for were detected above.
            return unsafe { solve_avx2(job) };
        }
    }
    solve_body(job)
}

/// The arguments of one [`solve`], passed on to the version compiled for the CPU.
struct Job<'j, 'a> {
    solver: RegressionSolver,
    p: &'j LsqProblem<'a>,
    x: &'j mut [f64],
    opts: &'j RegressionOptions,
    ws: &'j mut RegressionWorkspace,
    seed: u64,
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn solve_avx2(job: Job<'_, '_>) -> RegressionStats {
    solve_body(job)
}

#[inline(always)]
fn solve_body(job: Job<'_, '_>) -> RegressionStats {
    let Job {
        solver,
        p,
        x,
        opts,
        ws,
        seed,
    } = job;
    let k = p.k;
    debug_assert!(p.rows <= ws.max_rows && k == ws.k && x.len() == k);
    if p.rows == 0 {
        // No data: the ridge (or minimum-norm) solution is zero.
        x.fill(0.0);
        return RegressionStats {
            solver: solver.resolve(0, k),
            iterations: 0,
            rss: 0.0,
            converged: true,
        };
    }
    let chosen = solver.resolve(p.rows, k);
    if solver == RegressionSolver::Auto && chosen == RegressionSolver::Cg {
        let budget = RegressionOptions {
            max_iter: opts.max_iter.min((k / 8).max(6)),
            ..*opts
        };
        let (iterations, rss, converged) = cgls(p, x, Precond::Jacobi, &budget, ws);
        if converged {
            return RegressionStats {
                solver: RegressionSolver::Cg,
                iterations,
                rss,
                converged,
            };
        }
        let mut st = match RegressionSolver::fallback(p.rows, k) {
            RegressionSolver::Sketch => sketch_precondition(p, x, opts, ws, seed),
            _ => exact(p, x, opts, ws),
        };
        st.iterations += iterations;
        return st;
    }
    match chosen {
        RegressionSolver::Cg => {
            let (iterations, rss, converged) = cgls(p, x, Precond::Jacobi, opts, ws);
            RegressionStats {
                solver: RegressionSolver::Cg,
                iterations,
                rss,
                converged,
            }
        }
        RegressionSolver::Sketch => sketch_precondition(p, x, opts, ws, seed),
        _ => exact(p, x, opts, ws),
    }
}

/// r = b - A x, returns ||r||^2.
#[inline(always)]
fn residual(p: &LsqProblem, x: &[f64], r: &mut [f64]) -> f64 {
    let k = p.k;
    let mut rss = 0.0;
    for (i, ri) in r[..p.rows].iter_mut().enumerate() {
        let v = p.b[i] - dot(&p.a[i * k..(i + 1) * k], x);
        *ri = v;
        rss += v * v;
    }
    rss
}

/// out = A^T v (length k).
#[inline(always)]
fn at_times(p: &LsqProblem, v: &[f64], out: &mut [f64]) {
    let k = p.k;
    out.fill(0.0);
    for (i, &vi) in v[..p.rows].iter().enumerate() {
        axpy(vi, &p.a[i * k..(i + 1) * k], out);
    }
}

/// Normal equations with a ridge of `lambda` plus a jitter when Cholesky fails.
#[inline(always)]
fn exact(
    p: &LsqProblem,
    x: &mut [f64],
    opts: &RegressionOptions,
    ws: &mut RegressionWorkspace,
) -> RegressionStats {
    let k = p.k;
    let g = &mut ws.g;
    let mut trace = 0.0;
    let mut jitter = 0.0;
    loop {
        gram_lower(p.a, p.rows, k, g);
        for d in 0..k {
            trace += g[d * k + d];
        }
        for d in 0..k {
            g[d * k + d] += p.lambda + jitter;
        }
        if cholesky_any(g, k, &mut ws.chol) {
            break;
        }
        // Singular Gram matrix (fewer rows than unknowns, repeated rows): a tiny relative
        // ridge gives a near minimum-norm solution.
        jitter = if jitter == 0.0 {
            1e-13 * (trace / k as f64).max(f64::MIN_POSITIVE)
        } else {
            jitter * 100.0
        };
        trace = 0.0;
        if !jitter.is_finite() {
            x.fill(0.0);
            let rss = residual(p, x, &mut ws.r);
            return RegressionStats {
                solver: RegressionSolver::Exact,
                iterations: 0,
                rss,
                converged: false,
            };
        }
    }
    at_times(p, p.b, x);
    cholesky_solve(g, k, x);
    // Refinement on the true residual: x <- x + G^-1 (A^T r - lambda x). With cond(A) up
    // to ~1e7 the contraction factor cond(A)^2 eps is < 1, so this reaches QR accuracy.
    let mut rss = 0.0;
    let mut steps = 0;
    let mut converged = false;
    let mut last_dx = f64::INFINITY;
    while steps < 4 {
        rss = residual(p, x, &mut ws.r);
        at_times(p, &ws.r, &mut ws.s);
        for d in 0..k {
            ws.s[d] -= (p.lambda + jitter) * x[d];
        }
        cholesky_solve(&ws.g, k, &mut ws.s);
        axpy(1.0, &ws.s, x);
        steps += 1;
        let dx = dot(&ws.s, &ws.s).sqrt();
        let xn = dot(x, x).sqrt();
        if dx <= opts.tol * xn || dx == 0.0 {
            converged = true;
            break;
        }
        if dx > 0.5 * last_dx {
            break; // at the rounding floor
        }
        last_dx = dx;
    }
    RegressionStats {
        solver: RegressionSolver::Exact,
        iterations: steps,
        rss,
        converged: converged && x.iter().all(|v| v.is_finite()),
    }
}

/// Preconditioner of the CGLS iteration.
#[derive(Clone, Copy, PartialEq)]
enum Precond {
    /// Diagonal of A^T A + lambda I (computed in the first pass over A).
    Jacobi,
    /// (R^T R)^-1 with R stored in `ws.qr`, this many rows per column.
    Triangular(usize),
}

/// z = M s for the preconditioner; returns s^T z (= ||R^-T s||^2 for the triangular one).
#[inline(always)]
fn precondition(pre: Precond, qr: &[f64], diag: &[f64], k: usize, s: &[f64], z: &mut [f64]) -> f64 {
    z.copy_from_slice(s);
    match pre {
        Precond::Jacobi => {
            for (zi, d) in z.iter_mut().zip(diag) {
                *zi /= d;
            }
            dot(s, z)
        }
        Precond::Triangular(rows) => {
            rt_solve(qr, rows, k, z);
            let gamma = dot(z, z);
            r_solve(qr, rows, k, z);
            gamma
        }
    }
}

/// CGLS from the x given with preconditioner `pre`. Returns (iterations, rss, converged).
#[inline(always)]
fn cgls(
    p: &LsqProblem,
    x: &mut [f64],
    pre: Precond,
    opts: &RegressionOptions,
    ws: &mut RegressionWorkspace,
) -> (usize, f64, bool) {
    let k = p.k;
    let n = p.rows;
    let RegressionWorkspace {
        r,
        q,
        qr,
        s,
        z,
        p: dir,
        t,
        best,
        diag,
        ..
    } = ws;
    // one pass over A: r = b - A x, s = A^T r, t = A^T b (and diag(A^T A) for Jacobi)
    let mut rss = 0.0;
    s.fill(0.0);
    t.fill(0.0);
    let jacobi = pre == Precond::Jacobi;
    if jacobi {
        diag.fill(p.lambda);
    }
    for i in 0..n {
        let ai = &p.a[i * k..(i + 1) * k];
        let ri = p.b[i] - dot(ai, x);
        r[i] = ri;
        rss += ri * ri;
        axpy(ri, ai, s);
        axpy(p.b[i], ai, t);
        if jacobi {
            for (d, a) in diag.iter_mut().zip(ai) {
                *d += a * a;
            }
        }
    }
    if jacobi {
        for d in diag.iter_mut() {
            if *d <= 0.0 {
                *d = 1.0; // a zero column: its unknown stays put
            }
        }
    }
    axpy(-p.lambda, x, s);
    let dir_tmp = &mut dir[..];
    let gamma_b = precondition(pre, qr, diag, k, t, dir_tmp);
    let target = opts.tol * gamma_b.sqrt();
    let mut gamma = precondition(pre, qr, diag, k, s, z);
    if gamma.sqrt() <= target || gamma.is_nan() {
        return (0, rss, gamma.is_finite());
    }
    dir.copy_from_slice(z);
    // Past the rounding floor (a `tol` below what the data allow) CG drifts: keep the
    // iterate with the smallest gradient norm and stop after `window` steps without a
    // new smallest one. The gradient norm of CG is not monotone, much less so with only
    // a diagonal preconditioner on an ill-conditioned A, hence the longer window there.
    let window = if jacobi { 10 * k + 10 } else { 3 };
    best.copy_from_slice(x);
    let (mut best_gamma, mut best_rss, mut stall) = (gamma, rss, 0);
    let mut it = 0;
    while it < opts.max_iter {
        it += 1;
        // q = A dir, delta = ||q||^2 + lambda ||dir||^2
        let mut delta = p.lambda * dot(dir, dir);
        for i in 0..n {
            let v = dot(&p.a[i * k..(i + 1) * k], dir);
            q[i] = v;
            delta += v * v;
        }
        if delta.is_nan() || delta <= 0.0 {
            break;
        }
        let alpha = gamma / delta;
        axpy(alpha, dir, x);
        axpy(-alpha, &q[..n], &mut r[..n]);
        // s = A^T r - lambda x
        s.fill(0.0);
        rss = 0.0;
        for i in 0..n {
            let ri = r[i];
            rss += ri * ri;
            axpy(ri, &p.a[i * k..(i + 1) * k], s);
        }
        axpy(-p.lambda, x, s);
        let gamma_new = precondition(pre, qr, diag, k, s, z);
        if !gamma_new.is_finite() {
            return (it, rss, false);
        }
        if gamma_new.sqrt() <= target {
            return (it, rss, true);
        }
        if gamma_new < best_gamma {
            best_gamma = gamma_new;
            best_rss = rss;
            best.copy_from_slice(x);
            stall = 0;
        } else {
            stall += 1;
            if stall >= window {
                break;
            }
        }
        let beta = gamma_new / gamma;
        gamma = gamma_new;
        for (d, zi) in dir.iter_mut().zip(z.iter()) {
            *d = zi + beta * *d;
        }
    }
    x.copy_from_slice(best);
    (it, best_rss, false)
}

/// Sketch-and-precondition (see the module documentation).
#[inline(always)]
fn sketch_precondition(
    p: &LsqProblem,
    x: &mut [f64],
    opts: &RegressionOptions,
    ws: &mut RegressionWorkspace,
    seed: u64,
) -> RegressionStats {
    let k = p.k;
    let n = p.rows;
    let ridge = p.lambda > 0.0;
    let extra = if ridge { k } else { 0 };
    let s_rows = ws.sketch_rows;
    if n <= 2 * s_rows {
        // Sketching would not shrink A enough to pay for itself (s x k QR plus iterations
        // against one N x k QR): QR of [A; sqrt(lambda) I] (zero rows appended when there
        // are fewer rows than unknowns) solves directly.
        let rows = (n + extra).max(k);
        let qr = &mut ws.qr[..rows * k];
        qr.fill(0.0);
        for i in 0..n {
            for c in 0..k {
                qr[c * rows + i] = p.a[i * k + c];
            }
        }
        if ridge {
            let sl = p.lambda.sqrt();
            for c in 0..k {
                qr[c * rows + n + c] = sl;
            }
        }
        let sb = &mut ws.sb[..rows];
        sb.fill(0.0);
        sb[..n].copy_from_slice(&p.b[..n]);
        factor_and_apply(qr, rows, k, sb, &mut ws.tau, &mut ws.block_qr);
        x.copy_from_slice(&sb[..k]);
        r_solve(qr, rows, k, x);
        // measures the residual; an iteration only runs if rounding left the solve short
        let (it, rss, conv) = cgls(p, x, Precond::Triangular(rows), opts, ws);
        return RegressionStats {
            solver: RegressionSolver::Sketch,
            iterations: it,
            rss,
            converged: conv,
        };
    }
    // S A and S b, accumulated by rows (row-major s x k), each row of A hashed to one
    // row in each of `z` blocks with a random sign.
    let z = opts.sketch_nnz.min(s_rows).max(1);
    let block = s_rows / z;
    let sk = &mut ws.sk_rows[..s_rows * k];
    sk.fill(0.0);
    let sb = &mut ws.sb;
    sb[..s_rows + extra].fill(0.0);
    let mut rng = SplitMix::new(seed);
    for i in 0..n {
        let ai = &p.a[i * k..(i + 1) * k];
        let mut bits = 0u64;
        for t in 0..z {
            if t % 2 == 0 {
                bits = rng.next_u64();
            }
            let word = (bits >> (32 * (t % 2))) as u32;
            let sign = if word & 1 == 0 { 1.0 } else { -1.0 };
            let h = t * block + (((word >> 1) as u64 * block as u64) >> 31) as usize;
            axpy(sign, ai, &mut sk[h * k..(h + 1) * k]);
            sb[h] += sign * p.b[i];
        }
    }
    let scale = 1.0 / (z as f64).sqrt();
    let rows = s_rows + extra;
    let qr = &mut ws.qr[..rows * k];
    for h in 0..s_rows {
        for c in 0..k {
            qr[c * rows + h] = scale * sk[h * k + c];
        }
        sb[h] *= scale;
    }
    if ridge {
        let sl = p.lambda.sqrt();
        for c in 0..k {
            for e in 0..k {
                qr[c * rows + s_rows + e] = if c == e { sl } else { 0.0 };
            }
        }
    }
    factor_and_apply(qr, rows, k, &mut sb[..rows], &mut ws.tau, &mut ws.block_qr);
    x.copy_from_slice(&sb[..k]);
    r_solve(qr, rows, k, x);
    let (it, rss, conv) = cgls(p, x, Precond::Triangular(rows), opts, ws);
    RegressionStats {
        solver: RegressionSolver::Sketch,
        iterations: it,
        rss,
        converged: conv,
    }
}

/// QR of the column-major `rows x k` block `qr` in place (hand-written Householder below
/// [`FAER_MIN_K`] unknowns, faer's blocked one from there on), R kept invertible
/// ([`guard_diagonal`]), and sb <- Q^T sb.
#[inline(always)]
fn factor_and_apply(
    qr: &mut [f64],
    rows: usize,
    k: usize,
    sb: &mut [f64],
    tau: &mut [f64],
    block: &mut BlockQr,
) {
    if k < FAER_MIN_K {
        householder_qr(qr, rows, k, tau);
        guard_diagonal(qr, rows, k);
        apply_qt(qr, rows, k, tau, sb);
    } else {
        block.factor(qr, rows);
        guard_diagonal(qr, rows, k);
        block.apply(qr, rows, sb, 1, true);
    }
}

/// Keeps R invertible: a diagonal entry below 1e-14 of the largest is raised to that size.
#[inline(always)]
fn guard_diagonal(qr: &mut [f64], rows: usize, k: usize) {
    let big = (0..k)
        .map(|j| qr[j * rows + j].abs())
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    for j in 0..k {
        let d = &mut qr[j * rows + j];
        if d.abs() < 1e-14 * big {
            *d = if *d < 0.0 { -1e-14 * big } else { 1e-14 * big };
        }
    }
}
