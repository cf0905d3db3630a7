//! `opal.Problem`: a smooth nonlinear program with numpy-level evaluation callbacks,
//! enough to hand it to scipy.optimize or cyipopt.

use std::sync::Mutex;

use numpy::PyArray1;
use opal_problems::registry::{self, BoxedProblem, Params};
use opal_problems::{ProblemInfo, SmoothProblem};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::{float_array, require_finite};
use crate::errors::{eval_error, problem_error, sif_error};

/// A smooth problem: min f(x) s.t. cl <= c(x) <= cu, xl <= x <= xu.
///
/// Infinite bounds are +-inf. Jacobian and Hessian come as coordinate triplets here; the
/// Python layer turns them into scipy.sparse matrices.
#[pyclass(name = "Problem", module = "opal._opal", frozen)]
pub struct PyProblem {
    // The mutex makes the problem shareable across Python threads whatever its own
    // interior state (e.g. evaluation scratch space).
    inner: Mutex<BoxedProblem>,
    info: ProblemInfo,
}

impl PyProblem {
    /// Wraps a problem for Python.
    pub fn new(problem: BoxedProblem) -> Self {
        let info = problem.info().clone();
        Self {
            inner: Mutex::new(problem),
            info,
        }
    }

    /// Runs `f` on the wrapped problem.
    pub fn with<T>(&self, f: impl FnOnce(&BoxedProblem) -> T) -> T {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&guard)
    }
}

/// Argument `what` as a vector of `len` finite numbers (a list or any real array):
/// TypeError for a wrong dtype, ValueError for a wrong shape or a NaN/inf entry.
pub fn vector(a: &Bound<'_, PyAny>, what: &str, len: usize) -> PyResult<Vec<f64>> {
    let d = float_array(a, what, 1, "(n,)")?;
    if d.data.len() != len {
        return Err(PyValueError::new_err(format!(
            "{what} has length {}, expected {len}",
            d.data.len()
        )));
    }
    require_finite(&d, what)?;
    Ok(d.data)
}

fn array<'py>(py: Python<'py>, v: Vec<f64>) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_vec(py, v)
}

type Triplets<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
);

fn triplets<'py>(py: Python<'py>, rows: &[usize], cols: &[usize], vals: Vec<f64>) -> Triplets<'py> {
    (
        PyArray1::from_vec(py, rows.iter().map(|&r| r as i64).collect()),
        PyArray1::from_vec(py, cols.iter().map(|&c| c as i64).collect()),
        PyArray1::from_vec(py, vals),
    )
}

#[pymethods]
impl PyProblem {
    /// Problem name.
    #[getter]
    fn name(&self) -> &str {
        &self.info.name
    }
    /// Number of variables.
    #[getter]
    fn n(&self) -> usize {
        self.info.n()
    }
    /// Number of general constraints.
    #[getter]
    fn m(&self) -> usize {
        self.info.m()
    }
    /// CUTEst classification string, if any.
    #[getter]
    fn classification(&self) -> Option<&str> {
        self.info.classification.as_deref()
    }
    /// Whether the problem has an objective (False for feasibility problems, f = 0).
    #[getter]
    fn has_objective(&self) -> bool {
        self.info.has_objective
    }
    /// Start point (a new array each time).
    #[getter]
    fn x0<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        array(py, self.info.x0.clone())
    }
    /// Start multipliers, if the problem gives them.
    #[getter]
    fn y0<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        self.info.y0.clone().map(|v| array(py, v))
    }
    /// Lower bounds on x (-inf where none).
    #[getter]
    fn lower<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        array(py, self.info.lower.clone())
    }
    /// Upper bounds on x (+inf where none).
    #[getter]
    fn upper<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        array(py, self.info.upper.clone())
    }
    /// Lower bounds on c(x).
    #[getter]
    fn constraint_lower<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        array(py, self.info.constraint_lower.clone())
    }
    /// Upper bounds on c(x).
    #[getter]
    fn constraint_upper<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        array(py, self.info.constraint_upper.clone())
    }
    /// Variable names.
    #[getter]
    fn variable_names(&self) -> Vec<String> {
        self.info.variable_names.clone()
    }
    /// Constraint names.
    #[getter]
    fn constraint_names(&self) -> Vec<String> {
        self.info.constraint_names.clone()
    }

    /// f(x).
    fn objective(&self, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        let x = vector(x, "x", self.info.n())?;
        self.with(|p| p.objective(&x)).map_err(eval_error)
    }

    /// grad f(x).
    fn gradient<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = vector(x, "x", self.info.n())?;
        let mut g = vec![0.0; self.info.n()];
        self.with(|p| p.gradient(&x, &mut g)).map_err(eval_error)?;
        Ok(array(py, g))
    }

    /// c(x).
    fn constraints<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = vector(x, "x", self.info.n())?;
        let mut c = vec![0.0; self.info.m()];
        self.with(|p| p.constraints(&x, &mut c))
            .map_err(eval_error)?;
        Ok(array(py, c))
    }

    /// J(x) as (rows, cols, values) coordinate triplets (m x n).
    fn jacobian_triplets<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Triplets<'py>> {
        let x = vector(x, "x", self.info.n())?;
        self.with(|p| {
            let pat = p.jacobian_pattern();
            let mut v = vec![0.0; pat.nnz()];
            p.jacobian_values(&x, &mut v).map_err(eval_error)?;
            Ok(triplets(py, pat.rows(), pat.cols(), v))
        })
    }

    /// Lower triangle of obj_factor * grad^2 f(x) + sum_i y_i grad^2 c_i(x) as triplets.
    #[pyo3(signature = (x, y, obj_factor = 1.0))]
    fn hessian_triplets<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
        obj_factor: f64,
    ) -> PyResult<Triplets<'py>> {
        let x = vector(x, "x", self.info.n())?;
        let y = vector(y, "y", self.info.m())?;
        self.with(|p| {
            let pat = p.hessian_pattern();
            let mut v = vec![0.0; pat.nnz()];
            p.hessian_values(&x, obj_factor, &y, &mut v)
                .map_err(eval_error)?;
            Ok(triplets(py, pat.rows(), pat.cols(), v))
        })
    }

    /// (obj_factor * grad^2 f(x) + sum_i y_i grad^2 c_i(x)) v.
    #[pyo3(signature = (x, y, v, obj_factor = 1.0))]
    fn hessian_lagrangian_vector<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
        v: &Bound<'py, PyAny>,
        obj_factor: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let n = self.info.n();
        let x = vector(x, "x", n)?;
        let y = vector(y, "y", self.info.m())?;
        let v = vector(v, "v", n)?;
        let mut out = vec![0.0; n];
        self.with(|p| p.hessian_vector(&x, obj_factor, &y, &v, &mut out))
            .map_err(eval_error)?;
        Ok(array(py, out))
    }

    /// J(x) as a scipy.sparse CSR matrix (m x n). Needs scipy.
    fn jacobian<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.jacobian_triplets(py, x)?;
        scipy_csr(py, t, (self.info.m(), self.info.n()))
    }

    /// Hessian of the Lagrangian obj_factor * grad^2 f + sum_i y_i grad^2 c_i at x as a
    /// scipy.sparse CSR matrix: the lower triangle by default, the full symmetric matrix
    /// with `full=True`. Needs scipy.
    #[pyo3(signature = (x, y, obj_factor = 1.0, full = false))]
    fn hessian_lagrangian<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
        obj_factor: f64,
        full: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let n = self.info.n();
        let x = vector(x, "x", n)?;
        let y = vector(y, "y", self.info.m())?;
        let (mut rows, mut cols, mut vals) = self.with(|p| {
            let pat = p.hessian_pattern();
            let mut v = vec![0.0; pat.nnz()];
            p.hessian_values(&x, obj_factor, &y, &mut v)
                .map_err(eval_error)?;
            Ok::<_, PyErr>((pat.rows().to_vec(), pat.cols().to_vec(), v))
        })?;
        if full {
            for k in 0..rows.len() {
                if rows[k] != cols[k] {
                    rows.push(cols[k]);
                    cols.push(rows[k]);
                    vals.push(vals[k]);
                }
            }
        }
        scipy_csr(py, triplets(py, &rows, &cols, vals), (n, n))
    }

    fn __repr__(&self) -> String {
        format!(
            "<opal.Problem {} n={} m={}>",
            self.info.name,
            self.info.n(),
            self.info.m()
        )
    }
}

