//! Bring your own problem from Rust: HS71 written as closures (objective, bounds and two
//! constraints; no derivatives given, so finite differences and a limited-memory
//! Hessian), solved by the interior point.
//!
//! `cargo run --release --example closures` (part of `cargo test`: it fails loudly).

use opal_nlp::ipm::{self, Settings};
use opal_problems::closure::FnProblem;

fn main() {
    // min x1 x4 (x1 + x2 + x3) + x3  s.t.  x1 x2 x3 x4 >= 25,  sum x^2 = 40,  1 <= x <= 5
    let problem = FnProblem::new("HS71", vec![1.0, 5.0, 5.0, 1.0], |x: &[f64]| {
        x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2]
    })
    .bounds(vec![1.0; 4], vec![5.0; 4])
    .constraints(2, |x: &[f64], c: &mut [f64]| {
        c[0] = x[0] * x[1] * x[2] * x[3];
        c[1] = x.iter().map(|v| v * v).sum();
    })
    .constraint_bounds(vec![25.0, 40.0], vec![f64::INFINITY, 40.0]);

    let out = ipm::solve(&problem, &Settings::default()).expect("HS71 is a valid problem");
    println!(
        "{}: f = {:.7} at x = {:.4?} after {} iterations ({})",
        out.status.as_str(),
        out.objective,
        out.x,
        out.iterations,
        out.message
    );
    assert!(out.status.is_success(), "{}", out.message);
    assert!(
        (out.objective - 17.0140173).abs() < 1e-6,
        "{}",
        out.objective
    );
}
