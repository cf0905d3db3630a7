//! Destroy operators: each builds a [`Plan`] (bound changes, an added row and column, a new
//! objective) around the current solution; [`apply`] puts it on the HiGHS working copy and
//! [`restore`] undoes everything, leaving the model exactly as read.

use rand::RngExt;
use rand::rngs::StdRng;
use rand::seq::index::sample;

use super::settings::{Config, OperatorSpec};
use crate::highs::{Highs, HighsError};
use opal_problems::linear::LinearModel;

/// The minimization model with its variable classes and LP point (read-only during search).
#[derive(Debug, Clone)]
pub struct Problem {
    /// The model in minimization form (maximization negated).
    pub model: LinearModel,
    /// Discrete columns (integer or binary), ascending.
    pub discrete: Vec<usize>,
    /// Binary columns (integer with bounds within [0, 1]).
    pub binaries: Vec<usize>,
    /// General integer columns (discrete, not binary).
    pub general: Vec<usize>,
    /// Continuous columns.
    pub continuous: Vec<usize>,
    /// LP relaxation point (empty when the LP was not solved).
    pub x_lp: Vec<f64>,
    /// Discrete columns fractional at the LP point.
    pub fractional: Vec<usize>,
}

const INT_TOL: f64 = 1e-6;

impl Problem {
    /// Classifies the columns of a minimization model; `x_lp` may be empty.
    pub fn new(model: LinearModel, x_lp: Vec<f64>) -> Self {
        let n = model.num_cols();
        let mut discrete = Vec::new();
        let mut binaries = Vec::new();
        let mut general = Vec::new();
        let mut continuous = Vec::new();
        for j in 0..n {
            if model.integer[j] {
                discrete.push(j);
                if model.col_lower[j] >= -INT_TOL && model.col_upper[j] <= 1.0 + INT_TOL {
                    binaries.push(j);
                } else {
                    general.push(j);
                }
            } else {
                continuous.push(j);
            }
        }
        let fractional = if x_lp.len() == n {
            discrete
                .iter()
                .copied()
                .filter(|&j| (x_lp[j] - x_lp[j].round()).abs() > INT_TOL)
                .collect()
        } else {
            Vec::new()
        };
        Self {
            model,
            discrete,
            binaries,
            general,
            continuous,
            x_lp,
            fractional,
        }
    }

    /// Number of columns of the original model.
    pub fn n(&self) -> usize {
        self.model.num_cols()
    }

    /// The value of discrete column `j` rounded and clamped to its bounds.
    pub fn fix_value(&self, j: usize, x: &[f64]) -> f64 {
        x[j].round()
            .clamp(self.model.col_lower[j], self.model.col_upper[j])
    }

    /// `x` with its discrete entries rounded to integers when that keeps every row and
    /// bound within 1e-6 (HiGHS returns integers up to its 1e-6 integrality tolerance).
    pub fn polish(&self, x: Vec<f64>) -> Vec<f64> {
        let mut r = x.clone();
        for &j in &self.discrete {
            r[j] = r[j].round();
        }
        if self.model.max_violation(&r) <= 1e-6 {
            r
        } else {
            x
        }
    }

    /// Objective (minimization form, offset included).
    pub fn objective(&self, x: &[f64]) -> f64 {
        self.model.objective(x)
    }

    /// Why `op` cannot apply to this model, if it cannot.
    pub fn inapplicable(&self, op: &OperatorSpec) -> Option<&'static str> {
        match op {
            _ if self.discrete.is_empty() => Some("no discrete variables"),
            OperatorSpec::LocalBranching { .. } | OperatorSpec::Proximity { .. }
                if self.binaries.is_empty() =>
            {
                Some("no binary variables")
            }
            OperatorSpec::Dins if self.general.is_empty() => Some("no general integers"),
            OperatorSpec::Rins { .. } | OperatorSpec::Dins if self.x_lp.is_empty() => {
                Some("no LP point")
            }
            OperatorSpec::Rens { .. } if self.fractional.is_empty() => {
                Some("the LP point is integral (no fractional variables)")
            }
            _ => None,
        }
    }
}

/// Which sub-MIP time limit of the configuration applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// `sub_mip_time_limit`.
    SubMip,
    /// `local_branching_time_limit`.
    LocalBranching,
    /// `crossover_time_limit` (crossover's random-point search).
    Crossover,
}

/// A neighbourhood: the changes to the model and how to solve it.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// New (column, lower, upper) bounds.
    pub bounds: Vec<(usize, f64, f64)>,
    /// An added continuous column (cost, lower, upper) whose index is n, used by `row`.
    pub extra_col: Option<(f64, f64, f64)>,
    /// An added row (lower, upper, columns, values).
    pub row: Option<(f64, f64, Vec<usize>, Vec<f64>)>,
    /// A replacement objective (length n, or n + 1 with the extra column's cost last).
    pub costs: Option<Vec<f64>>,
    /// Starting point for HiGHS (length n, or n + 1 with an extra column).
    pub start: Option<Vec<f64>>,
    /// Stop at the first improving solution.
    pub solution_limit: Option<usize>,
    /// Time-limit class.
    pub limit: LimitKind,
    /// Size of the neighbourhood in words, for logs.
    pub note: String,
}

