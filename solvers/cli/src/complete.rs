//! `opal complete`: low-rank matrix completion of observed entries read from a file
//! (robust alternating minimization, `opal_completion`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use opal_completion::{DEFAULT_MAX_SWEEPS, Mode, RegressionSolver, Settings, complete};
use opal_core::Budget;
use opal_problems::formats::matrix_market::{
    DenseMatrix, read_matrix_market, read_triplet_text, write_matrix_market_array,
};
use opal_problems::triplets::Triplets;
use serde_json::json;

use crate::CliError;
use crate::json::num;

#[derive(Clone, Copy, ValueEnum)]
enum SolverArg {
    /// Normal equations + Cholesky with refinement.
    Exact,
    /// Warm-started conjugate gradients.
    Cg,
    /// Sketch-and-precondition.
    Sketch,
    /// Chosen per regression from |Omega_j| / k.
    Auto,
}

#[derive(Args)]
pub struct CompleteArgs {
    /// Observed entries: MatrixMarket coordinate file (.mtx) or `row col value` text
    /// (blanks, tabs or commas; a non-numeric first line is a header; further columns such
    /// as MovieLens timestamps are ignored; 1-based unless --zero-based).
    file: PathBuf,
    /// Target rank k.
    #[arg(long)]
    rank: usize,
    /// Ridge weight on the factors (and biases) [default: 0].
    #[arg(long)]
    lambda: Option<f64>,
    /// Maximum number of sweeps [default: 100].
    #[arg(long = "max-iter")]
    max_iter: Option<usize>,
    /// Relative residual on the observed entries at which to stop [default: 1e-9].
    #[arg(long)]
    tol: Option<f64>,
    /// Random seed [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Fraction of entries held out for validation (early stopping, recovery check).
    #[arg(long)]
    validation: Option<f64>,
    /// Per-row/column regression solver.
    #[arg(long, value_enum, default_value = "auto")]
    solver: SolverArg,
    /// Fit a global mean and row/column biases (rating data).
    #[arg(long)]
    biases: bool,
    /// Scale each row's and column's ridge by its number of entries (ALS-WR).
    #[arg(long)]
    weighted_lambda: bool,
    /// Theory mode: sample splitting into 2T+1 parts (T = --max-iter).
    #[arg(long)]
    theory: bool,
    /// Indices in a text file start at 0 (default: 1).
    #[arg(long)]
    zero_based: bool,
    /// Shape ROWSxCOLS for text files (default: the largest indices seen).
    #[arg(long)]
    shape: Option<String>,
    /// Time limit in seconds (inf for none).
    #[arg(long)]
    time_limit: Option<f64>,
    /// Write the factors to PREFIX_U.mtx and PREFIX_V.mtx (MatrixMarket arrays; U V^T is
    /// the completion, biases folded in as two extra columns).
    #[arg(long, value_name = "PREFIX")]
    output: Option<PathBuf>,
    /// Print one JSON object with the summary.
    #[arg(long)]
    json: bool,
    /// One log line per sweep on stderr.
    #[arg(long)]
    verbose: bool,
}

/// True when the file's first line is a MatrixMarket banner (or the name ends in .mtx).
fn is_matrix_market(path: &Path) -> Result<bool, CliError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mtx"))
    {
        return Ok(true);
    }
    let file =
        std::fs::File::open(path).map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    let mut first = String::new();
    BufReader::new(file)
        .read_line(&mut first)
        .map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    Ok(first.starts_with("%%MatrixMarket"))
}

fn read_input(args: &CompleteArgs) -> Result<Triplets, CliError> {
    let mut t = if is_matrix_market(&args.file)? {
        read_matrix_market(&args.file)?
    } else {
        read_triplet_text(&args.file, !args.zero_based)?
    };
    if let Some(shape) = &args.shape {
        let bad = || CliError::new(format!("--shape '{shape}' is not ROWSxCOLS"));
        let (r, c) = shape.split_once(['x', 'X']).ok_or_else(bad)?;
        let (r, c): (usize, usize) = (
            r.trim().parse().map_err(|_| bad())?,
            c.trim().parse().map_err(|_| bad())?,
        );
        if r < t.nrows || c < t.ncols {
            return Err(CliError::new(format!(
                "--shape {r}x{c} is smaller than the {} x {} the file needs",
                t.nrows, t.ncols
            )));
        }
        t.nrows = r;
        t.ncols = c;
    }
    Ok(t)
}

