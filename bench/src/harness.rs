//! The suite harness: builds (suite, problem, solver, seed) tasks, runs them in parallel
//! across problems (rayon, one solver thread each), and writes one [`Record`] per run as
//! JSON lines and CSV, plus `meta.json` (command, machine, date, limits).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{ipopt, mip, nlp};

/// Every suite, in report order.
pub const SUITES: &[&str] = &[
    "cutest-paper",
    "cutest-eq",
    "logreg",
    "pde",
    "miplib",
    "completion",
    "calibration",
    "relu",
];

/// The LIBSVM sets of the sketched-Newton paper's logistic regression.
pub use opal_problems::suites::LOGREG_PAPER as LOGREG_SETS;

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

/// MIPLIB instances of `shared/data/mps/miplib`.
pub const MIPLIB: &[&str] = &[
    "pk1",
    "gen-ip054",
    "noswot",
    "50v-10",
    "b1c1s1",
    "neos-5140963-mincio",
];

/// One run of one solver on one problem.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// Suite name.
    pub suite: String,
    /// Problem (instance) name.
    pub problem: String,
    /// Solver name.
    pub solver: String,
    /// Seed of the run (0 for deterministic solvers).
    pub seed: u64,
    /// The solver's status (`not_installed` for a missing anchor, `refused: ...` when the
    /// solver rejected the problem).
    pub status: String,
    /// Solved by the suite's criterion (see [`solved_criterion`]).
    pub solved: bool,
    /// Iterations (outer iterations, sweeps, LNS rounds).
    pub iterations: Option<u64>,
    /// Wall-clock seconds of the solve.
    pub time_s: Option<f64>,
    /// Final objective.
    pub objective: Option<f64>,
    /// Reference objective (SIF `*LO SOLTN`, known MIP optimum).
    pub reference: Option<f64>,
    /// Objective within 1e-5 (relative) of the reference.
    pub matches_reference: Option<bool>,
    /// KKT residual ||(grad L, c)|| measured by the harness (NLP suites).
    pub kkt: Option<f64>,
    /// Primal gap to the known optimum (MIP).
    pub primal_gap: Option<f64>,
    /// Recovery error against the planted truth (completion, calibration).
    pub error: Option<f64>,
    /// Variables.
    pub n: Option<u64>,
    /// Constraints (or observations).
    pub m: Option<u64>,
}

/// What "solved" means per suite, for the report.
pub fn solved_criterion(suite: &str) -> &'static str {
    match suite {
        "cutest-paper" | "cutest-eq" | "logreg" | "pde" => {
            "the solver's own convergence test (opal: ||(grad L, c)||_2 <= 1e-6; IPOPT: Solve_Succeeded at tol = dual_inf_tol = constr_viol_tol = 1e-6)"
        }
        "miplib" => "primal gap to the known optimum <= 1e-6 within the time limit",
        "completion" => "converged and relative Frobenius error of U V^T <= 1e-6",
        "calibration" => "relative errors of x and d both <= 1e-6",
        "relu" => "the solver's stopping test (ADMM residuals / FISTA subgradient <= 1e-6)",
        _ => "",
    }
}

/// The solvers of a suite (opal's first, anchors after).
pub fn suite_solvers(suite: &str) -> &'static [&'static str] {
    match suite {
        "cutest-paper" | "cutest-eq" | "logreg" | "pde" => {
            &["adasketch", "newton", "auglag", "ipopt"]
        }
        "miplib" => &["balans", "highs"],
        "completion" => &["auto", "exact", "cg", "sketch"],
        "calibration" => &["pgd", "linear"],
        "relu" => &["admm", "fista"],
        _ => &[],
    }
}

/// The Python anchors of a suite (`bench/python/anchors.py`, rows in `anchors*.jsonl`),
/// reported after the suite's own solvers.
pub fn python_anchors(suite: &str) -> &'static [&'static str] {
    match suite {
        "cutest-paper" | "cutest-eq" | "logreg" | "pde" => &["scipy-trust-constr", "scipy-slsqp"],
        "miplib" => &["balans-py"],
        "completion" => &["softimpute"],
        _ => &[],
    }
}

