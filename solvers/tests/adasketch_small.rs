//! adasketch and the baselines on small problems with known solutions.

mod support;

use opal_solvers::adasketch::{self, SketchKind};
use opal_solvers::eqnlp::Status;
use opal_solvers::newton_merit;

#[test]
fn probe() {
    for p in support::small_problems() {
        for sk in [SketchKind::Kaczmarz, SketchKind::Gaussian, SketchKind::SparseSign] {
            let s = adasketch::Settings::default().sketch(sk).abs_tol(1e-8).direct_fallback(false).verbose(true);
            let out = adasketch::solve(&p, &s).unwrap();
            println!("{} {:?} {} f={} x={:?} iters={} inner={} direct={}", p.info.name, sk, out.status, out.objective, out.x, out.iterations, out.inner_iterations, out.direct_solves);
        }
        let out = newton_merit::solve(&p, &newton_merit::Settings::default().abs_tol(1e-8).verbose(true)).unwrap();
        println!("{} newton {} f={} x={:?} iters={}", p.info.name, out.status, out.objective, out.x, out.iterations);
        let _ = Status::Converged;
    }
}

#[test]
fn probe_auglag() {
    for p in support::small_problems() {
        let out = opal_solvers::auglag::solve(&p, &opal_solvers::auglag::Settings::default().verbose(true)).unwrap();
        println!("{} auglag {} f={} x={:?} iters={} inner={}", p.info.name, out.status, out.objective, out.x, out.iterations, out.inner_iterations);
    }
}
