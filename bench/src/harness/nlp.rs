//! The NLP suites (cutest-paper, cutest-eq, logreg, pde): opal's NLP solvers and IPOPT on
//! SIF files, LIBSVM logistic regressions and the PDE-constrained problem, loaded through
//! [`crate::nlp::load`] specs; SciPy's trust-constr and SLSQP are their Python anchors.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::registry::{Case, Suite};
use super::{Config, Record};
use crate::{ipopt, nlp as loader};

/// The LIBSVM sets of the sketched-Newton paper's logistic regression.
pub use opal_problems::suites::LOGREG_PAPER as LOGREG_SETS;

/// One NLP suite: a name, its problems and its default time limits; solvers, anchors and
/// the solved test are shared by the four.
pub struct NlpSuite {
    name: &'static str,
    description: &'static str,
    cases: fn(&Config) -> Vec<Case>,
    quick_limit: f64,
    full_limit: f64,
    note: Option<&'static str>,
}

/// The problems of the sketched-Newton paper (the first 12 in quick mode).
pub static CUTEST_PAPER: NlpSuite = NlpSuite {
    name: "cutest-paper",
    description: "the CUTEst problems of the sketched-Newton paper (SIF)",
    cases: paper_cases,
    quick_limit: 5.0,
    full_limit: 30.0,
    note: Some(SMALL_NOTE),
};

/// Every equality-only, bound-free SIF problem with an objective (6 in quick mode).
pub static CUTEST_EQ: NlpSuite = NlpSuite {
    name: "cutest-eq",
    description: "every equality-constrained, bound-free CUTEst problem with an objective",
    cases: eq_cases,
    quick_limit: 5.0,
    full_limit: 5.0,
    note: Some(SMALL_NOTE),
};

/// Logistic regression on the paper's LIBSVM sets (2 in quick mode).
pub static LOGREG: NlpSuite = NlpSuite {
    name: "logreg",
    description: "logistic regression on the paper's LIBSVM sets",
    cases: logreg_cases,
    quick_limit: 5.0,
    full_limit: 60.0,
    note: None,
};

/// The PDE-constrained problem on N x N grids.
pub static PDE: NlpSuite = NlpSuite {
    name: "pde",
    description: "the PDE-constrained control problem on N x N grids",
    cases: pde_cases,
    quick_limit: 5.0,
    full_limit: 60.0,
    note: None,
};

/// The report's remark on the CUTEst suites' timings.
const SMALL_NOTE: &str = "Most of these problems have a handful of variables, so the times measure fixed \
     per-solve costs (IPOPT's set-up and option handling, adasketch's workspaces and \
     sketches) more than iterations; the iteration columns and the logreg and pde \
     suites say more about per-iteration cost.";

/// The harness's KKT tolerance of the NLP suites.
pub const KKT_TOL: f64 = 1e-6;

impl Suite for NlpSuite {
    fn name(&self) -> &'static str {
        self.name
    }
    fn description(&self) -> &'static str {
        self.description
    }
    fn solved_criterion(&self) -> &'static str {
        "the solver's own convergence test (opal: ||(grad L, c)||_2 <= 1e-6; IPOPT: Solve_Succeeded at tol = dual_inf_tol = constr_viol_tol = 1e-6)"
    }
    fn solvers(&self) -> &'static [&'static str] {
        &["adasketch", "newton", "auglag", "ipopt"]
    }
    fn anchor(&self) -> &'static str {
        "ipopt"
    }
    fn python_anchors(&self) -> &'static [&'static str] {
        &["scipy-trust-constr", "scipy-slsqp"]
    }
    fn default_time_limit(&self, quick: bool) -> f64 {
        if quick {
            self.quick_limit
        } else {
            self.full_limit
        }
    }
    fn cases(&self, cfg: &Config) -> Vec<Case> {
        (self.cases)(cfg)
    }
    /// Seeds matter only for adasketch (its sketches) among the NLP solvers.
    fn seeds(&self, solver: &str, cfg: &Config) -> Vec<u64> {
        if solver == "adasketch" {
            (0..cfg.seeds).collect()
        } else {
            vec![0]
        }
    }
    fn run_case(&self, case: &Case, solver: &str, seed: u64, time_limit: f64) -> Record {
        nlp_record(self.name, case, solver, seed, time_limit)
    }
    fn listed(&self) -> bool {
        true
    }
    fn report_note(&self) -> Option<&'static str> {
        self.note
    }
    /// A Python anchor solved when the harness's KKT residual at its answer is <= 1e-6.
    fn judge(&self, r: &mut Record) {
        r.solved = r.kkt.is_some_and(|k| k <= KKT_TOL);
        r.matches_reference = None;
        r.compare_to_reference();
    }
}

