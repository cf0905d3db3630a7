//! `opal.minimize`'s native part: the solver chosen by name (the interior point or an
//! equality solver) with its options, run without the GIL on an `opal.Problem` or on the
//! user's Python functions, and one result dictionary for both solver kinds.

use std::sync::Arc;
use std::time::Duration;

use numpy::PyArray1;
use opal_core::{Control, Status};
use opal_nlp::Method;
use opal_nlp::ipm::{self, IpmError};
use opal_problems::SmoothProblem;
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::callables::{self, Functions, Shared};
use crate::interrupt::Interrupt;
use crate::options;
use crate::problem::PyProblem;

/// A configured solver.
pub enum Solver {
    Ipm(ipm::Settings),
    Equality(Method),
}

impl Solver {
    fn name(&self) -> &'static str {
        match self {
            Solver::Ipm(_) => "ipm",
            Solver::Equality(m) => m.name(),
        }
    }
}

/// Python's spelling of an option value as the settings parser reads it.
fn option_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = value.extract::<bool>() {
        return Ok(b.to_string());
    }
    Ok(value.str()?.to_string())
}

/// The solver `method` with `tol` (None: the solver's default) and the options dict;
/// SciPy's `maxiter` and `disp` are accepted for `max_iter` and `verbose`.
pub fn solver(
    method: &str,
    tol: Option<f64>,
    opts: Option<&Bound<'_, PyDict>>,
) -> PyResult<Solver> {
    let mut s = match method {
        "ipm" => Solver::Ipm(ipm::Settings::default()),
        other => Solver::Equality(Method::from_name(other).ok_or_else(|| {
            PyValueError::new_err(format!(
                "method: unknown method '{other}' (ipm, {})",
                Method::NAMES.join(", ")
            ))
        })?),
    };
    let mut set = |name: &str, value: &str| -> PyResult<bool> {
        let name = match name {
            "maxiter" => "max_iter",
            "disp" => "verbose",
            other => other,
        };
        let r = match &mut s {
            Solver::Ipm(st) => st.set(name, value),
            Solver::Equality(m) => m.set(name, value),
        };
        r.map_err(|e| PyValueError::new_err(format!("options: {e}")))
    };
    if let Some(t) = tol {
        set("tol", &t.to_string())?;
    }
    let known: Vec<&str> = match method {
        "ipm" => ipm::SETTING_NAMES.to_vec(),
        _ => vec![
            "max_iter",
            "time_limit",
            "tol",
            "abs_tol",
            "seed",
            "sketch",
            "verbose",
            "...",
        ],
    };
    options::apply(opts, &known, |name, v| set(name, &option_text(v)?))?;
    if let Solver::Ipm(st) = &s {
        st.validate()
            .map_err(|e| PyValueError::new_err(format!("options: {e}")))?;
    }
    Ok(s)
}

/// The common result of both solver kinds.
struct Outcome {
    status: Status,
    termination: &'static str,
    message: String,
    x: Vec<f64>,
    fun: f64,
    nit: usize,
    y: Vec<f64>,
    zl: Vec<f64>,
    zu: Vec<f64>,
    constr_violation: f64,
    nfev: usize,
    njev: usize,
    time: Duration,
}

