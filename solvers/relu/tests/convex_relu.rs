//! Convex ReLU training (issue 6): optimality against an independent conic solver, ADMM vs
//! FISTA, group-lasso KKT conditions, network recovery, robust training, determinism and
//! bad input.
//!
//! Reference optima: the data subsets and gates below were exported with
//! `relu_bench export DATA --subsample N --patterns P --seed S [--bias] --out DIR` (the same
//! `sample_gates` as `fit`), then solved with `bench/python/relu_cvxpy.py DIR --variant V`
//! (CVXPY 1.9 + Clarabel 0.11, tol_gap_abs = tol_gap_rel = tol_feas = 1e-10, lam = 1e-3); the
//! objective was recomputed in numpy from the solution. SCS with eps 1e-9 agreed to 1e-10
//! relative on every value.

use std::time::Duration;

use faer::Mat;
use opal_core::{Budget, Control, Interrupt, LogObserver, Status};
use opal_problems::formats::libsvm::read_libsvm;
use opal_problems::shared_data::require;
use opal_relu::adversarial::{self, AdvSettings, Attack, RobustSolver};
use opal_relu::{
    Dataset, IterInfo, ReluError, Settings, SolverKind, Task, Variant, evaluate_program, fit,
    fit_observed, sample_gates,
};

fn load(name: &str, rows: usize, test: &str) -> Option<Dataset> {
    let path = require(&format!("data/libsvm/{name}"), test)?;
    let raw = read_libsvm(&path, None).unwrap();
    let (y, _) = raw.binary_labels().unwrap();
    let (x, d) = raw.to_dense(None);
    let ds = Dataset::from_row_major(raw.n_samples(), d, &x, y, Task::Classification).unwrap();
    Some(ds.head(rows))
}

/// (data, rows, patterns, seed, bias, gated optimum, relu optimum).
const REFS: [(&str, usize, usize, u64, bool, f64, f64); 3] = [
    (
        "heart_scale",
        80,
        10,
        1,
        false,
        0.016662671710007272,
        0.04046610900531439,
    ),
    (
        "sonar_scale",
        60,
        8,
        2,
        false,
        0.009974305802226831,
        0.011218144577573533,
    ),
    (
        "diabetes_scale",
        100,
        12,
        3,
        true,
        0.16942887742046742,
        0.2615954252926398,
    ),
];

fn base(p: usize, seed: u64, bias: bool) -> Settings {
    Settings::default()
        .n_patterns(p)
        .seed(seed)
        .fit_intercept(bias)
        .lam(1e-3)
}

#[test]
fn objectives_match_cvxpy_references() {
    for (name, rows, p, seed, bias, gated_ref, relu_ref) in REFS {
        let Some(ds) = load(name, rows, "objectives_match_cvxpy_references") else {
            return;
        };
        let set = base(p, seed, bias);
        for solver in [SolverKind::Fista, SolverKind::Admm, SolverKind::Ipm] {
            let r = fit(&ds, &set.clone().solver(solver).tol(1e-9)).unwrap();
            let rel = (r.objective - gated_ref).abs() / gated_ref;
            assert!(
                rel < 1e-5,
                "{name} gated {solver:?}: {} vs {gated_ref} (rel {rel:.2e})",
                r.objective
            );
            assert_eq!(r.status, Status::Converged, "{name} gated {solver:?}");
        }
        // The interior point at its default tolerance, and ADMM run tight.
        for (solver, tol) in [(SolverKind::Ipm, 1e-6), (SolverKind::Admm, 1e-9)] {
            let r = fit(
                &ds,
                &set.clone().variant(Variant::Relu).solver(solver).tol(tol),
            )
            .unwrap();
            let rel = (r.objective - relu_ref).abs() / relu_ref;
            assert!(
                rel < 1e-5,
                "{name} relu {solver:?}: {} vs {relu_ref} (rel {rel:.2e})",
                r.objective
            );
            if solver == SolverKind::Ipm {
                assert_eq!(r.status, Status::Converged, "{name} relu ipm");
            }
            assert!(
                r.cone_violation <= 1e-6,
                "{name} relu {solver:?} cone violation {}",
                r.cone_violation
            );
        }
        // The augmented Lagrangian (memory linear in n) approaches the optimum, slowly: the
        // cone rows are degenerate at the solution, as for ADMM. Its iteration limit binds.
        let al = set
            .clone()
            .variant(Variant::Relu)
            .solver(SolverKind::AugLag);
        let r = fit(&ds, &al.tol(1e-8)).unwrap();
        let rel = (r.objective - relu_ref).abs() / relu_ref;
        assert!(
            rel < 5e-3 && r.cone_violation <= 1e-3,
            "{name} relu al: {} vs {relu_ref} (rel {rel:.2e}), cone violation {:.2e}",
            r.objective,
            r.cone_violation
        );
        let r = fit(&ds, &set.clone().variant(Variant::Relu)).unwrap();
        assert_eq!(r.solver, SolverKind::Ipm, "auto picks the interior point");
        let rel = (r.objective - relu_ref).abs() / relu_ref;
        assert!(rel < 1e-5, "{name} relu auto: rel {rel:.2e}");
        assert!(
            r.cone_violation <= 1e-6,
            "{name} relu cone violation {}",
            r.cone_violation
        );
        // The objective is no better than the optimum beyond what the violation allows.
        assert!(r.objective > relu_ref * (1.0 - 1e-5));
        // Recomputing from the model's gates gives the same value.
        let (obj2, cv2) = evaluate_program(&r.model, &ds, 1e-3).unwrap();
        assert!((obj2 - r.objective).abs() <= 1e-12 * r.objective.abs().max(1.0));
        assert!((cv2 - r.cone_violation).abs() <= 1e-12);
    }
}

