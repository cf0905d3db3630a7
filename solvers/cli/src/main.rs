//! `opal`: the command-line front end of the opal optimization suite.

mod calibrate;
mod complete;
mod demo;
mod demo_sif;
mod generate;
mod inspect;
mod inspect_mip;
mod interrupt;
mod json;
mod load;
mod problems;
mod relu;
mod solve;
mod solve_args;
mod solve_ipm;
mod solve_mip;
mod solve_nlp;
mod start_point;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// Optimization solvers for nonlinear programs (CUTEst SIF), mixed-integer programs
/// (MPS/LP), convex ReLU training, matrix completion and blind calibration.
#[derive(Parser)]
#[command(name = "opal", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the built-in problems and instance generators with their parameters.
    Problems,
    /// Summarize a problem and evaluate it at its start point.
    Inspect(inspect::InspectArgs),
    /// Write a generated instance (MIP as MPS, completion data as MatrixMarket).
    Generate(generate::GenerateArgs),
    /// Solve a model: MIP files (.mps / .lp, Balans over HiGHS), SIF files and built-in
    /// smooth problems (interior point with bounds or inequalities, else adasketch).
    Solve(solve_args::SolveArgs),
    /// A short tour on built-in and generated problems (the README's main job).
    Demo(demo::DemoArgs),
    /// Blind gain calibration of a generated instance (projected gradient or linear).
    Calibrate(calibrate::CalibrateArgs),
    /// Convex training of two-layer ReLU networks (gated / ReLU programs, ADMM, FISTA).
    Relu(relu::ReluArgs),
    /// Complete a low-rank matrix from observed entries (.mtx or `row col value` text).
    Complete(complete::CompleteArgs),
}

/// An error as the CLI reports it: message plus exit code.
#[derive(Debug)]
pub struct CliError {
    message: String,
    code: u8,
}

impl CliError {
    /// Bad input or a failed evaluation (exit code 1).
    pub fn new(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: 1,
        }
    }
}

impl<E: std::error::Error> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError::new(e)
    }
}

/// The parsed command line; a usage error is reported as `opal: error: ...` with exit
/// code 1 like every other bad input (help and version still print and exit 0).
fn parse() -> Result<Cli, ExitCode> {
    // `--time-limit -1` must reach the argument's own check (which names it), not be
    // taken for an unknown flag.
    fn negatives(c: clap::Command) -> clap::Command {
        c.allow_negative_numbers(true).mut_subcommands(negatives)
    }
    let matches = negatives(Cli::command()).try_get_matches();
    matches
        .and_then(|m| Cli::from_arg_matches(&m))
        .map_err(|e| {
            if !e.use_stderr() {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let text = e.render().to_string();
            let text = text
                .trim_end()
                .strip_prefix("error: ")
                .unwrap_or(text.trim_end());
            eprintln!("opal: error: {text}");
            ExitCode::from(1)
        })
}

fn main() -> ExitCode {
    interrupt::started();
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    // Before any work: a Ctrl-C during the set-up must not be lost.
    interrupt::handle();
    let result = match cli.command {
        Command::Problems => problems::run(),
        Command::Inspect(args) => inspect::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Solve(args) => solve::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Relu(args) => relu::run(args),
        Command::Complete(args) => complete::run(args),
    };
    match result {
        Ok(()) if interrupt::was_triggered() => ExitCode::from(130),
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("opal: error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
