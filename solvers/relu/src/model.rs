//! The fitted convex model and the two-layer network recovered from its nonzero blocks.

use faer::{Mat, MatRef};

use super::data::{augment, check_finite};
use super::error::ReluError;
use super::ops::mul;
use super::settings::Variant;

/// Weights of a fitted program. Matrices are d x P (column i belongs to gate i), where d
/// counts the bias column when `fit_intercept` is set; Python's `u_` etc. are transposes.
#[derive(Debug, Clone)]
pub struct Model {
    /// Program that was solved.
    pub variant: Variant,
    /// Whether a constant-one column was appended to X.
    pub fit_intercept: bool,
    /// Gate vectors g_i (d x P).
    pub gates: Mat<f64>,
    /// Gated weights u_i (d x P); d x 0 for the ReLU program.
    pub u: Mat<f64>,
    /// ReLU positive-part weights v_i (d x P); d x 0 for the gated program.
    pub v: Mat<f64>,
    /// ReLU negative-part weights w_i (d x P); d x 0 for the gated program.
    pub w: Mat<f64>,
}

/// A two-layer network x -> sum_k alpha_k act_k(x) (x^T W_k) with act_k = 1[x^T g_k >= 0]
/// (gated) or the ReLU (1[x^T W_k >= 0]).
#[derive(Debug, Clone)]
pub struct Network {
    /// First-layer weights, d x K (bias coordinate last when `fit_intercept`).
    pub first: Mat<f64>,
    /// Output weights alpha_k.
    pub second: Vec<f64>,
    /// Fixed gates (gated networks), d x K.
    pub gates: Option<Mat<f64>>,
    /// Whether inputs get a constant-one coordinate appended.
    pub fit_intercept: bool,
}

impl Model {
    /// The gated model with weights `u` (d x P) and its gates.
    pub(crate) fn gated(u: Mat<f64>, gates: Mat<f64>, fit_intercept: bool) -> Self {
        let d = u.nrows();
        Self {
            variant: Variant::Gated,
            fit_intercept,
            gates,
            u,
            v: Mat::zeros(d, 0),
            w: Mat::zeros(d, 0),
        }
    }

    /// The ReLU model of the blocks (v | w) = `vw` (d x 2P) and its gates.
    pub(crate) fn relu_blocks(vw: &Mat<f64>, gates: Mat<f64>, fit_intercept: bool) -> Self {
        let (d, p) = (vw.nrows(), vw.ncols() / 2);
        Self {
            variant: Variant::Relu,
            fit_intercept,
            gates,
            u: Mat::zeros(d, 0),
            v: vw.as_ref().subcols(0, p).to_owned(),
            w: vw.as_ref().subcols(p, p).to_owned(),
        }
    }

    /// Number of features the model expects (without the bias column).
    pub fn n_features(&self) -> usize {
        self.gates.nrows() - usize::from(self.fit_intercept)
    }

    /// Number of kept gates P.
    pub fn n_patterns(&self) -> usize {
        self.gates.ncols()
    }

    /// The recovered network: a block b != 0 gives first-layer weights b / sqrt(||b||) and
    /// output weight ±sqrt(||b||) (minus for the w blocks), so that the weight-decay penalty
    /// (lam/2)(||W||^2 + ||alpha||^2) equals lam sum ||b||.
    pub fn network(&self) -> Network {
        let d = self.gates.nrows();
        let mut cols: Vec<(Vec<f64>, f64, usize)> = Vec::new();
        let mut take = |m: &Mat<f64>, sign: f64| {
            for i in 0..m.ncols() {
                let c = m.col_as_slice(i);
                let nrm = c.iter().map(|v| v * v).sum::<f64>().sqrt();
                if nrm > 0.0 {
                    let s = nrm.sqrt();
                    cols.push((c.iter().map(|v| v / s).collect(), sign * s, i));
                }
            }
        };
        match self.variant {
            Variant::Gated => take(&self.u, 1.0),
            Variant::Relu => {
                take(&self.v, 1.0);
                take(&self.w, -1.0);
            }
        }
        let first = Mat::from_fn(d, cols.len(), |k, c| cols[c].0[k]);
        let second = cols.iter().map(|c| c.1).collect();
        let gates = (self.variant == Variant::Gated)
            .then(|| Mat::from_fn(d, cols.len(), |k, c| self.gates[(k, cols[c].2)]));
        Network {
            first,
            second,
            gates,
            fit_intercept: self.fit_intercept,
        }
    }

