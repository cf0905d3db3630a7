//! The [`KktSolver`] trait and the types of its protocol (method choice, inertia,
//! accuracy request, report, errors), apart from the implementations that use them. The
//! trait is generic over the matrix it solves with, so that the merit methods (on
//! [`KktMatrix`]) and the interior point (on its primal-dual system, `ipm::KktSystem`) use
//! the same protocol and each picks its implementation by a setting.

use crate::eqnlp::kkt::{KktMatrix, Regularization};

/// Which [`KktSolver`] a merit method uses for its Newton steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KktSolveMethod {
    /// Randomized sketching to the adaptive accuracy of the sketched Newton method, with
    /// a direct solve where the sketch falls short ([`SketchKkt`]).
    Sketch,
    /// Sparse LU factorization of every Newton system ([`DirectLu`]).
    Direct,
}

impl KktSolveMethod {
    /// The name used in settings and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            KktSolveMethod::Sketch => "sketch",
            KktSolveMethod::Direct => "direct",
        }
    }
}

impl std::str::FromStr for KktSolveMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "sketch" => Ok(Self::Sketch),
            "direct" => Ok(Self::Direct),
            _ => Err(format!("unknown KKT solve method '{s}' (sketch, direct)")),
        }
    }
}

/// Numbers of positive, negative and zero eigenvalues of a symmetric matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Inertia {
    /// Positive eigenvalues.
    pub positive: usize,
    /// Negative eigenvalues.
    pub negative: usize,
    /// Zero eigenvalues (or numerically zero / non-finite pivots).
    pub zero: usize,
}

impl Inertia {
    /// True for exactly `positive` positive and `negative` negative eigenvalues and no
    /// zero one (an interior point wants (n, m, 0)).
    pub fn is(&self, positive: usize, negative: usize) -> bool {
        self.positive == positive && self.negative == negative && self.zero == 0
    }
}

/// How accurately one solve must go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Accuracy {
    /// To working precision (a factorization); a sketched solver uses its direct fallback.
    Exact,
    /// A factorization followed by at most `steps` steps of iterative refinement, stopping
    /// once the max-norm residual is at most `tol * max(1, |b|_inf)`. Solvers whose
    /// refinement is fixed treat it as [`Accuracy::Exact`].
    Refined {
        /// Most refinement steps.
        steps: usize,
        /// Relative max-norm residual at which refinement stops.
        tol: f64,
    },
    /// An iterative solver stops once ||K d - b|| <= `target` (or at its own round-off
    /// floor); exact solvers ignore the request and solve exactly.
    Inexact {
        /// Residual norm to reach.
        target: f64,
        /// A looser residual that would still be usable: an iterative solver may give up
        /// early when its observed rate predicts it cannot reach even this in time.
        usable: f64,
        /// Most iterations in this call.
        max_iterations: usize,
        /// Continue from where the previous inexact solve of the same factorization and
        /// right side stopped, instead of starting from `d`.
        resume: bool,
    },
}

/// How a solve went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolveReport {
    /// ||K d - b|| of the regularized system at the returned d (2-norm for the merit
    /// methods' solvers, max-norm for the interior point's).
    pub residual: f64,
    /// Iterations of an iterative solver in this call (0 for a factorization).
    pub iterations: usize,
    /// The requested accuracy was reached (always for an exact solve).
    pub reached: bool,
    /// An iterative solver gave up early: its rate predicted a miss of `usable`.
    pub stalled: bool,
    /// The `stop` callback asked to stop (deadline, interrupt).
    pub stopped: bool,
}

impl SolveReport {
    /// The report of an exact solve with residual `residual`.
    pub fn exact(residual: f64) -> Self {
        Self {
            residual,
            iterations: 0,
            reached: true,
            stalled: false,
            stopped: false,
        }
    }
}

/// Why a factorization or solve failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KktError {
    /// The symbolic analysis of the structure failed.
    #[error("symbolic analysis of the KKT matrix failed: {0}")]
    Analysis(String),
    /// No memory for the factorization's workspace.
    #[error("out of memory for the KKT factorization workspace")]
    OutOfMemory,
    /// The numeric factorization met a structurally zero pivot.
    #[error("the KKT matrix is structurally singular ({0})")]
    StructurallySingular(String),
    /// The solution is not finite.
    #[error("the KKT matrix is numerically singular")]
    NumericallySingular,
    /// An iterative solver without inertia found a step along which the Hessian block
    /// has negative curvature: the caller should regularize more (the inertia test of a
    /// solver that cannot count eigenvalues).
    #[error("the step has negative curvature in the Hessian block")]
    NegativeCurvature,
}

impl KktError {
    /// True for failures of the one-time analysis (retrying with other values cannot
    /// help), false for failures of one factorization or solve.
    pub fn is_analysis(&self) -> bool {
        matches!(self, KktError::Analysis(_) | KktError::OutOfMemory)
    }
}

/// A solver of K d = b for a fixed KKT structure `K` (the merit methods' [`KktMatrix`] by
/// default; see the module documentation for the protocol: construct = analyse,
/// [`factor`](KktSolver::factor), then any number of [`solve`](KktSolver::solve)s).
pub trait KktSolver<K: ?Sized = KktMatrix> {
    /// Numeric factorization of `k` + diag(delta_w I, -delta_c I) (for an iterative
    /// solver: its preparation, e.g. scaling and sampling tables). Returns the inertia
    /// when the factorization knows it.
    fn factor(&mut self, k: &K, reg: Regularization) -> Result<Option<Inertia>, KktError>;

    /// Solves the factored system for `b` into `d`. On entry `d` is the start point of an
    /// iterative solver (ignored by exact ones and on `resume`). `stop` is polled by long
    /// iterative solves (deadline, interrupt); `k` must be the matrix last factored.
    fn solve(
        &mut self,
        k: &K,
        b: &[f64],
        d: &mut [f64],
        accuracy: Accuracy,
        stop: &dyn Fn() -> bool,
    ) -> Result<SolveReport, KktError>;

    /// Solves an iterative solver could not do itself and handed to a direct
    /// factorization, since construction (0 for a direct solver).
    fn fallbacks(&self) -> usize {
        0
    }
}
