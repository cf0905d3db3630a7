//! adasketch and its baselines on small problems with known solutions (HS6, HS7, BT1,
//! HS28, coded by hand from the CUTEst SIF files), plus statuses and errors.

mod support;

use std::time::Duration;

use opal_core::{Budget, Control, Status};
use opal_nlp::adasketch::{self, SketchKind};
use opal_nlp::eqnlp::{Failure, MeritSettings, NlpError, Output};
use opal_nlp::{auglag, newton_merit};
use opal_problems::{EvalError, ProblemInfo, SmoothProblem, SparsityPattern};

use support::{ada, merit};

fn check_solution(p: &support::Dense, out: &Output, what: &str) {
    assert_eq!(
        out.status,
        Status::Converged,
        "{what} on {}: {out:?}",
        p.info().name
    );
    assert!(
        out.kkt_residual <= 1e-8,
        "{what} on {}: kkt {}",
        p.info().name,
        out.kkt_residual
    );
    assert!(
        (out.objective - p.f_opt).abs() <= 1e-6 * p.f_opt.abs().max(1.0),
        "{what} on {}: f = {} vs {}",
        p.info().name,
        out.objective,
        p.f_opt
    );
    if let Some(xs) = &p.x_opt {
        for (a, b) in out.x.iter().zip(xs) {
            assert!(
                (a - b).abs() <= 1e-5,
                "{what} on {}: x = {:?}",
                p.info().name,
                out.x
            );
        }
    }
    // The reported residual is the true one.
    let n = p.info().n();
    let mut g = vec![0.0; n];
    p.gradient(&out.x, &mut g).unwrap();
    let mut jv = vec![0.0; p.jacobian_pattern().nnz()];
    p.jacobian_values(&out.x, &mut jv).unwrap();
    p.jacobian_pattern()
        .matvec_transpose(&jv, &out.lambda, &mut g, true);
    let mut c = vec![0.0; p.info().m()];
    SmoothProblem::constraints(&p.problem, &out.x, &mut c).unwrap();
    let r = (g.iter().chain(&c).map(|v| v * v).sum::<f64>()).sqrt();
    assert!(
        (r - out.kkt_residual).abs() <= 1e-12 + 1e-9 * r,
        "{r} vs {}",
        out.kkt_residual
    );
}

#[test]
fn every_sketch_solves_the_small_problems() {
    for p in support::small_problems() {
        for sketch in [
            SketchKind::Kaczmarz,
            SketchKind::Gaussian,
            SketchKind::SparseSign,
        ] {
            for fallback in [true, false] {
                let s = ada(1e-9).sketch(sketch).direct_fallback(fallback).seed(11);
                let out = adasketch::solve(&*p, &s).unwrap();
                check_solution(
                    &p,
                    &out,
                    &format!("adasketch/{}/fallback={fallback}", sketch.as_str()),
                );
                assert!(out.inner_iterations > 0);
                if !fallback {
                    assert_eq!(out.direct_solves, 0);
                }
            }
        }
    }
}

#[test]
fn baselines_solve_the_small_problems() {
    for p in support::small_problems() {
        let out = newton_merit::solve(&*p, &merit(1e-9)).unwrap();
        check_solution(&p, &out, "newton");
        assert_eq!(out.direct_solves, out.iterations);
        let out = auglag::solve(&*p, &auglag::Settings::default().tol(0.0).abs_tol(1e-9)).unwrap();
        check_solution(&p, &out, "auglag");
    }
}

#[test]
fn hessian_modification_variants_and_superlinear_schedule_converge() {
    use opal_nlp::eqnlp::HessianModification as Hm;
    for p in support::small_problems() {
        for hm in [Hm::Minimal, Hm::Reference] {
            for superlinear in [false, true] {
                let s = adasketch::Settings::default()
                    .merit(merit(1e-9).hessian_modification(hm))
                    .superlinear(superlinear);
                let out = adasketch::solve(&*p, &s).unwrap();
                check_solution(
                    &p,
                    &out,
                    &format!("adasketch/{hm:?}/superlinear={superlinear}"),
                );
            }
        }
    }
}

#[test]
fn runs_are_deterministic_per_seed() {
    let p = support::hs7();
    for sketch in [
        SketchKind::Kaczmarz,
        SketchKind::Gaussian,
        SketchKind::SparseSign,
    ] {
        let s = adasketch::Settings::default()
            .sketch(sketch)
            .direct_fallback(false);
        let a = adasketch::solve(&*p, &s.clone().seed(5)).unwrap();
        let b = adasketch::solve(&*p, &s.clone().seed(5)).unwrap();
        assert_eq!(a.x, b.x);
        assert_eq!(a.lambda, b.lambda);
        assert_eq!(a.inner_iterations, b.inner_iterations);
        assert_eq!(a.evaluations, b.evaluations);
        let c = adasketch::solve(&*p, &s.clone().seed(6)).unwrap();
        assert_eq!(c.status, Status::Converged);
        assert_ne!(
            (a.inner_iterations, a.x.clone()),
            (c.inner_iterations, c.x.clone()),
            "another seed should draw other sketches"
        );
    }
}

