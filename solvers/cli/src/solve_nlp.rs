//! `opal solve` on smooth problems: the choice of solver (the interior point when the
//! problem has a finite variable bound or an inequality, adasketch otherwise; `--solver`
//! forces one), its set-up, and the equality solvers' run and report (adasketch, newton,
//! auglag). The interior point's run is in `solve_ipm`.

use opal_nlp::Method;
use opal_nlp::eqnlp::Output;
use opal_problems::registry::BoxedProblem;
use opal_problems::{ConstraintKind, ProblemInfo, SmoothProblem};
use serde_json::json;

use crate::json::{evaluations, num, nums};
use crate::solve_args::{SolveArgs, SolverName};
use crate::{CliError, load, solve_ipm, start_point};

/// The configured solver.
pub enum Plan {
    /// The interior point with its settings and the `--x0` warm start.
    Ipm(opal_nlp::ipm::Settings, Option<opal_nlp::ipm::WarmStart>),
    /// An equality solver with its settings.
    Equality(Method),
}

/// A loaded problem with the solver that will run on it.
pub struct Setup {
    pub problem: BoxedProblem,
    pub plan: Plan,
}

/// True when the problem has a finite variable bound or a constraint that is not an
/// equality (c_l != c_u): the equality solvers cannot take it.
pub fn needs_ipm(info: &ProblemInfo) -> bool {
    info.has_bounds() || !info.equality_only()
}

/// The solver for `info`: `forced`, or the interior point when [`needs_ipm`], adasketch
/// otherwise. Forcing an equality solver onto bounds or inequalities is an error that
/// says to use ipm.
pub fn choose(info: &ProblemInfo, forced: Option<SolverName>) -> Result<SolverName, CliError> {
    let ipm = needs_ipm(info);
    match forced {
        None if ipm => Ok(SolverName::Ipm),
        None => Ok(SolverName::Adasketch),
        Some(s) if s != SolverName::Ipm && ipm => {
            let bounds = (0..info.n())
                .filter(|&i| info.lower[i].is_finite() || info.upper[i].is_finite())
                .count();
            let ineq = (0..info.m())
                .filter(|&i| info.constraint_kind(i) != ConstraintKind::Equality)
                .count();
            Err(CliError::new(format!(
                "problem {} has {bounds} bounded variables and {ineq} inequality constraints; \
                 --solver {} handles only equality constraints without bounds: use \
                 --solver ipm (the default for such problems)",
                info.name,
                s.as_str()
            )))
        }
        Some(s) => Ok(s),
    }
}

/// True when `name=value` is a setting of solver `s` (a bad value of a known setting
/// counts: its error comes when the setting is applied).
fn is_setting(s: SolverName, name: &str, value: &str) -> bool {
    let known = match s {
        SolverName::Ipm => opal_nlp::ipm::Settings::default().set(name, value),
        _ => Method::from_name(s.as_str()).map_or(Ok(false), |mut m| m.set(name, value)),
    };
    !matches!(known, Ok(false))
}

/// Splits `--param` pairs into solver settings (names a candidate solver knows) and
/// problem parameters.
type Pairs = Vec<(String, String)>;
fn split_params(args: &SolveArgs) -> Result<(Pairs, Vec<String>), CliError> {
    let candidates = match args.solver {
        Some(s) => vec![s],
        None => vec![SolverName::Ipm, SolverName::Adasketch],
    };
    let (mut settings, mut problem) = (Vec::new(), Vec::new());
    for pair in &args.params {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| CliError::new(format!("--param {pair}: expected NAME=VALUE")))?;
        let (name, value) = (name.trim(), value.trim());
        if candidates.iter().any(|&s| is_setting(s, name, value)) {
            settings.push((name.to_string(), value.to_string()));
        } else {
            problem.push(pair.clone());
        }
    }
    Ok((settings, problem))
}

/// An equality solver configured from the flags and the `--param` settings.
fn equality_method(
    args: &SolveArgs,
    solver: SolverName,
    pairs: &[(String, String)],
) -> Result<Method, CliError> {
    let mut m = Method::from_name(solver.as_str())
        .ok_or_else(|| CliError::new(format!("{} is not an equality solver", solver.as_str())))?;
    let flag =
        move |m: &mut Method, name: &str, value: String, what: &str| -> Result<(), CliError> {
            match m.set(name, &value).map_err(CliError::new)? {
                true => Ok(()),
                false => Err(CliError::new(format!(
                    "{what}: not a setting of {}{}",
                    m.name(),
                    if args.solver.is_some() {
                        ""
                    } else {
                        " (the problem has no bounds or inequalities; --solver ipm forces the \
                     interior point)"
                    }
                ))),
            }
        };
    crate::solve::reject(m.name(), &args.ipm_only_flags())?;
    for (name, value) in pairs {
        flag(&mut m, name, value.clone(), &format!("--param {name}"))?;
    }
    if let Some(t) = args.tol {
        flag(&mut m, "tol", t.to_string(), "--tol")?;
    }
    if let Some(n) = args.max_iter {
        flag(&mut m, "max_iter", n.to_string(), "--max-iter")?;
    }
    if let Some(t) = args.time_limit {
        flag(&mut m, "time_limit", t.to_string(), "--time-limit")?;
    }
    if let Some(seed) = args.seed {
        flag(&mut m, "seed", seed.to_string(), "--seed")?;
    }
    if let Some(sk) = &args.sketch {
        flag(&mut m, "sketch", sk.clone(), "--sketch")?;
    }
    if args.verbose {
        flag(&mut m, "verbose", "true".into(), "--verbose")?;
    }
    let budget = m.budget_mut();
    *budget = crate::interrupt::attach(budget.clone());
    Ok(m)
}

