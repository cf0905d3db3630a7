//! `opal calibrate` end to end: text and JSON output, both methods, both operators, and
//! the error path for invalid input.

mod common;

use common::{json, opal, stdout};

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
        assert_eq!(v["status"], "converged", "{args:?}: {v}");
        let reason = v["reason"].as_str().unwrap();
        assert!(
            ["residual_tolerance", "step_tolerance", "solved"].contains(&reason),
            "{args:?}: {v}"
        );
        assert!(v["error_x"].as_f64().unwrap() < 1e-8, "{args:?}: {v}");
        assert!(v["error_d"].as_f64().unwrap() < 1e-8, "{args:?}: {v}");
        assert_eq!(v["d"].as_array().unwrap().len(), 16);
    }
}

#[test]
fn calibrate_text_output_and_errors() {
    let text = stdout(&["calibrate", "--n", "16", "--m", "8", "--p", "8"]);
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
