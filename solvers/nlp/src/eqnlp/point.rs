//! The values of the (scaled) problem at one iterate, shared by every solver: f, grad f,
//! c - cl, the Jacobian values and grad_x L for the multipliers it was last updated with.
//! Workspaces are sized once; evaluating a point allocates nothing.

use opal_core::linalg::{dot, norm2};
use opal_problems::{EvalError, SmoothProblem, SparsityPattern};

use super::problem::EqProblem;

/// Values at one point.
pub(crate) struct Point {
    /// f(x).
    pub f: f64,
    /// grad f(x).
    pub g: Vec<f64>,
    /// c(x) - cl.
    pub c: Vec<f64>,
    /// Jacobian values (pattern order).
    pub jv: Vec<f64>,
    /// grad_x L = grad f + J^T lambda (after [`Point::update_gl`]).
    pub gl: Vec<f64>,
}

impl Point {
    /// Zero values for n variables, m constraints and a Jacobian with `jnnz` entries.
    pub fn new(n: usize, m: usize, jnnz: usize) -> Self {
        Self {
            f: 0.0,
            g: vec![0.0; n],
            c: vec![0.0; m],
            jv: vec![0.0; jnnz],
            gl: vec![0.0; n],
        }
    }

    /// Evaluates f, grad f, c and J at `x` (not grad_x L).
    pub fn eval<P: SmoothProblem + ?Sized>(
        &mut self,
        ep: &mut EqProblem<'_, P>,
        x: &[f64],
    ) -> Result<(), EvalError> {
        self.f = ep.objective_gradient(x, &mut self.g)?;
        ep.constraints(x, &mut self.c)?;
        ep.jacobian(x, &mut self.jv)
    }

    /// grad_x L = grad f + J^T lambda.
    pub fn update_gl(&mut self, jac: &SparsityPattern, lam: &[f64]) {
        self.gl.copy_from_slice(&self.g);
        jac.matvec_transpose(&self.jv, lam, &mut self.gl, true);
    }

    /// out = grad f + J^T w (grad_x L for other multipliers w).
    pub fn gradient_with(&self, jac: &SparsityPattern, w: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&self.g);
        jac.matvec_transpose(&self.jv, w, out, true);
    }

    /// ||(grad_x L, c)||_2 of the scaled problem.
    pub fn kkt(&self) -> f64 {
        norm2(&self.gl, &self.c)
    }

    /// The exact augmented Lagrangian L + (eta1/2) ||c||^2 + (eta2/2) ||grad_x L||^2.
    pub fn merit(&self, lam: &[f64], eta1: f64, eta2: f64) -> f64 {
        self.f
            + dot(lam, &self.c)
            + 0.5 * eta1 * dot(&self.c, &self.c)
            + 0.5 * eta2 * dot(&self.gl, &self.gl)
    }

    /// The classical augmented Lagrangian f + lambda^T c + (mu/2) ||c||^2.
    pub fn augmented_lagrangian(&self, lam: &[f64], mu: f64) -> f64 {
        self.f + dot(lam, &self.c) + 0.5 * mu * dot(&self.c, &self.c)
    }
}
