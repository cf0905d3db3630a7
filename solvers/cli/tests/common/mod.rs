//! Helpers shared by the CLI's end-to-end test files (`mod common;`).

#![allow(dead_code)] // each test binary uses its own subset

use assert_cmd::Command;

/// The `opal` binary.
pub fn opal() -> Command {
    Command::cargo_bin("opal").unwrap()
}

/// Runs `opal args`, which must succeed, and returns what it printed.
pub fn stdout(args: &[&str]) -> String {
    let out = opal().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "opal {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `opal args`, which must succeed, and parses its JSON output.
pub fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout(args)).unwrap()
}

/// A directory for this test binary's files (`opal-<name>-<pid>` in the temp dir).
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("opal-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `opal args`, which must fail with exit code 1, and returns its stderr.
pub fn failure(args: &[&str]) -> String {
    let out = opal().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "opal {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}
