//! `opal solve` choosing the interior point for bounds and inequalities: HS71 from the
//! shared collection, tiny infeasible / unbounded / equality-only files in `tests/data`,
//! the ipm flags, and the refusal of equality solvers forced onto bounds.

mod common;

use common::{json, opal};
use opal_problems::shared_data::require;
use serde_json::Value;

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn hs71() -> Option<String> {
    Some(
        require("data/sif", "cli_ipm")?
            .join("HS71.SIF")
            .to_string_lossy()
            .into_owned(),
    )
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

const HS71_OPT: f64 = 17.0140173;

fn assert_hs71(v: &Value) {
    assert_eq!(v["solver"], "ipm");
    assert_eq!(v["status"], "converged", "{}", v["message"]);
    let obj = f(&v["objective"]);
    assert!(
        ((obj - HS71_OPT) / HS71_OPT).abs() < 1e-6,
        "objective {obj}"
    );
}

#[test]
fn hs71_goes_to_the_interior_point_with_every_result_field() {
    let Some(file) = hs71() else { return };
    let v = json(&["solve", &file, "--json"]);
    assert_hs71(&v);
    println!(
        "HS71 via opal solve: objective {}, iterations {}",
        v["objective"], v["iterations"]
    );
    assert_eq!(v["termination"], "optimal");
    assert!(f(&v["kkt_error"]) <= 1e-8, "{}", v["kkt_error"]);
    assert!(f(&v["constraint_violation"]) <= 1e-6);
    for (key, len) in [
        ("x", 4),
        ("multipliers", 2),
        ("lower_bound_multipliers", 4),
        ("upper_bound_multipliers", 4),
        ("constraint_values", 2),
    ] {
        assert_eq!(v[key].as_array().unwrap().len(), len, "{key}");
    }
    // x1 sits at its lower bound 1 with a positive bound multiplier (the known solution).
    assert!((f(&v["x"][0]) - 1.0).abs() < 1e-6);
    assert!(f(&v["lower_bound_multipliers"][0]) > 0.5);
    let it = v["iterations"].as_u64().unwrap();
    assert!((1..100).contains(&it), "{it}");
    assert!(f(&v["time_s"]) >= 0.0);
    // the text report names the solver and the measure that stopped it
    let text = common::stdout(&["solve", &file]);
    assert!(
        text.contains("ipm (interior point)") && text.contains("optimal"),
        "{text}"
    );
}

#[test]
fn ipm_flags_change_the_run() {
    let Some(file) = hs71() else { return };
    for extra in [
        vec!["--hessian", "lbfgs"],
        vec!["--hessian", "exact", "--mu-strategy", "adaptive"],
        vec!["--linear-solver", "sparse"],
        vec!["--linear-solver", "dense", "--param", "mu_init=0.01"],
        vec!["--solver", "ipm", "--tol", "1e-10"],
    ] {
        let mut args = vec!["solve", file.as_str(), "--json"];
        args.extend(extra.iter().copied());
        assert_hs71(&json(&args));
    }
    let v = json(&["solve", &file, "--json", "--max-iter", "2"]);
    assert_eq!(v["status"], "iteration_limit");
    assert_eq!(v["iterations"], 2);
    let loose = json(&["solve", &file, "--json", "--tol", "1e-3"]);
    let tight = json(&["solve", &file, "--json"]);
    assert!(loose["iterations"].as_u64() < tight["iterations"].as_u64());
    // --verbose: IPOPT's columns on stderr
    let out = opal().args(["solve", &file, "--verbose"]).output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    for col in [
        "iter",
        "objective",
        "inf_pr",
        "inf_du",
        "lg(mu)",
        "alpha_pr",
    ] {
        assert!(log.contains(col), "{col}: {log}");
    }
}

#[test]
fn warm_start_from_a_point_or_an_earlier_result() {
    let Some(file) = hs71() else { return };
    let dir = common::temp_dir("cli-ipm");
    let x0 = dir.join("x0.json");
    let x0s = x0.to_string_lossy().to_string();
    std::fs::write(&x0, "[1.0, 4.74, 3.82, 1.38]").unwrap();
    let warm = json(&["solve", &file, "--json", "--x0", &x0s]);
    assert_hs71(&warm);
    let cold = json(&["solve", &file, "--json"]);
    // the earlier --json result, multipliers included, with a small barrier parameter
    std::fs::write(&x0, cold.to_string()).unwrap();
    let again = json(&[
        "solve",
        &file,
        "--json",
        "--x0",
        &x0s,
        "--param",
        "mu_init=1e-8",
        "--param",
        "bound_push=1e-9",
        "--param",
        "bound_frac=1e-9",
    ]);
    assert_hs71(&again);
    assert!(
        again["iterations"].as_u64().unwrap() <= 3,
        "warm {} cold {}",
        again["iterations"],
        cold["iterations"]
    );
    for (text, want) in [
        ("[1.0, 2.0]", "x has length 2, expected 4"),
        ("{\"y\": 1}", "needs the field x"),
        ("[1.0, \"a\", 2.0, 3.0]", "array of numbers"),
    ] {
        std::fs::write(&x0, text).unwrap();
        let out = opal()
            .args(["solve", &file, "--x0", &x0s])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{text}: {err}");
    }
    // the equality solvers take no warm start
    let out = opal()
        .args(["solve", &data("EQSMALL.SIF"), "--x0", &x0s])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--x0 does not apply to adasketch"));
}

#[test]
fn infeasible_and_unbounded_are_statuses_with_exit_code_0() {
    for (file, status, termination) in [
        ("INFEAS2.SIF", "infeasible", "locally_infeasible"),
        ("UNBND2.SIF", "unbounded", "unbounded"),
    ] {
        let out = opal()
            .args(["solve", &data(file), "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{file}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["solver"], "ipm", "{file}");
        assert_eq!(v["status"], status, "{file}: {}", v["message"]);
        assert_eq!(v["termination"], termination, "{file}");
    }
}

#[test]
fn equality_only_files_still_go_to_the_equality_solver() {
    let v = json(&["solve", &data("EQSMALL.SIF"), "--json"]);
    assert_eq!(v["solver"], "adasketch");
    assert_eq!(v["status"], "converged");
    assert!((f(&v["objective"]) - 0.5).abs() < 1e-8);
    assert!(v.get("kkt_residual").is_some() && v.get("termination").is_none());
    // forcing ipm on it works too
    let v = json(&["solve", &data("EQSMALL.SIF"), "--json", "--solver", "ipm"]);
    assert_eq!(v["solver"], "ipm");
    assert!((f(&v["objective"]) - 0.5).abs() < 1e-8);
    // ipm-only flags are refused by the equality solver
    let out = opal()
        .args(["solve", &data("EQSMALL.SIF"), "--mu-strategy", "adaptive"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--mu-strategy does not apply"));
}

#[test]
fn equality_solvers_forced_onto_bounds_say_to_use_ipm() {
    for solver in ["adasketch", "newton", "auglag"] {
        let out = opal()
            .args(["solve", &data("UNBND2.SIF"), "--solver", solver])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{solver}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("opal: error:") && err.contains("--solver ipm"),
            "{solver}: {err}"
        );
    }
    for (args, want) in [
        (vec!["--seed", "1"], "--seed: not a setting of ipm"),
        (vec!["--param", "mu_strategy=fast"], "monotone, adaptive"),
        (vec!["--param", "kappa_mu=2"], "kappa_mu"),
        (vec!["--solver", "highs"], "MIP models"),
    ] {
        let mut a = vec!["solve".to_string(), data("INFEAS2.SIF")];
        a.extend(args.iter().map(|s| s.to_string()));
        let out = opal().args(&a).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}
