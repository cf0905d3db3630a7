//! Turning a PROBLEM argument and `--param` pairs into a problem object: a built-in spec
//! (`pde:N=100`) or a CUTEst SIF file (decoded by opal-cutest).

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

/// True when `spec` names a SIF file (by its extension).
pub fn is_sif(spec: &str) -> bool {
    std::path::Path::new(spec)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("sif"))
}

/// Splits `--param NAME=VALUE` arguments into pairs.
fn sif_params(pairs: &[String]) -> Result<Vec<(String, String)>, CliError> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| CliError::new(format!("--param {p}: expected NAME=VALUE")))
        })
        .collect()
}

/// Loads a built-in problem spec (`pde:N=100`, `logreg:PATH`) or a SIF file (`HS6.SIF`,
/// with `--param N=1000` setting the file's `$-PARAMETER`s).
pub fn problem(spec: &str, pairs: &[String]) -> Result<BoxedProblem, CliError> {
    if is_sif(spec) {
        return Ok(Box::new(opal_cutest::load(spec, &sif_params(pairs)?)?));
    }
    let params = params(pairs)?;
    if registry::is_builtin(spec) {
        return Ok(registry::load_builtin(spec, params)?);
    }
    if std::path::Path::new(spec).exists() {
        return Err(CliError::new(format!(
            "{spec}: not a known problem format (SIF files end in .SIF); \
             run `opal problems` for the built-in problems"
        )));
    }
    Err(CliError::new(format!(
        "unknown problem '{spec}': neither a file nor a built-in problem (run `opal problems`)"
    )))
}
