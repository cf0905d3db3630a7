//! A linear / mixed-integer model held in memory: what the MIP solvers take, whatever
//! produced it (a file reader, a generator, a modelling layer, Python arrays).

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
        self.max_violation_with(x, &mut Vec::new())
    }

    /// [`max_violation`](Self::max_violation) with the row activities computed in `act`
    /// (resized to the row count), so that a search loop can reuse one buffer.
    pub fn max_violation_with(&self, x: &[f64], act: &mut Vec<f64>) -> f64 {
        act.clear();
        act.resize(self.num_rows(), 0.0);
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
}
