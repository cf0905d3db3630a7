//! `opal solve` for smooth equality-constrained problems: adasketch, newton, auglag.

use opal_nlp::Method;
use opal_nlp::eqnlp::{Evaluations, Output};
use serde_json::json;

use crate::json::{num, nums};
use crate::solve::SolveArgs;
use crate::{CliError, load};

fn evaluations_json(e: &Evaluations) -> serde_json::Value {
    json!({
        "objective": e.objective,
        "gradient": e.gradient,
        "constraints": e.constraints,
        "jacobian": e.jacobian,
        "hessian": e.hessian,
    })
}

/// Solves a smooth problem as asked by `args`.
pub fn run(args: &SolveArgs) -> Result<(), CliError> {
    let name = args.solver.as_deref().unwrap_or("adasketch");
    let mut solver = Method::from_name(name).ok_or_else(|| {
        CliError::new(format!(
            "unknown solver '{name}' for {} ({})",
            args.file.display(),
            Method::NAMES.join(", ")
        ))
    })?;
    // Settings first; whatever the solver does not know is a problem parameter.
    let mut problem_params = Vec::new();
    for pair in &args.params {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| CliError::new(format!("--param {pair}: expected NAME=VALUE")))?;
        if !solver
            .set(name.trim(), value.trim())
            .map_err(CliError::new)?
        {
            problem_params.push(pair.clone());
        }
    }
    let flag = |solver: &mut Method, name: &str, value: String| -> Result<(), CliError> {
        match solver.set(name, &value).map_err(CliError::new)? {
            true => Ok(()),
            false => Err(CliError::new(format!(
                "--{}: not a setting of {}",
                name.replace('_', "-"),
                solver.name()
            ))),
        }
    };
    if let Some(t) = args.tol {
        flag(&mut solver, "tol", t.to_string())?;
    }
    if let Some(n) = args.max_iter {
        flag(&mut solver, "max_iter", n.to_string())?;
    }
    if let Some(t) = args.time_limit {
        flag(&mut solver, "time_limit", t.to_string())?;
    }
    if let Some(seed) = args.seed {
        flag(&mut solver, "seed", seed.to_string())?;
    }
    if let Some(sk) = &args.sketch {
        flag(&mut solver, "sketch", sk.clone())?;
    }
    if args.verbose {
        flag(&mut solver, "verbose", "true".into())?;
    }
    let spec = args.file.to_string_lossy();
    let problem = load::problem(&spec, &problem_params).map_err(|e| {
        // Name both possibilities for a parameter nobody knows.
        if e.message.contains("unknown parameter") {
            CliError::new(format!(
                "{} (nor a setting of {})",
                e.message,
                solver.name()
            ))
        } else {
            e
        }
    })?;
    let out: Output = solver.solve(&problem)?;
    let info = opal_problems::SmoothProblem::info(&problem);
    let sketch = match &solver {
        Method::Adasketch(s) => Some(s.sketch.as_str()),
        _ => None,
    };
    if args.json {
        let mut v = json!({
            "problem": info.name,
            "n": info.n(),
            "m": info.m(),
            "solver": out.solver,
            "status": out.status.as_str(),
            "message": out.message,
            "reason": out.failure.map(|f| f.as_str()),
            "objective": num(out.objective),
            "x": nums(&out.x),
            "multipliers": nums(&out.lambda),
            "kkt_residual": num(out.kkt_residual),
            "constraint_violation": num(out.constraint_violation),
            "constraint_norm": num(out.constraint_norm),
            "lagrangian_gradient_norm": num(out.lagrangian_gradient_norm),
            "initial_kkt_residual": num(out.initial_kkt_residual),
            "iterations": out.iterations,
            "inner_iterations": out.inner_iterations,
            "direct_solves": out.direct_solves,
            "evaluations": evaluations_json(&out.evaluations),
            "eta1": num(out.eta1),
            "eta2": num(out.eta2),
            "time_s": out.time.as_secs_f64(),
        });
        if let Some(sk) = sketch {
            v["sketch"] = json!(sk);
        }
        println!("{v}");
        return Ok(());
    }
    println!(
        "problem          {} (n = {}, m = {})",
        info.name,
        info.n(),
        info.m()
    );
    match sketch {
        Some(sk) => println!("solver           {} ({sk} sketch)", out.solver),
        None => println!("solver           {}", out.solver),
    }
    match out.failure {
        Some(f) => println!("status           {} ({})", out.status, f.as_str()),
        None => println!("status           {}", out.status),
    }
    println!("message          {}", out.message);
    println!("objective        {:.10e}", out.objective);
    println!(
        "kkt residual     {:.3e} (initial {:.3e}; ||grad L|| {:.3e}, max |c| {:.3e})",
        out.kkt_residual,
        out.initial_kkt_residual,
        out.lagrangian_gradient_norm,
        out.constraint_violation
    );
    println!(
        "iterations       {} (inner {}, direct solves {})",
        out.iterations, out.inner_iterations, out.direct_solves
    );
    let e = &out.evaluations;
    println!(
        "evaluations      f {}, grad {}, c {}, J {}, H {}",
        e.objective, e.gradient, e.constraints, e.jacobian, e.hessian
    );
    println!("time             {:.3} s", out.time.as_secs_f64());
    Ok(())
}
