//! Evaluation throughput of the built-in problems (f + grad f + c + J at x0).

use criterion::{Criterion, criterion_group, criterion_main};
use opal_problems::registry::{Params, load_builtin};

fn bench_pde(c: &mut Criterion) {
    for n in [10, 100] {
        let p = load_builtin(&format!("pde:N={n}"), Params::default()).unwrap();
        let info = p.info().clone();
        let mut g = vec![0.0; info.n()];
        let mut cons = vec![0.0; info.m()];
        let mut jv = vec![0.0; p.jacobian_pattern().nnz()];
        c.bench_function(&format!("pde N={n} f+g+c+J"), |b| {
            b.iter(|| {
                let f = p.objective_and_gradient(&info.x0, &mut g).unwrap();
                p.constraints(&info.x0, &mut cons).unwrap();
                p.jacobian_values(&info.x0, &mut jv).unwrap();
                f
            })
        });
    }
}

criterion_group!(benches, bench_pde);
criterion_main!(benches);
