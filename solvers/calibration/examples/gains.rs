//! Blind gain calibration of 32 sensors observing a length-64 signal in 16 snapshots:
//! recovers both the signal and the gains by projected gradient descent, and checks them
//! against the truth: `cargo run --release -p opal-calibration --example gains`.

use opal_calibration::{DenseOperator, Problem, Settings, relative_error, solve};
use opal_problems::generators::calibration::instance;

fn main() {
    let (n, m, p, rho) = (64, 32, 16, 0.5);
    let truth = instance(n, m, p, rho, 0.0, 1).expect("a valid instance");
    let op = DenseOperator::from_instance(&truth).expect("consistent sizes");
    let out = solve(&Problem::new(&op, &truth.y, rho), &Settings::default()).expect("valid data");
    let (ex, ed) = (
        relative_error(&out.x, &truth.x),
        relative_error(&out.d, &truth.d),
    );
    println!(
        "n = {n}, m = {m}, p = {p}: {} after {} iterations ({}), error x {ex:.1e}, error d {ed:.1e}",
        out.status, out.iterations, out.message
    );
    assert!(out.status.is_success(), "{}", out.message);
    assert!(ex < 1e-8 && ed < 1e-8, "errors {ex:e} {ed:e}");
}

/// `cargo test` runs the example (its `[[example]]` entry has `test = true`).
#[cfg(test)]
#[test]
fn example_runs() {
    main();
}
