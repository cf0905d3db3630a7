//! What the solvers of this crate share: the program they solve ([`Problem`]), what they
//! return ([`Outcome`]), the iteration record observers see ([`IterInfo`]) and the end of
//! an iterate in the order every loop tests it ([`after_iterate`]).

use faer::{Mat, MatRef};
use opal_core::{Column, Format, LogObserver, Observer, Observers, Record, Run, Status, Value};

use super::settings::SolverKind;

/// The program's data: augmented X (n x d), patterns (n x P), targets, weight lam.
pub(crate) struct Problem<'a> {
    pub x: MatRef<'a, f64>,
    pub pat: MatRef<'a, f64>,
    pub y: &'a [f64],
    pub lam: f64,
}

impl Problem<'_> {
    pub fn n(&self) -> usize {
        self.x.nrows()
    }
    pub fn d(&self) -> usize {
        self.x.ncols()
    }
    pub fn p(&self) -> usize {
        self.pat.ncols()
    }
}

/// What a solver returns: the weights and how the run ended.
pub(crate) struct Outcome {
    /// Weights, d x P (gated) or d x 2P (v | w).
    pub u: Mat<f64>,
    pub status: Status,
    /// The precise cause, in words.
    pub message: String,
    pub iterations: usize,
    pub primal_residual: f64,
    pub dual_residual: f64,
    pub rho: f64,
}

/// What an observer sees after each iteration (and what the verbose log prints).
#[derive(Debug, Clone, Copy)]
pub struct IterInfo {
    /// The solver that produced it (`Admm`, `AdmmCg`, `Fista` or `Ipm`); it decides the
    /// log's columns.
    pub solver: SolverKind,
    /// Iteration number (1-based).
    pub iteration: usize,
    /// Program objective at the current (group-sparse) iterate.
    pub objective: f64,
    /// Primal residual (ADMM, interior point; NaN for FISTA).
    pub primal_residual: f64,
    /// Dual residual (ADMM, interior point), or FISTA's last minimum-norm subgradient.
    pub dual_residual: f64,
    /// Relative duality gap (interior point; NaN otherwise).
    pub gap: f64,
    /// ADMM penalty rho, FISTA's step size, or the interior point's mu.
    pub rho: f64,
    /// Seconds since the fit started (including set-up).
    pub elapsed: f64,
}

const ITER: Column = Column::new("iter", 6, Format::Int);
const OBJECTIVE: Column = Column::new("objective", 15, Format::Sci(7));
const TIME: Column = Column::new("time", 9, Format::Sci(2));

/// A residual-like column: 9 wide, two digits.
const fn sci(name: &'static str) -> Column {
    Column::new(name, 9, Format::Sci(2))
}

const ADMM_COLUMNS: [Column; 6] = [
    ITER,
    OBJECTIVE,
    sci("r_pri"),
    sci("r_dual"),
    sci("rho"),
    TIME,
];
const FISTA_COLUMNS: [Column; 5] = [ITER, OBJECTIVE, sci("subgrad"), sci("step"), TIME];
const AL_COLUMNS: [Column; 6] = [ITER, OBJECTIVE, sci("viol"), sci("gmap"), sci("rho"), TIME];
const IPM_COLUMNS: [Column; 7] = [
    Column::new("iter", 4, Format::Int),
    OBJECTIVE,
    sci("r_pri"),
    sci("r_dual"),
    sci("gap"),
    Column::new("lg(mu)", 6, Format::Log10),
    TIME,
];

impl Record for IterInfo {
    fn columns(&self) -> &'static [Column] {
        match self.solver {
            SolverKind::Fista => &FISTA_COLUMNS,
            SolverKind::AugLag => &AL_COLUMNS,
            SolverKind::Ipm => &IPM_COLUMNS,
            _ => &ADMM_COLUMNS,
        }
    }

    fn value(&self, i: usize) -> Value {
        let (obj, pr, du, gap, rho, t) = (
            self.objective,
            self.primal_residual,
            self.dual_residual,
            self.gap,
            self.rho,
            self.elapsed,
        );
        let values: &[f64] = match self.solver {
            SolverKind::Fista => &[obj, du, rho, t],
            SolverKind::AugLag => &[obj, pr, du, rho, t],
            SolverKind::Ipm => &[obj, pr, du, gap, rho, t],
            _ => &[obj, pr, du, rho, t],
        };
        match i {
            0 => self.iteration.into(),
            i => values.get(i - 1).map_or(Value::Empty, |&v| v.into()),
        }
    }
}

/// A run of one of this crate's solvers.
pub(crate) type ReluRun<'b, 'o> = Run<'b, 'o, IterInfo>;

/// The end of iterate `k`, in the order every loop of this crate tests it: the observer
/// sees `info` (a stop request ends the run first), then the method's own test
/// (`converged`), then the budget.
pub(crate) fn after_iterate(
    run: &mut ReluRun<'_, '_>,
    k: usize,
    info: &IterInfo,
    converged: bool,
) -> Option<Status> {
    let stop = run.iteration(k, info);
    if stop == Some(Status::Interrupted) {
        stop
    } else if converged {
        Some(Status::Converged)
    } else {
        stop
    }
}

/// Runs `body` with the user's observer, preceded by the stderr log when `verbose`
/// (every `every` iterations).
pub(crate) fn with_log<R>(
    verbose: bool,
    every: usize,
    observer: &mut dyn Observer<IterInfo>,
    body: impl FnOnce(&mut dyn Observer<IterInfo>) -> R,
) -> R {
    if !verbose {
        return body(observer);
    }
    let mut log = LogObserver::stderr().every(every);
    let mut all = Observers::new().with(&mut log).with(observer);
    body(&mut all)
}

/// How the run ended, in words: `converged` says which test held, `stalled` why the
/// method could not go on.
pub(crate) fn message(status: Status, converged: &str, stalled: &str, iterations: usize) -> String {
    match status {
        Status::Converged => converged.to_string(),
        Status::Stalled => stalled.to_string(),
        Status::IterationLimit => format!("iteration limit reached after {iterations} iterations"),
        Status::TimeLimit => "time limit reached".to_string(),
        Status::Interrupted => "stopped by the observer or an interrupt request".to_string(),
        other => other.as_str().to_string(),
    }
}
