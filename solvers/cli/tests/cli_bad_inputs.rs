//! Bad input through the `opal` binary: every case ends with `opal: error: ...` naming the
//! argument or the file (and line, for an error in a file's content) and exit code 1;
//! never a panic (exit 101), a usage exit 2 or a signal.

mod common;

use std::path::PathBuf;

use common::{opal, temp_dir};

/// A small SIF file written for these tests (two variables, one equality constraint).
const SIF: &str = "NAME          BADIN
 IE N                   2              $-PARAMETER
VARIABLES
 DO I         1                        N
 X  X(I)
 ND
GROUPS
 N  OBJ       X1        1.0
 E  C1        X1        1.0            X2        1.0
CONSTANTS
    RHS       C1        1.0
START POINT
    START     'DEFAULT' 0.5
ENDATA
";

/// A small MIP: maximize x + 2y with x + y <= 3, both integers in [0, 3].
const MPS: &str = "NAME          SMALL
ROWS
 N  obj
 L  c1
COLUMNS
    MARKER                 'MARKER'                 'INTORG'
    x         obj       -1.0   c1        1.0
    y         obj       -2.0   c1        1.0
    MARKER                 'MARKER'                 'INTEND'
RHS
    rhs       c1        3.0
BOUNDS
 UP bnd       x         3.0
 UP bnd       y         3.0
ENDATA
";

const LIBSVM: &str = "1 1:0.5 2:0.1\n-1 1:0.2 2:0.9\n1 1:0.7 2:0.3\n-1 1:0.1 2:0.8\n";

const MTX: &str = "%%MatrixMarket matrix coordinate real general\n4 3 5\n1 1 1.0\n2 2 2.0\n3 3 3.0\n4 1 4.0\n1 2 5.0\n";

/// The files of the table, written once per test binary.
struct Files {
    dir: PathBuf,
}

