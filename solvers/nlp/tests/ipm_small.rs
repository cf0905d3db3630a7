//! The interior point on small problems written in Rust: known optima, statuses for
//! infeasible and unbounded problems, fixed variables, quasi-Newton and adaptive barrier
//! options, limits and observers.

use opal_core::{Budget, Control, Status};
use opal_nlp::ipm::{self, HessianApproximation, KktMethod, LinearSolver, MuStrategy, Settings};
use opal_problems::SmoothProblem;
use opal_problems::closure::FnProblem;

const INF: f64 = f64::INFINITY;

/// HS71: min x1 x4 (x1 + x2 + x3) + x3 s.t. x1 x2 x3 x4 >= 25, sum x^2 = 40, 1 <= x <= 5.
fn hs71(exact_hessian: bool) -> FnProblem {
    let p = FnProblem::new("HS71", vec![1.0, 5.0, 5.0, 1.0], |x: &[f64]| {
        x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2]
    })
    .gradient_fn(|x: &[f64], g: &mut [f64]| {
        g[0] = x[3] * (2.0 * x[0] + x[1] + x[2]);
        g[1] = x[0] * x[3];
        g[2] = x[0] * x[3] + 1.0;
        g[3] = x[0] * (x[0] + x[1] + x[2]);
    })
    .bounds(vec![1.0; 4], vec![5.0; 4])
    .constraints(2, |x: &[f64], c: &mut [f64]| {
        c[0] = x[0] * x[1] * x[2] * x[3];
        c[1] = x.iter().map(|v| v * v).sum();
    })
    .constraint_bounds(vec![25.0, 40.0], vec![INF, 40.0])
    .jacobian_fn(|x: &[f64], j: &mut [f64]| {
        j[0] = x[1] * x[2] * x[3];
        j[1] = x[0] * x[2] * x[3];
        j[2] = x[0] * x[1] * x[3];
        j[3] = x[0] * x[1] * x[2];
        for k in 0..4 {
            j[4 + k] = 2.0 * x[k];
        }
    });
    if !exact_hessian {
        return p;
    }
    p.hessian_fn(|x: &[f64], s: f64, y: &[f64], h: &mut [f64]| {
        h.iter_mut().for_each(|v| *v = 0.0);
        let mut set = |i: usize, k: usize, v: f64| {
            h[i * 4 + k] += v;
            if i != k {
                h[k * 4 + i] += v;
            }
        };
        set(0, 0, s * 2.0 * x[3] + 2.0 * y[1]);
        set(1, 0, s * x[3] + y[0] * x[2] * x[3]);
        set(2, 0, s * x[3] + y[0] * x[1] * x[3]);
        set(3, 0, s * (2.0 * x[0] + x[1] + x[2]) + y[0] * x[1] * x[2]);
        set(1, 1, 2.0 * y[1]);
        set(2, 1, y[0] * x[0] * x[3]);
        set(3, 1, s * x[0] + y[0] * x[0] * x[2]);
        set(2, 2, 2.0 * y[1]);
        set(3, 2, s * x[0] + y[0] * x[0] * x[1]);
        set(3, 3, 2.0 * y[1]);
    })
}

const HS71_F: f64 = 17.0140173;

fn assert_hs71(out: &ipm::Output) {
    assert!(out.status.is_success(), "{}: {}", out.status, out.message);
    assert!((out.objective - HS71_F).abs() < 1e-6, "{}", out.objective);
    // KKT at the returned point, recomputed here: grad f + J^T y - zL + zU = 0.
    let p = hs71(true);
    let x = &out.x;
    let mut g = [0.0; 4];
    p.gradient(x, &mut g).unwrap();
    let mut j = [0.0; 8];
    p.jacobian_values(x, &mut j).unwrap();
    for k in 0..4 {
        let r = g[k] + out.multipliers[0] * j[k] + out.multipliers[1] * j[4 + k]
            - out.lower_bound_multipliers[k]
            + out.upper_bound_multipliers[k];
        assert!(r.abs() < 1e-5, "dual residual {k}: {r}");
    }
    assert!(
        out.multipliers[0] <= 1e-8,
        "an active >= row has a nonpositive multiplier"
    );
    assert!(out.constraint_violation < 1e-7);
}

