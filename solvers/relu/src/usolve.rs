//! The u-update of ADMM: solves A u = b with A = I + (1/rho) F^T F + G^T G (see
//! the `admm` module), exactly by Woodbury through an n x n capacitance matrix, or by
//! block-Jacobi preconditioned CG. Both keep their workspaces and factors for the whole
//! run: a changed rho refactorizes in place, and no solve allocates.

use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Mat, MatMut, MatRef};

use super::error::ReluError;
use super::linalg::Chol;
use super::ops::{Forward, frob_dot, gemm, mul, mul_add};
use super::program::Problem;

/// Exact u-update by Woodbury (see the `admm` module docs).
pub(crate) struct Woodbury {
    relu: bool,
    b: Option<Chol>,
    hd: Mat<f64>,
    c: Chol,
    fw: Forward,
    a: Mat<f64>,
}

impl Woodbury {
    pub(crate) fn new(
        prob: &Problem<'_>,
        relu: bool,
        rho: f64,
        c2: f64,
    ) -> Result<Self, ReluError> {
        let (n, d, p) = (prob.n(), prob.d(), prob.p());
        let x = prob.x;
        // H = X B^{-1} X^T (B = I + X^T X) or X X^T.
        let (b, h) = if relu {
            let mut bm = Mat::<f64>::identity(d, d);
            gemm(bm.as_mut(), true, x.transpose(), x, c2);
            let bc = Chol::new(bm.as_ref(), "I + c^2 X^T X")?;
            let mut z = x.transpose().to_owned();
            bc.solve_lower(z.as_mut());
            let mut h = Mat::<f64>::zeros(n, n);
            mul(h.as_mut(), z.transpose(), z.as_ref());
            (Some(bc), h)
        } else {
            let mut h = Mat::<f64>::zeros(n, n);
            mul(h.as_mut(), x, x.transpose());
            (None, h)
        };
        let mut ddt = Mat::<f64>::zeros(n, n);
        mul(ddt.as_mut(), prob.pat, prob.pat.transpose());
        let scale = if relu { 2.0 } else { 1.0 };
        let hd = Mat::from_fn(n, n, |i, j| scale * h[(i, j)] * ddt[(i, j)]);
        let mut w = Self {
            relu,
            b,
            hd,
            c: Chol::with_capacity(n),
            fw: Forward::new(n, d, p),
            a: Mat::zeros(d, p),
        };
        w.set_rho(rho)?;
        Ok(w)
    }

    /// Refactorizes the capacitance matrix rho I + F K^-1 F^T for a new rho (in place).
    pub(crate) fn set_rho(&mut self, rho: f64) -> Result<(), ReluError> {
        let hd = &self.hd;
        let entry = |i: usize, j: usize| hd[(i, j)] + if i == j { rho } else { 0.0 };
        let n = hd.nrows();
        self.c
            .factor(n, entry, "the capacitance matrix rho I + F K^-1 F^T")
    }

    /// u <- A^{-1} u, u is d x m.
    pub(crate) fn solve(&mut self, prob: &Problem<'_>, mut u: MatMut<'_, f64>) {
        let p = prob.p();
        if let Some(b) = &self.b {
            b.solve_in_place(u.rb_mut());
        }
        self.fw.apply(prob.x, prob.pat, u.rb(), self.relu);
        self.c.solve_vec(&mut self.fw.out);
        self.fw
            .adjoint_of_out(prob.x, prob.pat, 1.0, self.a.as_mut());
        if let Some(b) = &self.b {
            b.solve_in_place(self.a.as_mut());
        }
        for i in 0..p {
            for k in 0..u.nrows() {
                let a = self.a[(k, i)];
                u[(k, i)] -= a;
                if self.relu {
                    u[(k, i + p)] += a;
                }
            }
        }
    }
}

/// The operator A of the CG variant and its scratch.
struct Operator {
    relu: bool,
    xtx: Mat<f64>,
    rho: f64,
    xw: Mat<f64>,
    fw: Forward,
    a: Mat<f64>,
}

impl Operator {
    /// out = A u.
    fn apply(&mut self, prob: &Problem<'_>, u: MatRef<'_, f64>, mut out: MatMut<'_, f64>) {
        let p = prob.p();
        out.copy_from(u);
        if self.relu {
            mul(self.xw.as_mut(), prob.x, u);
            mul_add(out.rb_mut(), prob.x.transpose(), self.xw.as_ref());
        }
        self.fw.apply(prob.x, prob.pat, u, self.relu);
        let alpha = 1.0 / self.rho;
        self.fw
            .adjoint_of_out(prob.x, prob.pat, alpha, self.a.as_mut());
        for i in 0..p {
            for k in 0..u.nrows() {
                out[(k, i)] += self.a[(k, i)];
                if self.relu {
                    out[(k, i + p)] -= self.a[(k, i)];
                }
            }
        }
    }
}

