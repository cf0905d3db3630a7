//! PDE-constrained optimal control on an N x N interior grid (Hong et al. 2023, Section 5):
//!
//!   minimize 0.5 ||w - w*||^2 + 0.05 ||z||^2
//!   subject to (5-point Laplacian of w) / h^2 + z = 0,  h = 2 / (N + 1), zero boundary,
//!
//! with w*_ij = sin(4 + (0.1/sqrt 15)(i - (N+1)/2)) + cos(3 + (0.1/sqrt 15)(j - (N+1)/2)).
//! Variables x = (w, z), both N^2 long in row-major grid order; n = 2 N^2, m = N^2.

use crate::error::{EvalError, ProblemError};
use crate::smooth::{ProblemInfo, SmoothProblem};
use crate::sparse::SparsityPattern;

/// The PDE control problem on an N x N grid.
#[derive(Debug, Clone)]
pub struct PdeControl {
    grid: usize,
    info: ProblemInfo,
    target: Vec<f64>,
    jac: SparsityPattern,
    jac_values: Vec<f64>,
    hess: SparsityPattern,
}

/// Weight of ||z||^2 in the objective.
const CONTROL_WEIGHT: f64 = 0.05;

/// Memory of the problem and a solve per grid point, roughly (state and control, their
/// bounds and start, the Jacobian's five-point stencil, solver vectors).
const BYTES_PER_POINT: usize = 400;

/// Largest grid accepted (N^2 points): about 16 GB at [`BYTES_PER_POINT`]; larger sizes
/// are refused up front rather than failing in an allocation.
const MAX_GRID_POINTS: f64 = 4e7;

impl PdeControl {
    /// Builds the problem for an `grid` x `grid` interior grid (grid >= 1).
    pub fn new(grid: usize) -> Result<Self, ProblemError> {
        if grid == 0 {
            return Err(ProblemError::parameter(
                "N",
                "the grid needs at least one interior point",
            ));
        }
        let points = grid as f64 * grid as f64;
        if points > MAX_GRID_POINTS {
            return Err(ProblemError::parameter(
                "N",
                format!(
                    "N = {grid} gives {points:.0} grid points, about {:.0} GB at {BYTES_PER_POINT} \
                     bytes per point; at most {MAX_GRID_POINTS:.0} points are accepted",
                    points * BYTES_PER_POINT as f64 / 1e9
                ),
            ));
        }
        let nn = grid * grid;
        let h = 2.0 / (grid as f64 + 1.0);
        let inv_h2 = 1.0 / (h * h);
        let c = (grid as f64 + 1.0) / 2.0;
        let s = 0.1 / 15f64.sqrt();
        let mut target = Vec::with_capacity(nn);
        for i in 1..=grid {
            for j in 1..=grid {
                target.push((4.0 + s * (i as f64 - c)).sin() + (3.0 + s * (j as f64 - c)).cos());
            }
        }
        let (mut jr, mut jc, mut jv) = (Vec::new(), Vec::new(), Vec::new());
        let idx = |i: usize, j: usize| i * grid + j;
        for i in 0..grid {
            for j in 0..grid {
                let row = idx(i, j);
                let mut push = |col: usize, v: f64| {
                    jr.push(row);
                    jc.push(col);
                    jv.push(v);
                };
                if i > 0 {
                    push(idx(i - 1, j), inv_h2);
                }
                if j > 0 {
                    push(idx(i, j - 1), inv_h2);
                }
                push(row, -4.0 * inv_h2);
                if j + 1 < grid {
                    push(idx(i, j + 1), inv_h2);
                }
                if i + 1 < grid {
                    push(idx(i + 1, j), inv_h2);
                }
                push(nn + row, 1.0);
            }
        }
        let mut info =
            ProblemInfo::new(format!("PDE-N{grid}"), vec![0.0; 2 * nn]).with_equalities(nn);
        info.variable_names = (0..nn)
            .map(|k| format!("w({},{})", k / grid + 1, k % grid + 1))
            .chain((0..nn).map(|k| format!("z({},{})", k / grid + 1, k % grid + 1)))
            .collect();
        info.constraint_names = (0..nn)
            .map(|k| format!("pde({},{})", k / grid + 1, k % grid + 1))
            .collect();
        info.classification = Some("QLR2-AN".into());
        let diag: Vec<usize> = (0..2 * nn).collect();
        Ok(Self {
            grid,
            info,
            target,
            jac: SparsityPattern::new(nn, 2 * nn, jr, jc),
            jac_values: jv,
            hess: SparsityPattern::new(2 * nn, 2 * nn, diag.clone(), diag),
        })
    }