/// Synthetic data: a planted two-layer ReLU network plus noise (deterministic).
fn planted(n: usize, d: usize, seed: u64) -> Dataset {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    let x = Mat::from_fn(n, d, |_, _| next());
    let w1: Vec<f64> = (0..d).map(|_| next()).collect();
    let w2: Vec<f64> = (0..d).map(|_| next()).collect();
    let y = (0..n)
        .map(|j| {
            let a: f64 = (0..d).map(|k| x[(j, k)] * w1[k]).sum();
            let b: f64 = (0..d).map(|k| x[(j, k)] * w2[k]).sum();
            a.max(0.0) - 0.5 * b.max(0.0) + 0.05 * next()
        })
        .collect();
    Dataset::new(x, y).unwrap()
}

#[test]
fn admm_fista_and_cg_agree_and_kkt_holds() {
    let ds = planted(120, 6, 7);
    let set = Settings::default()
        .n_patterns(20)
        .seed(5)
        .lam(1e-2)
        .tol(1e-10);
    let fista = fit(&ds, &set.clone().solver(SolverKind::Fista)).unwrap();
    let admm = fit(&ds, &set.clone().solver(SolverKind::Admm)).unwrap();
    let cg = fit(&ds, &set.clone().solver(SolverKind::AdmmCg)).unwrap();
    let ipm = fit(&ds, &set.clone().solver(SolverKind::Ipm)).unwrap();
    for r in [&fista, &admm, &cg, &ipm] {
        assert_eq!(r.status, Status::Converged, "{:?}", r.solver);
    }
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
    assert!(
        rel(fista.objective, admm.objective) < 1e-8,
        "{} {}",
        fista.objective,
        admm.objective
    );
    assert!(
        rel(ipm.objective, admm.objective) < 1e-8,
        "{} {}",
        ipm.objective,
        admm.objective
    );
    assert!(
        rel(cg.objective, admm.objective) < 1e-8,
        "{} {}",
        cg.objective,
        admm.objective
    );
    // Group-lasso optimality at the ADMM solution: with grad_i = (1/n) (D_i X)^T (F u - y),
    // grad_i = -lam u_i / ||u_i|| on the support and ||grad_i|| <= lam off it.
    let u = &admm.model.u;
    let x = &ds.x;
    let n = ds.n();
    let pred = admm.model.convex_predict(x.as_ref()).unwrap();
    let g = &admm.model.gates;
    let mut lhs_worst = 0.0f64;
    for i in 0..u.ncols() {
        let mut grad = vec![0.0; ds.d()];
        for j in 0..n {
            let act: f64 = (0..ds.d()).map(|k| x[(j, k)] * g[(k, i)]).sum();
            if act >= 0.0 {
                for k in 0..ds.d() {
                    grad[k] += x[(j, k)] * (pred[j] - ds.y[j]) / n as f64;
                }
            }
        }
        let nu: f64 = (0..ds.d()).map(|k| u[(k, i)].powi(2)).sum::<f64>().sqrt();
        if nu > 0.0 {
            for k in 0..ds.d() {
                lhs_worst = lhs_worst.max((grad[k] + 1e-2 * u[(k, i)] / nu).abs());
            }
        } else {
            let ng: f64 = grad.iter().map(|v| v * v).sum::<f64>().sqrt();
            lhs_worst = lhs_worst.max(ng - 1e-2);
        }
    }
    assert!(lhs_worst < 1e-6, "KKT residual {lhs_worst:.2e}");
    // Some blocks are zero and some not: the test exercises both branches.
    let nz = (0..u.ncols()).filter(|&i| u.col(i).norm_l2() > 0.0).count();
    assert!(nz > 0 && nz < u.ncols(), "support {nz} of {}", u.ncols());
}

