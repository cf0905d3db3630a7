//! Convex training of two-layer ReLU networks (Pilanci & Ergen's reformulation): the
//! ADMM of Bai, Gautam and Sojoudi (2022), FISTA on the gated program (scnn's fast path), a
//! structured primal-dual interior-point method for the ReLU program, and adversarial
//! training by the robust convex program for l_inf perturbations.
//!
//! Programs (X: n x d, D_i = diag(1[X g_i >= 0]) for sampled gates g_i):
//! - gated: min (1/(2n))||sum_i D_i X u_i - y||^2 + lam sum_i ||u_i||_2;
//! - ReLU: min (1/(2n))||sum_i D_i X (v_i - w_i) - y||^2 + lam sum_i (||v_i|| + ||w_i||)
//!   s.t. (2 D_i - I) X v_i >= 0, (2 D_i - I) X w_i >= 0.
//!
//! Which solver for what:
//! - gated: the interior point (the default up to n = 4000: 12-13 Newton steps, 0.3-1.1 s
//!   to 1e-9 on the LIBSVM sets with 100 gates where FISTA takes 3.6-20 s), FISTA (the
//!   default beyond: no n x n matrix) or ADMM.
//! - ReLU: the interior point ([`SolverKind::Ipm`], the default up to n = 4000). ADMM needs
//!   tens of thousands of iterations here: the 2nP cone rows are massively degenerate at the
//!   solution (every row of a zero block is active, and nonzero blocks sit on many of their
//!   rows), so its linear rate is poor whatever rho, cone weight or Anderson memory. The
//!   interior point takes 25-45 Newton steps whatever the conditioning; each costs
//!   O(P n d^2 + n^2 d P + n^3) through a Woodbury solve with an n x n capacitance matrix
//!   (see `ipm`), with iterates strictly inside the cones, so the cone violation is bounded
//!   by the final primal residual (<= 1e-8). ADMM / ADMM-CG remain for n beyond that.
//! - Robust (adversarial): [`adversarial::fit_robust`] by an interior point on the LP + SOC
//!   form, eliminating the per-sample variables (`robust_ipm`); ADMM on request.
//!
//! Every solver runs on the opal-core protocol: [`Settings::budget`] limits it, an
//! [`opal_core::Observer`] of [`IterInfo`] watches it (and may stop it), and the result
//! carries an [`opal_core::Status`] with a message. The library takes data in memory
//! ([`Dataset`]); reading files is the caller's business.
//!
//! ```
//! use faer::Mat;
//! use opal_relu::{Dataset, Settings, fit};
//!
//! let x = Mat::from_fn(40, 2, |i, j| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
//! let y = (0..40).map(|i| x[(i, 0)].max(0.0) - 0.5 * x[(i, 1)].max(0.0)).collect();
//! let r = fit(&Dataset::new(x, y)?, &Settings::default().n_patterns(10))?;
//! assert!(r.status.is_success(), "{}", r.message);
//! # Ok::<(), opal_relu::ReluError>(())
//! ```

#![deny(missing_docs)]

mod admm;
pub mod adversarial;
mod auglag;
mod data;
mod error;
mod fista;
mod gates;
mod ipm;
mod linalg;
mod memory;
mod model;
mod ops;
mod products;
mod program;
mod robust_admm;
mod robust_ipm;
mod settings;
mod soc;
mod solve;
mod usolve;

pub use data::{Dataset, Task};
pub use error::ReluError;
pub use gates::{Gates, gates_from, sample_gates};
pub use model::{Model, Network};
pub use program::IterInfo;
pub use settings::{AdvSettings, RobustSolver, Settings, SolverKind, Variant};
pub use solve::{FitResult, evaluate_program, fit, fit_observed, fit_with_gates};
