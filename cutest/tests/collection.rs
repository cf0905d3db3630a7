//! The decoder on the real CUTEst collection (`../shared/data/sif`): load rate over every
//! file, agreement with the S2MPJ reference values at x0, finite-difference derivative
//! checks, user parameters, and hand-worked values.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use opal_problems::SmoothProblem;
use opal_problems::check::check_derivatives;
use opal_problems::shared_data::require;

/// Runs `f` on every item using all cores (the collection tests must stay fast in CI).
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(1);
    let next = Mutex::new(0usize);
    let out: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    out.lock().unwrap().push((i, r));
                }
            });
        }
    });
    let mut v = out.into_inner().unwrap();
    v.sort_by_key(|(i, _)| *i);
    v.into_iter().map(|(_, r)| r).collect()
}

/// `items`, after checking that there are more than `min` of them (the whole collection).
fn more_than<T>(min: usize, what: &str, items: Vec<T>) -> Vec<T> {
    assert!(
        items.len() > min,
        "expected more than {min} {what}, found {}",
        items.len()
    );
    items
}

/// Prints the failures and asserts that at least `share` of the results are successes.
fn at_least<R, E: std::fmt::Display>(
    share: f64,
    results: &[Result<R, E>],
    what: &str,
    failed: &str,
) {
    let ok = results.iter().filter(|r| r.is_ok()).count();
    println!("SIF collection: {ok} of {} {what}", results.len());
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        println!("  {failed}: {e}");
    }
    assert!(
        ok as f64 >= share * results.len() as f64,
        "only {ok} of {} {what}",
        results.len()
    );
}

fn sif_dir(test: &str) -> Option<PathBuf> {
    require("data/sif", test)
}

