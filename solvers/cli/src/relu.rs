//! `opal relu train`: convex training of a two-layer ReLU network on a LIBSVM file.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use opal_core::Budget;
use opal_problems::formats::libsvm::{LabelMap, read_libsvm};
use opal_relu::{Dataset, FitResult, Settings, SolverKind, Task, Variant, fit};
use serde_json::json;

use crate::CliError;
use crate::json::num;

#[derive(Args)]
pub struct ReluArgs {
    #[command(subcommand)]
    command: ReluCommand,
}

#[derive(Subcommand)]
enum ReluCommand {
    /// Train on DATA (labels mapped to ±1) and report objective, iterations, accuracy, time.
    Train(TrainArgs),
}

#[derive(Args)]
struct TrainArgs {
    /// Training data (LIBSVM text).
    data: PathBuf,
    /// Group-lasso weight lam of the (1/(2n)) scaled program.
    #[arg(long, default_value_t = 1e-3)]
    lam: f64,
    /// Number of gate vectors sampled.
    #[arg(long, default_value_t = 100)]
    patterns: usize,
    /// Program: gated | relu.
    #[arg(long, default_value = "gated")]
    variant: String,
    /// Solver: auto | ipm | admm | cg | fista | al (auto: ipm up to n = 4000; beyond, fista
    /// for gated, and admm for relu where its n x n matrix fits in memory, else al).
    #[arg(long, default_value = "auto")]
    solver: String,
    /// Seed of the gate sampling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stopping tolerance.
    #[arg(long, default_value_t = 1e-6)]
    tol: f64,
    /// Iteration limit.
    #[arg(long, default_value_t = 20_000)]
    max_iter: usize,
    /// Append a bias column.
    #[arg(long)]
    fit_intercept: bool,
    /// Wall-clock limit in seconds (inf for none).
    #[arg(long)]
    time_limit: Option<f64>,
    /// Test data (LIBSVM text) for test accuracy.
    #[arg(long)]
    test: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Log iterations to stderr.
    #[arg(long)]
    verbose: bool,
}

/// A LIBSVM file as dense data with ±1 labels, and how the file's labels were mapped.
fn load(
    path: &std::path::Path,
    n_features: Option<usize>,
) -> Result<(Dataset, LabelMap), CliError> {
    let in_file = |e: &dyn std::fmt::Display| CliError::new(format!("{}: {e}", path.display()));
    let raw = read_libsvm(path, n_features)?;
    let (y, map) = raw.binary_labels().map_err(|e| in_file(&e))?;
    let (values, d) = raw.to_dense(n_features);
    let data = Dataset::from_row_major(raw.n_samples(), d, &values, y, Task::Classification)
        .map_err(|e| in_file(&e))?;
    Ok((data, map))
}

fn accuracy(res: &FitResult, data: &Dataset) -> Result<f64, CliError> {
    let pred = res.model.predict_class(data.x.as_ref())?;
    Ok(pred.iter().zip(&data.y).filter(|(p, y)| p == y).count() as f64 / data.n() as f64)
}

/// Runs the subcommand.
pub fn run(args: ReluArgs) -> Result<(), CliError> {
    let ReluCommand::Train(a) = args.command;
    let (train, label_map) = load(&a.data, None)?;
    let mut budget = crate::interrupt::attach(Budget::iterations(a.max_iter));
    if let Some(t) = a.time_limit {
        budget = budget.with_time_limit_secs(t)?;
    }
    let settings = Settings::default()
        .lam(a.lam)
        .n_patterns(a.patterns)
        .variant(Variant::parse(&a.variant)?)
        .solver(SolverKind::parse(&a.solver)?)
        .seed(a.seed)
        .tol(a.tol)
        .budget(budget)
        .fit_intercept(a.fit_intercept)
        .verbose(a.verbose);
    let res = fit(&train, &settings)?;
    let train_acc = accuracy(&res, &train)?;
    let test_acc = match &a.test {
        Some(p) => {
            let (test, _) = load(p, Some(train.d()))?;
            if test.d() != train.d() {
                return Err(CliError::new(format!(
                    "{}: {} features, the training data has {}",
                    p.display(),
                    test.d(),
                    train.d()
                )));
            }
            Some(accuracy(&res, &test)?)
        }
        None => None,
    };
    let map = json!({"-1": num(label_map.negative), "+1": num(label_map.positive)});
    let width = res.model.network().width();
    if a.json {
        let out = json!({
            "data": a.data.display().to_string(),
            "n": train.n(), "d": train.d(),
            "label_map": map,
            "variant": settings.variant.name(),
            "solver": res.solver.name(),
            "status": res.status.as_str(),
            "message": res.message,
            "iterations": res.iterations,
            "objective": num(res.objective),
            "cone_violation": num(res.cone_violation),
            "patterns": res.model.n_patterns(),
            "gates_sampled": res.gates_sampled,
            "dropped_duplicate": res.dropped_duplicate,
            "dropped_zero": res.dropped_zero,
            "hidden_units": width,
            "train_accuracy": num(train_acc),
            "test_accuracy": test_acc.map(num),
            "time": num(res.time),
        });
        println!("{out}");
    } else {
        println!(
            "data       {} ({} x {}), labels {} -> -1, {} -> +1",
            a.data.display(),
            train.n(),
            train.d(),
            label_map.negative,
            label_map.positive
        );
        println!(
            "patterns   {} kept of {} sampled ({} duplicate, {} all-zero dropped)",
            res.model.n_patterns(),
            res.gates_sampled,
            res.dropped_duplicate,
            res.dropped_zero
        );
        println!(
            "program    {} via {}, status {} ({})",
            settings.variant.name(),
            res.solver.name(),
            res.status,
            res.message
        );
        println!(
            "objective  {:.10e}   cone violation {:.2e}",
            res.objective, res.cone_violation
        );
        println!(
            "iterations {}   time {:.3} s   hidden units {}",
            res.iterations, res.time, width
        );
        print!("accuracy   train {:.4}", train_acc);
        match test_acc {
            Some(t) => println!("   test {t:.4}"),
            None => println!(),
        }
    }
    Ok(())
}
