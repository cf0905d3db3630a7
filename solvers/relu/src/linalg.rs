//! Small dense helpers: a Cholesky factor that refactorizes in place (its storage and
//! faer's scratch sized once, so a changed penalty costs no allocation) with
//! allocation-free solves, and Anderson acceleration on preallocated history.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{cholesky_in_place, cholesky_in_place_scratch};
use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::reborrow::ReborrowMut;
use faer::{Mat, MatMut, MatRef, Par, get_global_parallelism};

use super::error::ReluError;

/// Lower Cholesky factor L of an SPD matrix (L L^T = A), of any order up to the capacity
/// it was made with. Factorizing is faer's `Mat::llt` done in place (same algorithm, same
/// factors to the bit), sequential unless made with [`Chol::parallel`]: faer's parallel
/// Cholesky goes through rayon, whose task bookkeeping allocates (about 90 allocations for
/// n = 200), which the ADMM loop must not do when it refactorizes for a new rho.
pub(crate) struct Chol {
    /// Capacity x capacity; the factor of order `n` is its leading block.
    l: Mat<f64>,
    n: usize,
    par: Par,
    scratch: MemBuffer,
}

impl std::fmt::Debug for Chol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chol").field("n", &self.n).finish()
    }
}

impl Chol {
    /// Storage for factors of order up to `capacity` (nothing factorized yet), factorized
    /// sequentially.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self::with_par(capacity, Par::Seq)
    }

    /// As [`Chol::with_capacity`], factorized with faer's global parallelism (large
    /// matrices factorized outside allocation-free loops: the interior point's n x n).
    pub(crate) fn parallel(capacity: usize) -> Self {
        Self::with_par(capacity, get_global_parallelism())
    }

    fn with_par(capacity: usize, par: Par) -> Self {
        let req = cholesky_in_place_scratch::<f64>(capacity, par, Default::default());
        Self {
            l: Mat::zeros(capacity, capacity),
            n: 0,
            par,
            scratch: MemBuffer::new(req),
        }
    }

    /// Factorizes `a`; `what` names the matrix in the error.
    pub(crate) fn new(a: MatRef<'_, f64>, what: &str) -> Result<Self, ReluError> {
        let mut ch = Self::with_capacity(a.nrows());
        ch.factor(a.nrows(), |i, j| a[(i, j)], what)?;
        Ok(ch)
    }

    /// Factorizes the n x n matrix whose lower triangle is `entry(i, j)` (i >= j), in place.
    pub(crate) fn factor(
        &mut self,
        n: usize,
        entry: impl Fn(usize, usize) -> f64,
        what: &str,
    ) -> Result<(), ReluError> {
        assert!(n <= self.l.nrows(), "Cholesky of order {n} beyond capacity");
        self.n = n;
        let mut l = self.l.as_mut().submatrix_mut(0, 0, n, n);
        for j in 0..n {
            for i in 0..n {
                l[(i, j)] = if i >= j { entry(i, j) } else { 0.0 };
            }
        }
        cholesky_in_place(
            l.rb_mut(),
            Default::default(),
            self.par,
            MemStack::new(&mut self.scratch),
            Default::default(),
        )
        .map_err(|e| ReluError::LinAlg(format!("Cholesky of {what} failed: {e:?}")))?;
        for j in 0..n {
            for i in 0..j {
                l[(i, j)] = 0.0;
            }
        }
        Ok(())
    }

    /// Factorizes the matrix `entry` plus `delta * shift` on the diagonal with the smallest
    /// delta in 1e-14, 1e-12, ..., 1e-6 that Cholesky accepts (the barrier matrices of the
    /// interior points are SPD in theory, semidefinite to rounding in practice).
    pub(crate) fn factor_regularized(
        &mut self,
        n: usize,
        entry: impl Fn(usize, usize) -> f64,
        shift: f64,
        what: &str,
    ) -> Result<(), ReluError> {
        let mut delta = 1e-14;
        loop {
            let reg = |r: usize, c: usize| entry(r, c) + if r == c { delta * shift } else { 0.0 };
            match self.factor(n, reg, what) {
                Ok(()) => return Ok(()),
                Err(e) if delta >= 1e-6 || !shift.is_finite() => return Err(e),
                Err(_) => delta *= 100.0,
            }
        }
    }

    fn factor_ref(&self) -> MatRef<'_, f64> {
        self.l.as_ref().submatrix(0, 0, self.n, self.n)
    }

    /// rhs <- A^{-1} rhs.
    pub(crate) fn solve_in_place(&self, mut rhs: MatMut<'_, f64>) {
        let l = self.factor_ref();
        solve_lower_triangular_in_place(l, rhs.rb_mut(), Par::Seq);
        solve_upper_triangular_in_place(l.transpose(), rhs, Par::Seq);
    }

    /// v <- A^{-1} v for a vector.
    pub(crate) fn solve_vec(&self, v: &mut [f64]) {
        let n = v.len();
        self.solve_in_place(MatMut::from_column_major_slice_mut(v, n, 1));
    }

    /// rhs <- L^{-1} rhs.
    pub(crate) fn solve_lower(&self, rhs: MatMut<'_, f64>) {
        solve_lower_triangular_in_place(self.factor_ref(), rhs, Par::Seq);
    }
}