/// Runs the subcommand.
pub fn run(args: CompleteArgs) -> Result<(), CliError> {
    let data = read_input(&args)?;
    let mut budget = crate::interrupt::attach(Budget::iterations(
        args.max_iter.unwrap_or(DEFAULT_MAX_SWEEPS),
    ));
    if let Some(t) = args.time_limit {
        budget = budget.with_time_limit_secs(t)?;
    }
    let mut s = Settings::default()
        .rank(args.rank)
        .budget(budget)
        .biases(args.biases)
        .weighted_lambda(args.weighted_lambda)
        .verbose(args.verbose)
        .solver(match args.solver {
            SolverArg::Exact => RegressionSolver::Exact,
            SolverArg::Cg => RegressionSolver::Cg,
            SolverArg::Sketch => RegressionSolver::Sketch,
            SolverArg::Auto => RegressionSolver::Auto,
        });
    if args.theory {
        s = s.mode(Mode::Theory);
    }
    if let Some(v) = args.lambda {
        s = s.lambda(v);
    }
    if let Some(v) = args.tol {
        s = s.tol(v);
    }
    if let Some(v) = args.seed {
        s = s.seed(v);
    }
    if let Some(v) = args.validation {
        s = s.validation_fraction(v);
    }
    let file = args.file.display().to_string();
    let out = complete(&data, &s).map_err(|e| CliError::new(format!("{file}: {e}")))?;
    let (u, v, cols) = out.factors();
    let mut files = None;
    if let Some(prefix) = &args.output {
        let name = |suffix: &str| {
            let mut p = prefix.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        };
        let (pu, pv) = (name("_U.mtx"), name("_V.mtx"));
        write_matrix_market_array(
            &pu,
            &DenseMatrix {
                nrows: out.nrows,
                ncols: cols,
                data: u,
            },
        )?;
        write_matrix_market_array(
            &pv,
            &DenseMatrix {
                nrows: out.ncols,
                ncols: cols,
                data: v,
            },
        )?;
        files = Some((pu, pv));
    }
    if args.json {
        let mut o = json!({
            "file": file,
            "rows": out.nrows,
            "cols": out.ncols,
            "observed": out.observed,
            "held_out": out.held_out,
            "duplicates_merged": out.duplicates_merged,
            "rank": out.rank,
            "factor_columns": cols,
            "degrees_of_freedom": out.degrees_of_freedom,
            "status": out.status.as_str(),
            "reason": out.reason.map(|r| r.as_str()),
            "message": out.message,
            "recovered": out.recovered(),
            "iterations": out.iterations,
            "train_rmse": num(out.train_rmse),
            "relative_residual": num(out.relative_residual),
            "time": num(out.time),
            "init_time": num(out.init_time),
            "inner_iterations": out.inner_iterations,
        });
        if let Some(vr) = out.validation_rmse {
            o["validation_rmse"] = num(vr);
            o["validation_relative_residual"] =
                num(out.validation_relative_residual.unwrap_or(f64::NAN));
        }
        if let Some((pu, pv)) = &files {
            o["u_file"] = json!(pu.display().to_string());
            o["v_file"] = json!(pv.display().to_string());
        }
        println!("{o}");
    } else {
        println!(
            "{file}: {} x {}, {} observed ({} held out, {} duplicates merged), rank {}",
            out.nrows, out.ncols, out.observed, out.held_out, out.duplicates_merged, out.rank
        );
        println!(
            "status {}{}  sweeps {}  train RMSE {:.6e}  relative residual {:.3e}{}  time {:.3}s",
            out.status,
            out.reason.map_or(String::new(), |r| format!(" ({r})")),
            out.iterations,
            out.train_rmse,
            out.relative_residual,
            out.validation_rmse
                .map_or(String::new(), |v| format!("  validation RMSE {v:.6e}")),
            out.time
        );
        println!("{}", out.message);
        if let Some((pu, pv)) = &files {
            println!("wrote {} and {}", pu.display(), pv.display());
        }
    }
    Ok(())
}
