//! Solver-level tests: derivatives, exact recovery, the linear baseline, fast operators,
//! subspace priors, determinism and input validation.

use std::time::Duration;

use faer::Mat;
use opal_core::{Budget, Control, SettingError, Status};
use opal_problems::generators::calibration::{CalibrationInstance, instance};

use super::*;

fn linear() -> Settings {
    Settings::default().method(Method::Linear)
}

fn iterations(n: usize) -> Settings {
    Settings::default().budget(Budget::iterations(n))
}

/// Solves y from `op` with bound `rho` by `settings`.
fn run(op: &dyn SensingOperator, y: &[f64], rho: f64, settings: &Settings) -> Output {
    solve(&Problem::new(op, y, rho), settings).unwrap()
}

/// Central differences of `f` along every coordinate of `at`, against `grad`.
fn check_gradient(at: &[f64], grad: &[f64], f: impl Fn(&[f64]) -> f64, what: &str) {
    let h = 1e-6;
    for j in 0..at.len() {
        let (mut a, mut b) = (at.to_vec(), at.to_vec());
        a[j] += h;
        b[j] -= h;
        let fd = (f(&a) - f(&b)) / (2.0 * h);
        assert!(
            (fd - grad[j]).abs() <= 1e-7 * (1.0 + grad[j].abs()),
            "{what}[{j}]: {fd} vs {}",
            grad[j]
        );
    }
}

fn dense(inst: &CalibrationInstance) -> DenseOperator {
    DenseOperator::from_instance(inst).unwrap()
}

fn errors(out: &Output, inst: &CalibrationInstance) -> (f64, f64) {
    (
        relative_error(&out.x, &inst.x),
        relative_error(&out.d, &inst.d),
    )
}

/// Deterministic pseudo-random numbers in [-1, 1) for test data.
fn noise(len: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            2.0 * ((s >> 11) as f64 / (1u64 << 53) as f64) - 1.0
        })
        .collect()
}

#[test]
fn gradients_match_finite_differences() {
    let inst = instance(7, 5, 3, 0.4, 0.1, 3).unwrap();
    let op = dense(&inst);
    let xi = noise(7, 1);
    let gamma: Vec<f64> = noise(5, 2).iter().map(|v| 1.0 + 0.3 * v).collect();
    let (f, gx, gg) = objective_gradient(&op, &inst.y, &xi, &gamma).unwrap();
    let fval = |x: &[f64], g: &[f64]| objective_gradient(&op, &inst.y, x, g).unwrap().0;
    check_gradient(&xi, &gx, |x| fval(x, &gamma), "xi");
    check_gradient(&gamma, &gg, |g| fval(&xi, g), "gamma");
    // The objective itself, from its definition.
    let mut want = 0.0;
    for l in 0..3 {
        let a = inst.a_block(l);
        for i in 0..5 {
            let ax: f64 = (0..7).map(|j| a[i + j * 5] * xi[j]).sum();
            want += (gamma[i] * ax - inst.y[l * 5 + i]).powi(2);
        }
    }
    assert!((f - want / 30.0).abs() < 1e-12 * want);
}

#[test]
fn exact_recovery_at_the_acceptance_size() {
    for seed in 1..=3 {
        let inst = instance(128, 64, 32, 0.5, 0.0, seed).unwrap();
        let op = dense(&inst);
        let out = run(&op, &inst.y, 0.5, &Settings::default());
        let (ex, ed) = errors(&out, &inst);
        assert!(out.status.is_success(), "seed {seed}: {:?}", out.status);
        assert!(
            ex <= 1e-8 && ed <= 1e-8,
            "seed {seed}: errors {ex:e} {ed:e}"
        );
        let mean = out.d.iter().sum::<f64>() / 64.0;
        assert!((mean - 1.0).abs() < 1e-14);
    }
}

