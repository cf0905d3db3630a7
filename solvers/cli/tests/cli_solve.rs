//! `opal solve` end to end on built-in problems: JSON fields, solvers, settings, errors.

mod common;

use common::{json, opal};

#[test]
fn json_has_every_field_and_solvers_agree() {
    let mut objectives = Vec::new();
    for solver in ["adasketch", "newton", "auglag"] {
        let v = json(&[
            "solve", "pde:N=4", "--solver", solver, "--json", "--tol", "1e-9",
        ]);
        for field in [
            "status",
            "objective",
            "x",
            "multipliers",
            "kkt_residual",
            "constraint_violation",
            "iterations",
            "inner_iterations",
            "evaluations",
            "time_s",
        ] {
            assert!(v.get(field).is_some(), "{solver}: no {field} in {v}");
        }
        assert_eq!(v["status"], "converged", "{solver}: {v}");
        assert_eq!(v["x"].as_array().unwrap().len(), 32);
        assert_eq!(v["multipliers"].as_array().unwrap().len(), 16);
        assert!(v["kkt_residual"].as_f64().unwrap() < 1e-6);
        assert!(v["evaluations"]["hessian"].as_u64().unwrap() >= 1);
        objectives.push(v["objective"].as_f64().unwrap());
    }
    assert!((objectives[0] - objectives[1]).abs() < 1e-8 * objectives[1].abs());
    assert!((objectives[2] - objectives[1]).abs() < 1e-6 * objectives[1].abs());
}

#[test]
fn sketches_settings_seed_and_verbose_log() {
    for sketch in ["kaczmarz", "gaussian", "sparse"] {
        let v = json(&[
            "solve",
            "pde:N=3",
            "--sketch",
            sketch,
            "--seed",
            "3",
            "--param",
            "direct_fallback=false",
            "--json",
        ]);
        assert_eq!(v["status"], "converged", "{sketch}: {v}");
        assert_eq!(v["sketch"], sketch);
        assert_eq!(v["direct_solves"], 0);
        assert!(v["inner_iterations"].as_u64().unwrap() > 0);
    }
    // Same seed, same output.
    let seeded = || {
        json(&[
            "solve",
            "pde:N=3",
            "--seed",
            "9",
            "--param",
            "direct_fallback=false",
            "--json",
        ])
    };
    let (a, b) = (seeded(), seeded());
    assert_eq!(a["x"], b["x"]);
    assert_eq!(a["inner_iterations"], b["inner_iterations"]);
    // Limits reach the solver; problem parameters pass through --param.
    let v = json(&[
        "solve",
        "pde",
        "--param",
        "N=3",
        "--max-iter",
        "0",
        "--json",
    ]);
    assert_eq!(v["status"], "iteration_limit");
    assert_eq!(v["n"], 18);
    let out = opal()
        .args(["solve", "pde:N=3", "--verbose"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("iter") && log.contains("kkt"), "{log}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("status           converged"), "{text}");
}

#[test]
fn bad_input_is_a_clear_error() {
    for (args, want) in [
        (
            vec!["solve", "pde:N=3", "--param", "etaa=1"],
            "unknown parameter",
        ),
        (
            vec!["solve", "pde:N=3", "--param", "eta1=abc"],
            "parameter eta1",
        ),
        (
            vec!["solve", "pde:N=3", "--param", "beta=0.9"],
            "setting beta",
        ),
        (
            vec!["solve", "pde:N=3", "--sketch", "foo"],
            "unknown sketch 'foo'",
        ),
        (
            vec![
                "solve", "pde:N=3", "--solver", "newton", "--sketch", "gaussian",
            ],
            "not a setting of newton",
        ),
        (
            vec!["solve", "pde:N=3", "--param", "mu_init=0.1"],
            "--solver ipm forces",
        ),
        (vec!["solve", "nosuchproblem"], "unknown problem"),
    ] {
        let out = opal().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("opal: error:") && err.contains(want),
            "{args:?}: {err}"
        );
    }
}
