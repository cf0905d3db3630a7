//! `opal inspect`: a problem's sizes, kinds and values at the start point.

use clap::Args;
use opal_problems::SmoothProblem;
use opal_problems::check::check_derivatives;
use opal_problems::evaluation::{PointEvaluation, evaluate_point};
use serde_json::json;

use crate::json::{bounds, num, nums, triplets};
use crate::{CliError, load};

#[derive(Args)]
pub struct InspectArgs {
    /// A built-in problem (`pde:N=100`, `logreg:PATH`), a CUTEst SIF file (`HS6.SIF`) or a
    /// MIP model file (`.mps` / `.lp`: sizes, variable kinds and bounds).
    problem: String,
    /// Problem parameter NAME=VALUE (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// Print one JSON object with every value at x0.
    #[arg(long)]
    json: bool,
    /// Also check derivatives against finite differences at x0.
    #[arg(long)]
    check: bool,
}

fn finite_count(v: &[f64]) -> usize {
    v.iter().filter(|b| b.is_finite()).count()
}

/// f, grad f and c at `x` (the derivative matrices are left empty).
fn summary_point<P: SmoothProblem + ?Sized>(
    p: &P,
    x: &[f64],
) -> Result<PointEvaluation, opal_problems::EvalError> {
    let info = p.info();
    let mut gradient = vec![0.0; info.n()];
    let objective = p.objective_and_gradient(x, &mut gradient)?;
    let mut constraints = vec![0.0; info.m()];
    p.constraints(x, &mut constraints)?;
    Ok(PointEvaluation {
        objective,
        gradient,
        constraints,
        jacobian: Vec::new(),
        hessian_objective: Vec::new(),
        hessian_constraints: Vec::new(),
    })
}

/// Runs the subcommand.
pub fn run(args: InspectArgs) -> Result<(), CliError> {
    if crate::solve_args::is_mip_file(std::path::Path::new(&args.problem)) {
        return crate::inspect_mip::run(&args.problem, args.json);
    }
    let problem = load::problem(&args.problem, &args.params)?;
    let info = problem.info();
    info.validate()
        .map_err(|e| CliError::new(format!("{}: {e}", info.name)))?;
    let x0 = info.x0.clone();
    // The summary needs f, grad f and c only; the per-constraint Hessians of the JSON output
    // cost one Hessian evaluation per constraint.
    let ev = if args.json {
        evaluate_point(&problem, &x0)
    } else {
        summary_point(&problem, &x0)
    }
    .map_err(|e| CliError::new(format!("{} at x0: {e}", info.name)))?;
    let check = if args.check {
        Some(check_derivatives(&problem, &x0, None, 3, 0)?)
    } else {
        None
    };
    if args.json {
        let mut out = json!({
            "name": info.name,
            "n": info.n(),
            "m": info.m(),
            "variables": info.variable_names,
            "constraints": info.constraint_names,
            "classification": info.classification,
            "x0": nums(&x0),
            "lower": bounds(&info.lower),
            "upper": bounds(&info.upper),
            "constraint_lower": bounds(&info.constraint_lower),
            "constraint_upper": bounds(&info.constraint_upper),
            "objective": if info.has_objective { num(ev.objective) } else { serde_json::Value::Null },
            "gradient": nums(&ev.gradient),
            "constraint_values": nums(&ev.constraints),
            "jacobian": triplets(&ev.jacobian),
            "hessian_objective": triplets(&ev.hessian_objective),
            "hessian_constraints": ev.hessian_constraints.iter().map(|h| triplets(h)).collect::<Vec<_>>(),
        });
        if let Some(r) = check {
            out["derivative_check"] = json!({
                "gradient": r.gradient, "jacobian": r.jacobian,
                "hessian_vector": r.hessian_vector, "hessian_consistency": r.hessian_consistency,
            });
        }
        println!("{out}");
        return Ok(());
    }
    let [eq, up, lo, range, free] = info.constraint_counts();
    let cnorm = ev.constraints.iter().map(|c| c * c).sum::<f64>().sqrt();
    println!("problem         {}", info.name);
    if let Some(c) = &info.classification {
        println!("classification  {c}");
    }
    println!(
        "variables       {} ({} lower, {} upper bounds)",
        info.n(),
        finite_count(&info.lower),
        finite_count(&info.upper)
    );
    println!(
        "constraints     {} ({eq} equality, {up} <=, {lo} >=, {range} ranged, {free} free)",
        info.m()
    );
    println!("jacobian nnz    {}", problem.jacobian_pattern().nnz());
    println!(
        "hessian nnz     {} (lower triangle)",
        problem.hessian_pattern().nnz()
    );
    if info.has_objective {
        println!("f(x0)           {:.10e}", ev.objective);
    } else {
        println!("f(x0)           (no objective)");
    }
    let gnorm = ev.gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
    println!("||grad f(x0)||  {gnorm:.6e}");
    println!("||c(x0)||       {cnorm:.6e}");
    let violation = ev
        .constraints
        .iter()
        .zip(info.constraint_lower.iter().zip(&info.constraint_upper))
        .map(|(c, (lo, up))| (lo - c).max(c - up).max(0.0))
        .fold(0.0, f64::max);
    println!("max violation   {violation:.6e}");
    if let Some(r) = check {
        println!(
            "derivative check (relative errors): gradient {:.1e}, jacobian {:.1e}, hessian-vector {:.1e}",
            r.gradient, r.jacobian, r.hessian_vector
        );
    }
    Ok(())
}
