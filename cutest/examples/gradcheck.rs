//! Coordinate-wise central differences of f, c against the gradient and Jacobian of one
//! problem (a debugging aid): `cargo run --release -p opal-cutest --example gradcheck FILE`.

#[path = "../tests/support/mod.rs"]
mod support;

use opal_problems::SmoothProblem;

/// `x` moved by `+h` and `-h` in coordinate `i`, with h relative to |x_i|.
fn shifted(x: &[f64], i: usize) -> (f64, Vec<f64>, Vec<f64>) {
    let h = 1e-6 * (1.0 + x[i].abs());
    let (mut xp, mut xm) = (x.to_vec(), x.to_vec());
    xp[i] += h;
    xm[i] -= h;
    (h, xp, xm)
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: gradcheck FILE.SIF");
    let p = opal_cutest::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let info = p.info().clone();
    let (n, m) = (info.n(), info.m());
    let x = support::near(&info.x0);
    let mut g = vec![0.0; n];
    let f0 = p.objective_and_gradient(&x, &mut g).unwrap();
    let jp = p.jacobian_pattern().clone();
    let mut jv = vec![0.0; jp.nnz()];
    p.jacobian_values(&x, &mut jv).unwrap();
    let jd = jp.to_dense(&jv);
    println!("f = {f0:e}");
    let mut worst = (0.0f64, String::new());
    for i in 0..n.min(200) {
        let (h, xp, xm) = shifted(&x, i);
        let fd = (p.objective(&xp).unwrap() - p.objective(&xm).unwrap()) / (2.0 * h);
        let e = (fd - g[i]).abs() / (1.0 + fd.abs().max(g[i].abs()));
        if e > 1e-5 {
            println!(
                "g[{i}] {}: analytic {:e} fd {:e}",
                info.variable_names[i], g[i], fd
            );
        }
        if e > worst.0 {
            worst = (e, format!("g[{i}]"));
        }
        if m > 0 {
            let mut cp = vec![0.0; m];
            let mut cm = vec![0.0; m];
            p.constraints(&xp, &mut cp).unwrap();
            p.constraints(&xm, &mut cm).unwrap();
            for r in 0..m {
                let fd = (cp[r] - cm[r]) / (2.0 * h);
                let e = (fd - jd[r][i]).abs() / (1.0 + fd.abs().max(jd[r][i].abs()));
                if e > 1e-5 {
                    println!(
                        "J[{r},{i}] {} {}: analytic {:e} fd {:e}",
                        info.constraint_names[r], info.variable_names[i], jd[r][i], fd
                    );
                }
                if e > worst.0 {
                    worst = (e, format!("J[{r},{i}]"));
                }
            }
        }
    }
    // Hessian of the Lagrangian with y = 1 against differences of its gradient.
    let y = vec![1.0; m];
    let grad_l = |x: &[f64]| -> Vec<f64> {
        let mut g = vec![0.0; n];
        p.gradient(x, &mut g).unwrap();
        let mut jv = vec![0.0; jp.nnz()];
        p.jacobian_values(x, &mut jv).unwrap();
        jp.matvec_transpose(&jv, &y, &mut g, true);
        g
    };
    let mut e_i = vec![0.0; n];
    let mut hv = vec![0.0; n];
    for i in 0..n.min(200) {
        let (h, xp, xm) = shifted(&x, i);
        let (gp, gm) = (grad_l(&xp), grad_l(&xm));
        e_i.fill(0.0);
        e_i[i] = 1.0;
        p.hessian_vector(&x, 1.0, &y, &e_i, &mut hv).unwrap();
        for j in 0..n {
            let fd = (gp[j] - gm[j]) / (2.0 * h);
            let e = (fd - hv[j]).abs() / (1.0 + fd.abs().max(hv[j].abs()));
            if e > 1e-4 {
                println!("H[{j},{i}]: analytic {:e} fd {:e}", hv[j], fd);
            }
            if e > worst.0 {
                worst = (e, format!("H[{j},{i}]"));
            }
        }
    }
    println!("worst {:e} at {}", worst.0, worst.1);
}
