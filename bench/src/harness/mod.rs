//! The suite harness: builds (suite, problem, solver, seed) tasks from the suite registry,
//! runs them in parallel across problems (rayon, one solver thread each), and writes one
//! [`Record`] per run as JSON lines and CSV, plus `meta.json` (command, machine, date,
//! limits).
//!
//! Modules: [`registry`] (the [`Suite`] trait and [`SUITES`]), [`record`] (the record
//! format, shared with the Python anchors), [`meta`] (run metadata), and one module per
//! suite: [`nlp`] (cutest-paper, cutest-eq, logreg, pde), [`cutest_ineq`], [`miplib`], [`completion`],
//! [`calibration`], [`relu`].
//!
//! # Adding a suite
//!
//! 1. Write `bench/src/harness/<suite>.rs` with a unit struct implementing [`Suite`]:
//!    `name`, `description`, `solved_criterion`, `solvers` (opal's first, Rust anchors
//!    after), `anchor` (the time-ratio column), `cases` (the problems for a [`Config`];
//!    `cfg.quick` picks a small set), and `run_case` (one solver on one case with a seed
//!    and a time limit, returning a [`Record`]; a refusal is `Record::refused`, never a
//!    panic). Override `default_time_limit`, `seeds`, `python_anchors`, `listed`,
//!    `export` and `judge` where the defaults do not fit.
//! 2. Declare the module below and add one line to [`registry::SUITES`].
//!
//! The harness command line, the report, `harness list`/`export` and the judging of
//! Python anchor rows then know the suite.

pub mod calibration;
pub mod completion;
pub mod cutest_ineq;
pub mod meta;
pub mod miplib;
pub mod nlp;
pub mod record;
pub mod registry;
pub mod relu;

use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use completion::{
    ExportedCompletion, completion_error, completion_instance, completion_observed,
    completion_sizes, export_completion,
};
pub use meta::{AnchorMeta, Meta, cpu_model, utc_now};
pub use miplib::MIPLIB;
pub use nlp::{LOGREG_SETS, equality_sif_files};
pub use record::{
    Record, judge_all, merge_anchor_rows, read_anchor_results, read_jsonl, read_results,
    write_jsonl, write_results,
};
pub use registry::{Case, SUITES, Suite};
pub use relu::{ExportedRelu, RELU_SETS, export_relu};

use crate::{ipopt, mip};

/// Harness options.
#[derive(Debug, Clone)]
pub struct Config {
    /// Suites to run.
    pub suites: Vec<String>,
    /// Only these solvers (all of each suite when `None`).
    pub solvers: Option<Vec<String>>,
    /// Time limit per solve; `None` = the suite's default.
    pub time_limit: Option<f64>,
    /// Seeds 0..seeds for randomized solvers and generated instances.
    pub seeds: u64,
    /// Tiny problems and limits.
    pub quick: bool,
    /// Worker threads (parallel runs).
    pub jobs: usize,
    /// The `shared` directory (data).
    pub shared: std::path::PathBuf,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

impl Config {
    /// Quick mode on `suites`: one seed, one job, each suite's time limits and solvers, no
    /// progress bar.
    pub fn quick(suites: &[&str], shared: std::path::PathBuf) -> Self {
        Self {
            suites: suites.iter().map(|s| s.to_string()).collect(),
            solvers: None,
            time_limit: None,
            seeds: 1,
            quick: true,
            jobs: 1,
            shared,
            progress: false,
        }
    }

    /// The time limit per solve of `suite`: `--time-limit`, else the suite's default.
    pub fn time_limit_of(&self, suite: &dyn Suite) -> f64 {
        self.time_limit
            .unwrap_or_else(|| suite.default_time_limit(self.quick))
    }

    /// The solvers of `suite` this run keeps (`--solvers` filters).
    pub fn solvers_of(&self, suite: &dyn Suite) -> Vec<&'static str> {
        suite
            .solvers()
            .iter()
            .copied()
            .filter(|s| {
                self.solvers
                    .as_ref()
                    .is_none_or(|l| l.iter().any(|x| x == s))
            })
            .collect()
    }
}

type Job = Box<dyn FnOnce() -> Record + Send>;

