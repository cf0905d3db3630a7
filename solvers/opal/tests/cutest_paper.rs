//! adasketch on the 41 CUTEst problems of the sketched-Newton paper, decoded from
//! `../shared/data/sif`: the acceptance (converge to ||(grad L, c)|| <= 1e-6 on at
//! least 39, reach the file's `*LO SOLTN` objective on at least 37) guarded in CI.

use opal_core::Status;
use opal_nlp::adasketch::{self, Settings};
use opal_nlp::eqnlp::MeritSettings;
use opal_problems::shared_data::require;
use opal_problems::suites::{
    CUTEST_PAPER as PAPER, sif_reference_objective as reference_objective,
};

#[test]
fn adasketch_solves_the_paper_problems() {
    let Some(dir) = require("data/sif", "adasketch_solves_the_paper_problems") else {
        return;
    };
    let budget = MeritSettings::default()
        .budget
        .with_time_limit_secs(30.0)
        .expect("a valid time limit");
    let settings = Settings::default().merit(
        MeritSettings::default()
            .tol(1e-15)
            .abs_tol(1e-6)
            .budget(budget),
    );
    let (mut converged, mut same_objective, mut with_reference) = (0, 0, 0);
    let mut failures = Vec::new();
    for name in PAPER {
        let path = dir.join(format!("{name}.SIF"));
        let problem = opal_cutest::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
        let out = adasketch::solve(&problem, &settings).unwrap_or_else(|e| panic!("{name}: {e}"));
        if out.status == Status::Converged && out.kkt_residual <= 1e-6 {
            converged += 1;
        } else {
            failures.push(format!(
                "{name}: {:?} kkt {:.2e}",
                out.status, out.kkt_residual
            ));
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let has_objective = text.contains("*LO SOLTN");
        let reference = reference_objective(&text).unwrap_or(0.0);
        if has_objective || out.objective == 0.0 {
            with_reference += 1;
            if (out.objective - reference).abs() <= 1e-5 * reference.abs().max(1.0) {
                same_objective += 1;
            } else {
                failures.push(format!(
                    "{name}: f = {} vs SOLTN {reference}",
                    out.objective
                ));
            }
        }
    }
    println!(
        "CUTEst paper set: adasketch converged on {converged} of {}, reference objective on \
         {same_objective} of {with_reference}",
        PAPER.len()
    );
    for f in &failures {
        println!("  {f}");
    }
    assert!(converged >= 39, "converged on {converged} of 41");
    assert!(
        same_objective >= 37,
        "reference objective on {same_objective}"
    );
}
