//! Constrained logistic regression (Hong, Na, Mahoney, Kolar 2023, Section 5):
//!
//!   minimize (1/N) sum_i log(1 + exp(-y_i a_i^T x))
//!   subject to  A x = b  (A, b with `rows` rows of N(0,1), seeded),  ||x||^2 - 1 = 0.
//!
//! Start x0 = 1, y0 = 1 as in the paper. The objective Hessian (1/N) A_d^T D A_d is dense
//! in the d features, so its lower triangle is stored in full; products avoid it.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::{EvalError, ProblemError};
use crate::formats::libsvm::{LabelMap, LibsvmData};
use crate::smooth::{ProblemInfo, SmoothProblem};
use crate::sparse::SparsityPattern;

/// Default number of random linear equality constraints.
pub const DEFAULT_ROWS: usize = 10;

/// The constrained logistic regression problem on one LIBSVM data set.
#[derive(Debug, Clone)]
pub struct ConstrainedLogReg {
    info: ProblemInfo,
    data: LibsvmData,
    labels: Vec<f64>,
    label_map: LabelMap,
    /// Constraint matrix, row-major `rows x d`.
    a_eq: Vec<f64>,
    b_eq: Vec<f64>,
    jac: SparsityPattern,
    hess: SparsityPattern,
}

/// Stable log(1 + exp(t)).
fn softplus(t: f64) -> f64 {
    t.max(0.0) + (-t.abs()).exp().ln_1p()
}

/// Logistic sigmoid 1 / (1 + exp(-t)), stable for large |t|.
fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

impl ConstrainedLogReg {
    /// `LOGREG-LIKE`: `samples` x `features` dense pseudo-random data in [-1, 1) (a fixed
    /// linear congruential sequence, so that tests and benchmarks need no data file) with
    /// the default 10 random equalities from seed 0.
    pub fn synthetic(samples: usize, features: usize) -> Result<Self, ProblemError> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        let mut data = LibsvmData {
            labels: Vec::new(),
            row_ptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
            n_features: features,
        };
        for _ in 0..samples {
            for j in 0..features {
                data.indices.push(j);
                data.values.push(next());
            }
            data.row_ptr.push(data.indices.len());
            data.labels.push(if next() > 0.0 { 1.0 } else { -1.0 });
        }
        Self::new("LOGREG-LIKE", data, DEFAULT_ROWS, 0)
    }

    /// Builds the problem from a data set (binary labels required) with `rows` random
    /// equality constraints drawn from `seed`.
    pub fn new(name: &str, data: LibsvmData, rows: usize, seed: u64) -> Result<Self, ProblemError> {
        let (labels, label_map) = data.binary_labels().map_err(ProblemError::Data)?;
        let d = data.n_features;
        if d == 0 {
            return Err(ProblemError::Data("the data set has no features".into()));
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let a_eq: Vec<f64> = (0..rows * d)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let b_eq: Vec<f64> = (0..rows).map(|_| StandardNormal.sample(&mut rng)).collect();
        let m = rows + 1;
        let mut info = ProblemInfo::new(name, vec![1.0; d]).with_equalities(m);
        info.y0 = Some(vec![1.0; m]);
        info.constraint_names = (1..=rows)
            .map(|i| format!("linear{i}"))
            .chain(std::iter::once("sphere".to_string()))
            .collect();
        info.constraint_lower = b_eq.iter().copied().chain([1.0]).collect();
        info.constraint_upper = info.constraint_lower.clone();
        info.classification = Some("OOR2-MN".into());
        let (mut jr, mut jc) = (Vec::with_capacity(m * d), Vec::with_capacity(m * d));
        for i in 0..m {
            for j in 0..d {
                jr.push(i);
                jc.push(j);
            }
        }
        let (mut hr, mut hc) = (Vec::new(), Vec::new());
        for j in 0..d {
            for i in j..d {
                hr.push(i);
                hc.push(j);
            }
        }
        Ok(Self {
            info,
            data,
            labels,
            label_map,
            a_eq,
            b_eq,
            jac: SparsityPattern::new(m, d, jr, jc),
            hess: SparsityPattern::new(d, d, hr, hc),
        })
    }

    /// How the file's labels were mapped to ±1.
    pub fn label_map(&self) -> LabelMap {
        self.label_map
    }

    /// The right-hand side b of A x = b.
    pub fn rhs(&self) -> &[f64] {
        &self.b_eq
    }

    fn n_samples(&self) -> f64 {
        self.labels.len() as f64
    }

    /// Margins t_i = y_i a_i^T x.
    fn margins(&self, x: &[f64]) -> Vec<f64> {
        let mut t = vec![0.0; self.labels.len()];
        self.data.matvec(x, &mut t);
        t.iter_mut()
            .zip(&self.labels)
            .for_each(|(ti, yi)| *ti *= yi);
        t
    }

    fn check(&self, x: &[f64]) -> Result<(), EvalError> {
        EvalError::check_len("x", self.info.n(), x.len())?;
        EvalError::check_finite("x", x)
    }
}

