//! The [`Suite`] trait and the registry of every suite ([`SUITES`]). The harness, the
//! report, `harness list` / `export` and the judging of the Python anchors' rows ask the
//! registry; nothing else knows suite names.

use std::path::Path;

use super::{Config, Record};

/// One problem (instance) of a suite, as its solvers and the Python anchors see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Case {
    /// Problem name, as in the records.
    pub problem: String,
    /// What the suite needs to build the instance: a file path, an `nlp::load` spec
    /// (`logreg:PATH`, `pde:N=n`), or empty for generated instances.
    pub spec: String,
    /// Reference objective (SIF `*LO SOLTN`, known MIP optimum).
    pub reference: Option<f64>,
    /// Sizes of a generated instance (the suite says which: e.g. completion `[size, rank]`).
    pub dims: Vec<usize>,
}

/// A benchmark suite: its problems, its solvers (opal's first, anchors after) and how one
/// run of one solver on one problem becomes a [`Record`]. Implementations are stateless
/// unit-like values registered in [`SUITES`].
pub trait Suite: Sync {
    /// Name on the command line and in the records (`cutest-paper`, `miplib`, ...).
    fn name(&self) -> &'static str;
    /// One line on what the suite holds (`harness --help`, README).
    fn description(&self) -> &'static str;
    /// What "solved" means, for the report.
    fn solved_criterion(&self) -> &'static str;
    /// The solvers the harness runs, opal's first, Rust-side anchors after.
    fn solvers(&self) -> &'static [&'static str];
    /// The solver time ratios are taken against.
    fn anchor(&self) -> &'static str;
    /// The Python anchors (`bench/python/anchors.py`, rows in `anchors*.jsonl`), reported
    /// after the suite's own solvers. None by default.
    fn python_anchors(&self) -> &'static [&'static str] {
        &[]
    }
    /// Default time limit per solve in seconds: 5 in quick mode, 30 otherwise.
    fn default_time_limit(&self, quick: bool) -> f64 {
        if quick { 5.0 } else { 30.0 }
    }
    /// The problems of the suite for this configuration (`cfg.quick` picks the small set).
    fn cases(&self, cfg: &Config) -> Vec<Case>;
    /// The seeds a solver runs with: 0..cfg.seeds by default.
    fn seeds(&self, _solver: &str, cfg: &Config) -> Vec<u64> {
        (0..cfg.seeds).collect()
    }
    /// One run of `solver` on `case` with `seed` and a time limit in seconds. Never panics
    /// on bad input: a refused problem is a record with a `refused: ...` status.
    fn run_case(&self, case: &Case, solver: &str, seed: u64, time_limit: f64) -> Record;
    /// Whether `harness list` prints the cases (problems that are files or specs the Python
    /// anchors load themselves). False by default.
    fn listed(&self) -> bool {
        false
    }
    /// Writes the instances as files into `dir` for the Python anchors (`harness export
    /// SUITE DIR`), one JSON object per instance. By default the suite has no export.
    fn export(&self, _cfg: &Config, _dir: &Path) -> Result<Vec<serde_json::Value>, String> {
        Err(format!("suite '{}' has no export", self.name()))
    }
    /// A paragraph the report adds after the suite's summary. None by default.
    fn report_note(&self) -> Option<&'static str> {
        None
    }
    /// A paragraph computed from the suite's records, added after the summary (e.g. the
    /// agreement of two solvers' objectives). None by default.
    fn report_details(&self, _records: &[&Record]) -> Option<String> {
        None
    }
    /// Completes a Python anchor's row (what it measured: status, objective, kkt, error...)
    /// by this suite's rules: `solved`, `primal_gap`, `matches_reference`. Does nothing by
    /// default.
    fn judge(&self, _record: &mut Record) {}
}

/// Every suite, in report order. Adding a suite: one module implementing [`Suite`] and one
/// line here.
pub static SUITES: &[&dyn Suite] = &[
    &super::nlp::CUTEST_PAPER,
    &super::nlp::CUTEST_EQ,
    &super::nlp::LOGREG,
    &super::nlp::PDE,
    &super::cutest_ineq::CutestIneq,
    &super::miplib::Miplib,
    &super::miplib::MiplibIntegral,
    &super::completion::Completion,
    &super::calibration::Calibration,
    &super::relu::Relu,
];

/// The suite called `name`.
pub fn find(name: &str) -> Option<&'static dyn Suite> {
    SUITES.iter().copied().find(|s| s.name() == name)
}

/// The suite called `name`, or an error listing the known names.
pub fn get(name: &str) -> Result<&'static dyn Suite, String> {
    find(name).ok_or_else(|| format!("unknown suite '{name}' (known: {})", names().join(", ")))
}

/// The names of every suite, in report order.
pub fn names() -> Vec<&'static str> {
    SUITES.iter().map(|s| s.name()).collect()
}

/// Position of a suite in report order (unknown suites last).
pub fn order(name: &str) -> usize {
    SUITES
        .iter()
        .position(|s| s.name() == name)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_are_unique_and_each_anchor_is_one_of_its_suites_solvers() {
        let names = names();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            names.len(),
            "duplicate suite names: {names:?}"
        );
        for s in SUITES {
            assert!(s.solvers().contains(&s.anchor()), "{}", s.name());
            assert!(!s.description().is_empty() && !s.solved_criterion().is_empty());
            assert_eq!(find(s.name()).map(|x| x.name()), Some(s.name()));
        }
        assert_eq!(order("cutest-paper"), 0);
        assert_eq!(order("nope"), usize::MAX);
        let err = get("nope").err().unwrap_or_default();
        assert!(
            err.contains("unknown suite 'nope'") && err.contains("miplib"),
            "{err}"
        );
    }

    #[test]
    fn anchor_rows_are_judged_by_their_suites_rules() {
        let row = |suite: &str| Record::new(suite, "p", "anchor", 0);
        // NLP: solved by the KKT residual; the reference match needs the objective close.
        let mut r = row("logreg");
        r.solved = true;
        r.kkt = Some(2e-6);
        get("logreg").unwrap().judge(&mut r);
        assert!(!r.solved);
        r.kkt = Some(1e-7);
        r.objective = Some(1.0 + 1e-7);
        r.reference = Some(1.0);
        get("logreg").unwrap().judge(&mut r);
        assert!(r.solved);
        assert_eq!(r.matches_reference, Some(true));
        // MIP: the primal gap decides; no objective is a gap of 1.
        let mut m = row("miplib");
        m.reference = Some(10.0);
        get("miplib").unwrap().judge(&mut m);
        assert_eq!((m.primal_gap, m.solved), (Some(1.0), false));
        m.objective = Some(10.0);
        get("miplib").unwrap().judge(&mut m);
        assert_eq!((m.primal_gap, m.solved), (Some(0.0), true));
        assert_eq!(m.matches_reference, Some(true));
        // Completion: converged and small error.
        let mut c = row("completion");
        c.status = "converged".into();
        c.error = Some(4e-2);
        get("completion").unwrap().judge(&mut c);
        assert!(!c.solved);
        c.error = Some(1e-9);
        get("completion").unwrap().judge(&mut c);
        assert!(c.solved);
    }
}
