//! Size and structure of a linear / mixed-integer model, as `opal inspect FILE.mps` shows
//! them: rows, columns, nonzeros, variable kinds, objective sense, and how columns and rows
//! are bounded.

use opal_problems::linear::{LinearModel, Sense};

/// Bound classes of a set of intervals `[lower, upper]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoundCounts {
    /// Both bounds infinite.
    pub free: usize,
    /// Finite lower bound only.
    pub lower_only: usize,
    /// Finite upper bound only.
    pub upper_only: usize,
    /// Both finite and different.
    pub boxed: usize,
    /// Both finite and equal.
    pub fixed: usize,
}

impl BoundCounts {
    /// Counts the classes of the intervals `lower[i]..=upper[i]`.
    pub fn of(lower: &[f64], upper: &[f64]) -> Self {
        let mut c = Self::default();
        for (&l, &u) in lower.iter().zip(upper) {
            match (l.is_finite(), u.is_finite()) {
                (false, false) => c.free += 1,
                (true, false) => c.lower_only += 1,
                (false, true) => c.upper_only += 1,
                (true, true) if l == u => c.fixed += 1,
                (true, true) => c.boxed += 1,
            }
        }
        c
    }
}

/// Counts describing a model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelStats {
    /// Model name.
    pub name: String,
    /// Objective sense.
    pub sense: Sense,
    /// Constraint rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Nonzero coefficients of the constraint matrix.
    pub nonzeros: usize,
    /// Integer columns with bounds within [0, 1].
    pub binaries: usize,
    /// Other integer columns.
    pub general_integers: usize,
    /// Continuous columns.
    pub continuous: usize,
    /// Columns with a nonzero objective coefficient.
    pub objective_nonzeros: usize,
    /// Bound classes of the columns.
    pub col_bounds: BoundCounts,
    /// Bound classes of the rows (fixed: equality rows, boxed: ranged rows).
    pub row_bounds: BoundCounts,
}

impl ModelStats {
    /// The counts of `model`.
    pub fn of(model: &LinearModel) -> Self {
        let mut binaries = 0;
        let mut general_integers = 0;
        for j in 0..model.num_cols() {
            if model.integer[j] {
                if model.col_lower[j] >= 0.0 && model.col_upper[j] <= 1.0 {
                    binaries += 1;
                } else {
                    general_integers += 1;
                }
            }
        }
        let nonzeros = model.entries.iter().filter(|e| e.2 != 0.0).count();
        Self {
            name: model.name.clone(),
            sense: model.sense,
            rows: model.num_rows(),
            cols: model.num_cols(),
            nonzeros,
            binaries,
            general_integers,
            continuous: model.num_cols() - binaries - general_integers,
            objective_nonzeros: model.cost.iter().filter(|c| **c != 0.0).count(),
            col_bounds: BoundCounts::of(&model.col_lower, &model.col_upper),
            row_bounds: BoundCounts::of(&model.row_lower, &model.row_upper),
        }
    }

    /// `minimize` or `maximize`.
    pub fn sense_name(&self) -> &'static str {
        match self.sense {
            Sense::Minimize => "minimize",
            Sense::Maximize => "maximize",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_kinds_bounds_and_nonzeros() {
        let inf = f64::INFINITY;
        let mut m = LinearModel::new("t", Sense::Maximize);
        m.add_col("b".into(), 1.0, 0.0, 1.0, true);
        m.add_col("g".into(), 0.0, -3.0, 7.0, true);
        m.add_col("x".into(), 2.0, -inf, inf, false);
        m.add_col("y".into(), 0.0, 1.0, inf, false);
        m.add_col("z".into(), 0.0, 2.0, 2.0, false);
        m.add_col("u".into(), 0.0, -inf, 4.0, false);
        m.add_row("r0".into(), -inf, 4.0, &[(0, 1.0), (1, 2.0)]);
        m.add_row("r1".into(), 1.0, 1.0, &[(2, 1.0), (3, 0.0)]);
        m.add_row("r2".into(), 0.0, 5.0, &[(4, 1.0)]);
        let s = ModelStats::of(&m);
        assert_eq!((s.rows, s.cols, s.nonzeros), (3, 6, 4));
        assert_eq!((s.binaries, s.general_integers, s.continuous), (1, 1, 4));
        assert_eq!(s.objective_nonzeros, 2);
        assert_eq!(s.sense_name(), "maximize");
        assert_eq!(
            s.col_bounds,
            BoundCounts {
                free: 1,
                lower_only: 1,
                upper_only: 1,
                boxed: 2,
                fixed: 1
            }
        );
        assert_eq!(
            s.row_bounds,
            BoundCounts {
                free: 0,
                lower_only: 0,
                upper_only: 1,
                boxed: 1,
                fixed: 1
            }
        );
    }
}
