//! Convex ReLU training (`opal_relu`) for the scikit-learn style estimators
//! of `opal.relu`: `_relu_fit` solves the convex program, `_relu_decision` evaluates the
//! recovered two-layer network. Names of variants and solvers go through the crate's own
//! parsers, so solvers added there are available here by name.

use faer::Mat;
use opal_core::{Budget, Control};
use opal_relu::{Dataset, IterInfo, Model, ReluError, Settings, SolverKind, Variant};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::{Dense, float_array, shape_str, to_faer};
use crate::errors::SolverError;
use crate::interrupt::Interrupt;
use crate::options::{self, get};

const OPTIONS: &[&str] = &[
    "rho",
    "adaptive_rho",
    "cone_scale",
    "anderson",
    "init_step",
    "backtrack",
    "cg_tol",
    "log_every",
];

fn relu_error(e: ReluError) -> PyErr {
    match e {
        ReluError::LinAlg(_) => SolverError::new_err(e.to_string()),
        ReluError::Memory(_) => pyo3::exceptions::PyMemoryError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn matrix(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<(Mat<f64>, Dense)> {
    let a = float_array(obj, name, 2, "(n_samples, n_features)")?;
    Ok((to_faer(&a.data, a.shape[0], a.shape[1]), a))
}

/// d x P weights from a (P, d) array.
fn weights(obj: &Bound<'_, PyAny>, name: &str, d: usize) -> PyResult<Mat<f64>> {
    let a = float_array(obj, name, 2, "(n_patterns, n_features)")?;
    if a.shape[1] != d {
        return Err(PyValueError::new_err(format!(
            "{name} has shape {}, expected {d} columns",
            shape_str(&a.shape)
        )));
    }
    Ok(to_faer(&a.data, a.shape[0], a.shape[1])
        .transpose()
        .to_owned())
}

/// A d x P faer matrix as a (P, d) NumPy array (one row per gate, as scikit-learn's
/// `coef_` holds one row per output).
fn rows_per_gate<'py>(py: Python<'py>, m: &Mat<f64>) -> PyResult<Bound<'py, PyAny>> {
    use numpy::PyArrayMethods;
    let (d, p) = (m.nrows(), m.ncols());
    let mut v = Vec::with_capacity(d * p);
    for i in 0..p {
        v.extend_from_slice(m.col_as_slice(i));
    }
    Ok(numpy::PyArray1::from_vec(py, v).reshape([p, d])?.into_any())
}

/// Fits the convex program; returns a dict of the fitted arrays and diagnostics.
#[pyfunction]
#[pyo3(signature = (x, y, *, lam, n_patterns, variant, solver, seed, tol, max_iter, fit_intercept, time_limit = None, verbose = false, gates = None, **options))]
pub fn _relu_fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    lam: f64,
    n_patterns: usize,
    variant: &str,
    solver: &str,
    seed: u64,
    tol: f64,
    max_iter: usize,
    fit_intercept: bool,
    time_limit: Option<f64>,
    verbose: bool,
    gates: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (xm, xa) = matrix(x, "X")?;
    let yv = float_array(y, "y", 1, "(n_samples,)")?.data;
    if yv.len() != xa.shape[0] {
        return Err(PyValueError::new_err(format!(
            "X has {} samples but y has {}",
            xa.shape[0],
            yv.len()
        )));
    }
    let mut budget = Budget::iterations(max_iter);
    if let Some(t) = time_limit {
        budget = budget
            .with_time_limit_secs(t)
            .map_err(|e| PyValueError::new_err(format!("time_limit: {e}")))?;
    }
    let mut s = Settings::default()
        .lam(lam)
        .n_patterns(n_patterns)
        .variant(Variant::parse(variant).map_err(relu_error)?)
        .solver(SolverKind::parse(solver).map_err(relu_error)?)
        .seed(seed)
        .tol(tol)
        .budget(budget)
        .fit_intercept(fit_intercept)
        .verbose(verbose);
    options::apply(options, OPTIONS, |name, v| {
        match name {
            "rho" => s.rho = get(name, v)?,
            "adaptive_rho" => s.adaptive_rho = get(name, v)?,
            "cone_scale" => s.cone_scale = get(name, v)?,
            "anderson" => s.anderson = get(name, v)?,
            "init_step" => s.init_step = get(name, v)?,
            "backtrack" => s.backtrack = get(name, v)?,
            "cg_tol" => s.cg_tol = get(name, v)?,
            "log_every" => s.log_every = get(name, v)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    let dd = xa.shape[1] + usize::from(fit_intercept);
    let g = gates.map(|g| weights(g, "gates", dd)).transpose()?;
    let data = Dataset::new(xm, yv).map_err(relu_error)?;
    let (result, interrupt) = py.detach(|| {
        let mut interrupt = Interrupt::new();
        let mut observer = |_: &IterInfo| Control::stop_if(interrupt.poll());
        let r = match &g {
            Some(g) => opal_relu::fit_with_gates(&data, &s, g.as_ref(), &mut observer),
            None => opal_relu::fit_observed(&data, &s, &mut observer),
        };
        (r, interrupt)
    });
    let fit = interrupt.finish(result)?.map_err(relu_error)?;
    let out = PyDict::new(py);
    let model = &fit.model;
    out.set_item("variant", model.variant.name())?;
    out.set_item("gates", rows_per_gate(py, &model.gates)?)?;
    out.set_item("u", rows_per_gate(py, &model.u)?)?;
    out.set_item("v", rows_per_gate(py, &model.v)?)?;
    out.set_item("w", rows_per_gate(py, &model.w)?)?;
    out.set_item("status", fit.status.as_str())?;
    out.set_item("message", &fit.message)?;
    out.set_item("solver", fit.solver.name())?;
    out.set_item("n_iter", fit.iterations)?;
    out.set_item("objective", fit.objective)?;
    out.set_item("cone_violation", fit.cone_violation)?;
    out.set_item("primal_residual", fit.primal_residual)?;
    out.set_item("dual_residual", fit.dual_residual)?;
    out.set_item("time", fit.time)?;
    out.set_item("gates_sampled", fit.gates_sampled)?;
    out.set_item("dropped_duplicate", fit.dropped_duplicate)?;
    out.set_item("dropped_zero", fit.dropped_zero)?;
    Ok(out)
}

/// Outputs of the two-layer network recovered from fitted weights ((P, d) arrays as
/// returned by `_relu_fit`) on X (n, n_features).
#[pyfunction]
#[pyo3(signature = (x, *, variant, fit_intercept, gates, u, v, w))]
pub fn _relu_decision<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    variant: &str,
    fit_intercept: bool,
    gates: &Bound<'py, PyAny>,
    u: &Bound<'py, PyAny>,
    v: &Bound<'py, PyAny>,
    w: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (xm, xa) = matrix(x, "X")?;
    let gd = float_array(gates, "gates", 2, "(n_patterns, n_features)")?;
    let d = gd.shape[1];
    if d != xa.shape[1] + usize::from(fit_intercept) {
        return Err(PyValueError::new_err(format!(
            "X has {} features, the model was fitted on {}",
            xa.shape[1],
            d - usize::from(fit_intercept)
        )));
    }
    let model = Model {
        variant: Variant::parse(variant).map_err(relu_error)?,
        fit_intercept,
        gates: to_faer(&gd.data, gd.shape[0], d).transpose().to_owned(),
        u: weights(u, "u", d)?,
        v: weights(v, "v", d)?,
        w: weights(w, "w", d)?,
    };
    let out = py
        .detach(|| model.decision_function(xm.as_ref()))
        .map_err(relu_error)?;
    Ok(numpy::PyArray1::from_vec(py, out).into_any())
}
