//! What the structured MIP fuzz target checks, shared by `fuzz_targets/mip_small.rs`
//! (libFuzzer with `arbitrary`) and `solvers/mip/tests/fuzz_mip.rs` (ordinary `cargo
//! test` over pseudo-random cases): small integer programs through plain HiGHS and Balans,
//! against enumeration of every integer point.
//!
//! The MIP: 1 to 4 integer variables in [0, 3] (or [-1, 2]), 1 to 3 rows with small
//! integer coefficients and ranges, minimize or maximize. With at most 256 points the true
//! optimum (or infeasibility) is known, so the statuses must agree with it.

use opal_core::{Budget, Status};
use opal_mip::Method;
use opal_mip::balans::Settings;
use opal_problems::linear::{LinearModel, Sense};

/// A small MIP decoded from fuzz data, with its enumerated optimum.
#[derive(Debug, Clone)]
pub struct Mip {
    /// The model.
    pub model: LinearModel,
}

impl Mip {
    /// The MIP of `n_raw % 4 + 1` variables and `m_raw % 3 + 1` rows whose numbers are
    /// `values` (cycled; coefficients in -3..=3).
    pub fn new(n_raw: u8, m_raw: u8, values: &[i8]) -> Self {
        let n = usize::from(n_raw % 4) + 1;
        let m = usize::from(m_raw % 3) + 1;
        let mut k = 0usize;
        let mut next = || {
            let v = values.get(k % values.len().max(1)).copied().unwrap_or(0);
            k += 1;
            i32::from(v)
        };
        let sense = if n_raw & 0x80 != 0 {
            Sense::Maximize
        } else {
            Sense::Minimize
        };
        let mut model = LinearModel::new("fuzz", sense);
        for j in 0..n {
            model.col_names.push(format!("x{j}"));
            model.cost.push(f64::from(next() % 5));
            let shifted = next() % 2 != 0;
            model.col_lower.push(if shifted { -1.0 } else { 0.0 });
            model.col_upper.push(if shifted { 2.0 } else { 3.0 });
            model.integer.push(true);
        }
        for i in 0..m {
            model.row_names.push(format!("r{i}"));
            for j in 0..n {
                let a = next() % 4;
                if a != 0 {
                    model.entries.push((i, j, f64::from(a)));
                }
            }
            let lo = f64::from(next() % 8);
            let width = f64::from((next() % 6).abs());
            // one side infinite now and then
            match next() % 3 {
                0 => {
                    model.row_lower.push(f64::NEG_INFINITY);
                    model.row_upper.push(lo + width);
                }
                1 => {
                    model.row_lower.push(lo);
                    model.row_upper.push(f64::INFINITY);
                }
                _ => {
                    model.row_lower.push(lo);
                    model.row_upper.push(lo + width);
                }
            }
        }
        Self { model }
    }

    fn feasible(&self, x: &[f64], tol: f64) -> bool {
        let md = &self.model;
        let bounds = x
            .iter()
            .zip(md.col_lower.iter().zip(&md.col_upper))
            .all(|(&v, (&l, &u))| v >= l - tol && v <= u + tol);
        let mut act = vec![0.0; md.row_lower.len()];
        for &(i, j, a) in &md.entries {
            act[i] += a * x[j];
        }
        bounds
            && act
                .iter()
                .zip(md.row_lower.iter().zip(&md.row_upper))
                .all(|(&r, (&l, &u))| r >= l - tol && r <= u + tol)
    }

    fn value(&self, x: &[f64]) -> f64 {
        self.model.offset
            + self
                .model
                .cost
                .iter()
                .zip(x)
                .map(|(c, v)| c * v)
                .sum::<f64>()
    }

    /// The optimal objective by enumeration, or None when no integer point is feasible.
    pub fn enumerate(&self) -> Option<f64> {
        let n = self.model.cost.len();
        let maximize = self.model.sense == Sense::Maximize;
        let mut best: Option<f64> = None;
        for code in 0..4usize.pow(n as u32) {
            let x: Vec<f64> = (0..n)
                .map(|j| self.model.col_lower[j] + ((code >> (2 * j)) & 3) as f64)
                .collect();
            if self.feasible(&x, 0.0) {
                let f = self.value(&x);
                best = Some(match best {
                    None => f,
                    Some(b) if maximize => b.max(f),
                    Some(b) => b.min(f),
                });
            }
        }
        best
    }
}

/// Solves `mip` with `method` (5 search iterations, 10 s at most) and checks the outcome
/// against enumeration: infeasible exactly when no point is feasible; otherwise a
/// feasible integral solution, optimal status only at the true optimum.
pub fn check(mip: &Mip, method: Method) {
    let truth = mip.enumerate();
    let settings = Settings::default()
        .budget(Budget::iterations(5).with_time_limit(Some(std::time::Duration::from_secs(10))))
        .seed(1);
    let out = method
        .solve(&mip.model, &settings)
        .unwrap_or_else(|e| panic!("{method:?} failed on {mip:?}: {e}"));
    match truth {
        None => assert_eq!(out.status, Status::Infeasible, "{method:?}: {mip:?}"),
        Some(best) => {
            assert_ne!(
                out.status,
                Status::Infeasible,
                "{method:?} ({best} exists): {mip:?}"
            );
            let x = out
                .solution
                .as_ref()
                .unwrap_or_else(|| panic!("{method:?}: no solution for {mip:?}"));
            assert!(
                mip.feasible(x, 1e-6),
                "{method:?}: infeasible {x:?} for {mip:?}"
            );
            assert!(x.iter().all(|v| (v - v.round()).abs() <= 1e-6), "{x:?}");
            let f = mip.value(x);
            let reported = out.objective.expect("an objective with a solution");
            assert!(
                (f - reported).abs() <= 1e-6,
                "{method:?}: reported {reported}, x gives {f}"
            );
            if out.status == Status::Optimal {
                assert!(
                    (f - best).abs() <= 1e-6,
                    "{method:?}: optimal {f} but {best} exists"
                );
            }
        }
    }
}
