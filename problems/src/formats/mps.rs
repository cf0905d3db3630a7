//! A linear / mixed-integer model in memory and its MPS writer (free-format MPS that
//! HiGHS, SCIP and CPLEX read). Reading MPS is left to HiGHS in the solvers.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::FormatError;

/// Optimization sense of the objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    /// Minimize.
    Minimize,
    /// Maximize.
    Maximize,
}

/// min/max c^T x + offset s.t. row_lower <= A x <= row_upper, col_lower <= x <= col_upper,
/// x_j integer where `integer[j]`. Infinite bounds are `f64::INFINITY` / `-f64::INFINITY`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// Model name.
    pub name: String,
    /// Objective sense.
    pub sense: Sense,
    /// Objective coefficients.
    pub cost: Vec<f64>,
    /// Objective constant.
    pub offset: f64,
    /// Column names.
    pub col_names: Vec<String>,
    /// Column lower bounds.
    pub col_lower: Vec<f64>,
    /// Column upper bounds.
    pub col_upper: Vec<f64>,
    /// Integrality of each column.
    pub integer: Vec<bool>,
    /// Row names.
    pub row_names: Vec<String>,
    /// Row lower bounds.
    pub row_lower: Vec<f64>,
    /// Row upper bounds.
    pub row_upper: Vec<f64>,
    /// Constraint matrix entries (row, col, value).
    pub entries: Vec<(usize, usize, f64)>,
}

