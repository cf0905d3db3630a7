//! The hot kernel of completion's sweeps, set up outside the solver: a half-sweep of column
//! regressions against a fixed, incoherent factor U at a chosen stage of a run, with the
//! features gathered from U exactly as the solver gathers them. Shared by the crossover
//! study `completion_sweep` and the criterion bench `benches/completion.rs`.

use opal_completion::RegressionSolver;
use opal_completion::regression::{
    self, LsqProblem, RegressionOptions, RegressionStats, RegressionWorkspace,
};

/// SplitMix64, the generator of the test cells.
pub struct Rng(pub u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A standard normal sample (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let (a, b) = (1.0 - self.unit(), self.unit());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }
    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
}

/// Gram-Schmidt (twice) orthonormalization of a row-major rows x k matrix.
pub fn orthonormalize(a: &mut [f64], rows: usize, k: usize) {
    for c in 0..k {
        for _ in 0..2 {
            for p in 0..c {
                let d: f64 = (0..rows).map(|i| a[i * k + c] * a[i * k + p]).sum();
                for i in 0..rows {
                    a[i * k + c] -= d * a[i * k + p];
                }
            }
        }
        let nrm = (0..rows).map(|i| a[i * k + c].powi(2)).sum::<f64>().sqrt();
        for i in 0..rows {
            a[i * k + c] /= nrm;
        }
    }
}

/// `cols` column regressions of an alternating-minimization half-sweep against one U.
pub struct Cell {
    /// Unknowns per regression.
    pub k: usize,
    /// Number of regressions (columns of the matrix).
    pub cols: usize,
    /// Observed entries per column, |Omega_j|.
    pub len: usize,
    /// The fixed factor U, row-major m x k.
    pub u: Vec<f64>,
    /// Rows observed in each column.
    pub rows_of: Vec<Vec<u32>>,
    /// Observed values of each column.
    pub b_of: Vec<Vec<f64>>,
    /// Warm start (a previous-sweep-like value), row-major cols x k.
    pub warm: Vec<f64>,
}

