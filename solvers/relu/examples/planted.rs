//! Convex training of a two-layer ReLU network on data a planted network labelled:
//! 200 samples of 5 features, the label the sign of one hidden ReLU unit minus a threshold.
//! The gated program (group lasso over 30 sampled activation patterns) is fitted by ADMM
//! with the iteration log on stderr every 50 iterations; the recovered network must
//! classify every training sample correctly.
//!
//! `cargo run --release -p opal-relu --example planted`

use faer::Mat;
use opal_core::{LogObserver, Status};
use opal_relu::{Dataset, Settings, SolverKind, Variant, fit_observed};

fn main() -> Result<(), opal_relu::ReluError> {
    let (n, d) = (200, 5);
    // Deterministic inputs in [-1, 1] and the planted unit's weights w = (-2, -1, 0, 1, 2).
    let x = Mat::from_fn(n, d, |i, j| {
        ((i * 11 + j * 5 + i * j) % 19) as f64 / 9.0 - 1.0
    });
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let a: f64 = (0..d).map(|j| x[(i, j)] * (j as f64 - 2.0)).sum();
            if a.max(0.0) - 0.5 >= 0.0 { 1.0 } else { -1.0 }
        })
        .collect();
    let data = Dataset::new(x, y)?;
    let settings = Settings::default()
        .variant(Variant::Gated)
        .solver(SolverKind::Admm)
        .n_patterns(30)
        .seed(1)
        .lam(1e-3)
        .tol(1e-6);
    let mut log = LogObserver::stderr().every(50);
    let fit = fit_observed(&data, &settings, &mut log)?;

    let pred = fit.model.predict_class(data.x.as_ref())?;
    let correct = pred.iter().zip(&data.y).filter(|(p, y)| p == y).count();
    let accuracy = correct as f64 / n as f64;
    println!(
        "gated program by ADMM: {} after {} iterations, objective {:.6e}, {} hidden units, train accuracy {accuracy}",
        fit.status,
        fit.iterations,
        fit.objective,
        fit.model.network().width()
    );
    assert_eq!(fit.status, Status::Converged, "{}", fit.message);
    assert_eq!(
        accuracy, 1.0,
        "the planted labels are separable by the gated network"
    );
    Ok(())
}

/// `cargo test` builds this example as a test (`test = true` in Cargo.toml) and runs it here.
#[test]
fn example_runs() {
    main().unwrap();
}
