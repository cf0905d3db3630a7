//! Acceptance experiments for convex ReLU training (issue 6), run by hand:
//!
//! - `relu_bench export DATA --patterns P --seed S --out DIR`: X, y and the kept gates as
//!   text for the Python baselines (CVXPY, scnn, Adam), so every tool sees the same gates.
//! - `relu_bench solve DATA [--variant V] [--solver S] [--lam L] [--tol T] ...`: one fit,
//!   one JSON line (objective, cone violation, iterations, time, accuracies).
//! - `relu_bench trace DATA ... --target F`: time until the objective first reaches F.
//! - `relu_bench scaling`: ADMM per-iteration time against n (fitted exponent).
//! - `relu_bench adversarial DATA --eps E`: robust vs plain model under FGSM/PGD.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, ValueEnum};
use opal_bench::relu::{design, export_gates, read_dataset};
use opal_core::{Budget, Control};
use opal_relu::adversarial::{self, AdvSettings, Attack, RobustSolver};
use opal_relu::{Dataset, IterInfo, Settings, SolverKind, Task, Variant, fit, fit_observed};
use serde_json::json;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Command {
    /// X, y and the kept gates as text into --out.
    Export,
    /// One fit, one JSON line.
    Solve,
    /// Time until the objective first reaches --target.
    Trace,
    /// ADMM per-iteration time against n (data from --data).
    Scaling,
    /// Robust vs plain model under FGSM/PGD.
    Adversarial,
}

#[derive(Parser)]
#[command(
    about = "Convex ReLU acceptance experiments (issue 6): export, solve, trace, scaling, adversarial."
)]
struct Args {
    /// What to run.
    command: Command,
    /// LIBSVM file (export, solve, trace, adversarial).
    data: Option<PathBuf>,
    /// LIBSVM file of `scaling`.
    #[arg(long = "data", id = "scaling_data")]
    scaling_data: Option<PathBuf>,
    /// Group-lasso weight.
    #[arg(long, default_value_t = 1e-3)]
    lam: f64,
    /// Sampled gates.
    #[arg(long, default_value_t = 50)]
    patterns: usize,
    /// Seed of the gates.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stopping tolerance.
    #[arg(long, default_value_t = 1e-6)]
    tol: f64,
    /// Iteration limit.
    #[arg(long, default_value_t = 100_000)]
    max_iter: usize,
    /// ADMM penalty.
    #[arg(long, default_value_t = 0.1)]
    rho: f64,
    /// Scale of the cone constraints (ADMM).
    #[arg(long, default_value_t = 1.0)]
    cone_scale: f64,
    /// Anderson acceleration memory (0: off).
    #[arg(long, default_value_t = 0)]
    anderson: usize,
    /// ADMM over-relaxation.
    #[arg(long, default_value_t = 1.0)]
    relaxation: f64,
    /// Keep rho fixed (no adaptive rho).
    #[arg(long)]
    fixed_rho: bool,
    /// Fit an intercept (a ones column).
    #[arg(long)]
    bias: bool,
    /// Program: gated, relu, ... (default gated; relu for `scaling`).
    #[arg(long, value_parser = |s: &str| Variant::parse(s).map_err(|e| e.to_string()))]
    variant: Option<Variant>,
    /// Solver: auto, admm, fista, ipm, ...
    #[arg(long, default_value = "auto", value_parser = |s: &str| SolverKind::parse(s).map_err(|e| e.to_string()))]
    solver: SolverKind,
    /// Iteration log on stderr.
    #[arg(long)]
    verbose: bool,
    /// Log every k iterations.
    #[arg(long, default_value_t = 100)]
    log_every: usize,
    /// Regression targets (labels kept, not mapped to ±1).
    #[arg(long)]
    regression: bool,
    /// Widen X to N features (a subsample may not use the last ones).
    #[arg(long)]
    features: Option<usize>,
    /// Use the first M samples only.
    #[arg(long)]
    subsample: Option<usize>,
    /// Output directory of `export`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Objective `trace` stops at.
    #[arg(long, default_value_t = f64::NEG_INFINITY, allow_negative_numbers = true)]
    target: f64,
    /// Test set (LIBSVM file) for accuracies.
    #[arg(long)]
    test: Option<PathBuf>,
    /// Sample counts of `scaling`.
    #[arg(long, value_delimiter = ',', default_value = "500,1000,2000,4000")]
    ns: Vec<usize>,
    /// Iterations per size of `scaling`.
    #[arg(long, default_value_t = 50)]
    iters: usize,
    /// Training radius of the robust model (`adversarial`).
    #[arg(long, default_value_t = 0.05)]
    eps: f64,
    /// Attack radius (default: --eps).
    #[arg(long)]
    attack_eps: Option<f64>,
    /// Accepted for old command lines; output is always JSON.
    #[arg(long, hide = true)]
    json: bool,
}

