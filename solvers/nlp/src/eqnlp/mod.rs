//! Shared machinery of the equality-constrained NLP solvers (`adasketch`, `newton`,
//! `auglag`): the problem wrapper with evaluation counters and input checks, the
//! evaluation point, the KKT matrix and the [`KktSolver`] trait with its direct and
//! sketched implementations, the merit-based Newton iteration of `adasketch` and `newton`
//! with its settings ([`MeritSettings`]), curvature analysis (Hessian modification,
//! Jacobian regularity), the iteration record and the result types.
//!
//! Problem: minimize f(x) subject to c(x) = cl, where every constraint of the
//! [`opal_problems::SmoothProblem`] is an equality (cl = cu) and no variable has a bound.
//! Sign convention: the Lagrangian is L(x, lambda) = f(x) + lambda^T (c(x) - cl).

mod curvature;
mod dense;
mod error;
mod gram;
mod kkt;
pub mod kkt_solver;
pub(crate) mod merit;
mod options;
mod output;
pub(crate) mod params;
mod point;
mod problem;
mod record;
mod settings;
pub(crate) mod solve;

pub(crate) use dense::{fill_general, fill_symmetric};
pub use error::NlpError;
pub(crate) use gram::{Gram, GramCholesky};
pub(crate) use kkt::Derivatives;
pub use kkt::{KktMatrix, Regularization};
pub use kkt_solver::{
    Accuracy, DirectLu, Inertia, KktError, KktSolveMethod, KktSolver, Sampling, SketchConfig,
    SketchKind, SketchKkt, SolveReport,
};
pub use options::{HessianModification, MultiplierInit};
pub(crate) use output::End;
pub use output::{Evaluations, Failure, Output};
pub(crate) use point::Point;
pub(crate) use problem::EqProblem;
pub use record::{DirectionKind, IterationInfo};
pub use settings::MeritSettings;
