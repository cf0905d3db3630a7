//! `**options` keyword arguments: typed extraction with errors naming the option, and a
//! `ValueError` listing the known names for an unknown one.

use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Iterates over keyword options, calling `set(name, value)`; `set` returns Ok(false) for
/// an unknown name, which becomes a ValueError listing `known`.
pub fn apply(
    options: Option<&Bound<'_, PyDict>>,
    known: &[&str],
    mut set: impl FnMut(&str, &Bound<'_, PyAny>) -> PyResult<bool>,
) -> PyResult<()> {
    let Some(kw) = options else { return Ok(()) };
    for (k, v) in kw.iter() {
        let name: String = k.extract()?;
        if !set(&name, &v)? {
            return Err(PyValueError::new_err(format!(
                "unknown option '{name}' (known: {})",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// Extracts an option value, with an error naming the option: ValueError for an integer
/// out of range (a negative count or seed), TypeError otherwise.
pub fn get<'py, T: FromPyObjectOwned<'py>>(name: &str, v: &Bound<'py, PyAny>) -> PyResult<T> {
    v.extract::<T>().map_err(|e| {
        let e: PyErr = e.into();
        if e.is_instance_of::<PyOverflowError>(v.py()) {
            PyValueError::new_err(format!(
                "option {name} must be a non-negative integer in range, got {v}"
            ))
        } else {
            PyTypeError::new_err(format!("option {name}: {e}"))
        }
    })
}

/// Extracts a string option naming one of `choices` (name, value), with a ValueError
/// listing the names for any other string.
pub fn choice<T: Copy>(name: &str, v: &Bound<'_, PyAny>, choices: &[(&str, T)]) -> PyResult<T> {
    let got: String = get(name, v)?;
    match choices.iter().find(|(n, _)| *n == got) {
        Some(&(_, value)) => Ok(value),
        None => {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            Err(PyValueError::new_err(format!(
                "option {name}: '{got}' is not {}",
                names.join("|")
            )))
        }
    }
}
