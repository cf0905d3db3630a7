//! What the fuzz targets of opal-problems check, shared by `fuzz_targets/*.rs` (libFuzzer)
//! and `problems/tests/fuzz_checks.rs` (ordinary `cargo test` over seed inputs): the LIBSVM
//! and Matrix Market readers and the built-in problem specs (`pde:N=4`,
//! `knapsack:items=5`) never panic, and what they accept is consistent.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use opal_problems::SmoothProblem;
use opal_problems::formats::libsvm::parse_libsvm;
use opal_problems::formats::matrix_market::{read_matrix_market, read_triplet_text};
use opal_problems::registry::{self, Params};
use opal_problems::triplets::Triplets;

/// Inputs longer than this are skipped (the readers are linear in the text).
pub const MAX_INPUT: usize = 8_192;

/// Parses `data` as LIBSVM text: data with consistent indices, or an error naming
/// `fuzz.libsvm` and a line.
pub fn libsvm(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let path = Path::new("fuzz.libsvm");
    match parse_libsvm(BufReader::new(data), path, None) {
        Ok(d) => {
            for i in 0..d.n_samples() {
                let (idx, vals) = d.row(i);
                assert_eq!(idx.len(), vals.len());
                assert!(
                    idx.iter().all(|&j| j < d.n_features),
                    "index past n_features"
                );
                assert!(
                    vals.iter().all(|v| v.is_finite()),
                    "non-finite value accepted"
                );
            }
            let _ = d.binary_labels();
            if d.n_samples().saturating_mul(d.n_features) <= 1 << 16 {
                let (dense, cols) = d.to_dense(None);
                assert_eq!(dense.len(), d.n_samples() * cols);
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.libsvm"), "{e}"),
    }
}

/// A per-process scratch file (the Matrix Market readers take paths).
fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("opal-fuzz-{}-{name}", std::process::id()))
}

fn check_triplets(t: &Triplets) {
    assert_eq!(t.rows.len(), t.values.len());
    assert_eq!(t.cols.len(), t.values.len());
    assert!(
        t.rows.iter().all(|&r| r < t.nrows),
        "row index out of range"
    );
    assert!(
        t.cols.iter().all(|&c| c < t.ncols),
        "column index out of range"
    );
    assert!(
        t.values.iter().all(|v| v.is_finite()),
        "non-finite value accepted"
    );
}

/// Reads `data` as a Matrix Market file and as `row col value` text (1- and 0-based):
/// triplets inside their shape with finite values, or an error naming the file.
pub fn matrix_market(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let path = scratch("fuzz.mtx");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(data))
        .expect("scratch file");
    let name = path.display().to_string();
    let results = [
        read_matrix_market(&path),
        read_triplet_text(&path, true),
        read_triplet_text(&path, false),
    ];
    for r in results {
        match r {
            Ok(t) => check_triplets(&t),
            Err(e) => assert!(e.to_string().starts_with(&name), "{e}"),
        }
    }
}

/// Every number in a spec's parameters is at most 40 in magnitude (sizes the fuzzer may
/// build in microseconds).
fn small(args: &str) -> bool {
    args.split(',')
        .filter_map(|kv| kv.split_once('='))
        .all(|(_, v)| v.trim().parse::<f64>().map_or(true, |x| x.abs() <= 40.0))
}

/// Parses `data` as a problem or generator spec (`pde:N=4`, `setcover:elements=9`):
/// small specs are built and a built problem is evaluated at its start point; anything
/// else is an error, never a panic. `logreg:PATH` (a file) is left out.
pub fn spec(data: &[u8]) {
    if data.len() > 256 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let (name, args) = registry::split_spec(&text);
    if name.eq_ignore_ascii_case("logreg") || Params::parse_list(args).is_err() {
        return;
    }
    if !small(args) {
        return;
    }
    if registry::is_builtin(&text) {
        if let Ok(p) = registry::load_builtin(&text, Params::default()) {
            let info = p.info().clone();
            let mut g = vec![0.0; info.n()];
            let _ = p.objective_and_gradient(&info.x0, &mut g);
            let mut c = vec![0.0; info.m()];
            let _ = p.constraints(&info.x0, &mut c);
        }
    } else if let Ok(registry::Generated::Mip(m)) = registry::generate(&text, Params::default()) {
        assert_eq!(m.cost.len(), m.col_names.len());
        let text = m.to_mps();
        assert!(text.contains("ENDATA"));
    }
}