#[test]
fn hs71_exact_dense_and_sparse() {
    for solver in [LinearSolver::Dense, LinearSolver::SparseLdl] {
        let out = ipm::solve(&hs71(true), &Settings::default().linear_solver(solver)).unwrap();
        assert_hs71(&out);
        assert!(
            out.iterations <= 12,
            "{solver:?}: {} iterations",
            out.iterations
        );
    }
}

#[test]
fn hs71_inexact_krylov_steps_reach_the_direct_solution() {
    let direct = ipm::solve(&hs71(true), &Settings::default()).unwrap();
    let settings = Settings::default().kkt_solver(KktMethod::Krylov);
    let krylov = ipm::solve(&hs71(true), &settings).unwrap();
    assert_hs71(&krylov);
    for (a, b) in krylov.x.iter().zip(&direct.x) {
        assert!((a - b).abs() < 1e-6, "{:?} vs {:?}", krylov.x, direct.x);
    }
    assert!(krylov.kkt_iterations > 0, "MINRES ran");
    assert!(
        krylov.kkt_fallbacks < krylov.iterations,
        "{} fallbacks in {} iterations",
        krylov.kkt_fallbacks,
        krylov.iterations
    );
    assert_eq!((direct.kkt_iterations, direct.kkt_fallbacks), (0, 0));
    // With limited-memory BFGS the low-rank solves are exact requests (the factorization).
    let lbfgs = settings.hessian(HessianApproximation::LimitedMemory { memory: 6 });
    assert_hs71(&ipm::solve(&hs71(true), &lbfgs).unwrap());
}

#[test]
fn hs71_limited_memory_and_finite_differences() {
    let lbfgs = Settings::default().hessian(HessianApproximation::LimitedMemory { memory: 6 });
    assert_hs71(&ipm::solve(&hs71(true), &lbfgs).unwrap());
    // No Hessian closure: Auto chooses limited-memory BFGS.
    let out = ipm::solve(&hs71(false), &Settings::default()).unwrap();
    assert_hs71(&out);
}

#[test]
fn hs71_adaptive_barrier() {
    let out = ipm::solve(
        &hs71(true),
        &Settings::default().mu_strategy(MuStrategy::Adaptive),
    )
    .unwrap();
    assert_hs71(&out);
}

#[test]
fn warm_start_from_a_solution_takes_few_iterations() {
    let cold = ipm::solve(&hs71(true), &Settings::default()).unwrap();
    assert_hs71(&cold);
    // IPOPT's warm-start recipe: small barrier parameter, small pushes.
    let warm_settings = Settings::default()
        .mu_init(1e-9)
        .mu_min(1e-11)
        .bound_push(1e-9)
        .bound_frac(1e-9)
        .warm_start_mult_bound_push(1e-9);
    let start = ipm::WarmStart {
        x: cold.x.clone(),
        multipliers: Some(cold.multipliers.clone()),
        lower_bound_multipliers: Some(cold.lower_bound_multipliers.clone()),
        upper_bound_multipliers: Some(cold.upper_bound_multipliers.clone()),
    };
    let warm = ipm::solve_warm(
        &hs71(true),
        &warm_settings,
        Some(&start),
        &mut opal_core::NoObserver,
    )
    .unwrap();
    assert_hs71(&warm);
    assert!(
        warm.iterations <= 3 && warm.iterations < cold.iterations,
        "warm {} vs cold {} iterations",
        warm.iterations,
        cold.iterations
    );
    // A point only: multipliers estimated as in a cold start.
    let near: Vec<f64> = cold.x.iter().map(|v| v + 1e-3).collect();
    let from_point = ipm::solve_warm(
        &hs71(true),
        &Settings::default(),
        Some(&ipm::WarmStart::from_point(near)),
        &mut opal_core::NoObserver,
    )
    .unwrap();
    assert_hs71(&from_point);
    // Wrong lengths and negative bound multipliers are refused with the field's name.
    let short = ipm::WarmStart::from_point(vec![1.0; 3]);
    let e = ipm::solve_warm(
        &hs71(true),
        &Settings::default(),
        Some(&short),
        &mut opal_core::NoObserver,
    )
    .unwrap_err();
    assert!(e.to_string().contains("x has length 3"), "{e}");
    let negative = ipm::WarmStart {
        lower_bound_multipliers: Some(vec![0.0, -1.0, 0.0, 0.0]),
        ..start
    };
    let e = ipm::solve_warm(
        &hs71(true),
        &Settings::default(),
        Some(&negative),
        &mut opal_core::NoObserver,
    )
    .unwrap_err();
    assert!(e.to_string().contains("lower_bound_multipliers[1]"), "{e}");
}

