//! `opal complete` end to end: generate -> complete -> read the factors back, rating files
//! with a header, non-recovery in the JSON, and error paths.

mod common;

use common::{json, opal, stdout};
use opal_problems::formats::matrix_market::read_matrix_market_array;
use opal_problems::registry::{Generated, Params, generate};

fn dir() -> std::path::PathBuf {
    common::temp_dir("complete-cli")
}

#[test]
fn generate_complete_and_read_the_factors_back() {
    let d = dir();
    let mtx = d.join("obs.mtx");
    let spec = "completion:m=120,n=100,rank=3,oversampling=5,seed=4";
    stdout(&["generate", spec, "--out", mtx.to_str().unwrap()]);
    let prefix = d.join("fit");
    let v = json(&[
        "complete",
        mtx.to_str().unwrap(),
        "--rank",
        "3",
        "--seed",
        "2",
        "--solver",
        "sketch",
        "--json",
        "--output",
        prefix.to_str().unwrap(),
    ]);
    assert_eq!(v["status"], "converged", "{v}");
    assert_eq!(v["recovered"], true);
    assert_eq!(v["rank"], 3);
    assert_eq!(
        (v["rows"].as_u64(), v["cols"].as_u64()),
        (Some(120), Some(100))
    );
    assert!(v["iterations"].as_u64().unwrap() > 0);
    assert!(v.get("validation_rmse").is_none());
    let u = read_matrix_market_array(std::path::Path::new(v["u_file"].as_str().unwrap())).unwrap();
    let w = read_matrix_market_array(&d.join("fit_V.mtx")).unwrap();
    assert_eq!((u.nrows, u.ncols, w.nrows, w.ncols), (120, 3, 100, 3));
    let Generated::Completion(inst) = generate(spec, Params::default()).unwrap() else {
        panic!("not a completion instance")
    };
    let err = inst.relative_error_entrywise(&u.data, &w.data, 3);
    assert!(err < 1e-6, "error of the written factors {err:e}");
}

#[test]
fn rating_file_with_header_biases_and_validation() {
    let d = dir();
    let path = d.join("ratings.inter");
    let mut text = String::from("user_id:token\titem_id:token\trating:float\ttimestamp:float\n");
    // a rank-2 pattern plus biases, rounded to half stars, on 60 users x 40 items
    let mut s = 1u64;
    for u in 1..=60u64 {
        for i in 1..=40u64 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if (s >> 33).is_multiple_of(3) {
                let x = 3.0
                    + 0.8 * ((u as f64) * 0.3).sin() * ((i as f64) * 0.2).cos()
                    + 0.5 * ((u * i) as f64 * 0.01).sin();
                let r = (x * 2.0).round() / 2.0;
                text.push_str(&format!("{u}\t{i}\t{r}\t{}\n", 880000000 + u * i));
            }
        }
    }
    std::fs::write(&path, text).unwrap();
    let fit = [
        "complete",
        path.to_str().unwrap(),
        "--rank",
        "2",
        "--biases",
        "--lambda",
        "1",
    ];
    let v = json(&[&fit[..], &["--validation", "0.2", "--json"]].concat());
    assert_eq!(
        (v["rows"].as_u64(), v["cols"].as_u64()),
        (Some(60), Some(40))
    );
    assert!(v["held_out"].as_u64().unwrap() > 0);
    let vr = v["validation_rmse"].as_f64().unwrap();
    assert!(vr > 0.0 && vr < 0.6, "{v}");
    assert_eq!(
        v["recovered"], false,
        "rating data are never called recovered: {v}"
    );
    // human-readable form
    assert!(stdout(&fit).contains("train RMSE"));
}

#[test]
fn too_few_entries_are_reported_as_underdetermined() {
    let d = dir();
    let mtx = d.join("few.mtx");
    stdout(&[
        "generate",
        "completion:m=80,n=60,rank=4,oversampling=0.7",
        "--out",
        mtx.to_str().unwrap(),
    ]);
    let v = json(&["complete", mtx.to_str().unwrap(), "--rank", "4", "--json"]);
    assert_eq!(v["status"], "underdetermined");
    assert_eq!(v["reason"], "too_few_entries");
    assert_eq!(v["recovered"], false);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("degrees of freedom")
    );
}

#[test]
fn bad_input_gives_a_message_and_exit_code_1() {
    let d = dir();
    let nan = d.join("nan.txt");
    std::fs::write(&nan, "1 1 2.0\n2 1 nan\n").unwrap();
    let range = d.join("range.txt");
    std::fs::write(&range, "1 1 2.0\n2 3 1.0\n").unwrap();
    for args in [
        vec!["complete", nan.to_str().unwrap(), "--rank", "1"],
        vec!["complete", "/no/such/file.mtx", "--rank", "1"],
        vec!["complete", range.to_str().unwrap(), "--rank", "5"],
        vec![
            "complete",
            range.to_str().unwrap(),
            "--rank",
            "1",
            "--shape",
            "1x1",
        ],
        vec![
            "complete",
            range.to_str().unwrap(),
            "--rank",
            "1",
            "--validation",
            "2",
        ],
    ] {
        let out = opal().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("opal: error: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = opal()
        .args(["complete", nan.to_str().unwrap(), "--rank", "1"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("nan.txt:2"));
}
