//! The linear solve behind every Newton step: K d = b with the KKT matrix
//! K = [[H + delta_w I, J^T], [J, -delta_c I]], behind one trait, [`KktSolver`], with a
//! direct and a sketched implementation chosen by a setting ([`KktSolveMethod`]), the way
//! Clarabel chooses its LDL solver with `direct_solve_method`.
//!
//! The protocol is that of a sparse direct solver, so that an interior-point method can
//! use it unchanged:
//!
//! 1. construction does the symbolic analysis of the structure (once per problem);
//! 2. [`KktSolver::factor`] does the numeric factorization of the current values with a
//!    diagonal [`Regularization`](crate::eqnlp::kkt::Regularization) (delta_w on the Hessian block, -delta_c on the
//!    constraint block) and reports the [`Inertia`] when the factorization knows it;
//! 3. [`KktSolver::solve`] solves with an [`Accuracy`] request: an inexact solver stops
//!    at the requested residual, an exact one ignores the request.
//!
//! Implementations: [`DirectLu`] (faer's sparse LU with partial pivoting and iterative
//! refinement; exact, inertia unknown) and [`SketchKkt`] (randomized sketch-and-project,
//! with [`DirectLu`] as its fallback for [`Accuracy::Exact`] requests).

mod direct;
mod protocol;
mod sketch;

pub use direct::DirectLu;
pub use protocol::{Accuracy, Inertia, KktError, KktSolveMethod, KktSolver, SolveReport};
pub use sketch::{Sampling, SketchConfig, SketchKind, SketchKkt};