impl Files {
    fn new() -> Self {
        let dir = temp_dir("bad-inputs");
        let binary: Vec<u8> = (0..=255u8).cycle().take(1024).collect();
        let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
        write("ok.SIF", SIF.as_bytes());
        write("ok.mps", MPS.as_bytes());
        write("ok.libsvm", LIBSVM.as_bytes());
        write("ok.mtx", MTX.as_bytes());
        for name in [
            "empty.mps",
            "empty.SIF",
            "empty.libsvm",
            "empty.mtx",
            "empty.json",
        ] {
            write(name, b"");
        }
        for name in [
            "binary.mps",
            "binary.lp",
            "binary.SIF",
            "binary.libsvm",
            "binary.mtx",
        ] {
            write(name, &binary);
        }
        write("binary.json", &binary);
        write("trunc.mps", &MPS.as_bytes()[..MPS.find("RHS").unwrap()]);
        write(
            "trunc.SIF",
            &SIF.as_bytes()[..SIF.find("CONSTANTS").unwrap()],
        );
        write("trunc.libsvm", b"1 1:0.5 2:0.1\n-1 1:0.2 2:");
        write("trunc.mtx", &MTX.as_bytes()[..MTX.len() - 12]);
        write(
            "nan.mps",
            b"NAME bad\nROWS\n N obj\nCOLUMNS\n x obj nan\nRHS\nENDATA\n",
        );
        write("nan.mtx", MTX.replace("2.0", "nan").as_bytes());
        write("nan.libsvm", LIBSVM.replace("0.9", "nan").as_bytes());
        write("mps.SIF", MPS.as_bytes());
        write("sif.mps", SIF.as_bytes());
        write(
            "garbage.lp",
            b"minimize\n obj: 3 x +\nsubject to\n c1: x >=\nend\n",
        );
        write("bad.json", b"{\"bandit\": {\"policy\": \"nonsense\"}");
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

/// `args` with `@` replaced by the table's directory (`@ok.mps` is a file in it).
fn expand(files: &Files, args: &[&str]) -> Vec<String> {
    let dir = files.path("");
    args.iter().map(|a| a.replace('@', &dir)).collect()
}

/// Runs every case: exit code 1, stderr starting `opal: error:` and containing every
/// needle; all the failures are reported together.
fn check_all(files: &Files, cases: &[(&[&str], &[&str])]) {
    let mut failures = Vec::new();
    for (args, needles) in cases {
        let args = expand(files, args);
        let out = opal().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let ok = out.status.code() == Some(1)
            && err.starts_with("opal: error: ")
            && !err.contains("panicked")
            && needles.iter().all(|n| err.contains(n));
        if !ok {
            failures.push(format!("opal {args:?} -> {:?}: {err}", out.status.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_files_name_the_file_and_line() {
    let f = Files::new();
    let cases: &[(&[&str], &[&str])] = &[
        // MIP files
        (&["solve", "@missing.mps"], &["missing.mps"]),
        (&["solve", "@empty.mps"], &["empty.mps"]),
        (&["solve", "@binary.mps"], &["binary.mps:", "not a text"]),
        (&["solve", "@binary.lp"], &["binary.lp"]),
        (&["solve", "@garbage.lp"], &["garbage.lp"]),
        (&["solve", "@trunc.mps"], &["trunc.mps"]),
        (&["solve", "@nan.mps"], &["nan.mps:5"]),
        (&["solve", "@sif.mps"], &["sif.mps:3", "VARIABLES"]),
        (
            &["solve", "@ok.mps", "--config", "@none.json"],
            &["none.json"],
        ),
        (
            &["solve", "@ok.mps", "--config", "@empty.json"],
            &["empty.json"],
        ),
        (
            &["solve", "@ok.mps", "--config", "@binary.json"],
            &["binary.json"],
        ),
        (
            &["solve", "@ok.mps", "--config", "@bad.json"],
            &["bad.json"],
        ),
        (&["solve", "@ok.mps", "--config", "@ok.mps"], &["ok.mps"]),
        // SIF files
        (&["solve", "@missing.SIF"], &["missing.SIF"]),
        (&["inspect", "@empty.SIF"], &["empty.SIF"]),
        (&["solve", "@binary.SIF"], &["binary.SIF:"]),
        (&["inspect", "@trunc.SIF"], &["trunc.SIF"]),
        (&["solve", "@mps.SIF"], &["mps.SIF:7"]),
        (&["solve", "@ok.SIF", "--param", "N=-2"], &["ok.SIF:8"]),
        (&["solve", "@ok.SIF", "--param", "NOPE=1"], &["NOPE"]),
        // a directory where a file is expected
        (&["solve", "@"], &["bad-inputs"]),
        (&["relu", "train", "@"], &["bad-inputs"]),
        (&["complete", "@", "--rank", "1"], &["bad-inputs"]),
        (&["generate", "knapsack", "-o", "@"], &["bad-inputs"]),
        // LIBSVM files
        (&["relu", "train", "@missing.libsvm"], &["missing.libsvm"]),
        (&["relu", "train", "@empty.libsvm"], &["empty.libsvm"]),
        (&["relu", "train", "@binary.libsvm"], &["binary.libsvm:1"]),
        (&["relu", "train", "@trunc.libsvm"], &["trunc.libsvm:2"]),
        (&["relu", "train", "@nan.libsvm"], &["nan.libsvm:2"]),
        (&["relu", "train", "@ok.mps"], &["ok.mps:1"]),
        (
            &["relu", "train", "@ok.libsvm", "--test", "@binary.libsvm"],
            &["binary.libsvm:1"],
        ),
        (&["solve", "logreg:@binary.libsvm"], &["binary.libsvm:1"]),
        // Matrix Market / triplet files
        (
            &["complete", "@missing.mtx", "--rank", "1"],
            &["missing.mtx"],
        ),
        (&["complete", "@empty.mtx", "--rank", "1"], &["empty.mtx"]),
        (
            &["complete", "@binary.mtx", "--rank", "1"],
            &["binary.mtx:1"],
        ),
        (&["complete", "@trunc.mtx", "--rank", "1"], &["trunc.mtx"]),
        (&["complete", "@nan.mtx", "--rank", "1"], &["nan.mtx:4"]),
        (
            &["complete", "@binary.libsvm", "--rank", "1"],
            &["binary.libsvm:", "not a text"],
        ),
        (&["complete", "@ok.SIF", "--rank", "1"], &["ok.SIF:2"]),
    ];
    check_all(&f, cases);
}

#[test]
fn bad_numbers_name_the_argument() {
    let f = Files::new();
    let cases: &[(&[&str], &[&str])] = &[
        // time limits
        (&["solve", "@ok.mps", "--time-limit", "-1"], &["time limit"]),
        (
            &["solve", "@ok.mps", "--time-limit", "nan"],
            &["time limit"],
        ),
        (
            &["solve", "@ok.mps", "--time-limit", "soon"],
            &["--time-limit", "soon"],
        ),
        (&["solve", "@ok.SIF", "--time-limit", "-1"], &["time limit"]),
        (
            &["solve", "pde:N=3", "--time-limit", "nan"],
            &["time limit"],
        ),
        (
            &["relu", "train", "@ok.libsvm", "--time-limit", "-1"],
            &["time limit"],
        ),
        (
            &["complete", "@ok.mtx", "--rank", "1", "--time-limit", "nan"],
            &["time limit"],
        ),
        (
            &[
                "calibrate",
                "--n",
                "8",
                "--m",
                "4",
                "--p",
                "4",
                "--time-limit",
                "-1",
            ],
            &["time limit"],
        ),
        // negative or zero counts
        (&["solve", "@ok.mps", "--seed", "-1"], &["--seed"]),
        (&["solve", "@ok.mps", "--threads", "-1"], &["--threads"]),
        (&["solve", "@ok.mps", "--threads", "0"], &["threads"]),
        (&["solve", "pde:N=3", "--max-iter", "-1"], &["--max-iter"]),
        (&["solve", "pde:N=3", "--tol", "nan"], &["tol"]),
        (&["complete", "@ok.mtx", "--rank", "0"], &["rank"]),
        (&["complete", "@ok.mtx", "--rank", "-1"], &["--rank"]),
        (&["complete", "@ok.mtx", "--rank", "9"], &["rank"]),
        (
            &["complete", "@ok.mtx", "--rank", "1", "--seed", "-3"],
            &["--seed"],
        ),
        (
            &["complete", "@ok.mtx", "--rank", "1", "--max-iter", "-3"],
            &["--max-iter"],
        ),
        (
            &["relu", "train", "@ok.libsvm", "--patterns", "-1"],
            &["--patterns"],
        ),
        (
            &["relu", "train", "@ok.libsvm", "--patterns", "0"],
            &["pattern"],
        ),
        (
            &["relu", "train", "@ok.libsvm", "--max-iter", "-1"],
            &["--max-iter"],
        ),
        (
            &["relu", "train", "@ok.libsvm", "--seed", "-1"],
            &["--seed"],
        ),
        (&["relu", "train", "@ok.libsvm", "--lam", "nan"], &["lam"]),
        (&["calibrate", "--n", "0"], &["n"]),
        (&["calibrate", "--n", "-4"], &["--n"]),
        (&["calibrate", "--rho", "nan"], &["rho"]),
        (
            &["calibrate", "--max-iterations", "-1"],
            &["--max-iterations"],
        ),
        // problem specs
        (&["solve", "pde:N=-1"], &["N"]),
        (&["solve", "pde:N=abc"], &["N"]),
        (&["solve", "pde:N=1e40"], &["N"]),
        (&["solve", "pde:N=1000000000"], &["N = 1000000000", "GB"]),
        (&["solve", "pde:M=3"], &["M"]),
        (&["inspect", "nosuchproblem"], &["nosuchproblem"]),
        (
            &["generate", "knapsack:items=-5", "-o", "@g.mps"],
            &["items"],
        ),
    ];
    check_all(&f, cases);
}

/// inf and 1e300 mean no limit: the run finishes as without a limit (exit 0).
#[test]
fn unbounded_time_limits_run_normally() {
    let f = Files::new();
    for limit in ["inf", "1e300", "1e20"] {
        for args in [
            vec!["solve", "@ok.mps", "--solver", "highs"],
            vec!["solve", "@ok.SIF"],
            vec!["relu", "train", "@ok.libsvm", "--max-iter", "50"],
            vec!["complete", "@ok.mtx", "--rank", "1", "--max-iter", "3"],
            vec![
                "calibrate",
                "--n",
                "8",
                "--m",
                "4",
                "--p",
                "4",
                "--max-iterations",
                "5",
            ],
        ] {
            let mut args = expand(&f, &args);
            args.extend(["--time-limit".into(), limit.into(), "--json".into()]);
            let out = opal().args(&args).output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "opal {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_ne!(v["status"], "time_limit", "opal {args:?}: {v}");
        }
    }
}
