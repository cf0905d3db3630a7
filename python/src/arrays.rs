//! NumPy arguments: conversion to contiguous f64/index data with errors that name the
//! argument (`TypeError` for a wrong dtype, `ValueError` for a wrong shape or value).

use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// A dense array copied out of Python: data in C (row-major) order and its shape.
pub struct Dense {
    pub data: Vec<f64>,
    pub shape: Vec<usize>,
}

fn dtype_kind(obj: &Bound<'_, PyAny>) -> Option<(String, String)> {
    let dt = obj.getattr("dtype").ok()?;
    let kind: String = dt.getattr("kind").ok()?.extract().ok()?;
    Some((kind, dt.str().ok()?.to_string()))
}

/// `obj` as a real f64 array with `ndim` dimensions (`what` describes the expected shape,
/// e.g. "(p, m, n)"). Lists and integer arrays are converted; complex, boolean, object or
/// string data raise `TypeError`.
pub fn float_array(obj: &Bound<'_, PyAny>, name: &str, ndim: usize, what: &str) -> PyResult<Dense> {
    let py = obj.py();
    if let Some((kind, dt)) = dtype_kind(obj)
        && !matches!(kind.as_str(), "f" | "i" | "u")
    {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a real numeric array, got dtype {dt}"
        )));
    }
    let np = py.import("numpy")?;
    let arr = np
        .call_method1("ascontiguousarray", (obj, "float64"))
        .map_err(|e| PyTypeError::new_err(format!("{name} must be a real numeric array: {e}")))?;
    let arr = arr
        .cast_into::<PyArrayDyn<f64>>()
        .map_err(|_| PyTypeError::new_err(format!("{name} must be a real numeric array")))?;
    let shape = arr.shape().to_vec();
    if shape.len() != ndim {
        return Err(PyValueError::new_err(format!(
            "{name} must be {ndim}-dimensional {what}, got shape {}",
            shape_str(&shape)
        )));
    }
    let ro = arr.readonly();
    let data = ro
        .as_slice()
        .map(<[f64]>::to_vec)
        .unwrap_or_else(|_| ro.as_array().iter().copied().collect());
    Ok(Dense { data, shape })
}

/// `obj` as a 1-D array of non-negative indices (any integer dtype).
pub fn index_array(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<usize>> {
    let py = obj.py();
    let np = py.import("numpy")?;
    let arr = np.call_method1("asarray", (obj,))?;
    let (kind, dt) = dtype_kind(&arr).unwrap_or_default();
    let empty = arr.getattr("size")?.extract::<usize>()? == 0;
    // An empty list becomes a float64 array: no index in it has a wrong type.
    if !matches!(kind.as_str(), "i" | "u") && !empty {
        return Err(PyTypeError::new_err(format!(
            "{name} must be an integer array, got dtype {dt}"
        )));
    }
    let arr = np
        .call_method1("ascontiguousarray", (arr, "int64"))?
        .cast_into::<PyArrayDyn<i64>>()
        .map_err(|_| PyTypeError::new_err(format!("{name} must be an integer array")))?;
    if arr.ndim() != 1 {
        return Err(PyValueError::new_err(format!(
            "{name} must be 1-dimensional, got shape {}",
            shape_str(arr.shape())
        )));
    }
    let ro = arr.readonly();
    let mut out = Vec::with_capacity(ro.len());
    for (k, &v) in ro.as_array().iter().enumerate() {
        if v < 0 {
            return Err(PyValueError::new_err(format!(
                "{name}[{k}] is negative ({v})"
            )));
        }
        out.push(v as usize);
    }
    Ok(out)
}

/// A ValueError naming the first non-finite entry of `a` (`name[i, j]`), if any.
pub fn require_finite(a: &Dense, name: &str) -> PyResult<()> {
    let Some(k) = a.data.iter().position(|v| !v.is_finite()) else {
        return Ok(());
    };
    let mut index = Vec::with_capacity(a.shape.len());
    let mut rest = k;
    for &d in a.shape.iter().rev() {
        index.push(rest % d.max(1));
        rest /= d.max(1);
    }
    index.reverse();
    let index: Vec<String> = index.iter().map(usize::to_string).collect();
    Err(PyValueError::new_err(format!(
        "{name}[{}] is not finite ({})",
        index.join(", "),
        a.data[k]
    )))
}

/// A ValueError when a dimension of `a` is zero (an empty array where data is needed).
pub fn require_nonempty(a: &Dense, name: &str) -> PyResult<()> {
    if a.shape.contains(&0) {
        return Err(PyValueError::new_err(format!(
            "{name} is empty (shape {})",
            shape_str(&a.shape)
        )));
    }
    Ok(())
}

/// "(3, 4)" for a shape.
pub fn shape_str(shape: &[usize]) -> String {
    match shape {
        [a] => format!("({a},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A row-major r x c buffer as a faer matrix.
pub fn to_faer(data: &[f64], rows: usize, cols: usize) -> faer::Mat<f64> {
    faer::Mat::from_fn(rows, cols, |i, j| data[i * cols + j])
}

/// A column-major r x c buffer as a 2-D NumPy array (r, c).
pub fn col_major_to_numpy<'py>(
    py: Python<'py>,
    data: &[f64],
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let mut rm = vec![0.0; rows * cols];
    for j in 0..cols {
        for i in 0..rows {
            rm[i * cols + j] = data[i + j * rows];
        }
    }
    numpy::PyArray1::from_vec(py, rm).reshape([rows, cols])
}
