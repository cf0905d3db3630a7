//! Observed entries: validation of the input triplets, duplicate handling, the held-out
//! split, and the compressed row (CSR) and column (CSC) indexes the sweeps walk.

use opal_problems::triplets::Triplets;
use rayon::prelude::*;

use super::rng::SplitMix;
use super::settings::Duplicates;
use crate::error::CompletionError;

/// One observation (row, column, value) with 32-bit indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// Row index.
    pub row: u32,
    /// Column index.
    pub col: u32,
    /// Observed value.
    pub value: f64,
}

/// Checks the triplets (lengths, shape, index range, finite values) and returns the
/// entries sorted by (column, row) with duplicates merged by `policy`, and how many input
/// entries were merged away.
pub fn prepare(t: &Triplets, policy: Duplicates) -> Result<(Vec<Entry>, usize), CompletionError> {
    if t.rows.len() != t.values.len() || t.cols.len() != t.values.len() {
        return Err(CompletionError::Data(format!(
            "rows, cols and values have lengths {}, {} and {}",
            t.rows.len(),
            t.cols.len(),
            t.values.len()
        )));
    }
    if t.nrows == 0 || t.ncols == 0 {
        return Err(CompletionError::Data(format!(
            "the shape {} x {} is empty",
            t.nrows, t.ncols
        )));
    }
    if t.nrows > u32::MAX as usize || t.ncols > u32::MAX as usize {
        return Err(CompletionError::Data(format!(
            "the shape {} x {} exceeds 2^32 - 1 rows or columns",
            t.nrows, t.ncols
        )));
    }
    if t.is_empty() {
        return Err(CompletionError::Data("no observed entries".into()));
    }
    let mut entries = Vec::with_capacity(t.len());
    for k in 0..t.len() {
        let (i, j, v) = (t.rows[k], t.cols[k], t.values[k]);
        if i >= t.nrows || j >= t.ncols {
            return Err(CompletionError::Data(format!(
                "entry {k} at (row {i}, column {j}) is outside the {} x {} shape (0-based)",
                t.nrows, t.ncols
            )));
        }
        if !v.is_finite() {
            return Err(CompletionError::Data(format!(
                "entry {k} at (row {i}, column {j}) has the non-finite value {v}"
            )));
        }
        entries.push(Entry {
            row: i as u32,
            col: j as u32,
            value: v,
        });
    }
    // Stable sort keeps input order inside a run of duplicates (irrelevant for the mean,
    // but the error message then names the first repeat in file order).
    entries.par_sort_by_key(|e| ((e.col as u64) << 32) | e.row as u64);
    let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
    let mut merged = 0usize;
    let mut run = 1usize;
    for e in entries {
        match out.last_mut() {
            Some(last) if last.row == e.row && last.col == e.col => {
                if policy == Duplicates::Error {
                    return Err(CompletionError::Data(format!(
                        "(row {}, column {}) is observed more than once (0-based)",
                        e.row, e.col
                    )));
                }
                // running mean over the run of equal positions
                run += 1;
                last.value += (e.value - last.value) / run as f64;
                merged += 1;
            }
            _ => {
                run = 1;
                out.push(e);
            }
        }
    }
    Ok((out, merged))
}

/// Splits `entries` at random into a training and a held-out part (about `fraction` of the
/// entries, seeded). Both keep the (column, row) order.
pub fn split_holdout(entries: Vec<Entry>, fraction: f64, seed: u64) -> (Vec<Entry>, Vec<Entry>) {
    if fraction <= 0.0 {
        return (entries, Vec::new());
    }
    let mut rng = SplitMix::new(seed ^ 0x7661_6c69_6461_7465);
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for e in entries {
        if rng.unit() < fraction {
            held.push(e);
        } else {
            train.push(e);
        }
    }
    (train, held)
}

/// Splits `entries` at random into `parts` disjoint parts (theory mode's sample splitting).
pub fn split_parts(entries: &[Entry], parts: usize, seed: u64) -> Vec<Vec<Entry>> {
    let mut rng = SplitMix::new(seed ^ 0x7370_6c69_7474_696e);
    let mut out = vec![Vec::with_capacity(entries.len() / parts + 1); parts];
    for e in entries {
        out[rng.below(parts as u64) as usize].push(*e);
    }
    out
}

/// Observed entries indexed by row (CSR) and by column (CSC).
#[derive(Debug, Clone)]
pub struct Observations {
    /// Number of rows m.
    pub nrows: usize,
    /// Number of columns n.
    pub ncols: usize,
    /// Row i's entries are `row_ptr[i]..row_ptr[i+1]` of `row_col` / `row_val`.
    pub row_ptr: Vec<usize>,
    /// Column index of each entry, by rows.
    pub row_col: Vec<u32>,
    /// Value of each entry, by rows.
    pub row_val: Vec<f64>,
    /// Column j's entries are `col_ptr[j]..col_ptr[j+1]` of `col_row` / `col_val`.
    pub col_ptr: Vec<usize>,
    /// Row index of each entry, by columns.
    pub col_row: Vec<u32>,
    /// Value of each entry, by columns.
    pub col_val: Vec<f64>,
}

