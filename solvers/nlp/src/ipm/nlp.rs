//! The problem as the interior point sees it (IPOPT's internal form):
//!
//! ```text
//! min f(w)  s.t.  c(w) = 0,  l <= w <= u,     w = (x_free, s)
//! ```
//!
//! built from a user's `min f(x) s.t. cl <= c(x) <= cu, xl <= x <= xu`:
//! - variables with `xl = xu` are fixed: removed from w, their value kept in the full x;
//! - equalities (`cl = cu`) become rows `c_i(x) - cl_i`; inequalities get a slack,
//!   `c_i(x) - s_i` with `cl_i <= s_i <= cu_i`; rows with both sides infinite are dropped;
//! - f and every row are scaled so that their gradient at the start point has max-norm at
//!   most `max_gradient` (IPOPT's gradient-based scaling, `nlp_scaling_max_gradient`);
//! - finite bounds are relaxed by `bound_relax * max(1, |bound|)` (IPOPT's
//!   `bound_relax_factor`) so that a start on a bound still has an interior.
//!
//! All buffers are sized here once; evaluations write into caller buffers.

pub use crate::eqnlp::Evaluations;
use opal_problems::{EvalError, SmoothProblem, SparsityPattern};

/// Smallest scaling factor (IPOPT's `nlp_scaling_min_value`).
const MIN_SCALE: f64 = 1e-8;

/// Where a row of c(w) comes from.
#[derive(Debug, Clone, Copy)]
struct Row {
    /// User constraint index.
    user: usize,
    /// Slack index in w when an inequality.
    slack: Option<usize>,
}

/// The reformulated problem with its evaluation buffers.
pub(crate) struct BarrierNlp<'p, P: SmoothProblem + ?Sized> {
    problem: &'p P,
    /// User index of each free variable.
    free: Vec<usize>,
    /// Full user x (fixed variables hold their value).
    x_full: Vec<f64>,
    rows: Vec<Row>,
    /// Equality right-hand sides (user units), 0 for inequality rows.
    rhs: Vec<f64>,
    /// Number of free variables.
    n: usize,
    /// Lower bounds on w (relaxed, scaled for slacks).
    pub lower: Vec<f64>,
    /// Upper bounds on w.
    pub upper: Vec<f64>,
    /// Objective scale.
    pub obj_scale: f64,
    /// Row scales.
    pub row_scale: Vec<f64>,
    /// Our Jacobian pattern (m x nw): user entries kept, then one -1 per slack.
    jac_pattern: SparsityPattern,
    /// For each user Jacobian entry: its index in our values, if kept.
    jac_map: Vec<Option<usize>>,
    /// Our Hessian pattern (nw x nw lower triangle, x block only).
    hess_pattern: SparsityPattern,
    /// For each user Hessian entry: its index in our values, if kept.
    hess_map: Vec<Option<usize>>,
    c_user: Vec<f64>,
    g_user: Vec<f64>,
    jac_user: Vec<f64>,
    hess_user: Vec<f64>,
    y_user: Vec<f64>,
    /// Evaluation counts.
    pub evals: Evaluations,
}

/// Options of the reformulation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reformulation {
    pub bound_relax: f64,
    pub max_gradient: f64,
    pub scaling: bool,
}

