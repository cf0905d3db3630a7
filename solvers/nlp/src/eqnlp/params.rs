//! Parsing of `NAME=VALUE` solver parameters (the CLI's `--param`).

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

/// Parses a time limit in seconds (`inf` or `none` for no limit).
pub(crate) fn parse_seconds(name: &str, value: &str) -> Result<f64, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "inf" | "none" => Ok(f64::INFINITY),
        _ => {
            let v: f64 = parse(name, value)?;
            if v >= 0.0 {
                Ok(v)
            } else {
                Err(format!("parameter {name}: must be >= 0"))
            }
        }
    }
}