#[test]
fn observer_sees_every_iteration_and_limits_are_honoured() {
    let p = support::hs6();
    let mut seen = Vec::new();
    let mut record = |it: &opal_nlp::eqnlp::IterationInfo| {
        seen.push((it.iteration, it.kkt_residual));
        Control::Continue
    };
    let out = adasketch::solve_observed(&*p, &adasketch::Settings::default(), &mut record).unwrap();
    assert_eq!(seen.len(), out.iterations + 1);
    assert_eq!(seen.last().unwrap().1, out.kkt_residual);
    // An observer that asks to stop after iteration 2 interrupts every solver there.
    let stop_at_2 = &mut |it: &opal_nlp::eqnlp::IterationInfo| Control::stop_if(it.iteration >= 2);
    let out = adasketch::solve_observed(&*p, &adasketch::Settings::default(), stop_at_2).unwrap();
    assert_eq!((out.status, out.iterations), (Status::Interrupted, 2));
    let out =
        newton_merit::solve_observed(&*p, &newton_merit::Settings::default(), stop_at_2).unwrap();
    assert_eq!((out.status, out.iterations), (Status::Interrupted, 2));
    let out = auglag::solve_observed(&*p, &auglag::Settings::default(), stop_at_2).unwrap();
    assert_eq!((out.status, out.iterations), (Status::Interrupted, 2));
    let limited = |budget: Budget| {
        adasketch::Settings::default().merit(MeritSettings::default().budget(budget))
    };
    let out = adasketch::solve(&*p, &limited(Budget::iterations(2))).unwrap();
    assert_eq!((out.status, out.iterations), (Status::IterationLimit, 2));
    let no_time = Budget::default().with_time_limit(Some(Duration::ZERO));
    let out = adasketch::solve(&*p, &limited(no_time)).unwrap();
    assert_eq!(out.status, Status::TimeLimit);
    let out = auglag::solve(
        &*p,
        &auglag::Settings::default().budget(Budget::iterations(1)),
    )
    .unwrap();
    assert_eq!(out.status, Status::IterationLimit);
    // A raised interrupt stops every solver before its first step.
    let stop = opal_core::Interrupt::new();
    stop.trigger();
    let out = adasketch::solve(&*p, &limited(Budget::default().with_interrupt(stop))).unwrap();
    assert_eq!((out.status, out.iterations), (Status::Interrupted, 0));
}

/// HS7 with its constraint duplicated (`shift` = 0: consistent) or duplicated and shifted
/// (`shift` != 0: inconsistent): J has two equal rows everywhere.
fn hs7_duplicated(shift: f64) -> support::Dense {
    let base = support::hs7();
    support::Dense::new(
        "HS7-DUP",
        vec![2.0, 2.0],
        2,
        |x| (1.0 + x[0] * x[0]).ln() - x[1],
        |x, g| {
            g[0] = 2.0 * x[0] / (1.0 + x[0] * x[0]);
            g[1] = -1.0;
        },
        move |x, c| {
            c[0] = (1.0 + x[0] * x[0]).powi(2) + x[1] * x[1] - 4.0;
            c[1] = c[0] + shift;
        },
        |x, j| {
            j[0] = 4.0 * x[0] * (1.0 + x[0] * x[0]);
            j[1] = 2.0 * x[1];
            j[2] = j[0];
            j[3] = j[1];
        },
        |x, s, y, h| {
            let t = 1.0 + x[0] * x[0];
            let yy = y[0] + y[1];
            h[0] =
                s * (2.0 / t - 4.0 * x[0] * x[0] / (t * t)) + yy * 4.0 * (1.0 + 3.0 * x[0] * x[0]);
            h[1] = 0.0;
            h[2] = 0.0;
            h[3] = 2.0 * yy;
        },
        base.f_opt,
        None,
    )
}

fn assert_singular(out: &Output) {
    assert_eq!(
        (out.status, out.failure),
        (Status::NumericalError, Some(Failure::SingularJacobian)),
        "{out:?}"
    );
}

fn assert_evaluation_error(out: &Output, what: &str) {
    assert_eq!(
        (out.status, out.failure),
        (Status::NumericalError, Some(Failure::Evaluation)),
        "{}: {out:?}",
        out.solver
    );
    assert!(out.message.contains(what), "{}", out.message);
}

