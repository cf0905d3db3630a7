//! `opal demo`: the README's main job, a short tour on built-in and generated problems.
//! It grows as solvers land.

use std::path::PathBuf;

use clap::Args;
use opal_completion as completion;
use opal_problems::SmoothProblem;
use opal_problems::check::check_derivatives;
use opal_problems::registry::{Generated, Params, generate, load_builtin};

use opal_core::Budget;
use opal_mip::balans::{self, Config, Settings};

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
    println!("\nEquality-constrained NLP solvers on pde:N=20 (n = 800, m = 400):");
    let pde = load_builtin("pde:N=20", Params::default())?;
    let ada = opal_nlp::adasketch::solve(&pde, &opal_nlp::adasketch::Settings::default())?;
    let newton = opal_nlp::newton_merit::solve(&pde, &opal_nlp::newton_merit::Settings::default())?;
    for out in [&ada, &newton] {
        println!(
            "  {:<10} {:<10} f = {:.10e}  kkt = {:.2e}  {} iteration(s), {} sketch iterations, {} direct solve(s), {:.3} s",
            out.solver,
            out.status.as_str(),
            out.objective,
            out.kkt_residual,
            out.iterations,
            out.inner_iterations,
            out.direct_solves,
            out.time.as_secs_f64()
        );
    }
    crate::demo_sif::run(&dir, 100)?;
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
    println!("\nBalans (bandit-driven large-neighbourhood search over HiGHS) on a generated MIP:");
    if let Generated::Mip(model) = generate("knapsack:items=300,dims=30", Params::default())? {
        // A short run: 1 s for the initial solve and for each sub-MIP instead of the
        // defaults (10 s / 12 s / 15 s / 6 s) tuned for longer budgets.
        let config = Config {
            initial_time_limit: 1.0,
            sub_mip_time_limit: 1.0,
            local_branching_time_limit: 1.0,
            crossover_time_limit: 0.5,
            ..Config::default()
        };
        let five = Settings::default().budget(Budget::default().with_time_limit_secs(5.0)?);
        let out = balans::solve(&model, &five.clone().seed(0).config(config))?;
        let base = balans::solve_plain_highs(&model, &five)?;
        let show = |o: &balans::Output| {
            format!(
                "{:<10} objective {:<8} bound {:<12} {:.1} s",
                o.status.as_str(),
                o.objective.map_or("-".into(), |f| format!("{f:.2}")),
                o.best_bound.map_or("-".into(), |f| format!("{f:.2}")),
                o.time_s
            )
        };
        println!(
            "  {:<14} {} columns, {} rows",
            model.name,
            model.num_cols(),
            model.num_rows()
        );
        println!(
            "  {:<14} {}, {} iterations",
            "balans",
            show(&out),
            out.iterations
        );
        println!("  {:<14} {}", "plain HiGHS", show(&base));
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
    let settings = completion::Settings::default().rank(inst.rank);
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
        let c = completion::complete(&case.observed, &settings)?;
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
    calibration()?;
    relu_demo()?;
    Ok(())
}

/// Blind gain calibration: projected gradient descent and the linear baseline on one
/// generated instance.
fn calibration() -> Result<(), CliError> {
    use opal_calibration::{DenseOperator, Method, Problem, Settings, relative_error, solve};
    let (n, m, p, rho) = (64, 32, 16, 0.5);
    let inst = opal_problems::generators::calibration::instance(n, m, p, rho, 0.0, 1)?;
    let op = DenseOperator::from_instance(&inst)?;
    println!("\nBlind gain calibration, n = {n}, m = {m}, p = {p}, rho = {rho} (noiseless):");
    for (name, method) in [
        ("projected gradient", Method::ProjectedGradient),
        ("linear baseline", Method::Linear),
    ] {
        let out = solve(
            &Problem::new(&op, &inst.y, rho),
            &Settings::default().method(method),
        )?;
        println!(
            "  {:<19} {:<31} {:>4} iterations  error x {:.1e}  error d {:.1e}",
            name,
            match out.reason {
                Some(r) => format!("{} ({r})", out.status.as_str()),
                None => out.status.as_str().to_string(),
            },
            out.iterations,
            relative_error(&out.x, &inst.x),
            relative_error(&out.d, &inst.d)
        );
    }
    Ok(())
}

/// Convex ReLU training on a small planted two-layer network (gated program by FISTA and
/// ADMM, ReLU program by the interior point and by ADMM).
fn relu_demo() -> Result<(), CliError> {
    use opal_relu::{Dataset, Settings, SolverKind, Variant, fit};
    let (n, d) = (200, 5);
    let x = faer::Mat::from_fn(n, d, |i, j| {
        ((i * 7 + j * 13) % 17) as f64 / 8.0 - 1.0 + 0.01 * j as f64
    });
    let y = (0..n)
        .map(|i| {
            let a: f64 = (0..d).map(|j| x[(i, j)] * (j as f64 - 2.0)).sum();
            if a.max(0.0) - 0.3 >= 0.0 { 1.0 } else { -1.0 }
        })
        .collect();
    let data = Dataset::new(x, y)?;
    println!("\nConvex ReLU training (planted network, {n} x {d}, 30 gates):");
    for (variant, solver) in [
        (Variant::Gated, SolverKind::Fista),
        (Variant::Gated, SolverKind::Admm),
        (Variant::Relu, SolverKind::Ipm),
        (Variant::Relu, SolverKind::Admm),
    ] {
        let s = Settings::default()
            .n_patterns(30)
            .seed(1)
            .variant(variant)
            .solver(solver)
            .tol(1e-6);
        let r = fit(&data, &s)?;
        let pred = r.model.predict_class(data.x.as_ref())?;
        let acc = pred.iter().zip(&data.y).filter(|(p, y)| p == y).count() as f64 / n as f64;
        println!(
            "  {:<6} {:<6} objective {:.8e}  cone violation {:.1e}  {:>5} iterations  {:.3} s  train accuracy {:.3}",
            variant.name(),
            r.solver.name(),
            r.objective,
            r.cone_violation,
            r.iterations,
            r.time,
            acc
        );
    }
    Ok(())
}