/// A cell with |Omega_j| = `ratio` k entries per column, an iterate U at subspace error
/// `delta` from the truth, mapped by W diag(d) W^T with d from 1 to 1/`cond` when
/// `cond` > 1 (un-normalized factors).
pub fn build(k: usize, ratio: usize, cols: usize, delta: f64, cond: f64, seed: u64) -> Cell {
    let len = ratio * k;
    let m = (4 * len).max(2000);
    let mut rng = Rng(seed);
    let mut ustar: Vec<f64> = (0..m * k).map(|_| rng.normal()).collect();
    orthonormalize(&mut ustar, m, k);
    let vstar: Vec<f64> = (0..cols * k)
        .map(|_| rng.normal() * (m as f64).sqrt())
        .collect();
    // current iterate: U = orth(U* + delta G / sqrt(m)), subspace error ~ delta
    let mut u: Vec<f64> = ustar
        .iter()
        .map(|x| x + delta * rng.normal() / (m as f64).sqrt())
        .collect();
    orthonormalize(&mut u, m, k);
    // U^T U* (k x k) for the warm start U^T U* v*_j
    let mut utu = vec![0.0; k * k];
    for i in 0..m {
        for p in 0..k {
            for q in 0..k {
                utu[p * k + q] += u[i * k + p] * ustar[i * k + q];
            }
        }
    }
    let mut rows_of = Vec::with_capacity(cols);
    let mut b_of = Vec::with_capacity(cols);
    let mut warm = vec![0.0; cols * k];
    let mut perm: Vec<u32> = (0..m as u32).collect();
    for j in 0..cols {
        for t in 0..len {
            let s = t + rng.below(m - t);
            perm.swap(t, s);
        }
        let mut rows: Vec<u32> = perm[..len].to_vec();
        rows.sort_unstable();
        let vj = &vstar[j * k..(j + 1) * k];
        let b: Vec<f64> = rows
            .iter()
            .map(|&i| (0..k).map(|c| ustar[i as usize * k + c] * vj[c]).sum())
            .collect();
        let xn = vj.iter().map(|x| x * x).sum::<f64>().sqrt();
        for p in 0..k {
            let proj: f64 = (0..k).map(|q| utu[p * k + q] * vj[q]).sum();
            warm[j * k + p] = proj + 2.0 * delta * xn * rng.normal() / (k as f64).sqrt();
        }
        rows_of.push(rows);
        b_of.push(b);
    }
    // Un-normalized factors (ridge mode keeps them so): U <- U W diag(d) W^T with W a
    // random rotation and d log-spaced from 1 to 1/cond (correlated columns, which a
    // diagonal preconditioner cannot undo); the warm start gets the inverse map.
    if cond > 1.0 {
        let mut w: Vec<f64> = (0..k * k).map(|_| rng.normal()).collect();
        orthonormalize(&mut w, k, k);
        let d: Vec<f64> = (0..k)
            .map(|c| cond.powf(-(c as f64) / ((k - 1).max(1) as f64)))
            .collect();
        // T = W diag(d) W^T (symmetric), T^-1 = W diag(1/d) W^T
        let t = |inv: bool| -> Vec<f64> {
            let mut out = vec![0.0; k * k];
            for p in 0..k {
                for q in 0..k {
                    out[p * k + q] = (0..k)
                        .map(|c| w[p * k + c] * w[q * k + c] * if inv { 1.0 / d[c] } else { d[c] })
                        .sum();
                }
            }
            out
        };
        let (tm, ti) = (t(false), t(true));
        let mut tmp = vec![0.0; k];
        for i in 0..m {
            for q in 0..k {
                tmp[q] = (0..k).map(|p| u[i * k + p] * tm[p * k + q]).sum();
            }
            u[i * k..(i + 1) * k].copy_from_slice(&tmp);
        }
        for j in 0..cols {
            for p in 0..k {
                tmp[p] = (0..k).map(|q| ti[p * k + q] * warm[j * k + q]).sum();
            }
            warm[j * k..(j + 1) * k].copy_from_slice(&tmp);
        }
    }
    Cell {
        k,
        cols,
        len,
        u,
        rows_of,
        b_of,
        warm,
    }
}

/// Per-thread scratch of a half-sweep: the gathered features and the solver workspace.
pub struct Scratch {
    a: Vec<f64>,
    ws: RegressionWorkspace,
}

impl Scratch {
    /// Scratch for the regressions of `cell` with the sketch parameters of `opts`.
    pub fn new(cell: &Cell, opts: &RegressionOptions) -> Self {
        Self {
            a: vec![0.0; cell.len * cell.k],
            ws: RegressionWorkspace::new(cell.len, cell.k, opts),
        }
    }
}

/// Regression `j` of the cell: gathers its rows of U and solves into `x` (on entry the
/// warm start), as the solver's half-sweep does.
pub fn solve_column(
    cell: &Cell,
    j: usize,
    solver: RegressionSolver,
    opts: &RegressionOptions,
    scratch: &mut Scratch,
    x: &mut [f64],
) -> RegressionStats {
    let k = cell.k;
    let a = &mut scratch.a;
    for (q, &i) in cell.rows_of[j].iter().enumerate() {
        a[q * k..(q + 1) * k].copy_from_slice(&cell.u[i as usize * k..(i as usize + 1) * k]);
    }
    let p = LsqProblem {
        a: &a[..cell.len * k],
        b: &cell.b_of[j],
        rows: cell.len,
        k,
        lambda: 0.0,
    };
    regression::solve(solver, &p, x, opts, &mut scratch.ws, j as u64 * 7 + 1)
}

/// Names of the completion regression solvers, as on the command lines and in the records.
pub const REGRESSION_SOLVERS: [&str; 4] = ["auto", "exact", "cg", "sketch"];

/// The regression solver called `name` (`auto` for any other name).
pub fn regression_solver(name: &str) -> RegressionSolver {
    match name {
        "exact" => RegressionSolver::Exact,
        "cg" => RegressionSolver::Cg,
        "sketch" => RegressionSolver::Sketch,
        _ => RegressionSolver::Auto,
    }
}
