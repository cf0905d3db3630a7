//! The miplib suite: Balans and plain HiGHS on MIPLIB instances (small classic MIPs in
//! quick mode), judged by the primal gap to the known optimum; the Python Balans is its
//! Python anchor.

use std::path::Path;

use super::registry::{Case, Suite};
use super::{Config, Record};
use crate::mip;

/// MIPLIB instances of `shared/data/mps/miplib`.
pub const MIPLIB: &[&str] = &[
    "pk1",
    "gen-ip054",
    "noswot",
    "50v-10",
    "b1c1s1",
    "neos-5140963-mincio",
];

/// Small classic MIPs (`shared/data/mps/highs-check`) that HiGHS proves in well under a
/// second: the quick set.
pub const QUICK: &[&str] = &["flugpl", "egout", "p01"];

/// A run solved its instance when the primal gap to the known optimum is at most this.
pub const GAP_TOL: f64 = 1e-6;

/// The miplib suite.
pub struct Miplib;

impl Suite for Miplib {
    fn name(&self) -> &'static str {
        "miplib"
    }
    fn description(&self) -> &'static str {
        "Balans and HiGHS on MIPLIB instances (MPS files)"
    }
    fn solved_criterion(&self) -> &'static str {
        "primal gap to the known optimum <= 1e-6 within the time limit"
    }
    fn solvers(&self) -> &'static [&'static str] {
        &["balans", "highs"]
    }
    fn anchor(&self) -> &'static str {
        "highs"
    }
    fn python_anchors(&self) -> &'static [&'static str] {
        &["balans-py"]
    }
    fn default_time_limit(&self, quick: bool) -> f64 {
        if quick { 2.0 } else { 20.0 }
    }
    fn cases(&self, cfg: &Config) -> Vec<Case> {
        let (dir, names) = if cfg.quick {
            ("highs-check", QUICK)
        } else {
            ("miplib", MIPLIB)
        };
        names
            .iter()
            .map(|n| Case {
                problem: n.to_string(),
                spec: cfg
                    .shared
                    .join(format!("data/mps/{dir}/{n}.mps"))
                    .to_string_lossy()
                    .into_owned(),
                reference: mip::known_optimum(n),
                dims: Vec::new(),
            })
            .collect()
    }
    fn run_case(&self, case: &Case, solver: &str, seed: u64, time_limit: f64) -> Record {
        let mut r = Record::new(self.name(), &case.problem, solver, seed);
        let model = match opal_io::read_model(Path::new(&case.spec)) {
            Ok(m) => m,
            Err(e) => return r.refused(e),
        };
        let out = match mip::run(&model, solver, seed, time_limit, 1) {
            Ok(o) => o,
            Err(e) => return r.refused(e),
        };
        r.status = out.status.as_str().into();
        r.objective = out.objective;
        r.reference = case.reference;
        gap_verdict(&mut r);
        r.iterations = Some(out.iterations as u64);
        r.time_s = Some(out.time_s);
        r
    }
    fn listed(&self) -> bool {
        true
    }
    /// A Python anchor's row: the same primal-gap verdict as the harness's own runs.
    fn judge(&self, r: &mut Record) {
        gap_verdict(r);
    }
}

/// Primal gap to the reference, solved (gap <= [`GAP_TOL`]) and the reference match.
fn gap_verdict(r: &mut Record) {
    r.primal_gap = mip::primal_gap(r.objective, r.reference);
    r.solved = r.primal_gap.is_some_and(|g| g <= GAP_TOL);
    r.matches_reference = r.reference.map(|_| r.solved);
}
