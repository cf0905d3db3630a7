//! Destroy operators: each builds a [`Plan`] (bound changes, an added row and column, a new
//! objective) around the current solution; [`apply`] puts it on the HiGHS working copy and
//! [`restore`] undoes everything, leaving the model exactly as read.
//!
//! A plan is a workspace: [`Plan::build`] refills it in place, so that the search loop
//! reuses one plan and its buffers (the only allocation left is the index sample of
//! `rand::seq::index::sample`, kept because another sampler would change the search's
//! random stream).

use rand::RngExt;
use rand::rngs::StdRng;
use rand::seq::index::sample;

use super::problem::{INT_TOL, Problem};
use super::settings::{Config, OperatorSpec};
use crate::highs::{Highs, HighsError};

/// Which sub-MIP time limit of the configuration applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LimitKind {
    /// `sub_mip_time_limit`.
    #[default]
    SubMip,
    /// `local_branching_time_limit`.
    LocalBranching,
    /// `crossover_time_limit` (crossover's random-point search).
    Crossover,
}

/// New bounds of some columns (parallel vectors).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bounds {
    /// The columns.
    pub cols: Vec<usize>,
    /// Their new lower bounds.
    pub lower: Vec<f64>,
    /// Their new upper bounds.
    pub upper: Vec<f64>,
}

impl Bounds {
    fn clear(&mut self) {
        self.cols.clear();
        self.lower.clear();
        self.upper.clear();
    }

    fn push(&mut self, j: usize, lower: f64, upper: f64) {
        self.cols.push(j);
        self.lower.push(lower);
        self.upper.push(upper);
    }
}

/// Buffers of the plan builders.
#[derive(Debug, Clone, Default)]
struct Scratch {
    /// Marks of the freed columns (length n).
    free: Vec<bool>,
    /// The pool an operator draws from.
    pool: Vec<usize>,
    /// The columns it drew.
    chosen: Vec<usize>,
}

/// A neighbourhood: the changes to the model and how to solve it.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// New column bounds.
    pub bounds: Bounds,
    /// An added continuous column (cost, lower, upper) whose index is n, used by the row.
    pub extra_col: Option<(f64, f64, f64)>,
    /// An added row's (lower, upper), over `row_cols` with `row_vals`.
    pub row: Option<(f64, f64)>,
    /// Columns of the added row.
    pub row_cols: Vec<usize>,
    /// Coefficients of the added row.
    pub row_vals: Vec<f64>,
    /// A replacement objective (length n, or n + 1 with the extra column's cost last);
    /// empty: the objective is unchanged.
    pub costs: Vec<f64>,
    /// Starting point for HiGHS (length n, or n + 1 with an extra column); empty: none.
    pub start: Vec<f64>,
    /// Stop at the first improving solution.
    pub solution_limit: Option<usize>,
    /// Time-limit class.
    pub limit: LimitKind,
    /// Size of the neighbourhood as (chosen, out of), see
    /// [`Step::size`](super::record::Step::size).
    pub size: Option<(usize, usize)>,
    scratch: Scratch,
}

impl Plan {
    /// An empty plan (no change to the model).
    pub fn new() -> Self {
        Self::default()
    }

    /// Columns whose bounds this plan changes.
    pub fn changed_cols(&self) -> &[usize] {
        &self.bounds.cols
    }

    /// Empties the plan, keeping its buffers.
    fn reset(&mut self, limit: LimitKind) {
        self.bounds.clear();
        self.extra_col = None;
        self.row = None;
        self.row_cols.clear();
        self.row_vals.clear();
        self.costs.clear();
        self.start.clear();
        self.solution_limit = None;
        self.limit = limit;
        self.size = None;
    }

    /// Marks `scratch.chosen` (and nothing else) as free among n columns.
    fn mark_chosen(&mut self, n: usize) {
        let Scratch { free, chosen, .. } = &mut self.scratch;
        free.clear();
        free.resize(n, false);
        for &j in chosen.iter() {
            free[j] = true;
        }
    }

    /// Fixes every discrete column not marked free at x (and continuous ones when asked).
    fn fix_rest(&mut self, p: &Problem, x: &[f64], cfg: &Config) {
        let free = &self.scratch.free;
        for &j in &p.discrete {
            if !free[j] {
                let v = p.fix_value(j, x);
                self.bounds.push(j, v, v);
            }
        }
        if cfg.fix_continuous {
            for &j in &p.continuous {
                let v = x[j].clamp(p.model.col_lower[j], p.model.col_upper[j]);
                self.bounds.push(j, v, v);
            }
        }
    }

    /// Starts HiGHS at x.
    fn start_at(&mut self, x: &[f64]) {
        self.start.clear();
        self.start.extend_from_slice(x);
    }

