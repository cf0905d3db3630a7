//! The benchmark harness: runs suites of problems with opal's solvers and their anchors,
//! in parallel across problems, and writes JSON lines + CSV (and, with `--report`,
//! `bench/RESULTS.md` with performance profiles).
//!
//! ```text
//! harness [SUITE...] [--solvers a,b] [--time-limit S] [--seeds K] [--out DIR] [--quick]
//!         [--jobs J] [--report] [--report-file FILE]
//! harness report [--out DIR] [--report-file FILE]
//! harness list [SUITE...] [--quick] [--time-limit S]
//! harness export completion|relu DIR [--quick] [--seeds K] [--time-limit S]
//! harness judge FILE
//! harness record
//! ```
//! `list` prints one JSON object per problem (suite, problem, spec, reference, time_limit)
//! of the NLP suites and miplib: the problem list `bench/python/anchors.py` runs the Python
//! anchors on. `export completion DIR` writes the completion suite's planted instances
//! (observed entries and true factors as MatrixMarket) into DIR and prints one JSON object
//! per instance, for the SoftImpute anchor; `export relu DIR` writes the relu suite's data
//! and gates (X, y, G, D as text) per (set, seed) for the CVXPY and scnn anchors. `judge
//! FILE` completes the anchor rows of a JSON-lines file by their suite's rules (solved, primal
//! gap, reference match) in place; `record` prints an empty record (every field of the
//! format) for the Python anchors. `report` merges the anchor rows of `anchors*.jsonl` in the
//! results directory. Suites: the registry (`opal_bench::harness::SUITES`; all when none is
//! named).

use std::path::PathBuf;

use clap::Parser;
use opal_bench::harness::{self, Config, Meta, Record, registry};
use opal_bench::report;

#[derive(Parser)]
#[command(
    about = "Runs the benchmark suites and writes results (and the report).",
    after_help = suites_help()
)]
struct Args {
    /// Suites to run (all when empty), or a command: `report`, `list [SUITE...]`,
    /// `export SUITE DIR`, `judge FILE`, `record`.
    suites: Vec<String>,
    /// Only these solvers (comma-separated).
    #[arg(long)]
    solvers: Option<String>,
    /// Time limit per solve in seconds (default: per suite).
    #[arg(long)]
    time_limit: Option<f64>,
    /// Seeds 0..K for randomized solvers and generated instances.
    #[arg(long, default_value_t = 1)]
    seeds: u64,
    /// Output directory of results.jsonl, results.csv and meta.json.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Tiny problems and limits (seconds in total).
    #[arg(long)]
    quick: bool,
    /// Parallel runs (default: logical CPUs).
    #[arg(long)]
    jobs: Option<usize>,
    /// Write the report after the run.
    #[arg(long)]
    report: bool,
    /// Report file (default bench/RESULTS.md).
    #[arg(long)]
    report_file: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
}

