//! The MPS writer of [`LinearModel`] (free-format MPS that HiGHS, SCIP and CPLEX read).
//! Reading MPS is left to HiGHS's reader at the edges (opal-io).

use std::fmt::Write as _;
use std::path::Path;

use crate::error::FormatError;
use crate::linear::{LinearModel, Sense};

impl LinearModel {
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