/// The anchor that time ratios are taken against.
pub fn anchor(suite: &str) -> &'static str {
    match suite {
        "cutest-paper" | "cutest-eq" | "logreg" | "pde" => "ipopt",
        "miplib" => "highs",
        "completion" => "exact",
        "calibration" => "linear",
        "relu" => "fista",
        _ => "",
    }
}

/// Harness options.
#[derive(Debug, Clone)]
pub struct Config {
    /// Suites to run.
    pub suites: Vec<String>,
    /// Only these solvers (all of each suite when `None`).
    pub solvers: Option<Vec<String>>,
    /// Time limit per solve; `None` = the suite's default.
    pub time_limit: Option<f64>,
    /// Seeds 0..seeds for randomized solvers and generated instances.
    pub seeds: u64,
    /// Tiny problems and limits.
    pub quick: bool,
    /// Worker threads (parallel runs).
    pub jobs: usize,
    /// The `shared` directory (data).
    pub shared: PathBuf,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// The suite's default time limit per solve in seconds.
pub fn default_time_limit(suite: &str, quick: bool) -> f64 {
    match (suite, quick) {
        ("miplib", true) => 2.0,
        ("miplib", false) => 20.0,
        ("cutest-eq", _) => 5.0,
        (_, true) => 5.0,
        ("logreg", false) | ("pde", false) => 60.0,
        _ => 30.0,
    }
}

type Job = Box<dyn FnOnce() -> Record + Send>;

/// One unit of work: a solver on a problem with a seed.
pub struct Task {
    /// Progress label.
    pub label: String,
    job: Job,
}

fn base(suite: &str, problem: &str, solver: &str, seed: u64) -> Record {
    Record {
        suite: suite.into(),
        problem: problem.into(),
        solver: solver.into(),
        seed,
        ..Record::default()
    }
}

fn refused(mut r: Record, why: impl std::fmt::Display) -> Record {
    r.status = format!("refused: {why}");
    r
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-5 * b.abs().max(1.0)
}

/// One NLP run (opal solver or IPOPT) on a problem loaded from `spec`.
fn nlp_record(
    suite: &str,
    name: &str,
    spec: &str,
    solver: &str,
    seed: u64,
    time_limit: f64,
    reference: Option<f64>,
) -> Record {
    let mut r = base(suite, name, solver, seed);
    let p = match nlp::load(spec) {
        Ok(p) => p,
        Err(e) => return refused(r, e),
    };
    let info = p.info();
    r.n = Some(info.n() as u64);
    r.m = Some(info.m() as u64);
    r.reference = reference;
    if solver == "ipopt" {
        let s = ipopt::Settings {
            time_limit,
            ..ipopt::Settings::default()
        };
        match ipopt::solve(&*p, &s) {
            Ok(out) => {
                r.status = out.status().into();
                r.solved = out.solved();
                r.iterations = Some(out.iterations as u64);
                r.time_s = Some(out.time_s);
                r.objective = Some(out.objective);
                r.kkt = nlp::kkt_residual(&*p, &out.x, &out.lambda).ok();
            }
            Err(ipopt::IpoptError::NotInstalled(_)) => r.status = "not_installed".into(),
            Err(e) => return refused(r, e),
        }
    } else {
        let common = nlp::Common {
            time_limit,
            tol: Some(1e-15),
            abs_tol: Some(1e-6),
            params: if solver == "adasketch" {
                vec![format!("seed={seed}")]
            } else {
                Vec::new()
            },
            ..nlp::Common::default()
        };
        match nlp::run(solver, &*p, &common) {
            Ok(out) => {
                r.status = out.status.as_str().into();
                r.solved = out.status.is_success() && out.kkt_residual <= 1e-6;
                r.iterations = Some(out.iterations as u64);
                r.time_s = Some(out.time.as_secs_f64());
                r.objective = Some(out.objective);
                r.kkt = Some(out.kkt_residual);
            }
            Err(e) => return refused(r, e),
        }
    }
    if let (Some(f), Some(fr)) = (r.objective, reference) {
        r.matches_reference = Some(r.solved && close(f, fr));
    }
    r
}

/// The reference objective of a SIF file: its `*LO SOLTN`, or 0 for a feasibility problem
/// (no objective).
fn sif_reference(file: &Path) -> Option<f64> {
    let spec = file.to_string_lossy();
    let has_objective = std::fs::read_to_string(file)
        .map(|s| !s.contains("no objective") || s.contains("*LO SOLTN"))
        .unwrap_or(true);
    nlp::reference_objective(&spec).or((!has_objective).then_some(0.0))
}

/// One problem of a suite as the Python anchors see it (`harness list`): the name, the spec
/// (`nlp::load` spec or MPS path), the reference objective and the suite's time limit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Listed {
    /// Suite name.
    pub suite: String,
    /// Problem name, as in the records.
    pub problem: String,
    /// SIF path, `logreg:PATH`, `pde:N=n`, or the MPS path (miplib).
    pub spec: String,
    /// Reference objective (SIF `*LO SOLTN`, known MIP optimum).
    pub reference: Option<f64>,
    /// Time limit per solve in seconds.
    pub time_limit: f64,
}