impl LinearModel {
    /// An empty model.
    pub fn new(name: impl Into<String>, sense: Sense) -> Self {
        Self {
            name: name.into(),
            sense,
            cost: Vec::new(),
            offset: 0.0,
            col_names: Vec::new(),
            col_lower: Vec::new(),
            col_upper: Vec::new(),
            integer: Vec::new(),
            row_names: Vec::new(),
            row_lower: Vec::new(),
            row_upper: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// Adds a column; returns its index.
    pub fn add_col(
        &mut self,
        name: String,
        cost: f64,
        lower: f64,
        upper: f64,
        integer: bool,
    ) -> usize {
        self.col_names.push(name);
        self.cost.push(cost);
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        self.integer.push(integer);
        self.cost.len() - 1
    }

    /// Adds a row `lower <= sum coef * x_col <= upper`; returns its index.
    pub fn add_row(
        &mut self,
        name: String,
        lower: f64,
        upper: f64,
        coefs: &[(usize, f64)],
    ) -> usize {
        let r = self.row_names.len();
        self.row_names.push(name);
        self.row_lower.push(lower);
        self.row_upper.push(upper);
        self.entries.extend(coefs.iter().map(|&(c, v)| (r, c, v)));
        r
    }

    /// Number of columns.
    pub fn num_cols(&self) -> usize {
        self.cost.len()
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.row_names.len()
    }

    /// Objective value of `x` (in the model's sense).
    pub fn objective(&self, x: &[f64]) -> f64 {
        self.offset + self.cost.iter().zip(x).map(|(c, v)| c * v).sum::<f64>()
    }

    /// Largest violation of rows, bounds and integrality at `x`.
    pub fn max_violation(&self, x: &[f64]) -> f64 {
        let mut act = vec![0.0; self.num_rows()];
        for &(r, c, v) in &self.entries {
            act[r] += v * x[c];
        }
        let mut worst: f64 = 0.0;
        for r in 0..self.num_rows() {
            worst = worst
                .max(self.row_lower[r] - act[r])
                .max(act[r] - self.row_upper[r]);
        }
        for j in 0..self.num_cols() {
            worst = worst
                .max(self.col_lower[j] - x[j])
                .max(x[j] - self.col_upper[j]);
            if self.integer[j] {
                worst = worst.max((x[j] - x[j].round()).abs());
            }
        }
        worst
    }

    /// Free-format MPS text of the model.
    pub fn to_mps(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "NAME          {}", self.name);
        if self.sense == Sense::Maximize {
            let _ = writeln!(s, "OBJSENSE\n    MAX");
        }
        s.push_str("ROWS\n N  OBJ\n");
        for r in 0..self.num_rows() {
            let (lo, up) = (self.row_lower[r], self.row_upper[r]);
            let code = if lo == up {
                "E"
            } else if up.is_finite() {
                "L"
            } else if lo.is_finite() {
                "G"
            } else {
                "N"
            };
            let _ = writeln!(s, " {code}  {}", self.row_names[r]);
        }
        s.push_str("COLUMNS\n");
        let mut by_col: Vec<Vec<(usize, f64)>> = vec![Vec::new(); self.num_cols()];
        for &(r, c, v) in &self.entries {
            by_col[c].push((r, v));
        }
        let mut in_int = false;
        for j in 0..self.num_cols() {
            if self.integer[j] != in_int {
                let tag = if self.integer[j] { "INTORG" } else { "INTEND" };
                let _ = writeln!(
                    s,
                    "    MARKER                 'MARKER'                 '{tag}'"
                );
                in_int = self.integer[j];
            }
            let name = &self.col_names[j];
            if self.cost[j] != 0.0 || by_col[j].is_empty() {
                let _ = writeln!(s, "    {name:<8}  {:<8}  {}", "OBJ", self.cost[j]);
            }
            for &(r, v) in &by_col[j] {
                let _ = writeln!(s, "    {name:<8}  {:<8}  {v}", self.row_names[r]);
            }
        }
        if in_int {
            let _ = writeln!(
                s,
                "    MARKER                 'MARKER'                 'INTEND'"
            );
        }
        s.push_str("RHS\n");
        if self.offset != 0.0 {
            let _ = writeln!(s, "    RHS       OBJ       {}", -self.offset);
        }
        let mut ranges = String::new();
        for r in 0..self.num_rows() {
            let (lo, up) = (self.row_lower[r], self.row_upper[r]);
            let rhs = if up.is_finite() {
                up
            } else if lo.is_finite() {
                lo
            } else {
                0.0
            };
            if rhs != 0.0 {
                let _ = writeln!(s, "    RHS       {:<8}  {rhs}", self.row_names[r]);
            }
            if lo.is_finite() && up.is_finite() && lo != up {
                let _ = writeln!(
                    ranges,
                    "    RNG       {:<8}  {}",
                    self.row_names[r],
                    up - lo
                );
            }
        }
        if !ranges.is_empty() {
            s.push_str("RANGES\n");
            s.push_str(&ranges);
        }
        s.push_str("BOUNDS\n");
        for j in 0..self.num_cols() {
            let (lo, up, name) = (self.col_lower[j], self.col_upper[j], &self.col_names[j]);
            if self.integer[j] && lo == 0.0 && up == 1.0 {
                let _ = writeln!(s, " BV BND       {name}");
                continue;
            }
            if lo == up {
                let _ = writeln!(s, " FX BND       {name:<8}  {lo}");
                continue;
            }
            match (lo.is_finite(), up.is_finite()) {
                (false, false) => {
                    let _ = writeln!(s, " FR BND       {name}");
                }
                (false, true) => {
                    let _ = writeln!(s, " MI BND       {name}");
                    let _ = writeln!(s, " UP BND       {name:<8}  {up}");
                }
                (true, _) => {
                    if lo != 0.0 || self.integer[j] {
                        let _ = writeln!(s, " LO BND       {name:<8}  {lo}");
                    }
                    if up.is_finite() {
                        let _ = writeln!(s, " UP BND       {name:<8}  {up}");
                    } else if self.integer[j] {
                        let _ = writeln!(s, " PL BND       {name}");
                    }
                }
            }
        }
        s.push_str("ENDATA\n");
        s
    }

    /// Writes the model as an MPS file.
    pub fn write_mps(&self, path: &Path) -> Result<(), FormatError> {
        std::fs::write(path, self.to_mps()).map_err(|e| FormatError::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_all_sections() {
        let mut m = LinearModel::new("T", Sense::Maximize);
        let x = m.add_col("x".into(), 3.0, 0.0, 1.0, true);
        let y = m.add_col("y".into(), -1.0, -2.0, 4.5, false);
        let z = m.add_col("z".into(), 0.0, f64::NEG_INFINITY, f64::INFINITY, false);
        m.add_row("r1".into(), f64::NEG_INFINITY, 4.0, &[(x, 1.0), (y, 2.0)]);
        m.add_row("r2".into(), -1.0, 3.0, &[(y, 1.0), (z, -1.0)]);
        m.add_row("r3".into(), 2.0, 2.0, &[(x, 1.0), (z, 1.0)]);
        let text = m.to_mps();
        for needle in [
            "OBJSENSE",
            "'INTORG'",
            "'INTEND'",
            " L  r1",
            " L  r2",
            " E  r3",
            "RNG       r2        4",
            " BV BND       x",
            " LO BND       y         -2",
            " FR BND       z",
        ] {
            assert!(text.contains(needle), "missing {needle} in\n{text}");
        }
        assert_eq!(m.objective(&[1.0, 0.0, 1.0]), 3.0);
        assert_eq!(m.max_violation(&[1.0, 0.0, 1.0]), 0.0);
        assert!(m.max_violation(&[0.5, 0.0, 1.5]) >= 0.5);
    }
}