    /// Decision function of the recovered network on raw inputs (n x n_features).
    pub fn decision_function(&self, x: MatRef<'_, f64>) -> Result<Vec<f64>, ReluError> {
        self.network().forward(x)
    }

    /// Signs of the decision function (classification labels ±1).
    pub fn predict_class(&self, x: MatRef<'_, f64>) -> Result<Vec<f64>, ReluError> {
        Ok(self
            .decision_function(x)?
            .into_iter()
            .map(|v| if v >= 0.0 { 1.0 } else { -1.0 })
            .collect())
    }

    /// The convex program's prediction sum_i D_i(x) X (u_i) (or v_i - w_i) with the
    /// patterns D_i(x) = 1[x^T g_i >= 0] of the stored gates.
    pub fn convex_predict(&self, x: MatRef<'_, f64>) -> Result<Vec<f64>, ReluError> {
        let xa = self.prepare(x)?;
        let n = xa.nrows();
        let p = self.n_patterns();
        let mut xg = Mat::<f64>::zeros(n, p);
        mul(xg.as_mut(), xa.as_ref(), self.gates.as_ref());
        let weights = match self.variant {
            Variant::Gated => self.u.clone(),
            Variant::Relu => &self.v - &self.w,
        };
        let mut xu = Mat::<f64>::zeros(n, p);
        mul(xu.as_mut(), xa.as_ref(), weights.as_ref());
        Ok((0..n)
            .map(|j| {
                (0..p)
                    .filter(|&i| xg[(j, i)] >= 0.0)
                    .map(|i| xu[(j, i)])
                    .sum()
            })
            .collect())
    }

    fn prepare(&self, x: MatRef<'_, f64>) -> Result<Mat<f64>, ReluError> {
        prepare(x, self.n_features(), self.fit_intercept)
    }
}

fn prepare(x: MatRef<'_, f64>, d: usize, bias: bool) -> Result<Mat<f64>, ReluError> {
    if x.ncols() != d {
        return Err(ReluError::Data(format!(
            "X has {} features, the model was fitted on {d}",
            x.ncols()
        )));
    }
    check_finite(x)?;
    Ok(augment(x, bias))
}

impl Network {
    /// Number of hidden units.
    pub fn width(&self) -> usize {
        self.second.len()
    }

    /// Network outputs on raw inputs (n x d, bias column added here when needed).
    pub fn forward(&self, x: MatRef<'_, f64>) -> Result<Vec<f64>, ReluError> {
        let d = self.first.nrows() - usize::from(self.fit_intercept);
        let xa = prepare(x, d, self.fit_intercept)?;
        Ok(self.forward_augmented(xa.as_ref()))
    }

    /// Outputs on inputs that already carry the bias column.
    pub fn forward_augmented(&self, xa: MatRef<'_, f64>) -> Vec<f64> {
        let (n, k) = (xa.nrows(), self.width());
        let mut h = Mat::<f64>::zeros(n, k);
        mul(h.as_mut(), xa, self.first.as_ref());
        let gate = self.gates.as_ref().map(|g| {
            let mut xg = Mat::<f64>::zeros(n, k);
            mul(xg.as_mut(), xa, g.as_ref());
            xg
        });
        (0..n)
            .map(|j| {
                (0..k)
                    .map(|c| {
                        let on = match &gate {
                            Some(xg) => xg[(j, c)] >= 0.0,
                            None => h[(j, c)] >= 0.0,
                        };
                        if on { self.second[c] * h[(j, c)] } else { 0.0 }
                    })
                    .sum()
            })
            .collect()
    }

    /// Gradient of the output with respect to the (non-bias) input coordinates of one
    /// sample `x` (length d): sum_k alpha_k act_k(x) W_k.
    pub fn input_gradient(&self, x: &[f64], out: &mut [f64]) {
        let d = x.len();
        out.fill(0.0);
        for c in 0..self.width() {
            let w = self.first.col_as_slice(c);
            let mut pre: f64 = (0..d).map(|k| w[k] * x[k]).sum();
            let mut gpre = match &self.gates {
                Some(g) => (0..d).map(|k| g[(k, c)] * x[k]).sum::<f64>(),
                None => 0.0,
            };
            if self.fit_intercept {
                pre += w[d];
                if let Some(g) = &self.gates {
                    gpre += g[(d, c)];
                }
            }
            let on = if self.gates.is_some() {
                gpre >= 0.0
            } else {
                pre >= 0.0
            };
            if on {
                for k in 0..d {
                    out[k] += self.second[c] * w[k];
                }
            }
        }
    }
}