/// u-update by block-Jacobi preconditioned CG, warm-started from the previous u.
pub(crate) struct CgSolve {
    op: Operator,
    /// X^T D_i X for each pattern.
    xdx: Vec<Mat<f64>>,
    prec: Vec<Chol>,
    tol: f64,
    r: Mat<f64>,
    z: Mat<f64>,
    pdir: Mat<f64>,
    ap: Mat<f64>,
    iterations: usize,
}

impl CgSolve {
    pub(crate) fn new(
        prob: &Problem<'_>,
        relu: bool,
        rho: f64,
        tol: f64,
        c2: f64,
    ) -> Result<Self, ReluError> {
        let (n, d, p) = (prob.n(), prob.d(), prob.p());
        let m = if relu { 2 * p } else { p };
        let mut xdx = Vec::with_capacity(p);
        let mut xs = Mat::<f64>::zeros(n, d);
        for i in 0..p {
            for k in 0..d {
                for j in 0..n {
                    xs[(j, k)] = prob.pat[(j, i)] * prob.x[(j, k)];
                }
            }
            let mut g = Mat::<f64>::zeros(d, d);
            mul(g.as_mut(), xs.transpose(), xs.as_ref());
            xdx.push(g);
        }
        let mut xtx = Mat::<f64>::zeros(d, d);
        gemm(xtx.as_mut(), false, prob.x.transpose(), prob.x, c2);
        let mut s = Self {
            op: Operator {
                relu,
                xtx,
                rho,
                xw: Mat::zeros(n, m),
                fw: Forward::new(n, d, p),
                a: Mat::zeros(d, p),
            },
            prec: (0..p).map(|_| Chol::with_capacity(d)).collect(),
            xdx,
            tol,
            r: Mat::zeros(d, m),
            z: Mat::zeros(d, m),
            pdir: Mat::zeros(d, m),
            ap: Mat::zeros(d, m),
            iterations: 0,
        };
        s.set_rho(rho)?;
        Ok(s)
    }

    /// Refactorizes the preconditioner blocks I + c^2 X^T X + X^T D_i X / rho (in place).
    pub(crate) fn set_rho(&mut self, rho: f64) -> Result<(), ReluError> {
        self.op.rho = rho;
        let (relu, xtx) = (self.op.relu, &self.op.xtx);
        let d = xtx.nrows();
        for (g, ch) in self.xdx.iter().zip(&mut self.prec) {
            let entry = |i: usize, j: usize| {
                let base = if i == j { 1.0 } else { 0.0 };
                let gtg = if relu { xtx[(i, j)] } else { 0.0 };
                base + gtg + g[(i, j)] / rho
            };
            ch.factor(d, entry, "a block of the CG preconditioner")?;
        }
        Ok(())
    }

    fn precondition(&mut self, p: usize) {
        for b in 0..self.z.ncols() {
            let ch = &self.prec[b % p];
            let mut col = self.z.as_mut().subcols_mut(b, 1);
            col.copy_from(self.r.as_ref().subcols(b, 1));
            ch.solve_in_place(col);
        }
    }

    /// Solves A u = rhs starting from the current u (at most `max_it` CG steps).
    pub(crate) fn solve(
        &mut self,
        prob: &Problem<'_>,
        rhs: &Mat<f64>,
        u: &mut Mat<f64>,
        max_it: usize,
    ) {
        let p = prob.p();
        self.op.apply(prob, u.as_ref(), self.ap.as_mut());
        self.r.copy_from(rhs);
        self.r -= &self.ap;
        let bnorm = rhs.norm_l2().max(1e-300);
        self.precondition(p);
        self.pdir.copy_from(&self.z);
        let mut rz = frob_dot(&self.r, &self.z);
        for _ in 0..max_it {
            if self.r.norm_l2() <= self.tol * bnorm {
                break;
            }
            self.op.apply(prob, self.pdir.as_ref(), self.ap.as_mut());
            let pap = frob_dot(&self.pdir, &self.ap);
            if pap <= 0.0 {
                break;
            }
            let alpha = rz / pap;
            super::ops::mat_axpy(alpha, &self.pdir, u);
            super::ops::mat_axpy(-alpha, &self.ap, &mut self.r);
            self.precondition(p);
            let rz_new = frob_dot(&self.r, &self.z);
            let beta = rz_new / rz;
            rz = rz_new;
            let z = &self.z;
            for c in 0..self.pdir.ncols() {
                for k in 0..self.pdir.nrows() {
                    self.pdir[(k, c)] = z[(k, c)] + beta * self.pdir[(k, c)];
                }
            }
            self.iterations += 1;
        }
    }
}
