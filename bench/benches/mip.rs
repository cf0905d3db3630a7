//! Balans's hot kernels over HiGHS on a generated knapsack (fixed seed, one HiGHS thread):
//! passing a model to HiGHS and solving its LP relaxation (what every Balans run starts
//! with), and one destroy/repair step (an operator's plan put on the working copy, the
//! sub-MIP solved under a node limit, the model restored) for RINS and the random
//! objective.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use opal_mip::balans::operators;
use opal_mip::balans::problem::Problem;
use opal_mip::balans::settings::{Config, OperatorSpec};
use opal_mip::highs::{Highs, ModelStatus};
use opal_problems::generators::mip::knapsack;
use opal_problems::linear::LinearModel;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// A silent single-threaded HiGHS holding `model`.
fn highs_with(model: &LinearModel) -> Highs {
    let mut h = Highs::new().unwrap();
    h.set_int_option("threads", 1).unwrap();
    h.set_random_seed(0).unwrap();
    h.pass_model(model).unwrap();
    h
}

/// The LP relaxation of `model`.
fn relaxed(model: &LinearModel) -> LinearModel {
    let mut r = model.clone();
    r.integer.iter_mut().for_each(|b| *b = false);
    r
}

fn lp_relaxation(c: &mut Criterion) {
    let model = knapsack(2000, 50, 1).unwrap();
    let lp = relaxed(&model);
    let mut group = c.benchmark_group("mip");
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(20);
    group.bench_function("pass_model + LP relaxation (knapsack 2000x50)", |b| {
        b.iter(|| {
            let mut h = highs_with(&lp);
            assert_eq!(h.run().unwrap(), ModelStatus::Optimal);
            h.objective_value()
        })
    });
    group.finish();
}

fn destroy_repair(c: &mut Criterion) {
    // A knapsack in minimization form (the form Balans searches in), its LP point and an
    // incumbent from HiGHS's first two improving solutions.
    let mut model = knapsack(300, 10, 1).unwrap();
    model.cost.iter_mut().for_each(|c| *c = -*c);
    model.sense = opal_problems::linear::Sense::Minimize;
    let mut lp = highs_with(&relaxed(&model));
    lp.run().unwrap();
    let problem = Problem::new(model.clone(), lp.solution());
    let mut first = highs_with(&model);
    first.set_solution_limit(Some(2)).unwrap();
    first.run().unwrap();
    let x = problem.polish(first.solution());
    let cfg = Config::default();
    let mut h = highs_with(&model);
    h.set_int_option("mip_max_nodes", 200).unwrap();
    h.set_time_limit(10.0).unwrap();
    let mut group = c.benchmark_group("mip");
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(20);
    for (name, op) in [
        ("rins(0.4)", OperatorSpec::Rins { rate: 0.4 }),
        ("random_objective", OperatorSpec::RandomObjective),
    ] {
        let mut plan = operators::Plan::new();
        group.bench_function(
            format!("destroy+repair step {name} (knapsack 300x10)"),
            |b| {
                b.iter(|| {
                    let mut rng = StdRng::seed_from_u64(7);
                    plan.build(&op, &problem, &x, &cfg, &mut rng);
                    operators::apply(&mut h, &problem, &plan).unwrap();
                    let st = h.run().unwrap();
                    let f = h.has_solution().then(|| h.objective_value());
                    operators::restore(&mut h, &problem, &plan).unwrap();
                    (st, f)
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, lp_relaxation, destroy_repair);
criterion_main!(benches);
