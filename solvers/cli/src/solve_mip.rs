//! `opal solve FILE.mps|FILE.lp`: Balans (or plain HiGHS with `--solver highs`) on a MIP
//! read by HiGHS's reader and validated by opal.

use std::fmt::Write as _;

use opal_core::Budget;
use opal_io::{read_balans_config, read_model_with_warnings};
use opal_mip::Method;
use opal_mip::balans::{Config, Output, Settings};
use serde_json::{Value, json};

use crate::CliError;
use crate::json::num;
use crate::solve_args::SolveArgs;

fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, num)
}

fn error_json(args: &SolveArgs, message: &str) {
    if args.json {
        println!(
            "{}",
            json!({"status": "error", "error": message, "file": args.file.display().to_string()})
        );
    }
}

/// The result as the `--json` object.
pub fn output_json(out: &Output, solver: &str, file: &str) -> Value {
    json!({
        "file": file,
        "solver": solver,
        "status": out.status.as_str(),
        "message": out.message,
        "objective": opt(out.objective),
        "best_bound": opt(out.best_bound),
        "gap": opt(out.gap),
        "time_s": out.time_s,
        "iterations": out.iterations,
        "lp_bound": opt(out.lp_bound),
        "initial_objective": opt(out.initial_objective),
        "trace": out.trace.iter().map(|&(t, f)| json!([t, num(f)])).collect::<Vec<_>>(),
        "operators": out.operators.iter().map(|o| json!({
            "name": o.name,
            "calls": o.calls,
            "improvements": o.improvements,
            "better": o.better,
            "accepted": o.accepted,
            "no_solution": o.no_solution,
            "infeasible": o.infeasible,
            "time_s": o.time_s,
        })).collect::<Vec<_>>(),
        "dropped_operators": out.dropped.iter().map(|(n, why)| json!({"name": n, "reason": why})).collect::<Vec<_>>(),
    })
}

fn write_solution(args: &SolveArgs, out: &Output) -> Result<(), CliError> {
    let Some(path) = &args.solution else {
        return Ok(());
    };
    let mut s = String::new();
    let _ = writeln!(s, "# opal solution of {}", args.file.display());
    let _ = writeln!(s, "# status {}", out.status.as_str());
    match (&out.solution, out.objective) {
        (Some(x), Some(f)) => {
            let _ = writeln!(s, "# objective {f}");
            for (name, v) in out.col_names.iter().zip(x) {
                let _ = writeln!(s, "{name} {v}");
            }
        }
        _ => {
            let _ = writeln!(s, "# no solution");
        }
    }
    std::fs::write(path, s).map_err(|e| CliError::new(format!("{}: {e}", path.display())))
}

/// Runs `opal solve` on a MIP file.
pub fn run(args: &SolveArgs) -> Result<(), CliError> {
    let fail = |m: String| {
        error_json(args, &m);
        CliError::new(m)
    };
    let (model, warnings) =
        read_model_with_warnings(&args.file).map_err(|e| fail(e.to_string()))?;
    for w in &warnings {
        eprintln!("opal: warning: {}: {w}", args.file.display());
    }
    let config = match &args.config {
        Some(p) => read_balans_config(p).map_err(|e| fail(e.to_string()))?,
        None => Config::default(),
    };
    if args.threads == 0 {
        return Err(fail("--threads must be at least 1".into()));
    }
    let budget = crate::interrupt::attach(
        Budget::default()
            .with_time_limit_secs(args.mip_time_limit())
            .map_err(|e| fail(e.to_string()))?,
    );
    let settings = Settings::default()
        .budget(budget)
        .seed(args.seed.unwrap_or(0))
        .config(config)
        .threads(args.threads)
        .log(!args.quiet)
        .verbose(args.verbose);
    let method: Method = args.mip_solver().parse().map_err(|_| {
        fail(format!(
            "unknown --solver '{}' (balans or highs)",
            args.mip_solver()
        ))
    })?;
    let out = method
        .solve(&model, &settings)
        .map_err(|e| fail(format!("{}: {e}", args.file.display())))?;
    write_solution(args, &out)?;
    let file = args.file.display().to_string();
    if args.json {
        println!("{}", output_json(&out, args.mip_solver(), &file));
    } else {
        println!("file        {file}");
        println!("solver      {}", args.mip_solver());
        println!("status      {}", out.status.as_str());
        println!("message     {}", out.message);
        println!(
            "objective   {}",
            out.objective.map_or("-".into(), |f| format!("{f}"))
        );
        println!(
            "best bound  {}",
            out.best_bound.map_or("-".into(), |f| format!("{f}"))
        );
        println!(
            "gap         {}",
            out.gap.map_or("-".into(), |g| format!("{:.4}%", 100.0 * g))
        );
        println!("time        {:.2} s", out.time_s);
        if !out.operators.is_empty() {
            println!("iterations  {}", out.iterations);
            println!(
                "  {:<22} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8}",
                "operator", "calls", "best", "better", "accept", "nosol", "time s"
            );
            for o in &out.operators {
                println!(
                    "  {:<22} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8.2}",
                    o.name, o.calls, o.improvements, o.better, o.accepted, o.no_solution, o.time_s
                );
            }
        }
    }
    Ok(())
}