#[test]
fn fixed_paper_steps_also_recover() {
    let inst = instance(64, 32, 32, 0.5, 0.0, 5).unwrap();
    let op = dense(&inst);
    let out = run(&op, &inst.y, 0.5, &iterations(20_000).fixed_step(0.5));
    let (ex, ed) = errors(&out, &inst);
    assert!(out.status.is_success(), "{:?}", out.status);
    assert!(ex <= 1e-8 && ed <= 1e-8, "errors {ex:e} {ed:e}");
    // The line search needs fewer iterations on the same instance.
    let ls = run(&op, &inst.y, 0.5, &Settings::default());
    assert!(
        ls.iterations < out.iterations,
        "{} vs {}",
        ls.iterations,
        out.iterations
    );
}

#[test]
fn tight_gain_box_is_respected_and_recovery_holds() {
    // rho = 0.1: the box is active along the way, exercising the projected segment search.
    let inst = instance(48, 24, 16, 0.1, 0.0, 8).unwrap();
    let op = dense(&inst);
    let mut lowest = f64::INFINITY;
    let mut highest = f64::NEG_INFINITY;
    let mut seen = Vec::new();
    let out = solve_observed(
        &Problem::new(&op, &inst.y, 0.1),
        &Settings::default(),
        &mut |info: &IterationInfo| {
            seen.push(info.objective);
            Control::Continue
        },
    )
    .unwrap();
    // Projection plus the segment search keep the objective monotone.
    assert!(seen.windows(2).all(|w| w[1] <= w[0] * (1.0 + 1e-12)));
    for &g in &out.d {
        lowest = lowest.min(g);
        highest = highest.max(g);
    }
    assert!(lowest >= 0.9 && highest <= 1.1);
    let (ex, ed) = errors(&out, &inst);
    assert!(ex <= 1e-8 && ed <= 1e-8, "errors {ex:e} {ed:e}");
}

#[test]
fn linear_baseline_is_exact_at_the_counting_bound() {
    // m p = n + m - 1 exactly, and one more snapshot row.
    for (n, m, p) in [(21, 10, 3), (20, 10, 3), (40, 8, 6)] {
        let inst = instance(n, m, p, 0.5, 0.0, 11).unwrap();
        let op = dense(&inst);
        let out = run(&op, &inst.y, 0.5, &linear());
        assert_eq!(out.status, Status::Converged, "{n} {m} {p}");
        assert_eq!(out.reason, Some(Reason::Solved), "{n} {m} {p}");
        let (ex, ed) = errors(&out, &inst);
        assert!(
            ex <= 1e-9 && ed <= 1e-9,
            "{n} {m} {p}: errors {ex:e} {ed:e}"
        );
        assert!(out.relative_residual < 1e-12);
    }
    // Below the bound the null space is larger: reported, not hidden.
    let inst = instance(22, 10, 3, 0.5, 0.0, 11).unwrap();
    let op = dense(&inst);
    let out = run(&op, &inst.y, 0.5, &linear());
    assert_eq!(out.status, Status::Underdetermined);
    assert!(out.message.contains("null space"), "{}", out.message);
    let one = instance(5, 4, 1, 0.5, 0.0, 1).unwrap();
    let out = run(&dense(&one), &one.y, 0.5, &linear());
    assert_eq!(out.status, Status::Underdetermined);
}

#[test]
fn noise_error_scales_with_the_noise_level() {
    let mut errs = Vec::new();
    for level in [1e-4, 1e-2] {
        let inst = instance(64, 32, 32, 0.5, level, 21).unwrap();
        let op = dense(&inst);
        let out = run(&op, &inst.y, 0.5, &Settings::default());
        assert!(out.status.is_success(), "{:?}", out.status);
        let lin = run(&op, &inst.y, 0.5, &linear());
        let (ex, ed) = errors(&out, &inst);
        let (lx, ld) = errors(&lin, &inst);
        assert!(
            ex < 10.0 * level && ed < 10.0 * level,
            "{level}: {ex:e} {ed:e}"
        );
        assert!(
            lx < 10.0 * level && ld < 10.0 * level,
            "{level}: {lx:e} {ld:e}"
        );
        errs.push(ex.max(ed));
    }
    // A hundredfold noise gives between 30 and 300 times the error.
    let ratio = errs[1] / errs[0];
    assert!((30.0..300.0).contains(&ratio), "ratio {ratio}");
}

