//! Parsing of `NAME=VALUE` solver parameters (the CLI's `--param`, the Python options).

use opal_core::Budget;

/// Parses `value` as `T`, naming the parameter in the error.
pub(crate) fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value
        .trim()
        .parse::<T>()
        .map_err(|e| format!("parameter {name}: cannot parse '{value}' ({e})"))
}

/// Parses a boolean (`true/false/1/0/yes/no/on/off`).
pub(crate) fn parse_bool(name: &str, value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!(
            "parameter {name}: cannot parse '{value}' as a boolean"
        )),
    }
}

/// Sets a budget parameter: `max_iter` (iterations) or `time_limit` (seconds, `inf` or
/// `none` for no limit). `Ok(false)` for any other name.
pub(crate) fn set_budget(budget: &mut Budget, name: &str, value: &str) -> Result<bool, String> {
    match name {
        "max_iter" => budget.max_iterations = parse(name, value)?,
        "time_limit" => {
            let seconds = match value.trim().to_ascii_lowercase().as_str() {
                "none" => f64::INFINITY,
                _ => parse(name, value)?,
            };
            budget.time_limit = opal_core::time_limit_from_secs(seconds)
                .map_err(|e| format!("parameter {name}: {e}"))?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Sets the stopping parameters every equality-constrained solver has: the budget
/// ([`set_budget`]) and the relative and absolute KKT tolerances `tol` and `abs_tol`.
/// `Ok(false)` for any other name.
pub(crate) fn set_stopping(
    budget: &mut Budget,
    tolerances: [&mut f64; 2],
    name: &str,
    value: &str,
) -> Result<bool, String> {
    let [tol, abs_tol] = tolerances;
    match name {
        "tol" => *tol = parse(name, value)?,
        "abs_tol" => *abs_tol = parse(name, value)?,
        _ => return set_budget(budget, name, value),
    }
    Ok(true)
}

/// Checks the relative and absolute KKT tolerances (both non-negative).
pub(crate) fn check_tolerances(tol: f64, abs_tol: f64) -> Result<(), opal_core::SettingError> {
    opal_core::check_range("tol", tol, 0.0, f64::INFINITY, false)?;
    opal_core::check_range("abs_tol", abs_tol, 0.0, f64::INFINITY, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_parameters() {
        let mut b = Budget::default();
        assert!(set_budget(&mut b, "max_iter", "7").unwrap());
        assert!(set_budget(&mut b, "time_limit", "2.5").unwrap());
        assert_eq!(b.max_iterations, 7);
        assert_eq!(b.time_limit_secs(), 2.5);
        for none in ["inf", "none", "1e300"] {
            set_budget(&mut b, "time_limit", none).unwrap();
            assert_eq!(b.time_limit, None);
        }
        assert!(set_budget(&mut b, "time_limit", "-1").is_err());
        assert!(!set_budget(&mut b, "tol", "1").unwrap());
    }
}