impl<'p, P: SmoothProblem + ?Sized> BarrierNlp<'p, P> {
    /// Builds the reformulation (without scaling; see [`Self::compute_scaling`]).
    pub fn new(problem: &'p P, opts: &Reformulation) -> Self {
        let info = problem.info();
        let n_user = info.n();
        let free: Vec<usize> = (0..n_user)
            .filter(|&j| !(info.lower[j] == info.upper[j]))
            .collect();
        let mut x_full = info.x0.clone();
        for j in 0..n_user {
            if info.lower[j] == info.upper[j] {
                x_full[j] = info.lower[j];
            }
        }
        let n = free.len();
        let mut rows = Vec::new();
        let mut rhs = Vec::new();
        let mut slack_lower = Vec::new();
        let mut slack_upper = Vec::new();
        // Equalities first, then inequalities: the ordering does not matter to the method
        // but keeps the slack block contiguous.
        for i in 0..info.m() {
            let (lo, up) = (info.constraint_lower[i], info.constraint_upper[i]);
            if lo == up {
                rows.push(Row {
                    user: i,
                    slack: None,
                });
                rhs.push(lo);
            }
        }
        for i in 0..info.m() {
            let (lo, up) = (info.constraint_lower[i], info.constraint_upper[i]);
            if lo != up && (lo.is_finite() || up.is_finite()) {
                rows.push(Row {
                    user: i,
                    slack: Some(n + slack_lower.len()),
                });
                rhs.push(0.0);
                slack_lower.push(lo);
                slack_upper.push(up);
            }
        }
        let m = rows.len();
        let mi = slack_lower.len();
        let nw = n + mi;

        let mut col_of = vec![usize::MAX; n_user];
        for (k, &j) in free.iter().enumerate() {
            col_of[j] = k;
        }
        let mut row_of = vec![usize::MAX; info.m()];
        for (r, row) in rows.iter().enumerate() {
            row_of[row.user] = r;
        }

        let jp = problem.jacobian_pattern();
        let (mut jr, mut jc) = (Vec::new(), Vec::new());
        let mut jac_map = Vec::with_capacity(jp.nnz());
        for (r, c) in jp.iter() {
            if row_of[r] != usize::MAX && col_of[c] != usize::MAX {
                jac_map.push(Some(jr.len()));
                jr.push(row_of[r]);
                jc.push(col_of[c]);
            } else {
                jac_map.push(None);
            }
        }
        for (r, row) in rows.iter().enumerate() {
            if let Some(s) = row.slack {
                jr.push(r);
                jc.push(s);
            }
        }
        let jac_pattern = SparsityPattern::new(m, nw, jr, jc);

        let hp = problem.hessian_pattern();
        let (mut hr, mut hc) = (Vec::new(), Vec::new());
        let mut hess_map = Vec::with_capacity(hp.nnz());
        for (r, c) in hp.iter() {
            if col_of[r] != usize::MAX && col_of[c] != usize::MAX {
                hess_map.push(Some(hr.len()));
                let (a, b) = (col_of[r], col_of[c]);
                hr.push(a.max(b));
                hc.push(a.min(b));
            } else {
                hess_map.push(None);
            }
        }
        let hess_pattern = SparsityPattern::new(nw, nw, hr, hc);

        let relax = |b: f64, sign: f64| {
            if b.is_finite() {
                b + sign * opts.bound_relax * b.abs().max(1.0)
            } else {
                b
            }
        };
        let mut lower = Vec::with_capacity(nw);
        let mut upper = Vec::with_capacity(nw);
        for &j in &free {
            lower.push(relax(info.lower[j], -1.0));
            upper.push(relax(info.upper[j], 1.0));
        }
        for k in 0..mi {
            lower.push(relax(slack_lower[k], -1.0));
            upper.push(relax(slack_upper[k], 1.0));
        }

        Self {
            problem,
            free,
            x_full,
            rows,
            rhs,
            n,
            lower,
            upper,
            obj_scale: 1.0,
            row_scale: vec![1.0; m],
            jac_map,
            hess_map,
            jac_user: vec![0.0; jp.nnz()],
            hess_user: vec![0.0; hp.nnz()],
            jac_pattern,
            hess_pattern,
            c_user: vec![0.0; info.m()],
            g_user: vec![0.0; n_user],
            y_user: vec![0.0; info.m()],
            evals: Evaluations::default(),
        }
    }

    /// Number of free user variables.
    pub fn n_free(&self) -> usize {
        self.n
    }

    /// Dimension of w.
    pub fn nw(&self) -> usize {
        self.lower.len()
    }

    /// Number of rows of c(w).
    pub fn m(&self) -> usize {
        self.rows.len()
    }

