//! Tests of the HiGHS wrapper and of the validating reader on the highs-check files.

use super::*;
use opal_problems::shared_data::require;

#[test]
fn probe_every_highs_check_file() {
    let Some(dir) = require("data/mps/highs-check", "probe_every_highs_check_file") else {
        return;
    };
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names {
        match read_model(&p) {
            Ok(m) => println!(
                "OK   {} n={} m={} int={}",
                p.file_name().unwrap().to_string_lossy(),
                m.num_cols(),
                m.num_rows(),
                m.integer.iter().filter(|&&b| b).count()
            ),
            Err(e) => println!("ERR  {e}"),
        }
    }
}
