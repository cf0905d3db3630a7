//! `opal calibrate`: blind gain calibration on a generated instance y_l = diag(d) A_l x,
//! by projected gradient descent or the linear baseline, with errors against the truth.

use clap::{Args, ValueEnum};
use opal_calibration::{
    DEFAULT_MAX_ITERATIONS, DenseOperator, HadamardOperator, Method, Output, Problem,
    SensingOperator, Settings, measure, relative_error, solve,
};
use opal_core::Budget;
use opal_problems::generators::calibration::{add_relative_noise, instance};
use opal_problems::generators::{gaussian_vec, rng};
use serde_json::json;

use crate::CliError;
use crate::json::{num, nums};

#[derive(Clone, Copy, ValueEnum)]
enum MethodArg {
    /// Projected gradient descent (Cambareri and Jacques).
    Pgd,
    /// Ling and Strohmer's linear method (smallest singular vector).
    Linear,
}

#[derive(Clone, Copy, ValueEnum)]
enum OperatorArg {
    /// Gaussian matrices from the `calibration` generator.
    Dense,
    /// Random signs, Walsh-Hadamard transform and row subsampling (fast).
    Hadamard,
}

#[derive(Args)]
pub struct CalibrateArgs {
    /// Signal length n.
    #[arg(long, default_value_t = 128)]
    n: usize,
    /// Number of sensors m.
    #[arg(long, default_value_t = 64)]
    m: usize,
    /// Number of snapshots p.
    #[arg(long, default_value_t = 32)]
    p: usize,
    /// Gain bound: |d_i - 1| <= rho, 0 < rho < 1.
    #[arg(long, default_value_t = 0.5)]
    rho: f64,
    /// Noise standard deviation relative to the RMS of the clean measurements.
    #[arg(long, default_value_t = 0.0)]
    noise: f64,
    /// Seed of the instance.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Sensing operators.
    #[arg(long, value_enum, default_value_t = OperatorArg::Dense)]
    operator: OperatorArg,
    /// Algorithm.
    #[arg(long, value_enum, default_value_t = MethodArg::Pgd)]
    method: MethodArg,
    /// Use the paper's fixed steps with this scale mu instead of the exact line search.
    #[arg(long)]
    mu: Option<f64>,
    /// Iteration limit.
    #[arg(long, default_value_t = DEFAULT_MAX_ITERATIONS)]
    max_iterations: usize,
    /// Relative residual tolerance.
    #[arg(long, default_value_t = Settings::default().tol_residual)]
    tol_residual: f64,
    /// Relative change tolerance.
    #[arg(long, default_value_t = Settings::default().tol_step)]
    tol_step: f64,
    /// Wall-clock limit in seconds (inf for none).
    #[arg(long)]
    time_limit: Option<f64>,
    /// Log one line per iteration to stderr.
    #[arg(long)]
    verbose: bool,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// The instance as the solver sees it, with its ground truth.
struct Case {
    op: Box<dyn SensingOperator>,
    y: Vec<f64>,
    x: Vec<f64>,
    d: Vec<f64>,
}

fn build(args: &CalibrateArgs) -> Result<Case, CliError> {
    match args.operator {
        OperatorArg::Dense => {
            let inst = instance(args.n, args.m, args.p, args.rho, args.noise, args.seed)?;
            let op = DenseOperator::from_instance(&inst)?;
            Ok(Case {
                op: Box::new(op),
                y: inst.y,
                x: inst.x,
                d: inst.d,
            })
        }
        OperatorArg::Hadamard => {
            // Gains (and checks of n, m, p, rho, noise) from the generator; signal and
            // noise drawn here with the same conventions.
            let gains = instance(1, args.m, 1, args.rho, args.noise, args.seed)?.d;
            let op = HadamardOperator::random(args.n, args.m, args.p, args.seed)?;
            let mut r = rng(args.seed.wrapping_add(1));
            let x = gaussian_vec(&mut r, args.n);
            let mut y = measure(&op, &x, &gains);
            add_relative_noise(&mut y, args.noise, &mut r);
            Ok(Case {
                op: Box::new(op),
                y,
                x,
                d: gains,
            })
        }
    }
}

fn settings(args: &CalibrateArgs) -> Result<Settings, CliError> {
    let mut budget = crate::interrupt::attach(Budget::iterations(args.max_iterations));
    if let Some(t) = args.time_limit {
        budget = budget.with_time_limit_secs(t)?;
    }
    let mut s = Settings::default()
        .method(match args.method {
            MethodArg::Pgd => Method::ProjectedGradient,
            MethodArg::Linear => Method::Linear,
        })
        .budget(budget)
        .tol_residual(args.tol_residual)
        .tol_step(args.tol_step)
        .verbose(args.verbose);
    if let Some(mu) = args.mu {
        s = s.fixed_step(mu);
    }
    Ok(s)
}

/// Runs the subcommand.
pub fn run(args: CalibrateArgs) -> Result<(), CliError> {
    let case = build(&args)?;
    let settings = settings(&args)?;
    let out: Output = solve(&Problem::new(&*case.op, &case.y, args.rho), &settings)?;
    let (ex, ed) = (
        relative_error(&out.x, &case.x),
        relative_error(&out.d, &case.d),
    );
    if args.json {
        let v = json!({
            "n": args.n,
            "m": args.m,
            "p": args.p,
            "rho": num(args.rho),
            "noise": num(args.noise),
            "seed": args.seed,
            "method": format!("{:?}", out.method),
            "status": out.status.as_str(),
            "reason": out.reason.map(|r| r.as_str()),
            "message": out.message,
            "success": out.status.is_success(),
            "iterations": out.iterations,
            "objective": num(out.objective),
            "relative_residual": num(out.relative_residual),
            "operator_applications": out.operator_applications,
            "seconds": num(out.time.as_secs_f64()),
            "error_x": num(ex),
            "error_d": num(ed),
            "x": nums(&out.x),
            "d": nums(&out.d),
        });
        println!("{v}");
    } else {
        println!(
            "calibration n = {}, m = {}, p = {}, rho = {}, noise = {}: {:?} {}{}",
            args.n,
            args.m,
            args.p,
            args.rho,
            args.noise,
            out.method,
            out.status,
            out.reason.map_or(String::new(), |r| format!(" ({r})"))
        );
        println!(
            "  iterations {}, operator applications {}, time {:.3} s",
            out.iterations,
            out.operator_applications,
            out.time.as_secs_f64()
        );
        println!(
            "  objective {:.3e}, relative residual {:.3e}, error x {ex:.3e}, error d {ed:.3e}",
            out.objective, out.relative_residual
        );
        println!("  {}", out.message);
    }
    Ok(())
}
