//! `opal.minimize`: the equality-constrained solvers (adasketch, newton, auglag) on an
//! `opal.Problem`, with the GIL released during the solve and Ctrl-C honoured between
//! iterations.

use numpy::PyArray1;
use opal_core::Control;
use opal_nlp::Method;
use opal_nlp::eqnlp::{IterationInfo, NlpError, Output};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::interrupt::Interrupt;
use crate::problem::PyProblem;

/// Sets a named option; an option the method does not have is a ValueError.
fn set(m: &mut Method, name: &str, value: &str) -> PyResult<()> {
    if m.set(name, value).map_err(PyValueError::new_err)? {
        Ok(())
    } else {
        Err(PyValueError::new_err(format!(
            "'{name}' is not an option of method '{}'",
            m.name()
        )))
    }
}

/// Python's spelling of an option value as the settings parser reads it.
fn option_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = value.extract::<bool>() {
        return Ok(b.to_string());
    }
    Ok(value.str()?.to_string())
}

/// Solves `problem` (equality constraints c(x) = cl, no bounds) and returns an
/// `opal.Result` with SciPy's `OptimizeResult` field names plus opal's counters.
#[pyfunction]
#[pyo3(signature = (problem, method = "adasketch", tol = 1e-6, max_iter = None, time_limit = None, seed = 0, **options))]
pub fn minimize<'py>(
    py: Python<'py>,
    problem: &Bound<'py, PyProblem>,
    method: &str,
    tol: f64,
    max_iter: Option<usize>,
    time_limit: Option<f64>,
    seed: u64,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut m = Method::from_name(method).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown method '{method}' ({})",
            Method::NAMES.join(", ")
        ))
    })?;
    set(&mut m, "tol", &tol.to_string())?;
    if let Some(k) = max_iter {
        set(&mut m, "max_iter", &k.to_string())?;
    }
    if let Some(t) = time_limit {
        set(&mut m, "time_limit", &t.to_string())?;
    }
    if let Method::Adasketch(s) = &mut m {
        s.seed = seed;
    }
    if let Some(opts) = options {
        for (k, v) in opts.iter() {
            let name: String = k.extract()?;
            set(&mut m, &name, &option_text(&v)?)?;
        }
    }
    let wrapped = problem.get();
    let (result, interrupt) = py.detach(|| {
        let mut interrupt = Interrupt::new();
        let r = wrapped.with(|p| {
            m.solve_observed(&**p, &mut |_: &IterationInfo| {
                Control::stop_if(interrupt.poll())
            })
        });
        (r, interrupt)
    });
    let result = interrupt.finish(result)?;
    // Every NlpError is about the input (unsupported problem, bad setting); a run that
    // fails to converge is a status in the result, as in SciPy.
    let out = result.map_err(|e: NlpError| PyValueError::new_err(e.to_string()))?;
    let d = result_dict(py, &out)?;
    py.import("opal._result")?.getattr("Result")?.call1((d,))
}

fn result_dict<'py>(py: Python<'py>, out: &Output) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("x", PyArray1::from_slice(py, &out.x))?;
    d.set_item("fun", out.objective)?;
    d.set_item("success", out.status.is_success())?;
    d.set_item("status", out.status.as_str())?;
    d.set_item("reason", out.failure.map(|f| f.as_str()))?;
    d.set_item(
        "message",
        format!("{}: {}", out.status.as_str(), out.message),
    )?;
    d.set_item("nit", out.iterations)?;
    d.set_item("multipliers", PyArray1::from_slice(py, &out.lambda))?;
    d.set_item("kkt_residual", out.kkt_residual)?;
    d.set_item("constraint_violation", out.constraint_violation)?;
    d.set_item("inner_iterations", out.inner_iterations)?;
    d.set_item("direct_solves", out.direct_solves)?;
    d.set_item("time", out.time.as_secs_f64())?;
    d.set_item("method", out.solver)?;
    let ev = PyDict::new(py);
    ev.set_item("objective", out.evaluations.objective)?;
    ev.set_item("gradient", out.evaluations.gradient)?;
    ev.set_item("constraints", out.evaluations.constraints)?;
    ev.set_item("jacobian", out.evaluations.jacobian)?;
    ev.set_item("hessian", out.evaluations.hessian)?;
    d.set_item("evaluations", ev)?;
    Ok(d)
}
