//! The model as the search sees it: minimization form, variable classes, LP point; the
//! checks of a model before a run, and the gap tests between an incumbent and a bound.

use opal_problems::linear::{LinearModel, Sense};

use super::output::BalansError;
use super::settings::{OperatorSpec, Settings};

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

/// Integrality tolerance of the variable classes and neighbourhoods.
pub const INT_TOL: f64 = 1e-6;

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
    pub fn polish(&self, mut x: Vec<f64>) -> Vec<f64> {
        self.polish_in_place(&mut x, &mut Vec::new(), &mut Vec::new());
        x
    }

    /// [`polish`](Self::polish) in place, with `saved` (a copy of `x`) and `act` (row
    /// activities) as reusable buffers.
    pub fn polish_in_place(&self, x: &mut [f64], saved: &mut Vec<f64>, act: &mut Vec<f64>) {
        saved.clear();
        saved.extend_from_slice(x);
        for &j in &self.discrete {
            x[j] = x[j].round();
        }
        if self.model.max_violation_with(x, act) > 1e-6 {
            x.copy_from_slice(saved);
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

/// Minimization form: costs and offset negated for a maximization model; returns the
/// sign that maps its objective values back to the model's sense.
pub fn min_form(model: &LinearModel) -> (LinearModel, f64) {
    let mut m = model.clone();
    let sign = if model.sense == Sense::Maximize {
        -1.0
    } else {
        1.0
    };
    if sign < 0.0 {
        m.cost.iter_mut().for_each(|c| *c = -*c);
        m.offset = -m.offset;
        m.sense = Sense::Minimize;
    }
    (m, sign)
}

/// "NAME: n columns, m rows", the problem line of the log.
pub fn describe(model: &LinearModel) -> String {
    format!(
        "{}: {} columns, {} rows",
        model.name,
        model.num_cols(),
        model.num_rows()
    )
}

/// Refuses a model or settings a run cannot use: settings out of range, vectors of
/// inconsistent lengths, NaN in the data, a warm start of the wrong length.
pub fn check(model: &LinearModel, settings: &Settings) -> Result<(), BalansError> {
    settings.validate()?;
    let n = model.num_cols();
    let m = model.num_rows();
    if [
        model.col_lower.len(),
        model.col_upper.len(),
        model.integer.len(),
        model.col_names.len(),
    ]
    .iter()
    .any(|&l| l != n)
        || model.row_lower.len() != m
        || model.row_upper.len() != m
    {
        return Err(BalansError::Invalid(
            "model vectors of inconsistent lengths".into(),
        ));
    }
    let nan = model
        .cost
        .iter()
        .chain(&model.col_lower)
        .chain(&model.col_upper)
        .chain(&model.row_lower)
        .chain(&model.row_upper)
        .any(|v| v.is_nan())
        || model.offset.is_nan()
        || model.entries.iter().any(|e| e.2.is_nan());
    if nan {
        return Err(BalansError::Invalid(format!(
            "model '{}' holds NaN",
            model.name
        )));
    }
    if let Some(x) = &settings.initial_solution
        && x.len() != n
    {
        return Err(BalansError::Invalid(format!(
            "initial solution has {} values for {n} columns",
            x.len()
        )));
    }
    Ok(())
}

/// Whether every objective term is an integer multiple on an integer column (so that the
/// bound can be rounded up).
pub fn integral_objective(p: &Problem) -> bool {
    p.model.offset.fract() == 0.0
        && (0..p.n()).all(|j| {
            let c = p.model.cost[j];
            c == 0.0 || (p.model.integer[j] && c.fract() == 0.0)
        })
}

/// Relative gap between an incumbent and a bound (minimization).
pub fn rel_gap(f: f64, bound: f64) -> f64 {
    if f == bound {
        0.0
    } else {
        ((f - bound) / f.abs().max(1e-9)).max(0.0)
    }
}

/// Whether `f` is within the settings' gap tolerances of `bound` (minimization).
pub fn proven(f: f64, bound: f64, s: &Settings) -> bool {
    f - bound <= s.abs_gap_tolerance || rel_gap(f, bound) <= s.gap_tolerance
}
