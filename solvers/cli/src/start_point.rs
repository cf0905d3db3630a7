//! `--x0 FILE.json`: the interior point's warm start, either a JSON array of n numbers (the
//! start point) or an object with `x` and optionally `multipliers`,
//! `lower_bound_multipliers`, `upper_bound_multipliers` — the fields of `opal solve
//! --json`, so that an earlier result can be handed back.

use std::path::Path;

use opal_nlp::ipm::WarmStart;
use serde_json::Value;

use crate::CliError;

/// Reads a warm start (lengths are checked by the solver, which names the field).
pub fn read(path: &Path) -> Result<WarmStart, CliError> {
    let at = |e: &dyn std::fmt::Display| CliError::new(format!("--x0 {}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| at(&e))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| at(&e))?;
    let numbers = |v: &Value, what: &str| -> Result<Vec<f64>, CliError> {
        serde_json::from_value(v.clone())
            .map_err(|e| at(&format!("{what} must be an array of numbers ({e})")))
    };
    let field = |name: &str| -> Result<Option<Vec<f64>>, CliError> {
        value.get(name).map(|v| numbers(v, name)).transpose()
    };
    match &value {
        Value::Array(_) => Ok(WarmStart::from_point(numbers(&value, "the start point")?)),
        Value::Object(o) => Ok(WarmStart {
            x: numbers(
                o.get("x")
                    .ok_or_else(|| at(&"an object needs the field x"))?,
                "x",
            )?,
            multipliers: field("multipliers")?,
            lower_bound_multipliers: field("lower_bound_multipliers")?,
            upper_bound_multipliers: field("upper_bound_multipliers")?,
        }),
        _ => Err(at(&"expected an array of numbers or an object with x")),
    }
}
