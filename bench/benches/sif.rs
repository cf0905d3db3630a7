//! The SIF decoder and evaluator (`opal-cutest`) on the CUTEst collection in `../shared`:
//! evaluations per second of f + grad f + c + J at x0 (alternating with a point next to it)
//! over 20 problems of different sizes (criterion's `elem/s` is evaluations per second), the
//! same for the Hessian of the Lagrangian (values and a product with a vector), and the time
//! to decode every file of the collection. Skipped when the shared data are missing.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opal_problems::SmoothProblem;

/// The problems, tiny to large, constrained and not, with transformations, nontrivial
/// groups and dense groups: `FILE` or `FILE:PARAM=VALUE` (a user parameter of the SIF file).
const SET: &str = "HS6 BT5 HS100 ORTHREGB MANCINONE:N=100 EIGENA:N=10 ELEC:NP=50 BROWNAL:N=200 \
    ORTHREGA:LEVELS=5 CHANDHEQ:N=300 CBRATU2D:P=40 BRATU2D:P=72 HAGER1:N=5000 GENHUMPS:N=5000 \
    SPMSRTLS DTOC2:N=1000 DTOC1L:N=1000 CVXQP1:N=10000 ARWHEAD:N=10000 LUKVLE1:N=10000";

fn sif_dir() -> Option<PathBuf> {
    let dir = opal_problems::shared_data::shared_dir()?.join("data/sif");
    dir.is_dir().then_some(dir)
}

/// The problems of [`SET`] that load, with their benchmark labels.
fn load_set(dir: &std::path::Path) -> Vec<(String, opal_cutest::SifProblem)> {
    let mut out = Vec::new();
    for item in SET.split_whitespace() {
        let (name, params) = item.split_once(':').unwrap_or((item, ""));
        let params: Vec<(String, String)> = params
            .split_once('=')
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into_iter()
            .collect();
        match opal_cutest::load(dir.join(format!("{name}.SIF")), &params) {
            Ok(p) => {
                let info = p.info();
                let label = format!(
                    "{name} n={} m={} elements={}",
                    info.n(),
                    info.m(),
                    p.num_elements()
                );
                out.push((label, p));
            }
            Err(e) => println!("SKIPPED {name}: {e}"),
        }
    }
    out
}

/// x0 and a point next to it: the evaluator reuses element values at an unchanged point,
/// so the benchmarks alternate between the two to evaluate the element functions each time.
fn two_points(x0: &[f64]) -> [Vec<f64>; 2] {
    let x1: Vec<f64> = x0.iter().map(|v| v + 1e-7 * (1.0 + v.abs())).collect();
    [x0.to_vec(), x1]
}

/// A group timing one evaluation per iteration (3 s per problem after 1 s warm-up).
fn per_evaluation<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    group
}

/// Benchmarks `eval(x, other)` with x alternating between x0 and the point next to it
/// (`other` is the point not evaluated this time).
fn alternating(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    label: &str,
    x0: &[f64],
    mut eval: impl FnMut(&[f64], &[f64]) -> f64,
) {
    let points = two_points(x0);
    let mut k = 0usize;
    group.bench_function(label, |b| {
        b.iter(|| {
            k ^= 1;
            eval(&points[k], &points[1 - k])
        })
    });
}

fn evaluations(c: &mut Criterion) {
    let Some(dir) = sif_dir() else {
        println!("SKIPPED sif benchmarks: ../shared/data/sif not found (set OPAL_SHARED)");
        return;
    };
    let set = load_set(&dir);
    let mut group = per_evaluation(c, "sif f+g+c+J at x0");
    for (label, p) in &set {
        let info = p.info();
        let mut g = vec![0.0; info.n()];
        let mut cons = vec![0.0; info.m()];
        let mut jv = vec![0.0; p.jacobian_pattern().nnz()];
        alternating(&mut group, label, &info.x0, |x, _| {
            let f = p.objective_and_gradient(x, &mut g).unwrap();
            p.constraints(x, &mut cons).unwrap();
            p.jacobian_values(x, &mut jv).unwrap();
            f
        });
    }
    group.finish();
    // The Hessian of the Lagrangian (sigma = 1, y = 1): its values and its product with a
    // vector.
    let mut group = per_evaluation(c, "sif H+Hv at x0");
    for (label, p) in &set {
        let info = p.info();
        let y = vec![1.0; info.m()];
        let mut h = vec![0.0; p.hessian_pattern().nnz()];
        let mut hv = vec![0.0; info.n()];
        alternating(&mut group, label, &info.x0, |x, other| {
            p.hessian_values(x, 1.0, &y, &mut h).unwrap();
            p.hessian_vector(x, 1.0, &y, other, &mut hv).unwrap();
            hv[0]
        });
    }
    group.finish();
}

fn decoding(c: &mut Criterion) {
    let Some(dir) = sif_dir() else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut group = c.benchmark_group("sif decoding");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function(format!("all {} files", files.len()), |b| {
        b.iter(|| {
            files
                .iter()
                .filter(|f| opal_cutest::load(f, &[]).is_ok())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, evaluations, decoding);
criterion_main!(benches);