/// Runs `solver` on `p` with `observe(iteration, objective)` after every iterate.
fn solve_on(
    p: &dyn SmoothProblem,
    solver: &Solver,
    warm: Option<&ipm::WarmStart>,
    observe: &mut dyn FnMut(usize, f64) -> Control,
) -> Result<Outcome, String> {
    let n = p.info().n();
    match solver {
        Solver::Ipm(s) => {
            let mut obs = |i: &ipm::IterationInfo| observe(i.iteration, i.objective);
            match ipm::solve_warm(p, s, warm, &mut obs) {
                Ok(o) => Ok(Outcome {
                    status: o.status,
                    termination: o.termination.as_str(),
                    message: o.message,
                    fun: o.objective,
                    nit: o.iterations,
                    y: o.multipliers,
                    zl: o.lower_bound_multipliers,
                    zu: o.upper_bound_multipliers,
                    constr_violation: o.constraint_violation,
                    nfev: o.evaluations.objective,
                    njev: o.evaluations.gradient,
                    time: o.time,
                    x: o.x,
                }),
                // A function that fails (NaN, an exception) is a status, as in IPOPT.
                Err(e @ (IpmError::Start(_) | IpmError::Evaluation(_))) => Ok(Outcome {
                    status: Status::NumericalError,
                    termination: "evaluation_failed",
                    message: e.to_string(),
                    x: p.info().x0.clone(),
                    fun: f64::NAN,
                    nit: 0,
                    y: vec![0.0; p.info().m()],
                    zl: vec![0.0; n],
                    zu: vec![0.0; n],
                    constr_violation: f64::NAN,
                    nfev: 0,
                    njev: 0,
                    time: Duration::ZERO,
                }),
                Err(e) => Err(e.to_string()),
            }
        }
        Solver::Equality(m) => {
            let mut obs = |i: &opal_nlp::eqnlp::IterationInfo| observe(i.iteration, i.objective);
            let o = m.solve_observed(p, &mut obs).map_err(|e| e.to_string())?;
            Ok(Outcome {
                status: o.status,
                termination: o.failure.map_or("", |f| f.as_str()),
                message: o.message,
                fun: o.objective,
                nit: o.iterations,
                y: o.lambda,
                zl: vec![0.0; n],
                zu: vec![0.0; n],
                constr_violation: o.constraint_violation,
                nfev: o.evaluations.objective,
                njev: o.evaluations.gradient,
                time: o.time,
                x: o.x,
            })
        }
    }
}

/// SciPy-style integer status (documented in `opal.minimize`).
fn status_code(s: Status) -> i64 {
    match s {
        Status::Converged | Status::Optimal => 0,
        Status::IterationLimit => 1,
        Status::TimeLimit => 2,
        Status::Interrupted => 3,
        Status::Infeasible => 4,
        Status::Unbounded => 5,
        Status::Stalled => 6,
        Status::NumericalError => 7,
        Status::Acceptable => 8,
        _ => 9,
    }
}

fn result_dict<'py>(
    py: Python<'py>,
    o: Outcome,
    jac: Option<Vec<f64>>,
    method: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("jac", jac.map(|g| PyArray1::from_vec(py, g)))?;
    d.set_item("x", PyArray1::from_vec(py, o.x))?;
    d.set_item("fun", o.fun)?;
    d.set_item("nit", o.nit)?;
    d.set_item("nfev", o.nfev)?;
    d.set_item("njev", o.njev)?;
    d.set_item("status", status_code(o.status))?;
    d.set_item("success", o.status.is_success())?;
    d.set_item("opal_status", o.status.as_str())?;
    d.set_item("termination", o.termination)?;
    d.set_item("message", format!("{}: {}", o.status.as_str(), o.message))?;
    d.set_item("constr_violation", o.constr_violation)?;
    d.set_item("multipliers", PyArray1::from_vec(py, o.y))?;
    d.set_item("lower_bound_multipliers", PyArray1::from_vec(py, o.zl))?;
    d.set_item("upper_bound_multipliers", PyArray1::from_vec(py, o.zu))?;
    d.set_item("time", o.time.as_secs_f64())?;
    d.set_item("method", method)?;
    Ok(d)
}

/// The gradient at the solution (`jac`) when it can be evaluated.
fn gradient_at(p: &dyn SmoothProblem, x: &[f64]) -> Option<Vec<f64>> {
    let mut g = vec![0.0; x.len()];
    p.gradient(x, &mut g).ok().map(|()| g)
}

/// A Ctrl-C (KeyboardInterrupt) ends the run with the best point and status
/// `interrupted`; any other exception from a signal handler propagates.
fn interrupted(py: Python<'_>, e: PyErr, o: &mut Outcome) -> PyResult<()> {
    if !e.is_instance_of::<PyKeyboardInterrupt>(py) {
        return Err(e);
    }
    o.status = Status::Interrupted;
    o.termination = "keyboard_interrupt";
    o.message = "interrupted by KeyboardInterrupt (Ctrl-C); x is the last iterate".into();
    Ok(())
}

