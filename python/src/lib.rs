//! The `opal._opal` extension module; the pure-Python package `opal` re-exports it and adds
//! scipy-facing conveniences.

mod arrays;
mod calibration;
mod callables;
mod completion;
mod dask_kernels;
mod errors;
mod interrupt;
mod minimize;
mod mip;
mod nlp_run;
mod options;
mod problem;
mod relu;

use pyo3::prelude::*;

/// Native part of the opal package.
#[pymodule]
fn _opal(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SolverError", py.get_type::<errors::SolverError>())?;
    m.add("EvaluationError", py.get_type::<errors::EvaluationError>())?;
    m.add_class::<problem::PyProblem>()?;
    m.add_function(wrap_pyfunction!(problem::problem, m)?)?;
    m.add_function(wrap_pyfunction!(problem::load_sif, m)?)?;
    m.add_function(wrap_pyfunction!(calibration::calibrate_gains, m)?)?;
    m.add_function(wrap_pyfunction!(completion::complete_matrix, m)?)?;
    for f in [
        wrap_pyfunction!(dask_kernels::_completion_settings, m)?,
        wrap_pyfunction!(dask_kernels::_completion_compress, m)?,
        wrap_pyfunction!(dask_kernels::_completion_test_matrix, m)?,
        wrap_pyfunction!(dask_kernels::_completion_product, m)?,
        wrap_pyfunction!(dask_kernels::_completion_solve, m)?,
        wrap_pyfunction!(dask_kernels::_completion_ill_posed, m)?,
    ] {
        m.add_function(f)?;
    }
    m.add_function(wrap_pyfunction!(minimize::minimize, m)?)?;
    m.add_function(wrap_pyfunction!(nlp_run::_minimize_problem, m)?)?;
    m.add_function(wrap_pyfunction!(nlp_run::_minimize_functions, m)?)?;
    m.add_function(wrap_pyfunction!(mip::solve_mip, m)?)?;
    m.add_function(wrap_pyfunction!(mip::generate_mip, m)?)?;
    m.add_function(wrap_pyfunction!(mip::_milp, m)?)?;
    m.add_function(wrap_pyfunction!(relu::_relu_fit, m)?)?;
    m.add_function(wrap_pyfunction!(relu::_relu_decision, m)?)?;
    Ok(())
}
