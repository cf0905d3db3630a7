//! Small dense helpers: a Cholesky factor with allocation-free in-place solves.

use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::reborrow::ReborrowMut;
use faer::{Mat, MatMut, Par, Side};

use super::error::ReluError;

/// Lower Cholesky factor L of an SPD matrix (L L^T = A).
#[derive(Debug, Clone)]
pub(crate) struct Chol {
    l: Mat<f64>,
}

impl Chol {
    /// Factorizes `a`; `what` names the matrix in the error.
    pub(crate) fn new(a: &Mat<f64>, what: &str) -> Result<Self, ReluError> {
        let llt = a
            .llt(Side::Lower)
            .map_err(|e| ReluError::LinAlg(format!("Cholesky of {what} failed: {e:?}")))?;
        Ok(Self {
            l: llt.L().to_owned(),
        })
    }

    /// rhs <- A^{-1} rhs.
    pub(crate) fn solve_in_place(&self, mut rhs: MatMut<'_, f64>) {
        solve_lower_triangular_in_place(self.l.as_ref(), rhs.rb_mut(), Par::Seq);
        solve_upper_triangular_in_place(self.l.transpose(), rhs, Par::Seq);
    }

    /// v <- A^{-1} v for a vector.
    pub(crate) fn solve_vec(&self, v: &mut [f64]) {
        let n = v.len();
        self.solve_in_place(MatMut::from_column_major_slice_mut(v, n, 1));
    }

    /// rhs <- L^{-1} rhs.
    pub(crate) fn solve_lower(&self, rhs: MatMut<'_, f64>) {
        solve_lower_triangular_in_place(self.l.as_ref(), rhs, Par::Seq);
    }
}

/// Type-II Anderson acceleration of a fixed-point map x -> T(x) with memory `mem`
/// (regularized least squares on the residual differences, as in SCS 3).
pub(crate) struct Anderson {
    mem: usize,
    /// Differences of residuals g = T(x) - x and of images T(x), newest last.
    dg: Vec<Vec<f64>>,
    dt: Vec<Vec<f64>>,
    last_g: Vec<f64>,
    last_t: Vec<f64>,
    has_last: bool,
    g: Vec<f64>,
}

impl Anderson {
    pub(crate) fn new(dim: usize, mem: usize) -> Self {
        Self {
            mem,
            dg: Vec::new(),
            dt: Vec::new(),
            last_g: vec![0.0; dim],
            last_t: vec![0.0; dim],
            has_last: false,
            g: vec![0.0; dim],
        }
    }

    pub(crate) fn reset(&mut self) {
        self.dg.clear();
        self.dt.clear();
        self.has_last = false;
    }

    /// Records the pair (x, T(x)).
    pub(crate) fn push(&mut self, x: &[f64], tx: &[f64]) {
        for i in 0..x.len() {
            self.g[i] = tx[i] - x[i];
        }
        if self.has_last {
            let (mut dg, mut dt) = if self.dg.len() == self.mem {
                (self.dg.remove(0), self.dt.remove(0))
            } else {
                (vec![0.0; x.len()], vec![0.0; x.len()])
            };
            for i in 0..x.len() {
                dg[i] = self.g[i] - self.last_g[i];
                dt[i] = tx[i] - self.last_t[i];
            }
            self.dg.push(dg);
            self.dt.push(dt);
        }
        self.last_g.copy_from_slice(&self.g);
        self.last_t.copy_from_slice(tx);
        self.has_last = true;
    }

    /// Writes T(x_k) - dT gamma into `out`, gamma = argmin ||g_k - dG gamma||; false when
    /// there is no history or the small system fails.
    pub(crate) fn extrapolate(&self, out: &mut [f64]) -> bool {
        let m = self.dg.len();
        if m == 0 {
            return false;
        }
        let mut a = Mat::<f64>::zeros(m, m);
        let mut b = Mat::<f64>::zeros(m, 1);
        for i in 0..m {
            for j in 0..=i {
                let v: f64 = self.dg[i].iter().zip(&self.dg[j]).map(|(p, q)| p * q).sum();
                a[(i, j)] = v;
                a[(j, i)] = v;
            }
            b[(i, 0)] = self.dg[i].iter().zip(&self.g).map(|(p, q)| p * q).sum();
        }
        let scale = (0..m).map(|i| a[(i, i)]).fold(0.0, f64::max).max(1e-300);
        for i in 0..m {
            a[(i, i)] += 1e-10 * scale;
        }
        let Ok(ch) = Chol::new(&a, "Anderson") else {
            return false;
        };
        ch.solve_in_place(b.as_mut());
        if (0..m).any(|i| !b[(i, 0)].is_finite()) {
            return false;
        }
        out.copy_from_slice(&self.last_t);
        for i in 0..m {
            let gi = b[(i, 0)];
            for (o, t) in out.iter_mut().zip(&self.dt[i]) {
                *o -= gi * t;
            }
        }
        true
    }
}