/// Type-II Anderson acceleration of a fixed-point map x -> T(x) with memory `mem`
/// (regularized least squares on the residual differences, as in SCS 3). The history and
/// the small least-squares system live in storage sized once.
pub(crate) struct Anderson {
    mem: usize,
    /// Differences of residuals g = T(x) - x and of images T(x), oldest first.
    dg: Vec<Vec<f64>>,
    dt: Vec<Vec<f64>>,
    /// Unused history vectors (so that a reset and refill allocate nothing).
    spare: Vec<Vec<f64>>,
    last_g: Vec<f64>,
    last_t: Vec<f64>,
    has_last: bool,
    g: Vec<f64>,
    gram: Mat<f64>,
    coef: Mat<f64>,
    chol: Chol,
}

impl Anderson {
    pub(crate) fn new(dim: usize, mem: usize) -> Self {
        Self {
            mem,
            dg: Vec::with_capacity(mem),
            dt: Vec::with_capacity(mem),
            spare: (0..2 * mem).map(|_| vec![0.0; dim]).collect(),
            last_g: vec![0.0; dim],
            last_t: vec![0.0; dim],
            has_last: false,
            g: vec![0.0; dim],
            gram: Mat::zeros(mem, mem),
            coef: Mat::zeros(mem, 1),
            chol: Chol::with_capacity(mem),
        }
    }

    pub(crate) fn reset(&mut self) {
        self.spare.append(&mut self.dg);
        self.spare.append(&mut self.dt);
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
                let spare = &mut self.spare;
                (
                    spare.pop().expect("2 mem spare vectors"),
                    spare.pop().expect("2 mem spare vectors"),
                )
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
    pub(crate) fn extrapolate(&mut self, out: &mut [f64]) -> bool {
        let m = self.dg.len();
        if m == 0 {
            return false;
        }
        let (a, b) = (&mut self.gram, &mut self.coef);
        for i in 0..m {
            for j in 0..=i {
                let v = opal_core::linalg::dot(&self.dg[i], &self.dg[j]);
                a[(i, j)] = v;
                a[(j, i)] = v;
            }
            b[(i, 0)] = opal_core::linalg::dot(&self.dg[i], &self.g);
        }
        let scale = (0..m).map(|i| a[(i, i)]).fold(0.0, f64::max).max(1e-300);
        for i in 0..m {
            a[(i, i)] += 1e-10 * scale;
        }
        let a = &*a;
        if self.chol.factor(m, |i, j| a[(i, j)], "Anderson").is_err() {
            return false;
        }
        self.chol.solve_in_place(b.as_mut().subrows_mut(0, m));
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