/// One unit of work: a solver on a problem with a seed.
pub struct Task {
    /// Progress label.
    pub label: String,
    job: Job,
}

/// The tasks of one suite: every case x kept solver x seed.
pub fn tasks(suite: &str, cfg: &Config) -> Result<Vec<Task>, String> {
    let s = registry::get(suite)?;
    let t = cfg.time_limit_of(s);
    let mut tasks = Vec::new();
    for case in s.cases(cfg) {
        for solver in cfg.solvers_of(s) {
            for seed in s.seeds(solver, cfg) {
                let case = case.clone();
                tasks.push(Task {
                    label: format!("{} {} {solver} seed {seed}", s.name(), case.problem),
                    job: Box::new(move || s.run_case(&case, solver, seed, t)),
                });
            }
        }
    }
    Ok(tasks)
}

/// One problem of a suite as the Python anchors see it (`harness list`): the name, the spec
/// (`nlp::load` spec or MPS path), the reference objective and the suite's time limit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Listed {
    /// Suite name.
    pub suite: String,
    /// Problem name, as in the records.
    pub problem: String,
    /// SIF path, `logreg:PATH`, `pde:N=n`, or the MPS path (miplib).
    pub spec: String,
    /// Reference objective (SIF `*LO SOLTN`, known MIP optimum).
    pub reference: Option<f64>,
    /// Time limit per solve in seconds.
    pub time_limit: f64,
}

/// The problems of a suite whose instances are files or specs ([`Suite::listed`]: the NLP
/// suites and miplib); empty for the generated suites and unknown names.
pub fn list(suite: &str, cfg: &Config) -> Vec<Listed> {
    let Some(s) = registry::find(suite).filter(|s| s.listed()) else {
        return Vec::new();
    };
    let t = cfg.time_limit_of(s);
    s.cases(cfg)
        .into_iter()
        .map(|c| Listed {
            suite: s.name().into(),
            problem: c.problem,
            spec: c.spec,
            reference: c.reference,
            time_limit: t,
        })
        .collect()
}

/// Runs the tasks of every configured suite on `cfg.jobs` threads; records come back
/// sorted by suite order, problem, solver and seed.
pub fn run(cfg: &Config) -> Result<Vec<Record>, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.jobs.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    pool.install(|| {
        let mut all = Vec::new();
        for s in &cfg.suites {
            all.extend(tasks(s, cfg)?);
        }
        let bar = if cfg.progress {
            ProgressBar::new(all.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
                .map_err(|e| e.to_string())?
                .progress_chars("=> "),
        );
        let mut records: Vec<Record> = all
            .into_par_iter()
            .with_max_len(1)
            .map(|task| {
                let label = task.label;
                let rec = (task.job)();
                bar.inc(1);
                bar.set_message(label);
                rec
            })
            .collect();
        bar.finish_and_clear();
        sort_records(&mut records);
        Ok(records)
    })
}

/// Sorts records by suite order, problem, solver and seed.
fn sort_records(records: &mut [Record]) {
    records.sort_by(|a, b| {
        (registry::order(&a.suite), &a.problem, &a.solver, a.seed).cmp(&(
            registry::order(&b.suite),
            &b.problem,
            &b.solver,
            b.seed,
        ))
    });
}