impl Plan {
    fn new(limit: LimitKind) -> Self {
        Self {
            bounds: Vec::new(),
            extra_col: None,
            row: None,
            costs: None,
            start: None,
            solution_limit: None,
            limit,
            note: String::new(),
        }
    }

    /// Columns whose bounds this plan changes.
    pub fn changed_cols(&self) -> impl Iterator<Item = usize> + '_ {
        self.bounds.iter().map(|b| b.0)
    }
}

/// Fixes every discrete column not in `free` at x (and continuous ones when asked).
fn fix_rest(p: &Problem, x: &[f64], free: &[bool], cfg: &Config, plan: &mut Plan) {
    for &j in &p.discrete {
        if !free[j] {
            let v = p.fix_value(j, x);
            plan.bounds.push((j, v, v));
        }
    }
    if cfg.fix_continuous {
        for &j in &p.continuous {
            let v = x[j].clamp(p.model.col_lower[j], p.model.col_upper[j]);
            plan.bounds.push((j, v, v));
        }
    }
}

/// `k` distinct members of `pool` drawn without replacement.
fn pick(pool: &[usize], k: usize, rng: &mut StdRng) -> Vec<usize> {
    let k = k.min(pool.len());
    sample(rng, pool.len(), k)
        .into_iter()
        .map(|i| pool[i])
        .collect()
}

fn mark(n: usize, cols: &[usize]) -> Vec<bool> {
    let mut m = vec![false; n];
    for &j in cols {
        m[j] = true;
    }
    m
}

/// Random costs in [-1, 1] on bounded discrete columns, 0 elsewhere (random objective and
/// crossover's random-point search).
pub fn random_costs(p: &Problem, rng: &mut StdRng) -> Vec<f64> {
    let mut c = vec![0.0; p.n()];
    for &j in &p.discrete {
        if p.model.col_lower[j].is_finite() && p.model.col_upper[j].is_finite() {
            c[j] = rng.random_range(-1.0..=1.0);
        }
    }
    c
}

/// The plan of `op` around the current solution `x`. Crossover's second phase is
/// [`crossover_plan`]; here crossover yields its random-point search.
pub fn build(op: &OperatorSpec, p: &Problem, x: &[f64], cfg: &Config, rng: &mut StdRng) -> Plan {
    let n = p.n();
    match *op {
        OperatorSpec::Mutation { rate } => {
            let k = (rate * p.discrete.len() as f64).floor() as usize;
            let free = mark(n, &pick(&p.discrete, k, rng));
            let mut plan = Plan::new(LimitKind::SubMip);
            fix_rest(p, x, &free, cfg, &mut plan);
            plan.start = Some(x.to_vec());
            plan.note = format!("{k} of {} discrete free", p.discrete.len());
            plan
        }
        OperatorSpec::Rins { rate } => {
            let differ: Vec<usize> = p
                .discrete
                .iter()
                .copied()
                .filter(|&j| (p.x_lp[j] - x[j]).abs() > INT_TOL)
                .collect();
            let k = (rate * differ.len() as f64).floor() as usize;
            let free = mark(n, &pick(&differ, k, rng));
            let mut plan = Plan::new(LimitKind::SubMip);
            fix_rest(p, x, &free, cfg, &mut plan);
            plan.start = Some(x.to_vec());
            plan.note = format!("{k} of {} differing free", differ.len());
            plan
        }
        OperatorSpec::Rens { rate } => {
            let k = (rate * p.fractional.len() as f64).floor() as usize;
            let chosen = pick(&p.fractional, k, rng);
            let free = mark(n, &chosen);
            let mut plan = Plan::new(LimitKind::SubMip);
            for &j in &chosen {
                let lo = p.x_lp[j].floor().max(p.model.col_lower[j]);
                let up = p.x_lp[j].ceil().min(p.model.col_upper[j]);
                plan.bounds.push((j, lo, up));
            }
            fix_rest(p, x, &free, cfg, &mut plan);
            plan.start = Some(x.to_vec());
            plan.note = format!("{k} of {} fractional rounded", p.fractional.len());
            plan
        }
        OperatorSpec::Dins => {
            let mut free = vec![false; n];
            let mut plan = Plan::new(LimitKind::SubMip);
            let mut count = 0;
            for &j in &p.general {
                if (p.x_lp[j] - x[j]).abs() >= 0.5 {
                    let d = (x[j] - p.x_lp[j]).abs();
                    let lo = (p.x_lp[j] - d - INT_TOL).ceil().max(p.model.col_lower[j]);
                    let up = (p.x_lp[j] + d + INT_TOL).floor().min(p.model.col_upper[j]);
                    plan.bounds.push((j, lo, up));
                    free[j] = true;
                    count += 1;
                }
            }
            fix_rest(p, x, &free, cfg, &mut plan);
            plan.start = Some(x.to_vec());
            plan.note = format!("{count} of {} general integers bounded", p.general.len());
            plan
        }
        OperatorSpec::LocalBranching { rate } => {
            let b = p.binaries.len();
            let lo = ((0.05 * b as f64).floor() as usize).max(1);
            let hi = ((rate * b as f64).floor() as usize).max(lo);
            let k = rng.random_range(lo..=hi);
            let mut vals = Vec::with_capacity(b);
            let mut ones = 0.0;
            for &j in &p.binaries {
                if p.fix_value(j, x) > 0.5 {
                    vals.push(-1.0);
                    ones += 1.0;
                } else {
                    vals.push(1.0);
                }
            }
            let mut plan = Plan::new(LimitKind::LocalBranching);
            plan.row = Some((f64::NEG_INFINITY, k as f64 - ones, p.binaries.clone(), vals));
            plan.start = Some(x.to_vec());
            plan.note = format!("distance <= {k} over {b} binaries");
            plan
        }
        OperatorSpec::Proximity { rate } => {
            let f = p.objective(x);
            let rhs = f - p.model.offset - rate * f.abs();
            let mut costs = vec![0.0; n + 1];
            for &j in &p.binaries {
                costs[j] = if p.fix_value(j, x) > 0.5 { -1.0 } else { 1.0 };
            }
            costs[n] = cfg.proximity_penalty;
            let mut cols: Vec<usize> = Vec::new();
            let mut vals: Vec<f64> = Vec::new();
            for j in 0..n {
                if p.model.cost[j] != 0.0 {
                    cols.push(j);
                    vals.push(p.model.cost[j]);
                }
            }
            cols.push(n);
            vals.push(-1.0);
            let mut start = x.to_vec();
            start.push((f - p.model.offset - rhs).max(0.0));
            let mut plan = Plan::new(LimitKind::SubMip);
            plan.extra_col = Some((cfg.proximity_penalty, 0.0, f64::INFINITY));
            plan.row = Some((f64::NEG_INFINITY, rhs, cols, vals));
            plan.costs = Some(costs);
            plan.start = Some(start);
            plan.note = format!("objective <= {rhs:.6} + z");
            plan
        }
        OperatorSpec::Crossover | OperatorSpec::RandomObjective => {
            let mut plan = Plan::new(if matches!(op, OperatorSpec::Crossover) {
                LimitKind::Crossover
            } else {
                LimitKind::SubMip
            });
            plan.costs = Some(random_costs(p, rng));
            plan.solution_limit = Some(1);
            plan.note = "random objective, first solution".into();
            plan
        }
    }
}

