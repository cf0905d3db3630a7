//! Finite-difference check of every decoded problem at its start point (perturbed):
//! `cargo run --release -p opal-cutest --example fdcheck [SIF_DIR] [MAX_N] [FILTER]`.
//! Prints the problems whose worst relative discrepancy exceeds 1e-4. With `EQONLY=1`, only
//! equality-constrained problems without bounds are checked.

#[path = "../tests/support/mod.rs"]
mod support;

use opal_problems::SmoothProblem;
use opal_problems::check::check_derivatives;

fn main() {
    let dir = support::path_arg(1, "data/sif");
    let max_n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let filter = std::env::args().nth(3).unwrap_or_default();
    let (mut ok, mut bad, mut skipped) = (0, 0, 0);
    for (f, stem) in support::matching_files(&dir, &filter) {
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
        match check_derivatives(&p, &support::near(&info.x0), None, 2, 7) {
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