/// Solves an `opal.Problem` (a SIF file, a built-in) with the named solver, from `x0`
/// (the interior point's warm start) when given.
#[pyfunction]
#[pyo3(signature = (problem, method, tol = None, options = None, x0 = None))]
pub fn _minimize_problem<'py>(
    py: Python<'py>,
    problem: &Bound<'py, PyProblem>,
    method: &str,
    tol: Option<f64>,
    options: Option<&Bound<'py, PyDict>>,
    x0: Option<Vec<f64>>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = solver(method, tol, options)?;
    let warm = x0.map(ipm::WarmStart::from_point);
    let wrapped = problem.get();
    let (result, interrupt) = py.detach(|| {
        let mut interrupt = Interrupt::new();
        let r = wrapped.with(|p| {
            solve_on(&**p, &s, warm.as_ref(), &mut |_, _| {
                Control::stop_if(interrupt.poll())
            })
        });
        (r, interrupt)
    });
    let mut o = result.map_err(PyValueError::new_err)?;
    if let Err(e) = interrupt.finish(()) {
        interrupted(py, e, &mut o)?;
    }
    let jac = wrapped.with(|p| gradient_at(&**p, &o.x));
    result_dict(py, o, jac, s.name())
}

/// Solves the problem given by canonical Python functions (see `callables`); `callback(x,
/// nit, fun)` after every iteration returns True to stop. An exception raised by a
/// function or the callback is re-raised here after the solver stopped.
#[pyfunction]
#[pyo3(signature = (fun, grad, cons, jac, hess, x0, lower, upper, cl, cu, method, tol = None, options = None, callback = None))]
#[allow(clippy::too_many_arguments)]
pub fn _minimize_functions<'py>(
    py: Python<'py>,
    fun: Py<PyAny>,
    grad: Option<Py<PyAny>>,
    cons: Option<Py<PyAny>>,
    jac: Option<Py<PyAny>>,
    hess: Option<Py<PyAny>>,
    x0: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    cl: Vec<f64>,
    cu: Vec<f64>,
    method: &str,
    tol: Option<f64>,
    options: Option<&Bound<'py, PyDict>>,
    callback: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut s = solver(method, tol, options)?;
    let shared = Arc::new(Shared::default());
    let budget = match &mut s {
        Solver::Ipm(st) => &mut st.budget,
        Solver::Equality(m) => m.budget_mut(),
    };
    budget.interrupt = Some(shared.stop.clone());
    let functions = Functions {
        fun,
        grad,
        cons: cons.map(|c| (c, jac)),
        hess,
    };
    let p = callables::problem(functions, x0, (lower, upper), (cl, cu), &shared);
    let mut stopped_by_callback = false;
    let (result, interrupt) = py.detach(|| {
        let mut interrupt = Interrupt::new();
        let mut observe = |it: usize, f: f64| -> Control {
            if shared.failed() || interrupt.poll() {
                return Control::Stop;
            }
            let Some(cb) = callback.as_ref().filter(|_| it > 0) else {
                return Control::Continue;
            };
            let x = shared
                .last_x
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let stop = shared.call(|py| {
                cb.call1(py, (PyArray1::from_vec(py, x), it, f))?
                    .is_truthy(py)
            });
            stopped_by_callback = stop == Some(true);
            Control::stop_if(stop != Some(false))
        };
        let r = solve_on(&p, &s, None, &mut observe);
        (r, interrupt)
    });
    let signal = interrupt.finish(()).err();
    if let Some(e) = shared.take_error()
        && !e.is_instance_of::<PyKeyboardInterrupt>(py)
    {
        return Err(e);
    }
    let mut o = result.map_err(PyValueError::new_err)?;
    o.nfev = shared.nfev.load(std::sync::atomic::Ordering::Relaxed);
    o.njev = shared.njev.load(std::sync::atomic::Ordering::Relaxed);
    if let Some(e) = signal {
        interrupted(py, e, &mut o)?;
    } else if shared.failed() {
        // a KeyboardInterrupt raised inside a user function
        interrupted(py, PyKeyboardInterrupt::new_err(()), &mut o)?;
    } else if stopped_by_callback {
        o.termination = "callback";
        o.message = "stopped by the callback".into();
    }
    let jac = if shared.failed() {
        None
    } else {
        gradient_at(&p, &o.x)
    };
    result_dict(py, o, jac, s.name())
}