    /// The user problem.
    pub fn problem(&self) -> &'p P {
        self.problem
    }

    /// Jacobian pattern of c(w).
    pub fn jacobian_pattern(&self) -> &SparsityPattern {
        &self.jac_pattern
    }

    /// Hessian pattern (lower triangle, x block).
    pub fn hessian_pattern(&self) -> &SparsityPattern {
        &self.hess_pattern
    }

    /// The user's x at w (fixed variables at their values), as a slice.
    pub fn set_x(&mut self, w: &[f64]) -> &[f64] {
        for (k, &j) in self.free.iter().enumerate() {
            self.x_full[j] = w[k];
        }
        &self.x_full
    }

    /// Sets the full user x directly (e.g. the final point projected into the bounds).
    pub fn set_x_full(&mut self, x: &[f64]) {
        self.x_full.copy_from_slice(x);
    }

    /// Free-variable index map.
    pub fn free(&self) -> &[usize] {
        &self.free
    }

    /// Start point w0 from `x0` (the user's start point or a warm start, length n) and
    /// c(x0) for the slacks (not yet pushed inside).
    pub fn start_point(&mut self, x0: &[f64], w: &mut [f64]) -> Result<(), EvalError> {
        for (k, &j) in self.free.iter().enumerate() {
            w[k] = x0[j];
        }
        self.set_x(w);
        self.problem.constraints(&self.x_full, &mut self.c_user)?;
        self.evals.constraints += 1;
        EvalError::check_finite("constraint", &self.c_user)?;
        for (r, row) in self.rows.iter().enumerate() {
            if let Some(s) = row.slack {
                w[s] = self.c_user[row.user] * self.row_scale[r];
            }
        }
        Ok(())
    }

    /// Gradient-based scaling at the point w (call before the iteration starts; changes the
    /// slack bounds, so slacks must be set after it).
    pub fn compute_scaling(&mut self, w: &[f64], opts: &Reformulation) -> Result<(), EvalError> {
        if !opts.scaling {
            return Ok(());
        }
        self.set_x(w);
        let has_objective = self.problem.info().has_objective;
        if has_objective {
            self.problem.gradient(&self.x_full, &mut self.g_user)?;
            self.evals.gradient += 1;
            EvalError::check_finite("gradient", &self.g_user)?;
            let gmax = self
                .free
                .iter()
                .fold(0.0f64, |a, &j| a.max(self.g_user[j].abs()));
            self.obj_scale = if gmax > opts.max_gradient {
                (opts.max_gradient / gmax).max(MIN_SCALE)
            } else {
                1.0
            };
        }
        self.problem
            .jacobian_values(&self.x_full, &mut self.jac_user)?;
        self.evals.jacobian += 1;
        EvalError::check_finite("jacobian", &self.jac_user)?;
        let mut rmax = vec![0.0f64; self.m()];
        let jp = self.problem.jacobian_pattern();
        for (k, (_, _)) in jp.iter().enumerate() {
            if let Some(p) = self.jac_map[k] {
                let r = self.jac_pattern.rows()[p];
                rmax[r] = rmax[r].max(self.jac_user[k].abs());
            }
        }
        for r in 0..self.m() {
            let s = if rmax[r] > opts.max_gradient {
                (opts.max_gradient / rmax[r]).max(MIN_SCALE)
            } else {
                1.0
            };
            self.row_scale[r] = s;
            if let Some(k) = self.rows[r].slack {
                self.lower[k] *= s;
                self.upper[k] *= s;
            }
        }
        Ok(())
    }

    /// Scaled f(w).
    pub fn objective(&mut self, w: &[f64]) -> Result<f64, EvalError> {
        if !self.problem.info().has_objective {
            return Ok(0.0);
        }
        self.set_x(w);
        self.evals.objective += 1;
        let f = self.problem.objective(&self.x_full)?;
        if !f.is_finite() {
            return Err(EvalError::NonFinite {
                what: "objective",
                index: 0,
                value: f,
            });
        }
        Ok(self.obj_scale * f)
    }

    /// Unscaled user objective at the last point.
    pub fn unscaled_objective(&self, f_scaled: f64) -> f64 {
        f_scaled / self.obj_scale
    }

    /// Scaled grad f(w) into `g` (length nw; slack entries 0).
    pub fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> Result<(), EvalError> {
        g.fill(0.0);
        if !self.problem.info().has_objective {
            return Ok(());
        }
        self.set_x(w);
        self.evals.gradient += 1;
        self.problem.gradient(&self.x_full, &mut self.g_user)?;
        EvalError::check_finite("gradient", &self.g_user)?;
        for (k, &j) in self.free.iter().enumerate() {
            g[k] = self.obj_scale * self.g_user[j];
        }
        Ok(())
    }

    /// Scaled c(w) into `c` (length m).
    pub fn constraints(&mut self, w: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        self.set_x(w);
        self.evals.constraints += 1;
        self.problem.constraints(&self.x_full, &mut self.c_user)?;
        EvalError::check_finite("constraint", &self.c_user)?;
        for (r, row) in self.rows.iter().enumerate() {
            let v = self.row_scale[r] * (self.c_user[row.user] - self.rhs[r]);
            c[r] = match row.slack {
                Some(s) => v - w[s],
                None => v,
            };
        }
        Ok(())
    }

    /// Scaled Jacobian values in our pattern's order.
    pub fn jacobian(&mut self, w: &[f64], vals: &mut [f64]) -> Result<(), EvalError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        self.set_x(w);
        self.evals.jacobian += 1;
        self.problem
            .jacobian_values(&self.x_full, &mut self.jac_user)?;
        EvalError::check_finite("jacobian", &self.jac_user)?;
        let kept = self.jac_pattern.nnz() - (self.nw() - self.n);
        vals[..kept].fill(0.0);
        let jp_rows = self.jac_pattern.rows();
        for (k, map) in self.jac_map.iter().enumerate() {
            if let Some(p) = *map {
                vals[p] += self.row_scale[jp_rows[p]] * self.jac_user[k];
            }
        }
        vals[kept..].fill(-1.0);
        Ok(())
    }

    /// Scaled Hessian of sigma f + y^T c(w) (lower triangle, our pattern).
    pub fn hessian(
        &mut self,
        w: &[f64],
        sigma: f64,
        y: &[f64],
        vals: &mut [f64],
    ) -> Result<(), EvalError> {
        self.set_x(w);
        self.evals.hessian += 1;
        self.y_user.fill(0.0);
        for (r, row) in self.rows.iter().enumerate() {
            self.y_user[row.user] = y[r] * self.row_scale[r];
        }
        let sig = if self.problem.info().has_objective {
            sigma * self.obj_scale
        } else {
            0.0
        };
        self.problem
            .hessian_values(&self.x_full, sig, &self.y_user, &mut self.hess_user)?;
        EvalError::check_finite("hessian", &self.hess_user)?;
        vals.fill(0.0);
        for (k, map) in self.hess_map.iter().enumerate() {
            if let Some(p) = *map {
                vals[p] += self.hess_user[k];
            }
        }
        Ok(())
    }

    /// The inverse of [`Self::user_multipliers`]: scaled multipliers of the rows from the
    /// user's (a warm start).
    pub fn scaled_multipliers(&self, user: &[f64], y: &mut [f64]) {
        for (r, row) in self.rows.iter().enumerate() {
            y[r] = user[row.user] * self.obj_scale / self.row_scale[r];
        }
    }

    /// The slack variable (index into w) of each row, `None` for equality rows.
    pub fn row_slacks(&self) -> impl Iterator<Item = Option<usize>> + '_ {
        self.rows.iter().map(|row| row.slack)
    }

    /// User-unit constraint multipliers (sign: L = f + y^T (c - cl) in the user's units)
    /// from scaled multipliers `y` (length m); rows dropped get 0.
    pub fn user_multipliers(&self, y: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for (r, row) in self.rows.iter().enumerate() {
            out[row.user] = y[r] * self.row_scale[r] / self.obj_scale;
        }
    }

    /// Evaluates the user's constraints at x_full (unscaled) and returns them.
    pub fn eval_user_constraints(&mut self) -> Result<&[f64], EvalError> {
        if !self.c_user.is_empty() {
            self.problem.constraints(&self.x_full, &mut self.c_user)?;
            self.evals.constraints += 1;
        }
        Ok(&self.c_user)
    }
}