/// A calibration instance on a given operator: Gaussian x, gains as the generator draws them.
fn instance_on(op: &dyn SensingOperator, rho: f64, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (n, m) = (op.signal_len(), op.sensors());
    let x = noise(n, seed);
    let mut d: Vec<f64> = noise(m, seed + 1).iter().map(|v| 1.0 + rho * v).collect();
    let mean = d.iter().sum::<f64>() / m as f64;
    d.iter_mut().for_each(|v| *v += 1.0 - mean);
    let y = measure(op, &x, &d);
    (x, d, y)
}

#[test]
fn fast_operator_recovers_and_agrees_with_its_dense_copy() {
    let (n, m, p) = (100, 64, 16);
    let fast = HadamardOperator::random(n, m, p, 3).unwrap();
    let blocks: Vec<Mat<f64>> = (0..p).map(|l| fast.to_dense(l)).collect();
    let views: Vec<_> = blocks.iter().map(|b| b.as_ref()).collect();
    let slow = DenseOperator::from_blocks(&views).unwrap();
    let (x, d, y) = instance_on(&fast, 0.4, 5);
    let a = run(&fast, &y, 0.4, &Settings::default());
    let b = run(&slow, &y, 0.4, &Settings::default());
    assert!(a.status.is_success());
    assert!(relative_error(&a.x, &x) <= 1e-8 && relative_error(&a.d, &d) <= 1e-8);
    assert_eq!(a.iterations, b.iterations);
    assert!(relative_error(&a.x, &b.x) < 1e-10);
    let lin = run(&fast, &y, 0.4, &linear());
    assert_eq!(lin.reason, Some(Reason::Solved));
    assert!(relative_error(&lin.x, &x) <= 1e-9 && relative_error(&lin.d, &d) <= 1e-9);
}

#[test]
fn subspace_priors_recover_with_few_snapshots() {
    // x = Z z with k = 6, d = B b with h = 4 (constant plus three slow cosines): far
    // fewer unknowns, so p = 3 snapshots of m = 24 sensors suffice for n = 60.
    let (n, m, p, k, h) = (60, 24, 3, 6, 4);
    let inst = instance(n, m, p, 0.5, 0.0, 31).unwrap();
    let zmat = Mat::from_fn(n, k, |i, j| noise(n * k, 77)[i + j * n]);
    let bmat = Mat::from_fn(m, h, |i, j| {
        if j == 0 {
            2.0
        } else {
            (std::f64::consts::PI * j as f64 * (i as f64 + 0.5) / m as f64).cos()
        }
    });
    let z_true = vec![1.0, -0.5, 0.3, 2.0, -1.2, 0.7];
    let b_true = vec![0.5, 0.2, -0.1, 0.05];
    let x: Vec<f64> = (0..n)
        .map(|i| (0..k).map(|j| zmat[(i, j)] * z_true[j]).sum())
        .collect();
    let d: Vec<f64> = (0..m)
        .map(|i| (0..h).map(|j| bmat[(i, j)] * b_true[j]).sum())
        .collect();
    let op = dense(&inst);
    let y = measure(&op, &x, &d);
    let problem = Problem::new(&op, &y, 0.5)
        .with_signal_basis(zmat.as_ref())
        .with_gain_basis(bmat.as_ref());
    let out = solve(&problem, &Settings::default()).unwrap();
    assert!(out.status.is_success(), "{:?}", out.status);
    assert!(relative_error(&out.x, &x) <= 1e-8 && relative_error(&out.d, &d) <= 1e-8);
    assert!(relative_error(out.z.as_ref().unwrap(), &z_true) <= 1e-8);
    assert!(relative_error(out.b.as_ref().unwrap(), &b_true) <= 1e-8);
    // Without the priors the same data are too few (m p = 72 < n + m - 1 = 83).
    let plain = run(&op, &y, 0.5, &iterations(500));
    assert!(relative_error(&plain.x, &x) > 1e-3);
    // The linear method takes the signal basis, not the gain basis.
    let lin = solve(
        &Problem::new(&op, &y, 0.5).with_signal_basis(zmat.as_ref()),
        &linear(),
    )
    .unwrap();
    assert_eq!(lin.reason, Some(Reason::Solved));
    assert!(relative_error(&lin.x, &x) <= 1e-9);
    assert!(matches!(
        solve(&problem, &linear()),
        Err(CalibrationError::Unsupported(_))
    ));
}

