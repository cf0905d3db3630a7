//! Finite-difference check of every decoded problem at its start point (perturbed):
//! `cargo run --release -p opal-cutest --example fdcheck [SIF_DIR] [MAX_N] [FILTER]`.
//! Prints the problems whose worst relative discrepancy exceeds 1e-4. With `EQONLY=1`, only
//! equality-constrained problems without bounds are checked.

use std::path::PathBuf;

use opal_problems::SmoothProblem;
use opal_problems::check::check_derivatives;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shared =
        opal_problems::shared_data::shared_dir().unwrap_or_else(|| PathBuf::from("../shared"));
    let dir = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or(shared.join("data/sif"));
    let max_n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let filter = args.get(3).cloned().unwrap_or_default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let (mut ok, mut bad, mut skipped) = (0, 0, 0);
    for f in files {
        let stem = f
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if !filter.is_empty() && !stem.contains(&filter) {
            continue;
        }
        let Ok(p) = opal_cutest::load(&f, &[]) else {
            continue;
        };
        let info = p.info();
        if std::env::var_os("EQONLY").is_some() && (!info.equality_only() || info.has_bounds()) {
            continue;
        }
        if info.n() > max_n {
            skipped += 1;
            continue;
        }
        // a point near x0, away from kinks at round numbers
        let x: Vec<f64> = info
            .x0
            .iter()
            .enumerate()
            .map(|(i, v)| v + 1e-3 * (1.0 + v.abs()) * ((i * 37 % 11) as f64 / 11.0 - 0.4))
            .collect();
        match check_derivatives(&p, &x, None, 2, 7) {
            Ok(r) if r.max() <= 1e-4 => ok += 1,
            Ok(r) => {
                bad += 1;
                println!(
                    "{stem}: n={} m={} grad {:.1e} jac {:.1e} hv {:.1e} cons {:.1e}",
                    info.n(),
                    info.m(),
                    r.gradient,
                    r.jacobian,
                    r.hessian_vector,
                    r.hessian_consistency
                );
            }
            Err(e) => println!("{stem}: evaluation error {e}"),
        }
    }
    println!("ok {ok}, above 1e-4: {bad}, skipped (n > {max_n}): {skipped}");
}