impl Args {
    fn task(&self) -> Task {
        if self.regression {
            Task::Regression
        } else {
            Task::Classification
        }
    }

    /// A LIBSVM file as dense data, widened to `n_features` when given.
    fn read(&self, path: &Path, n_features: Option<usize>) -> Result<Dataset, String> {
        read_dataset(path, n_features, self.task())
    }

    /// The positional data file (widened by `--features`, cut by `--subsample`).
    fn load(&self) -> Result<Dataset, String> {
        let path = self.data.as_ref().ok_or("a DATA file is needed")?;
        let ds = self.read(path, self.features)?;
        Ok(match self.subsample {
            Some(m) => ds.head(m),
            None => ds,
        })
    }

    fn settings(&self) -> Settings {
        Settings::default()
            .lam(self.lam)
            .n_patterns(self.patterns)
            .seed(self.seed)
            .tol(self.tol)
            .budget(Budget::iterations(self.max_iter))
            .rho(self.rho)
            .cone_scale(self.cone_scale)
            .anderson(self.anderson)
            .relaxation(self.relaxation)
            .adaptive_rho(!self.fixed_rho)
            .fit_intercept(self.bias)
            .variant(self.variant.unwrap_or(Variant::Gated))
            .solver(self.solver)
            .verbose(self.verbose)
            .log_every(self.log_every)
    }
}

fn accuracy(pred: &[f64], y: &[f64]) -> f64 {
    pred.iter()
        .zip(y)
        .filter(|(p, t)| (p.signum() >= 0.0) == (**t > 0.0))
        .count() as f64
        / y.len() as f64
}

fn main() {
    let a = Args::parse();
    let run = match a.command {
        Command::Export => export(&a),
        Command::Solve | Command::Trace => solve(&a),
        Command::Scaling => scaling(&a),
        Command::Adversarial => adversarial_cmd(&a),
    };
    if let Err(e) = run {
        eprintln!("relu_bench: error: {e}");
        std::process::exit(1);
    }
}

fn export(a: &Args) -> Result<(), String> {
    let ds = a.load()?;
    let out = a.out.as_ref().ok_or("export needs --out DIR")?;
    let e = export_gates(&ds, &a.settings(), out)?;
    println!(
        "{}",
        json!({"n": e.n, "d": e.d, "kept": e.kept, "sampled": e.sampled,
               "dup": e.dup, "zero": e.zero})
    );
    Ok(())
}

fn solve(a: &Args) -> Result<(), String> {
    let trace = a.command == Command::Trace;
    let ds = a.load()?;
    let set = a.settings();
    let target = a.target;
    let mut reached: Option<(f64, usize)> = None;
    let t0 = Instant::now();
    let mut obs = |info: &IterInfo| {
        if reached.is_none() && info.objective <= target {
            reached = Some((info.elapsed, info.iteration));
            return Control::stop_if(trace);
        }
        Control::Continue
    };
    let res = if trace {
        fit_observed(&ds, &set, &mut obs)
    } else {
        fit(&ds, &set)
    }
    .map_err(|e| e.to_string())?;
    let wall = t0.elapsed().as_secs_f64();
    let decide = |x: &Dataset| {
        res.model
            .decision_function(x.x.as_ref())
            .map(|p| accuracy(&p, &x.y))
            .map_err(|e| e.to_string())
    };
    let train = decide(&ds)?;
    let test = match &a.test {
        Some(t) => Some(decide(&a.read(t, Some(ds.d()))?)?),
        None => None,
    };
    let data = a.data.as_ref().map(|d| d.display().to_string());
    println!(
        "{}",
        json!({"data": data, "variant": set.variant.name(), "solver": res.solver.name(),
               "status": res.status.as_str(), "message": res.message,
               "iterations": res.iterations,
               "objective": res.objective, "cone_violation": res.cone_violation,
               "time": res.time, "wall": wall, "patterns": res.model.n_patterns(),
               "reached": reached.map(|r| r.0), "reached_iter": reached.map(|r| r.1),
               "train_acc": train, "test_acc": test, "rho": res.rho,
               "width": res.model.network().width(),
               "degeneracy": degeneracy(&ds, &res.model)})
    );
    Ok(())
}

