//! The hot kernel of the NLP family: the KKT solve K d = b, K = [[H, J^T], [J, 0]] at the
//! start point, on pde:N=30 (n = 1800, m = 900, sparse) and on a logistic-regression-like
//! problem on synthetic data (d = 60 dense features, 11 constraints): the direct sparse
//! factorization + solve, and one sketched solve (Kaczmarz, a fixed budget of 20 sweeps'
//! worth of projections, the default cap of adasketch), both through the `KktSolver` trait.

use criterion::{Criterion, criterion_group, criterion_main};
use opal_nlp::eqnlp::{
    Accuracy, DirectLu, KktMatrix, KktSolver, Regularization, Sampling, SketchConfig, SketchKind,
    SketchKkt,
};
use opal_problems::formats::libsvm::LibsvmData;
use opal_problems::instances::logreg::ConstrainedLogReg;
use opal_problems::instances::pde::PdeControl;
use opal_problems::{SmoothProblem, SparsityPattern};

/// Logistic regression on `samples` x `features` dense pseudo-random data (a fixed
/// linear congruential sequence, so the bench needs no data file).
fn logreg_like(samples: usize, features: usize) -> ConstrainedLogReg {
    // Per sample: `features` values in [-1, 1), then one draw whose sign is the label.
    let draws: Vec<f64> = std::iter::successors(Some(0x2545_f491_4f6c_dd1d_u64), |s| {
        Some(
            s.wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407),
        )
    })
    .skip(1)
    .map(|s| (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0)
    .take(samples * (features + 1))
    .collect();
    let rows = draws.chunks(features + 1);
    let data = LibsvmData {
        labels: rows
            .clone()
            .map(|r| if r[features] > 0.0 { 1.0 } else { -1.0 })
            .collect(),
        row_ptr: (0..=samples).map(|i| i * features).collect(),
        indices: (0..samples).flat_map(|_| 0..features).collect(),
        values: rows.flat_map(|r| r[..features].iter().copied()).collect(),
        n_features: features,
    };
    ConstrainedLogReg::new("LOGREG-LIKE", data, 10, 0).expect("valid synthetic data")
}

/// K and b = -(grad f, c - cl) at (x0, lambda = 0).
fn kkt_at_start(p: &dyn SmoothProblem) -> (KktMatrix, Vec<f64>) {
    let info = p.info();
    let (n, m) = (info.n(), info.m());
    let hp = p.hessian_pattern();
    let (rows, cols): (Vec<usize>, Vec<usize>) =
        hp.iter().map(|(r, c)| (r.max(c), r.min(c))).unzip();
    let hess = SparsityPattern::new(n, n, rows, cols);
    let mut hv = vec![0.0; hess.nnz()];
    p.hessian_values(&info.x0, 1.0, &vec![0.0; m], &mut hv)
        .unwrap();
    let mut jv = vec![0.0; p.jacobian_pattern().nnz()];
    p.jacobian_values(&info.x0, &mut jv).unwrap();
    let mut k = KktMatrix::new(&hess, p.jacobian_pattern());
    k.assemble(&hv, &jv);
    let mut g = vec![0.0; n];
    p.gradient(&info.x0, &mut g).unwrap();
    let mut c = vec![0.0; m];
    p.constraints(&info.x0, &mut c).unwrap();
    let b = g
        .iter()
        .map(|v| -v)
        .chain(c.iter().zip(&info.constraint_lower).map(|(v, l)| l - v))
        .collect();
    (k, b)
}

fn bench_kkt(c: &mut Criterion) {
    let problems: Vec<(&str, Box<dyn SmoothProblem>)> = vec![
        ("pde N=30", Box::new(PdeControl::new(30).unwrap())),
        ("logreg-like 500x60", Box::new(logreg_like(500, 60))),
    ];
    for (name, p) in &problems {
        let (k, b) = kkt_at_start(&**p);
        let dim = b.len();
        let mut d = vec![0.0; dim];
        let reg = Regularization::default();
        let never = || false;
        let mut direct = DirectLu::new(&k);
        c.bench_function(&format!("kkt direct factor+solve {name}"), |bench| {
            bench.iter(|| {
                direct.factor(&k, reg).unwrap();
                let report = direct.solve(&k, &b, &mut d, Accuracy::Exact, &never);
                report.unwrap().residual
            })
        });
        let cfg = SketchConfig {
            kind: SketchKind::Kaczmarz,
            sampling: Sampling::SquaredNorm,
            block: 1,
            column_nnz: 2,
            equilibrate: true,
            residual_floor: 1e-12,
            stall_detection: false,
        };
        let mut sketch = SketchKkt::new(&k, cfg, 0);
        let accuracy = Accuracy::Inexact {
            target: 0.0,
            usable: 0.0,
            max_iterations: (20 * dim).clamp(1_000, 1_000_000),
            resume: false,
        };
        c.bench_function(&format!("kkt sketch solve {name}"), |bench| {
            bench.iter(|| {
                sketch.factor(&k, reg).unwrap();
                d.fill(0.0);
                let report = sketch.solve(&k, &b, &mut d, accuracy, &never);
                report.unwrap().residual
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_kkt
}
criterion_main!(benches);
