//! Randomized iterative sketching solvers for the KKT system K d = b (K symmetric,
//! indefinite, sparse): each iteration projects the current iterate onto the solution set
//! of a sketched system S^T K d = S^T b (sketch-and-project, Gower & Richtarik 2015):
//!
//! - randomized Kaczmarz: S = e_i, one row, sampled with probability proportional to its
//!   squared norm (or uniformly);
//! - Gaussian sketch-and-project: S has `block` i.i.d. N(0, 1) columns (cost O(block nnz(K))
//!   per iteration: meant for small dense systems);
//! - sparse sign (count-sketch) blocks: `block` sketch columns, each the signed sum of
//!   `column_nnz` sampled rows, projected onto jointly (cost independent of the size of K:
//!   the variant for large sparse systems; with `column_nnz = 1` it is block Kaczmarz).
//!
//! Optionally the system is first equilibrated symmetrically (Ruiz scaling, K^ = D K D,
//! d = D y), which leaves the iteration a sketch-and-project method in a rescaled geometry
//! and often improves badly scaled problems a lot; residuals are always measured on the
//! original system. The residual is computed whenever the work since the last check
//! reaches one product with K, so monitoring at most doubles the cost.
//! Nothing is allocated per iteration: every workspace is sized once.
//!
//! [`SketchKkt`] is the [`KktSolver`] of these solvers: inexact requests go to the sketch,
//! exact ones to a [`DirectLu`] built on first use (the direct fallback of adasketch).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

use super::direct::DirectLu;
use super::protocol::{Accuracy, Inertia, KktError, KktSolver, SolveReport};
use crate::eqnlp::kkt::{KktMatrix, Regularization};

/// Which sketch the inner solver uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SketchKind {
    /// Randomized Kaczmarz (one row per iteration).
    Kaczmarz,
    /// Gaussian sketch-and-project with `block` Gaussian sketch vectors.
    Gaussian,
    /// Sparse sign / count-sketch blocks (for large sparse K).
    SparseSign,
}

impl std::str::FromStr for SketchKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "kaczmarz" | "rk" => Ok(Self::Kaczmarz),
            "gaussian" | "gauss" => Ok(Self::Gaussian),
            "sparse" | "sparse-sign" | "sparse_sign" | "countsketch" | "count-sketch" => {
                Ok(Self::SparseSign)
            }
            _ => Err(format!("unknown sketch '{s}' (kaczmarz, gaussian, sparse)")),
        }
    }
}

impl SketchKind {
    /// Name as used on the command line.
    pub fn as_str(&self) -> &'static str {
        match self {
            SketchKind::Kaczmarz => "kaczmarz",
            SketchKind::Gaussian => "gaussian",
            SketchKind::SparseSign => "sparse",
        }
    }
}

/// How rows are sampled (Kaczmarz and sparse sign sketches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Probability proportional to the squared row norm (Strohmer & Vershynin).
    SquaredNorm,
    /// Uniform over the nonzero rows.
    Uniform,
}

impl std::str::FromStr for Sampling {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "norm" | "squared_norm" | "squared-norm" => Ok(Self::SquaredNorm),
            "uniform" => Ok(Self::Uniform),
            _ => Err(format!("unknown sampling '{s}' (norm, uniform)")),
        }
    }
}

impl Sampling {
    /// Name as used on the command line.
    pub fn as_str(&self) -> &'static str {
        match self {
            Sampling::SquaredNorm => "norm",
            Sampling::Uniform => "uniform",
        }
    }
}

/// Parameters of the sketching solver (adasketch's settings of the same names).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SketchConfig {
    /// The sketch.
    pub kind: SketchKind,
    /// Row sampling (Kaczmarz, sparse sign).
    pub sampling: Sampling,
    /// Sketch size s (>= 1).
    pub block: usize,
    /// Rows combined per sparse sign sketch column (>= 1).
    pub column_nnz: usize,
    /// Symmetric Ruiz equilibration of K before sketching.
    pub equilibrate: bool,
    /// A solve counts as accurate once ||K d - b|| <= residual_floor (||K||_F ||d|| +
    /// ||b||), the round-off floor.
    pub residual_floor: f64,
    /// Give up early when the observed rate predicts a miss of the usable residual.
    pub stall_detection: bool,
}

