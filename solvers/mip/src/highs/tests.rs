//! Tests of the HiGHS wrapper and of the validating reader on the highs-check files.

use super::*;
use opal_problems::shared_data::require;
use std::path::Path;

/// Files of highs-check that opal refuses, with a phrase of the message and the line.
const REFUSED: [(&str, &str, Option<usize>); 23] = [
    ("garbage.mps", "could not parse", None),
    // In-line `$` / `*` comments: HiGHS's MPS reader does not take them (its own test of
    // this file is disabled), so the file is refused rather than guessed at.
    ("comment.mps", "could not parse", None),
    ("nan0.mps", "NaN", Some(8)),
    ("nan1.mps", "NaN", Some(9)),
    ("nan2.mps", "NaN", Some(12)),
    // Undefined rows, duplicate entries, contradictory bounds: HiGHS drops data with
    // warnings, so the model would not be the file's.
    ("warnings.mps", "would change the model", Some(12)),
    // Columns named OBJSENSE / RANGES / RHS: HiGHS's reader (status OK) keeps 1 of 5.
    ("silly-names.mps", "kept 1", Some(8)),
    ("semi-continuous.mps", "semi-continuous", None),
    ("semi-integer.mps", "semi-continuous", None),
    ("3015.mps", "semi-continuous", None),
    ("2821.mps", "quadratic", None),
    ("2821-duplicate.mps", "quadratic", None),
    ("2821-qmatrix.mps", "quadratic", None),
    ("2821-quadobj.mps", "quadratic", None),
    ("2821-summation.mps", "quadratic", None),
    ("2894.mps", "quadratic", None),
    ("atwood0.mps", "quadratic", None),
    ("primal1.mps", "quadratic", None),
    ("qjh.mps", "quadratic", None),
    ("qjh_qmatrix.mps", "quadratic", None),
    ("qjh_quadobj.mps", "quadratic", None),
    ("qjh_uncon.mps", "quadratic", None),
    ("qjh_quadobj_qmatrix.mps", "quadratic", None),
];