    /// Grid size N.
    pub fn grid(&self) -> usize {
        self.grid
    }

    /// The target state w*.
    pub fn target(&self) -> &[f64] {
        &self.target
    }

    fn check(&self, x: &[f64]) -> Result<(), EvalError> {
        EvalError::check_len("x", self.info.n(), x.len())?;
        EvalError::check_finite("x", x)
    }
}

impl SmoothProblem for PdeControl {
    fn info(&self) -> &ProblemInfo {
        &self.info
    }

    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        self.check(x)?;
        let nn = self.target.len();
        let dw: f64 = x[..nn]
            .iter()
            .zip(&self.target)
            .map(|(w, t)| (w - t) * (w - t))
            .sum();
        let zz: f64 = x[nn..].iter().map(|z| z * z).sum();
        Ok(0.5 * dw + CONTROL_WEIGHT * zz)
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<(), EvalError> {
        self.check(x)?;
        EvalError::check_len("gradient", self.info.n(), grad.len())?;
        let nn = self.target.len();
        for k in 0..nn {
            grad[k] = x[k] - self.target[k];
            grad[nn + k] = 2.0 * CONTROL_WEIGHT * x[nn + k];
        }
        Ok(())
    }

    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        self.check(x)?;
        EvalError::check_len("constraints", self.info.m(), c.len())?;
        self.jac.matvec(&self.jac_values, x, c, false);
        EvalError::check_finite("constraints", c)
    }

    fn jacobian_pattern(&self) -> &SparsityPattern {
        &self.jac
    }

    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        self.check(x)?;
        values.copy_from_slice(&self.jac_values);
        Ok(())
    }

    fn hessian_pattern(&self) -> &SparsityPattern {
        &self.hess
    }

    fn hessian_values(
        &self,
        x: &[f64],
        sigma: f64,
        _y: &[f64],
        values: &mut [f64],
    ) -> Result<(), EvalError> {
        self.check(x)?;
        let nn = self.target.len();
        values[..nn].fill(sigma);
        values[nn..].fill(2.0 * CONTROL_WEIGHT * sigma);
        Ok(())
    }

    fn hessian_vector(
        &self,
        x: &[f64],
        sigma: f64,
        _y: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), EvalError> {
        self.check(x)?;
        let nn = self.target.len();
        for k in 0..nn {
            out[k] = sigma * v[k];
            out[nn + k] = 2.0 * CONTROL_WEIGHT * sigma * v[nn + k];
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check_derivatives;

    #[test]
    fn sizes_and_structure() {
        let p = PdeControl::new(3).unwrap();
        let e = PdeControl::new(1_000_000_000).err().unwrap().to_string();
        assert!(e.contains("N") && e.contains("GB"), "{e}");
        assert_eq!((p.info().n(), p.info().m()), (18, 9));
        // 9 controls + 9 centres + 2 * 12 neighbour links.
        assert_eq!(p.jacobian_pattern().nnz(), 9 + 9 + 24);
        assert!(p.info().equality_only() && !p.info().has_bounds());
    }

    #[test]
    fn laplacian_of_a_constant_only_sees_the_boundary() {
        let n = 4;
        let p = PdeControl::new(n).unwrap();
        let mut x = vec![1.0; 2 * n * n];
        x[n * n..].fill(0.0);
        let mut c = vec![0.0; n * n];
        p.constraints(&x, &mut c).unwrap();
        let h2 = (2.0 / 5.0f64).powi(2);
        assert!((c[0] + 2.0 / h2).abs() < 1e-9); // corner: two boundary neighbours
        assert!((c[1] + 1.0 / h2).abs() < 1e-9); // edge: one
        assert!(c[n + 1].abs() < 1e-9); // interior: none
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let p = PdeControl::new(5).unwrap();
        let x: Vec<f64> = (0..p.info().n()).map(|i| (i as f64 * 0.37).sin()).collect();
        let r = check_derivatives(&p, &x, None, 4, 11).unwrap();
        assert!(r.max() <= 1e-6, "{r:?}");
    }
}