/// Stall prediction starts after this many iterations of one call.
const MIN_STALL_ITERATIONS: usize = 1000;

/// Walker/Vose alias table for O(1) sampling from a discrete distribution.
struct Alias {
    prob: Vec<f64>,
    alias: Vec<usize>,
    small: Vec<usize>,
    large: Vec<usize>,
    scaled: Vec<f64>,
}

impl Alias {
    fn new(n: usize) -> Self {
        Self {
            prob: vec![0.0; n],
            alias: vec![0; n],
            small: Vec::with_capacity(n),
            large: Vec::with_capacity(n),
            scaled: vec![0.0; n],
        }
    }

    /// Rebuilds the table for weights `w` (nonnegative, not all zero).
    fn build(&mut self, w: &[f64]) {
        let n = w.len();
        let total: f64 = w.iter().sum();
        self.small.clear();
        self.large.clear();
        for i in 0..n {
            self.scaled[i] = w[i] * n as f64 / total;
            self.alias[i] = i;
            if self.scaled[i] < 1.0 {
                self.small.push(i);
            } else {
                self.large.push(i);
            }
        }
        while let (Some(&s), Some(&l)) = (self.small.last(), self.large.last()) {
            self.small.pop();
            self.prob[s] = self.scaled[s];
            self.alias[s] = l;
            self.scaled[l] -= 1.0 - self.scaled[s];
            if self.scaled[l] < 1.0 {
                self.large.pop();
                self.small.push(l);
            }
        }
        for &i in self.large.iter().chain(&self.small) {
            self.prob[i] = 1.0;
        }
    }

    #[inline]
    fn sample(&self, rng: &mut StdRng) -> usize {
        let n = self.prob.len();
        let u: f64 = rng.random::<f64>() * n as f64;
        let i = (u as usize).min(n - 1);
        if u - (i as f64) < self.prob[i] {
            i
        } else {
            self.alias[i]
        }
    }
}

/// The sketching solver with all its workspaces.
struct SketchSolver {
    cfg: SketchConfig,
    dim: usize,
    rng: StdRng,
    row_ptr: Vec<usize>,
    col_idx: Vec<usize>,
    scale: Vec<f64>,
    /// Values of the regularized K.
    raw: Vec<f64>,
    /// Values of the equilibrated K.
    vals: Vec<f64>,
    /// ||K||_F of the regularized K.
    k_frob: f64,
    row_norm2: Vec<f64>,
    alias: Alias,
    weights: Vec<f64>,
    y: Vec<f64>,
    bs: Vec<f64>,
    res: Vec<f64>,
    bnorm: f64,
    has_rows: bool,
    // Gaussian workspaces.
    s_mat: Vec<f64>,
    u_mat: Vec<f64>,
    // Block workspaces (Gaussian and sparse sign).
    gram: Vec<f64>,
    rho: Vec<f64>,
    // Sparse sign workspaces.
    acc: Vec<f64>,
    mark: Vec<bool>,
    touched: Vec<usize>,
    u_idx: Vec<usize>,
    u_val: Vec<f64>,
    u_ptr: Vec<usize>,
}

impl SketchSolver {
    /// Workspaces for the structure of `k`.
    fn new(k: &KktMatrix, cfg: SketchConfig, seed: u64) -> Self {
        let dim = k.dim();
        let block = cfg.block.max(1);
        let row_ptr = k.row_ptr();
        let max_row = (0..dim)
            .map(|i| row_ptr[i + 1] - row_ptr[i])
            .max()
            .unwrap_or(0);
        let (gauss, sparse) = match cfg.kind {
            SketchKind::Gaussian => (dim * block, 0),
            SketchKind::SparseSign => (0, block * cfg.column_nnz.max(1) * max_row),
            SketchKind::Kaczmarz => (0, 0),
        };
        let sparse_dense = if cfg.kind == SketchKind::SparseSign {
            dim
        } else {
            0
        };
        Self {
            cfg: SketchConfig {
                block,
                column_nnz: cfg.column_nnz.max(1),
                ..cfg
            },
            dim,
            rng: StdRng::seed_from_u64(seed),
            row_ptr: k.row_ptr().to_vec(),
            col_idx: k.col_idx().to_vec(),
            scale: vec![1.0; dim],
            raw: vec![0.0; k.nnz()],
            vals: vec![0.0; k.nnz()],
            k_frob: 0.0,
            row_norm2: vec![0.0; dim],
            alias: Alias::new(dim),
            weights: vec![0.0; dim],
            y: vec![0.0; dim],
            bs: vec![0.0; dim],
            res: vec![0.0; dim],
            bnorm: 0.0,
            has_rows: false,
            s_mat: vec![0.0; gauss],
            u_mat: vec![0.0; gauss],
            gram: vec![0.0; block * block],
            rho: vec![0.0; block],
            acc: vec![0.0; sparse_dense],
            mark: vec![false; sparse_dense],
            touched: Vec::with_capacity(sparse_dense),
            u_idx: Vec::with_capacity(sparse),
            u_val: Vec::with_capacity(sparse),
            u_ptr: vec![0; block + 1],
        }
    }