    /// Frees `floor(rate |pool|)` columns drawn from `scratch.pool`, fixes the rest at x.
    fn free_drawn(&mut self, p: &Problem, x: &[f64], rate: f64, cfg: &Config, rng: &mut StdRng) {
        let len = self.scratch.pool.len();
        let k = (rate * len as f64).floor() as usize;
        pick(&self.scratch.pool, k, rng, &mut self.scratch.chosen);
        self.mark_chosen(p.n());
        self.fix_rest(p, x, cfg);
        self.start_at(x);
        self.size = Some((k, len));
    }

    /// Rebuilds the plan of `op` around the current solution `x`. Crossover's second phase
    /// is [`build_crossover`](Self::build_crossover); here crossover yields its
    /// random-point search.
    pub fn build(
        &mut self,
        op: &OperatorSpec,
        p: &Problem,
        x: &[f64],
        cfg: &Config,
        rng: &mut StdRng,
    ) {
        let n = p.n();
        match *op {
            OperatorSpec::Mutation { rate } => {
                self.reset(LimitKind::SubMip);
                self.scratch.pool.clear();
                self.scratch.pool.extend_from_slice(&p.discrete);
                self.free_drawn(p, x, rate, cfg, rng);
            }
            OperatorSpec::Rins { rate } => {
                self.reset(LimitKind::SubMip);
                let pool = &mut self.scratch.pool;
                pool.clear();
                pool.extend(
                    p.discrete
                        .iter()
                        .copied()
                        .filter(|&j| (p.x_lp[j] - x[j]).abs() > INT_TOL),
                );
                self.free_drawn(p, x, rate, cfg, rng);
            }
            OperatorSpec::Rens { rate } => self.build_rens(rate, p, x, cfg, rng),
            OperatorSpec::Dins => self.build_dins(p, x, cfg),
            OperatorSpec::LocalBranching { rate } => self.build_local_branching(rate, p, x, rng),
            OperatorSpec::Proximity { rate } => self.build_proximity(rate, p, x, cfg),
            OperatorSpec::Crossover | OperatorSpec::RandomObjective => {
                self.reset(if matches!(op, OperatorSpec::Crossover) {
                    LimitKind::Crossover
                } else {
                    LimitKind::SubMip
                });
                random_costs_into(p, rng, &mut self.costs);
                self.solution_limit = Some(1);
            }
        }
        debug_assert!(self.costs.is_empty() || self.costs.len() >= n);
    }

    fn build_rens(&mut self, rate: f64, p: &Problem, x: &[f64], cfg: &Config, rng: &mut StdRng) {
        self.reset(LimitKind::SubMip);
        let k = (rate * p.fractional.len() as f64).floor() as usize;
        pick(&p.fractional, k, rng, &mut self.scratch.chosen);
        self.mark_chosen(p.n());
        for &j in &self.scratch.chosen {
            let lo = p.x_lp[j].floor().max(p.model.col_lower[j]);
            let up = p.x_lp[j].ceil().min(p.model.col_upper[j]);
            self.bounds.push(j, lo, up);
        }
        self.fix_rest(p, x, cfg);
        self.start_at(x);
        self.size = Some((k, p.fractional.len()));
    }

    fn build_dins(&mut self, p: &Problem, x: &[f64], cfg: &Config) {
        self.reset(LimitKind::SubMip);
        let free = &mut self.scratch.free;
        free.clear();
        free.resize(p.n(), false);
        let mut count = 0;
        for &j in &p.general {
            if (p.x_lp[j] - x[j]).abs() >= 0.5 {
                let d = (x[j] - p.x_lp[j]).abs();
                let lo = (p.x_lp[j] - d - INT_TOL).ceil().max(p.model.col_lower[j]);
                let up = (p.x_lp[j] + d + INT_TOL).floor().min(p.model.col_upper[j]);
                self.bounds.push(j, lo, up);
                free[j] = true;
                count += 1;
            }
        }
        self.fix_rest(p, x, cfg);
        self.start_at(x);
        self.size = Some((count, p.general.len()));
    }

    fn build_local_branching(&mut self, rate: f64, p: &Problem, x: &[f64], rng: &mut StdRng) {
        self.reset(LimitKind::LocalBranching);
        let b = p.binaries.len();
        let lo = ((0.05 * b as f64).floor() as usize).max(1);
        let hi = ((rate * b as f64).floor() as usize).max(lo);
        let k = rng.random_range(lo..=hi);
        let mut ones = 0.0;
        for &j in &p.binaries {
            if p.fix_value(j, x) > 0.5 {
                self.row_vals.push(-1.0);
                ones += 1.0;
            } else {
                self.row_vals.push(1.0);
            }
        }
        self.row_cols.extend_from_slice(&p.binaries);
        self.row = Some((f64::NEG_INFINITY, k as f64 - ones));
        self.start_at(x);
        self.size = Some((k, b));
    }

