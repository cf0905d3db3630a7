//! The fuzz targets' checks (`solvers/io/fuzz/checks.rs`) run by `cargo test` over seed
//! inputs and deterministic mutations of them, so CI covers the targets' logic without the
//! nightly toolchain.

#[path = "../fuzz/checks.rs"]
mod checks;
#[path = "../../../problems/fuzz/mutate.rs"]
mod mutate;

use std::io::Read;

use opal_problems::shared_data::require;

/// A free-format MPS seed with every section opal's text checks look at.
const MPS: &str = "NAME SEED
OBJSENSE
    MAX
ROWS
 N cost
 G lo
 E eq
COLUMNS
 a cost 2 lo 1
 b cost 3 eq 1
RHS
 rhs lo 1 eq 2
RANGES
 rng lo 4
BOUNDS
 UP bnd a 5
 LI bnd b 0
 UI bnd b 9
ENDATA
";
const LP: &str = "maximize\n obj: x + 2 y\nsubject to\n c1: x + y <= 3\nbounds\n 0 <= x <= 3\ngeneral\n x y\nend\n";
const CONFIGS: [&str; 3] = [
    "{}",
    r#"{"sub_mip_time_limit": 6, "bandit": {"policy": "uniform"}}"#,
    r#"{"operators": [{"kind": "mutation", "rate": 0.3}]}"#,
];

/// The first 16 KiB of the shared model files named, where present.
fn shared(names: &[&str]) -> Vec<Vec<u8>> {
    let Some(dir) = require("data/mps", "fuzz_checks") else {
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|f| std::fs::File::open(dir.join(f)).ok())
        .map(|f| {
            let mut head = Vec::new();
            f.take(checks::MAX_INPUT as u64)
                .read_to_end(&mut head)
                .unwrap();
            head
        })
        .collect()
}

#[test]
fn mps_text_seeds_and_mutations() {
    let mut seeds = vec![MPS.as_bytes().to_vec()];
    seeds.extend(shared(&[
        "highs-check/afiro.mps",
        "highs-check/nan1.mps",
        "miplib/mas74.mps",
    ]));
    mutate::run(
        checks::mps,
        &seeds,
        b" \tNRLEGUPMXIFnan0123456789.-'\n\x00\xff",
    );
}

#[test]
fn lp_text_seeds_and_mutations() {
    let mut seeds = vec![LP.as_bytes().to_vec()];
    seeds.extend(shared(&["distributional/correctness_mk_5.lp"]));
    mutate::run(checks::lp, &seeds, b" \n:+-<>=nan0123456789xy\xff");
}

#[test]
fn balans_config_seeds_and_mutations() {
    let seeds: Vec<Vec<u8>> = CONFIGS.iter().map(|s| s.as_bytes().to_vec()).collect();
    mutate::run(checks::balans_config, &seeds, b"{}[]\":,0123456789.-e \xff");
}

/// A SIF file named .mps is refused at its first SIF section, with the line.
#[test]
fn sif_text_is_not_mps() {
    let sif = "NAME          X\nVARIABLES\n    X1\nENDATA\n";
    let e = opal_io::text::check_text(std::path::Path::new("m.mps"), sif.as_bytes()).unwrap_err();
    assert!(
        e.to_string().starts_with("m.mps:2:") && e.to_string().contains("VARIABLES"),
        "{e}"
    );
    let e = opal_io::text::check_text(std::path::Path::new("b.lp"), b"max\n x\x00\n").unwrap_err();
    assert!(e.to_string().starts_with("b.lp:2:"), "{e}");
}
