//! The SIF fuzz targets' checks (`cutest/fuzz/checks.rs`) run by `cargo test` over the
//! seed files and deterministic mutations of them: what the fuzzer would try first, on
//! every CI run and without the nightly toolchain.

#[path = "../fuzz/checks.rs"]
mod checks;
#[path = "../../problems/fuzz/mutate.rs"]
mod mutate;

use std::path::{Path, PathBuf};

use opal_problems::shared_data::require;

/// Small files of the shared CUTEst collection, in name order (at most `count`).
fn shared_seeds(count: usize) -> Vec<PathBuf> {
    let Some(dir) = require("data/sif", "fuzz_checks") else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 6_000))
        .collect();
    files.sort();
    files.truncate(count);
    files
}

fn seeds() -> Vec<Vec<u8>> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![
        here.join("fuzz/seeds/tiny.SIF"),
        here.join("tests/data/HS6.SIF"),
    ];
    files.extend(shared_seeds(60));
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

#[test]
fn seeds_decode_and_evaluate() {
    let seeds = seeds();
    let decoded = seeds.iter().filter(|s| checks::decode(s).is_some()).count();
    // the hand-written seeds decode (the shared ones too, where present)
    assert!(
        decoded >= 2,
        "only {decoded} of {} seeds decoded",
        seeds.len()
    );
    for s in &seeds {
        checks::decode_and_evaluate(s);
    }
}

#[test]
fn mutated_seeds_never_panic() {
    mutate::run(
        checks::decode_and_evaluate,
        &seeds(),
        b" 0123456789.-+ENDX()'$\n",
    );
    // too long an input is skipped, not decoded
    assert!(checks::decode(&vec![b' '; checks::MAX_INPUT + 1]).is_none());
}
