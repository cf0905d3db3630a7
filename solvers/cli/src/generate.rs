//! `opal generate`: writes a generated instance to a file.

use std::path::PathBuf;

use clap::Args;
use opal_problems::formats::matrix_market::write_matrix_market;
use opal_problems::registry::{Generated, generate};

use crate::{CliError, load};

#[derive(Args)]
pub struct GenerateArgs {
    /// Generator and its parameters, e.g. `knapsack:items=50,dims=5` (see `opal problems`).
    generator: String,
    /// Output file (.mps for MIPs, .mtx for completion data).
    #[arg(long, short)]
    out: PathBuf,
    /// Random seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Extra generator parameter NAME=VALUE (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
}

/// Runs the subcommand.
pub fn run(args: GenerateArgs) -> Result<(), CliError> {
    let mut params = load::params(&args.params)?;
    if let Some(seed) = args.seed {
        params.insert("seed", &seed.to_string());
    }
    match generate(&args.generator, params)? {
        Generated::Mip(model) => {
            model.write_mps(&args.out)?;
            println!(
                "wrote {} ({} columns, {} rows, {} nonzeros)",
                args.out.display(),
                model.num_cols(),
                model.num_rows(),
                model.entries.len()
            );
        }
        Generated::Completion(inst) => {
            write_matrix_market(&args.out, &inst.observed)?;
            println!(
                "wrote {} ({} x {}, rank {}, {} observed entries)",
                args.out.display(),
                inst.observed.nrows,
                inst.observed.ncols,
                inst.rank,
                inst.observed.len()
            );
        }
    }
    Ok(())
}