#[test]
fn duplicated_constraint_is_a_singular_jacobian() {
    // Inconsistent duplicate: rank deficient at every iterate, reported after the patience.
    let p = hs7_duplicated(1.0);
    for sketch in [SketchKind::Kaczmarz, SketchKind::SparseSign] {
        let out = adasketch::solve(&*p, &adasketch::Settings::default().sketch(sketch)).unwrap();
        assert_singular(&out);
        assert!(out.iterations >= 3, "{out:?}");
        assert!(out.message.contains("rank deficient"));
    }
    let out = newton_merit::solve(&*p, &newton_merit::Settings::default()).unwrap();
    assert_singular(&out);
    // The sparse analysis path (no dense matrices) detects it too.
    let sparse = MeritSettings::default().dense_limit(0);
    let out = adasketch::solve(&*p, &adasketch::Settings::default().merit(sparse)).unwrap();
    assert_singular(&out);
    // Consistent duplicate: without patience it is reported at once ...
    let p = hs7_duplicated(0.0);
    let patience = |n: usize| {
        adasketch::Settings::default().merit(MeritSettings::default().singular_patience(n))
    };
    let out = adasketch::solve(&*p, &patience(0)).unwrap();
    assert_singular(&out);
    assert_eq!(out.iterations, 0);
    // ... and with unlimited patience the regularized iteration finds the solution.
    let out = adasketch::solve(&*p, &patience(usize::MAX)).unwrap();
    assert_eq!(out.status, Status::Converged, "{out:?}");
    assert!((out.objective + 3f64.sqrt()).abs() < 1e-5);
}

/// HS28 whose objective is NaN everywhere but at the start point (a buggy problem).
struct NanAfterStart {
    inner: support::Dense,
    nan_hessian: bool,
}

impl SmoothProblem for NanAfterStart {
    fn info(&self) -> &ProblemInfo {
        self.inner.info()
    }
    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        if x[0] != -4.0 {
            Ok(f64::NAN)
        } else {
            self.inner.objective(x)
        }
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) -> Result<(), EvalError> {
        self.inner.gradient(x, g)
    }
    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        SmoothProblem::constraints(&self.inner.problem, x, c)
    }
    fn jacobian_pattern(&self) -> &SparsityPattern {
        self.inner.jacobian_pattern()
    }
    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        self.inner.jacobian_values(x, v)
    }
    fn hessian_pattern(&self) -> &SparsityPattern {
        self.inner.hessian_pattern()
    }
    fn hessian_values(&self, x: &[f64], s: f64, y: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        self.inner.hessian_values(x, s, y, v)?;
        if self.nan_hessian {
            v[0] = f64::NAN;
        }
        Ok(())
    }
}

#[test]
fn nan_from_the_problem_is_an_evaluation_error() {
    // NaN at every trial point of the line search.
    let p = NanAfterStart {
        inner: support::hs28(),
        nan_hessian: false,
    };
    let out = adasketch::solve(&p, &adasketch::Settings::default()).unwrap();
    assert_evaluation_error(&out, "objective");
    assert_eq!(out.x, vec![-4.0, 1.0, 1.0]);
    // NaN in the Hessian at the start.
    let p = NanAfterStart {
        inner: support::hs28(),
        nan_hessian: true,
    };
    for out in [
        adasketch::solve(&p, &adasketch::Settings::default()).unwrap(),
        newton_merit::solve(&p, &newton_merit::Settings::default()).unwrap(),
        auglag::solve(&p, &auglag::Settings::default()).unwrap(),
    ] {
        assert_evaluation_error(&out, "hessian");
    }
    // NaN at the start point.
    let mut bad = support::hs6();
    bad.info_mut().x0 = vec![f64::NAN, 1.0];
    let e = adasketch::solve(&*bad, &adasketch::Settings::default()).unwrap_err();
    assert!(matches!(e, NlpError::InvalidProblem { .. }), "{e}");
}

#[test]
fn bounds_and_inequalities_are_refused() {
    let mut p = support::hs28();
    p.info_mut().lower[1] = 0.0;
    let e = adasketch::solve(&*p, &adasketch::Settings::default()).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, NlpError::Unsupported { .. }));
    assert!(
        text.contains("HS28") && text.contains("1 finite variable bound"),
        "{text}"
    );
    let mut p = support::hs28();
    p.info_mut().constraint_upper[0] = f64::INFINITY;
    let e = newton_merit::solve(&*p, &newton_merit::Settings::default()).unwrap_err();
    assert!(e.to_string().contains("1 inequality constraint"), "{e}");
    let e = auglag::solve(&*p, &auglag::Settings::default()).unwrap_err();
    assert!(matches!(e, NlpError::Unsupported { .. }));
    let bad_beta = adasketch::Settings::default().merit(MeritSettings::default().beta(0.7));
    let e = adasketch::solve(&*support::hs6(), &bad_beta).unwrap_err();
    assert!(
        matches!(e, NlpError::InvalidSetting { name: "beta", .. }),
        "{e}"
    );
}

#[test]
fn constraint_right_hand_sides_are_honoured() {
    // HS28 with the constant moved into the bounds: x1 + 2 x2 + 3 x3 = 1.
    let mut p = support::hs28_shifted("HS28-RHS", 0.0);
    p.info_mut().constraint_lower = vec![1.0];
    p.info_mut().constraint_upper = vec![1.0];
    let out = adasketch::solve(&*p, &ada(1e-10)).unwrap();
    check_solution(&support::hs28(), &out, "adasketch with cl = 1");
}