    /// Loads the current values of K + reg (equilibration, row norms, sampling table).
    fn load(&mut self, k: &KktMatrix, reg: Regularization) {
        let dim = self.dim;
        k.regularized_values(reg, &mut self.raw);
        self.k_frob = self.raw.iter().map(|v| v * v).sum::<f64>().sqrt();
        self.scale.fill(1.0);
        if self.cfg.equilibrate {
            // Symmetric Ruiz scaling: divide rows and columns by sqrt of the row max.
            for _ in 0..10 {
                let mut worst: f64 = 0.0;
                for i in 0..dim {
                    let mut mx: f64 = 0.0;
                    for p in self.row_ptr[i]..self.row_ptr[i + 1] {
                        let v = (self.raw[p] * self.scale[i] * self.scale[self.col_idx[p]]).abs();
                        mx = mx.max(v);
                    }
                    self.res[i] = mx;
                    if mx > 0.0 {
                        worst = worst.max((1.0 - mx).abs());
                    }
                }
                for i in 0..dim {
                    if self.res[i] > 0.0 {
                        self.scale[i] /= self.res[i].sqrt();
                    }
                }
                if worst < 0.1 {
                    break;
                }
            }
        }
        for i in 0..dim {
            let mut s2 = 0.0;
            for p in self.row_ptr[i]..self.row_ptr[i + 1] {
                let v = self.raw[p] * self.scale[i] * self.scale[self.col_idx[p]];
                self.vals[p] = v;
                s2 += v * v;
            }
            self.row_norm2[i] = s2;
            self.weights[i] = match self.cfg.sampling {
                Sampling::SquaredNorm => s2,
                Sampling::Uniform => {
                    if s2 > 0.0 {
                        1.0
                    } else {
                        0.0
                    }
                }
            };
        }
        self.has_rows = self.weights.iter().any(|&w| w > 0.0);
        if self.has_rows {
            self.alias.build(&self.weights);
        }
    }

    /// Sets the right side b (after [`Self::load`]).
    fn set_rhs(&mut self, b: &[f64]) {
        for i in 0..self.dim {
            self.bs[i] = self.scale[i] * b[i];
        }
        self.bnorm = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    }

    /// Sets the start point d0 (original variables).
    fn set_start(&mut self, d0: &[f64]) {
        for i in 0..self.dim {
            self.y[i] = d0[i] / self.scale[i];
        }
    }

    /// Writes the current iterate (original variables) into `d`.
    fn solution(&self, d: &mut [f64]) {
        for i in 0..self.dim {
            d[i] = self.scale[i] * self.y[i];
        }
    }

    /// (||K d - b||, ||d||) on the original system.
    fn residual(&mut self) -> (f64, f64) {
        let (mut r2, mut d2) = (0.0, 0.0);
        for i in 0..self.dim {
            let mut s = 0.0;
            for p in self.row_ptr[i]..self.row_ptr[i + 1] {
                s += self.vals[p] * self.y[self.col_idx[p]];
            }
            let r = (s - self.bs[i]) / self.scale[i];
            r2 += r * r;
            let d = self.scale[i] * self.y[i];
            d2 += d * d;
        }
        (r2.sqrt(), d2.sqrt())
    }

