//! Ctrl-C (SIGINT) in the middle of a long run of every family: the process ends within
//! a second, prints its result as usual with status `interrupted`, and exits with 130.
//! The runs happen one after another (one test) so that the timing is not skewed by
//! other runs of this binary. ReLU runs FISTA: ADMM's set-up factorization (seconds on
//! a9a) cannot be interrupted half-way, only before and after.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{opal, temp_dir};

/// SIGINT by the `kill` utility (no libc binding needed).
fn sigint(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("the kill utility");
    assert!(status.success(), "kill -INT {pid} failed");
}

/// Starts `opal args`, interrupts it after `after`, and returns (seconds from the signal
/// to the exit, exit code, stdout).
fn interrupt(args: &[&str], after: Duration) -> (f64, Option<i32>, String) {
    let bin = assert_cmd::cargo::cargo_bin("opal");
    let child = Command::new(bin)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let pid = child.id();
    let signalled = Instant::now();
    sigint(pid);
    let out = child.wait_with_output().unwrap();
    let waited = signalled.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !stdout.is_empty(),
        "opal {args:?} printed nothing; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (waited, out.status.code(), stdout)
}

/// `first`, then `file`, then the space-separated words of `rest`.
fn with<'a>(first: &[&'a str], file: &'a str, rest: &'a str) -> Vec<&'a str> {
    let mut v = first.to_vec();
    v.push(file);
    v.extend(rest.split_whitespace());
    v
}

fn generate(spec: &str, out: &Path) {
    opal()
        .args(["generate", spec, "--out"])
        .arg(out)
        .assert()
        .success();
}

#[test]
fn ctrl_c_stops_every_family_with_the_best_answer() {
    let dir = temp_dir("interrupt");
    let mps = dir.join("cover.mps");
    generate("setcover:elements=3000,sets=1500", &mps);
    let mtx = dir.join("lowrank.mtx");
    generate("completion:m=6000,n=6000,rank=30", &mtx);
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let a9a = shared.join("libsvm/a9a");
    let sif = shared.join("sif/NCVXBQP1.SIF");
    let (mps, mtx, a9a, sif) = (
        mps.to_str().unwrap(),
        mtx.to_str().unwrap(),
        a9a.to_str().unwrap(),
        sif.to_str().unwrap(),
    );
    // (family, arguments, seconds before the signal: after the input is read)
    let cases: Vec<(&str, Vec<&str>, u64)> = vec![
        (
            "calibration",
            with(
                &["calibrate"],
                "--n=512",
                "--m 256 --p 32 --max-iterations 1000000000 --tol-residual 0 --tol-step 0 --json",
            ),
            2,
        ),
        (
            "completion",
            with(
                &["complete"],
                mtx,
                "--rank 30 --max-iter 1000000 --tol 0 --json",
            ),
            4,
        ),
        (
            "relu",
            with(
                &["relu", "train"],
                a9a,
                "--solver fista --variant gated --tol 1e-300 --max-iter 100000000 --json",
            ),
            3,
        ),
        ("mip", with(&["solve"], mps, "--time-limit 600 --json"), 3),
        ("nlp", with(&["solve"], sif, "--param N=10000 --json"), 3),
    ];
    let mut times = Vec::new();
    for (family, args, delay) in &cases {
        let (waited, code, stdout) = interrupt(args, Duration::from_secs(*delay));
        println!("{family}: exit {code:?} {waited:.3} s after SIGINT");
        let json: serde_json::Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("{family}: not JSON ({e}): {stdout}"));
        assert_eq!(json["status"], "interrupted", "{family}: {json}");
        assert_eq!(code, Some(130), "{family}");
        times.push((family, waited));
    }
    for (family, waited) in times {
        // HiGHS polls its interrupt callbacks in branch and bound, simplex and IPM, but not
        // inside some of its own MIP heuristics: a stop request that arrives there waits
        // for the heuristic to end (0.1-7 s measured on this set cover), so the MIP's bound
        // is looser than the 1 s of the other families.
        let limit = match *family {
            "mip" => 10.0,
            _ => 1.0,
        };
        assert!(
            waited < limit,
            "{family}: {waited:.3} s from SIGINT to exit"
        );
    }
}
