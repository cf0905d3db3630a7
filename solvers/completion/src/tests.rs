//! Tests of the completion solver against things that can fail: dense QR least squares,
//! ground-truth matrices, the information limit, noise scaling, determinism.

use std::time::Duration;

use faer::Mat;
use faer::linalg::solvers::SolveLstsq;
use opal_core::{Budget, Control, Status};

use super::regression::{self, LsqProblem, RegressionOptions, RegressionWorkspace};
use super::rng::SplitMix;
use super::*;

/// A row-major `rows x k` matrix with singular values log-spaced from 1 to 1/cond and
/// random singular vectors, a solution x, and b = A x + rho * (a unit vector orthogonal to
/// range(A)) * ||A x||.
fn ill_conditioned(rows: usize, k: usize, cond: f64, rho: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = SplitMix::new(seed);
    let g = Mat::<f64>::from_fn(rows, k + 1, |_, _| rng.normal());
    let q = g.qr().compute_thin_Q(); // rows x (k+1), orthonormal
    let h = Mat::<f64>::from_fn(k, k, |_, _| rng.normal());
    let w = h.qr().compute_thin_Q();
    let sig: Vec<f64> = (0..k)
        .map(|i| cond.powf(-(i as f64) / ((k - 1).max(1) as f64)))
        .collect();
    let mut a = vec![0.0; rows * k];
    for i in 0..rows {
        for c in 0..k {
            a[i * k + c] = (0..k).map(|t| q[(i, t)] * sig[t] * w[(c, t)]).sum();
        }
    }
    let x: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
    let mut b: Vec<f64> = (0..rows)
        .map(|i| (0..k).map(|c| a[i * k + c] * x[c]).sum())
        .collect();
    let nb = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    for i in 0..rows {
        b[i] += rho * nb * q[(i, k)];
    }
    (a, b)
}