    /// Iterates until ||K d - b|| <= max(target, floor), `budget` iterations, `stop`,
    /// or (with stall detection) a prediction from the observed rate that even the looser
    /// residual `usable` cannot be reached within four times the budget.
    fn run(
        &mut self,
        target: f64,
        usable: f64,
        budget: usize,
        stop: &dyn Fn() -> bool,
    ) -> SolveReport {
        let k_frob = self.k_frob;
        let nnz = self.vals.len().max(1);
        let mut iterations = 0usize;
        let (mut res, mut dnorm) = self.residual();
        let mut checks = 0usize;
        let mut best = res;
        let mut anchor = (0usize, res);
        loop {
            let thr = target.max(self.cfg.residual_floor * (k_frob * dnorm + self.bnorm));
            let mut report = SolveReport {
                iterations,
                residual: res,
                reached: res <= thr,
                stalled: false,
                stopped: false,
            };
            if report.reached || iterations >= budget || !self.has_rows {
                return report;
            }
            if stop() {
                report.stopped = true;
                return report;
            }
            checks += 1;
            best = best.min(res);
            // Stall prediction from the best residual over the last half of the checks.
            if self.cfg.stall_detection
                && checks >= 16
                && iterations >= MIN_STALL_ITERATIONS
                && checks.is_power_of_two()
            {
                let (it0, r0) = anchor;
                let rate = (best.ln() - r0.ln()) / (iterations - it0) as f64;
                let goal = usable.max(thr);
                let needed = if best <= goal {
                    0.0
                } else if rate < 0.0 {
                    (goal.ln() - best.ln()) / rate
                } else {
                    f64::INFINITY
                };
                if iterations as f64 + needed > 4.0 * budget as f64 {
                    report.stalled = true;
                    return report;
                }
            }
            if checks.is_power_of_two() {
                anchor = (iterations, best);
            }
            let mut work = 0usize;
            while work < nnz && iterations < budget {
                work += match self.cfg.kind {
                    SketchKind::Kaczmarz => self.kaczmarz_step(),
                    SketchKind::Gaussian => self.gaussian_step(),
                    SketchKind::SparseSign => self.sparse_step(),
                };
                iterations += 1;
            }
            (res, dnorm) = self.residual();
        }
    }

    fn kaczmarz_step(&mut self) -> usize {
        let i = self.alias.sample(&mut self.rng);
        let (lo, hi) = (self.row_ptr[i], self.row_ptr[i + 1]);
        let mut s = 0.0;
        for p in lo..hi {
            s += self.vals[p] * self.y[self.col_idx[p]];
        }
        let coef = (self.bs[i] - s) / self.row_norm2[i];
        for p in lo..hi {
            self.y[self.col_idx[p]] += coef * self.vals[p];
        }
        2 * (hi - lo) + 1
    }

    fn gaussian_step(&mut self) -> usize {
        let (dim, s) = (self.dim, self.cfg.block);
        for v in self.s_mat.iter_mut() {
            *v = self.rng.sample(StandardNormal);
        }
        // U = K^ S (K^ symmetric, so also K^T S).
        self.u_mat.fill(0.0);
        for i in 0..dim {
            for p in self.row_ptr[i]..self.row_ptr[i + 1] {
                let (v, c) = (self.vals[p], self.col_idx[p]);
                for j in 0..s {
                    self.u_mat[j * dim + i] += v * self.s_mat[j * dim + c];
                }
            }
        }
        for j in 0..s {
            let u = &self.u_mat[j * dim..(j + 1) * dim];
            let sv = &self.s_mat[j * dim..(j + 1) * dim];
            let mut r = 0.0;
            for i in 0..dim {
                r += u[i] * self.y[i] - sv[i] * self.bs[i];
            }
            self.rho[j] = r;
            for k in 0..=j {
                let uk = &self.u_mat[k * dim..(k + 1) * dim];
                self.gram[j * s + k] = u.iter().zip(uk).map(|(a, b)| a * b).sum();
            }
        }
        if chol_solve(&mut self.gram, s, &mut self.rho) {
            for j in 0..s {
                let z = self.rho[j];
                let u = &self.u_mat[j * dim..(j + 1) * dim];
                for i in 0..dim {
                    self.y[i] -= z * u[i];
                }
            }
        }
        s * (self.vals.len() + (s + 3) * dim)
    }