/// scipy.sparse.csr_matrix((values, (rows, cols)), shape) (duplicates are summed).
fn scipy_csr<'py>(
    py: Python<'py>,
    t: Triplets<'py>,
    shape: (usize, usize),
) -> PyResult<Bound<'py, PyAny>> {
    let sparse = py.import("scipy.sparse").map_err(|e| {
        pyo3::exceptions::PyImportError::new_err(format!("sparse matrices need scipy: {e}"))
    })?;
    let (r, c, v) = t;
    sparse.getattr("csr_matrix")?.call1(((v, (r, c)), shape))
}

/// Converts Python keyword parameters into `name=value` pairs.
pub fn params_from_kwargs(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Params> {
    let mut params = Params::default();
    if let Some(kw) = kwargs {
        for (k, v) in kw.iter() {
            params.insert(&k.str()?.to_string(), &v.str()?.to_string());
        }
    }
    Ok(params)
}

/// A built-in problem: `problem("pde", N=50)`, `problem("logreg", path="a9a", rows=10)`.
#[pyfunction]
#[pyo3(signature = (name, **params))]
pub fn problem(name: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<PyProblem> {
    let mut params = params_from_kwargs(params)?;
    let spec = if name.eq_ignore_ascii_case("logreg") {
        let path = params
            .take_string("path")
            .ok_or_else(|| PyValueError::new_err("logreg needs path=<LIBSVM file>"))?;
        format!("logreg:{path}")
    } else {
        name.to_string()
    };
    if !registry::is_builtin(&spec) {
        return Err(PyValueError::new_err(format!(
            "unknown built-in problem '{name}' (known: {})",
            registry::PROBLEMS
                .iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let p = registry::load_builtin(&spec, params).map_err(problem_error)?;
    Ok(PyProblem::new(p))
}

/// Keyword parameters as (NAME, value) strings, for SIF `$-PARAMETER` overrides.
fn sif_params(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Some(kw) = kwargs {
        for (k, v) in kw.iter() {
            out.push((k.str()?.to_string(), v.str()?.to_string()));
        }
    }
    Ok(out)
}

/// A CUTEst problem from a SIF file, decoded by opal's own SIF decoder:
/// `load_sif("DTOC1L.SIF", NX=10)` overrides the file's `$-PARAMETER`s.
#[pyfunction]
#[pyo3(signature = (path, **params))]
pub fn load_sif(
    py: Python<'_>,
    path: std::path::PathBuf,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyProblem> {
    let params = sif_params(params)?;
    // Decoding a large SIF file (DO loops over 10^5 cards) takes a while: let other
    // Python threads run meanwhile.
    let p = py
        .detach(|| opal_cutest::load(&path, &params))
        .map_err(sif_error)?;
    Ok(PyProblem::new(Box::new(p)))
}