#[test]
fn infeasible_problem_is_reported() {
    // x^2 + y^2 <= 1 and x + y >= 3 have no common point.
    let p = FnProblem::new("infeasible", vec![0.5, 0.5], |x: &[f64]| x[0] + x[1])
        .constraints(2, |x: &[f64], c: &mut [f64]| {
            c[0] = x[0] * x[0] + x[1] * x[1];
            c[1] = x[0] + x[1];
        })
        .constraint_bounds(vec![-INF, 3.0], vec![1.0, INF])
        .hessian_fn(|_x: &[f64], _s: f64, y: &[f64], h: &mut [f64]| {
            h.iter_mut().for_each(|v| *v = 0.0);
            h[0] = 2.0 * y[0];
            h[3] = 2.0 * y[0];
        });
    let out = ipm::solve(&p, &Settings::default()).unwrap();
    assert_eq!(out.status, Status::Infeasible, "{}", out.message);
    assert!(out.message.contains("infeasible"));
}

#[test]
fn unbounded_problem_is_reported() {
    // min -x0 - x1^2 over x >= 0: unbounded below.
    let p = FnProblem::new("unbounded", vec![1.0, 1.0], |x: &[f64]| -x[0] - x[1] * x[1])
        .bounds(vec![0.0, 0.0], vec![INF, INF])
        .hessian_fn(|_x: &[f64], s: f64, _y: &[f64], h: &mut [f64]| {
            h.iter_mut().for_each(|v| *v = 0.0);
            h[3] = -2.0 * s;
        });
    let out = ipm::solve(&p, &Settings::default()).unwrap();
    assert_eq!(out.status, Status::Unbounded, "{}", out.message);
}

#[test]
fn unbounded_along_a_constraint_is_reported() {
    // min -x0 - x1 s.t. x0 - x1 = 1, x >= 0: unbounded along (1, 1). Near |x| = 1e20 the
    // rounding of c(x) exceeds constr_viol_tol: feasibility is judged relative to |x|
    // (before, the line search failed there and the restoration phase ran to the
    // iteration limit).
    let p = FnProblem::new("unbounded-line", vec![2.0, 1.0], |x: &[f64]| -x[0] - x[1])
        .constraints(1, |x: &[f64], c: &mut [f64]| c[0] = x[0] - x[1])
        .constraint_bounds(vec![1.0], vec![1.0])
        .bounds(vec![0.0, 0.0], vec![INF, INF]);
    let out = ipm::solve(&p, &Settings::default()).unwrap();
    assert_eq!(out.status, Status::Unbounded, "{}", out.message);
    assert!(out.objective < -1e20 && out.iterations < 100, "{out:?}");
}

