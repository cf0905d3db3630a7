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

use faer::Mat;
use opal_core::{Budget, Control};
use opal_problems::formats::libsvm::read_libsvm;
use opal_relu::adversarial::{self, AdvSettings, Attack, RobustSolver};
use opal_relu::{
    Dataset, IterInfo, Settings, SolverKind, Task, Variant, fit, fit_observed, sample_gates,
};
use serde_json::json;

struct Args {
    pos: Vec<String>,
    kv: Vec<(String, String)>,
}

impl Args {
    fn parse() -> Self {
        let mut pos = Vec::new();
        let mut kv = Vec::new();
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            if let Some(k) = a.strip_prefix("--") {
                if k == "bias" || k == "json" || k == "regression" {
                    kv.push((k.to_string(), "1".into()));
                } else {
                    kv.push((k.to_string(), it.next().expect("missing value")));
                }
            } else {
                pos.push(a);
            }
        }
        Self { pos, kv }
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.kv
            .iter()
            .rev()
            .find(|(a, _)| a == k)
            .map(|(_, b)| b.as_str())
    }
    fn num<T: std::str::FromStr>(&self, k: &str, default: T) -> T {
        self.get(k)
            .map(|v| v.parse().ok().expect("bad number"))
            .unwrap_or(default)
    }
}

fn task() -> Task {
    if std::env::args().any(|a| a == "--regression") {
        Task::Regression
    } else {
        Task::Classification
    }
}

/// `--features N` widens X to N features (a subsample may not use the last ones).
fn features() -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--features")
        .map(|i| args[i + 1].parse().expect("--features N"))
}

/// A LIBSVM file as dense data (labels mapped to ±1 unless `--regression`), widened to
/// `n_features` when given.
fn read(path: &str, n_features: Option<usize>) -> Dataset {
    let raw = read_libsvm(Path::new(path), n_features).expect("read");
    let y = match task() {
        Task::Classification => raw.binary_labels().expect("binary labels").0,
        Task::Regression => raw.labels.clone(),
    };
    let (x, d) = raw.to_dense(n_features);
    Dataset::from_row_major(raw.n_samples(), d, &x, y, task()).expect("data")
}

fn load(path: &str, subsample: Option<usize>) -> Dataset {
    let ds = read(path, features());
    match subsample {
        Some(m) => ds.head(m),
        None => ds,
    }
}

fn settings(a: &Args) -> Settings {
    Settings::default()
        .lam(a.num("lam", 1e-3))
        .n_patterns(a.num("patterns", 50))
        .seed(a.num("seed", 0))
        .tol(a.num("tol", 1e-6))
        .budget(Budget::iterations(a.num("max-iter", 100_000)))
        .rho(a.num("rho", 0.1))
        .cone_scale(a.num("cone-scale", 1.0))
        .anderson(a.num("anderson", 0))
        .relaxation(a.num("relaxation", 1.0))
        .adaptive_rho(a.get("fixed-rho").is_none())
        .fit_intercept(a.get("bias").is_some())
        .variant(Variant::parse(a.get("variant").unwrap_or("gated")).unwrap())
        .solver(SolverKind::parse(a.get("solver").unwrap_or("auto")).unwrap())
        .verbose(a.get("verbose").is_some())
        .log_every(a.num("log-every", 100))
}

fn accuracy(pred: &[f64], y: &[f64]) -> f64 {
    pred.iter()
        .zip(y)
        .filter(|(p, t)| (p.signum() >= 0.0) == (**t > 0.0))
        .count() as f64
        / y.len() as f64
}

