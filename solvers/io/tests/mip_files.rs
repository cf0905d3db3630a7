//! The validating MPS/LP reader on the highs-check files, on hand-written files with
//! defects, and against HiGHS's own reading of the same file.

use std::path::Path;

use opal_io::{ReadError, read_model, read_model_with_warnings};
use opal_mip::highs::{Highs, ModelStatus};
use opal_problems::shared_data::require;

/// Files of highs-check that opal refuses, with a phrase of the message and the line.
const REFUSED: [(&str, &str, Option<usize>); 23] = [
    ("garbage.mps", "is not an MPS section keyword", Some(2)),
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
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let txt = file("model.txt", "NAME x\nENDATA\n");
    assert!(matches!(
        read_model(&txt),
        Err(ReadError::Unsupported { .. })
    ));
    // A NaN bound in an LP-format file, with its line.
    let lp = file(
        "nan.lp",
        "Minimize\n obj: x + y\nSubject To\n c1: x + y >= 1\nBounds\n x <= nan\nEnd\n",
    );
    let e = read_model(&lp).unwrap_err().to_string();
    assert!(e.contains("nan.lp:6") && e.contains("NaN"), "{e}");
    // An LP file without the closing `end`: read, with a warning.
    let noend = file(
        "noend.lp",
        "Minimize\n obj: x + 2 y\nSubject To\n c1: x + y >= 1\nGeneral\n y\n",
    );
    let (m, w) = read_model_with_warnings(&noend).unwrap();
    assert_eq!((m.num_cols(), m.num_rows()), (2, 1));
    assert!(
        m.integer[1] && w.iter().any(|l| l.contains("`end`")),
        "{w:?}"
    );
    // A syntax error in an LP file names the file.
    let bad = file(
        "bad.lp",
        "Minimize\n obj: x +\nSubject To\n c1: x >= >= 1\nEnd\n",
    );
    let e = read_model(&bad).unwrap_err();
    assert!(
        matches!(e, ReadError::Malformed { .. }) && e.to_string().contains("bad.lp"),
        "{e}"
    );
    // A column called "nan" is a name, not a number.
    let named = file(
        "named.mps",
        "NAME T\nROWS\n N obj\n G r\nCOLUMNS\n    nan  obj  1.0  r  1.0\nRHS\n    rhs  r  2.0\nENDATA\n",
    );
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
