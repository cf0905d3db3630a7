//! A sparse matrix as coordinate triplets, held in memory: the observed entries that matrix
//! completion takes, whatever file or array they came from.

/// A sparse matrix as 0-based coordinate triplets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Triplets {
    /// Number of rows.
    pub nrows: usize,
    /// Number of columns.
    pub ncols: usize,
    /// Row of each entry.
    pub rows: Vec<usize>,
    /// Column of each entry.
    pub cols: Vec<usize>,
    /// Value of each entry.
    pub values: Vec<f64>,
}

impl Triplets {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.values.len()
    }
    /// True when no entry is stored.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// Checks indices against the shape and values for NaN; says which entry is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.rows.len() != self.values.len() || self.cols.len() != self.values.len() {
            return Err("rows, cols and values have different lengths".into());
        }
        for k in 0..self.len() {
            if self.rows[k] >= self.nrows || self.cols[k] >= self.ncols {
                return Err(format!(
                    "entry {k} at ({}, {}) is outside the {} x {} shape",
                    self.rows[k], self.cols[k], self.nrows, self.ncols
                ));
            }
            if !self.values[k].is_finite() {
                return Err(format!("entry {k} has non-finite value {}", self.values[k]));
            }
        }
        Ok(())
    }
}
