//! `opal.solve_mip`: Balans (bandit-driven large-neighbourhood search over HiGHS) or plain
//! HiGHS on an MPS/LP file, and `opal.generate_mip` for random test MIPs.

use std::path::PathBuf;
use std::time::Duration;

use numpy::PyArrayMethods;
use opal_core::{Budget, Interrupt, Status};
use opal_io::{ConfigFileError, ReadError, read_balans_config, read_model_with_warnings};
use opal_mip::Method;
use opal_mip::balans::{BalansError, Config, Output, Settings};
use opal_problems::linear::{LinearModel, Sense};
use opal_problems::registry::{self, Generated};
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{SolverError, problem_error};
use crate::interrupt::PERIOD;
use crate::problem::params_from_kwargs;

/// The search method named `solver` (argument `arg`) and a check of the thread count.
fn method_and_threads(arg: &str, solver: &str, threads: usize) -> PyResult<Method> {
    let method: Method = solver.parse().map_err(|_| {
        PyValueError::new_err(format!("{arg} must be 'balans' or 'highs', got '{solver}'"))
    })?;
    if threads == 0 {
        return Err(PyValueError::new_err("threads must be at least 1"));
    }
    Ok(method)
}

fn read_error(e: ReadError) -> PyErr {
    match e {
        ReadError::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn config_error(e: ConfigFileError) -> PyErr {
    match e {
        ConfigFileError::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn balans_error(path: &str, e: BalansError) -> PyErr {
    let msg = format!("{path}: {e}");
    match e {
        BalansError::Highs(_) => SolverError::new_err(msg),
        BalansError::Config(_) | BalansError::Invalid(_) => PyValueError::new_err(msg),
    }
}

/// The configuration from None, a dict (the JSON object of `opal solve --config`) or the
/// path of a JSON file.
fn config(py: Python<'_>, config: Option<&Bound<'_, PyAny>>) -> PyResult<Config> {
    let Some(c) = config.filter(|c| !c.is_none()) else {
        return Ok(Config::default());
    };
    if c.is_instance_of::<PyDict>() {
        let text: String = py.import("json")?.call_method1("dumps", (c,))?.extract()?;
        return Config::from_json_str(&text)
            .map_err(|e| PyValueError::new_err(format!("config: {e}")));
    }
    match c.extract::<PathBuf>() {
        Ok(path) => read_balans_config(&path).map_err(config_error),
        Err(_) => Err(PyTypeError::new_err(
            "config must be None, a dict or the path of a JSON file",
        )),
    }
}

/// Solves the MIP in an MPS or LP file with Balans (`solver="balans"`, ParBalans with
/// `threads > 1`) or plain HiGHS (`solver="highs"`).
///
/// config: None, a dict or the path of a JSON file (as `opal solve --config`). Returns an
/// opal.Result (a dict with attribute access): status, message, success, objective,
/// best_bound, gap, time, iterations, lp_bound, initial_objective, x, solution (column name
/// -> value), trace ((k, 2) array of seconds and objective at each improvement), operators,
/// dropped_operators, warnings, file, solver.
#[pyfunction]
#[pyo3(signature = (path, time_limit = 60.0, seed = 0, config = None, threads = 1, solver = "balans", log = false, verbose = false))]
pub fn solve_mip<'py>(
    py: Python<'py>,
    path: PathBuf,
    time_limit: f64,
    seed: u64,
    config: Option<&Bound<'py, PyAny>>,
    threads: usize,
    solver: &str,
    log: bool,
    verbose: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let method = method_and_threads("solver", solver, threads)?;
    // inf (or any huge value) means no limit; the budget caps it.
    if time_limit.is_nan() || time_limit <= 0.0 {
        return Err(PyValueError::new_err(format!(
            "time_limit must be a positive number of seconds, got {time_limit}"
        )));
    }
    let stop = Interrupt::new();
    let budget = Budget::default()
        .with_time_limit_secs(time_limit)
        .map_err(|e| PyValueError::new_err(e.to_string()))?
        .with_interrupt(stop.clone());
    let cfg = self::config(py, config)?;
    let (model, warnings) = py
        .detach(|| read_model_with_warnings(&path))
        .map_err(read_error)?;
    let settings = Settings::default()
        .budget(budget)
        .seed(seed)
        .config(cfg)
        .threads(threads)
        .log(log)
        .verbose(verbose);
    let file = path.display().to_string();
    let out = run_search(py, method, model, settings, &stop, &file)?;
    let r = result_dict(py, &out, solver)?;
    r.set_item("file", &file)?;
    r.set_item("warnings", warnings)?;
    py.import("opal._result")?.getattr("Result")?.call1((r,))
}

/// Runs `method` on its own thread while this one watches for Ctrl-C; on Ctrl-C the
/// shared stop request ends the search (and HiGHS) at its next check, the worker is
/// joined and the KeyboardInterrupt raised. `what` names the model in errors.
fn run_search(
    py: Python<'_>,
    method: Method,
    model: LinearModel,
    settings: Settings,
    stop: &Interrupt,
    what: &str,
) -> PyResult<Output> {
    let worker = std::thread::spawn(move || method.solve(&model, &settings));
    while !worker.is_finished() {
        py.detach(|| std::thread::sleep(Duration::from_millis(20).min(PERIOD)));
        if let Err(e) = py.check_signals() {
            stop.trigger();
            py.detach(|| worker.join()).ok();
            return Err(e);
        }
    }
    worker
        .join()
        .map_err(|_| SolverError::new_err(format!("{what}: the solver thread panicked")))?
        .map_err(|e| balans_error(what, e))
}

/// The fields of a MIP result shared by `solve_mip` and `_milp`.
fn result_dict<'py>(py: Python<'py>, out: &Output, solver: &str) -> PyResult<Bound<'py, PyDict>> {
    let r = PyDict::new(py);
    r.set_item("solver", solver)?;
    r.set_item("status", out.status.as_str())?;
    r.set_item("message", &out.message)?;
    r.set_item("success", out.status == Status::Optimal)?;
    r.set_item("objective", out.objective)?;
    r.set_item("best_bound", out.best_bound)?;
    r.set_item("gap", out.gap)?;
    r.set_item("time", out.time_s)?;
    r.set_item("iterations", out.iterations)?;
    r.set_item("lp_bound", out.lp_bound)?;
    r.set_item("initial_objective", out.initial_objective)?;
    match &out.solution {
        Some(x) => {
            let sol = PyDict::new(py);
            for (name, v) in out.col_names.iter().zip(x) {
                sol.set_item(name, *v)?;
            }
            r.set_item("x", numpy::PyArray1::from_slice(py, x))?;
            r.set_item("solution", sol)?;
        }
        None => {
            r.set_item("x", py.None())?;
            r.set_item("solution", py.None())?;
        }
    }
    let trace: Vec<f64> = out.trace.iter().flat_map(|&(t, f)| [t, f]).collect();
    r.set_item(
        "trace",
        numpy::PyArray1::from_vec(py, trace).reshape([out.trace.len(), 2])?,
    )?;
    let ops = PyList::empty(py);
    for o in &out.operators {
        let d = PyDict::new(py);
        d.set_item("name", &o.name)?;
        d.set_item("calls", o.calls)?;
        d.set_item("improvements", o.improvements)?;
        d.set_item("better", o.better)?;
        d.set_item("accepted", o.accepted)?;
        d.set_item("no_solution", o.no_solution)?;
        d.set_item("infeasible", o.infeasible)?;
        d.set_item("time", o.time_s)?;
        ops.append(d)?;
    }
    r.set_item("operators", ops)?;
    r.set_item("dropped_operators", out.dropped.clone())?;
    Ok(r)
}

/// Writes a random MIP as an MPS file: `generate_mip("knapsack", path, items=30, dims=5,
/// seed=1)`; kinds knapsack, setcover, indset (see `opal problems`).
#[pyfunction]
#[pyo3(signature = (kind, path, **params))]
pub fn generate_mip(
    kind: &str,
    path: PathBuf,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<PathBuf> {
    if !matches!(kind, "knapsack" | "setcover" | "indset") {
        return Err(PyValueError::new_err(format!(
            "unknown MIP generator '{kind}' (knapsack, setcover, indset)"
        )));
    }
    let params = params_from_kwargs(params)?;
    match registry::generate(kind, params).map_err(problem_error)? {
        Generated::Mip(model) => {
            model
                .write_mps(&path)
                .map_err(|e| problem_error(e.into()))?;
            Ok(path)
        }
        Generated::Completion(_) => unreachable!("MIP generators only"),
    }
}

/// The in-memory model of `opal.milp` (min c^T x, row_lb <= A x <= row_ub, lb <= x <= ub,
/// x_j integer where `integrality[j]`), with A in CSR arrays. Checks every length, index
/// and value and names the argument at fault.
#[allow(clippy::too_many_arguments)]
fn linear_model(
    c: Vec<f64>,
    integrality: Vec<bool>,
    lb: Vec<f64>,
    ub: Vec<f64>,
    indptr: Vec<usize>,
    indices: Vec<usize>,
    data: Vec<f64>,
    row_lb: Vec<f64>,
    row_ub: Vec<f64>,
) -> PyResult<LinearModel> {
    let n = c.len();
    let m = row_lb.len();
    fn bad<T>(msg: String) -> PyResult<T> {
        Err(PyValueError::new_err(msg))
    }
    if let Some(j) = c.iter().position(|v| !v.is_finite()) {
        return bad(format!("c[{j}] = {} is not finite", c[j]));
    }
    for (name, v) in [
        ("integrality", integrality.len()),
        ("bounds lb", lb.len()),
        ("bounds ub", ub.len()),
    ] {
        if v != n {
            return bad(format!(
                "{name} has length {v}, expected {n} (the length of c)"
            ));
        }
    }
    if row_ub.len() != m || indptr.len() != m + 1 {
        return bad(format!(
            "constraints: A has {} rows, lb {} entries and ub {}",
            indptr.len().saturating_sub(1),
            m,
            row_ub.len()
        ));
    }
    if indices.len() != data.len()
        || indptr.last() != Some(&data.len())
        || indptr.windows(2).any(|w| w[0] > w[1])
    {
        return bad("constraints: A's sparse structure is inconsistent".into());
    }
    if let Some(k) = data.iter().position(|v| !v.is_finite()) {
        return bad(format!(
            "constraints: A has a non-finite coefficient {} (entry {k})",
            data[k]
        ));
    }
    if let Some(k) = indices.iter().position(|&j| j >= n) {
        return bad(format!(
            "constraints: A refers to column {} of {n}",
            indices[k]
        ));
    }
    let check_bounds = |what: &str, lo: &[f64], hi: &[f64]| -> PyResult<()> {
        for i in 0..lo.len() {
            if lo[i].is_nan() || hi[i].is_nan() {
                return bad(format!("{what}[{i}] is NaN"));
            }
            if lo[i] > hi[i] || lo[i] == f64::INFINITY || hi[i] == f64::NEG_INFINITY {
                return bad(format!(
                    "{what}[{i}]: lower {} above upper {}",
                    lo[i], hi[i]
                ));
            }
        }
        Ok(())
    };
    check_bounds("bounds", &lb, &ub)?;
    check_bounds("constraints bounds", &row_lb, &row_ub)?;
    let mut model = LinearModel::new("milp", Sense::Minimize);
    for j in 0..n {
        model.add_col(format!("x{j}"), c[j], lb[j], ub[j], integrality[j]);
    }
    let mut coefs = Vec::new();
    for i in 0..m {
        coefs.clear();
        coefs.extend((indptr[i]..indptr[i + 1]).map(|k| (indices[k], data[k])));
        model.add_row(format!("r{i}"), row_lb[i], row_ub[i], &coefs);
    }
    Ok(model)
}

/// The engine of `opal.milp` (python/python/opal/_milp.py normalizes SciPy-style
/// arguments into these arrays). `time_limit` inf means none.
#[pyfunction]
#[pyo3(signature = (c, integrality, lb, ub, indptr, indices, data, row_lb, row_ub, time_limit, seed = 0, solver = "highs", threads = 1, verbose = false))]
#[allow(clippy::too_many_arguments)]
pub fn _milp<'py>(
    py: Python<'py>,
    c: Vec<f64>,
    integrality: Vec<bool>,
    lb: Vec<f64>,
    ub: Vec<f64>,
    indptr: Vec<usize>,
    indices: Vec<usize>,
    data: Vec<f64>,
    row_lb: Vec<f64>,
    row_ub: Vec<f64>,
    time_limit: f64,
    seed: u64,
    solver: &str,
    threads: usize,
    verbose: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let method = method_and_threads("method", solver, threads)?;
    let model = linear_model(
        c,
        integrality,
        lb,
        ub,
        indptr,
        indices,
        data,
        row_lb,
        row_ub,
    )?;
    let stop = Interrupt::new();
    let budget = Budget::default()
        .with_time_limit_secs(time_limit)
        .map_err(|e| PyValueError::new_err(format!("time_limit: {e}")))?
        .with_interrupt(stop.clone());
    let settings = Settings::default()
        .budget(budget)
        .seed(seed)
        .threads(threads)
        .verbose(verbose);
    let out = run_search(py, method, model, settings, &stop, "milp")?;
    let r = result_dict(py, &out, solver)?;
    py.import("opal._result")?.getattr("Result")?.call1((r,))
}
