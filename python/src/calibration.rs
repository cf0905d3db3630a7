//! `opal.calibrate_gains`: blind gain calibration (Cambareri and Jacques) over
//! `opal_calibration`.

use opal_calibration::{
    self, CalibrationError, DenseOperator, IterationInfo, Layout, Method, Settings, StepRule,
};
use opal_core::{Control, time_limit_from_secs};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::{float_array, require_finite, require_nonempty, shape_str, to_faer};
use crate::errors::SolverError;
use crate::interrupt::Interrupt;
use crate::options::{self, choice, get};

const OPTIONS: &[&str] = &[
    "method",
    "step",
    "mu",
    "max_iter",
    "tol_residual",
    "tol_step",
    "time_limit",
    "parallel",
    "verbose",
    "dykstra_max_iter",
    "dykstra_tol",
];

fn calibration_error(e: CalibrationError) -> PyErr {
    match e {
        CalibrationError::Numerical(_) => SolverError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn settings(opts: Option<&Bound<'_, PyDict>>) -> PyResult<Settings> {
    let mut s = Settings::default();
    let mut mu: Option<f64> = None;
    let mut step: Option<String> = None;
    options::apply(opts, OPTIONS, |name, v| {
        match name {
            "method" => {
                let choices = [
                    ("pgd", Method::ProjectedGradient),
                    ("linear", Method::Linear),
                    ("projected_gradient", Method::ProjectedGradient),
                ];
                s.method = choice(name, v, &choices)?
            }
            "step" => step = Some(get(name, v)?),
            "mu" => mu = Some(get(name, v)?),
            "max_iter" => s.budget.max_iterations = get(name, v)?,
            "tol_residual" => s.tol_residual = get(name, v)?,
            "tol_step" => s.tol_step = get(name, v)?,
            "time_limit" => {
                if let Some(t) = get::<Option<f64>>(name, v)? {
                    s.budget.time_limit = time_limit_from_secs(t)
                        .map_err(|e| PyValueError::new_err(format!("option {name}: {e}")))?;
                }
            }
            "parallel" => s.parallel = get(name, v)?,
            "verbose" => s.verbose = get(name, v)?,
            "dykstra_max_iter" => s.dykstra_max_iterations = get(name, v)?,
            "dykstra_tol" => s.dykstra_tolerance = get(name, v)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    s.step = match (step.as_deref(), mu) {
        (None | Some("line_search"), None) => StepRule::LineSearch,
        (None | Some("fixed"), Some(mu)) => StepRule::Fixed { mu },
        (Some("fixed"), None) => StepRule::Fixed { mu: 1.0 },
        (Some(other), _) => {
            return Err(PyValueError::new_err(format!(
                "option step: '{other}' is not line_search|fixed (fixed takes mu=...)"
            )));
        }
    };
    Ok(s)
}

/// Blind gain calibration: recover a signal x (n) and positive sensor gains d (m, mean 1,
/// |d_i - 1| <= rho) from Y[l] = diag(d) A[l] x, l = 1..p.
///
/// A: (p, m, n) array, Y: (p, m), 0 < rho < 1. Z (n, k) and B (m, h; first column
/// constant) restrict x and d to subspaces. Options: method ("pgd" | "linear"), step
/// ("line_search" | "fixed", with mu), max_iter, tol_residual, tol_step, time_limit,
/// parallel, verbose, dykstra_max_iter, dykstra_tol. Returns (x, d, info); info has status,
/// reason, message, success, method, iterations, objective, relative_residual,
/// operator_applications, time.
#[pyfunction]
#[pyo3(signature = (A, Y, rho = 0.5, *, Z = None, B = None, **options))]
#[allow(non_snake_case)] // the Python names of the paper's matrices
pub fn calibrate_gains<'py>(
    py: Python<'py>,
    A: &Bound<'py, PyAny>,
    Y: &Bound<'py, PyAny>,
    rho: f64,
    Z: Option<&Bound<'py, PyAny>>,
    B: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let a = float_array(A, "A", 3, "(p, m, n)")?;
    require_nonempty(&a, "A")?;
    require_finite(&a, "A")?;
    let (p, m, n) = (a.shape[0], a.shape[1], a.shape[2]);
    let y = float_array(Y, "Y", 2, "(p, m)")?;
    require_finite(&y, "Y")?;
    if y.shape != [p, m] {
        return Err(PyValueError::new_err(format!(
            "Y has shape {}, expected (p, m) = ({p}, {m}) from A's shape {}",
            shape_str(&y.shape),
            shape_str(&a.shape)
        )));
    }
    let z = Z
        .map(|z| -> PyResult<_> {
            let zz = float_array(z, "Z", 2, "(n, k)")?;
            require_finite(&zz, "Z")?;
            if zz.shape[0] != n {
                return Err(PyValueError::new_err(format!(
                    "Z has shape {}, expected (n, k) with n = {n}",
                    shape_str(&zz.shape)
                )));
            }
            Ok(to_faer(&zz.data, zz.shape[0], zz.shape[1]))
        })
        .transpose()?;
    let bb = B
        .map(|b| -> PyResult<_> {
            let bb = float_array(b, "B", 2, "(m, h)")?;
            require_finite(&bb, "B")?;
            if bb.shape[0] != m {
                return Err(PyValueError::new_err(format!(
                    "B has shape {}, expected (m, h) with m = {m}",
                    shape_str(&bb.shape)
                )));
            }
            Ok(to_faer(&bb.data, bb.shape[0], bb.shape[1]))
        })
        .transpose()?;
    let settings = settings(options)?;
    let op = DenseOperator::new(n, m, p, Layout::RowMajor, a.data).map_err(calibration_error)?;
    let yv = y.data;
    let (result, interrupt) = py.detach(|| {
        let mut problem = opal_calibration::Problem::new(&op, &yv, rho);
        if let Some(z) = &z {
            problem = problem.with_signal_basis(z.as_ref());
        }
        if let Some(b) = &bb {
            problem = problem.with_gain_basis(b.as_ref());
        }
        let mut interrupt = Interrupt::new();
        let r = opal_calibration::solve_observed(&problem, &settings, &mut |_: &IterationInfo| {
            Control::stop_if(interrupt.poll())
        });
        (r, interrupt)
    });
    let out = interrupt.finish(result)?.map_err(calibration_error)?;
    let info = PyDict::new(py);
    info.set_item("status", out.status.as_str())?;
    info.set_item("reason", out.reason.map(|r| r.as_str()))?;
    info.set_item("message", &out.message)?;
    info.set_item("success", out.status.is_success())?;
    info.set_item(
        "method",
        match out.method {
            Method::ProjectedGradient => "pgd",
            Method::Linear => "linear",
        },
    )?;
    info.set_item("iterations", out.iterations)?;
    info.set_item("objective", out.objective)?;
    info.set_item("relative_residual", out.relative_residual)?;
    info.set_item("operator_applications", out.operator_applications)?;
    info.set_item("time", out.time.as_secs_f64())?;
    if let Some(zc) = out.z {
        info.set_item("z", numpy::PyArray1::from_vec(py, zc))?;
    }
    if let Some(bc) = out.b {
        info.set_item("b", numpy::PyArray1::from_vec(py, bc))?;
    }
    Ok((
        numpy::PyArray1::from_vec(py, out.x).into_any(),
        numpy::PyArray1::from_vec(py, out.d).into_any(),
        info,
    ))
}
