//! `opal relu train` end to end: JSON output, text output and error paths.

use assert_cmd::Command;
use opal_problems::shared_data::require;

#[test]
fn relu_train_json_and_errors() {
    let Some(path) = require("data/libsvm/heart_scale", "relu_train_json_and_errors") else {
        return;
    };
    let p = path.to_str().unwrap();
    let out = Command::cargo_bin("opal")
        .unwrap()
        .args([
            "relu",
            "train",
            p,
            "--patterns",
            "10",
            "--solver",
            "admm",
            "--test",
            p,
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "converged");
    assert_eq!(v["n"], 270);
    let obj = v["objective"].as_f64().unwrap();
    assert!(obj > 0.0 && obj < 0.5, "{obj}");
    assert!(v["train_accuracy"].as_f64().unwrap() > 0.8);
    assert_eq!(v["train_accuracy"], v["test_accuracy"]);
    // The ReLU program through the interior point, cone constraints met.
    let out = Command::cargo_bin("opal")
        .unwrap()
        .args([
            "relu",
            "train",
            p,
            "--patterns",
            "10",
            "--variant",
            "relu",
            "--solver",
            "ipm",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["status"].as_str(), v["solver"].as_str()),
        (Some("converged"), Some("ipm"))
    );
    // Text output names the label mapping and the dropped patterns.
    let out = Command::cargo_bin("opal")
        .unwrap()
        .args(["relu", "train", p, "--patterns", "5", "--variant", "relu"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("-> -1") && text.contains("dropped") && text.contains("objective"),
        "{text}"
    );
    // Bad input: missing file, bad variant, FISTA on the ReLU program.
    for args in [
        vec!["relu", "train", "/nonexistent.libsvm"],
        vec!["relu", "train", p, "--variant", "deep"],
        vec!["relu", "train", p, "--variant", "relu", "--solver", "fista"],
        vec!["relu", "train", p, "--lam=-1"],
    ] {
        let out = Command::cargo_bin("opal")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("opal: error:"),
            "{args:?}"
        );
    }
}
