//! What the fuzz targets of opal-io check, shared by `fuzz_targets/*.rs` (libFuzzer) and
//! `solvers/io/tests/fuzz_checks.rs` (ordinary `cargo test` over seed inputs): opal's
//! checks on an MPS or LP file's text before HiGHS's reader sees it, and the Balans JSON
//! configuration. Never a panic; every error names the file.

use std::path::Path;

use opal_io::text::{check_text, mps_columns, nan_line, warning_line};
use opal_io::{ConfigFileError, ReadError, balans_config_from_bytes};

/// Inputs longer than this are skipped (the checks are linear in the text).
pub const MAX_INPUT: usize = 16_384;

/// HiGHS warnings of the shapes `warning_line` looks up, naming words of the text.
fn warnings(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().take(3).collect();
    ["COLUMNS", "RHS", "RANGES", "BOUNDS"]
        .iter()
        .flat_map(|s| {
            words
                .iter()
                .map(move |w| format!("WARNING: entry \"{w}\" in {s} section is not defined"))
        })
        .collect()
}

fn model_text(data: &[u8], name: &str) {
    if data.len() > MAX_INPUT {
        return;
    }
    let path = Path::new(name);
    let lines = data.split(|&b| b == b'\n').count();
    match check_text(path, data) {
        Ok(text) => {
            assert_eq!(text.as_bytes(), data, "the text is the file's bytes");
            assert!(nan_line(path, &text).is_none(), "a NaN passed the check");
            for (col, line) in mps_columns(&text) {
                assert!(
                    !col.is_empty() && line >= 1 && line <= lines,
                    "{col} at {line}"
                );
            }
            for w in warnings(&text) {
                if let Some(l) = warning_line(&text, &w) {
                    assert!(l >= 1 && l <= lines, "warning line {l} of {lines}");
                }
            }
        }
        Err(e) => {
            let line = match &e {
                ReadError::Malformed { line, .. } | ReadError::NotANumber { line, .. } => *line,
                other => panic!("unexpected error kind: {other}"),
            };
            assert!(line.is_some_and(|l| l >= 1 && l <= lines), "{e}");
            assert!(e.to_string().starts_with(name), "{e}");
        }
    }
}

/// `data` as the text of an MPS file.
pub fn mps(data: &[u8]) {
    model_text(data, "fuzz.mps");
}

/// `data` as the text of an LP file.
pub fn lp(data: &[u8]) {
    model_text(data, "fuzz.lp");
}

/// `data` as a Balans JSON configuration: a configuration or an error naming the file.
pub fn balans_config(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    match balans_config_from_bytes(Path::new("fuzz.json"), data) {
        Ok(c) => {
            // what is accepted round-trips through its JSON form
            let back = opal_mip::balans::Config::from_json_str(&c.to_json());
            assert_eq!(
                back.ok().as_ref(),
                Some(&c),
                "round trip of {}",
                c.to_json()
            );
        }
        Err(e) => {
            assert!(e.to_string().starts_with("fuzz.json"), "{e}");
            assert!(!matches!(e, ConfigFileError::Io { .. }), "{e}");
        }
    }
}
