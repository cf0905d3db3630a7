//! Limited-memory BFGS for the Hessian of the Lagrangian (x block), in the compact form of
//! Byrd, Nocedal & Schnabel (1994): B = sigma I - V N^{-1} V^T with V = [sigma S, Y] and
//! N = [[sigma S^T S, L], [L^T, -D]] (L the strictly lower part of S^T Y, D its diagonal).
//! The primal-dual system with B is solved by the Sherman-Morrison-Woodbury identity on top
//! of the factorization with sigma I: 2k extra solves per factorization, k the memory.
//! Pairs failing the curvature test s^T y > 1e-8 |s| |y| are skipped (as IPOPT does).

use faer::Mat;
use faer::linalg::solvers::Solve;

use super::error::IpmError;
use super::state::State;
use crate::eqnlp::{Accuracy, KktError};
use opal_core::linalg::{dot, norm};

/// The quasi-Newton memory and the Woodbury workspace.
pub(crate) struct Lbfgs {
    memory: usize,
    nx: usize,
    /// Stored pairs (oldest first), each of length nx.
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    sigma: f64,
    // update scratch
    w_old: Vec<f64>,
    g_old: Vec<f64>,
    jac_old: Vec<f64>,
    lag_new: Vec<f64>,
    lag_old: Vec<f64>,
}

impl Lbfgs {
    /// Memory of `memory` pairs over the first `nx` entries of w (sized when first used).
    pub fn new(_nw: usize, memory: usize) -> Self {
        Self {
            memory,
            nx: 0,
            s: Vec::with_capacity(memory),
            y: Vec::with_capacity(memory),
            sigma: 1.0,
            w_old: Vec::new(),
            g_old: Vec::new(),
            jac_old: Vec::new(),
            lag_new: Vec::new(),
            lag_old: Vec::new(),
        }
    }

    /// The diagonal scaling sigma (added to the x block of the factorized matrix).
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Saves what the update needs from the iterate being left.
    pub fn prepare_update(&mut self, st: &State<'_>) {
        self.nx = st.nlp.n_free();
        self.w_old.clear();
        self.w_old.extend_from_slice(&st.w);
        self.g_old.clear();
        self.g_old.extend_from_slice(&st.g);
        self.jac_old.clear();
        self.jac_old.extend_from_slice(&st.jac);
    }

    /// Adds the pair (s, y) of the step just taken: s = w - w_old, y = grad_x L(w, y_new)
    /// - grad_x L(w_old, y_new).
    pub fn finish_update(&mut self, st: &State<'_>) {
        let nx = self.nx;
        let jp = st.nlp.jacobian_pattern();
        self.lag_new.clear();
        self.lag_new.extend_from_slice(&st.g);
        jp.matvec_transpose(&st.jac, &st.y, &mut self.lag_new, true);
        self.lag_old.clear();
        self.lag_old.extend_from_slice(&self.g_old);
        jp.matvec_transpose(&self.jac_old, &st.y, &mut self.lag_old, true);
        let s: Vec<f64> = (0..nx).map(|i| st.w[i] - self.w_old[i]).collect();
        let y: Vec<f64> = (0..nx).map(|i| self.lag_new[i] - self.lag_old[i]).collect();
        let sy = dot(&s, &y);
        if sy.is_nan() || sy <= 1e-8 * norm(&s) * norm(&y) {
            return;
        }
        self.sigma = (dot(&y, &y) / sy).clamp(1e-8, 1e8);
        if self.s.len() == self.memory {
            self.s.remove(0);
            self.y.remove(0);
        }
        self.s.push(s);
        self.y.push(y);
    }

    /// Solves the primal-dual system with B in the x block: the factorization holds the
    /// system with sigma I; the low-rank part goes through Woodbury. The right-hand side is
    /// `st.rhs`; the result goes to (dw, dy). Returns the relative residual of the base
    /// solves.
    pub fn solve_step(&self, st: &mut State<'_>) -> Result<f64, IpmError> {
        let k = self.s.len();
        if k == 0 {
            return st.solve_step();
        }
        let (nw, dim, nx) = (st.nw(), st.rhs.len(), self.nx);
        let r = 2 * k;
        // V = [sigma S, Y] padded to the full dimension; Z = K0^{-1} V.
        let mut z = Mat::<f64>::zeros(dim, r);
        let mut col = vec![0.0; dim];
        let mut out = vec![0.0; dim];
        for j in 0..r {
            col.fill(0.0);
            for i in 0..nx {
                col[i] = if j < k {
                    self.sigma * self.s[j][i]
                } else {
                    self.y[j - k][i]
                };
            }
            st.solve_system(
                &col,
                &mut out,
                Accuracy::Refined {
                    steps: 3,
                    tol: 1e-12,
                },
            )?;
            for i in 0..dim {
                z[(i, j)] = out[i];
            }
        }
        // C = -N + V^T Z (because B - sigma I = V (-N^{-1}) V^T).
        let mut c = Mat::<f64>::zeros(r, r);
        for a in 0..k {
            for b in 0..k {
                let ss = dot(&self.s[a], &self.s[b]);
                c[(a, b)] = -self.sigma * ss;
                if a > b {
                    let sy = dot(&self.s[a], &self.y[b]);
                    c[(a, k + b)] = -sy;
                    c[(k + b, a)] = -sy;
                }
            }
            c[(k + a, k + a)] = dot(&self.s[a], &self.y[a]);
        }
        for a in 0..r {
            for b in 0..r {
                let mut v = 0.0;
                for i in 0..nx {
                    let va = if a < k {
                        self.sigma * self.s[a][i]
                    } else {
                        self.y[a - k][i]
                    };
                    v += va * z[(i, b)];
                }
                c[(a, b)] += v;
            }
        }
        // d0 = K0^{-1} rhs; d = d0 - Z C^{-1} V^T d0.
        let res = {
            let rhs = st.rhs.clone();
            let mut sol = std::mem::take(&mut st.sol);
            let r = st.solve_system(
                &rhs,
                &mut sol,
                Accuracy::Refined {
                    steps: 10,
                    tol: 1e-12,
                },
            );
            st.sol = sol;
            r?.residual
        };
        let mut t = Mat::<f64>::zeros(r, 1);
        for a in 0..r {
            let mut v = 0.0;
            for i in 0..nx {
                let va = if a < k {
                    self.sigma * self.s[a][i]
                } else {
                    self.y[a - k][i]
                };
                v += va * st.sol[i];
            }
            t[(a, 0)] = v;
        }
        let lu = c.partial_piv_lu();
        let u = lu.solve(&t);
        for i in 0..dim {
            let mut v = 0.0;
            for a in 0..r {
                v += z[(i, a)] * u[(a, 0)];
            }
            st.sol[i] -= v;
        }
        if st.sol.iter().any(|v| !v.is_finite()) {
            return Err(IpmError::Linear(KktError::NumericallySingular));
        }
        st.dw.copy_from_slice(&st.sol[..nw]);
        st.dy.copy_from_slice(&st.sol[nw..]);
        let scale = st.rhs.iter().fold(1.0f64, |a, v| a.max(v.abs()));
        Ok(res / scale)
    }
}