impl Observations {
    /// Builds both indexes from entries sorted by (column, row) without duplicates.
    pub fn new(nrows: usize, ncols: usize, entries: &[Entry]) -> Self {
        let nnz = entries.len();
        let mut col_ptr = vec![0usize; ncols + 1];
        let mut row_ptr = vec![0usize; nrows + 1];
        for e in entries {
            col_ptr[e.col as usize + 1] += 1;
            row_ptr[e.row as usize + 1] += 1;
        }
        for j in 0..ncols {
            col_ptr[j + 1] += col_ptr[j];
        }
        for i in 0..nrows {
            row_ptr[i + 1] += row_ptr[i];
        }
        let col_row: Vec<u32> = entries.iter().map(|e| e.row).collect();
        let col_val: Vec<f64> = entries.iter().map(|e| e.value).collect();
        // counting sort into rows; columns stay increasing inside each row
        let mut next = row_ptr.clone();
        let mut row_col = vec![0u32; nnz];
        let mut row_val = vec![0.0; nnz];
        for e in entries {
            let p = &mut next[e.row as usize];
            row_col[*p] = e.col;
            row_val[*p] = e.value;
            *p += 1;
        }
        Observations {
            nrows,
            ncols,
            row_ptr,
            row_col,
            row_val,
            col_ptr,
            col_row,
            col_val,
        }
    }

    /// Number of observed entries.
    pub fn len(&self) -> usize {
        self.col_val.len()
    }

    /// Entries of row i: (column indices, values).
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.row_ptr[i]..self.row_ptr[i + 1];
        (&self.row_col[r.clone()], &self.row_val[r])
    }

    /// Entries of column j: (row indices, values).
    pub fn col(&self, j: usize) -> (&[u32], &[f64]) {
        let r = self.col_ptr[j]..self.col_ptr[j + 1];
        (&self.col_row[r.clone()], &self.col_val[r])
    }

    /// Largest number of entries in one row.
    pub fn max_row_len(&self) -> usize {
        (0..self.nrows)
            .map(|i| self.row_ptr[i + 1] - self.row_ptr[i])
            .max()
            .unwrap_or(0)
    }

    /// Largest number of entries in one column.
    pub fn max_col_len(&self) -> usize {
        (0..self.ncols)
            .map(|j| self.col_ptr[j + 1] - self.col_ptr[j])
            .max()
            .unwrap_or(0)
    }

    /// Smallest number of entries in one row and in one column.
    pub fn min_lens(&self) -> (usize, usize) {
        let r = (0..self.nrows)
            .map(|i| self.row_ptr[i + 1] - self.row_ptr[i])
            .min()
            .unwrap_or(0);
        let c = (0..self.ncols)
            .map(|j| self.col_ptr[j + 1] - self.col_ptr[j])
            .min()
            .unwrap_or(0);
        (r, c)
    }

    /// Sum of squared values.
    pub fn sum_sq(&self) -> f64 {
        self.col_val.iter().map(|v| v * v).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trip(rows: Vec<usize>, cols: Vec<usize>, values: Vec<f64>) -> Triplets {
        Triplets {
            nrows: 3,
            ncols: 4,
            rows,
            cols,
            values,
        }
    }

    #[test]
    fn validation_names_the_bad_entry() {
        let e = prepare(
            &trip(vec![0, 3], vec![0, 1], vec![1.0, 2.0]),
            Duplicates::Average,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("entry 1") && e.contains("outside"), "{e}");
        let e = prepare(
            &trip(vec![0, 1], vec![0, 1], vec![1.0, f64::NAN]),
            Duplicates::Average,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("entry 1") && e.contains("non-finite"), "{e}");
        let e = prepare(&trip(vec![0], vec![0, 1], vec![1.0]), Duplicates::Average)
            .unwrap_err()
            .to_string();
        assert!(e.contains("lengths"), "{e}");
        assert!(prepare(&trip(vec![], vec![], vec![]), Duplicates::Average).is_err());
    }

    #[test]
    fn duplicates_are_averaged_or_refused() {
        let t = trip(vec![1, 0, 1, 1], vec![2, 0, 2, 2], vec![1.0, 5.0, 2.0, 6.0]);
        let (e, merged) = prepare(&t, Duplicates::Average).unwrap();
        assert_eq!(merged, 2);
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].row, e[0].col, e[0].value), (0, 0, 5.0));
        assert_eq!((e[1].row, e[1].col), (1, 2));
        assert!((e[1].value - 3.0).abs() < 1e-15);
        let err = prepare(&t, Duplicates::Error).unwrap_err().to_string();
        assert!(err.contains("row 1, column 2"), "{err}");
    }

    #[test]
    fn both_indexes_agree_and_empty_lines_are_fine() {
        let t = trip(
            vec![2, 0, 2, 1, 0],
            vec![3, 3, 0, 1, 1],
            vec![1.0, 2.0, 3.0, 4.0, 5.0],
        );
        let (e, _) = prepare(&t, Duplicates::Average).unwrap();
        let o = Observations::new(3, 4, &e);
        assert_eq!(o.len(), 5);
        assert_eq!(o.col(2).0.len(), 0); // empty column
        assert_eq!(o.row(0), (&[1u32, 3][..], &[5.0, 2.0][..]));
        assert_eq!(o.col(3), (&[0u32, 2][..], &[2.0, 1.0][..]));
        assert_eq!(o.min_lens(), (1, 0));
        assert_eq!(o.max_row_len(), 2);
        let (train, held) = split_holdout(e.clone(), 0.5, 3);
        assert_eq!(train.len() + held.len(), 5);
        let parts = split_parts(&e, 3, 1);
        assert_eq!(parts.iter().map(Vec::len).sum::<usize>(), 5);
    }
}
