//! `opal solve` on MIP files end to end: JSON result, plain-HiGHS mode, solution file,
//! configuration errors and malformed input.

use assert_cmd::Command;
use opal_problems::shared_data::require;
use serde_json::Value;

fn opal() -> Command {
    Command::cargo_bin("opal").unwrap()
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// `opal solve FILE --json --time-limit 20` with `extra` arguments; must succeed.
fn solve_json(file: &str, extra: &[&str]) -> (Value, String) {
    let out = opal()
        .args(["solve", file, "--json", "--time-limit", "20"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (json_of(&out), stderr)
}

#[test]
fn solves_flugpl_to_its_optimum_with_json_and_solution_file() {
    let Some(path) = require("data/mps/highs-check/flugpl.mps", "cli_flugpl") else {
        return;
    };
    let sol = std::env::temp_dir().join(format!("opal-flugpl-{}.sol", std::process::id()));
    let (v, stderr) = solve_json(
        path.to_str().unwrap(),
        &["--solution", sol.to_str().unwrap()],
    );
    assert_eq!(v["status"], "optimal");
    assert!(!v["message"].as_str().unwrap().is_empty());
    assert_eq!(v["objective"].as_f64().unwrap(), 1201500.0);
    assert!(v["time_s"].as_f64().unwrap() < 20.0);
    assert!(!v["trace"].as_array().unwrap().is_empty());
    assert!(v["operators"].is_array());
    let text = std::fs::read_to_string(&sol).unwrap();
    assert!(text.contains("# objective 1201500"));
    assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 18);
    std::fs::remove_file(&sol).ok();
    // The iteration log goes to stderr.
    assert!(stderr.contains("initial"), "{stderr}");
}

#[test]
fn plain_highs_mode_and_generated_knapsack() {
    let dir = std::env::temp_dir().join(format!("opal-knap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("KNAP.MPS");
    let g = opal()
        .args([
            "generate",
            "knapsack:items=30,dims=2",
            "--seed",
            "3",
            "--out",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", String::from_utf8_lossy(&g.stderr));
    let run = |solver: &str| solve_json(file.to_str().unwrap(), &["--quiet", "--solver", solver]).0;
    let (b, h) = (run("balans"), run("highs"));
    assert_eq!(b["status"], "optimal");
    assert_eq!(h["status"], "optimal");
    // Maximization: reported in the file's sense, positive.
    let (fb, fh) = (
        b["objective"].as_f64().unwrap(),
        h["objective"].as_f64().unwrap(),
    );
    assert!(fb > 0.0 && (fb - fh).abs() < 1e-6, "{fb} vs {fh}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn malformed_input_and_bad_arguments_are_errors() {
    let Some(dir) = require("data/mps/highs-check", "cli_malformed") else {
        return;
    };
    for (file, phrase) in [
        ("garbage.mps", "garbage.mps:2: "),
        ("nan2.mps", "nan2.mps:12: NaN"),
        ("warnings.mps", "warnings.mps:12"),
    ] {
        let path = dir.join(file);
        let out = opal()
            .args(["solve", path.to_str().unwrap(), "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("opal: error:") && err.contains(phrase),
            "{err}"
        );
        assert_eq!(json_of(&out)["status"], "error");
    }
    let flugpl = dir.join("flugpl.mps");
    let cfg = std::env::temp_dir().join(format!("opal-cfg-{}.json", std::process::id()));
    std::fs::write(&cfg, r#"{"operators": [{"kind": "rins", "rate": 2}]}"#).unwrap();
    let out = opal()
        .args([
            "solve",
            flugpl.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(cfg.to_str().unwrap()) && err.contains("rate"),
        "{err}"
    );
    std::fs::remove_file(&cfg).ok();
    let out = opal()
        .args(["solve", flugpl.to_str().unwrap(), "--solver", "cplex"])
        .output()
        .unwrap();
    // clap refuses a value outside the solver list: a usage error, `opal: error:` and exit 1
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("opal: error:") && err.contains("balans, highs"),
        "{err}"
    );
    let out = opal()
        .args(["solve", flugpl.to_str().unwrap(), "--solver", "ipm"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not apply to MIP"));
    let out = opal()
        .args(["solve", "/nonexistent/model.mps"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/model.mps"));
}

#[test]
fn infeasible_models_report_infeasible() {
    let Some(dir) = require("data/mps/highs-check", "cli_infeasible") else {
        return;
    };
    for file in ["infeasible-mip0.mps", "infeasible-mip1.mps"] {
        let out = opal()
            .args([
                "solve",
                dir.join(file).to_str().unwrap(),
                "--json",
                "--quiet",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let v = json_of(&out);
        assert_eq!(v["status"], "infeasible", "{file}");
        assert!(v["objective"].is_null());
    }
}
