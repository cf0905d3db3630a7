//! Convex training of two-layer ReLU networks (Pilanci & Ergen's reformulation) with the
//! ADMM of Bai, Gautam and Sojoudi (2022), FISTA on the gated program (scnn's fast path),
//! and adversarial training by the robust convex program for l_inf perturbations.
//!
//! Programs (X: n x d, D_i = diag(1[X g_i >= 0]) for sampled gates g_i):
//! - gated: min (1/(2n))||sum_i D_i X u_i - y||^2 + lam sum_i ||u_i||_2;
//! - ReLU: min (1/(2n))||sum_i D_i X (v_i - w_i) - y||^2 + lam sum_i (||v_i|| + ||w_i||)
//!   s.t. (2 D_i - I) X v_i >= 0, (2 D_i - I) X w_i >= 0.

mod admm;
pub mod adversarial;
mod data;
mod error;
mod fista;
mod gates;
mod ipm;
mod linalg;
mod model;
mod ops;
mod robust_ipm;
mod settings;
mod solve;

pub use data::{Dataset, Task};
pub use error::ReluError;
pub use gates::{Gates, gates_from, sample_gates};
pub use model::{Model, Network};
pub use settings::{Settings, SolverKind, Variant};
pub use solve::{FitResult, IterInfo, Observer, Status, evaluate_program, fit, fit_with_observer};
