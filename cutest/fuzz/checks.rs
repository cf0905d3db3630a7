//! What the SIF fuzz targets check, shared by `fuzz_targets/*.rs` (libFuzzer) and by
//! `cutest/tests/fuzz_checks.rs` (ordinary `cargo test` over seed files, so CI runs the
//! same code without the nightly toolchain).

use opal_problems::SmoothProblem;

/// Inputs longer than this are skipped: the decoder is linear in the text, and long inputs
/// only slow the fuzzer down.
pub const MAX_INPUT: usize = 20_000;

/// Decoded problems with more variables or constraints than this are not evaluated.
const MAX_SIZE: usize = 2_000;

fn options() -> opal_cutest::Options {
    // DO loops can repeat cards: a cap keeps one execution within milliseconds.
    opal_cutest::Options { max_cards: 20_000 }
}

/// Decodes `data` as SIF text: a problem or an error naming the file, never a panic.
/// Returns the problem when one decoded.
pub fn decode(data: &[u8]) -> Option<opal_cutest::SifProblem> {
    if data.len() > MAX_INPUT {
        return None;
    }
    let text = String::from_utf8_lossy(data);
    match opal_cutest::decode(&text, "fuzz.SIF", &[], &options()) {
        Ok(p) => {
            let info = p.info();
            assert_eq!(info.x0.len(), info.n(), "start point length");
            assert_eq!(info.lower.len(), info.n(), "lower bounds length");
            assert_eq!(info.upper.len(), info.n(), "upper bounds length");
            assert_eq!(info.constraint_lower.len(), info.m(), "constraint bounds");
            Some(p)
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("fuzz.SIF"), "error without the file: {msg}");
            None
        }
    }
}

/// Decodes `data` and evaluates every function of a decoded problem at its start point:
/// results or evaluation errors of the right sizes, never a panic.
pub fn decode_and_evaluate(data: &[u8]) {
    let Some(p) = decode(data) else { return };
    let info = p.info().clone();
    let (n, m) = (info.n(), info.m());
    if n > MAX_SIZE || m > MAX_SIZE {
        return;
    }
    let x = &info.x0;
    let mut g = vec![0.0; n];
    let _ = p.objective_and_gradient(x, &mut g);
    let mut c = vec![0.0; m];
    let _ = p.constraints(x, &mut c);
    let jp = p.jacobian_pattern();
    assert!(
        jp.rows().iter().all(|&r| r < m),
        "Jacobian row out of range"
    );
    assert!(
        jp.cols().iter().all(|&k| k < n),
        "Jacobian column out of range"
    );
    let mut jv = vec![0.0; jp.nnz()];
    let _ = p.jacobian_values(x, &mut jv);
    let y = vec![0.5; m];
    let mut hv = vec![0.0; n];
    let _ = p.hessian_vector(x, 1.0, &y, x, &mut hv);
    let hp = p.hessian_pattern();
    assert!(
        hp.rows()
            .iter()
            .zip(hp.cols())
            .all(|(&r, &k)| k <= r && r < n),
        "Hessian pattern not lower"
    );
    if hp.nnz() < 100_000 {
        let mut h = vec![0.0; hp.nnz()];
        let _ = p.hessian_values(x, 1.0, &y, &mut h);
    }
}
