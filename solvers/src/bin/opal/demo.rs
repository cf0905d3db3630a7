//! `opal demo`: the README's main job, a short tour on built-in and generated problems.
//! It grows as solvers land.

use std::path::PathBuf;

use clap::Args;
use opal_problems::SmoothProblem;
use opal_problems::check::check_derivatives;
use opal_problems::registry::{Generated, Params, generate, load_builtin};
use opal_solvers::completion::{Settings, complete};

use crate::CliError;

#[derive(Args)]
pub struct DemoArgs {
    /// Directory for generated files (default: a fresh temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

fn show(problem: &dyn SmoothProblem) -> Result<(), CliError> {
    let info = problem.info();
    let x0 = info.x0.clone();
    let f = problem.objective(&x0)?;
    let mut c = vec![0.0; info.m()];
    problem.constraints(&x0, &mut c)?;
    let viol = c
        .iter()
        .zip(info.constraint_lower.iter().zip(&info.constraint_upper))
        .map(|(ci, (lo, up))| (lo - ci).max(ci - up).max(0.0))
        .fold(0.0, f64::max);
    let check = check_derivatives(problem, &x0, None, 2, 0)?;
    println!(
        "  {:<14} n = {:<6} m = {:<6} f(x0) = {:<12.6e} max violation = {:<10.3e} derivative check {:.1e}",
        info.name,
        info.n(),
        info.m(),
        f,
        viol,
        check.max()
    );
    Ok(())
}

/// Runs the tour.
pub fn run(args: DemoArgs) -> Result<(), CliError> {
    let dir = args
        .dir
        .unwrap_or_else(|| std::env::temp_dir().join(format!("opal-demo-{}", std::process::id())));
    std::fs::create_dir_all(&dir).map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?;
    println!("opal {} demo", env!("CARGO_PKG_VERSION"));
    println!("\nBuilt-in nonlinear programs at their start points:");
    for spec in ["pde:N=3", "pde:N=50"] {
        show(&*load_builtin(spec, Params::default())?)?;
    }
    println!("\nGenerated instances (written to {}):", dir.display());
    for spec in [
        "knapsack:items=40,dims=3",
        "setcover:elements=120,sets=60",
        "indset:nodes=80,edge_prob=0.08",
    ] {
        if let Generated::Mip(model) = generate(spec, Params::default())? {
            let path = dir.join(format!("{}.mps", model.name.to_lowercase()));
            model.write_mps(&path)?;
            println!(
                "  {:<14} {} columns, {} rows -> {}",
                model.name,
                model.num_cols(),
                model.num_rows(),
                path.display()
            );
        }
    }
    if let Generated::Completion(inst) =
        generate("completion:m=300,n=200,rank=4", Params::default())?
    {
        let path = dir.join("completion.mtx");
        opal_problems::formats::matrix_market::write_matrix_market(&path, &inst.observed)?;
        println!(
            "  {:<14} {} x {} rank {}, {} observed -> {}",
            "completion",
            inst.observed.nrows,
            inst.observed.ncols,
            inst.rank,
            inst.observed.len(),
            path.display()
        );
        completion_demo(&inst)?;
    }
    Ok(())
}

/// Completes the generated instance, then the same matrix sampled below the information
/// limit, where the honest answer is non-recovery.
fn completion_demo(
    inst: &opal_problems::generators::completion::CompletionInstance,
) -> Result<(), CliError> {
    println!("\nMatrix completion by alternating minimization (auto regression solver):");
    let settings = Settings::default().rank(inst.rank);
    let (m, n, k) = (inst.observed.nrows, inst.observed.ncols, inst.rank);
    let below = opal_problems::generators::completion::low_rank(
        m,
        n,
        k,
        (0.8 * (k * (m + n - k)) as f64) as usize,
        0.0,
        1,
    )?;
    for (label, case) in [("5x oversampled", inst), ("0.8x (too few)", &below)] {
        let c = complete(&case.observed, &settings)?;
        println!(
            "  {:<14} {} observed: status {:<15} sweeps {:<3} relative error {:.2e}  {:.3}s",
            label,
            case.observed.len(),
            c.status,
            c.iterations,
            case.relative_error_entrywise(&c.u, &c.v, c.rank),
            c.time
        );
    }
    Ok(())
}
