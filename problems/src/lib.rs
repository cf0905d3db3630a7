//! Problem definitions for opal: the smooth-problem interface that every nonlinear solver
//! consumes, sparse structures, data formats (LIBSVM, MatrixMarket, MPS output), the
//! paper problems as ready instances, and seeded instance generators.
//!
//! This crate depends on no solver.

#![deny(missing_docs)]

pub mod check;
pub mod closure;
pub mod error;
pub mod evaluation;
pub mod formats;
pub mod generators;
pub mod instances;
pub mod linear;
pub mod registry;
pub mod shared_data;
pub mod smooth;
pub mod sparse;
pub mod suites;
pub mod triplets;

pub use error::{EvalError, FormatError, ProblemError};
pub use smooth::{ConstraintKind, INFINITE_BOUND, ProblemInfo, SmoothProblem};
pub use sparse::{CscAssembler, SparsityPattern};
