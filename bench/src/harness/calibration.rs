//! The calibration suite: opal's projected gradient against the linear baseline on planted
//! blind-calibration instances, judged by the recovery error of x and d.

use super::registry::{Case, Suite};
use super::{Config, Record};

/// The recovery error a solved run reaches.
pub const ERROR_TOL: f64 = 1e-6;

/// The calibration suite.
pub struct Calibration;

impl Suite for Calibration {
    fn name(&self) -> &'static str {
        "calibration"
    }
    fn description(&self) -> &'static str {
        "blind calibration of planted instances (n signal, m sensors, p snapshots)"
    }
    fn solved_criterion(&self) -> &'static str {
        "relative errors of x and d both <= 1e-6"
    }
    fn solvers(&self) -> &'static [&'static str] {
        &["pgd", "linear"]
    }
    fn anchor(&self) -> &'static str {
        "linear"
    }
    fn cases(&self, cfg: &Config) -> Vec<Case> {
        let (n, cells): (usize, Vec<(usize, usize)>) = if cfg.quick {
            (32, vec![(16, 4), (32, 2), (8, 8)])
        } else {
            let mut v = Vec::new();
            for m in [16, 32, 64] {
                for p in [2, 4, 8, 16] {
                    v.push((m, p));
                }
            }
            (64, v)
        };
        cells
            .into_iter()
            .map(|(m, p)| Case {
                problem: format!("n={n},m={m},p={p}"),
                dims: vec![n, m, p],
                ..Case::default()
            })
            .collect()
    }
    /// At least 2 trials (quick) or 5, whatever `--seeds` says.
    fn seeds(&self, _solver: &str, cfg: &Config) -> Vec<u64> {
        (0..cfg.seeds.max(if cfg.quick { 2 } else { 5 })).collect()
    }
    fn run_case(&self, case: &Case, solver: &str, seed: u64, time_limit: f64) -> Record {
        match case.dims[..] {
            [n, m, p] => calibration_record(n, m, p, solver, seed, time_limit),
            _ => Record::new(self.name(), &case.problem, solver, seed).refused("no size"),
        }
    }
}

fn calibration_record(n: usize, m: usize, p: usize, solver: &str, seed: u64, t: f64) -> Record {
    use opal_calibration::{DenseOperator, Method, Problem, Settings, relative_error, solve};
    use opal_core::Budget;
    let name = format!("n={n},m={m},p={p}");
    let mut r = Record::new("calibration", &name, solver, seed);
    let inst = match opal_problems::generators::calibration::instance(n, m, p, 0.5, 0.0, seed) {
        Ok(i) => i,
        Err(e) => return r.refused(e),
    };
    let op = match DenseOperator::from_instance(&inst) {
        Ok(o) => o,
        Err(e) => return r.refused(e),
    };
    let budget = match Budget::iterations(50_000).with_time_limit_secs(t) {
        Ok(b) => b,
        Err(e) => return r.refused(e),
    };
    let mut settings = Settings::default().budget(budget);
    if solver == "linear" {
        settings = settings.method(Method::Linear);
    }
    let out = match solve(&Problem::new(&op, &inst.y, 0.5), &settings) {
        Ok(o) => o,
        Err(e) => return r.refused(e),
    };
    let err = relative_error(&out.x, &inst.x).max(relative_error(&out.d, &inst.d));
    r.status = out.status.as_str().into();
    r.solved = err <= ERROR_TOL;
    r.error = Some(err);
    r.iterations = Some(out.iterations as u64);
    r.time_s = Some(out.time.as_secs_f64());
    r.n = Some(n as u64);
    r.m = Some((m * p) as u64);
    r
}
