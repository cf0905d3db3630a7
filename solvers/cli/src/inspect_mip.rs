//! `opal inspect FILE.mps|FILE.lp`: a MIP model's sizes, variable kinds and bounds.

use opal_io::{BoundCounts, ModelStats, read_model};
use serde_json::json;

use crate::CliError;

fn bounds_json(b: &BoundCounts) -> serde_json::Value {
    json!({
        "free": b.free, "lower_only": b.lower_only, "upper_only": b.upper_only,
        "boxed": b.boxed, "fixed": b.fixed,
    })
}

/// Reads `file` and prints its statistics (one JSON object with `json`).
pub fn run(file: &str, as_json: bool) -> Result<(), CliError> {
    let model = read_model(std::path::Path::new(file)).map_err(|e| CliError::new(e.to_string()))?;
    let s = ModelStats::of(&model);
    if as_json {
        let out = json!({
            "name": s.name,
            "sense": s.sense_name(),
            "rows": s.rows,
            "columns": s.cols,
            "nonzeros": s.nonzeros,
            "binaries": s.binaries,
            "general_integers": s.general_integers,
            "continuous": s.continuous,
            "objective_nonzeros": s.objective_nonzeros,
            "column_bounds": bounds_json(&s.col_bounds),
            "row_bounds": bounds_json(&s.row_bounds),
        });
        println!("{out}");
        return Ok(());
    }
    let (c, r) = (&s.col_bounds, &s.row_bounds);
    println!("model           {}", s.name);
    println!(
        "objective       {} ({} nonzero costs)",
        s.sense_name(),
        s.objective_nonzeros
    );
    println!("rows            {}", s.rows);
    println!("columns         {}", s.cols);
    println!("nonzeros        {}", s.nonzeros);
    println!(
        "variables       {} binary, {} general integer, {} continuous",
        s.binaries, s.general_integers, s.continuous
    );
    println!(
        "column bounds   {} free, {} lower only, {} upper only, {} boxed, {} fixed",
        c.free, c.lower_only, c.upper_only, c.boxed, c.fixed
    );
    println!(
        "row bounds      {} free, {} >=, {} <=, {} ranged, {} equality",
        r.free, r.lower_only, r.upper_only, r.boxed, r.fixed
    );
    Ok(())
}
