//! Fuzzes the SIF lexer, parser and compiler: any input must give a problem or an error,
//! never a panic; a decoded problem must evaluate (or fail) without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opal_problems::SmoothProblem;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let opts = opal_cutest::Options { max_cards: 20_000 };
    let Ok(p) = opal_cutest::decode(&text, "fuzz.SIF", &[], &opts) else {
        return;
    };
    let info = p.info().clone();
    if info.n() > 10_000 {
        return;
    }
    let (n, m) = (info.n(), info.m());
    let x = &info.x0;
    let mut g = vec![0.0; n];
    let _ = p.objective_and_gradient(x, &mut g);
    let mut c = vec![0.0; m];
    let _ = p.constraints(x, &mut c);
    let mut jv = vec![0.0; p.jacobian_pattern().nnz()];
    let _ = p.jacobian_values(x, &mut jv);
    let y = vec![0.5; m];
    let mut hv = vec![0.0; n];
    let _ = p.hessian_vector(x, 1.0, &y, x, &mut hv);
    if p.hessian_pattern().nnz() < 1_000_000 {
        let mut h = vec![0.0; p.hessian_pattern().nnz()];
        let _ = p.hessian_values(x, 1.0, &y, &mut h);
    }
});
