//! Times decoding and one evaluation of each kind for one problem:
//! `cargo run --release -p opal-cutest --example timing FILE.SIF [NAME=VALUE]...`.

use std::time::Instant;

use opal_problems::SmoothProblem;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: timing FILE.SIF [NAME=VALUE]...");
    let params: Vec<(String, String)> = args
        .filter_map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let t = Instant::now();
    let p = opal_cutest::load(&path, &params).unwrap_or_else(|e| panic!("{e}"));
    let info = p.info().clone();
    println!(
        "{}: n {} m {} elements {} jacobian nnz {}; decode {:.3} s",
        info.name,
        info.n(),
        info.m(),
        p.num_elements(),
        p.jacobian_pattern().nnz(),
        t.elapsed().as_secs_f64()
    );
    let x = &info.x0;
    let mut g = vec![0.0; info.n()];
    let t = Instant::now();
    let f = p.objective_and_gradient(x, &mut g).unwrap();
    let mut c = vec![0.0; info.m()];
    p.constraints(x, &mut c).unwrap();
    let mut jv = vec![0.0; p.jacobian_pattern().nnz()];
    p.jacobian_values(x, &mut jv).unwrap();
    println!("f = {f:.6e}; f+g+c+J {:.4} s", t.elapsed().as_secs_f64());
    let y = vec![1.0; info.m()];
    let mut hv = vec![0.0; info.n()];
    let t = Instant::now();
    p.hessian_vector(x, 1.0, &y, x, &mut hv).unwrap();
    println!("Hv {:.4} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let nnz = p.hessian_pattern().nnz();
    println!(
        "hessian pattern nnz {nnz}: {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let mut h = vec![0.0; nnz];
    let t = Instant::now();
    p.hessian_values(x, 1.0, &y, &mut h).unwrap();
    println!("H values {:.4} s", t.elapsed().as_secs_f64());
}
