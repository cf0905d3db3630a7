//! The harness in `--quick` mode on a few suites, through the real binary: output files
//! exist with one row per (problem, solver, seed), the easy problems are solved, and the
//! report renders. Keeps the harness from rotting in CI.

use std::path::PathBuf;
use std::process::Command;

use opal_bench::harness::{Record, read_results};
use opal_problems::shared_data::require;

fn run_harness(out: &std::path::Path, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .arg("--quick")
        .arg("--no-progress")
        .arg("--out")
        .arg(out)
        .status()
        .expect("run harness");
    assert!(status.success(), "harness {args:?} failed: {status}");
}

/// Runs the harness binary with `args`; its output (status, stdout, stderr).
fn harness<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .output()
        .expect("run harness")
}

fn rows<'a>(recs: &'a [Record], suite: &str, solver: &str) -> Vec<&'a Record> {
    recs.iter()
        .filter(|r| r.suite == suite && r.solver == solver)
        .collect()
}

#[test]
fn quick_suites_write_results_and_solve_the_easy_problems() {
    if require("data/sif", "harness quick").is_none() {
        return;
    };
    assert!(require("data/mps/highs-check", "harness quick").is_some());
    let out: PathBuf = std::env::temp_dir().join(format!("opal-harness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    run_harness(
        &out,
        &[
            "cutest-paper",
            "miplib",
            "calibration",
            "--solvers",
            "adasketch,newton,ipopt,balans,highs,pgd,linear",
        ],
    );
    let recs = read_results(&out).expect("results.jsonl");
    let csv = std::fs::read_to_string(out.join("results.csv")).expect("results.csv");
    assert_eq!(
        csv.lines().count(),
        recs.len() + 1,
        "one CSV row per record"
    );
    assert!(out.join("meta.json").exists());

    // cutest-paper quick: the first 12 paper problems, each solver once.
    for solver in ["adasketch", "newton", "ipopt"] {
        let r = rows(&recs, "cutest-paper", solver);
        assert_eq!(r.len(), 12, "{solver}: {} rows", r.len());
    }
    let ada = rows(&recs, "cutest-paper", "adasketch");
    let solved = ada.iter().filter(|r| r.solved).count();
    assert!(solved >= 11, "adasketch solved {solved} of 12");
    for r in &ada {
        if r.solved {
            assert!(
                r.kkt.is_some_and(|k| k <= 1e-6),
                "{}: kkt {:?}",
                r.problem,
                r.kkt
            );
        }
    }
    let newton = rows(&recs, "cutest-paper", "newton");
    assert!(newton.iter().filter(|r| r.solved).count() >= 10);
    // IPOPT is optional: either it ran and solved most, or every row says not installed.
    let ip = rows(&recs, "cutest-paper", "ipopt");
    if ip.iter().all(|r| r.status == "not_installed") {
        println!("IPOPT not installed: anchor rows present, not run");
    } else {
        let s = ip.iter().filter(|r| r.solved).count();
        assert!(s >= 10, "ipopt solved {s} of 12");
    }
    // No solver in this suite was refused a paper problem.
    assert!(
        recs.iter().all(|r| !r.status.starts_with("refused")),
        "refusals: {:?}",
        recs.iter()
            .filter(|r| r.status.starts_with("refused"))
            .map(|r| (&r.problem, &r.solver, &r.status))
            .collect::<Vec<_>>()
    );

    // miplib quick: flugpl, egout, p01 are proven optimal by plain HiGHS in the limit.
    let highs = rows(&recs, "miplib", "highs");
    assert_eq!(highs.len(), 3);
    for r in &highs {
        assert!(
            r.solved,
            "highs on {}: {} gap {:?}",
            r.problem, r.status, r.primal_gap
        );
    }
    assert_eq!(rows(&recs, "miplib", "balans").len(), 3);

    // calibration quick: 3 cells x 2 trials per method; the well-determined cell (m = 16,
    // p = 4 at n = 32) is recovered by PGD.
    let pgd = rows(&recs, "calibration", "pgd");
    assert_eq!(pgd.len(), 6);
    assert!(
        pgd.iter()
            .filter(|r| r.problem == "n=32,m=16,p=4")
            .all(|r| r.solved)
    );

    // The report renders from the stored results.
    let md = out.join("RESULTS.md");
    let report = harness(&[
        "report".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--report-file".as_ref(),
        md.as_os_str(),
    ]);
    assert!(report.status.success());
    let text = std::fs::read_to_string(&md).unwrap();
    for h in [
        "## cutest-paper",
        "## miplib",
        "## calibration",
        "median time ratio",
    ] {
        assert!(text.contains(h), "report lacks {h}");
    }
    assert!(out.join("profiles/cutest-paper.png").exists());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn anchor_rows_written_from_the_record_template_are_judged_by_the_harness() {
    let out = harness(&["record"]);
    assert!(out.status.success());
    // The template is an empty record with every field of the format.
    let template: Record = serde_json::from_slice(&out.stdout).expect("a record");
    assert_eq!(template, Record::default());
    let dir = std::env::temp_dir().join(format!("opal-judge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("anchors.jsonl");
    // What a Python anchor writes: measurements only, no verdicts.
    let mut mip = Record::new("miplib", "p01", "balans-py", 0);
    (mip.objective, mip.reference) = (Some(263.0), Some(263.0));
    let mut nlp = Record::new("pde", "N=5", "scipy-slsqp", 0);
    nlp.kkt = Some(3e-3);
    let text: String = [&mip, &nlp]
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(&file, text).unwrap();
    assert!(
        harness(&["judge".as_ref(), file.as_os_str()])
            .status
            .success()
    );
    let judged = opal_bench::harness::read_jsonl(&file).unwrap();
    assert_eq!(judged[0].primal_gap, Some(0.0));
    assert!(judged[0].solved);
    assert_eq!(judged[0].matches_reference, Some(true));
    assert!(!judged[1].solved, "KKT residual 3e-3 is not solved");
    // An unknown suite name is an error from the registry, not a panic.
    let out = harness(&["export", "nope", "/nonexistent"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown suite 'nope'"));
    let _ = std::fs::remove_dir_all(&dir);
}