/// Dense reference: min ||[A; sqrt(lambda) I] x - [b; 0]|| by faer's Householder QR.
fn qr_reference(a: &[f64], b: &[f64], rows: usize, k: usize, lambda: f64) -> Vec<f64> {
    let extra = if lambda > 0.0 { k } else { 0 };
    let am = Mat::<f64>::from_fn(rows + extra, k, |i, c| {
        if i < rows {
            a[i * k + c]
        } else if i - rows == c {
            lambda.sqrt()
        } else {
            0.0
        }
    });
    let bm = Mat::<f64>::from_fn(rows + extra, 1, |i, _| if i < rows { b[i] } else { 0.0 });
    let x = am.qr().solve_lstsq(&bm);
    (0..k).map(|i| x[(i, 0)]).collect()
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn matvec(a: &[f64], rows: usize, k: usize, x: &[f64]) -> Vec<f64> {
    (0..rows)
        .map(|i| (0..k).map(|c| a[i * k + c] * x[c]).sum())
        .collect()
}

#[test]
fn regression_solvers_match_dense_qr_on_ill_conditioned_systems() {
    let opts = RegressionOptions {
        tol: 1e-15,
        max_iter: 2000,
        ..Default::default()
    };
    // k = 64: faer's Cholesky and QR (dense::FAER_MIN_K)
    for &k in &[5usize, 20, 64] {
        let rows = 30 * k;
        let mut ws = RegressionWorkspace::new(rows, k, &opts);
        for (ci, &cond) in [1.0, 1e3, 1e6].iter().enumerate() {
            for &(rho, lambda) in &[(1e-9, 0.0), (1.0, 0.0), (0.3, 1e-3)] {
                let (a, b) = ill_conditioned(rows, k, cond, rho, 7 + ci as u64);
                let p = LsqProblem {
                    a: &a,
                    b: &b,
                    rows,
                    k,
                    lambda,
                };
                let xr = qr_reference(&a, &b, rows, k, lambda);
                let axr = matvec(&a, rows, k, &xr);
                for solver in [
                    RegressionSolver::Exact,
                    RegressionSolver::Cg,
                    RegressionSolver::Sketch,
                    RegressionSolver::Auto,
                ] {
                    if k >= 64 && matches!(solver, RegressionSolver::Cg | RegressionSolver::Auto) {
                        continue; // the faer factorizations only: plain CG needs more steps
                    }
                    let mut x = vec![0.0; k];
                    // Plain CG's stopping test is on the gradient, blind to errors along
                    // small singular directions; tol = 0 runs it to its rounding floor.
                    let o = if solver == RegressionSolver::Cg {
                        RegressionOptions { tol: 0.0, ..opts }
                    } else {
                        opts
                    };
                    let st = regression::solve(solver, &p, &mut x, &o, &mut ws, 11);
                    let dx: Vec<f64> = x.iter().zip(&xr).map(|(a, b)| a - b).collect();
                    let fit = norm(&matvec(&a, rows, k, &dx)) / norm(&axr);
                    let xerr = norm(&dx) / norm(&xr);
                    let tag = format!(
                        "{solver:?} k={k} cond={cond:e} rho={rho:e} lambda={lambda:e}: \
                         x err {xerr:.2e}, fit err {fit:.2e}, {} its",
                        st.iterations
                    );
                    // Fitted values are well conditioned whatever the residual; x itself is
                    // when the residual is small (otherwise its sensitivity is
                    // cond^2 eps ||r||, shared by QR).
                    assert!(fit <= 1e-9, "{tag}");
                    if rho < 1e-6 || lambda > 0.0 || cond == 1.0 {
                        assert!(xerr <= 1e-9, "{tag}");
                    }
                    let rss = norm(
                        &matvec(&a, rows, k, &x)
                            .iter()
                            .zip(&b)
                            .map(|(p, q)| p - q)
                            .collect::<Vec<_>>(),
                    )
                    .powi(2);
                    assert!(
                        (st.rss - rss).abs() <= 1e-8 * rss.max(1e-30) + 1e-20,
                        "{tag} rss {} vs {rss}",
                        st.rss
                    );
                    eprintln!("{tag}");
                }
            }
        }
    }
}

#[test]
fn sketch_iterations_do_not_grow_with_the_condition_number() {
    // At an attainable accuracy (1e-11) the preconditioned iteration count is set by the
    // embedding's distortion, not by cond(A); plain CG's count grows with cond(A).
    let opts = RegressionOptions {
        tol: 1e-11,
        max_iter: 5000,
        ..Default::default()
    };
    for &k in &[20usize, 40] {
        let rows = 30 * k;
        let mut ws = RegressionWorkspace::new(rows, k, &opts);
        let (mut sk, mut cg) = (Vec::new(), Vec::new());
        for &cond in &[1.0, 1e2, 1e4, 1e6] {
            let (a, b) = ill_conditioned(rows, k, cond, 1.0, 3);
            let p = LsqProblem {
                a: &a,
                b: &b,
                rows,
                k,
                lambda: 0.0,
            };
            let xr = qr_reference(&a, &b, rows, k, 0.0);
            let axr = norm(&matvec(&a, rows, k, &xr));
            let mut x = vec![0.0; k];
            let st = regression::solve(RegressionSolver::Sketch, &p, &mut x, &opts, &mut ws, 5);
            let dx: Vec<f64> = x.iter().zip(&xr).map(|(a, b)| a - b).collect();
            let fit = norm(&matvec(&a, rows, k, &dx)) / axr;
            assert!(
                st.converged && fit <= 1e-9,
                "k={k} cond={cond:e}: fit {fit:.2e} {st:?}"
            );
            sk.push(st.iterations);
            let mut x = vec![0.0; k];
            cg.push(
                regression::solve(RegressionSolver::Cg, &p, &mut x, &opts, &mut ws, 5).iterations,
            );
        }
        eprintln!(
            "k={k}: sketch iterations {sk:?}, plain CG iterations {cg:?} (cond 1, 1e2, 1e4, 1e6)"
        );
        let (lo, hi) = (*sk.iter().min().unwrap(), *sk.iter().max().unwrap());
        assert!(hi <= lo + 3, "sketch iterations grow with cond: {sk:?}");
    }
}

fn instance(
    m: usize,
    n: usize,
    k: usize,
    over: f64,
    noise: f64,
    seed: u64,
) -> opal_problems::generators::completion::CompletionInstance {
    let obs = (over * (k * (m + n - k)) as f64).round() as usize;
    opal_problems::generators::completion::low_rank(m, n, k, obs, noise, seed).unwrap()
}

/// Default settings with a sweep limit.
fn sweeps(n: usize) -> Settings {
    Settings::default().budget(Budget::iterations(n))
}

fn solve_inst(
    inst: &opal_problems::generators::completion::CompletionInstance,
    s: &Settings,
) -> (Completion, f64) {
    let c = complete(&inst.observed, s).unwrap();
    let err = inst.relative_error_entrywise(&c.u, &c.v, c.rank);
    (c, err)
}

#[test]
fn exact_recovery_with_every_regression_solver() {
    // 300 x 300, k = 5, |Omega| = 5 k (m + n - k): recovered to 1e-6 by all four choices
    let inst = instance(300, 300, 5, 5.0, 0.0, 1);
    for solver in [
        RegressionSolver::Exact,
        RegressionSolver::Cg,
        RegressionSolver::Sketch,
        RegressionSolver::Auto,
    ] {
        let (c, err) = solve_inst(&inst, &Settings::default().rank(5).solver(solver));
        assert_eq!(c.status, Status::Converged, "{solver:?}: {}", c.message);
        assert!(err <= 1e-6, "{solver:?}: relative error {err:.2e}");
        assert!(c.relative_residual <= 1e-9 && c.history.len() == c.iterations);
        assert_eq!(c.degrees_of_freedom, 5 * 595);
    }
}

#[test]
fn below_the_information_limit_reports_non_recovery() {
    // 0.8 k (m + n - k) entries: the training entries can be fit, the matrix cannot be
    // recovered, and the status must say so.
    let inst = instance(200, 150, 4, 0.8, 0.0, 2);
    let (c, err) = solve_inst(&inst, &sweeps(60).rank(4));
    assert_eq!(c.status, Status::Underdetermined);
    assert_eq!(c.reason, Some(Reason::TooFewEntries));
    assert!(!c.recovered());
    assert!(c.message.contains("degrees of freedom"));
    assert!(
        err > 1e-3,
        "a generic under-sampled instance cannot be recovered: {err}"
    );

    // enough entries overall, but one row keeps only k - 1 of them
    let mut inst = instance(200, 150, 4, 4.0, 0.0, 3);
    let t = &mut inst.observed;
    let mut kept = 0;
    let keep: Vec<bool> = t
        .rows
        .iter()
        .map(|&r| {
            if r != 0 {
                return true;
            }
            kept += 1;
            kept <= 3
        })
        .collect();
    let mut it = keep.iter();
    t.cols.retain(|_| *it.next().unwrap());
    let mut it = keep.iter();
    t.values.retain(|_| *it.next().unwrap());
    let mut it = keep.iter();
    t.rows.retain(|_| *it.next().unwrap());
    let (c, _) = solve_inst(&inst, &Settings::default().rank(4));
    assert_eq!(c.status, Status::Underdetermined);
    assert!(c.message.contains("fewer observed entries (3)"));
}

/// A coherent rank-1 matrix: only row 0 is nonzero. Its unobserved entries are invisible
/// to any method (their columns show only zeros), so an exact fit is not a recovery.
fn coherent(m: usize, n: usize, p: f64, seed: u64) -> opal_problems::triplets::Triplets {
    let mut rng = SplitMix::new(seed);
    let mut t = opal_problems::triplets::Triplets {
        nrows: m,
        ncols: n,
        ..Default::default()
    };
    for i in 0..m {
        for j in 0..n {
            if rng.unit() < p {
                t.rows.push(i);
                t.cols.push(j);
                t.values.push(if i == 0 {
                    1.0 + j as f64 / n as f64
                } else {
                    0.0
                });
            }
        }
    }
    t
}

#[test]
fn coherent_matrix_is_not_called_recovered() {
    let t = coherent(60, 80, 0.5, 4);
    let c = complete(&t, &Settings::default().rank(1)).unwrap();
    assert!(
        c.relative_residual <= 1e-9,
        "the training entries are fit exactly"
    );
    assert_eq!(c.reason, Some(Reason::NotRecovered), "{}", c.message);
    assert_eq!(c.status, Status::Underdetermined);
    assert!(c.message.contains("singular"));
    // the hold-out test sees it too
    let c = complete(&t, &Settings::default().rank(1).validation_fraction(0.2)).unwrap();
    assert_eq!(c.reason, Some(Reason::NotRecovered), "{}", c.message);
    assert_eq!(c.status, Status::Underdetermined);
    assert!(c.validation_relative_residual.unwrap() > 0.1);
}

#[test]
fn validation_confirms_a_real_recovery() {
    let inst = instance(300, 300, 5, 6.0, 0.0, 5);
    let (c, err) = solve_inst(&inst, &Settings::default().rank(5).validation_fraction(0.1));
    assert_eq!(c.status, Status::Converged, "{}", c.message);
    assert!(err <= 1e-6);
    assert!(c.held_out > 0 && c.validation_rmse.unwrap() < 1e-6);
    assert_eq!(c.held_out + c.observed, inst.observed.len());
}

#[test]
fn error_is_proportional_to_the_noise() {
    let mut errs = Vec::new();
    for &sigma in &[1e-4, 1e-2] {
        let inst = instance(300, 300, 5, 5.0, sigma, 6);
        let (c, err) = solve_inst(&inst, &Settings::default().rank(5));
        assert!(
            c.reason == Some(Reason::Stagnated) || c.status == Status::IterationLimit,
            "noisy data cannot be fit to 1e-9: {:?}",
            c.status
        );
        // entries have standard deviation sqrt(k); the relative error tracks sigma / sqrt(k)
        let rel_noise = sigma / 5f64.sqrt();
        assert!(
            err < 3.0 * rel_noise && err > 0.1 * rel_noise,
            "sigma {sigma}: error {err:.2e}"
        );
        errs.push(err);
    }
    let ratio = errs[1] / errs[0];
    assert!(
        (50.0..200.0).contains(&ratio),
        "error ratio {ratio} for a noise ratio of 100"
    );
}

#[test]
fn deterministic_for_a_seed_whatever_the_thread_count() {
    let inst = instance(150, 120, 3, 4.0, 1e-3, 7);
    let s = Settings::default()
        .rank(3)
        .solver(RegressionSolver::Sketch)
        .seed(9)
        .budget(Budget::iterations(8));
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| complete(&inst.observed, &s).unwrap())
    };
    let (a, b, c) = (run(1), run(2), run(2));
    assert_eq!(a.u, b.u);
    assert_eq!(a.v, b.v);
    assert_eq!(b.u, c.u);
    assert_eq!(a.train_rmse.to_bits(), c.train_rmse.to_bits());
    let d = complete(&inst.observed, &s.clone().seed(10)).unwrap();
    assert_ne!(a.u, d.u);
}

