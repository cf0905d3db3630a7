//! The `opal` binary end to end: catalogue, inspection, generation and error paths.

mod common;

use common::{opal, stdout};

#[test]
fn version_help_and_catalogue() {
    assert!(stdout(&["--version"]).contains(env!("CARGO_PKG_VERSION")));
    let help = stdout(&["--help"]);
    for cmd in ["problems", "inspect", "generate", "demo"] {
        assert!(help.contains(cmd), "{help}");
    }
    let list = stdout(&["problems"]);
    for name in [
        "pde",
        "logreg",
        "knapsack",
        "setcover",
        "indset",
        "completion",
    ] {
        assert!(list.contains(name), "{list}");
    }
}

#[test]
fn inspect_json_has_every_field() {
    let text = stdout(&["inspect", "pde:N=2", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for field in [
        "name",
        "n",
        "m",
        "variables",
        "constraints",
        "classification",
        "x0",
        "lower",
        "upper",
        "constraint_lower",
        "constraint_upper",
        "objective",
        "gradient",
        "constraint_values",
        "jacobian",
        "hessian_objective",
        "hessian_constraints",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert_eq!(v["n"], 8);
    assert_eq!(v["m"], 4);
    assert_eq!(v["lower"][0], serde_json::Value::Null);
    assert_eq!(v["hessian_constraints"].as_array().unwrap().len(), 4);
    // 4 centres + 4 controls + 8 neighbour links
    assert_eq!(v["jacobian"].as_array().unwrap().len(), 16);
    // param override
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&["inspect", "pde", "--param", "N=3", "--json"])).unwrap();
    assert_eq!(v["m"], 9);
}

#[test]
fn generate_writes_files_deterministically() {
    let dir = std::env::temp_dir().join(format!("opal-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.mps");
    let b = dir.join("b.mps");
    stdout(&[
        "generate",
        "knapsack:items=12",
        "--seed",
        "3",
        "--out",
        a.to_str().unwrap(),
    ]);
    stdout(&[
        "generate",
        "knapsack:items=12",
        "--param",
        "seed=3",
        "--out",
        b.to_str().unwrap(),
    ]);
    let ta = std::fs::read_to_string(&a).unwrap();
    assert_eq!(ta, std::fs::read_to_string(&b).unwrap());
    assert!(ta.starts_with("NAME") && ta.trim_end().ends_with("ENDATA"));
    let m = dir.join("c.mtx");
    stdout(&[
        "generate",
        "completion:m=30,n=20,rank=2",
        "--out",
        m.to_str().unwrap(),
    ]);
    assert!(
        std::fs::read_to_string(&m)
            .unwrap()
            .starts_with("%%MatrixMarket")
    );
}

#[test]
fn bad_input_gives_a_message_and_exit_code_1() {
    for args in [
        vec!["inspect", "nosuchproblem"],
        vec!["inspect", "pde:N=0"],
        vec!["inspect", "pde:N=3", "--param", "Q=1"],
        vec!["inspect", "logreg:/no/such/file.libsvm"],
        vec!["generate", "knapsack:items=-1", "--out", "/tmp/x.mps"],
    ] {
        let out = opal().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("opal: error: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn demo_runs() {
    let dir = std::env::temp_dir().join(format!("opal-demo-test-{}", std::process::id()));
    let out = stdout(&["demo", "--dir", dir.to_str().unwrap()]);
    assert!(out.contains("PDE-N50"), "{out}");
    assert!(dir.join("knap40.mps").exists());
    // The SIF line: decoded from the file the demo wrote, solved to the closed form.
    assert!(dir.join("OPALDEMO.SIF").exists());
    let line = out
        .lines()
        .find(|l| l.contains("closed form"))
        .unwrap_or_else(|| panic!("no SIF line in {out}"));
    assert!(line.contains("converged"), "{line}");
    let err: f64 = line
        .split("rel. error ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(err < 1e-8, "{line}");
}