/// The problems of a suite whose instances are files or specs (the NLP suites and miplib);
/// empty for the generated suites.
pub fn list(suite: &str, cfg: &Config) -> Vec<Listed> {
    let t = cfg
        .time_limit
        .unwrap_or_else(|| default_time_limit(suite, cfg.quick));
    let sif = cfg.shared.join("data/sif");
    let libsvm = cfg.shared.join("data/libsvm");
    let item = |problem: String, spec: String, reference: Option<f64>| Listed {
        suite: suite.into(),
        problem,
        spec,
        reference,
        time_limit: t,
    };
    let from_files = |files: Vec<PathBuf>| -> Vec<Listed> {
        files
            .iter()
            .map(|f| {
                let name = f
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                item(name, f.to_string_lossy().into_owned(), sif_reference(f))
            })
            .collect()
    };
    match suite {
        "cutest-paper" => {
            let names: &[&str] = if cfg.quick {
                &nlp::PAPER[..12]
            } else {
                nlp::PAPER
            };
            from_files(names.iter().map(|n| sif.join(format!("{n}.SIF"))).collect())
        }
        "cutest-eq" => from_files(equality_sif_files(&sif, cfg.quick)),
        "logreg" => {
            let sets: &[&str] = if cfg.quick {
                &LOGREG_SETS[..2]
            } else {
                LOGREG_SETS
            };
            sets.iter()
                .map(|s| {
                    let spec = format!("logreg:{}", libsvm.join(s).display());
                    item(s.to_string(), spec, None)
                })
                .collect()
        }
        "pde" => {
            let ns: &[usize] = if cfg.quick { &[5, 10] } else { &[10, 30, 60] };
            ns.iter()
                .map(|n| item(format!("N={n}"), format!("pde:N={n}"), None))
                .collect()
        }
        "miplib" => mip_files(cfg)
            .into_iter()
            .map(|(name, path)| {
                let opt = mip::known_optimum(&name);
                item(name, path.to_string_lossy().into_owned(), opt)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn nlp_tasks(suite: &'static str, cfg: &Config, t: f64) -> Vec<Task> {
    let mut tasks = Vec::new();
    for l in list(suite, cfg) {
        for solver in solvers_of(suite, cfg) {
            for seed in nlp_seeds(solver, cfg) {
                let (spec, name, reference) = (l.spec.clone(), l.problem.clone(), l.reference);
                tasks.push(Task {
                    label: format!("{suite} {name} {solver}"),
                    job: Box::new(move || {
                        nlp_record(suite, &name, &spec, solver, seed, t, reference)
                    }),
                });
            }
        }
    }
    tasks
}

/// Seeds matter only for adasketch (its sketches) among the NLP solvers.
fn nlp_seeds(solver: &str, cfg: &Config) -> Vec<u64> {
    if solver == "adasketch" {
        (0..cfg.seeds).collect()
    } else {
        vec![0]
    }
}

fn solvers_of(suite: &str, cfg: &Config) -> Vec<&'static str> {
    suite_solvers(suite)
        .iter()
        .copied()
        .filter(|s| {
            cfg.solvers
                .as_ref()
                .is_none_or(|l| l.iter().any(|x| x == s))
        })
        .collect()
}

/// The equality-only, bound-free SIF problems with an objective (decoded in parallel to
/// check; the classification string rules most files out first).
pub fn equality_sif_files(dir: &Path, quick: bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "SIF"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut keep: Vec<PathBuf> = files
        .into_par_iter()
        .filter(|f| {
            let spec = f.to_string_lossy();
            nlp::may_be_equality_with_objective(&spec)
                && nlp::load(&spec).is_ok_and(|p| nlp::is_equality_with_objective(&*p))
        })
        .collect();
    keep.sort();
    if quick {
        keep.truncate(6);
    }
    keep
}

/// The MIP instances: MIPLIB files, or in quick mode small classic MIPs that HiGHS proves
/// in well under a second.
fn mip_files(cfg: &Config) -> Vec<(String, PathBuf)> {
    let (dir, names): (&str, &[&str]) = if cfg.quick {
        ("highs-check", &["flugpl", "egout", "p01"])
    } else {
        ("miplib", MIPLIB)
    };
    names
        .iter()
        .map(|n| {
            let p = cfg.shared.join(format!("data/mps/{dir}/{n}.mps"));
            (n.to_string(), p)
        })
        .collect()
}

fn mip_tasks(cfg: &Config, t: f64) -> Vec<Task> {
    let files = mip_files(cfg);
    let mut tasks = Vec::new();
    for (name, path) in files {
        for solver in solvers_of("miplib", cfg) {
            for seed in 0..cfg.seeds {
                let (name, path) = (name.clone(), path.clone());
                tasks.push(Task {
                    label: format!("miplib {name} {solver} seed {seed}"),
                    job: Box::new(move || mip_record(&name, &path, solver, seed, t)),
                });
            }
        }
    }
    tasks
}

fn mip_record(name: &str, path: &Path, solver: &str, seed: u64, t: f64) -> Record {
    let mut r = base("miplib", name, solver, seed);
    let model = match opal_io::read_model(path) {
        Ok(m) => m,
        Err(e) => return refused(r, e),
    };
    let out = match mip::run(&model, solver, seed, t, 1) {
        Ok(o) => o,
        Err(e) => return refused(r, e),
    };
    let opt = mip::known_optimum(name);
    r.status = out.status.as_str().into();
    r.objective = out.objective;
    r.reference = opt;
    r.primal_gap = mip::primal_gap(out.objective, opt);
    r.solved = r.primal_gap.is_some_and(|g| g <= 1e-6);
    r.matches_reference = opt.map(|_| r.solved);
    r.iterations = Some(out.iterations as u64);
    r.time_s = Some(out.time_s);
    r
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
        .unwrap_or_else(|| default_time_limit("completion", cfg.quick));
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

fn completion_tasks(cfg: &Config, t: f64) -> Vec<Task> {
    let mut tasks = Vec::new();
    for &(size, k) in completion_sizes(cfg.quick) {
        for solver in solvers_of("completion", cfg) {
            for seed in 0..cfg.seeds {
                tasks.push(Task {
                    label: format!("completion {size} {solver} seed {seed}"),
                    job: Box::new(move || completion_record(size, k, solver, seed, t)),
                });
            }
        }
    }
    tasks
}

fn completion_record(size: usize, k: usize, solver: &str, seed: u64, t: f64) -> Record {
    use opal_completion::{DEFAULT_MAX_SWEEPS, RegressionSolver, Settings, complete};
    use opal_core::Budget;
    let name = format!("n={size},k={k}");
    let mut r = base("completion", &name, solver, seed);
    let obs = completion_observed(size, k);
    let inst = match completion_instance(size, k, seed) {
        Ok(i) => i,
        Err(e) => return refused(r, e),
    };
    let which = match solver {
        "exact" => RegressionSolver::Exact,
        "cg" => RegressionSolver::Cg,
        "sketch" => RegressionSolver::Sketch,
        _ => RegressionSolver::Auto,
    };
    let budget = match Budget::iterations(DEFAULT_MAX_SWEEPS).with_time_limit_secs(t) {
        Ok(b) => b,
        Err(e) => return refused(r, e),
    };
    let settings = Settings::default()
        .rank(k)
        .seed(seed)
        .solver(which)
        .budget(budget);
    let t0 = Instant::now();
    let c = match complete(&inst.observed, &settings) {
        Ok(c) => c,
        Err(e) => return refused(r, e),
    };
    r.time_s = Some(t0.elapsed().as_secs_f64());
    let err = completion_error(&inst, &c.u, &c.v, c.rank);
    r.status = c.status.as_str().into();
    r.solved = c.recovered() && err <= 1e-6;
    r.iterations = Some(c.iterations as u64);
    r.error = Some(err);
    r.objective = Some(c.train_rmse);
    r.n = Some((2 * size) as u64);
    r.m = Some(obs as u64);
    r
}

fn calibration_tasks(cfg: &Config, t: f64) -> Vec<Task> {
    let (n, cells): (usize, Vec<(usize, usize)>) = if cfg.quick {
        (32, vec![(16, 4), (32, 2), (8, 8)])
    } else {
        let mut v = Vec::new();
        for m in [16, 32, 64] {
            for p in [2, 4, 8, 16] {
                v.push((m, p));
            }
        }
        (64, v)
    };
    let trials = cfg.seeds.max(if cfg.quick { 2 } else { 5 });
    let mut tasks = Vec::new();
    for (m, p) in cells {
        for solver in solvers_of("calibration", cfg) {
            for seed in 0..trials {
                tasks.push(Task {
                    label: format!("calibration m={m} p={p} {solver} seed {seed}"),
                    job: Box::new(move || calibration_record(n, m, p, solver, seed, t)),
                });
            }
        }
    }
    tasks
}

fn calibration_record(n: usize, m: usize, p: usize, solver: &str, seed: u64, t: f64) -> Record {
    use opal_calibration::{DenseOperator, Method, Problem, Settings, relative_error, solve};
    use opal_core::Budget;
    let name = format!("n={n},m={m},p={p}");
    let mut r = base("calibration", &name, solver, seed);
    let inst = match opal_problems::generators::calibration::instance(n, m, p, 0.5, 0.0, seed) {
        Ok(i) => i,
        Err(e) => return refused(r, e),
    };
    let op = match DenseOperator::from_instance(&inst) {
        Ok(o) => o,
        Err(e) => return refused(r, e),
    };
    let budget = match Budget::iterations(50_000).with_time_limit_secs(t) {
        Ok(b) => b,
        Err(e) => return refused(r, e),
    };
    let mut settings = Settings::default().budget(budget);
    if solver == "linear" {
        settings = settings.method(Method::Linear);
    }
    let out = match solve(&Problem::new(&op, &inst.y, 0.5), &settings) {
        Ok(o) => o,
        Err(e) => return refused(r, e),
    };
    let err = relative_error(&out.x, &inst.x).max(relative_error(&out.d, &inst.d));
    r.status = out.status.as_str().into();
    r.solved = err <= 1e-6;
    r.error = Some(err);
    r.iterations = Some(out.iterations as u64);
    r.time_s = Some(out.time.as_secs_f64());
    r.n = Some(n as u64);
    r.m = Some((m * p) as u64);
    r
}

fn relu_tasks(cfg: &Config, t: f64) -> Vec<Task> {
    let sets: &[&str] = if cfg.quick {
        &RELU_SETS[..2]
    } else {
        RELU_SETS
    };
    let patterns = if cfg.quick { 10 } else { 50 };
    let mut tasks = Vec::new();
    for set in sets {
        let path = cfg.shared.join("data/libsvm").join(set);
        for solver in solvers_of("relu", cfg) {
            for seed in 0..cfg.seeds {
                let path = path.clone();
                tasks.push(Task {
                    label: format!("relu {set} {solver} seed {seed}"),
                    job: Box::new(move || relu_record(set, &path, solver, seed, patterns, t)),
                });
            }
        }
    }
    tasks
}

fn relu_record(
    name: &str,
    path: &Path,
    solver: &str,
    seed: u64,
    patterns: usize,
    t: f64,
) -> Record {
    use opal_core::Status;
    use opal_problems::formats::libsvm::read_libsvm;
    use opal_relu::{Dataset, Settings, SolverKind, Task, Variant, fit};
    let mut r = base("relu", name, solver, seed);
    let ds = match read_libsvm(path, None)
        .map_err(|e| e.to_string())
        .and_then(|raw| {
            let (y, _) = raw.binary_labels()?;
            let (x, d) = raw.to_dense(None);
            Dataset::from_row_major(raw.n_samples(), d, &x, y, Task::Classification)
                .map_err(|e| e.to_string())
        }) {
        Ok(d) => d,
        Err(e) => return refused(r, e),
    };
    let budget = match Settings::default().budget.with_time_limit_secs(t) {
        Ok(b) => b,
        Err(e) => return refused(r, e),
    };
    let kind = if solver == "fista" {
        SolverKind::Fista
    } else {
        SolverKind::Admm
    };
    let settings = Settings::default()
        .lam(1e-3)
        .n_patterns(patterns)
        .seed(seed)
        .tol(1e-6)
        .variant(Variant::parse("gated").expect("gated is a variant"))
        .solver(kind)
        .budget(budget);
    let res = match fit(&ds, &settings) {
        Ok(f) => f,
        Err(e) => return refused(r, e),
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

/// The tasks of one suite.
pub fn tasks(suite: &str, cfg: &Config) -> Result<Vec<Task>, String> {
    let t = cfg
        .time_limit
        .unwrap_or_else(|| default_time_limit(suite, cfg.quick));
    Ok(match suite {
        "cutest-paper" => nlp_tasks("cutest-paper", cfg, t),
        "cutest-eq" => nlp_tasks("cutest-eq", cfg, t),
        "logreg" => nlp_tasks("logreg", cfg, t),
        "pde" => nlp_tasks("pde", cfg, t),
        "miplib" => mip_tasks(cfg, t),
        "completion" => completion_tasks(cfg, t),
        "calibration" => calibration_tasks(cfg, t),
        "relu" => relu_tasks(cfg, t),
        other => {
            return Err(format!(
                "unknown suite '{other}' (known: {})",
                SUITES.join(", ")
            ));
        }
    })
}

/// Runs the tasks of every configured suite on `cfg.jobs` threads; records come back
/// sorted by suite order, problem, solver and seed.
pub fn run(cfg: &Config) -> Result<Vec<Record>, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.jobs.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    pool.install(|| {
        let mut all = Vec::new();
        for s in &cfg.suites {
            all.extend(tasks(s, cfg)?);
        }
        let bar = if cfg.progress {
            ProgressBar::new(all.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
                .map_err(|e| e.to_string())?
                .progress_chars("=> "),
        );
        let mut records: Vec<Record> = all
            .into_par_iter()
            .with_max_len(1)
            .map(|task| {
                let label = task.label;
                let rec = (task.job)();
                bar.inc(1);
                bar.set_message(label);
                rec
            })
            .collect();
        bar.finish_and_clear();
        let order = |s: &str| SUITES.iter().position(|x| *x == s).unwrap_or(usize::MAX);
        records.sort_by(|a, b| {
            (order(&a.suite), &a.problem, &a.solver, a.seed).cmp(&(
                order(&b.suite),
                &b.problem,
                &b.solver,
                b.seed,
            ))
        });
        Ok(records)
    })
}

fn csv_field(v: Option<String>) -> String {
    v.unwrap_or_default()
}

/// Writes `results.jsonl` and `results.csv` into `dir`.
pub fn write_results(dir: &Path, records: &[Record]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut jl = String::new();
    for r in records {
        jl.push_str(&serde_json::to_string(r).map_err(std::io::Error::other)?);
        jl.push('\n');
    }
    std::fs::write(dir.join("results.jsonl"), jl)?;
    let mut csv = String::from(
        "suite,problem,solver,seed,status,solved,iterations,time_s,objective,reference,matches_reference,kkt,primal_gap,error,n,m\n",
    );
    for r in records {
        let f = |v: Option<f64>| csv_field(v.map(|x| format!("{x:e}")));
        let u = |v: Option<u64>| csv_field(v.map(|x| x.to_string()));
        writeln!(
            csv,
            "{},\"{}\",{},{},\"{}\",{},{},{},{},{},{},{},{},{},{},{}",
            r.suite,
            r.problem.replace('"', "'"),
            r.solver,
            r.seed,
            r.status.replace('"', "'"),
            r.solved,
            u(r.iterations),
            f(r.time_s),
            f(r.objective),
            f(r.reference),
            csv_field(r.matches_reference.map(|b| b.to_string())),
            f(r.kkt),
            f(r.primal_gap),
            f(r.error),
            u(r.n),
            u(r.m)
        )
        .expect("write to String");
    }
    std::fs::write(dir.join("results.csv"), csv)
}

/// Reads `results.jsonl` back.
pub fn read_results(dir: &Path) -> Result<Vec<Record>, String> {
    read_jsonl(&dir.join("results.jsonl"))
}

fn read_jsonl(path: &Path) -> Result<Vec<Record>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// The rows of the Python anchors: every `anchors*.jsonl` in `dir` (none is fine), files
/// in name order.
pub fn read_anchor_results(dir: &Path) -> Result<Vec<Record>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("anchors") && n.ends_with(".jsonl"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        out.extend(read_jsonl(&f)?);
    }
    Ok(out)
}

/// The harness's results plus the anchor rows of the same suites: an anchor row for a
/// suite the harness did not run would have no column to sit next to, so it is dropped.
pub fn merge_anchor_rows(mut records: Vec<Record>, anchors: Vec<Record>) -> Vec<Record> {
    let suites: std::collections::BTreeSet<String> =
        records.iter().map(|r| r.suite.clone()).collect();
    records.extend(anchors.into_iter().filter(|r| {
        suites.contains(&r.suite) && python_anchors(&r.suite).contains(&r.solver.as_str())
    }));
    records
}

/// Metadata of a run of `bench/python/anchors.py` (`anchors-meta.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AnchorMeta {
    /// The exact command line.
    pub command: String,
    /// UTC date and time of the run.
    pub date: String,
    /// Python and package versions (`name version`).
    pub versions: Vec<String>,
    /// Wall-clock seconds of the whole run.
    pub wall_s: f64,
}

/// Run metadata written next to the results and read by the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The exact command line.
    pub command: String,
    /// UTC date and time of the run.
    pub date: String,
    /// CPU model.
    pub cpu: String,
    /// Logical CPUs.
    pub nproc: usize,
    /// Worker threads used.
    pub jobs: usize,
    /// Quick mode.
    pub quick: bool,
    /// Seeds.
    pub seeds: u64,
    /// Time limit per suite (seconds).
    pub time_limits: Vec<(String, f64)>,
    /// Where IPOPT was loaded from, or why not.
    pub ipopt: String,
    /// Wall-clock seconds of the whole run.
    pub wall_s: f64,
    /// Load average at the end of the run.
    pub load_average: String,
}

/// CPU model name from /proc/cpuinfo.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// Runs the harness and writes results and metadata; returns the records.
pub fn run_and_write(cfg: &Config, out: &Path, command: &str) -> Result<Vec<Record>, String> {
    let t0 = Instant::now();
    let records = run(cfg)?;
    write_results(out, &records).map_err(|e| format!("{}: {e}", out.display()))?;
    let meta = Meta {
        command: command.into(),
        date: utc_now(),
        cpu: cpu_model(),
        nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
        jobs: cfg.jobs,
        quick: cfg.quick,
        seeds: cfg.seeds,
        time_limits: cfg
            .suites
            .iter()
            .map(|s| {
                (
                    s.clone(),
                    cfg.time_limit
                        .unwrap_or_else(|| default_time_limit(s, cfg.quick)),
                )
            })
            .collect(),
        ipopt: ipopt::library().unwrap_or_else(|e| e.to_string()),
        wall_s: t0.elapsed().as_secs_f64(),
        load_average: mip::load_average(),
    };
    let text = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())?;
    std::fs::write(out.join("meta.json"), text).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(suite: &str, problem: &str, solver: &str, t: f64) -> Record {
        Record {
            suite: suite.into(),
            problem: problem.into(),
            solver: solver.into(),
            status: "x".into(),
            solved: true,
            time_s: Some(t),
            ..Record::default()
        }
    }

    #[test]
    fn exported_completion_instances_read_back_to_the_suite_instances() {
        use opal_problems::formats::matrix_market::{read_matrix_market, read_matrix_market_array};
        let dir = std::env::temp_dir().join(format!("opal-export-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = Config {
            suites: vec!["completion".into()],
            solvers: None,
            time_limit: None,
            seeds: 2,
            quick: true,
            jobs: 1,
            shared: PathBuf::new(),
            progress: false,
        };
        let listed = export_completion(&cfg, &dir).unwrap();
        assert_eq!(listed.len(), completion_sizes(true).len() * 2);
        for e in &listed {
            let inst = completion_instance(e.size, e.rank, e.seed).unwrap();
            assert_eq!(e.problem, format!("n={},k={}", e.size, e.rank));
            // Values are written in shortest round-trip form: the read-back is exact.
            assert_eq!(
                read_matrix_market(Path::new(&e.observed)).unwrap(),
                inst.observed
            );
            let u = read_matrix_market_array(Path::new(&e.u)).unwrap();
            let v = read_matrix_market_array(Path::new(&e.v)).unwrap();
            assert_eq!((u.nrows, u.ncols), (e.size, e.rank));
            assert_eq!(u.data, inst.u);
            assert_eq!(v.data, inst.v);
        }
        // Distinct seeds give distinct instances.
        assert_ne!(
            std::fs::read(&listed[0].observed).unwrap(),
            std::fs::read(&listed[1].observed).unwrap()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn anchor_rows_are_read_from_anchors_files_and_merged_by_suite() {
        let dir = std::env::temp_dir().join(format!("opal-anchors-merge-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // No anchors file: no rows, no error.
        std::fs::create_dir_all(&dir).unwrap();
        assert!(read_anchor_results(&dir).unwrap().is_empty());
        let rows = [
            rec("logreg", "a9a", "scipy-slsqp", 2.0),
            rec("pde", "N=10", "scipy-trust-constr", 1.0),
            rec("logreg", "a9a", "ipopt", 9.0),
        ];
        let text: String = rows
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect();
        std::fs::write(dir.join("anchors.jsonl"), &text).unwrap();
        std::fs::write(dir.join("results.jsonl"), "").unwrap();
        let anchors = read_anchor_results(&dir).unwrap();
        assert_eq!(anchors, rows.to_vec());
        // pde did not run in the harness: its anchor row is dropped; a non-anchor solver
        // name in the anchors file (ipopt) cannot shadow the harness's own rows.
        let harness = vec![rec("logreg", "a9a", "ipopt", 1.0)];
        let merged = merge_anchor_rows(harness.clone(), anchors);
        assert_eq!(merged, vec![harness[0].clone(), rows[0].clone()]);
        // A malformed line is an error naming the file and line.
        std::fs::write(dir.join("anchors-extra.jsonl"), "{not json}\n").unwrap();
        let err = read_anchor_results(&dir).unwrap_err();
        assert!(err.contains("anchors-extra.jsonl:1"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