/// Crossover's repair: free the discrete columns where the random point `xr` differs from
/// `x`, fix the rest at `x`.
pub fn crossover_plan(p: &Problem, x: &[f64], xr: &[f64], cfg: &Config) -> Plan {
    let differ: Vec<usize> = p
        .discrete
        .iter()
        .copied()
        .filter(|&j| (p.fix_value(j, xr) - p.fix_value(j, x)).abs() > 0.5)
        .collect();
    let free = mark(p.n(), &differ);
    let mut plan = Plan::new(LimitKind::SubMip);
    fix_rest(p, x, &free, cfg, &mut plan);
    plan.start = Some(x.to_vec());
    plan.note = format!("{} of {} differing free", differ.len(), p.discrete.len());
    plan
}

/// Puts `plan` on the working copy (which must hold `p.model` unchanged).
pub fn apply(h: &mut Highs, p: &Problem, plan: &Plan) -> Result<(), HighsError> {
    let cols: Vec<usize> = plan.bounds.iter().map(|b| b.0).collect();
    let lo: Vec<f64> = plan.bounds.iter().map(|b| b.1).collect();
    let up: Vec<f64> = plan.bounds.iter().map(|b| b.2).collect();
    h.change_col_bounds(&cols, &lo, &up)?;
    if let Some((c, l, u)) = plan.extra_col {
        h.add_col(c, l, u)?;
    }
    if let Some((l, u, cols, vals)) = &plan.row {
        h.add_row(*l, *u, cols, vals)?;
    }
    if let Some(c) = &plan.costs {
        let mut c = c.clone();
        c.resize(h.num_cols(), 0.0);
        h.set_costs(&c)?;
    }
    h.set_solution_limit(plan.solution_limit)?;
    if let Some(s) = &plan.start
        && s.len() == h.num_cols()
    {
        h.set_solution(s)?;
    }
    debug_assert!(h.num_cols() >= p.n());
    Ok(())
}

/// Undoes `plan`: original bounds, rows, columns, costs and no solution limit.
pub fn restore(h: &mut Highs, p: &Problem, plan: &Plan) -> Result<(), HighsError> {
    h.truncate_rows(p.model.num_rows())?;
    h.truncate_cols(p.n())?;
    let cols: Vec<usize> = plan.changed_cols().collect();
    let lo: Vec<f64> = cols.iter().map(|&j| p.model.col_lower[j]).collect();
    let up: Vec<f64> = cols.iter().map(|&j| p.model.col_upper[j]).collect();
    h.change_col_bounds(&cols, &lo, &up)?;
    if plan.costs.is_some() {
        h.set_costs(&p.model.cost)?;
    }
    h.set_solution_limit(None)?;
    Ok(())
}