#[test]
fn every_highs_check_file_reads_or_is_refused_as_expected() {
    let Some(dir) = require("data/mps/highs-check", "highs_check_files") else {
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut read = 0;
    for p in &paths {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let expected = REFUSED.iter().find(|r| r.0 == name);
        match (read_model_with_warnings(p), expected) {
            (Ok((m, warnings)), None) => {
                read += 1;
                assert!(m.cost.iter().all(|c| !c.is_nan()));
                // gas11 holds matrix values at HiGHS's 1e-9 drop tolerance: kept as a warning.
                assert_eq!(
                    !warnings.is_empty(),
                    name == "gas11.mps",
                    "{name}: {warnings:?}"
                );
            }
            (Ok(_), Some(_)) => panic!("{name} should be refused"),
            (Err(e), None) => panic!("{name} refused: {e}"),
            (Err(e), Some((_, phrase, line))) => {
                let msg = e.to_string();
                assert!(msg.contains(&name), "{msg}");
                assert!(msg.contains(phrase), "{name}: {msg}");
                if let Some(l) = line {
                    assert!(msg.contains(&format!("{name}:{l}:")), "{msg}");
                }
            }
        }
    }
    assert!(read >= 55, "{read} files read");
}

#[test]
fn io_and_extension_errors() {
    let e = read_model(Path::new("/nonexistent/x.mps")).unwrap_err();
    assert!(matches!(e, ReadError::Io { .. }) && e.to_string().contains("/nonexistent/x.mps"));
    let dir = std::env::temp_dir().join(format!("opal-highs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let txt = dir.join("model.txt");
    std::fs::write(&txt, "NAME x\nENDATA\n").unwrap();
    assert!(matches!(
        read_model(&txt),
        Err(ReadError::Unsupported { .. })
    ));
    // A NaN bound in an LP-format file, with its line.
    let lp = dir.join("nan.lp");
    std::fs::write(
        &lp,
        "Minimize\n obj: x + y\nSubject To\n c1: x + y >= 1\nBounds\n x <= nan\nEnd\n",
    )
    .unwrap();
    let e = read_model(&lp).unwrap_err().to_string();
    assert!(e.contains("nan.lp:6") && e.contains("NaN"), "{e}");
    // An LP file without the closing `end`: read, with a warning.
    let noend = dir.join("noend.lp");
    std::fs::write(
        &noend,
        "Minimize\n obj: x + 2 y\nSubject To\n c1: x + y >= 1\nGeneral\n y\n",
    )
    .unwrap();
    let (m, w) = read_model_with_warnings(&noend).unwrap();
    assert_eq!((m.num_cols(), m.num_rows()), (2, 1));
    assert!(
        m.integer[1] && w.iter().any(|l| l.contains("`end`")),
        "{w:?}"
    );
    // A syntax error in an LP file names the file.
    let bad = dir.join("bad.lp");
    std::fs::write(
        &bad,
        "Minimize\n obj: x +\nSubject To\n c1: x >= >= 1\nEnd\n",
    )
    .unwrap();
    let e = read_model(&bad).unwrap_err();
    assert!(
        matches!(e, ReadError::Malformed { .. }) && e.to_string().contains("bad.lp"),
        "{e}"
    );
    // A column called "nan" is a name, not a number.
    let named = dir.join("named.mps");
    std::fs::write(
        &named,
        "NAME T\nROWS\n N obj\n G r\nCOLUMNS\n    nan  obj  1.0  r  1.0\nRHS\n    rhs  r  2.0\nENDATA\n",
    )
    .unwrap();
    let m = read_model(&named).unwrap();
    assert_eq!(m.col_names, vec!["nan".to_string()]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn read_model_round_trips_through_pass_model() {
    let Some(path) = require("data/mps/highs-check/flugpl.mps", "round_trip") else {
        return;
    };
    let m = read_model(&path).unwrap();
    assert_eq!((m.num_cols(), m.num_rows()), (18, 18));
    let mut a = Highs::new().unwrap();
    a.read_file(&path).unwrap();
    let mut b = Highs::new().unwrap();
    b.pass_model(&m).unwrap();
    let (la, lb) = (a.lp().unwrap(), b.lp().unwrap());
    assert_eq!(la, lb);
    assert_eq!(b.col_name(0), a.col_name(0));
    b.set_time_limit(10.0).unwrap();
    assert_eq!(b.run().unwrap(), ModelStatus::Optimal);
    assert!((b.objective_value() - 1201500.0).abs() < 1e-6);
    assert!(b.mip_dual_bound().is_some());
}

#[test]
fn model_edits_and_solves() {
    // max x + y s.t. x + 2y <= 4, 3x + y <= 6, x, y >= 0 integer  -> (2, 0) or (1, 1) ... = 2
    let mut m = opal_problems::linear::LinearModel::new("T", Sense::Maximize);
    m.add_col("x".into(), 1.0, 0.0, 10.0, true);
    m.add_col("y".into(), 1.0, 0.0, 10.0, true);
    m.add_row("a".into(), f64::NEG_INFINITY, 4.0, &[(0, 1.0), (1, 2.0)]);
    m.add_row("b".into(), f64::NEG_INFINITY, 6.0, &[(0, 3.0), (1, 1.0)]);
    let mut h = Highs::new().unwrap();
    h.pass_model(&m).unwrap();
    assert_eq!(h.run().unwrap(), ModelStatus::Optimal);
    assert!(h.has_solution());
    assert_eq!(h.objective_value(), 2.0);
    let before = h.lp().unwrap();
    // Fix y = 3: row a gives x <= -2, infeasible.
    h.change_col_bounds(&[1], &[3.0], &[3.0]).unwrap();
    assert_eq!(h.run().unwrap(), ModelStatus::Infeasible);
    h.change_col_bounds(&[1], &[0.0], &[10.0]).unwrap();
    let z = h.add_col(5.0, 0.0, 1.0).unwrap();
    assert_eq!(z, 2);
    let r = h
        .add_row(f64::NEG_INFINITY, 0.0, &[0, 2], &[1.0, -1.0])
        .unwrap();
    assert_eq!(r, 2);
    h.set_costs(&[1.0, 1.0, 0.0]).unwrap();
    assert_eq!(h.run().unwrap(), ModelStatus::Optimal);
    h.truncate_rows(2).unwrap();
    h.truncate_cols(2).unwrap();
    assert_eq!(h.lp().unwrap(), before);
    assert!(h.change_col_bounds(&[5], &[0.0], &[1.0]).is_err());
    assert!(h.set_costs(&[1.0]).is_err());
    assert!(h.set_solution(&[1.0, 2.0, 3.0]).is_err());
    assert!(h.set_double_option("no_such_option", 1.0).is_err());
    let mut bad = m.clone();
    bad.row_upper[0] = f64::NAN;
    assert!(h.pass_model(&bad).is_err());
}