    fn sparse_step(&mut self) -> usize {
        let (s, zeta) = (self.cfg.block, self.cfg.column_nnz);
        let inv = 1.0 / (zeta as f64).sqrt();
        self.u_idx.clear();
        self.u_val.clear();
        self.u_ptr[0] = 0;
        let mut work = 0;
        for j in 0..s {
            let mut sb = 0.0;
            for _ in 0..zeta {
                let r = self.alias.sample(&mut self.rng);
                let sign = if self.rng.random::<bool>() { inv } else { -inv };
                sb += sign * self.bs[r];
                for p in self.row_ptr[r]..self.row_ptr[r + 1] {
                    let c = self.col_idx[p];
                    if !self.mark[c] {
                        self.mark[c] = true;
                        self.touched.push(c);
                    }
                    self.acc[c] += sign * self.vals[p];
                }
                work += self.row_ptr[r + 1] - self.row_ptr[r];
            }
            let mut r = -sb;
            for &c in &self.touched {
                let v = self.acc[c];
                self.u_idx.push(c);
                self.u_val.push(v);
                r += v * self.y[c];
                self.acc[c] = 0.0;
                self.mark[c] = false;
            }
            self.touched.clear();
            self.rho[j] = r;
            self.u_ptr[j + 1] = self.u_idx.len();
        }
        // Gram matrix of the sketched rows.
        for j in 0..s {
            let (lo, hi) = (self.u_ptr[j], self.u_ptr[j + 1]);
            for p in lo..hi {
                self.acc[self.u_idx[p]] = self.u_val[p];
            }
            for k in 0..=j {
                let mut g = 0.0;
                for p in self.u_ptr[k]..self.u_ptr[k + 1] {
                    g += self.u_val[p] * self.acc[self.u_idx[p]];
                }
                self.gram[j * s + k] = g;
                work += self.u_ptr[k + 1] - self.u_ptr[k];
            }
            for p in lo..hi {
                self.acc[self.u_idx[p]] = 0.0;
            }
        }
        if chol_solve(&mut self.gram, s, &mut self.rho) {
            for j in 0..s {
                let z = self.rho[j];
                for p in self.u_ptr[j]..self.u_ptr[j + 1] {
                    self.y[self.u_idx[p]] -= z * self.u_val[p];
                }
            }
        }
        work + self.u_idx.len()
    }
}

/// The sketched [`KktSolver`]: [`Accuracy::Inexact`] requests run the sketching solver
/// (warm-started at `d`, or resumed), [`Accuracy::Exact`] requests a [`DirectLu`] of the
/// same system, analysed on first use and factored at most once per [`KktSolver::factor`].
pub struct SketchKkt {
    sketch: SketchSolver,
    direct: Option<DirectLu>,
    reg: Regularization,
    direct_factored: bool,
}

impl SketchKkt {
    /// Workspaces for the structure of `k`; the sketches are drawn from `seed`.
    pub fn new(k: &KktMatrix, config: SketchConfig, seed: u64) -> Self {
        Self {
            sketch: SketchSolver::new(k, config, seed),
            direct: None,
            reg: Regularization::default(),
            direct_factored: false,
        }
    }
}

impl KktSolver for SketchKkt {
    fn factor(&mut self, k: &KktMatrix, reg: Regularization) -> Result<Option<Inertia>, KktError> {
        self.reg = reg;
        self.direct_factored = false;
        self.sketch.load(k, reg);
        Ok(None)
    }

    fn solve(
        &mut self,
        k: &KktMatrix,
        b: &[f64],
        d: &mut [f64],
        accuracy: Accuracy,
        stop: &dyn Fn() -> bool,
    ) -> Result<SolveReport, KktError> {
        match accuracy {
            Accuracy::Exact | Accuracy::Refined { .. } => {
                let direct = self.direct.get_or_insert_with(|| DirectLu::new(k));
                if !self.direct_factored {
                    direct.factor(k, self.reg)?;
                    self.direct_factored = true;
                }
                direct.solve(k, b, d, accuracy, stop)
            }
            Accuracy::Inexact {
                target,
                usable,
                max_iterations,
                resume,
            } => {
                if !resume {
                    self.sketch.set_rhs(b);
                    self.sketch.set_start(d);
                }
                let report = self.sketch.run(target, usable, max_iterations, stop);
                self.sketch.solution(d);
                Ok(report)
            }
        }
    }
}

