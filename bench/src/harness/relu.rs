//! The relu suite: convex ReLU training (gated program) by ADMM and FISTA on small LIBSVM
//! classification sets. Its Python anchors (CVXPY + SCS, CVXPY + Clarabel, scnn) solve the
//! same program on the same gates, exported by `harness export relu DIR`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::registry::{Case, Suite};
use super::{Config, Record};
use crate::relu::{export_gates, read_dataset};

/// Small LIBSVM classification sets for convex ReLU training.
pub const RELU_SETS: &[&str] = &[
    "sonar_scale",
    "ionosphere_scale",
    "heart_scale",
    "breast-cancer_scale",
    "australian_scale",
    "diabetes_scale",
    "german.numer_scale",
];

/// Group-lasso weight of the suite's program.
pub const LAM: f64 = 1e-3;

/// The relu suite.
pub struct Relu;

impl Suite for Relu {
    fn name(&self) -> &'static str {
        "relu"
    }
    fn description(&self) -> &'static str {
        "convex ReLU training (gated program) on small LIBSVM classification sets"
    }
    fn solved_criterion(&self) -> &'static str {
        "the solver's stopping test (ADMM residuals / FISTA subgradient <= 1e-6; anchors: their own optimality status)"
    }
    fn solvers(&self) -> &'static [&'static str] {
        &["admm", "fista"]
    }
    fn anchor(&self) -> &'static str {
        "fista"
    }
    fn python_anchors(&self) -> &'static [&'static str] {
        &["cvxpy-scs", "cvxpy-clarabel", "scnn"]
    }
    fn cases(&self, cfg: &Config) -> Vec<Case> {
        let sets: &[&str] = if cfg.quick {
            &RELU_SETS[..2]
        } else {
            RELU_SETS
        };
        let patterns = if cfg.quick { 10 } else { 50 };
        sets.iter()
            .map(|set| Case {
                problem: set.to_string(),
                spec: cfg
                    .shared
                    .join("data/libsvm")
                    .join(set)
                    .to_string_lossy()
                    .into_owned(),
                reference: None,
                dims: vec![patterns],
            })
            .collect()
    }
    fn run_case(&self, case: &Case, solver: &str, seed: u64, time_limit: f64) -> Record {
        relu_record(case, solver, seed, time_limit)
    }
    fn export(&self, cfg: &Config, dir: &Path) -> Result<Vec<serde_json::Value>, String> {
        export_relu(cfg, dir)?
            .iter()
            .map(|e| serde_json::to_value(e).map_err(|e| e.to_string()))
            .collect()
    }
    /// A Python anchor's row: solved when its solver reported an optimal answer.
    fn judge(&self, r: &mut Record) {
        r.solved = r.status == "converged";
    }
}

/// The suite's settings for a case: gated program, lam 1e-3, tol 1e-6, the case's pattern
/// count and the seed.
fn settings(case: &Case, seed: u64) -> opal_relu::Settings {
    use opal_relu::{Settings, Variant};
    Settings::default()
        .lam(LAM)
        .n_patterns(case.dims.first().copied().unwrap_or(0))
        .seed(seed)
        .tol(1e-6)
        .variant(Variant::parse("gated").expect("gated is a variant"))
}

fn relu_record(case: &Case, solver: &str, seed: u64, t: f64) -> Record {
    use opal_core::Status;
    use opal_relu::{Settings, SolverKind, Task, fit};
    let mut r = Record::new("relu", &case.problem, solver, seed);
    let ds = match read_dataset(Path::new(&case.spec), None, Task::Classification) {
        Ok(d) => d,
        Err(e) => return r.refused(e),
    };
    let budget = match Settings::default().budget.with_time_limit_secs(t) {
        Ok(b) => b,
        Err(e) => return r.refused(e),
    };
    let kind = if solver == "fista" {
        SolverKind::Fista
    } else {
        SolverKind::Admm
    };
    let settings = settings(case, seed).solver(kind).budget(budget);
    let res = match fit(&ds, &settings) {
        Ok(f) => f,
        Err(e) => return r.refused(e),
    };
    r.status = res.status.as_str().into();
    r.solved = res.status == Status::Converged;
    r.iterations = Some(res.iterations as u64);
    r.time_s = Some(res.time);
    r.objective = Some(res.objective);
    r.n = Some(ds.d() as u64);
    r.m = Some(ds.n() as u64);
    r
}

/// One exported relu instance (`harness export relu DIR`): the directory holding X, y and
/// the gates (`X.txt`, `y.txt`, `G.txt`, `D.txt`) of one (set, seed).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExportedRelu {
    /// Suite name (`relu`).
    pub suite: String,
    /// Problem name, as in the records (the LIBSVM set).
    pub problem: String,
    /// Seed of the gates.
    pub seed: u64,
    /// Directory of the text files.
    pub dir: String,
    /// Program (`gated`).
    pub variant: String,
    /// Group-lasso weight.
    pub lam: f64,
    /// Samples.
    pub n: usize,
    /// Columns of X.
    pub d: usize,
    /// Gates kept.
    pub patterns: usize,
    /// Time limit per solve in seconds.
    pub time_limit: f64,
}

/// Writes the data and gates of every (set, seed) of the suite into subdirectories of
/// `dir` and returns their descriptions.
pub fn export_relu(cfg: &Config, dir: &Path) -> Result<Vec<ExportedRelu>, String> {
    use opal_relu::Task;
    let t = cfg
        .time_limit
        .unwrap_or_else(|| Relu.default_time_limit(cfg.quick));
    let mut out = Vec::new();
    for case in Relu.cases(cfg) {
        let ds = read_dataset(Path::new(&case.spec), None, Task::Classification)?;
        for seed in 0..cfg.seeds {
            let sub = dir.join(format!("relu-{}-s{seed}", case.problem));
            let set = settings(&case, seed);
            let e = export_gates(&ds, &set, &sub)?;
            out.push(ExportedRelu {
                suite: "relu".into(),
                problem: case.problem.clone(),
                seed,
                dir: sub.to_string_lossy().into_owned(),
                variant: set.variant.name().into(),
                lam: set.lam,
                n: e.n,
                d: e.d,
                patterns: e.kept,
                time_limit: t,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_relu_gates_are_the_gates_the_solver_samples() {
        if opal_problems::shared_data::require("data/libsvm", "relu export").is_none() {
            return;
        }
        let shared = opal_problems::shared_data::shared_dir().unwrap();
        let dir = std::env::temp_dir().join(format!("opal-export-relu-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = Config {
            seeds: 2,
            ..Config::quick(&["relu"], shared)
        };
        let listed = export_relu(&cfg, &dir).unwrap();
        assert_eq!(listed.len(), 4);
        let case = &Relu.cases(&cfg)[0];
        let ds =
            read_dataset(Path::new(&case.spec), None, opal_relu::Task::Classification).unwrap();
        for e in listed.iter().filter(|e| e.problem == case.problem) {
            let gates = opal_relu::sample_gates(ds.x.as_ref(), 10, e.seed);
            assert_eq!(e.patterns, gates.len());
            let d = std::fs::read_to_string(Path::new(&e.dir).join("D.txt")).unwrap();
            assert_eq!(d.lines().count(), ds.n());
            let first: Vec<f64> = d
                .lines()
                .next()
                .unwrap()
                .split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect();
            let want: Vec<f64> = (0..gates.len()).map(|j| gates.patterns[(0, j)]).collect();
            assert_eq!(first, want);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
