//! The miplib suite: Balans and plain HiGHS on MIPLIB instances (small classic MIPs in
//! quick mode), judged by the primal gap to the known optimum; the Python Balans is its
//! Python anchor.

use std::path::Path;

use super::registry::{Case, Suite};
use super::{Config, Record};
use crate::mip;
use opal_mip::balans::Output;

/// MIPLIB instances of `shared/data/mps/miplib`.
pub const MIPLIB: &[&str] = &[
    "pk1",
    "gen-ip054",
    "noswot",
    "50v-10",
    "b1c1s1",
    "neos-5140963-mincio",
];

/// The MIPLIB 2017 benchmark instances of `shared/data/mps/miplib` added for tuning the
/// search, with their optimal objectives (`shared/specs/mps.md`).
pub const MIPLIB_2017: &[(&str, f64)] = &[
    ("mas74", 11801.18572),
    ("mik-250-20-75-4", -52301.0),
    ("timtab1", 764772.0),
    ("supportcase26", 1745.123813),
    ("beasleyC3", 754.0),
    ("glass4", 1200012599.97),
    ("csched008", 173.0),
    ("tr12-30", 130596.0),
];

/// The known optimum of a MIPLIB instance of either list.
pub fn best_known(name: &str) -> Option<f64> {
    mip::known_optimum(name).or_else(|| {
        MIPLIB_2017
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
    })
}

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
        names.iter().map(|n| mps_case(cfg, dir, n)).collect()
    }
    fn run_case(&self, case: &Case, solver: &str, seed: u64, time_limit: f64) -> Record {
        run_mip(self.name(), case, solver, seed, time_limit).0
    }
    fn listed(&self) -> bool {
        true
    }
    /// A Python anchor's row: the same primal-gap verdict as the harness's own runs.
    fn judge(&self, r: &mut Record) {
        gap_verdict(r);
    }
}

/// The case of `shared/data/mps/{dir}/{name}.mps` with its known optimum.
fn mps_case(cfg: &Config, dir: &str, name: &str) -> Case {
    Case {
        problem: name.to_string(),
        spec: cfg
            .shared
            .join(format!("data/mps/{dir}/{name}.mps"))
            .to_string_lossy()
            .into_owned(),
        reference: best_known(name),
        dims: Vec::new(),
    }
}

/// One run of `solver` on the MPS file of `case` (one thread), as a record of `suite`
/// with the primal-gap verdict, and its output (none when the file or the run was
/// refused).
fn run_mip(
    suite: &str,
    case: &Case,
    solver: &str,
    seed: u64,
    time_limit: f64,
) -> (Record, Option<Output>) {
    let mut r = Record::new(suite, &case.problem, solver, seed);
    let model = match opal_io::read_model(Path::new(&case.spec)) {
        Ok(m) => m,
        Err(e) => return (r.refused(e), None),
    };
    let out = match mip::run(&model, solver, seed, time_limit, 1) {
        Ok(o) => o,
        Err(e) => return (r.refused(e), None),
    };
    r.status = out.status.as_str().into();
    r.objective = out.objective;
    r.reference = case.reference;
    gap_verdict(&mut r);
    r.iterations = Some(out.iterations as u64);
    r.time_s = Some(out.time_s);
    r.n = Some(model.num_cols() as u64);
    r.m = Some(model.num_rows() as u64);
    (r, Some(out))
}

/// Primal gap to the reference, solved (gap <= [`GAP_TOL`]) and the reference match.
fn gap_verdict(r: &mut Record) {
    r.primal_gap = mip::primal_gap(r.objective, r.reference);
    r.solved = r.primal_gap.is_some_and(|g| g <= GAP_TOL);
    r.matches_reference = r.reference.map(|_| r.solved);
}

/// Berthold's primal integral of a run: the integral over [0, `time_limit`] of the primal
/// gap of the incumbent at each time (1 before the first solution, the gap of
/// [`mip::primal_gap`] after), divided by the time limit. `trace` holds (seconds,
/// objective) at each improvement, in time order. 0 is a run that held the optimum from
/// the start, 1 one that never found a solution.
pub fn primal_integral(trace: &[(f64, f64)], optimum: f64, time_limit: f64) -> f64 {
    if time_limit.is_nan() || time_limit <= 0.0 {
        return f64::NAN;
    }
    let mut area = 0.0;
    let mut t_prev = 0.0;
    let mut gap = 1.0;
    for &(t, f) in trace {
        let t = t.clamp(t_prev, time_limit);
        area += gap * (t - t_prev);
        t_prev = t;
        gap = mip::primal_gap(Some(f), Some(optimum))
            .unwrap_or(1.0)
            .min(1.0);
    }
    area += gap * (time_limit - t_prev);
    area / time_limit
}