#[test]
fn results_are_deterministic_and_thread_independent() {
    // m n = 16384: large enough for the snapshots to run on several threads.
    let inst = instance(256, 64, 12, 0.5, 0.01, 4).unwrap();
    let op = dense(&inst);
    let problem = Problem::new(&op, &inst.y, 0.5);
    let s = iterations(100);
    let a = solve(&problem, &s).unwrap();
    let b = solve(&problem, &s).unwrap();
    let c = solve(&problem, &s.clone().parallel(false)).unwrap();
    assert_eq!(a.x, b.x);
    assert_eq!(a.d, b.d);
    assert_eq!(a.x, c.x);
    assert_eq!(a.d, c.d);
    assert_eq!(a.iterations, c.iterations);
    let fast1 = HadamardOperator::random(256, 64, 12, 9).unwrap();
    let fast2 = HadamardOperator::random(256, 64, 12, 9).unwrap();
    let mut y1 = vec![0.0; 64];
    let mut y2 = vec![0.0; 64];
    let mut s = vec![0.0; fast1.scratch_len()];
    fast1.apply(5, &inst.x, &mut y1, &mut s);
    fast2.apply(5, &inst.x, &mut y2, &mut s);
    assert_eq!(y1, y2);
}

#[test]
fn observer_and_time_limit_stop_the_iteration() {
    let inst = instance(40, 20, 12, 0.5, 0.0, 4).unwrap();
    let op = dense(&inst);
    let problem = Problem::new(&op, &inst.y, 0.5);
    let mut seen = Vec::new();
    let out = solve_observed(
        &problem,
        &Settings::default(),
        &mut |info: &IterationInfo| {
            seen.push(info.objective);
            Control::stop_if(info.iteration == 3)
        },
    )
    .unwrap();
    assert_eq!(out.status, Status::Interrupted);
    assert_eq!(out.iterations, 3);
    // The line search is monotone.
    assert!(seen.windows(2).all(|w| w[1] <= w[0]));
    let zero = Budget::default().with_time_limit(Some(Duration::ZERO));
    let out = solve(&problem, &Settings::default().budget(zero)).unwrap();
    assert_eq!((out.status, out.iterations), (Status::TimeLimit, 0));
    let out = solve(&problem, &iterations(2)).unwrap();
    assert_eq!(out.status, Status::IterationLimit);
    // A step far too large diverges and says so.
    let out = solve(&problem, &iterations(2000).fixed_step(50.0)).unwrap();
    assert_eq!(
        (out.status, out.reason),
        (Status::NumericalError, Some(Reason::Diverged))
    );
    assert!(out.message.contains("too large"), "{}", out.message);
}

