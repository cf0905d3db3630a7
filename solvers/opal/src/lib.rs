//! opal: optimization solvers in Rust. This crate gathers the families, each behind a cargo
//! feature of the same name (all on by default):
//!
//! | feature | module | what |
//! |---|---|---|
//! | `nlp` | [`nlp`] | sketched inexact Newton, exact Newton and augmented Lagrangian |
//! | `mip` | [`mip`] | Balans and ParBalans over HiGHS (builds HiGHS) |
//! | `relu` | [`relu`] | convex two-layer ReLU training |
//! | `completion` | [`completion`] | low-rank matrix completion |
//! | `calibration` | [`calibration`] | blind gain calibration |
//! | `cutest` | [`cutest`] | the pure-Rust SIF decoder |
//!
//! [`core`] (the run protocol: status, budget, observers, log) and [`problems`] (problem
//! traits and data) are always present.

#![deny(missing_docs)]

pub use opal_core as core;
pub use opal_core::{Budget, Control, Interrupt, Observer, Status};
pub use opal_problems as problems;

/// Nonlinear programming (`nlp` feature).
#[cfg(feature = "nlp")]
pub use opal_nlp as nlp;

/// Mixed-integer programming over HiGHS (`mip` feature).
#[cfg(feature = "mip")]
pub use opal_mip as mip;

/// Convex ReLU network training (`relu` feature).
#[cfg(feature = "relu")]
pub use opal_relu as relu;

/// Low-rank matrix completion (`completion` feature).
#[cfg(feature = "completion")]
pub use opal_completion as completion;

/// Blind gain calibration (`calibration` feature).
#[cfg(feature = "calibration")]
pub use opal_calibration as calibration;

/// The SIF decoder (`cutest` feature).
#[cfg(feature = "cutest")]
pub use opal_cutest as cutest;
