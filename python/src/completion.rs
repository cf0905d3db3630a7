//! `opal.complete_matrix`: low-rank matrix completion by robust alternating minimization
//! over `opal_completion`.

use opal_completion::{Duplicates, Mode, RegressionSolver, Settings, SweepLog};
use opal_core::{Control, time_limit_from_secs};
use opal_problems::triplets::Triplets;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::arrays::{col_major_to_numpy, float_array, index_array, require_finite};
use crate::interrupt::Interrupt;
use crate::options::{self, choice, get};

const OPTIONS: &[&str] = &[
    "max_iter",
    "tol",
    "stall_tol",
    "patience",
    "seed",
    "mode",
    "lam",
    "weighted_lambda",
    "biases",
    "validation_fraction",
    "recovery_tol",
    "early_stopping",
    "solver",
    "inner_factor",
    "inner_tol_max",
    "inner_tol_min",
    "inner_max_iter",
    "sketch_factor",
    "sketch_nnz",
    "power_iters",
    "oversampling",
    "incoherence",
    "duplicates",
    "time_limit",
    "verbose",
];

pub(crate) fn settings(rank: usize, opts: Option<&Bound<'_, PyDict>>) -> PyResult<Settings> {
    let mut s = Settings::default().rank(rank);
    options::apply(opts, OPTIONS, |name, v| {
        match name {
            "max_iter" => s.budget.max_iterations = get(name, v)?,
            "tol" => s.tol = get(name, v)?,
            "stall_tol" => s.stall_tol = get(name, v)?,
            "patience" => s.patience = get(name, v)?,
            "seed" => s.seed = get(name, v)?,
            "mode" => {
                let choices = [("practical", Mode::Practical), ("theory", Mode::Theory)];
                s.mode = choice(name, v, &choices)?
            }
            "lam" | "lambda" => s.lambda = get(name, v)?,
            "weighted_lambda" => s.weighted_lambda = get(name, v)?,
            "biases" => s.biases = get(name, v)?,
            "validation_fraction" => s.validation_fraction = get(name, v)?,
            "recovery_tol" => s.recovery_tol = get(name, v)?,
            "early_stopping" => s.early_stopping = get(name, v)?,
            "solver" => {
                let choices = [
                    ("auto", RegressionSolver::Auto),
                    ("exact", RegressionSolver::Exact),
                    ("cg", RegressionSolver::Cg),
                    ("sketch", RegressionSolver::Sketch),
                ];
                s.solver = choice(name, v, &choices)?
            }
            "inner_factor" => s.inner_factor = get(name, v)?,
            "inner_tol_max" => s.inner_tol_max = get(name, v)?,
            "inner_tol_min" => s.inner_tol_min = get(name, v)?,
            "inner_max_iter" => s.inner_max_iter = get(name, v)?,
            "sketch_factor" => s.sketch_factor = get(name, v)?,
            "sketch_nnz" => s.sketch_nnz = get(name, v)?,
            "power_iters" => s.power_iters = get(name, v)?,
            "oversampling" => s.oversampling = get(name, v)?,
            "incoherence" => s.incoherence = get(name, v)?,
            "duplicates" => {
                let choices = [
                    ("average", Duplicates::Average),
                    ("error", Duplicates::Error),
                ];
                s.duplicates = choice(name, v, &choices)?
            }
            "time_limit" => {
                if let Some(t) = get::<Option<f64>>(name, v)? {
                    s.budget.time_limit = time_limit_from_secs(t)
                        .map_err(|e| PyValueError::new_err(format!("option {name}: {e}")))?;
                }
            }
            "verbose" => s.verbose = get(name, v)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(s)
}

/// Completes an m x n matrix of rank `rank` from observed entries (rows[k], cols[k]) =
/// values[k]; returns U (m x k'), V (n x k') with U V^T the completion and an info dict.
///
/// k' = rank, or rank + 2 with biases=True (the biases folded into the factors). info:
/// status ("converged" is the only recovery claim), reason, message, recovered, iterations,
/// train_rmse,
/// relative_residual, validation_rmse, history, ... Options (see the type stub): max_iter,
/// tol, stall_tol, patience, seed, mode, lam, weighted_lambda, biases, validation_fraction,
/// recovery_tol, early_stopping, solver, inner_*, sketch_*, power_iters, oversampling,
/// incoherence, duplicates, time_limit, verbose.
#[pyfunction]
#[pyo3(signature = (rows, cols, values, shape, rank, **options))]
pub fn complete_matrix<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyAny>,
    cols: &Bound<'py, PyAny>,
    values: &Bound<'py, PyAny>,
    shape: (usize, usize),
    rank: usize,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let rows = index_array(rows, "rows")?;
    let cols = index_array(cols, "cols")?;
    let values = float_array(values, "values", 1, "(nnz,)")?;
    require_finite(&values, "values")?;
    let values = values.data;
    if rows.len() != values.len() || cols.len() != values.len() {
        return Err(PyValueError::new_err(format!(
            "rows, cols and values must have the same length, got {}, {} and {}",
            rows.len(),
            cols.len(),
            values.len()
        )));
    }
    let (m, n) = shape;
    for (what, idx, lim) in [("rows", &rows, m), ("cols", &cols, n)] {
        if let Some(k) = idx.iter().position(|&i| i >= lim) {
            return Err(PyValueError::new_err(format!(
                "{what}[{k}] = {} is outside the shape ({m}, {n})",
                idx[k]
            )));
        }
    }
    let settings = settings(rank, options)?;
    let data = Triplets {
        nrows: m,
        ncols: n,
        rows,
        cols,
        values,
    };
    let (result, interrupt) = py.detach(|| {
        let mut interrupt = Interrupt::new();
        let r = opal_completion::complete_observed(&data, &settings, &mut |_: &SweepLog| {
            Control::stop_if(interrupt.poll())
        });
        (r, interrupt)
    });
    let out = interrupt
        .finish(result)?
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let (u, v, k) = out.factors();
    let info = PyDict::new(py);
    info.set_item("status", out.status.as_str())?;
    info.set_item("reason", out.reason.map(|r| r.as_str()))?;
    info.set_item("message", &out.message)?;
    info.set_item("recovered", out.recovered())?;
    info.set_item("rank", out.rank)?;
    info.set_item("iterations", out.iterations)?;
    info.set_item("train_rmse", out.train_rmse)?;
    info.set_item("relative_residual", out.relative_residual)?;
    info.set_item("validation_rmse", out.validation_rmse)?;
    info.set_item(
        "validation_relative_residual",
        out.validation_relative_residual,
    )?;
    info.set_item("observed", out.observed)?;
    info.set_item("held_out", out.held_out)?;
    info.set_item("duplicates_merged", out.duplicates_merged)?;
    info.set_item("degrees_of_freedom", out.degrees_of_freedom)?;
    info.set_item("inner_iterations", out.inner_iterations)?;
    info.set_item("mean", out.mean)?;
    info.set_item("row_bias", numpy::PyArray1::from_slice(py, &out.row_bias))?;
    info.set_item("col_bias", numpy::PyArray1::from_slice(py, &out.col_bias))?;
    info.set_item("init_time", out.init_time)?;
    info.set_item("time", out.time)?;
    let history = PyList::empty(py);
    for h in &out.history {
        let d = PyDict::new(py);
        d.set_item("sweep", h.sweep)?;
        d.set_item("train_rmse", h.train_rmse)?;
        d.set_item("relative_residual", h.relative_residual)?;
        d.set_item("objective", h.objective)?;
        d.set_item("validation_rmse", h.validation_rmse)?;
        d.set_item("inner_iterations", h.inner_iterations)?;
        d.set_item("time", h.time)?;
        history.append(d)?;
    }
    info.set_item("history", history)?;
    Ok((
        col_major_to_numpy(py, &u, m, k)?.into_any(),
        col_major_to_numpy(py, &v, n, k)?.into_any(),
        info,
    ))
}