/// Solves G z = rho in place (G: s x s, lower triangle row-major, symmetric positive
/// semidefinite) by Cholesky with a tiny relative diagonal jitter; false when G vanishes.
fn chol_solve(g: &mut [f64], s: usize, rho: &mut [f64]) -> bool {
    let dmax = (0..s).map(|i| g[i * s + i]).fold(0.0, f64::max);
    if dmax.is_nan() || dmax <= 0.0 || !dmax.is_finite() {
        return false;
    }
    let jitter = 1e-12 * dmax;
    for j in 0..s {
        let mut d = g[j * s + j] + jitter;
        for k in 0..j {
            d -= g[j * s + k] * g[j * s + k];
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        g[j * s + j] = d;
        for i in j + 1..s {
            let mut v = g[i * s + j];
            for k in 0..j {
                v -= g[i * s + k] * g[j * s + k];
            }
            g[i * s + j] = v / d;
        }
    }
    for i in 0..s {
        let mut v = rho[i];
        for k in 0..i {
            v -= g[i * s + k] * rho[k];
        }
        rho[i] = v / g[i * s + i];
    }
    for i in (0..s).rev() {
        let mut v = rho[i];
        for k in i + 1..s {
            v -= g[k * s + i] * rho[k];
        }
        rho[i] = v / g[i * s + i];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use opal_problems::SparsityPattern;
    use rand_distr::Distribution;

    /// Random system: H = A A^T / n + I (SPD, dense lower pattern), J (m x n) random with
    /// ~40% density plus a diagonal part (full row rank); m = 0 gives an SPD system.
    fn random_kkt(n: usize, m: usize, seed: u64) -> (KktMatrix, Vec<f64>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let a: Vec<f64> = (0..n * n)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let (mut hr, mut hc, mut hv) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..n {
            for c in 0..=r {
                let mut v: f64 =
                    (0..n).map(|k| a[r * n + k] * a[c * n + k]).sum::<f64>() / n as f64;
                if r == c {
                    v += 1.0;
                }
                hr.push(r);
                hc.push(c);
                hv.push(v);
            }
        }
        let (mut jr, mut jc, mut jv) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..m {
            for j in 0..n {
                if j == i || rng.random::<f64>() < 0.4 {
                    jr.push(i);
                    jc.push(j);
                    jv.push(if j == i {
                        3.0
                    } else {
                        StandardNormal.sample(&mut rng)
                    });
                }
            }
        }
        let h = SparsityPattern::new(n, n, hr, hc);
        let j = SparsityPattern::new(m, n, jr, jc);
        let mut k = KktMatrix::new(&h, &j);
        k.assemble(&hv, &jv);
        let b = (0..n + m)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        (k, b)
    }

    fn true_residual(k: &KktMatrix, d: &[f64], b: &[f64]) -> f64 {
        let mut kd = vec![0.0; b.len()];
        k.matvec_with(k.values(), d, &mut kd);
        kd.iter()
            .zip(b)
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt()
    }

    #[test]
    fn every_sketch_reaches_the_requested_residual() {
        for (n, m) in [(12, 0), (20, 0), (12, 5), (25, 10)] {
            let (k, b) = random_kkt(n, m, (n * 100 + m) as u64);
            let bnorm = b.iter().map(|v| v * v).sum::<f64>().sqrt();
            for (kind, block) in [
                (SketchKind::Kaczmarz, 1),
                (SketchKind::Gaussian, 1),
                (SketchKind::Gaussian, 4),
                (SketchKind::SparseSign, 8),
            ] {
                for sampling in [Sampling::SquaredNorm, Sampling::Uniform] {
                    for equilibrate in [true, false] {
                        let cfg = SketchConfig {
                            kind,
                            sampling,
                            block,
                            column_nnz: 2,
                            equilibrate,
                            residual_floor: 0.0,
                            stall_detection: false,
                        };
                        let mut sk = SketchKkt::new(&k, cfg, 7);
                        sk.factor(&k, Regularization::default()).unwrap();
                        let target = 1e-8 * bnorm;
                        let mut d = vec![0.0; n + m];
                        let rep = sk
                            .solve(&k, &b, &mut d, inexact(target, 2_000_000, false), &never)
                            .unwrap();
                        let r = true_residual(&k, &d, &b);
                        assert!(
                            rep.reached,
                            "{kind:?}/{block}/{sampling:?}/{equilibrate} on ({n},{m}): {rep:?}"
                        );
                        assert!(
                            r <= target * (1.0 + 1e-6),
                            "{kind:?} ({n},{m}): {r} > {target}"
                        );
                        assert!((r - rep.residual).abs() <= 1e-9 * bnorm);
                    }
                }
            }
        }
    }

    fn never() -> bool {
        false
    }

    fn inexact(target: f64, max_iterations: usize, resume: bool) -> Accuracy {
        Accuracy::Inexact {
            target,
            usable: target,
            max_iterations,
            resume,
        }
    }

    #[test]
    fn warm_start_and_budget() {
        let (k, b) = random_kkt(15, 6, 3);
        let cfg = SketchConfig {
            kind: SketchKind::Kaczmarz,
            sampling: Sampling::SquaredNorm,
            block: 1,
            column_nnz: 1,
            equilibrate: true,
            residual_floor: 0.0,
            stall_detection: false,
        };
        let mut sk = SketchKkt::new(&k, cfg, 1);
        sk.factor(&k, Regularization::default()).unwrap();
        let mut d = vec![0.0; 21];
        // A budget of 10 iterations is respected and reported as not reached.
        let rep = sk
            .solve(&k, &b, &mut d, inexact(0.0, 10, false), &never)
            .unwrap();
        assert!(!rep.reached && rep.iterations == 10, "{rep:?}");
        // Resumed, then started at an exact solution: no iteration is needed.
        sk.solve(&k, &b, &mut d, inexact(1e-13, 10_000_000, true), &never)
            .unwrap();
        let rep = sk
            .solve(&k, &b, &mut d, inexact(1e-12, 100, false), &never)
            .unwrap();
        assert!(rep.reached && rep.iterations == 0, "{rep:?}");
        // A stop request ends the solve at its next check.
        let rep = sk
            .solve(
                &k,
                &b,
                &mut [0.0; 21],
                inexact(0.0, 1_000_000, false),
                &|| true,
            )
            .unwrap();
        assert!(rep.stopped && !rep.reached, "{rep:?}");
        // The exact request goes to the direct fallback.
        let rep = sk.solve(&k, &b, &mut d, Accuracy::Exact, &never).unwrap();
        assert!(rep.residual < 1e-10 && rep.iterations == 0, "{rep:?}");
        // Same seed, same iterates.
        let run = || {
            let mut s = SketchKkt::new(&k, cfg, 9);
            s.factor(&k, Regularization::default()).unwrap();
            let mut d = vec![0.0; 21];
            s.solve(&k, &b, &mut d, inexact(0.0, 500, false), &never)
                .unwrap();
            d
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn alias_table_matches_weights() {
        let mut a = Alias::new(4);
        a.build(&[1.0, 0.0, 3.0, 4.0]);
        let mut rng = StdRng::seed_from_u64(1);
        let mut counts = [0usize; 4];
        for _ in 0..80_000 {
            counts[a.sample(&mut rng)] += 1;
        }
        assert_eq!(counts[1], 0);
        for (i, w) in [(0, 1.0), (2, 3.0), (3, 4.0)] {
            let f = counts[i] as f64 / 80_000.0;
            assert!((f - w / 8.0).abs() < 0.01, "{i}: {f}");
        }
    }

    #[test]
    fn small_cholesky_solve() {
        // G = [[4, 2], [2, 3]] stored lower row-major.
        let mut g = [4.0, 0.0, 2.0, 3.0];
        let mut r = [2.0, 1.0];
        assert!(chol_solve(&mut g, 2, &mut r));
        assert!((4.0 * r[0] + 2.0 * r[1] - 2.0).abs() < 1e-9);
        assert!((2.0 * r[0] + 3.0 * r[1] - 1.0).abs() < 1e-9);
    }
}
