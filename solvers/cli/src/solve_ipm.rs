//! `opal solve` with the interior point: settings from the flags and `--param`, the run,
//! and the report (text or `--json`).

use opal_nlp::ipm::{self, Output, Settings, WarmStart};
use opal_problems::SmoothProblem;
use serde_json::{Value, json};

use crate::CliError;
use crate::json::{evaluations, num, nums};
use crate::solve_args::{HessianArg, LinearSolverArg, MuStrategyArg, SolveArgs};

/// Interior-point settings from the flags, then the `--param` settings `pairs`.
pub fn settings(args: &SolveArgs, pairs: &[(String, String)]) -> Result<Settings, CliError> {
    let mut s = Settings::default();
    let mut set = |name: &str, value: &str, what: &str| -> Result<(), CliError> {
        match s.set(name, value) {
            Ok(true) => Ok(()),
            Ok(false) => Err(CliError::new(format!("{what}: not a setting of ipm"))),
            Err(e) => Err(CliError::new(format!("{what}: {e}"))),
        }
    };
    if let Some(t) = args.tol {
        set("tol", &t.to_string(), "--tol")?;
    }
    if let Some(n) = args.max_iter {
        set("max_iter", &n.to_string(), "--max-iter")?;
    }
    if let Some(t) = args.time_limit {
        set("time_limit", &t.to_string(), "--time-limit")?;
    }
    if let Some(h) = args.hessian {
        let v = match h {
            HessianArg::Exact => "exact",
            HessianArg::Lbfgs => "lbfgs",
        };
        set("hessian", v, "--hessian")?;
    }
    if let Some(m) = args.mu_strategy {
        let v = match m {
            MuStrategyArg::Monotone => "monotone",
            MuStrategyArg::Adaptive => "adaptive",
        };
        set("mu_strategy", v, "--mu-strategy")?;
    }
    if let Some(l) = args.linear_solver {
        let v = match l {
            LinearSolverArg::Auto => "auto",
            LinearSolverArg::Sparse => "sparse",
            LinearSolverArg::Dense => "dense",
        };
        set("linear_solver", v, "--linear-solver")?;
    }
    if args.verbose {
        set("verbose", "true", "--verbose")?;
    }
    if args.seed.is_some() {
        return Err(CliError::new(
            "--seed: not a setting of ipm (the interior point is deterministic)",
        ));
    }
    if args.sketch.is_some() {
        return Err(CliError::new(
            "--sketch: not a setting of ipm (adasketch only)",
        ));
    }
    for (name, value) in pairs {
        set(name, value, &format!("--param {name}"))?;
    }
    s.validate().map_err(CliError::new)?;
    s.budget = crate::interrupt::attach(s.budget);
    Ok(s)
}

/// The result as the `--json` object.
pub fn output_json(problem: &dyn SmoothProblem, out: &Output) -> Value {
    let info = problem.info();
    let e = &out.evaluations;
    json!({
        "problem": info.name,
        "n": info.n(),
        "m": info.m(),
        "solver": "ipm",
        "status": out.status.as_str(),
        "termination": out.termination.as_str(),
        "message": out.message,
        "objective": num(out.objective),
        "x": nums(&out.x),
        "multipliers": nums(&out.multipliers),
        "lower_bound_multipliers": nums(&out.lower_bound_multipliers),
        "upper_bound_multipliers": nums(&out.upper_bound_multipliers),
        "constraint_values": nums(&out.constraint_values),
        "constraint_violation": num(out.constraint_violation),
        "dual_infeasibility": num(out.dual_infeasibility),
        "complementarity": num(out.complementarity),
        "kkt_error": num(out.kkt_error),
        "mu": num(out.mu),
        "iterations": out.iterations,
        "restoration_iterations": out.restoration_iterations,
        "evaluations": evaluations(e.objective, e.gradient, e.constraints, e.jacobian, e.hessian),
        "time_s": out.time.as_secs_f64(),
    })
}

/// The first line of the text report of every smooth solver.
pub fn print_problem(info: &opal_problems::ProblemInfo) {
    println!(
        "problem          {} (n = {}, m = {})",
        info.name,
        info.n(),
        info.m()
    );
}

/// Solves `problem` with the interior point and prints the result.
pub fn run(
    args: &SolveArgs,
    problem: &dyn SmoothProblem,
    s: &Settings,
    warm: Option<&WarmStart>,
) -> Result<(), CliError> {
    let out = ipm::solve_warm(problem, s, warm, &mut opal_core::NoObserver)?;
    if args.json {
        println!("{}", output_json(problem, &out));
        return Ok(());
    }
    print_problem(problem.info());
    println!("solver           ipm (interior point)");
    println!(
        "status           {} ({})",
        out.status,
        out.termination.as_str()
    );
    println!("message          {}", out.message);
    println!("objective        {:.10e}", out.objective);
    println!(
        "optimality       {:.3e} scaled (dual inf {:.3e}, constraint violation {:.3e}, \
         complementarity {:.3e})",
        out.kkt_error, out.dual_infeasibility, out.constraint_violation, out.complementarity
    );
    println!(
        "iterations       {} (restoration {})",
        out.iterations, out.restoration_iterations
    );
    println!("time             {:.3} s", out.time.as_secs_f64());
    Ok(())
}
