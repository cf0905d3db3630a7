//! No allocation between consecutive iterates once the workspaces exist: adasketch,
//! newton and auglag, on the dense (small n) and the sparse (`dense_limit = 0`) analysis
//! paths, counted by a global counting allocator. Warm-up is the first two iterates plus
//! the first use of the two structures built lazily because a run may never need them:
//! the direct fallback's LU (adasketch) and the Cholesky factor of H + t I (sparse
//! Hessian modification, tried only when Gershgorin's bound does not settle the shift);
//! each may allocate in one later iterate, never again. The problem's own evaluations are
//! counted apart and left out (the logistic regression instance allocates in its
//! callbacks): what remains is the solvers'. One test in this binary, so that no other
//! test allocates meanwhile.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use opal_core::alloc_count::CountingAlloc;
use opal_core::{Control, Observer};
use opal_nlp::eqnlp::{IterationInfo, KktSolveMethod, MeritSettings, Output};
use opal_nlp::{adasketch, auglag, newton_merit};
use opal_problems::instances::logreg::ConstrainedLogReg;
use opal_problems::instances::pde::PdeControl;
use opal_problems::{EvalError, ProblemInfo, SmoothProblem, SparsityPattern};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

/// Iterates whose workspaces are still being sized: the first analysis and the first
/// factorization of each kind (sparse Cholesky factors are analysed on first use).
const WARM_UP: usize = 2;

/// A problem whose evaluations' allocations are counted apart.
struct Counted<'a> {
    inner: &'a dyn SmoothProblem,
    inside: AtomicUsize,
}

impl Counted<'_> {
    fn tally<R>(&self, f: impl FnOnce() -> R) -> R {
        let (r, n) = ALLOC.measure(f);
        self.inside.fetch_add(n, Ordering::Relaxed);
        r
    }
}

impl SmoothProblem for Counted<'_> {
    fn info(&self) -> &ProblemInfo {
        self.inner.info()
    }
    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        self.tally(|| self.inner.objective(x))
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) -> Result<(), EvalError> {
        self.tally(|| self.inner.gradient(x, g))
    }
    fn objective_and_gradient(&self, x: &[f64], g: &mut [f64]) -> Result<f64, EvalError> {
        self.tally(|| self.inner.objective_and_gradient(x, g))
    }
    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        self.tally(|| self.inner.constraints(x, c))
    }
    fn jacobian_pattern(&self) -> &SparsityPattern {
        self.inner.jacobian_pattern()
    }
    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        self.tally(|| self.inner.jacobian_values(x, v))
    }
    fn hessian_pattern(&self) -> &SparsityPattern {
        self.inner.hessian_pattern()
    }
    fn hessian_values(&self, x: &[f64], s: f64, y: &[f64], v: &mut [f64]) -> Result<(), EvalError> {
        self.tally(|| self.inner.hessian_values(x, s, y, v))
    }
}

/// Records (all allocations, the problem's allocations) at every iterate, into a buffer
/// sized once.
struct Split<'a> {
    problem: &'a AtomicUsize,
    counts: Vec<(usize, usize)>,
}

impl Observer<IterationInfo> for Split<'_> {
    fn iteration(&mut self, _: &IterationInfo) -> Control {
        if self.counts.len() < self.counts.capacity() {
            let inside = self.problem.load(Ordering::Relaxed);
            self.counts.push((ALLOC.allocations(), inside));
        }
        Control::Continue
    }
}

type Solve<'s> = &'s dyn Fn(&dyn SmoothProblem, &mut dyn Observer<IterationInfo>) -> Output;

/// Runs `solve` on `p` and prints the solver's allocations between consecutive iterates
/// after the warm-up; returns the number of iterates that allocated.
fn solver_allocations(what: &str, p: &dyn SmoothProblem, solve: Solve<'_>) -> usize {
    let counted = Counted {
        inner: p,
        inside: AtomicUsize::new(0),
    };
    let mut split = Split {
        problem: &counted.inside,
        counts: Vec::with_capacity(10_000),
    };
    let out = solve(&counted, &mut split);
    let deltas: Vec<usize> = split
        .counts
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) - (w[1].1 - w[0].1))
        .skip(WARM_UP)
        .collect();
    println!(
        "{what}: {} iterations ({}), solver allocations per iteration after warm-up {deltas:?}",
        out.iterations, out.status
    );
    assert!(
        !deltas.is_empty(),
        "{what}: too few iterations to judge: {out:?}"
    );
    deltas.into_iter().filter(|&d| d > 0).count()
}

#[test]
fn iterations_do_not_allocate() {
    let hs7 = support::hs7();
    let logreg = ConstrainedLogReg::synthetic(300, 40).expect("valid synthetic data");
    let pde = PdeControl::new(10).unwrap();
    let mut worst = Vec::new();
    for (name, p) in [
        ("HS7", &*hs7 as &dyn SmoothProblem),
        ("logreg-like", &logreg),
    ] {
        for dense_limit in [500, 0] {
            let merit = MeritSettings::default().tol(1e-10).dense_limit(dense_limit);
            let sketched = adasketch::Settings::default().merit(merit.clone());
            let direct = sketched.clone().kkt_solve_method(KktSolveMethod::Direct);
            let case = format!("{name}, dense_limit {dense_limit}");
            let runs: [(&str, Solve<'_>); 3] = [
                ("adasketch", &|p, o| {
                    adasketch::solve_observed(p, &sketched, o).unwrap()
                }),
                ("adasketch direct", &|p, o| {
                    adasketch::solve_observed(p, &direct, o).unwrap()
                }),
                ("newton", &|p, o| {
                    newton_merit::solve_observed(p, &merit, o).unwrap()
                }),
            ];
            for (solver, solve) in runs {
                let what = format!("{solver} on {case}");
                // First uses: the fallback LU (sketched adasketch), the Cholesky of H + t I.
                let lazy = usize::from(solver == "adasketch") + usize::from(dense_limit == 0);
                worst.push((solver_allocations(&what, p, solve), lazy, what));
            }
        }
    }
    // auglag: dense Newton systems (n <= dense_limit) and sparse Cholesky ones.
    for (name, p) in [("HS7", &*hs7 as &dyn SmoothProblem), ("pde:N=10", &pde)] {
        for dense_limit in [500, 0] {
            let s = auglag::Settings::default()
                .tol(1e-8)
                .dense_limit(dense_limit);
            let what = format!("auglag on {name}, dense_limit {dense_limit}");
            let solve: Solve<'_> = &|p, o| auglag::solve_observed(p, &s, o).unwrap();
            worst.push((solver_allocations(&what, p, solve), 0, what));
        }
    }
    for (allocating, lazy, what) in &worst {
        assert!(
            allocating <= lazy,
            "{what}: {allocating} iterates allocated"
        );
    }
}