#[test]
fn recovered_network_matches_program_predictions() {
    let ds = planted(90, 5, 3);
    for variant in [Variant::Gated, Variant::Relu] {
        let set = Settings::default()
            .n_patterns(15)
            .seed(2)
            .lam(1e-3)
            .tol(1e-8)
            .variant(variant)
            .fit_intercept(true);
        let r = fit(&ds, &set).unwrap();
        let net = r.model.network();
        let f_net = net.forward(ds.x.as_ref()).unwrap();
        let f_cvx = r.model.convex_predict(ds.x.as_ref()).unwrap();
        let scale = f_cvx.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let worst = f_net
            .iter()
            .zip(&f_cvx)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        // Exact for gated; for ReLU exact up to the cone violation of the solution.
        assert!(
            worst <= 1e-9 * scale + 50.0 * r.cone_violation,
            "{variant:?}: {worst:.2e}"
        );
        // Weight decay of the network equals the group-lasso penalty.
        let wd: f64 =
            0.5 * (net.first.squared_norm_l2() + net.second.iter().map(|a| a * a).sum::<f64>());
        let gl: f64 = [&r.model.u, &r.model.v, &r.model.w]
            .iter()
            .map(|m| (0..m.ncols()).map(|i| m.col(i).norm_l2()).sum::<f64>())
            .sum();
        assert!((wd - gl).abs() <= 1e-10 * gl.max(1.0), "{wd} vs {gl}");
    }
}

#[test]
fn deterministic_per_seed_and_gates_dedup() {
    let ds = planted(60, 4, 11);
    let set = Settings::default().n_patterns(40).seed(9).tol(1e-7);
    let a = fit(&ds, &set).unwrap();
    let b = fit(&ds, &set).unwrap();
    assert_eq!(a.objective.to_bits(), b.objective.to_bits());
    assert_eq!(a.model.u, b.model.u);
    assert_eq!(a.model.gates, b.model.gates);
    let c = fit(&ds, &set.clone().seed(10)).unwrap();
    assert_ne!(a.model.gates, c.model.gates);
    // Dropped counts add up, and the kept patterns are distinct and nonzero.
    let g = sample_gates(ds.x.as_ref(), 40, 9);
    assert_eq!(g.len() + g.dropped_duplicate + g.dropped_zero, 40);
    let cols: Vec<Vec<u8>> = (0..g.len())
        .map(|i| (0..ds.n()).map(|j| g.patterns[(j, i)] as u8).collect())
        .collect();
    for i in 0..cols.len() {
        assert!(cols[i].contains(&1));
        for j in 0..i {
            assert_ne!(cols[i], cols[j]);
        }
    }
    // A duplicated gate column is dropped.
    let twice = Mat::from_fn(4, 2, |k, _| g.g[(k, 0)]);
    let g2 = opal_relu::gates_from(ds.x.as_ref(), twice.as_ref());
    assert_eq!((g2.len(), g2.dropped_duplicate), (1, 1));
}

/// (bias, eps, robust optimum): heart_scale rows 0..80, 6 gates, seed 4, lam 1e-3; CVXPY 1.9 +
/// Clarabel (`relu_cvxpy.py DIR --variant robust --radius EPS [--bias]`, tolerances 1e-10).
const ROBUST_REFS: [(bool, f64, f64); 4] = [
    (false, 0.0, 0.1141704328998703),
    (true, 0.0, 0.06482122553478967),
    (false, 0.02, 0.18329655758507768),
    (true, 0.02, 0.09907704842747109),
];

/// The robust program on heart_scale's first rows: 6 gates, seed 4, lam 1e-3, tol 1e-8
/// (rho 0.1 for the ADMM path, as these references were always run).
fn robust(eps: f64) -> AdvSettings {
    AdvSettings::default()
        .eps(eps)
        .n_patterns(6)
        .seed(4)
        .lam(1e-3)
        .tol(1e-8)
        .rho(0.1)
}