impl SmoothProblem for ConstrainedLogReg {
    fn info(&self) -> &ProblemInfo {
        &self.info
    }

    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        self.check(x)?;
        let f = self.margins(x).iter().map(|&t| softplus(-t)).sum::<f64>() / self.n_samples();
        EvalError::check_finite("objective", &[f])?;
        Ok(f)
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<(), EvalError> {
        self.check(x)?;
        EvalError::check_len("gradient", self.info.n(), grad.len())?;
        let n = self.n_samples();
        let w: Vec<f64> = self
            .margins(x)
            .iter()
            .zip(&self.labels)
            .map(|(&t, &y)| -y * sigmoid(-t) / n)
            .collect();
        grad.fill(0.0);
        self.data.matvec_transpose_add(&w, grad);
        EvalError::check_finite("gradient", grad)
    }

    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        self.check(x)?;
        EvalError::check_len("constraints", self.info.m(), c.len())?;
        let d = self.info.n();
        let rows = self.b_eq.len();
        for (i, ci) in c[..rows].iter_mut().enumerate() {
            *ci = self.a_eq[i * d..(i + 1) * d]
                .iter()
                .zip(x)
                .map(|(a, b)| a * b)
                .sum();
        }
        c[rows] = x.iter().map(|v| v * v).sum::<f64>();
        Ok(())
    }

    fn jacobian_pattern(&self) -> &SparsityPattern {
        &self.jac
    }

    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        self.check(x)?;
        let k = self.a_eq.len();
        values[..k].copy_from_slice(&self.a_eq);
        values[k..]
            .iter_mut()
            .zip(x)
            .for_each(|(v, xi)| *v = 2.0 * xi);
        Ok(())
    }

    fn hessian_pattern(&self) -> &SparsityPattern {
        &self.hess
    }

    fn hessian_values(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        values: &mut [f64],
    ) -> Result<(), EvalError> {
        self.check(x)?;
        let d = self.info.n();
        // Dense d x d accumulation of (sigma / N) sum_i s_i (1 - s_i) a_i a_i^T, lower part.
        let mut dense = vec![0.0; d * d];
        let scale = sigma / self.n_samples();
        if scale != 0.0 {
            for (i, &t) in self.margins(x).iter().enumerate() {
                let s = sigmoid(t);
                let wgt = scale * s * (1.0 - s);
                let (idx, val) = self.data.row(i);
                for (p, (&jp, &vp)) in idx.iter().zip(val).enumerate() {
                    for (&jq, &vq) in idx[..=p].iter().zip(&val[..=p]) {
                        dense[jp * d + jq] += wgt * vp * vq;
                    }
                }
            }
        }
        let sphere = 2.0 * y[self.b_eq.len()];
        for j in 0..d {
            dense[j * d + j] += sphere;
        }
        for (v, (r, c)) in values.iter_mut().zip(self.hess.iter()) {
            *v = dense[r * d + c];
        }
        EvalError::check_finite("hessian", values)
    }

    fn hessian_vector(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), EvalError> {
        self.check(x)?;
        let n = self.n_samples();
        let mut av = vec![0.0; self.labels.len()];
        self.data.matvec(v, &mut av);
        for (avi, &t) in av.iter_mut().zip(&self.margins(x)) {
            let s = sigmoid(t);
            *avi *= sigma * s * (1.0 - s) / n;
        }
        let sphere = 2.0 * y[self.b_eq.len()];
        out.iter_mut().zip(v).for_each(|(o, vi)| *o = sphere * vi);
        self.data.matvec_transpose_add(&av, out);
        EvalError::check_finite("hessian_vector", out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check_derivatives;
    use crate::formats::libsvm::parse_libsvm;
    use std::io::BufReader;
    use std::path::Path;

    fn small() -> ConstrainedLogReg {
        let text =
            "1 1:0.5 2:-1 4:0.25\n-1 2:2 3:1\n1 1:-0.3 3:0.7 4:1\n-1 1:1 2:1 3:1 4:1\n1 4:-2\n";
        let data = parse_libsvm(BufReader::new(text.as_bytes()), Path::new("t"), None).unwrap();
        ConstrainedLogReg::new("t", data, 2, 7).unwrap()
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let p = small();
        for x in [vec![1.0; 4], vec![0.3, -2.0, 1.5, 0.1]] {
            let r = check_derivatives(&p, &x, None, 5, 3).unwrap();
            assert!(r.max() <= 1e-6, "{r:?}");
        }
    }

    #[test]
    fn start_values() {
        let p = small();
        let x0 = p.info().x0.clone();
        let mut c = vec![0.0; 3];
        p.constraints(&x0, &mut c).unwrap();
        assert_eq!(c[2], 4.0);
        assert_eq!(p.info().constraint_lower[2], 1.0);
        assert!(p.objective(&x0).unwrap() > 0.0);
    }

    #[test]
    fn nan_point_is_an_error() {
        let p = small();
        let e = p.objective(&[f64::NAN, 0.0, 0.0, 0.0]).unwrap_err();
        assert!(matches!(
            e,
            EvalError::NonFinite {
                what: "x",
                index: 0,
                ..
            }
        ));
    }
}
