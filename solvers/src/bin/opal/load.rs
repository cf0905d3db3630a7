//! Turning a PROBLEM argument and `--param` pairs into a problem object.

use opal_problems::registry::{self, BoxedProblem, Params};

use crate::CliError;

/// Parses `--param NAME=VALUE` arguments.
pub fn params(pairs: &[String]) -> Result<Params, CliError> {
    let mut p = Params::default();
    for pair in pairs {
        p.insert_pair(pair)?;
    }
    Ok(p)
}

/// Loads a built-in problem spec (`pde:N=100`, `logreg:PATH`).
pub fn problem(spec: &str, pairs: &[String]) -> Result<BoxedProblem, CliError> {
    let params = params(pairs)?;
    if registry::is_builtin(spec) {
        return Ok(registry::load_builtin(spec, params)?);
    }
    if std::path::Path::new(spec).exists() {
        return Err(CliError::new(format!(
            "{spec}: this build reads built-in problems only (SIF files come with the SIF decoder); \
             run `opal problems` for the list"
        )));
    }
    Err(CliError::new(format!(
        "unknown problem '{spec}': neither a file nor a built-in problem (run `opal problems`)"
    )))
}
