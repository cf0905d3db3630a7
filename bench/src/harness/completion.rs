//! The completion suite: opal's alternating least squares (each regression solver) on
//! planted noiseless low-rank instances, judged by the error against the planted truth;
//! fancyimpute's SoftImpute is its Python anchor, on the instances `harness export
//! completion DIR` writes.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::registry::{Case, Suite};
use super::{Config, Record};

/// The recovery error a solved run reaches.
pub const ERROR_TOL: f64 = 1e-6;

/// The completion suite.
pub struct Completion;

impl Suite for Completion {
    fn name(&self) -> &'static str {
        "completion"
    }
    fn description(&self) -> &'static str {
        "matrix completion of planted low-rank matrices (ALS, each regression solver)"
    }
    fn solved_criterion(&self) -> &'static str {
        "converged and relative Frobenius error of U V^T <= 1e-6"
    }
    fn solvers(&self) -> &'static [&'static str] {
        &["auto", "exact", "cg", "sketch"]
    }
    fn anchor(&self) -> &'static str {
        "exact"
    }
    fn python_anchors(&self) -> &'static [&'static str] {
        &["softimpute"]
    }
    fn cases(&self, cfg: &Config) -> Vec<Case> {
        completion_sizes(cfg.quick)
            .iter()
            .map(|&(size, k)| Case {
                problem: format!("n={size},k={k}"),
                dims: vec![size, k],
                ..Case::default()
            })
            .collect()
    }
    fn run_case(&self, case: &Case, solver: &str, seed: u64, time_limit: f64) -> Record {
        match case.dims[..] {
            [size, k] => completion_record(size, k, solver, seed, time_limit),
            _ => Record::new(self.name(), &case.problem, solver, seed).refused("no size"),
        }
    }
    fn export(&self, cfg: &Config, dir: &Path) -> Result<Vec<serde_json::Value>, String> {
        export_completion(cfg, dir)?
            .iter()
            .map(|e| serde_json::to_value(e).map_err(|e| e.to_string()))
            .collect()
    }
    /// A Python anchor's row: converged and recovery error <= 1e-6, as for opal's runs.
    fn judge(&self, r: &mut Record) {
        r.solved = r.status == "converged" && r.error.is_some_and(|e| e <= ERROR_TOL);
    }
}

/// Relative Frobenius error of U V^T (column-major factors, rank `k2`) against the planted
/// factors of a completion instance, entry by entry, rows in parallel.
pub fn completion_error(
    inst: &opal_problems::generators::completion::CompletionInstance,
    u: &[f64],
    v: &[f64],
    k2: usize,
) -> f64 {
    let (m, n, k) = (inst.observed.nrows, inst.observed.ncols, inst.rank);
    let parts: Vec<(f64, f64)> = (0..m)
        .into_par_iter()
        .map(|i| {
            let (mut num, mut den) = (0.0, 0.0);
            for j in 0..n {
                let t: f64 = (0..k).map(|r| inst.u[i + r * m] * inst.v[j + r * n]).sum();
                let e: f64 = (0..k2).map(|r| u[i + r * m] * v[j + r * n]).sum();
                num += (t - e) * (t - e);
                den += t * t;
            }
            (num, den)
        })
        .collect();
    let (num, den) = parts
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    (num / den).sqrt()
}

/// The (size, rank) cells of the completion suite: square size x size matrices of rank k.
pub fn completion_sizes(quick: bool) -> &'static [(usize, usize)] {
    if quick {
        &[(150, 3), (300, 3)]
    } else {
        &[(500, 5), (1000, 5), (2000, 10)]
    }
}

/// Observed entries of a completion instance: 5x the degrees of freedom k (2 size - k).
pub fn completion_observed(size: usize, k: usize) -> usize {
    5 * k * (2 * size - k)
}

/// The planted completion instance of the suite for (size, k, seed), noiseless.
pub fn completion_instance(
    size: usize,
    k: usize,
    seed: u64,
) -> Result<
    opal_problems::generators::completion::CompletionInstance,
    opal_problems::error::ProblemError,
> {
    let obs = completion_observed(size, k);
    opal_problems::generators::completion::low_rank(size, size, k, obs, 0.0, seed)
}