/// One NLP run (opal solver or IPOPT) on a problem loaded from `case.spec`.
fn nlp_record(suite: &str, case: &Case, solver: &str, seed: u64, time_limit: f64) -> Record {
    let r = Record::new(suite, &case.problem, solver, seed);
    let p = match loader::load(&case.spec) {
        Ok(p) => p,
        Err(e) => return r.refused(e),
    };
    let mut r = r;
    let info = p.info();
    r.n = Some(info.n() as u64);
    r.m = Some(info.m() as u64);
    r.reference = case.reference;
    if solver == "ipopt" {
        let s = ipopt::Settings {
            time_limit,
            ..ipopt::Settings::default()
        };
        match ipopt::solve(&*p, &s) {
            Ok(out) => {
                r.status = out.status().into();
                r.solved = out.solved();
                r.iterations = Some(out.iterations as u64);
                r.time_s = Some(out.time_s);
                r.objective = Some(out.objective);
                r.kkt = loader::kkt_residual(&*p, &out.x, &out.lambda).ok();
            }
            Err(ipopt::IpoptError::NotInstalled(_)) => r.status = "not_installed".into(),
            Err(e) => return r.refused(e),
        }
    } else {
        let common = loader::Common {
            time_limit,
            tol: Some(1e-15),
            abs_tol: Some(KKT_TOL),
            params: if solver == "adasketch" {
                vec![format!("seed={seed}")]
            } else {
                Vec::new()
            },
            ..loader::Common::default()
        };
        match loader::run(solver, &*p, &common) {
            Ok(out) => {
                r.status = out.status.as_str().into();
                r.solved = out.status.is_success() && out.kkt_residual <= KKT_TOL;
                r.iterations = Some(out.iterations as u64);
                r.time_s = Some(out.time.as_secs_f64());
                r.objective = Some(out.objective);
                r.kkt = Some(out.kkt_residual);
            }
            Err(e) => return r.refused(e),
        }
    }
    r.compare_to_reference();
    r
}

/// The reference objective of a SIF file: its `*LO SOLTN`, or 0 for a feasibility problem
/// (no objective).
fn sif_reference(file: &Path) -> Option<f64> {
    let spec = file.to_string_lossy();
    let has_objective = std::fs::read_to_string(file)
        .map(|s| !s.contains("no objective") || s.contains("*LO SOLTN"))
        .unwrap_or(true);
    loader::reference_objective(&spec).or((!has_objective).then_some(0.0))
}

/// One case per SIF file: the file stem as the name, its reference objective.
pub(super) fn sif_cases(files: Vec<PathBuf>) -> Vec<Case> {
    files
        .iter()
        .map(|f| Case {
            problem: f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            spec: f.to_string_lossy().into_owned(),
            reference: sif_reference(f),
            dims: Vec::new(),
        })
        .collect()
}

fn paper_cases(cfg: &Config) -> Vec<Case> {
    let names: &[&str] = if cfg.quick {
        &loader::PAPER[..12]
    } else {
        loader::PAPER
    };
    let sif = cfg.shared.join("data/sif");
    sif_cases(names.iter().map(|n| sif.join(format!("{n}.SIF"))).collect())
}

fn eq_cases(cfg: &Config) -> Vec<Case> {
    sif_cases(equality_sif_files(&cfg.shared.join("data/sif"), cfg.quick))
}

fn logreg_cases(cfg: &Config) -> Vec<Case> {
    let sets: &[&str] = if cfg.quick {
        &LOGREG_SETS[..2]
    } else {
        LOGREG_SETS
    };
    let libsvm = cfg.shared.join("data/libsvm");
    sets.iter()
        .map(|s| Case {
            problem: s.to_string(),
            spec: format!("logreg:{}", libsvm.join(s).display()),
            ..Case::default()
        })
        .collect()
}

fn pde_cases(cfg: &Config) -> Vec<Case> {
    let ns: &[usize] = if cfg.quick { &[5, 10] } else { &[10, 30, 60] };
    ns.iter()
        .map(|n| Case {
            problem: format!("N={n}"),
            spec: format!("pde:N={n}"),
            ..Case::default()
        })
        .collect()
}

/// The equality-only, bound-free SIF problems with an objective (decoded in parallel to
/// check; the classification string rules most files out first).
pub fn equality_sif_files(dir: &Path, quick: bool) -> Vec<PathBuf> {
    sif_files_where(dir, quick.then_some(6), |spec| {
        loader::may_be_equality_with_objective(spec)
            && loader::load(spec).is_ok_and(|p| loader::is_equality_with_objective(&*p))
    })
}

/// The SIF files of `dir` (sorted) for which `keep` (given the path) holds, tested in
/// parallel; the first `first` of them when given (quick mode).
pub(super) fn sif_files_where(
    dir: &Path,
    first: Option<usize>,
    keep: impl Fn(&str) -> bool + Sync,
) -> Vec<PathBuf> {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "SIF"))
                .collect()
        })
        .unwrap_or_default();
    let mut kept: Vec<PathBuf> = files
        .into_par_iter()
        .filter(|f| keep(&f.to_string_lossy()))
        .collect();
    kept.sort();
    if let Some(k) = first {
        kept.truncate(k);
    }
    kept
}