fn main() {
    if let Err(e) = real_main() {
        eprintln!("harness: error: {e}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<(), String> {
    let args = Args::parse();
    let bench = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| bench.join("results/harness"));
    let report_file = args
        .report_file
        .clone()
        .unwrap_or_else(|| bench.join("RESULTS.md"));
    if args.suites.first().is_some_and(|s| s == "report") {
        return write_report(&out, &report_file);
    }
    if args.suites.first().is_some_and(|s| s == "export") {
        return export(&args);
    }
    if args.suites.first().is_some_and(|s| s == "judge") {
        return judge(&args.suites[1..]);
    }
    if args.suites.first().is_some_and(|s| s == "record") {
        println!(
            "{}",
            serde_json::to_string(&Record::default()).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    let listing = args.suites.first().is_some_and(|s| s == "list");
    let named = if listing {
        &args.suites[1..]
    } else {
        &args.suites[..]
    };
    let shared = opal_problems::shared_data::shared_dir()
        .ok_or("shared data not found (set OPAL_SHARED)")?;
    let suites: Vec<String> = if !named.is_empty() {
        named.to_vec()
    } else {
        registry::SUITES
            .iter()
            .filter(|s| !listing || s.listed())
            .map(|s| s.name().to_string())
            .collect()
    };
    for s in &suites {
        registry::get(s)?;
    }
    let cfg = Config {
        suites,
        solvers: args
            .solvers
            .as_ref()
            .map(|s| s.split(',').map(|x| x.trim().to_string()).collect()),
        time_limit: args.time_limit,
        seeds: args.seeds.max(1),
        quick: args.quick,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        shared,
        progress: !args.no_progress,
    };
    if listing {
        let mut out = String::new();
        for s in &cfg.suites {
            for l in harness::list(s, &cfg) {
                out.push_str(&serde_json::to_string(&l).map_err(|e| e.to_string())?);
                out.push('\n');
            }
        }
        print!("{out}");
        return Ok(());
    }
    let command = std::iter::once("harness".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let records = harness::run_and_write(&cfg, &out, &command)?;
    let solved = records.iter().filter(|r| r.solved).count();
    eprintln!(
        "harness: {} runs, {solved} solved; results in {}",
        records.len(),
        out.display()
    );
    if args.report {
        write_report(&out, &report_file)?;
    }
    Ok(())
}

/// The suites of the registry, for `--help`.
fn suites_help() -> String {
    let mut s = String::from("Suites:\n");
    for x in registry::SUITES {
        s.push_str(&format!("  {:<14}{}\n", x.name(), x.description()));
    }
    s
}

/// `harness judge FILE`: completes the anchor rows of a JSON-lines file in place.
fn judge(files: &[String]) -> Result<(), String> {
    let [file] = files else {
        return Err("usage: harness judge FILE".into());
    };
    let path = PathBuf::from(file);
    let mut records = harness::read_jsonl(&path)?;
    harness::judge_all(&mut records);
    harness::write_jsonl(&path, &records).map_err(|e| format!("{}: {e}", path.display()))?;
    let solved = records.iter().filter(|r| r.solved).count();
    eprintln!("harness: judged {} rows, {solved} solved", records.len());
    Ok(())
}

/// `harness export SUITE DIR`: a suite's instances as files, one JSON line each.
fn export(args: &Args) -> Result<(), String> {
    let (suite, dir) = match &args.suites[1..] {
        [s, d] => (registry::get(s)?, PathBuf::from(d)),
        _ => return Err("usage: harness export SUITE DIR".into()),
    };
    let shared = if suite.name() == "relu" {
        opal_problems::shared_data::shared_dir().ok_or("shared data not found (set OPAL_SHARED)")?
    } else {
        PathBuf::new()
    };
    let cfg = Config {
        time_limit: args.time_limit,
        seeds: args.seeds.max(1),
        quick: args.quick,
        ..Config::quick(&[suite.name()], shared)
    };
    let mut out = String::new();
    for e in suite.export(&cfg, &dir)? {
        out.push_str(&serde_json::to_string(&e).map_err(|e| e.to_string())?);
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}

fn write_report(out: &std::path::Path, file: &std::path::Path) -> Result<(), String> {
    let records = harness::merge_anchor_rows(
        harness::read_results(out)?,
        harness::read_anchor_results(out)?,
    );
    let anchor_meta_path = out.join("anchors-meta.json");
    let anchor_meta: Option<harness::AnchorMeta> = match std::fs::read_to_string(&anchor_meta_path)
    {
        Ok(t) => Some(
            serde_json::from_str(&t).map_err(|e| format!("{}: {e}", anchor_meta_path.display()))?,
        ),
        Err(_) => None,
    };
    let meta_path = out.join("meta.json");
    let meta: Meta = std::fs::read_to_string(&meta_path)
        .map_err(|e| format!("{}: {e}", meta_path.display()))
        .and_then(|t| {
            serde_json::from_str(&t).map_err(|e| format!("{}: {e}", meta_path.display()))
        })?;
    report::write(&records, &meta, anchor_meta.as_ref(), file)?;
    eprintln!("harness: wrote {}", file.display());
    Ok(())
}
