//! adasketch and the baselines on the paper's built-in problems: the PDE control QP
//! (checked against a dense direct solve of its KKT system) and constrained logistic
//! regression on a small LIBSVM set.

mod support;

use faer::Mat;
use faer::linalg::solvers::Solve;
use opal_core::Status;
use opal_nlp::adasketch::{self, SketchKind};
use opal_nlp::eqnlp::MeritSettings;
use opal_nlp::{auglag, newton_merit};
use opal_problems::SmoothProblem;
use opal_problems::registry::{Params, load_builtin};
use opal_problems::shared_data::require;

/// Exact minimizer of the PDE QP from a dense solve of [[Q, A^T], [A, 0]] (x, y) = (-q, 0).
fn pde_exact(p: &dyn SmoothProblem) -> Vec<f64> {
    let (n, m) = (p.info().n(), p.info().m());
    let zero = vec![0.0; n];
    let mut q = vec![0.0; n];
    p.gradient(&zero, &mut q).unwrap();
    let mut hv = vec![0.0; p.hessian_pattern().nnz()];
    p.hessian_values(&zero, 1.0, &vec![0.0; m], &mut hv)
        .unwrap();
    let mut jv = vec![0.0; p.jacobian_pattern().nnz()];
    p.jacobian_values(&zero, &mut jv).unwrap();
    let mut k = Mat::<f64>::zeros(n + m, n + m);
    for ((r, c), v) in p.hessian_pattern().iter().zip(&hv) {
        k[(r, c)] += v;
        if r != c {
            k[(c, r)] += v;
        }
    }
    for ((i, j), v) in p.jacobian_pattern().iter().zip(&jv) {
        k[(n + i, j)] += v;
        k[(j, n + i)] += v;
    }
    let rhs = Mat::<f64>::from_fn(n + m, 1, |i, _| if i < n { -q[i] } else { 0.0 });
    let sol = k.partial_piv_lu().solve(&rhs);
    (0..n).map(|i| sol[(i, 0)]).collect()
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn pde_control_matches_the_direct_solution() {
    let p = load_builtin("pde:N=6", Params::default()).unwrap();
    let exact = pde_exact(&*p);
    let s = support::ada(1e-9);
    let out = adasketch::solve(&*p, &s).unwrap();
    assert_eq!(out.status, Status::Converged, "{out:?}");
    assert!(
        max_diff(&out.x, &exact) < 1e-8,
        "{}",
        max_diff(&out.x, &exact)
    );
    let out = newton_merit::solve(&*p, &support::merit(1e-9)).unwrap();
    assert_eq!(
        (out.status, out.iterations),
        (Status::Converged, 1),
        "a QP takes one Newton step"
    );
    assert!(max_diff(&out.x, &exact) < 1e-8);
    let out = auglag::solve(&*p, &auglag::Settings::default().tol(0.0).abs_tol(1e-8)).unwrap();
    assert_eq!(out.status, Status::Converged, "{out:?}");
    assert!(max_diff(&out.x, &exact) < 1e-6);
    // The sparse (no dense matrix) analysis path gives the same answer.
    let out = adasketch::solve(&*p, &s.clone().merit(support::merit(1e-9).dense_limit(0))).unwrap();
    assert!(out.status == Status::Converged && max_diff(&out.x, &exact) < 1e-8);
}

#[test]
fn pure_sketching_solves_the_paper_size_pde() {
    // N = 3 as in the paper: no direct solve at all.
    let p = load_builtin("pde:N=3", Params::default()).unwrap();
    let exact = pde_exact(&*p);
    for sketch in [
        SketchKind::Kaczmarz,
        SketchKind::Gaussian,
        SketchKind::SparseSign,
    ] {
        let s = support::ada(1e-8).sketch(sketch).direct_fallback(false);
        let out = adasketch::solve(&*p, &s).unwrap();
        assert_eq!(out.status, Status::Converged, "{sketch:?}: {out:?}");
        assert_eq!(out.direct_solves, 0);
        assert!(max_diff(&out.x, &exact) < 1e-6, "{sketch:?}");
    }
}

#[test]
fn constrained_logistic_regression_on_sonar() {
    let Some(path) = require(
        "data/libsvm/sonar_scale",
        "constrained_logistic_regression_on_sonar",
    ) else {
        return;
    };
    let spec = format!("logreg:{}", path.display());
    let p = load_builtin(&spec, Params::default()).unwrap();
    let ada = adasketch::Settings::default().merit(MeritSettings::default().tol(1e-8));
    let ada = adasketch::solve(&*p, &ada).unwrap();
    let newton = newton_merit::solve(&*p, &MeritSettings::default().tol(1e-8)).unwrap();
    let al = auglag::solve(&*p, &auglag::Settings::default().tol(1e-8)).unwrap();
    for out in [&ada, &newton, &al] {
        assert_eq!(out.status, Status::Converged, "{}: {out:?}", out.solver);
        let sq: f64 = out.x.iter().map(|v| v * v).sum();
        assert!((sq - 1.0).abs() < 1e-6, "{}: ||x||^2 = {sq}", out.solver);
        assert!(
            (out.objective - newton.objective).abs() < 1e-6,
            "{}: {} vs {}",
            out.solver,
            out.objective,
            newton.objective
        );
    }
    assert!(ada.inner_iterations > 0);
    assert!(
        ada.direct_solves < ada.iterations,
        "sketching should produce most directions"
    );
}