/// Loads the problem and configures the solver exactly as `opal solve` does, without
/// solving.
pub fn setup(args: &SolveArgs) -> Result<Setup, CliError> {
    let (settings, problem_params) = split_params(args)?;
    let spec = args.file.to_string_lossy();
    let problem = load::problem(&spec, &problem_params).map_err(|e| {
        // Name both possibilities for a parameter nobody knows.
        if e.message.contains("unknown parameter") {
            let solver = args.solver.map_or("ipm or adasketch", SolverName::as_str);
            CliError::new(format!("{} (nor a setting of {solver})", e.message))
        } else {
            e
        }
    })?;
    let plan = match choose(problem.info(), args.solver)? {
        SolverName::Ipm => {
            let warm = args.x0.as_deref().map(start_point::read).transpose()?;
            Plan::Ipm(solve_ipm::settings(args, &settings)?, warm)
        }
        s => Plan::Equality(equality_method(args, s, &settings)?),
    };
    Ok(Setup { problem, plan })
}

/// Solves a smooth problem as asked by `args`.
pub fn run(args: &SolveArgs) -> Result<(), CliError> {
    let Setup { problem, plan } = setup(args)?;
    match plan {
        Plan::Ipm(s, warm) => solve_ipm::run(args, &*problem, &s, warm.as_ref()),
        Plan::Equality(m) => run_equality(args, &*problem, &m),
    }
}

fn run_equality(
    args: &SolveArgs,
    problem: &dyn SmoothProblem,
    solver: &Method,
) -> Result<(), CliError> {
    let out: Output = solver.solve(problem)?;
    let info = problem.info();
    let sketch = match solver {
        Method::Adasketch(s) => Some(s.sketch.as_str()),
        _ => None,
    };
    let e = &out.evaluations;
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
            "evaluations": evaluations(e.objective, e.gradient, e.constraints, e.jacobian, e.hessian),
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
    solve_ipm::print_problem(info);
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
    println!(
        "evaluations      f {}, grad {}, c {}, J {}, H {}",
        e.objective, e.gradient, e.constraints, e.jacobian, e.hessian
    );
    println!("time             {:.3} s", out.time.as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use rayon::prelude::*;

    use super::*;

    #[derive(Parser)]
    struct Cmd {
        #[command(flatten)]
        args: SolveArgs,
    }

    fn args(argv: &[&str]) -> SolveArgs {
        Cmd::try_parse_from(std::iter::once("opal-solve").chain(argv.iter().copied()))
            .unwrap()
            .args
    }

    /// Every decodable SIF file of the collection is accepted by `opal solve`'s set-up
    /// (load, choice, settings) without a refusal; the choice follows the bounds.
    #[test]
    fn every_decodable_sif_file_is_accepted() {
        let Some(dir) = opal_problems::shared_data::require("data/sif", "every_decodable_sif")
        else {
            return;
        };
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "SIF"))
            .collect();
        files.sort();
        // (decoded, accepted, chose ipm, refusal)
        let results: Vec<(bool, bool, bool, Option<String>)> = files
            .par_iter()
            .map(|path| {
                let name = path.to_string_lossy().to_string();
                match setup(&args(&[&name])) {
                    Ok(s) => {
                        let ipm = matches!(s.plan, Plan::Ipm(..));
                        assert_eq!(ipm, needs_ipm(s.problem.info()), "{name}");
                        (true, true, ipm, None)
                    }
                    // Not decodable at all: not a refusal of the solver choice.
                    Err(_) if opal_cutest::load(path, &[]).is_err() => (false, false, false, None),
                    Err(e) => (true, false, false, Some(format!("{name}: {}", e.message))),
                }
            })
            .collect();
        let decoded = results.iter().filter(|r| r.0).count();
        let accepted = results.iter().filter(|r| r.1).count();
        let ipm = results.iter().filter(|r| r.2).count();
        println!(
            "SIF collection: {} files, {decoded} decodable, {accepted} accepted by opal solve \
             ({ipm} to ipm, {} to adasketch)",
            files.len(),
            accepted - ipm
        );
        for r in results.iter().filter_map(|r| r.3.as_ref()) {
            println!("  refused: {r}");
        }
        assert!(decoded >= 1096, "only {decoded} files decode");
        assert_eq!(accepted, decoded);
        assert!(
            ipm > 600 && accepted - ipm > 300,
            "{ipm} of {accepted} to ipm"
        );
    }

    #[test]
    fn forced_equality_solver_on_bounds_names_ipm() {
        let mut info = ProblemInfo::new("b", vec![0.0; 2]);
        assert_eq!(choose(&info, None).unwrap(), SolverName::Adasketch);
        info.lower[1] = 0.0;
        assert_eq!(choose(&info, None).unwrap(), SolverName::Ipm);
        let e = choose(&info, Some(SolverName::Newton)).unwrap_err();
        assert!(
            e.message.contains("1 bounded variables") && e.message.contains("--solver ipm"),
            "{}",
            e.message
        );
        let info = ProblemInfo::new("c", vec![0.0]).with_equalities(1);
        let mut ineq = info.clone();
        ineq.constraint_upper[0] = 1.0;
        assert_eq!(choose(&info, None).unwrap(), SolverName::Adasketch);
        assert_eq!(choose(&ineq, None).unwrap(), SolverName::Ipm);
        assert_eq!(
            choose(&ineq, Some(SolverName::Ipm)).unwrap(),
            SolverName::Ipm
        );
    }
}
