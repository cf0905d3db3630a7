//! Rows of different lengths stored one after the other (the layout of CSR matrices): the
//! flattened tables of a decoded problem.

use std::ops::Range;

/// Rows of different lengths stored one after the other: row i is
/// `values[ptr[i]..ptr[i + 1]]`.
#[derive(Debug, Clone)]
pub(crate) struct Ragged<T> {
    ptr: Vec<usize>,
    values: Vec<T>,
}

impl<T> Default for Ragged<T> {
    fn default() -> Self {
        Self {
            ptr: vec![0],
            values: Vec::new(),
        }
    }
}

impl<T> Ragged<T> {
    /// Row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[T] {
        &self.values[self.ptr[i]..self.ptr[i + 1]]
    }

    /// Where row `i` stands among all the values.
    #[inline]
    pub fn range(&self, i: usize) -> Range<usize> {
        self.ptr[i]..self.ptr[i + 1]
    }

    /// All the values, row after row.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Adds a value to the row being built.
    pub fn push(&mut self, value: T) {
        self.values.push(value);
    }

    /// Adds values to the row being built.
    pub fn extend(&mut self, values: impl IntoIterator<Item = T>) {
        self.values.extend(values);
    }

    /// Ends the row being built (with the values added since the previous row ended).
    pub fn end_row(&mut self) {
        self.ptr.push(self.values.len());
    }
}