/// One exported completion instance (`harness export completion DIR`): the files holding
/// the observed entries (MatrixMarket coordinate, 1-based) and the planted factors
/// (MatrixMarket arrays, size x k), so that the Python anchors solve the same instances.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExportedCompletion {
    /// Suite name (`completion`).
    pub suite: String,
    /// Problem name, as in the records (`n=SIZE,k=K`).
    pub problem: String,
    /// Rows = columns.
    pub size: usize,
    /// Planted rank.
    pub rank: usize,
    /// Seed of the instance.
    pub seed: u64,
    /// Observed entries, MatrixMarket coordinate file.
    pub observed: String,
    /// Planted left factor U (truth = U V^T), MatrixMarket array file.
    pub u: String,
    /// Planted right factor V, MatrixMarket array file.
    pub v: String,
    /// Time limit per solve in seconds.
    pub time_limit: f64,
}

/// Writes every instance of the completion suite (sizes of `cfg.quick`, seeds 0..cfg.seeds)
/// into `dir` and returns their descriptions.
pub fn export_completion(cfg: &Config, dir: &Path) -> Result<Vec<ExportedCompletion>, String> {
    use opal_problems::formats::matrix_market::{
        DenseMatrix, write_matrix_market, write_matrix_market_array,
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let t = cfg
        .time_limit
        .unwrap_or_else(|| Completion.default_time_limit(cfg.quick));
    let mut out = Vec::new();
    for &(size, k) in completion_sizes(cfg.quick) {
        for seed in 0..cfg.seeds {
            let inst = completion_instance(size, k, seed).map_err(|e| e.to_string())?;
            let stem = format!("completion-n{size}-k{k}-s{seed}");
            let path = |suffix: &str| dir.join(format!("{stem}{suffix}.mtx"));
            let (obs, u, v) = (path(""), path("-u"), path("-v"));
            write_matrix_market(&obs, &inst.observed).map_err(|e| e.to_string())?;
            for (p, data) in [(&u, &inst.u), (&v, &inst.v)] {
                let d = DenseMatrix {
                    nrows: size,
                    ncols: k,
                    data: data.clone(),
                };
                write_matrix_market_array(p, &d).map_err(|e| e.to_string())?;
            }
            out.push(ExportedCompletion {
                suite: "completion".into(),
                problem: format!("n={size},k={k}"),
                size,
                rank: k,
                seed,
                observed: obs.to_string_lossy().into_owned(),
                u: u.to_string_lossy().into_owned(),
                v: v.to_string_lossy().into_owned(),
                time_limit: t,
            });
        }
    }
    Ok(out)
}

fn completion_record(size: usize, k: usize, solver: &str, seed: u64, t: f64) -> Record {
    use opal_completion::{DEFAULT_MAX_SWEEPS, Settings, complete};
    use opal_core::Budget;
    let name = format!("n={size},k={k}");
    let mut r = Record::new("completion", &name, solver, seed);
    let obs = completion_observed(size, k);
    let inst = match completion_instance(size, k, seed) {
        Ok(i) => i,
        Err(e) => return r.refused(e),
    };
    let which = crate::completion_kernel::regression_solver(solver);
    let budget = match Budget::iterations(DEFAULT_MAX_SWEEPS).with_time_limit_secs(t) {
        Ok(b) => b,
        Err(e) => return r.refused(e),
    };
    let settings = Settings::default()
        .rank(k)
        .seed(seed)
        .solver(which)
        .budget(budget);
    let t0 = Instant::now();
    let c = match complete(&inst.observed, &settings) {
        Ok(c) => c,
        Err(e) => return r.refused(e),
    };
    r.time_s = Some(t0.elapsed().as_secs_f64());
    let err = completion_error(&inst, &c.u, &c.v, c.rank);
    r.status = c.status.as_str().into();
    r.solved = c.recovered() && err <= ERROR_TOL;
    r.iterations = Some(c.iterations as u64);
    r.error = Some(err);
    r.objective = Some(c.train_rmse);
    r.n = Some((2 * size) as u64);
    r.m = Some(obs as u64);
    r
}
