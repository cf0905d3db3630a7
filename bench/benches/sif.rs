//! The SIF decoder and evaluator (`opal-cutest`) on the CUTEst collection in `../shared`:
//! evaluations per second of f + grad f + c + J at x0 (alternating with a point next to it)
//! over 20 problems of different sizes (criterion's `elem/s` is evaluations per second), and
//! the time to decode every file of the collection. Skipped when the shared data are missing.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opal_problems::SmoothProblem;

/// (file, user parameters): tiny to large, constrained and not, with transformations,
/// nontrivial groups and dense groups.
const SET: &[(&str, &[(&str, &str)])] = &[
    ("HS6", &[]),
    ("BT5", &[]),
    ("HS100", &[]),
    ("ORTHREGB", &[]),
    ("MANCINONE", &[("N", "100")]),
    ("EIGENA", &[("N", "10")]),
    ("ELEC", &[("NP", "50")]),
    ("BROWNAL", &[("N", "200")]),
    ("ORTHREGA", &[("LEVELS", "5")]),
    ("CHANDHEQ", &[("N", "300")]),
    ("CBRATU2D", &[("P", "40")]),
    ("BRATU2D", &[("P", "72")]),
    ("HAGER1", &[("N", "5000")]),
    ("GENHUMPS", &[("N", "5000")]),
    ("SPMSRTLS", &[]),
    ("DTOC2", &[("N", "1000")]),
    ("DTOC1L", &[("N", "1000")]),
    ("CVXQP1", &[("N", "10000")]),
    ("ARWHEAD", &[("N", "10000")]),
    ("LUKVLE1", &[("N", "10000")]),
];

fn sif_dir() -> Option<PathBuf> {
    let dir = opal_problems::shared_data::shared_dir()?.join("data/sif");
    dir.is_dir().then_some(dir)
}

fn evaluations(c: &mut Criterion) {
    let Some(dir) = sif_dir() else {
        println!("SKIPPED sif benchmarks: ../shared/data/sif not found (set OPAL_SHARED)");
        return;
    };
    let mut group = c.benchmark_group("sif f+g+c+J at x0");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    for &(name, params) in SET {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let p = match opal_cutest::load(dir.join(format!("{name}.SIF")), &params) {
            Ok(p) => p,
            Err(e) => {
                println!("SKIPPED {name}: {e}");
                continue;
            }
        };
        let info = p.info().clone();
        let mut g = vec![0.0; info.n()];
        let mut cons = vec![0.0; info.m()];
        let mut jv = vec![0.0; p.jacobian_pattern().nnz()];
        let label = format!(
            "{name} n={} m={} elements={}",
            info.n(),
            info.m(),
            p.num_elements()
        );
        // Alternate between x0 and a nearby point: the evaluator reuses element values at an
        // unchanged point, so repeating x0 would skip the element functions.
        let x1: Vec<f64> = info.x0.iter().map(|v| v + 1e-7 * (1.0 + v.abs())).collect();
        let points = [info.x0.clone(), x1];
        let mut k = 0usize;
        group.bench_function(label, |b| {
            b.iter(|| {
                k ^= 1;
                let x = &points[k];
                let f = p.objective_and_gradient(x, &mut g).unwrap();
                p.constraints(x, &mut cons).unwrap();
                p.jacobian_values(x, &mut jv).unwrap();
                f
            })
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
