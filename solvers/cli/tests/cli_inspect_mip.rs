//! `opal inspect` on MIP model files: the counts of an MPS file (text and JSON) and of an
//! LP-format file written by the test.

use assert_cmd::Command;
use opal_problems::shared_data::require;
use serde_json::Value;

fn inspect(file: &str, extra: &[&str]) -> String {
    let out = Command::cargo_bin("opal")
        .unwrap()
        .args(["inspect", file])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn mps_file_counts_match_its_header() {
    let Some(path) = require("data/mps/highs-check/flugpl.mps", "cli_inspect_flugpl") else {
        return;
    };
    let file = path.to_str().unwrap();
    // The file's header: 18 rows, 18 columns, 11 integers (none binary), 46 nonzeros.
    let v: Value = serde_json::from_str(&inspect(file, &["--json"])).unwrap();
    assert_eq!(v["rows"], 18);
    assert_eq!(v["columns"], 18);
    assert_eq!(v["nonzeros"], 46);
    assert_eq!(v["binaries"], 0);
    assert_eq!(v["general_integers"], 11);
    assert_eq!(v["continuous"], 7);
    assert_eq!(v["sense"], "minimize");
    let cb = &v["column_bounds"];
    let total: u64 = ["free", "lower_only", "upper_only", "boxed", "fixed"]
        .iter()
        .map(|k| cb[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, 18);
    let text = inspect(file, &[]);
    assert!(
        text.contains("0 binary, 11 general integer, 7 continuous"),
        "{text}"
    );
    assert!(text.contains("nonzeros        46"), "{text}");
}

#[test]
fn lp_file_counts_kinds_sense_and_bounds() {
    let dir = std::env::temp_dir().join(format!("opal-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tiny.lp");
    std::fs::write(
        &path,
        "Maximize\n obj: 3 x + 2 y + z\nSubject To\n c1: x + y + w <= 4\n c2: y + z = 2\n\
         Bounds\n -1 <= z <= 5\n w free\n y <= 9\nGenerals\n y\nBinaries\n x\nEnd\n",
    )
    .unwrap();
    let v: Value = serde_json::from_str(&inspect(path.to_str().unwrap(), &["--json"])).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(v["sense"], "maximize");
    assert_eq!(
        (v["rows"].as_u64(), v["columns"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(v["nonzeros"], 5);
    assert_eq!(v["binaries"], 1);
    assert_eq!(v["general_integers"], 1);
    assert_eq!(v["continuous"], 2);
    assert_eq!(v["column_bounds"]["free"], 1);
    assert_eq!(v["column_bounds"]["boxed"], 3);
    assert_eq!(v["row_bounds"]["fixed"], 1);
    assert_eq!(v["row_bounds"]["upper_only"], 1);
}