#[test]
fn robust_program_matches_cvxpy_and_bound_holds_under_pgd() {
    let Some(ds) = load(
        "heart_scale",
        80,
        "robust_program_matches_cvxpy_and_bound_holds_under_pgd",
    ) else {
        return;
    };
    for (bias, eps, reference) in ROBUST_REFS {
        let set = robust(eps).fit_intercept(bias);
        let r = adversarial::fit_robust(&ds, &set).unwrap();
        assert_eq!(r.status, Status::Converged, "bias {bias} eps {eps}");
        let rel = (r.objective - reference).abs() / reference;
        assert!(
            rel < 1e-6,
            "bias {bias} eps {eps}: {} vs {reference} (rel {rel:.2e})",
            r.objective
        );
        assert!(
            r.cone_violation <= 1e-9,
            "cone violation {}",
            r.cone_violation
        );
    }
    // The robust bound against PGD on the recovered network (radius 0.02, no bias).
    let eps = 0.02;
    let set = robust(eps);
    let r = adversarial::fit_robust(&ds, &set).unwrap();
    let (count, worst) = adversarial::bound_check(&r, &ds, eps);
    assert_eq!(count, 0, "PGD beat the robust bound by {worst:.2e}");
    assert!(worst <= 1e-9, "PGD beat the robust bound by {worst:.2e}");
    // The plain model's bound at eps = 0 does not cover attacks: PGD finds larger losses.
    let plain = adversarial::fit_robust(&ds, &set.clone().eps(0.0)).unwrap();
    let (count, _) = adversarial::bound_check(&plain, &ds, eps);
    assert!(count > 0);
    // Accuracy under attack is no better than clean accuracy, and the robust model keeps
    // more of it than the plain one.
    let acc = |m: &adversarial::AdvResult, attack| {
        adversarial::attack_accuracy(&m.model.network(), &ds, attack, eps)
    };
    let pgd = Attack::Pgd {
        steps: 20,
        step: eps / 5.0,
    };
    let (clean, robust_pgd) = (acc(&r, Attack::None), acc(&r, pgd));
    assert!(
        robust_pgd <= clean && clean > 0.7,
        "clean {clean} pgd {robust_pgd}"
    );
    let drop_plain = acc(&plain, Attack::None) - acc(&plain, pgd);
    assert!(
        clean - robust_pgd <= drop_plain,
        "robust drop {} plain drop {drop_plain}",
        clean - robust_pgd
    );
    // The ADMM path still runs (it is the fallback for many patterns), if loosely.
    let admm = adversarial::fit_robust(
        &ds,
        &set.clone()
            .solver(RobustSolver::Admm)
            .tol(1e-4)
            .budget(Budget::iterations(3000)),
    )
    .unwrap();
    assert!(
        admm.objective >= r.objective * (1.0 - 1e-3),
        "{} vs {}",
        admm.objective,
        r.objective
    );
}

#[test]
fn robust_cone_projection_is_a_projection() {
    // Against brute force: the projection minimizes the distance among feasible points.
    use opal_relu::adversarial::project_robust_cone_for_tests as proj;
    let a0 = [0.3, -0.2, 0.05, 0.4];
    let c0 = [0.5, -0.7, 0.1];
    let mask = [1.0, 1.0, 1.0];
    let eps = 0.3;
    let (a, c) = proj(&a0, &c0, &mask, eps);
    let l1: f64 = c.iter().map(|v| v.abs()).sum();
    assert!(a.iter().all(|&v| v >= eps * l1 - 1e-12));
    let dist = |a: &[f64], c: &[f64]| -> f64 {
        a.iter().zip(&a0).map(|(x, y)| (x - y).powi(2)).sum::<f64>()
            + c.iter().zip(&c0).map(|(x, y)| (x - y).powi(2)).sum::<f64>()
    };
    let best = dist(&a, &c);
    // Random feasible points (scaled c, raised a) are never closer.
    let mut s = 12345u64;
    for _ in 0..20000 {
        let mut r = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let cc: Vec<f64> = c0.iter().map(|v| v * r() * 1.2).collect();
        let t = eps * cc.iter().map(|v| v.abs()).sum::<f64>();
        let aa: Vec<f64> = a0.iter().map(|v| v.max(t + 0.05 * r())).collect();
        assert!(dist(&aa, &cc) >= best - 1e-12);
    }
}

