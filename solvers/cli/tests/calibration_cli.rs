//! `opal calibrate` end to end: text and JSON output, both methods, both operators, and
//! the error path for invalid input.

use assert_cmd::Command;

fn opal() -> Command {
    Command::cargo_bin("opal").unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = opal().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "opal {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn calibrate_recovers_with_both_methods_and_operators() {
    for extra in [
        vec!["--method", "pgd"],
        vec!["--method", "linear"],
        vec!["--operator", "hadamard"],
        vec!["--mu", "0.5", "--max-iterations", "20000"],
    ] {
        let mut args = vec![
            "calibrate",
            "--n",
            "32",
            "--m",
            "16",
            "--p",
            "12",
            "--seed",
            "3",
            "--json",
        ];
        args.extend(extra.iter());
        let v = json(&args);
        assert_eq!(v["success"], true, "{args:?}: {v}");
        assert!(v["error_x"].as_f64().unwrap() < 1e-8, "{args:?}: {v}");
        assert!(v["error_d"].as_f64().unwrap() < 1e-8, "{args:?}: {v}");
        assert_eq!(v["d"].as_array().unwrap().len(), 16);
    }
}

#[test]
fn calibrate_text_output_and_errors() {
    let out = opal()
        .args(["calibrate", "--n", "16", "--m", "8", "--p", "8"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("error x") && text.contains("ProjectedGradient"),
        "{text}"
    );
    let out = opal().args(["calibrate", "--rho", "1.5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("opal: error:") && err.contains("rho"),
        "{err}"
    );
}
