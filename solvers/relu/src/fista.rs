//! FISTA with adaptive restarts and backtracking on the gated program (the fast path,
//! as scnn's R-FISTA): prox = group soft-threshold, restart when
//! <x_k - x_{k-1}, y_{k-1} - x_k> > 0, stop on the minimum-norm subgradient.

use faer::Mat;

use super::ops::{adjoint, forward, group_norm, group_shrink, half_mse};
use super::settings::Settings;
use super::solve::{Clock, IterInfo, Observer, Outcome, Problem, Status};

/// Minimum-norm subgradient of f + lam sum ||u_i|| given grad f at u (both d x P).
pub(crate) fn min_norm_subgradient(u: &Mat<f64>, grad: &Mat<f64>, lam: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..u.ncols() {
        let ui = u.col_as_slice(i);
        let gi = grad.col_as_slice(i);
        let nu = ui.iter().map(|v| v * v).sum::<f64>().sqrt();
        if nu > 0.0 {
            s += ui
                .iter()
                .zip(gi)
                .map(|(a, g)| (g + lam * a / nu).powi(2))
                .sum::<f64>();
        } else {
            let ng = gi.iter().map(|v| v * v).sum::<f64>().sqrt();
            s += (ng - lam).max(0.0).powi(2);
        }
    }
    s.sqrt()
}

/// Solves the gated program from u = 0. Returns U (d x P).
pub(crate) fn solve_gated(
    prob: &Problem<'_>,
    set: &Settings,
    clock: &Clock,
    observer: &mut Observer<'_>,
) -> Outcome {
    let (n, d, p) = (prob.n(), prob.d(), prob.p());
    let (x, pat, y, lam) = (prob.x, prob.pat, prob.y, prob.lam);
    let inv_n = 1.0 / n as f64;
    let mut work = Mat::<f64>::zeros(n, p);
    let mut xk = Mat::<f64>::zeros(d, p);
    let mut yk = Mat::<f64>::zeros(d, p);
    let mut xn = Mat::<f64>::zeros(d, p);
    let mut grad = Mat::<f64>::zeros(d, p);
    let mut fx = vec![0.0; n];
    let mut fy = vec![0.0; n];
    let mut fxn = vec![0.0; n];
    let mut r = vec![0.0; n];
    let mut t_mom = 1.0f64;
    let mut step = set.init_step;
    let mut status = Status::MaxIterations;
    let mut iters = 0;
    let mut subgrad = f64::INFINITY;
    for k in 1..=set.max_iter {
        iters = k;
        for j in 0..n {
            r[j] = fy[j] - y[j];
        }
        adjoint(x, pat, &r, inv_n, &mut work, grad.as_mut());
        loop {
            for i in 0..p {
                let (src, g, dst) = (
                    yk.col_as_slice(i),
                    grad.col_as_slice(i),
                    xn.col_as_slice_mut(i),
                );
                for c in 0..d {
                    dst[c] = src[c] - step * g[c];
                }
            }
            group_shrink(&mut xn, step * lam);
            forward(x, pat, xn.as_ref(), &mut work, &mut fxn);
            // f is quadratic, so f(xn) - f(y) - <g, xn - y> = ||F(xn - y)||^2 / (2n) exactly:
            // test the quadratic upper bound in that form (no cancellation near the optimum).
            let curv = fxn
                .iter()
                .zip(&fy)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                * 0.5
                * inv_n;
            let mut sq = 0.0;
            for i in 0..p {
                let (a, b) = (xn.col_as_slice(i), yk.col_as_slice(i));
                sq += a.iter().zip(b).map(|(u, v)| (u - v) * (u - v)).sum::<f64>();
            }
            if curv <= sq / (2.0 * step) || step < 1e-20 {
                break;
            }
            step *= set.backtrack;
        }
        // Gradient mapping ||y - xn|| / step: a cheap surrogate; the true minimum-norm
        // subgradient is computed only when it is small.
        let gmap = {
            let mut s = 0.0;
            for i in 0..p {
                s += xn
                    .col_as_slice(i)
                    .iter()
                    .zip(yk.col_as_slice(i))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>();
            }
            s.sqrt() / step
        };
        // Restart test on <x_k - x_{k-1}, y_{k-1} - x_k>.
        let mut restart_dot = 0.0;
        for i in 0..p {
            let (a, b, c) = (xn.col_as_slice(i), xk.col_as_slice(i), yk.col_as_slice(i));
            for q in 0..d {
                restart_dot += (a[q] - b[q]) * (c[q] - a[q]);
            }
        }
        if restart_dot > 0.0 {
            t_mom = 1.0;
            yk.copy_from(&xn);
            fy.copy_from_slice(&fxn);
        } else {
            let t_new = 0.5 * (1.0 + (1.0 + 4.0 * t_mom * t_mom).sqrt());
            let beta = (t_mom - 1.0) / t_new;
            t_mom = t_new;
            for i in 0..p {
                let (a, b, c) = (
                    xn.col_as_slice(i),
                    xk.col_as_slice(i),
                    yk.col_as_slice_mut(i),
                );
                for q in 0..d {
                    c[q] = a[q] + beta * (a[q] - b[q]);
                }
            }
            for j in 0..n {
                fy[j] = fxn[j] + beta * (fxn[j] - fx[j]);
            }
        }
        std::mem::swap(&mut xk, &mut xn);
        std::mem::swap(&mut fx, &mut fxn);
        let check = gmap <= set.tol || k % 50 == 0 || k == set.max_iter;
        if check {
            for j in 0..n {
                r[j] = fx[j] - y[j];
            }
            adjoint(x, pat, &r, inv_n, &mut work, grad.as_mut());
            subgrad = min_norm_subgradient(&xk, &grad, lam);
        }
        let report = set.verbose && k % set.log_every.max(1) == 0;
        if report || observer.is_some() {
            let obj = half_mse(&fx, y) + lam * group_norm(xk.as_ref());
            let info = IterInfo {
                iteration: k,
                objective: obj,
                primal_residual: f64::NAN,
                dual_residual: subgrad,
                rho: step,
                elapsed: clock.elapsed(),
            };
            if report {
                eprintln!("fista {k:6} obj {obj:.10e} subgrad {subgrad:.3e} step {step:.3e}");
            }
            if let Some(obs) = observer.as_mut()
                && !obs(&info)
            {
                status = Status::Stopped;
                break;
            }
        }
        if check && subgrad <= set.tol {
            status = Status::Converged;
            break;
        }
        if clock.over() {
            status = Status::TimeLimit;
            break;
        }
    }
    Outcome {
        u: xk,
        status,
        iterations: iters,
        primal_residual: 0.0,
        dual_residual: subgrad,
        rho: step,
    }
}