#[test]
fn bad_input_gives_errors() {
    let ds = planted(30, 3, 1);
    let mut x = ds.x.clone();
    x[(4, 2)] = f64::NAN;
    let e = Dataset::new(x, ds.y.clone()).unwrap_err();
    assert!(e.to_string().contains("X[4, 2]"), "{e}");
    assert!(matches!(
        Dataset::new(ds.x.clone(), vec![1.0; 29]),
        Err(ReluError::Data(_))
    ));
    assert!(matches!(
        Dataset::new(Mat::zeros(0, 3), vec![]),
        Err(ReluError::Data(_))
    ));
    let bad = [
        Settings::default().lam(-1.0),
        Settings::default().lam(f64::NAN),
        Settings::default().n_patterns(0),
        Settings::default().tol(0.0),
        Settings::default().budget(Budget::iterations(0)),
        Settings::default().backtrack(1.5),
    ];
    for s in bad {
        assert!(matches!(fit(&ds, &s), Err(ReluError::Setting(_))), "{s:?}");
    }
    let e = fit(
        &ds,
        &Settings::default()
            .variant(Variant::Relu)
            .solver(SolverKind::Fista),
    )
    .unwrap_err();
    assert!(matches!(e, ReluError::Unsupported(_)), "{e}");
    // Robust training needs ±1 labels.
    let e = adversarial::fit_robust(&ds, &AdvSettings::default()).unwrap_err();
    assert!(e.to_string().contains("not ±1"), "{e}");
    // Prediction with the wrong feature count.
    let r = fit(&ds, &Settings::default().n_patterns(5)).unwrap();
    assert!(
        r.model
            .decision_function(Mat::zeros(2, 4).as_ref())
            .is_err()
    );
    // A time limit is honoured with its status (the shortest one a budget holds).
    let tiny = Budget::default().with_time_limit(Some(Duration::from_nanos(1)));
    let r = fit(
        &ds,
        &Settings::default().n_patterns(5).tol(1e-300).budget(tiny),
    )
    .unwrap();
    assert_eq!(r.status, Status::TimeLimit);
    assert_eq!(r.message, "time limit reached");
    assert!(SolverKind::parse("newton").is_err() && Variant::parse("deep").is_err());
}

#[test]
fn observers_see_every_iterate_and_may_stop() {
    let ds = planted(60, 4, 5);
    let set = Settings::default().n_patterns(8).tol(1e-12);
    for solver in [
        SolverKind::Fista,
        SolverKind::Admm,
        SolverKind::AdmmCg,
        SolverKind::Ipm,
        SolverKind::AugLag,
    ] {
        let mut seen = Vec::new();
        let mut obs = |i: &IterInfo| {
            seen.push(i.iteration);
            Control::stop_if(i.iteration == 3)
        };
        // The augmented Lagrangian solves the ReLU program only.
        let variant = if solver == SolverKind::AugLag {
            Variant::Relu
        } else {
            Variant::Gated
        };
        let set = set.clone().solver(solver).variant(variant);
        let r = fit_observed(&ds, &set, &mut obs).unwrap();
        assert_eq!(
            (r.status, r.iterations),
            (Status::Interrupted, 3),
            "{solver:?}"
        );
        assert_eq!(seen, [1, 2, 3], "{solver:?}");
    }
    // A raised stop request ends the run at the first iterate.
    let stop = Interrupt::new();
    stop.trigger();
    let budget = Budget::default().with_interrupt(stop);
    let r = fit(&ds, &set.clone().budget(budget.clone())).unwrap();
    assert_eq!((r.status, r.iterations), (Status::Interrupted, 1));
    let signs = ds.y.iter().map(|&v| if v >= 0.0 { 1.0 } else { -1.0 });
    let labelled = Dataset::new(ds.x.clone(), signs.collect()).unwrap();
    for solver in [RobustSolver::Ipm, RobustSolver::Admm] {
        let set = robust(0.0).solver(solver).budget(budget.clone());
        let r = adversarial::fit_robust(&labelled, &set).unwrap();
        assert_eq!((r.status, r.iterations), (Status::Interrupted, 1));
    }
    // The log: one line per iterate with the solver's columns, then the outcome.
    for (solver, header) in [
        (SolverKind::Admm, "r_pri"),
        (SolverKind::Fista, "subgrad"),
        (SolverKind::Ipm, "lg(mu)"),
    ] {
        let mut log = LogObserver::new(Vec::new());
        let r = fit_observed(&ds, &set.clone().solver(solver).tol(1e-6), &mut log).unwrap();
        let text = String::from_utf8(log.into_inner()).unwrap();
        assert!(text.contains(header), "{text}");
        let last = text.lines().last().unwrap();
        assert!(last.starts_with("converged after"), "{last}");
        assert!(last.ends_with(&r.message), "{last}");
    }
}