fn write_mat(path: PathBuf, m: &Mat<f64>) {
    let mut s = String::new();
    for i in 0..m.nrows() {
        let row: Vec<String> = (0..m.ncols())
            .map(|j| format!("{:.17e}", m[(i, j)]))
            .collect();
        s.push_str(&row.join(" "));
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

fn main() {
    let a = Args::parse();
    let cmd = a.pos.first().map(String::as_str).unwrap_or("");
    match cmd {
        "export" => {
            let ds = load(&a.pos[1], a.get("subsample").map(|v| v.parse().unwrap()));
            let set = settings(&a);
            let x = if set.fit_intercept {
                Mat::from_fn(ds.n(), ds.d() + 1, |i, j| {
                    if j < ds.d() { ds.x[(i, j)] } else { 1.0 }
                })
            } else {
                ds.x.clone()
            };
            let g = sample_gates(x.as_ref(), set.n_patterns, set.seed);
            let out = PathBuf::from(a.get("out").expect("--out"));
            std::fs::create_dir_all(&out).unwrap();
            write_mat(out.join("X.txt"), &x);
            write_mat(out.join("y.txt"), &Mat::from_fn(ds.n(), 1, |i, _| ds.y[i]));
            write_mat(out.join("G.txt"), &g.g);
            write_mat(out.join("D.txt"), &g.patterns);
            println!(
                "{}",
                json!({"n": x.nrows(), "d": x.ncols(), "kept": g.len(), "sampled": g.sampled,
                       "dup": g.dropped_duplicate, "zero": g.dropped_zero})
            );
        }
        "solve" | "trace" => {
            let ds = load(&a.pos[1], a.get("subsample").map(|v| v.parse().unwrap()));
            let set = settings(&a);
            let target: f64 = a.num("target", f64::NEG_INFINITY);
            let mut reached: Option<(f64, usize)> = None;
            let t0 = Instant::now();
            let mut obs = |info: &IterInfo| {
                if reached.is_none() && info.objective <= target {
                    reached = Some((info.elapsed, info.iteration));
                    return Control::stop_if(cmd == "trace");
                }
                Control::Continue
            };
            let res = if cmd == "trace" {
                fit_observed(&ds, &set, &mut obs).unwrap()
            } else {
                fit(&ds, &set).unwrap()
            };
            let wall = t0.elapsed().as_secs_f64();
            let train = accuracy(&res.model.decision_function(ds.x.as_ref()).unwrap(), &ds.y);
            let test = a.get("test").map(|t| {
                let te = read(t, Some(ds.d()));
                accuracy(&res.model.decision_function(te.x.as_ref()).unwrap(), &te.y)
            });
            println!(
                "{}",
                json!({"data": a.pos[1], "variant": set.variant.name(), "solver": res.solver.name(),
                       "status": res.status.as_str(), "message": res.message,
                       "iterations": res.iterations,
                       "objective": res.objective, "cone_violation": res.cone_violation,
                       "time": res.time, "wall": wall, "patterns": res.model.n_patterns(),
                       "reached": reached.map(|r| r.0), "reached_iter": reached.map(|r| r.1),
                       "train_acc": train, "test_acc": test, "rho": res.rho,
                       "width": res.model.network().width(),
                       "degeneracy": degeneracy(&ds, &res.model)})
            );
        }
        "scaling" => scaling(&a),
        "adversarial" => adversarial_cmd(&a),
        _ => eprintln!("usage: relu_bench export|solve|trace|scaling|adversarial ..."),
    }
}

/// How degenerate the ReLU program's solution is (what slows ADMM down): zero blocks (all
/// n cone rows active at v_i = 0) and, in the nonzero blocks, rows with
/// |x_j^T v_i| <= 1e-7 max |X v_i| (active cone rows).
fn degeneracy(ds: &Dataset, model: &opal_relu::Model) -> serde_json::Value {
    if model.v.ncols() == 0 {
        return json!(null);
    }
    let x = if model.fit_intercept {
        Mat::from_fn(ds.n(), ds.d() + 1, |i, j| {
            if j < ds.d() { ds.x[(i, j)] } else { 1.0 }
        })
    } else {
        ds.x.clone()
    };
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
fn scaling(a: &Args) {
    let ds = load(a.get("data").expect("--data"), None);
    let ns: Vec<usize> = a
        .get("ns")
        .unwrap_or("500,1000,2000,4000")
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    let iters: usize = a.num("iters", 50);
    let mut pts = Vec::new();
    for &n in &ns {
        let sub = ds.head(n);
        let set = settings(a)
            .variant(Variant::parse(a.get("variant").unwrap_or("relu")).unwrap())
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
        let res = fit_observed(&sub, &set, &mut obs).unwrap();
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
}

fn adversarial_cmd(a: &Args) {
    let ds = load(&a.pos[1], a.get("subsample").map(|v| v.parse().unwrap()));
    let te = a.get("test").map(|t| read(t, Some(ds.d())));
    let eps: f64 = a.num("eps", 0.05);
    let attack_eps: f64 = a.num("attack-eps", eps);
    let base = settings(a);
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
        let res = adversarial::fit_robust(&ds, &set).unwrap();
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
}