/// How degenerate the ReLU program's solution is (what slows ADMM down): zero blocks (all
/// n cone rows active at v_i = 0) and, in the nonzero blocks, rows with
/// |x_j^T v_i| <= 1e-7 max |X v_i| (active cone rows).
fn degeneracy(ds: &Dataset, model: &opal_relu::Model) -> serde_json::Value {
    if model.v.ncols() == 0 {
        return json!(null);
    }
    let x = design(ds, model.fit_intercept);
    let (mut zero, mut active, mut nonzero_rows) = (0usize, 0usize, 0usize);
    for m in [&model.v, &model.w] {
        let xv = &x * m;
        for b in 0..m.ncols() {
            if m.col(b).norm_l2() == 0.0 {
                zero += 1;
                continue;
            }
            let big = (0..x.nrows()).fold(0.0f64, |a, j| a.max(xv[(j, b)].abs()));
            nonzero_rows += x.nrows();
            active += (0..x.nrows())
                .filter(|&j| xv[(j, b)].abs() <= 1e-7 * big)
                .count();
        }
    }
    json!({"blocks": 2 * model.v.ncols(), "zero_blocks": zero,
           "active_rows_in_nonzero_blocks": active, "rows_in_nonzero_blocks": nonzero_rows})
}

/// ADMM per-iteration time (ReLU program, fixed rho, fixed iteration count) against n.
fn scaling(a: &Args) -> Result<(), String> {
    let path = a.scaling_data.as_ref().ok_or("scaling needs --data FILE")?;
    let ds = a.read(path, a.features)?;
    let iters = a.iters;
    let mut pts = Vec::new();
    for &n in &a.ns {
        let sub = ds.head(n);
        let set = a
            .settings()
            .variant(a.variant.unwrap_or(Variant::Relu))
            .solver(SolverKind::Admm)
            .adaptive_rho(false)
            .tol(1e-300)
            .budget(Budget::iterations(iters));
        // Time of the first and of the last iterations: the difference excludes set-up.
        let mut t_first = 0.0;
        let mut t_last = 0.0;
        let mut obs = |info: &IterInfo| {
            if info.iteration == 1 {
                t_first = info.elapsed;
            }
            t_last = info.elapsed;
            Control::Continue
        };
        let res = fit_observed(&sub, &set, &mut obs).map_err(|e| e.to_string())?;
        let per_iter = (t_last - t_first) / (res.iterations - 1) as f64;
        println!(
            "{}",
            json!({"n": n, "per_iter": per_iter, "setup": t_first, "patterns": res.model.n_patterns()})
        );
        pts.push(((n as f64).ln(), per_iter.ln()));
    }
    let m = pts.len() as f64;
    let (sx, sy) = pts.iter().fold((0.0, 0.0), |s, p| (s.0 + p.0, s.1 + p.1));
    let (mx, my) = (sx / m, sy / m);
    let num: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let den: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    println!("{}", json!({"exponent": num / den}));
    Ok(())
}

fn adversarial_cmd(a: &Args) -> Result<(), String> {
    let ds = a.load()?;
    let te = match &a.test {
        Some(t) => Some(a.read(t, Some(ds.d()))?),
        None => None,
    };
    let eps = a.eps;
    let attack_eps = a.attack_eps.unwrap_or(eps);
    let base = a.settings();
    let solver = match base.solver {
        SolverKind::Admm | SolverKind::AdmmCg => RobustSolver::Admm,
        _ => RobustSolver::Ipm,
    };
    for (name, train_eps) in [("plain", 0.0), ("robust", eps)] {
        let set = AdvSettings::default()
            .eps(train_eps)
            .lam(base.lam)
            .n_patterns(base.n_patterns)
            .seed(base.seed)
            .tol(base.tol)
            .budget(base.budget.clone())
            .fit_intercept(base.fit_intercept)
            .solver(solver)
            .rho(base.rho)
            .adaptive_rho(base.adaptive_rho)
            .verbose(base.verbose)
            .log_every(base.log_every);
        let t0 = Instant::now();
        let res = adversarial::fit_robust(&ds, &set).map_err(|e| e.to_string())?;
        let time = t0.elapsed().as_secs_f64();
        let net = res.model.network();
        let eval = |d: &Dataset| {
            let clean = adversarial::attack_accuracy(&net, d, Attack::None, attack_eps);
            let fgsm = adversarial::attack_accuracy(&net, d, Attack::Fgsm, attack_eps);
            let pgd = adversarial::attack_accuracy(
                &net,
                d,
                Attack::Pgd {
                    steps: 40,
                    step: attack_eps / 10.0,
                },
                attack_eps,
            );
            json!({"clean": clean, "fgsm": fgsm, "pgd": pgd})
        };
        println!(
            "{}",
            json!({"model": name, "train_eps": train_eps, "attack_eps": attack_eps,
                   "objective": res.objective, "cone_violation": res.cone_violation,
                   "iterations": res.iterations, "status": res.status.as_str(),
                   "message": res.message, "time": time,
                   "train": eval(&ds), "test": te.as_ref().map(eval),
                   "bound_violations": adversarial::bound_check(&res, &ds, attack_eps)})
        );
    }
    Ok(())
}
