//! A small equality-constrained problem written in Rust and solved by adasketch: HS71 with
//! both constraints as equalities and no bounds,
//!
//!   minimize    x1 x4 (x1 + x2 + x3) + x3
//!   subject to  x1 x2 x3 x4 = 25,  x1^2 + x2^2 + x3^2 + x4^2 = 40,
//!
//! from x0 = (1, 5, 5, 1). Implementing [`SmoothProblem`] means giving f, grad f, c, the
//! Jacobian (pattern once, values per point) and the lower triangle of the Hessian of the
//! Lagrangian. The example checks the answer against exact Newton on the same merit and
//! recomputes the KKT residual from the problem itself; it panics when anything is off.
//!
//! `cargo run --release -p opal-nlp --example hs71_equality` (also run by `cargo test`).

use opal_core::Status;
use opal_nlp::eqnlp::MeritSettings;
use opal_nlp::{adasketch, newton_merit};
use opal_problems::{EvalError, ProblemInfo, SmoothProblem, SparsityPattern};

/// HS71 with equality constraints.
struct Hs71Equality {
    info: ProblemInfo,
    jacobian: SparsityPattern,
    hessian: SparsityPattern,
}

impl Hs71Equality {
    fn new() -> Self {
        let info = ProblemInfo::new("HS71-EQ", vec![1.0, 5.0, 5.0, 1.0]).with_equalities(2);
        let mut info = info;
        info.constraint_lower = vec![25.0, 40.0];
        info.constraint_upper = vec![25.0, 40.0];
        // Both constraints depend on every variable: a dense 2 x 4 Jacobian.
        let jacobian = SparsityPattern::new(
            2,
            4,
            vec![0, 0, 0, 0, 1, 1, 1, 1],
            vec![0, 1, 2, 3, 0, 1, 2, 3],
        );
        // The lower triangle of a dense 4 x 4 Hessian, row by row.
        let (rows, cols): (Vec<usize>, Vec<usize>) =
            (0..4).flat_map(|r| (0..=r).map(move |c| (r, c))).unzip();
        let hessian = SparsityPattern::new(4, 4, rows, cols);
        Self {
            info,
            jacobian,
            hessian,
        }
    }
}

impl SmoothProblem for Hs71Equality {
    fn info(&self) -> &ProblemInfo {
        &self.info
    }

    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        Ok(x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2])
    }

    fn gradient(&self, x: &[f64], g: &mut [f64]) -> Result<(), EvalError> {
        let s = x[0] + x[1] + x[2];
        g[0] = x[3] * (s + x[0]);
        g[1] = x[0] * x[3];
        g[2] = x[0] * x[3] + 1.0;
        g[3] = x[0] * s;
        Ok(())
    }

    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        c[0] = x[0] * x[1] * x[2] * x[3];
        c[1] = x.iter().map(|v| v * v).sum();
        Ok(())
    }

    fn jacobian_pattern(&self) -> &SparsityPattern {
        &self.jacobian
    }

    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        let [a, b, c, d] = [x[0], x[1], x[2], x[3]];
        v[..4].copy_from_slice(&[b * c * d, a * c * d, a * b * d, a * b * c]);
        for i in 0..4 {
            v[4 + i] = 2.0 * x[i];
        }
        Ok(())
    }

    fn hessian_pattern(&self) -> &SparsityPattern {
        &self.hessian
    }

    /// sigma grad^2 f + y1 grad^2 c1 + y2 grad^2 c2, lower triangle in pattern order
    /// (0,0) (1,0) (1,1) (2,0) (2,1) (2,2) (3,0) (3,1) (3,2) (3,3).
    fn hessian_values(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        v: &mut [f64],
    ) -> Result<(), EvalError> {
        let [a, b, c, d] = [x[0], x[1], x[2], x[3]];
        let f = [2.0 * d, d, 0.0, d, 0.0, 0.0, 2.0 * a + b + c, a, a, 0.0];
        let c1 = [0.0, c * d, 0.0, b * d, a * d, 0.0, b * c, a * c, a * b, 0.0];
        let c2 = [2.0, 0.0, 2.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 2.0];
        for k in 0..10 {
            v[k] = sigma * f[k] + y[0] * c1[k] + y[1] * c2[k];
        }
        Ok(())
    }
}

/// ||(grad f + J^T lambda, c - cl)||_2 from the problem's own callbacks.
fn kkt_residual(p: &Hs71Equality, x: &[f64], lambda: &[f64]) -> f64 {
    let mut g = vec![0.0; 4];
    p.gradient(x, &mut g).unwrap();
    let mut jv = vec![0.0; 8];
    p.jacobian_values(x, &mut jv).unwrap();
    p.jacobian.matvec_transpose(&jv, lambda, &mut g, true);
    let mut c = vec![0.0; 2];
    p.constraints(x, &mut c).unwrap();
    let r: f64 = g.iter().map(|v| v * v).sum::<f64>()
        + c.iter()
            .zip(&p.info.constraint_lower)
            .map(|(v, l)| (v - l) * (v - l))
            .sum::<f64>();
    r.sqrt()
}

fn main() {
    let problem = Hs71Equality::new();
    let merit = MeritSettings::default().tol(1e-10);
    let out = adasketch::solve(
        &problem,
        &adasketch::Settings::default().merit(merit.clone()),
    )
    .expect("the problem is equality-constrained without bounds");
    println!(
        "adasketch: {} ({}) after {} iterations ({} sketch projections, {} direct solves)",
        out.status, out.message, out.iterations, out.inner_iterations, out.direct_solves
    );
    println!(
        "  f = {:.10}, x = {:.6?}, lambda = {:.6?}",
        out.objective, out.x, out.lambda
    );
    assert_eq!(out.status, Status::Converged, "{out:?}");
    let residual = kkt_residual(&problem, &out.x, &out.lambda);
    assert!(residual <= 1e-8, "KKT residual {residual:e}");
    let newton = newton_merit::solve(&problem, &merit).unwrap();
    assert_eq!(newton.status, Status::Converged, "{newton:?}");
    assert!(
        (out.objective - newton.objective).abs() <= 1e-8 * newton.objective.abs().max(1.0),
        "adasketch f = {} but newton f = {}",
        out.objective,
        newton.objective
    );
    println!(
        "  newton agrees: f = {:.10} in {} iterations",
        newton.objective, newton.iterations
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_converges() {
        super::main();
    }
}