#[test]
fn theory_mode_with_sample_splitting_converges() {
    // 2T + 1 = 13 disjoint parts of a densely sampled matrix, each about 3 k (m + n - k)
    // entries; each half-sweep sees a fresh one. The initialization sees only 1/13 of the
    // data, so the mode needs many samples: the point is the geometric decrease.
    let inst = instance(300, 300, 3, 40.0, 0.0, 8);
    let s = sweeps(6).rank(3).mode(Mode::Theory);
    let (c, err) = solve_inst(&inst, &s);
    assert_eq!(c.iterations, 6);
    assert!(
        err < 1e-2,
        "error {err:.2e} after 6 split sweeps ({:?})",
        c.status
    );
    // the full-data residual contracts by at least 2 per sweep
    for w in c.history.windows(2) {
        assert!(
            w[1].relative_residual < 0.5 * w[0].relative_residual,
            "{:?}",
            c.history
        );
    }
}

#[test]
fn biases_and_ridge_for_rating_like_data() {
    // X = mu + b_i + c_j + U V^T exactly: recovered with biases on
    let inst = instance(200, 180, 3, 6.0, 0.0, 9);
    let mut t = inst.observed.clone();
    let mut rng = SplitMix::new(1);
    let rb: Vec<f64> = (0..t.nrows).map(|_| rng.normal()).collect();
    let cb: Vec<f64> = (0..t.ncols).map(|_| rng.normal()).collect();
    for e in 0..t.len() {
        t.values[e] += 3.5 + rb[t.rows[e]] + cb[t.cols[e]];
    }
    let c = complete(&t, &Settings::default().rank(3).biases(true)).unwrap();
    assert_eq!(c.status, Status::Converged, "{}", c.message);
    let mut worst: f64 = 0.0;
    for (i, j) in [(0, 0), (5, 17), (199, 179), (42, 3)] {
        let truth = inst.entry(i, j) + 3.5 + rb[i] + cb[j];
        worst = worst.max((c.predict(i, j) - truth).abs());
    }
    assert!(worst < 1e-5, "worst entry error {worst:e}");
    // the folded factors reproduce the prediction
    let (u2, v2, cols) = c.factors();
    assert_eq!(cols, 5);
    let x: f64 = (0..cols).map(|r| u2[7 + r * 200] * v2[11 + r * 180]).sum();
    assert!((x - c.predict(7, 11)).abs() < 1e-10);

    // noisy ratings with a ridge (uniform or count-weighted): held-out RMSE well below
    // that of the mean predictor
    let noisy = instance(200, 180, 3, 6.0, 0.5, 10);
    let c = complete(
        &noisy.observed,
        &Settings::default()
            .rank(3)
            .biases(true)
            .lambda(5.0)
            .validation_fraction(0.1),
    )
    .unwrap();
    assert!(matches!(c.status, Status::Stalled | Status::Converged));
    let vals = &noisy.observed.values;
    let mean = vals.iter().sum::<f64>() / vals.len() as f64;
    let sd = (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / vals.len() as f64).sqrt();
    assert!(
        c.validation_rmse.unwrap() < 0.5 * sd,
        "{} vs {sd}",
        c.validation_rmse.unwrap()
    );
    let w = complete(
        &noisy.observed,
        &Settings::default()
            .rank(3)
            .biases(true)
            .lambda(0.05)
            .weighted_lambda(true)
            .validation_fraction(0.1),
    )
    .unwrap();
    assert!(
        w.validation_rmse.unwrap() < 0.5 * sd,
        "{:?}",
        w.validation_rmse
    );
}