#[test]
fn diverging_iterates_are_unbounded() {
    // min -x1 s.t. x1 <= x0^2 with a tiny divergence threshold: the iterates run off
    // along the parabola.
    let p = FnProblem::new("parabola", vec![1.0, 0.0], |x: &[f64]| -x[1])
        .constraints(1, |x: &[f64], c: &mut [f64]| c[0] = x[1] - x[0] * x[0])
        .constraint_bounds(vec![-INF], vec![0.0]);
    let out = ipm::solve(&p, &Settings::default().unbounded_objective(1e3)).unwrap();
    assert_eq!(out.status, Status::Unbounded, "{}", out.message);
    assert!(out.message.contains("diverge"), "{}", out.message);
}

#[test]
fn fixed_variables_are_removed_and_restored() {
    // min (x0 - 1)^2 + (x1 - 2)^2 + x2 with x2 fixed at 3: x = (1, 2, 3), z for x2 = 1.
    let p = FnProblem::new("fixed", vec![0.0, 0.0, 0.0], |x: &[f64]| {
        (x[0] - 1.0).powi(2) + (x[1] - 2.0).powi(2) + x[2]
    })
    .bounds(vec![-INF, -INF, 3.0], vec![INF, INF, 3.0]);
    let out = ipm::solve(&p, &Settings::default()).unwrap();
    assert!(out.status.is_success(), "{}", out.message);
    for (a, b) in out.x.iter().zip([1.0, 2.0, 3.0]) {
        assert!((a - b).abs() < 1e-6, "{:?}", out.x);
    }
    assert!((out.lower_bound_multipliers[2] - 1.0).abs() < 1e-5);
    assert!((out.objective - 3.0).abs() < 1e-8);
}

#[test]
fn limits_and_observers() {
    let out = ipm::solve(
        &hs71(true),
        &Settings::default().budget(Budget::iterations(2)),
    )
    .unwrap();
    assert_eq!(out.status, Status::IterationLimit);
    assert_eq!(out.iterations, 2);
    let mut seen = Vec::new();
    let mut stop_at_3 = |it: &ipm::IterationInfo| {
        seen.push(it.iteration);
        Control::stop_if(it.iteration == 3)
    };
    let out = ipm::solve_observed(&hs71(true), &Settings::default(), &mut stop_at_3).unwrap();
    assert_eq!(out.status, Status::Interrupted);
    assert_eq!(seen, vec![0, 1, 2, 3]);
}

#[test]
fn bad_settings_and_problems_are_errors() {
    let e = ipm::solve(&hs71(true), &Settings::default().tol(-1.0)).unwrap_err();
    assert!(e.to_string().contains("tol"), "{e}");
    let p = FnProblem::new("crossing", vec![0.0], |x: &[f64]| x[0]).bounds(vec![1.0], vec![0.0]);
    let e = ipm::solve(&p, &Settings::default()).unwrap_err();
    assert!(e.to_string().contains("lower bound"), "{e}");
    let p = FnProblem::new("nan-start", vec![-1.0], |x: &[f64]| x[0].sqrt());
    let e = ipm::solve(&p, &Settings::default()).unwrap_err();
    assert!(e.to_string().contains("objective"), "{e}");
}

#[test]
fn evaluation_failures_at_trial_points_cut_the_step() {
    // f = (x - 4)^2 where x > 4.5 is outside the domain (NaN): the step from 0 overshoots
    // into it at first and must be cut, then converges to 4.
    let p = FnProblem::new("domain", vec![0.0], |x: &[f64]| {
        if x[0] > 4.5 {
            f64::NAN
        } else {
            (x[0] - 4.0).powi(2) - 0.01 * (4.5 - x[0]).ln()
        }
    })
    .gradient_fn(|x: &[f64], g: &mut [f64]| g[0] = 2.0 * (x[0] - 4.0) + 0.01 / (4.5 - x[0]))
    .hessian_fn(|x: &[f64], s: f64, _y: &[f64], h: &mut [f64]| {
        h[0] = s * (2.0 + 0.01 / (4.5 - x[0]).powi(2))
    });
    let out = ipm::solve(&p, &Settings::default()).unwrap();
    assert!(out.status.is_success(), "{}", out.message);
    assert!(out.x[0] < 4.5 && (out.x[0] - 4.0).abs() < 0.01);
}