    fn build_proximity(&mut self, rate: f64, p: &Problem, x: &[f64], cfg: &Config) {
        self.reset(LimitKind::SubMip);
        let n = p.n();
        let f = p.objective(x);
        let rhs = f - p.model.offset - rate * f.abs();
        self.costs.resize(n + 1, 0.0);
        for &j in &p.binaries {
            self.costs[j] = if p.fix_value(j, x) > 0.5 { -1.0 } else { 1.0 };
        }
        self.costs[n] = cfg.proximity_penalty;
        for j in 0..n {
            if p.model.cost[j] != 0.0 {
                self.row_cols.push(j);
                self.row_vals.push(p.model.cost[j]);
            }
        }
        self.row_cols.push(n);
        self.row_vals.push(-1.0);
        self.start_at(x);
        self.start.push((f - p.model.offset - rhs).max(0.0));
        self.extra_col = Some((cfg.proximity_penalty, 0.0, f64::INFINITY));
        self.row = Some((f64::NEG_INFINITY, rhs));
    }

    /// Rebuilds the plan as crossover's repair: free the discrete columns where the random
    /// point `xr` differs from `x`, fix the rest at `x`.
    pub fn build_crossover(&mut self, p: &Problem, x: &[f64], xr: &[f64], cfg: &Config) {
        self.reset(LimitKind::SubMip);
        let chosen = &mut self.scratch.chosen;
        chosen.clear();
        chosen.extend(
            p.discrete
                .iter()
                .copied()
                .filter(|&j| (p.fix_value(j, xr) - p.fix_value(j, x)).abs() > 0.5),
        );
        let differ = chosen.len();
        self.mark_chosen(p.n());
        self.fix_rest(p, x, cfg);
        self.start_at(x);
        self.size = Some((differ, p.discrete.len()));
    }
}

/// `k` distinct members of `pool` drawn without replacement, into `out`.
fn pick(pool: &[usize], k: usize, rng: &mut StdRng, out: &mut Vec<usize>) {
    let k = k.min(pool.len());
    out.clear();
    out.extend(sample(rng, pool.len(), k).into_iter().map(|i| pool[i]));
}

/// Random costs in [-1, 1] on bounded discrete columns, 0 elsewhere (random objective and
/// crossover's random-point search).
pub fn random_costs(p: &Problem, rng: &mut StdRng) -> Vec<f64> {
    let mut c = Vec::new();
    random_costs_into(p, rng, &mut c);
    c
}

/// [`random_costs`] into `c` (resized to n).
fn random_costs_into(p: &Problem, rng: &mut StdRng, c: &mut Vec<f64>) {
    c.clear();
    c.resize(p.n(), 0.0);
    for &j in &p.discrete {
        if p.model.col_lower[j].is_finite() && p.model.col_upper[j].is_finite() {
            c[j] = rng.random_range(-1.0..=1.0);
        }
    }
}

/// The plan of `op` around the current solution `x`, in a new [`Plan`] (the search reuses
/// one with [`Plan::build`]).
pub fn build(op: &OperatorSpec, p: &Problem, x: &[f64], cfg: &Config, rng: &mut StdRng) -> Plan {
    let mut plan = Plan::new();
    plan.build(op, p, x, cfg, rng);
    plan
}

/// Crossover's repair plan in a new [`Plan`] (see [`Plan::build_crossover`]).
pub fn crossover_plan(p: &Problem, x: &[f64], xr: &[f64], cfg: &Config) -> Plan {
    let mut plan = Plan::new();
    plan.build_crossover(p, x, xr, cfg);
    plan
}

/// Puts `plan` on the working copy (which must hold `p.model` unchanged).
pub fn apply(h: &mut Highs, p: &Problem, plan: &Plan) -> Result<(), HighsError> {
    let b = &plan.bounds;
    h.change_col_bounds(&b.cols, &b.lower, &b.upper)?;
    if let Some((c, l, u)) = plan.extra_col {
        h.add_col(c, l, u)?;
    }
    if let Some((l, u)) = plan.row {
        h.add_row(l, u, &plan.row_cols, &plan.row_vals)?;
    }
    if !plan.costs.is_empty() {
        h.set_costs(&plan.costs)?;
    }
    h.set_solution_limit(plan.solution_limit)?;
    if !plan.start.is_empty() && plan.start.len() == h.num_cols() {
        h.set_solution(&plan.start)?;
    }
    debug_assert!(h.num_cols() >= p.n());
    Ok(())
}

/// Undoes `plan`: original bounds, rows, columns, costs and no solution limit.
pub fn restore(h: &mut Highs, p: &Problem, plan: &Plan) -> Result<(), HighsError> {
    h.truncate_rows(p.model.num_rows())?;
    h.truncate_cols(p.n())?;
    h.reset_col_bounds(plan.changed_cols(), &p.model.col_lower, &p.model.col_upper)?;
    if !plan.costs.is_empty() {
        h.set_costs(&p.model.cost)?;
    }
    h.set_solution_limit(None)?;
    Ok(())
}
