//! `opal inspect` on CUTEst SIF files: summary, JSON fields and values, `--param`, errors.

mod common;

use common::{failure, stdout as run_ok};
use opal_problems::shared_data::require;
use serde_json::Value;

/// The one JSON object `opal args` prints on one line.
fn json(args: &[&str]) -> Value {
    let text = run_ok(args);
    assert_eq!(
        text.trim().lines().count(),
        1,
        "one JSON object on one line"
    );
    serde_json::from_str(&text).unwrap()
}

/// HS6 (with a small change to exercise `$-PARAMETER`): written to a temporary file so the
/// test does not need the shared data.
const HS6: &str = "NAME          HS6
*   classification QQR2-AN-2-1
 RE SC                  0.1            $-PARAMETER group scale
VARIABLES
    X1
    X2
GROUPS
 N  G1        X1        -1.0
 E  G2        X2        1.0
 ZE G2        'SCALE'                  SC
CONSTANTS
    HS6       G1        -1.0
BOUNDS
 FR HS6       'DEFAULT'
START POINT
    HS6       X1        -1.2
    HS6       X2        1.0
ELEMENT TYPE
 EV SQ        V1
ELEMENT USES
 T  E1        SQ
 V  E1        V1                       X1
GROUP TYPE
 GV L2        GVAR
GROUP USES
 T  G1        L2
 E  G2        E1
ENDATA
ELEMENTS      HS6
INDIVIDUALS
 T  SQ
 F                      -V1 * V1
 G  V1                  -2.0 * V1
 H  V1        V1        -2.0
ENDATA
GROUPS        HS6
INDIVIDUALS
 T  L2
 F                      GVAR*GVAR
 G                      2.0*GVAR
 H                      2.0
ENDATA
";

fn temp_sif(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("opal-cli-sif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn inspect_sif_json_has_the_fields_and_values() {
    let path = temp_sif("HS6.SIF", HS6);
    let p = path.to_str().unwrap();
    let v = json(&["inspect", p, "--json"]);
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
        assert!(v.get(field).is_some(), "missing {field}: {v}");
    }
    assert_eq!(v["name"], "HS6");
    assert_eq!(v["classification"], "QQR2-AN-2-1");
    assert_eq!((v["n"].as_u64(), v["m"].as_u64()), (Some(2), Some(1)));
    assert_eq!(v["variables"], serde_json::json!(["X1", "X2"]));
    assert_eq!(v["constraints"], serde_json::json!(["G2"]));
    assert_eq!(nums(&v["x0"]), vec![-1.2, 1.0]);
    assert_eq!(v["lower"], serde_json::json!([null, null]));
    assert_eq!(v["upper"], serde_json::json!([null, null]));
    assert_eq!(nums(&v["constraint_lower"]), vec![0.0]);
    assert_eq!(nums(&v["constraint_upper"]), vec![0.0]);
    // hand values: f = (1 - x1)^2 = 4.84, grad f = (-4.4, 0), c = (x2 - x1^2)/0.1 = -4.4,
    // J = [24, 10], Hessian of f = 2, Hessian of c = -20
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(close(v["objective"].as_f64().unwrap(), 4.84));
    let g = nums(&v["gradient"]);
    assert!(close(g[0], -4.4) && close(g[1], 0.0), "{g:?}");
    assert!(close(nums(&v["constraint_values"])[0], -4.4));
    let jac = v["jacobian"].as_array().unwrap();
    assert_eq!(jac.len(), 2);
    assert_eq!((jac[0][0].as_u64(), jac[0][1].as_u64()), (Some(0), Some(0)));
    assert!(close(jac[0][2].as_f64().unwrap(), 24.0) && close(jac[1][2].as_f64().unwrap(), 10.0));
    let ho = v["hessian_objective"].as_array().unwrap();
    assert_eq!(ho.len(), 1);
    assert!(close(ho[0][2].as_f64().unwrap(), 2.0));
    let hc = v["hessian_constraints"].as_array().unwrap();
    assert_eq!(hc.len(), 1);
    assert!(close(hc[0][0][2].as_f64().unwrap(), -20.0));
}

#[test]
fn inspect_sif_summary_and_params() {
    let path = temp_sif("HS6P.SIF", HS6);
    let p = path.to_str().unwrap();
    let text = run_ok(&["inspect", p]);
    for want in [
        "HS6",
        "QQR2-AN-2-1",
        "variables       2",
        "1 equality",
        "f(x0)",
        "||c(x0)||",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    // SC is a $-PARAMETER: c = (x2 - x1^2) / SC
    let v = json(&["inspect", p, "--param", "SC=0.2", "--json"]);
    assert!(
        (nums(&v["constraint_values"])[0] + 2.2).abs() < 1e-12,
        "{v}"
    );
    let e = failure(&["inspect", p, "--param", "NOPE=1"]);
    assert!(e.starts_with("opal: error: ") && e.contains("NOPE"), "{e}");
    let e = failure(&["inspect", p, "--param", "SC"]);
    assert!(e.contains("NAME=VALUE"), "{e}");
}

#[test]
fn inspect_sif_without_objective_prints_null() {
    let text = HS6
        .replace(" N  G1        X1        -1.0\n", "")
        .replace("    HS6       G1        -1.0\n", "")
        .replace(" T  G1        L2\n", "");
    let path = temp_sif("NOOBJ.SIF", &text);
    let v = json(&["inspect", path.to_str().unwrap(), "--json"]);
    assert!(v["objective"].is_null(), "{v}");
    assert_eq!(nums(&v["gradient"]), vec![0.0, 0.0]);
}

#[test]
fn bad_sif_files_give_file_line_and_field() {
    let path = temp_sif(
        "BAD.SIF",
        &HS6.replace(" E  G2        X2", " E  G2        X7"),
    );
    let e = failure(&["inspect", path.to_str().unwrap()]);
    assert!(e.starts_with("opal: error: "), "{e}");
    assert!(
        e.contains("BAD.SIF:9: field 3 ('X7'): unknown variable 'X7'"),
        "{e}"
    );
    let e = failure(&["inspect", "/no/such/file.SIF"]);
    assert!(e.contains("/no/such/file.SIF"), "{e}");
}

#[test]
fn inspect_collection_files_with_param() {
    let Some(dir) = require("data/sif", "inspect_collection_files_with_param") else {
        return;
    };
    let arwhead = dir.join("ARWHEAD.SIF");
    let v = json(&[
        "inspect",
        arwhead.to_str().unwrap(),
        "--param",
        "N=1000",
        "--json",
    ]);
    assert_eq!(v["n"].as_u64(), Some(1000));
    let booth = dir.join("BOOTH.SIF");
    let v = json(&["inspect", booth.to_str().unwrap(), "--json"]);
    assert!(v["objective"].is_null());
    assert_eq!(nums(&v["constraint_values"]), vec![-7.0, -5.0]);
    let text = run_ok(&["inspect", dir.join("HS7.SIF").to_str().unwrap(), "--check"]);
    assert!(text.contains("derivative check"), "{text}");
}
