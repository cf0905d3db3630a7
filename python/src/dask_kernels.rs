//! The block kernels of `opal.dask` (distributed matrix completion): thin wrappers of
//! `opal_completion::blocks` that take NumPy arrays, release the GIL while they run and
//! return NumPy arrays. The options are those of `opal.complete_matrix`, parsed by the
//! same code, so a block solve uses exactly the settings of the in-process solver.

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use opal_completion::blocks::{self, BlockSettings, Lines};
use opal_completion::{CompletionError, Duplicates, RegressionOptions, Settings};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::{float_array, index_array};
use crate::completion::settings;

fn data_err(e: CompletionError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Offsets as usize (non-negative checked).
fn offsets(ptr: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<usize>> {
    ptr.as_array()
        .iter()
        .map(|&p| usize::try_from(p).map_err(|_| PyValueError::new_err("negative block offset")))
        .collect()
}

fn contiguous<'a, T: numpy::Element>(
    a: &'a PyReadonlyArray1<'_, T>,
    name: &str,
) -> PyResult<&'a [T]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err(format!("{name} must be contiguous and aligned")))
}

/// A compressed block as the kernels receive it: (ptr int64, idx uint32, val float64).
type BlockArgs<'py> = (
    PyReadonlyArray1<'py, i64>,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, f64>,
);

/// A compressed block received as three arrays (offsets converted, the others borrowed).
struct BlockArrays<'a> {
    ptr: Vec<usize>,
    idx: &'a [u32],
    val: &'a [f64],
}

impl<'a> BlockArrays<'a> {
    fn new(block: &'a BlockArgs<'_>) -> PyResult<Self> {
        Ok(Self {
            ptr: offsets(&block.0)?,
            idx: contiguous(&block.1, "idx")?,
            val: contiguous(&block.2, "val")?,
        })
    }

    fn lines(&self) -> Lines<'_> {
        Lines {
            ptr: &self.ptr,
            idx: self.idx,
            val: self.val,
        }
    }
}

/// A row-major 2-D array of floats and its column count.
fn matrix<'a>(a: &'a PyReadonlyArray2<'_, f64>, name: &str) -> PyResult<(&'a [f64], usize)> {
    let cols = a.shape()[1];
    let data = a
        .as_slice()
        .map_err(|_| PyValueError::new_err(format!("{name} must be C-contiguous and aligned")))?;
    Ok((data, cols))
}

fn to_numpy2<'py>(py: Python<'py>, data: Vec<f64>, cols: usize) -> PyResult<Bound<'py, PyAny>> {
    let rows = data.len().checked_div(cols).unwrap_or(0);
    Ok(PyArray1::from_vec(py, data)
        .reshape([rows, cols])?
        .into_any())
}

/// The resolved settings of `complete_matrix(..., rank, **options)` as a dict (every
/// option, defaults filled in; `time_limit` in seconds or None). Raises ValueError for a
/// bad option, as `complete_matrix` does.
#[pyfunction]
#[pyo3(signature = (rank, **options))]
pub fn _completion_settings<'py>(
    py: Python<'py>,
    rank: usize,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let s: Settings = settings(rank, options)?;
    s.validate()
        .map_err(|e| PyValueError::new_err(format!("invalid {e}")))?;
    let d = PyDict::new(py);
    d.set_item("rank", s.rank)?;
    d.set_item("max_iter", s.budget.max_iterations)?;
    d.set_item("time_limit", s.budget.time_limit.map(|t| t.as_secs_f64()))?;
    d.set_item("tol", s.tol)?;
    d.set_item("stall_tol", s.stall_tol)?;
    d.set_item("patience", s.patience)?;
    d.set_item("seed", s.seed)?;
    d.set_item("mode", format!("{:?}", s.mode).to_lowercase())?;
    d.set_item("lam", s.lambda)?;
    d.set_item("weighted_lambda", s.weighted_lambda)?;
    d.set_item("biases", s.biases)?;
    d.set_item("validation_fraction", s.validation_fraction)?;
    d.set_item("inner_factor", s.inner_factor)?;
    d.set_item("inner_tol_max", s.inner_tol_max)?;
    d.set_item("inner_tol_min", s.inner_tol_min)?;
    d.set_item("power_iters", s.power_iters)?;
    d.set_item("oversampling", s.oversampling)?;
    d.set_item("incoherence", s.incoherence)?;
    d.set_item("duplicates", format!("{:?}", s.duplicates).to_lowercase())?;
    d.set_item("verbose", s.verbose)?;
    Ok(d)
}

