//! The harness's one record format: [`Record`] (one run of one solver on one problem), its
//! JSON-lines and CSV files, and the anchor rows written by `bench/python/anchors.py` in the
//! same format (read back and judged by the suite's own rules, [`super::Suite::judge`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::registry;

/// One run of one solver on one problem.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// Suite name.
    pub suite: String,
    /// Problem (instance) name.
    pub problem: String,
    /// Solver name.
    pub solver: String,
    /// Seed of the run (0 for deterministic solvers).
    pub seed: u64,
    /// The solver's status (`not_installed` for a missing anchor, `refused: ...` when the
    /// solver rejected the problem).
    pub status: String,
    /// Solved by the suite's criterion (see [`super::Suite::solved_criterion`]).
    pub solved: bool,
    /// Iterations (outer iterations, sweeps, LNS rounds).
    pub iterations: Option<u64>,
    /// Wall-clock seconds of the solve.
    pub time_s: Option<f64>,
    /// Final objective.
    pub objective: Option<f64>,
    /// Reference objective (SIF `*LO SOLTN`, known MIP optimum).
    pub reference: Option<f64>,
    /// Objective within 1e-5 (relative) of the reference.
    pub matches_reference: Option<bool>,
    /// KKT residual ||(grad L, c)|| measured by the harness (NLP suites).
    pub kkt: Option<f64>,
    /// Primal gap to the known optimum (MIP).
    pub primal_gap: Option<f64>,
    /// Recovery error against the planted truth (completion, calibration).
    pub error: Option<f64>,
    /// Variables.
    pub n: Option<u64>,
    /// Constraints (or observations).
    pub m: Option<u64>,
}

impl Record {
    /// An empty record of a run: no status, nothing measured.
    pub fn new(suite: &str, problem: &str, solver: &str, seed: u64) -> Self {
        Self {
            suite: suite.into(),
            problem: problem.into(),
            solver: solver.into(),
            seed,
            ..Self::default()
        }
    }

    /// The record of a run the solver (or the loader) refused.
    pub fn refused(mut self, why: impl std::fmt::Display) -> Self {
        self.status = format!("refused: {why}");
        self
    }

    /// Sets `matches_reference` from the objective and the reference: solved and within
    /// 1e-5 (relative) of it.
    pub fn compare_to_reference(&mut self) {
        if let (Some(f), Some(fr)) = (self.objective, self.reference) {
            self.matches_reference = Some(self.solved && close(f, fr));
        }
    }
}

/// `a` within 1e-5 of `b`, relative to max(|b|, 1).
pub fn close(a: f64, b: f64) -> bool {
    close_to(a, b, 1e-5)
}

/// `a` within `rel` of `b`, relative to max(|b|, 1).
pub fn close_to(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

fn csv_field(v: Option<String>) -> String {
    v.unwrap_or_default()
}

/// Writes `results.jsonl` and `results.csv` into `dir`.
pub fn write_results(dir: &Path, records: &[Record]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_jsonl(&dir.join("results.jsonl"), records)?;
    let mut csv = String::from(
        "suite,problem,solver,seed,status,solved,iterations,time_s,objective,reference,matches_reference,kkt,primal_gap,error,n,m\n",
    );
    for r in records {
        let f = |v: Option<f64>| csv_field(v.map(|x| format!("{x:e}")));
        let u = |v: Option<u64>| csv_field(v.map(|x| x.to_string()));
        writeln!(
            csv,
            "{},\"{}\",{},{},\"{}\",{},{},{},{},{},{},{},{},{},{},{}",
            r.suite,
            r.problem.replace('"', "'"),
            r.solver,
            r.seed,
            r.status.replace('"', "'"),
            r.solved,
            u(r.iterations),
            f(r.time_s),
            f(r.objective),
            f(r.reference),
            csv_field(r.matches_reference.map(|b| b.to_string())),
            f(r.kkt),
            f(r.primal_gap),
            f(r.error),
            u(r.n),
            u(r.m)
        )
        .expect("write to String");
    }
    std::fs::write(dir.join("results.csv"), csv)
}

/// Reads `results.jsonl` back.
pub fn read_results(dir: &Path) -> Result<Vec<Record>, String> {
    read_jsonl(&dir.join("results.jsonl"))
}

/// Reads a JSON-lines file of records.
pub fn read_jsonl(path: &Path) -> Result<Vec<Record>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// The rows of the Python anchors: every `anchors*.jsonl` in `dir` (none is fine), files
/// in name order.
pub fn read_anchor_results(dir: &Path) -> Result<Vec<Record>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("anchors") && n.ends_with(".jsonl"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        out.extend(read_jsonl(&f)?);
    }
    judge_all(&mut out);
    Ok(out)
}

/// The harness's results plus the anchor rows of the same suites: an anchor row for a
/// suite the harness did not run would have no column to sit next to, so it is dropped.
pub fn merge_anchor_rows(mut records: Vec<Record>, anchors: Vec<Record>) -> Vec<Record> {
    let suites: std::collections::BTreeSet<String> =
        records.iter().map(|r| r.suite.clone()).collect();
    records.extend(anchors.into_iter().filter(|r| {
        suites.contains(&r.suite)
            && registry::find(&r.suite)
                .is_some_and(|s| s.python_anchors().contains(&r.solver.as_str()))
    }));
    records
}

/// Judges anchor rows by their suite's rules ([`super::Suite::judge`]): the Python anchors
/// write what they measured, the harness decides solved, gaps and reference matches. Rows
/// of an unknown suite are left as they are.
pub fn judge_all(records: &mut [Record]) {
    for r in records {
        if let Some(s) = registry::find(&r.suite) {
            s.judge(r);
        }
    }
}

/// Writes records as JSON lines (`path` is replaced).
pub fn write_jsonl(path: &Path, records: &[Record]) -> std::io::Result<()> {
    let mut jl = String::new();
    for r in records {
        jl.push_str(&serde_json::to_string(r).map_err(std::io::Error::other)?);
        jl.push('\n');
    }
    std::fs::write(path, jl)
}