/// The first time the trace reaches `optimum` within [`GAP_TOL`] primal gap.
pub fn time_to_optimum(trace: &[(f64, f64)], optimum: f64) -> Option<f64> {
    trace
        .iter()
        .find(|(_, f)| mip::primal_gap(Some(*f), Some(optimum)).is_some_and(|g| g <= GAP_TOL))
        .map(|(t, _)| *t)
}

/// The primal-integral suite: Balans and plain HiGHS, one thread each, on all fourteen
/// MIPLIB instances, judged by the primal integral over the time limit.
pub struct MiplibIntegral;

impl Suite for MiplibIntegral {
    fn name(&self) -> &'static str {
        "miplib-integral"
    }
    fn description(&self) -> &'static str {
        "Balans and HiGHS on 14 MIPLIB instances: primal integral (in the records' \
         `error` field) and final primal gap; `time_s` is the time the optimum was first \
         found when it was, else the run's wall time"
    }
    fn solved_criterion(&self) -> &'static str {
        Miplib.solved_criterion()
    }
    fn solvers(&self) -> &'static [&'static str] {
        Miplib.solvers()
    }
    fn anchor(&self) -> &'static str {
        Miplib.anchor()
    }
    fn default_time_limit(&self, quick: bool) -> f64 {
        if quick { 2.0 } else { 60.0 }
    }
    fn cases(&self, cfg: &Config) -> Vec<Case> {
        if cfg.quick {
            return Miplib.cases(cfg);
        }
        MIPLIB
            .iter()
            .copied()
            .chain(MIPLIB_2017.iter().map(|(n, _)| *n))
            .map(|n| mps_case(cfg, "miplib", n))
            .collect()
    }
    fn run_case(&self, case: &Case, solver: &str, seed: u64, time_limit: f64) -> Record {
        let (mut r, out) = run_mip(self.name(), case, solver, seed, time_limit);
        let Some(out) = out else {
            return r;
        };
        if let Some(opt) = case.reference {
            r.error = Some(primal_integral(&out.trace, opt, time_limit));
            if let Some(t) = time_to_optimum(&out.trace, opt) {
                r.time_s = Some(t);
            }
        }
        r
    }
    fn judge(&self, r: &mut Record) {
        gap_verdict(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primal_integral_weighs_each_gap_by_its_duration() {
        // No solution for 2 s (gap 1), then 20 vs 10 (gap 0.5) for 4 s, then the optimum.
        let pi = primal_integral(&[(2.0, 20.0), (6.0, 10.0)], 10.0, 10.0);
        assert!((pi - (2.0 + 0.5 * 4.0) / 10.0).abs() < 1e-12, "{pi}");
        assert_eq!(primal_integral(&[], 10.0, 10.0), 1.0);
        assert_eq!(primal_integral(&[(0.0, 10.0)], 10.0, 5.0), 0.0);
        // Improvements after the limit do not count.
        let late = primal_integral(&[(1.0, 20.0), (12.0, 10.0)], 10.0, 10.0);
        assert!((late - (1.0 + 0.5 * 9.0) / 10.0).abs() < 1e-12, "{late}");
        assert_eq!(
            time_to_optimum(&[(1.0, 20.0), (3.0, 10.0)], 10.0),
            Some(3.0)
        );
        assert_eq!(time_to_optimum(&[(1.0, 20.0)], 10.0), None);
    }

    #[test]
    fn the_integral_suite_lists_all_fourteen_instances_with_optima() {
        let mut cfg = Config::quick(&["miplib-integral"], "shared".into());
        cfg.quick = false;
        let cases = MiplibIntegral.cases(&cfg);
        assert_eq!(cases.len(), 14);
        assert!(cases.iter().all(|c| c.reference.is_some()));
        assert_eq!(best_known("glass4"), Some(1200012599.97));
    }
}