/// Compresses one block's triplets: lines `first..first + count` (indices `line`), other
/// indices `other` below `other_len`, values `value`. Returns (ptr int64, idx uint32, val
/// float64, merged): line t's entries are ptr[t]..ptr[t+1], increasing along idx, repeated
/// positions averaged (duplicates="average") or refused ("error").
#[pyfunction]
#[pyo3(signature = (line, other, value, first, count, other_len, duplicates = "average"))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn _completion_compress<'py>(
    py: Python<'py>,
    line: &Bound<'py, PyAny>,
    other: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
    first: usize,
    count: usize,
    other_len: usize,
    duplicates: &str,
) -> PyResult<(
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<f64>>,
    usize,
)> {
    let policy = match duplicates {
        "average" => Duplicates::Average,
        "error" => Duplicates::Error,
        other => {
            return Err(PyValueError::new_err(format!(
                "duplicates must be 'average' or 'error', got {other:?}"
            )));
        }
    };
    let line = index_array(line, "line")?;
    let other = index_array(other, "other")?;
    let value = float_array(value, "value", 1, "(nnz,)")?.data;
    let b = py
        .detach(|| blocks::compress_block(first, count, other_len, &line, &other, &value, policy))
        .map_err(data_err)?;
    let ptr: Vec<i64> = b.ptr.iter().map(|&p| p as i64).collect();
    Ok((
        PyArray1::from_vec(py, ptr),
        PyArray1::from_vec(py, b.idx),
        PyArray1::from_vec(py, b.val),
        b.merged,
    ))
}

/// Rows `first..first + count` of the initialization's Gaussian test matrix (n x l) for
/// `seed`, as a (count, l) array.
#[pyfunction]
pub fn _completion_test_matrix<'py>(
    py: Python<'py>,
    seed: u64,
    l: usize,
    first: usize,
    count: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let data = py.detach(|| blocks::test_matrix_rows(seed, l, first, count));
    to_numpy2(py, data, l)
}

/// scale * B X for the compressed block B = (ptr, idx, val) and X a C-contiguous float64
/// (other_len, l) array; returns (lines, l).
#[pyfunction]
pub fn _completion_product<'py>(
    py: Python<'py>,
    block: BlockArgs<'py>,
    x: PyReadonlyArray2<'py, f64>,
    scale: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let block = BlockArrays::new(&block)?;
    let lines = block.lines();
    let (x, l) = matrix(&x, "x")?;
    let out = py
        .detach(|| blocks::block_product(&lines, scale, x, l))
        .map_err(data_err)?;
    to_numpy2(py, out, l)
}

fn block_settings(
    rank: usize,
    inner_tol: f64,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<BlockSettings> {
    let s = settings(rank, options)?;
    s.validate()
        .map_err(|e| PyValueError::new_err(format!("invalid {e}")))?;
    Ok(BlockSettings {
        rank,
        lambda: s.lambda,
        weighted_lambda: s.weighted_lambda,
        solver: s.solver,
        seed: s.seed,
        options: RegressionOptions {
            tol: inner_tol,
            max_iter: s.inner_max_iter,
            sketch_factor: s.sketch_factor,
            sketch_nnz: s.sketch_nnz,
        },
    })
}

/// The regressions of every line of the block (ptr, idx, val) given `fixed` (C-contiguous
/// float64 (other_len, rank)), from the warm start `start` ((lines, rank)), to relative
/// accuracy `inner_tol`; `first` is the block's first line, `stream` the half-sweep (2 s
/// for sweep s's V step, 2 s + 1 for its U step). Options as for `complete_matrix`.
/// Returns (new rows (lines, rank), rss, inner iterations, unconverged regressions).
#[pyfunction]
#[pyo3(signature = (block, first, fixed, start, rank, inner_tol, stream, **options))]
#[allow(clippy::too_many_arguments)]
pub fn _completion_solve<'py>(
    py: Python<'py>,
    block: BlockArgs<'py>,
    first: usize,
    fixed: PyReadonlyArray2<'py, f64>,
    start: PyReadonlyArray2<'py, f64>,
    rank: usize,
    inner_tol: f64,
    stream: u64,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyAny>, f64, usize, usize)> {
    let cfg = block_settings(rank, inner_tol, options)?;
    let block = BlockArrays::new(&block)?;
    let lines = block.lines();
    let (fixed, _) = matrix(&fixed, "fixed")?;
    let mut target = matrix(&start, "start")?.0.to_vec();
    let out = py
        .detach(|| blocks::solve_block(&lines, first, fixed, &mut target, &cfg, stream))
        .map_err(data_err)?;
    Ok((
        to_numpy2(py, target, rank)?,
        out.rss,
        out.iterations,
        out.unconverged,
    ))
}

/// Lines of the block whose regression given `fixed` is singular: (count, first local
/// index or None).
#[pyfunction]
#[pyo3(signature = (block, fixed, rank, **options))]
pub fn _completion_ill_posed<'py>(
    py: Python<'py>,
    block: BlockArgs<'py>,
    fixed: PyReadonlyArray2<'py, f64>,
    rank: usize,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<(usize, Option<usize>)> {
    let cfg = block_settings(rank, 1e-3, options)?;
    let block = BlockArrays::new(&block)?;
    let lines = block.lines();
    let (fixed, _) = matrix(&fixed, "fixed")?;
    py.detach(|| blocks::ill_posed_block(&lines, fixed, &cfg))
        .map_err(data_err)
}
