//! Decodes every SIF file of a directory and compares with the reference values:
//! `cargo run --release -p opal-cutest --example sweep [SIF_DIR] [REFERENCE] [FILTER]`.
//! Prints one line per file that fails to load or disagrees, then the totals and timings.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::time::Instant;

fn main() {
    let dir = support::path_arg(1, "data/sif");
    let reference = support::path_arg(2, "reference/sif_start_point.jsonl");
    let filter = std::env::args().nth(3).unwrap_or_default();
    let refs: HashMap<String, _> = support::read_reference(&reference)
        .into_iter()
        .map(|r| (r["name"].as_str().unwrap_or("").to_string(), r))
        .collect();
    let (mut loaded, mut failed, mut agree, mut disagree, mut checked) = (0, 0, 0, 0, 0);
    let mut slow: Vec<(f64, String)> = Vec::new();
    let t_all = Instant::now();
    for (f, stem) in support::matching_files(&dir, &filter) {
        let t = Instant::now();
        let p = match opal_cutest::load(&f, &[]) {
            Ok(p) => p,
            Err(e) => {
                failed += 1;
                println!("LOADFAIL {stem}: {e}");
                continue;
            }
        };
        let dt = t.elapsed().as_secs_f64();
        slow.push((dt, stem.clone()));
        loaded += 1;
        use opal_problems::SmoothProblem;
        if let Err(e) = p.info().validate() {
            println!("INVALID {stem}: {e}");
        }
        let name = p.info().name.clone();
        let Some(r) = refs.get(&name).filter(|_| stem == name) else {
            continue;
        };
        checked += 1;
        match support::fields(&p) {
            Ok(mine) => {
                let bad = support::mismatches(r, &mine, 1e-8);
                if bad.is_empty() {
                    agree += 1;
                } else {
                    disagree += 1;
                    let s: Vec<String> = bad
                        .iter()
                        .map(|(k, a, b)| format!("{k}: ref {a} got {b}"))
                        .collect();
                    println!("MISMATCH {stem}: {}", s.join("; "));
                }
            }
            Err(e) => {
                disagree += 1;
                println!("EVALFAIL {stem}: {e}");
            }
        }
    }
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("slowest loads: {:?}", &slow[..slow.len().min(8)]);
    println!(
        "loaded {loaded}/{} (failed {failed}); reference: {agree}/{checked} agree ({disagree} disagree); {:.1} s",
        loaded + failed,
        t_all.elapsed().as_secs_f64()
    );
}