fn load(dir: &Path, name: &str) -> opal_cutest::SifProblem {
    opal_cutest::load(dir.join(format!("{name}.SIF")), &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn at_least_95_percent_of_the_collection_loads() {
    let Some(dir) = sif_dir("at_least_95_percent_of_the_collection_loads") else {
        return;
    };
    let files = more_than(1000, "SIF files", support::sif_files(&dir));
    let results = parallel_map(&files, |f| opal_cutest::load(f, &[]).map(|_| ()));
    at_least(0.95, &results, "files load", "not loaded");
}

#[test]
fn at_least_97_percent_agree_with_the_reference() {
    let test = "at_least_97_percent_agree_with_the_reference";
    let (Some(dir), Some(reference)) = (
        sif_dir(test),
        require("reference/sif_start_point.jsonl", test),
    ) else {
        return;
    };
    let records = more_than(
        500,
        "reference records",
        support::read_reference(&reference),
    );
    let results = parallel_map(&records, |r| {
        let name = r["name"].as_str().unwrap_or_default().to_string();
        let p = match opal_cutest::load(support::file_of(&dir, &name), &[]) {
            Ok(p) => p,
            Err(e) => return Err(format!("{name}: not loaded: {e}")),
        };
        let mine = support::fields(&p).map_err(|e| format!("{name}: {e}"))?;
        let bad = support::mismatches(r, &mine, 1e-8);
        if bad.is_empty() {
            Ok(())
        } else {
            let s: Vec<String> = bad
                .iter()
                .map(|(k, a, b)| format!("{k} ref {a} got {b}"))
                .collect();
            Err(format!("{name}: {}", s.join("; ")))
        }
    });
    let what = "problems agree with the reference on every field (rel. 1e-8)";
    at_least(0.97, &results, what, "disagrees");
}

/// Problems with range transformations, nontrivial groups, quadratic terms and bounds,
/// checked together with the sketched-Newton paper's set.
const EXTRA: &[&str] = &[
    "ELEC", "DTOC1L", "LUKVLE1", "ORTHREGA", "HS100", "HS83", "ACOPP14", "DEGDIAG", "BIGGS6",
    "HATFLDH", "HS116", "CHANDHEQ", "EIGENA", "BROWNAL", "LINVERSE",
];

#[test]
fn derivatives_agree_with_finite_differences() {
    let Some(dir) = sif_dir("derivatives_agree_with_finite_differences") else {
        return;
    };
    let sample: Vec<&str> = opal_problems::suites::CUTEST_PAPER
        .iter()
        .chain(EXTRA)
        .copied()
        .collect();
    let results = parallel_map(&sample, |name| {
        let p = load(&dir, name);
        let x = support::near(&p.info().x0);
        let r = check_derivatives(&p, &x, None, 3, 11).unwrap_or_else(|e| panic!("{name}: {e}"));
        (name.to_string(), r)
    });
    let mut worst = 0.0f64;
    for (name, r) in &results {
        assert!(
            r.gradient < 1e-5 && r.jacobian < 1e-5 && r.hessian_vector < 1e-4,
            "{name}: {r:?}"
        );
        assert!(r.hessian_consistency < 1e-12, "{name}: {r:?}");
        worst = worst.max(r.max());
    }
    println!(
        "{} problems, worst relative discrepancy {worst:.1e}",
        results.len()
    );
}

#[test]
fn hand_worked_values_at_the_start_point() {
    let Some(dir) = sif_dir("hand_worked_values_at_the_start_point") else {
        return;
    };
    // (problem, x0, f (None: no objective), grad f, c, J as dense rows)
    type Case = (
        &'static str,
        Vec<f64>,
        Option<f64>,
        Vec<f64>,
        Vec<f64>,
        Vec<Vec<f64>>,
    );
    let cases: Vec<Case> = vec![
        (
            "HS6",
            vec![-1.2, 1.0],
            Some(4.84),
            vec![-4.4, 0.0],
            vec![-4.4],
            vec![vec![24.0, 10.0]],
        ),
        (
            "HS7",
            vec![2.0, 2.0],
            Some(5f64.ln() - 2.0),
            vec![0.8, -1.0],
            vec![25.0],
            vec![vec![40.0, 4.0]],
        ),
        (
            "BT1",
            vec![0.08, 0.06],
            Some(-99.08),
            vec![15.0, 12.0],
            vec![-0.99],
            vec![vec![0.16, 0.12]],
        ),
        (
            "HS28",
            vec![-4.0, 1.0, 1.0],
            Some(13.0),
            vec![-6.0, -2.0, 4.0],
            vec![0.0],
            vec![vec![1.0, 2.0, 3.0]],
        ),
        (
            "BOOTH",
            vec![0.0, 0.0],
            None,
            vec![0.0, 0.0],
            vec![-7.0, -5.0],
            vec![vec![1.0, 2.0], vec![2.0, 1.0]],
        ),
    ];
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
    for (name, x0, f, g, c, j) in cases {
        let p = load(&dir, name);
        let info = p.info();
        assert_eq!(info.x0, x0, "{name} x0");
        assert_eq!(info.has_objective, f.is_some(), "{name}");
        let mut grad = vec![0.0; info.n()];
        let fv = p.objective_and_gradient(&x0, &mut grad).unwrap();
        assert!(close(fv, f.unwrap_or(0.0)), "{name} f = {fv}");
        assert!(
            grad.iter().zip(&g).all(|(a, b)| close(*a, *b)),
            "{name} g = {grad:?}"
        );
        let mut cv = vec![0.0; info.m()];
        p.constraints(&x0, &mut cv).unwrap();
        assert!(
            cv.iter().zip(&c).all(|(a, b)| close(*a, *b)),
            "{name} c = {cv:?}"
        );
        let pat = p.jacobian_pattern();
        let mut jv = vec![0.0; pat.nnz()];
        p.jacobian_values(&x0, &mut jv).unwrap();
        let dense = pat.to_dense(&jv);
        for (row, want) in dense.iter().zip(&j) {
            assert!(
                row.iter().zip(want).all(|(a, b)| close(*a, *b)),
                "{name} J = {dense:?}"
            );
        }
    }
}

#[test]
fn user_parameters_scale_problems() {
    let Some(dir) = sif_dir("user_parameters_scale_problems") else {
        return;
    };
    let path = dir.join("ARWHEAD.SIF");
    let small = opal_cutest::load(&path, &[]).unwrap();
    let declared = small.parameters();
    let n = declared
        .iter()
        .find(|p| p.name == "N")
        .expect("ARWHEAD declares N");
    assert!(n.integer && !n.suggested.is_empty(), "{n:?}");
    let big = opal_cutest::load(&path, &[("N".into(), "1000".into())]).unwrap();
    assert_eq!(big.info().n(), 1000);
    assert_ne!(small.info().n(), 1000);
    let x0 = big.info().x0.clone();
    let mut g = vec![0.0; 1000];
    let f = big.objective_and_gradient(&x0, &mut g).unwrap();
    assert!(f.is_finite() && g.iter().all(|v| v.is_finite()));
    let r = check_derivatives(&big, &x0, None, 2, 3).unwrap();
    assert!(r.max() < 1e-5, "{r:?}");
    // constrained: DTOC1L has (N-1) NX + N NY variables and (N-1) NY constraints; the
    // file's comments give n = 298, m = 196 for N = 50
    let path = dir.join("DTOC1L.SIF");
    let p = opal_cutest::load(&path, &[("N".into(), "50".into())]).unwrap();
    assert_eq!((p.info().n(), p.info().m()), (298, 196));
    // unknown names and bad values are refused with the parameter named
    let e = opal_cutest::load(dir.join("ARWHEAD.SIF"), &[("NOPE".into(), "3".into())]).unwrap_err();
    assert!(
        e.to_string().contains("NOPE") && e.to_string().contains("N"),
        "{e}"
    );
    let e = opal_cutest::load(dir.join("ARWHEAD.SIF"), &[("N".into(), "ten".into())]).unwrap_err();
    assert!(e.to_string().contains("ten"), "{e}");
}