#[test]
fn bad_input_and_edge_cases() {
    let mut t = instance(30, 20, 2, 4.0, 0.0, 11).observed;
    t.values[3] = f64::NAN;
    let e = complete(&t, &Settings::default().rank(2)).unwrap_err();
    assert!(
        e.to_string().contains("entry 3") && e.to_string().contains("non-finite"),
        "{e}"
    );
    t.values[3] = 1.0;
    t.rows[5] = 30;
    assert!(
        complete(&t, &Settings::default().rank(2))
            .unwrap_err()
            .to_string()
            .contains("outside")
    );
    t.rows[5] = 0;
    let e = complete(&t, &Settings::default().rank(21)).unwrap_err();
    assert!(e.to_string().contains("rank"), "{e}");
    let e = complete(&t, &Settings::default().rank(2).lambda(-1.0)).unwrap_err();
    assert!(e.to_string().contains("lambda"), "{e}");

    // duplicates are averaged and counted
    let mut d = instance(40, 40, 2, 5.0, 0.0, 12).observed;
    let (r, c, v) = (d.rows[0], d.cols[0], d.values[0]);
    d.rows.extend([r, r]);
    d.cols.extend([c, c]);
    d.values.extend([v + 1.0, v - 1.0]);
    let out = complete(&d, &Settings::default().rank(2)).unwrap();
    assert_eq!(out.duplicates_merged, 2);
    assert_eq!(out.observed, d.len() - 2);
    let e = complete(
        &d,
        &Settings::default().rank(2).duplicates(Duplicates::Error),
    )
    .unwrap_err();
    assert!(e.to_string().contains("more than once"));

    // an empty column: underdetermined without a ridge, a zero factor row with one
    let mut t = instance(40, 30, 2, 5.0, 0.0, 13).observed;
    let keep: Vec<bool> = t.cols.iter().map(|&c| c != 7).collect();
    let mut it = keep.iter();
    t.rows.retain(|_| *it.next().unwrap());
    let mut it = keep.iter();
    t.values.retain(|_| *it.next().unwrap());
    t.cols.retain(|&c| c != 7);
    let out = complete(&t, &Settings::default().rank(2)).unwrap();
    assert_eq!(out.status, Status::Underdetermined);
    let out = complete(&t, &Settings::default().rank(2).lambda(0.1)).unwrap();
    assert_ne!(out.status, Status::Underdetermined);
    assert!((0..2).all(|r| out.v[7 + r * 30] == 0.0));

    // observer interruption and the time limit
    let inst = instance(100, 100, 2, 5.0, 0.0, 14);
    let mut seen = 0;
    let out = complete_observed(
        &inst.observed,
        &Settings::default().rank(2),
        &mut |log: &SweepLog| {
            seen = log.sweep;
            Control::stop_if(log.sweep >= 2)
        },
    )
    .unwrap();
    assert_eq!(
        (out.status, out.iterations, seen),
        (Status::Interrupted, 2, 2)
    );
    let zero = Budget::default().with_time_limit(Some(Duration::ZERO));
    let out = complete(&inst.observed, &Settings::default().rank(2).budget(zero)).unwrap();
    assert_eq!((out.status, out.iterations), (Status::TimeLimit, 0));
}