#[test]
fn bad_input_gives_typed_errors() {
    let inst = instance(6, 4, 3, 0.5, 0.0, 1).unwrap();
    let op = dense(&inst);
    let s = Settings::default();
    let err = |p: &Problem<'_>, s: &Settings| solve(p, s).unwrap_err();
    assert_eq!(
        err(&Problem::new(&op, &inst.y, 1.0), &s),
        CalibrationError::InvalidRho(1.0)
    );
    assert_eq!(
        err(&Problem::new(&op, &inst.y, 0.0), &s),
        CalibrationError::InvalidRho(0.0)
    );
    assert!(matches!(
        err(&Problem::new(&op, &inst.y, f64::NAN), &s),
        CalibrationError::InvalidRho(_)
    ));
    assert!(matches!(
        err(&Problem::new(&op, &inst.y[..11], 0.5), &s),
        CalibrationError::Dimension {
            expected: 12,
            got: 11,
            ..
        }
    ));
    let mut y = inst.y.clone();
    y[7] = f64::NAN;
    assert!(matches!(
        err(&Problem::new(&op, &y, 0.5), &s),
        CalibrationError::NonFinite { index: 7, .. }
    ));
    let zeros = vec![0.0; 12];
    assert_eq!(
        err(&Problem::new(&op, &zeros, 0.5), &s),
        CalibrationError::ZeroMeasurements
    );
    let mut y = inst.y.clone();
    for l in 0..3 {
        y[l * 4 + 2] = 0.0;
    }
    assert_eq!(
        err(&Problem::new(&op, &y, 0.5), &linear()),
        CalibrationError::ZeroSensor { sensor: 2 }
    );
    assert!(matches!(
        err(
            &Problem::new(&op, &inst.y, 0.5),
            &s.clone().fixed_step(-1.0)
        ),
        CalibrationError::InvalidSetting(SettingError { name: "step", .. })
    ));
    assert!(matches!(
        err(
            &Problem::new(&op, &inst.y, 0.5),
            &s.clone().tol_step(f64::NAN)
        ),
        CalibrationError::InvalidSetting(SettingError {
            name: "tol_step",
            ..
        })
    ));
    let b = Mat::from_fn(4, 2, |i, j| if j == 0 { 1.0 + i as f64 } else { 1.0 });
    assert!(matches!(
        err(
            &Problem::new(&op, &inst.y, 0.5).with_gain_basis(b.as_ref()),
            &s
        ),
        CalibrationError::GainBasisNotConstant { index: 1 }
    ));
    let b = Mat::from_fn(4, 2, |_, _| 1.0);
    assert!(matches!(
        err(
            &Problem::new(&op, &inst.y, 0.5).with_gain_basis(b.as_ref()),
            &s
        ),
        CalibrationError::RankDeficientBasis {
            which: "gain",
            column: 1
        }
    ));
    let z = Mat::from_fn(5, 2, |i, j| (i + j) as f64);
    assert!(matches!(
        err(
            &Problem::new(&op, &inst.y, 0.5).with_signal_basis(z.as_ref()),
            &s
        ),
        CalibrationError::Dimension {
            expected: 6,
            got: 5,
            ..
        }
    ));
}

#[test]
fn settings_from_json_and_the_iteration_log() {
    let s: Settings = serde_json::from_str(
        r#"{"method": "linear", "step": {"fixed": {"mu": 0.5}},
            "budget": {"max_iterations": 9}, "parallel": false}"#,
    )
    .unwrap();
    assert_eq!(s.method, Method::Linear);
    assert_eq!(s.step, StepRule::Fixed { mu: 0.5 });
    assert_eq!(s.budget.max_iterations, 9);
    assert!(serde_json::from_str::<Settings>(r#"{"max_iterations": 9}"#).is_err());
    let back: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let inst = instance(24, 12, 8, 0.5, 0.0, 6).unwrap();
    let op = dense(&inst);
    let mut log = opal_core::LogObserver::new(Vec::new());
    let out = solve_observed(
        &Problem::new(&op, &inst.y, 0.5),
        &Settings::default(),
        &mut log,
    )
    .unwrap();
    let text = String::from_utf8(log.into_inner()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("calibration pgd on n = 24"), "{text}");
    assert!(lines[1].trim_start().starts_with("iter"), "{text}");
    assert!(
        lines.last().unwrap().starts_with("converged after"),
        "{text}"
    );
    assert_eq!(
        lines.len(),
        out.iterations + out.iterations.div_ceil(10) + 2
    );
}