/// Runs the harness and writes results and metadata; returns the records of this run.
/// The rows of suites this run did not run, stored in `out` by an earlier run, are kept
/// (so one suite can be rerun without the others), and the metadata then describes both
/// runs ([`Meta::merge`]).
pub fn run_and_write(cfg: &Config, out: &Path, command: &str) -> Result<Vec<Record>, String> {
    let t0 = Instant::now();
    let records = run(cfg)?;
    let kept: Vec<Record> = read_results(out)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| !cfg.suites.contains(&r.suite))
        .collect();
    let mut all = kept.clone();
    all.extend(records.iter().cloned());
    sort_records(&mut all);
    write_results(out, &all).map_err(|e| format!("{}: {e}", out.display()))?;
    let meta = Meta {
        command: command.into(),
        date: utc_now(),
        cpu: cpu_model(),
        nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
        jobs: cfg.jobs,
        quick: cfg.quick,
        seeds: cfg.seeds,
        time_limits: cfg
            .suites
            .iter()
            .map(|s| {
                let limit = registry::find(s).map_or(f64::NAN, |x| cfg.time_limit_of(x));
                (s.clone(), limit)
            })
            .collect(),
        ipopt: ipopt::library().unwrap_or_else(|e| e.to_string()),
        wall_s: t0.elapsed().as_secs_f64(),
        load_average: mip::load_average(),
    };
    let earlier: Option<Meta> = std::fs::read_to_string(out.join("meta.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let meta = match earlier {
        Some(old) if !kept.is_empty() => old.merge(meta),
        _ => meta,
    };
    let text = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())?;
    std::fs::write(out.join("meta.json"), text).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(records)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn rec(suite: &str, problem: &str, solver: &str, t: f64) -> Record {
        let mut r = Record::new(suite, problem, solver, 0);
        (r.status, r.solved, r.time_s) = ("x".into(), true, Some(t));
        r
    }

    #[test]
    fn exported_completion_instances_read_back_to_the_suite_instances() {
        use opal_problems::formats::matrix_market::{read_matrix_market, read_matrix_market_array};
        let dir = std::env::temp_dir().join(format!("opal-export-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = Config {
            seeds: 2,
            ..Config::quick(&["completion"], PathBuf::new())
        };
        let listed = export_completion(&cfg, &dir).unwrap();
        assert_eq!(listed.len(), completion_sizes(true).len() * 2);
        for e in &listed {
            let inst = completion_instance(e.size, e.rank, e.seed).unwrap();
            assert_eq!(e.problem, format!("n={},k={}", e.size, e.rank));
            // Values are written in shortest round-trip form: the read-back is exact.
            assert_eq!(
                read_matrix_market(Path::new(&e.observed)).unwrap(),
                inst.observed
            );
            let u = read_matrix_market_array(Path::new(&e.u)).unwrap();
            let v = read_matrix_market_array(Path::new(&e.v)).unwrap();
            assert_eq!((u.nrows, u.ncols), (e.size, e.rank));
            assert_eq!(u.data, inst.u);
            assert_eq!(v.data, inst.v);
        }
        // Distinct seeds give distinct instances.
        assert_ne!(
            std::fs::read(&listed[0].observed).unwrap(),
            std::fs::read(&listed[1].observed).unwrap()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn anchor_rows_are_read_from_anchors_files_and_merged_by_suite() {
        let dir = std::env::temp_dir().join(format!("opal-anchors-merge-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // No anchors file: no rows, no error.
        std::fs::create_dir_all(&dir).unwrap();
        assert!(read_anchor_results(&dir).unwrap().is_empty());
        // Anchor rows as the harness judges them: solved by the KKT residual.
        let kkt = |mut r: Record, k: f64| {
            r.kkt = Some(k);
            r
        };
        let rows = [
            kkt(rec("logreg", "a9a", "scipy-slsqp", 2.0), 1e-7),
            kkt(rec("pde", "N=10", "scipy-trust-constr", 1.0), 1e-8),
            kkt(rec("logreg", "a9a", "ipopt", 9.0), 0.0),
        ];
        let text: String = rows
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect();
        std::fs::write(dir.join("anchors.jsonl"), &text).unwrap();
        std::fs::write(dir.join("results.jsonl"), "").unwrap();
        let anchors = read_anchor_results(&dir).unwrap();
        assert_eq!(anchors, rows.to_vec());
        // pde did not run in the harness: its anchor row is dropped; a non-anchor solver
        // name in the anchors file (ipopt) cannot shadow the harness's own rows.
        let harness = vec![rec("logreg", "a9a", "ipopt", 1.0)];
        let merged = merge_anchor_rows(harness.clone(), anchors);
        assert_eq!(merged, vec![harness[0].clone(), rows[0].clone()]);
        // A malformed line is an error naming the file and line.
        std::fs::write(dir.join("anchors-extra.jsonl"), "{not json}\n").unwrap();
        let err = read_anchor_results(&dir).unwrap_err();
        assert!(err.contains("anchors-extra.jsonl:1"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