#[test]
fn degenerate_shapes_and_values_do_not_panic() {
    use opal_problems::triplets::Triplets;
    let t = |m: usize, n: usize, e: &[(usize, usize, f64)]| Triplets {
        nrows: m,
        ncols: n,
        rows: e.iter().map(|x| x.0).collect(),
        cols: e.iter().map(|x| x.1).collect(),
        values: e.iter().map(|x| x.2).collect(),
    };
    // a fully observed 1 x 4 row: rank 1 is exact
    let row = t(1, 4, &[(0, 0, 1.0), (0, 1, 2.0), (0, 2, -1.0), (0, 3, 0.5)]);
    let c = complete(&row, &Settings::default().rank(1)).unwrap();
    assert_eq!(c.status, Status::Converged, "{}", c.message);
    assert!((c.predict(0, 1) - 2.0).abs() < 1e-9);
    // all-zero observations: the zero matrix, no NaN
    let zeros = t(3, 3, &[(0, 0, 0.0), (1, 1, 0.0), (2, 2, 0.0), (0, 1, 0.0)]);
    for lambda in [0.0, 1.0] {
        let c = complete(&zeros, &Settings::default().rank(1).lambda(lambda)).unwrap();
        assert!(c.u.iter().chain(&c.v).all(|x| x.is_finite()));
        assert!(c.predict(2, 0).abs() < 1e-12);
    }
    // a single entry: underdetermined, finite
    let one = t(5, 5, &[(2, 3, 4.0)]);
    let c = complete(&one, &Settings::default().rank(1)).unwrap();
    assert_eq!(c.status, Status::Underdetermined);
    assert!(c.u.iter().chain(&c.v).all(|x| x.is_finite()));
}

