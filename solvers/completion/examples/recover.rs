//! Recovers a planted 300 x 200 matrix of rank 4 from about a sixth of its entries
//! (5 k (m + n - k) observations) by alternating minimization, and checks the answer
//! against the truth: `cargo run --release -p opal-completion --example recover`.

use opal_completion::{Settings, complete};
use opal_problems::generators::completion::low_rank;

fn main() {
    let (m, n, k) = (300, 200, 4);
    let observed = 5 * k * (m + n - k);
    let planted = low_rank(m, n, k, observed, 0.0, 7).expect("a valid instance");
    let fit = complete(&planted.observed, &Settings::default().rank(k)).expect("valid data");
    let error = planted.relative_error_entrywise(&fit.u, &fit.v, fit.rank);
    println!(
        "{m} x {n}, rank {k}, {observed} observed: {} after {} sweeps ({}), relative error {error:.2e}",
        fit.status, fit.iterations, fit.message
    );
    assert!(fit.recovered(), "not recovered: {}", fit.message);
    assert!(error < 1e-6, "relative error {error:e}");
}

/// `cargo test` runs the example (its `[[example]]` entry has `test = true`).
#[cfg(test)]
#[test]
fn example_runs() {
    main();
}
