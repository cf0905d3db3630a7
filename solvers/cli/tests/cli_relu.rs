//! `opal relu train` end to end: JSON output, text output and error paths.

use assert_cmd::Command;
use opal_problems::shared_data::require;

fn opal(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("opal")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

/// The JSON object of a successful `opal relu train ... --json`.
fn train_json(args: &[&str]) -> serde_json::Value {
    let cmd = Command::cargo_bin("opal")
        .unwrap()
        .args(["relu", "train"])
        .args(args)
        .arg("--json")
        .assert();
    serde_json::from_slice(&cmd.success().get_output().stdout).unwrap()
}

#[test]
fn relu_train_json_and_errors() {
    let Some(path) = require("data/libsvm/heart_scale", "relu_train_json_and_errors") else {
        return;
    };
    let p = path.to_str().unwrap();
    let v = train_json(&[p, "--patterns", "10", "--solver", "admm", "--test", p]);
    assert_eq!(v["status"], "converged");
    assert_eq!(v["message"], "primal and dual residuals within tolerance");
    assert_eq!(v["n"], 270);
    let obj = v["objective"].as_f64().unwrap();
    assert!(obj > 0.0 && obj < 0.5, "{obj}");
    assert!(v["train_accuracy"].as_f64().unwrap() > 0.8);
    assert_eq!(v["train_accuracy"], v["test_accuracy"]);
    // The ReLU program through the interior point, cone constraints met.
    let v = train_json(&[
        p,
        "--patterns",
        "10",
        "--variant",
        "relu",
        "--solver",
        "ipm",
    ]);
    assert_eq!(
        (v["status"].as_str(), v["solver"].as_str()),
        (Some("converged"), Some("ipm"))
    );
    // The iteration limit by its status name.
    let v = train_json(&[
        p,
        "--patterns",
        "10",
        "--solver",
        "fista",
        "--max-iter",
        "5",
    ]);
    assert_eq!(
        (v["status"].as_str(), v["iterations"].as_u64()),
        (Some("iteration_limit"), Some(5))
    );
    // Text output names the label mapping and the dropped patterns.
    let out = opal(&["relu", "train", p, "--patterns", "5", "--variant", "relu"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("-> -1") && text.contains("dropped") && text.contains("objective"),
        "{text}"
    );
    // Bad input: missing file, bad variant, FISTA on the ReLU program, bad lam and time limit.
    for args in [
        vec!["relu", "train", "/nonexistent.libsvm"],
        vec!["relu", "train", p, "--variant", "deep"],
        vec!["relu", "train", p, "--variant", "relu", "--solver", "fista"],
        vec!["relu", "train", p, "--lam=-1"],
        vec!["relu", "train", p, "--time-limit=-1"],
    ] {
        let out = opal(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("opal: error:"),
            "{args:?}"
        );
    }
}
