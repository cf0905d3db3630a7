//! Equality-constrained NLP runs shared by `nlp_suite` and the harness: problem loading
//! (built-in specs and SIF files), the SIF reference objective, the classification filter
//! and one configured run of adasketch, newton or auglag.

use std::path::Path;

use opal_nlp::Method;
use opal_nlp::eqnlp::Output;
use opal_problems::SmoothProblem;
use opal_problems::registry::{self, Params};

/// A problem the harness can hand to any thread.
pub type Problem = Box<dyn SmoothProblem + Send>;

/// The 41 problems of the sketched-Newton paper present in `shared/data/sif`.
pub use opal_problems::suites::CUTEST_PAPER as PAPER;

/// Loads a built-in spec (`pde:N=100`, `logreg:PATH`) or a SIF file.
pub fn load(spec: &str) -> Result<Problem, String> {
    if registry::is_builtin(spec) {
        return registry::load_builtin(spec, Params::default()).map_err(|e| e.to_string());
    }
    if spec.to_ascii_uppercase().ends_with(".SIF") {
        return opal_cutest::load(spec, &[])
            .map(|p| Box::new(p) as Problem)
            .map_err(|e| e.to_string());
    }
    Err(format!("{spec}: not a built-in problem or SIF file"))
}

/// From a SIF file's classification string (`*   classification QQR2-AN-2-1`): true
/// unless it says "no objective" or "no general constraints" (U, X, B), so that most
/// files can be skipped without decoding them.
pub fn may_be_equality_with_objective(spec: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(Path::new(spec)) else {
        return true;
    };
    let Some(class) = text.lines().find_map(|l| {
        l.split_once("classification")
            .map(|(_, c)| c.trim().to_string())
    }) else {
        return true;
    };
    let class = class.trim_start_matches("C-");
    let mut chars = class.chars();
    match (chars.next(), chars.next()) {
        (Some(obj), Some(con)) => obj != 'N' && "LQO".contains(con),
        _ => true,
    }
}

/// True for the problems the equality-constrained solvers take: equality-only,
/// bound-free, with an objective and at least one constraint.
pub fn is_equality_with_objective(p: &dyn SmoothProblem) -> bool {
    let info = p.info();
    info.equality_only() && !info.has_bounds() && info.has_objective && info.m() > 0
}

/// The `*LO SOLTN` value of a SIF file, if any.
pub fn reference_objective(spec: &str) -> Option<f64> {
    let text = std::fs::read_to_string(Path::new(spec)).ok()?;
    opal_problems::suites::sif_reference_objective(&text)
}

/// Settings common to the three equality-constrained solvers.
#[derive(Debug, Clone, Default)]
pub struct Common {
    /// Time limit per solve (seconds).
    pub time_limit: f64,
    /// Relative KKT tolerance.
    pub tol: Option<f64>,
    /// Absolute KKT tolerance.
    pub abs_tol: Option<f64>,
    /// Iteration limit.
    pub max_iter: Option<usize>,
    /// Sketch of adasketch.
    pub sketch: Option<String>,
    /// Extra NAME=VALUE parameters, applied to every solver that knows them.
    pub params: Vec<String>,
}

/// The names of the equality-constrained solvers of opal.
pub const SOLVERS: &[&str] = &["adasketch", "newton", "auglag"];

/// Runs `solver` (adasketch, newton, auglag) on `p`; `Err` when the solver refuses the
/// problem or a setting.
pub fn run(solver: &str, p: &dyn SmoothProblem, c: &Common) -> Result<Output, String> {
    let configure = |set: &mut dyn FnMut(&str, &str) -> Result<bool, String>| {
        set("time_limit", &c.time_limit.to_string())?;
        if let Some(t) = c.tol {
            set("tol", &t.to_string())?;
        }
        if let Some(t) = c.abs_tol {
            set("abs_tol", &t.to_string())?;
        }
        if let Some(n) = c.max_iter {
            set("max_iter", &n.to_string())?;
        }
        for kv in &c.params {
            let (k, v) = kv.split_once('=').ok_or(format!("bad --param {kv}"))?;
            set(k, v)?;
        }
        Ok::<(), String>(())
    };
    let mut m = Method::from_name(solver).ok_or(format!("unknown solver {solver}"))?;
    if let (Method::Adasketch(s), Some(sk)) = (&mut m, &c.sketch) {
        s.set("sketch", sk)?;
    }
    configure(&mut |k, v| m.set(k, v))?;
    m.solve(p).map_err(|e| e.to_string())
}

/// KKT residual ||(grad f + J^T lambda, c - cl)||_2 of an equality-constrained problem at
/// (x, lambda): the same measure for every solver, whatever its own stopping test.
pub fn kkt_residual(p: &dyn SmoothProblem, x: &[f64], lambda: &[f64]) -> Result<f64, String> {
    let info = p.info();
    let (n, m) = (info.n(), info.m());
    let mut g = vec![0.0; n];
    p.gradient(x, &mut g).map_err(|e| e.to_string())?;
    let mut c = vec![0.0; m];
    p.constraints(x, &mut c).map_err(|e| e.to_string())?;
    let jp = p.jacobian_pattern();
    let mut jv = vec![0.0; jp.nnz()];
    p.jacobian_values(x, &mut jv).map_err(|e| e.to_string())?;
    jp.matvec_transpose(&jv, lambda, &mut g, true);
    let cl = &info.constraint_lower;
    let sq: f64 = g.iter().map(|v| v * v).sum::<f64>()
        + c.iter()
            .zip(cl)
            .map(|(ci, l)| if l.is_finite() { (ci - l).powi(2) } else { 0.0 })
            .sum::<f64>();
    Ok(sq.sqrt())
}