#[test]
fn settings_from_json_and_the_sweep_log() {
    let s: Settings = serde_json::from_str(
        r#"{"rank": 3, "budget": {"max_iterations": 7, "time_limit": 2.5},
            "solver": "sketch", "mode": "theory"}"#,
    )
    .unwrap();
    assert_eq!(
        (s.rank, s.budget.max_iterations, s.solver, s.mode),
        (3, 7, RegressionSolver::Sketch, Mode::Theory)
    );
    assert_eq!(s.budget.time_limit, Some(Duration::from_millis(2500)));
    assert!(serde_json::from_str::<Settings>(r#"{"max_iter": 3}"#).is_err());
    let back: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    // the verbose log: a first line, the header every ten sweeps, a line per sweep, the end
    let inst = instance(60, 50, 2, 5.0, 0.0, 2);
    let mut log = opal_core::LogObserver::new(Vec::new());
    let c = complete_observed(&inst.observed, &Settings::default().rank(2), &mut log).unwrap();
    let text = String::from_utf8(log.into_inner()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("completion on 60 x 50"), "{text}");
    assert!(lines[1].trim_start().starts_with("iter"), "{text}");
    assert!(
        lines.last().unwrap().starts_with("converged after"),
        "{text}"
    );
    assert_eq!(lines.len(), c.iterations + c.iterations.div_ceil(10) + 2);
}
