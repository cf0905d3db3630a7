//! Locating the shared test data (`../shared` beside the checkout) for tests and benches.
//!
//! `OPAL_SHARED` overrides the location. When the data are missing, tests print a line
//! saying they were skipped, unless `OPAL_REQUIRE_SHARED=1` (set by CI) makes that a failure.

use std::path::PathBuf;

/// The shared directory, if it exists.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("OPAL_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    dir.is_dir().then_some(dir)
}

/// `shared/<rel>`, or `None` after printing a skip notice (panics under `OPAL_REQUIRE_SHARED=1`).
pub fn require(rel: &str, test: &str) -> Option<PathBuf> {
    if let Some(p) = shared_dir().map(|d| d.join(rel)).filter(|p| p.exists()) {
        return Some(p);
    }
    if std::env::var("OPAL_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!("{test}: shared data '{rel}' not found (set OPAL_SHARED)");
    }
    println!("SKIPPED {test}: shared data '{rel}' not found (set OPAL_SHARED to run it)");
    None
}
