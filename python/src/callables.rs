//! A user's Python functions as an [`FnProblem`]: every call re-attaches to the interpreter
//! (the solver runs without the GIL between calls), the first exception a function raises
//! is kept and asks the solver to stop (the evaluation then counts as failed), and the
//! calls are counted for `nfev` / `njev`.
//!
//! The Python layer (`opal/_minimize.py`) hands over canonical functions: `fun(x) -> float`,
//! `grad(x) -> (n,)`, `cons(x) -> (m,)`, `jac(x) -> (m*n,)` row-major, `hess(x, sigma, y)
//! -> (n*n,)`, all taking a float64 array and already checking shapes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use numpy::{PyArray1, PyArrayMethods};
use opal_core::Interrupt;
use opal_problems::closure::FnProblem;
use pyo3::prelude::*;

/// What the functions share with the binding that runs the solve.
#[derive(Default)]
pub struct Shared {
    /// The first exception a user function raised.
    pub error: Mutex<Option<PyErr>>,
    /// Raised with the error so the solver stops at its next iteration.
    pub stop: Interrupt,
    /// Objective calls (finite differences included).
    pub nfev: AtomicUsize,
    /// Gradient calls.
    pub njev: AtomicUsize,
    /// The point of the last gradient evaluation: the solvers evaluate the gradient at
    /// accepted iterates, so this is the current iterate for the callback.
    pub last_x: Mutex<Vec<f64>>,
}

impl Shared {
    /// Runs `call` with the GIL unless an earlier call failed; a failure is kept and
    /// stops the solver. `None` when the value is not available.
    pub fn call<T>(&self, call: impl FnOnce(Python<'_>) -> PyResult<T>) -> Option<T> {
        if self.failed() {
            return None;
        }
        match Python::attach(call) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    /// Keeps `e` (unless an earlier error is kept) and asks the solver to stop.
    pub fn fail(&self, e: PyErr) {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(e);
        self.stop.trigger();
    }

    /// True once a user function raised.
    pub fn failed(&self) -> bool {
        self.stop.is_triggered()
    }

    /// The kept exception, if any.
    pub fn take_error(&self) -> Option<PyErr> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Copies a float64 array returned by a canonical function into `out`.
fn copy_into(v: &Bound<'_, PyAny>, out: &mut [f64]) -> PyResult<()> {
    let a = v.cast::<PyArray1<f64>>()?.readonly();
    let a = a.as_array();
    if a.len() != out.len() {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "internal: expected {} values, got {}",
            out.len(),
            a.len()
        )));
    }
    out.iter_mut().zip(a.iter()).for_each(|(o, &v)| *o = v);
    Ok(())
}

/// The canonical Python functions of a problem.
pub struct Functions {
    pub fun: Py<PyAny>,
    /// None: central differences of `fun`.
    pub grad: Option<Py<PyAny>>,
    /// (cons, jac or None) when there are constraints.
    pub cons: Option<(Py<PyAny>, Option<Py<PyAny>>)>,
    /// Hessian of the Lagrangian; None: a quasi-Newton Hessian.
    pub hess: Option<Py<PyAny>>,
}

fn vector_call(shared: &Shared, f: &Py<PyAny>, x: &[f64], out: &mut [f64]) {
    let ok = shared.call(|py| {
        let r = f.call1(py, (PyArray1::from_slice(py, x),))?;
        copy_into(r.bind(py), out)
    });
    if ok.is_none() {
        out.fill(f64::NAN);
    }
}

/// Central differences of `fun` (step cbrt(eps) max(1, |x_k|)) counted in `nfev`.
fn fd_gradient(shared: &Shared, fun: &Py<PyAny>, x: &[f64], g: &mut [f64]) {
    let value = |p: &[f64]| -> f64 {
        shared.nfev.fetch_add(1, Ordering::Relaxed);
        shared
            .call(|py| {
                fun.call1(py, (PyArray1::from_slice(py, p),))?
                    .extract::<f64>(py)
            })
            .unwrap_or(f64::NAN)
    };
    let mut p = x.to_vec();
    for k in 0..x.len() {
        let h = f64::EPSILON.cbrt() * x[k].abs().max(1.0);
        p[k] = x[k] + h;
        let up = value(&p);
        p[k] = x[k] - h;
        let down = value(&p);
        p[k] = x[k];
        g[k] = (up - down) / (2.0 * h);
    }
}

/// The problem: x0, bounds on x, constraint bounds (length m) and the functions.
pub fn problem(
    functions: Functions,
    x0: Vec<f64>,
    bounds: (Vec<f64>, Vec<f64>),
    constraint_bounds: (Vec<f64>, Vec<f64>),
    shared: &Arc<Shared>,
) -> FnProblem {
    let m = constraint_bounds.0.len();
    let Functions {
        fun,
        grad,
        cons,
        hess,
    } = functions;
    let fun = Arc::new(fun);
    let (s, f) = (shared.clone(), fun.clone());
    let mut p = FnProblem::new("python", x0, move |x: &[f64]| {
        s.nfev.fetch_add(1, Ordering::Relaxed);
        s.call(|py| {
            f.call1(py, (PyArray1::from_slice(py, x),))?
                .extract::<f64>(py)
        })
        .unwrap_or(f64::NAN)
    });
    // Always a gradient closure (user's or differences) so that the iterate is recorded.
    let s = shared.clone();
    p = p.gradient_fn(move |x: &[f64], g: &mut [f64]| {
        s.njev.fetch_add(1, Ordering::Relaxed);
        *s.last_x.lock().unwrap_or_else(|e| e.into_inner()) = x.to_vec();
        match &grad {
            Some(gf) => vector_call(&s, gf, x, g),
            None => fd_gradient(&s, &fun, x, g),
        }
    });
    p = p.bounds(bounds.0, bounds.1);
    if let Some((c, j)) = cons {
        let s = shared.clone();
        p = p.constraints(m, move |x: &[f64], out: &mut [f64]| {
            vector_call(&s, &c, x, out)
        });
        p = p.constraint_bounds(constraint_bounds.0, constraint_bounds.1);
        if let Some(j) = j {
            let s = shared.clone();
            p = p.jacobian_fn(move |x: &[f64], out: &mut [f64]| vector_call(&s, &j, x, out));
        }
    }
    if let Some(h) = hess {
        let s = shared.clone();
        p = p.hessian_fn(move |x: &[f64], sigma: f64, y: &[f64], out: &mut [f64]| {
            let ok = s.call(|py| {
                let r = h.call1(
                    py,
                    (
                        PyArray1::from_slice(py, x),
                        sigma,
                        PyArray1::from_slice(py, y),
                    ),
                )?;
                copy_into(r.bind(py), out)
            });
            if ok.is_none() {
                out.fill(f64::NAN);
            }
        });
    }
    p
}
