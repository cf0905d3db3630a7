//! The fuzz targets' checks (`problems/fuzz/checks.rs`) run by `cargo test` over seed
//! inputs and deterministic mutations of them, so CI covers the targets' logic without the
//! nightly toolchain.

#[path = "../fuzz/checks.rs"]
mod checks;
#[path = "../fuzz/mutate.rs"]
mod mutate;

use std::io::Read;

use opal_problems::shared_data::require;

const LIBSVM: &str = "+1 1:0.5 3:-2\n-1 2:1e-3 4:7 # comment\n+1 1:1\n";
const MTX: &str =
    "%%MatrixMarket matrix coordinate real general\n% c\n3 2 3\n1 1 1.5\n3 2 -2\n2 1 4e1\n";
const MTX_SYM: &str = "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 1\n2 1 3\n";
const MTX_ARRAY: &str = "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n";
const TRIPLETS: &str = "user,item,rating\n1,1,5\n2,3,4.5\n";
const SPECS: [&str; 8] = [
    "pde:N=3",
    "pde",
    "knapsack:items=6,dims=2,seed=4",
    "setcover:elements=8,sets=5,density=0.4",
    "indset:nodes=7,edge_prob=0.3",
    "completion:m=6,n=5,rank=2",
    "pde:N=-1",
    "nosuch:x=1",
];

/// The first 4 KiB of a few LIBSVM files of the shared data, where present.
fn shared_libsvm() -> Vec<Vec<u8>> {
    let Some(dir) = require("data/libsvm", "fuzz_checks") else {
        return Vec::new();
    };
    ["heart_scale", "sonar_scale", "a9a"]
        .iter()
        .filter_map(|f| std::fs::File::open(dir.join(f)).ok())
        .map(|f| {
            let mut head = Vec::new();
            f.take(4096).read_to_end(&mut head).unwrap();
            head
        })
        .collect()
}

#[test]
fn libsvm_seeds_and_mutations() {
    let mut seeds = vec![LIBSVM.as_bytes().to_vec(), vec![0xff, 0xfe, b'\n', 0]];
    seeds.extend(shared_libsvm());
    mutate::run(checks::libsvm, &seeds, b" :+-0123456789.e#\n\xff");
    // an index of 0 and a NaN value are refused with their line
    let e = opal_problems::formats::libsvm::parse_libsvm(
        std::io::BufReader::new(&b"1 1:2\n1 0:nan\n"[..]),
        std::path::Path::new("x.libsvm"),
        None,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("x.libsvm:2"), "{e}");
}

#[test]
fn matrix_market_seeds_and_mutations() {
    let seeds: Vec<Vec<u8>> = [MTX, MTX_SYM, MTX_ARRAY, TRIPLETS]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    mutate::run(checks::matrix_market, &seeds, b" %0123456789.-e,\n\xc3");
}

#[test]
fn spec_seeds_and_mutations() {
    let seeds: Vec<Vec<u8>> = SPECS.iter().map(|s| s.as_bytes().to_vec()).collect();
    mutate::run(checks::spec, &seeds, b":=,0123456789-.Nnx");
}
