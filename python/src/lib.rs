//! The `opal._opal` extension module. The Python package `opal` re-exports it.

use pyo3::prelude::*;

/// Native part of the opal package.
#[pymodule]
fn _opal(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
