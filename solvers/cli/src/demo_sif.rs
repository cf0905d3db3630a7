//! The SIF part of `opal demo`: writes a small SIF file of our own (the point of the unit
//! sphere nearest to (1, ..., N), whose solution is known in closed form), decodes it at a
//! user size through opal-cutest and solves it with adasketch.

use std::path::Path;

use crate::CliError;

/// min sum_i (x_i - i)^2 s.t. sum_i x_i^2 = 1; x* = t/||t||, f* = (||t|| - 1)^2, t = (1..N).
const OPALDEMO: &str = r#"NAME          OPALDEMO

* The point of the unit sphere nearest to (1, 2, ..., N):
*   minimize sum_i (x_i - i)^2  subject to  sum_i x_i^2 = 1,
* solution x = t / ||t|| with t = (1, ..., N), f* = (||t|| - 1)^2.

 IE N                   10             $-PARAMETER
 IE 1                   1

VARIABLES

 DO I         1                        N
 X  X(I)
 ND

GROUPS

 DO I         1                        N
 XN OBJ(I)    X(I)      1.0
 ND
 XE SPHERE

CONSTANTS

 DO I         1                        N
 RI RI        I
 Z  OPALDEMO  OBJ(I)                   RI
 ND
 X  OPALDEMO  SPHERE    1.0

BOUNDS

 XR OPALDEMO  'DEFAULT'

START POINT

 XV OPALDEMO  'DEFAULT' 0.5

ELEMENT TYPE

 EV SQ        X

ELEMENT USES

 DO I         1                        N
 XT SQ(I)     SQ
 ZV SQ(I)     X                        X(I)
 ND

GROUP TYPE

 GV L2        GVAR

GROUP USES

 DO I         1                        N
 XT OBJ(I)    L2
 XE SPHERE    SQ(I)
 ND

ENDATA

ELEMENTS      OPALDEMO

INDIVIDUALS

 T  SQ
 F                      X * X
 G  X                   X + X
 H  X         X         2.0

ENDATA

GROUPS        OPALDEMO

INDIVIDUALS

 T  L2
 F                      GVAR * GVAR
 G                      GVAR + GVAR
 H                      2.0

ENDATA
"#;

/// Writes OPALDEMO.SIF into `dir`, decodes it with N = `n` and solves it.
pub fn run(dir: &Path, n: usize) -> Result<(), CliError> {
    let path = dir.join("OPALDEMO.SIF");
    std::fs::write(&path, OPALDEMO)
        .map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    let problem = opal_cutest::load(&path, &[("N".to_string(), n.to_string())])?;
    let out = opal_nlp::adasketch::solve(&problem, &opal_nlp::adasketch::Settings::default())?;
    let t = ((n * (n + 1) * (2 * n + 1)) as f64 / 6.0).sqrt();
    let exact = (t - 1.0) * (t - 1.0);
    println!(
        "\nA SIF file decoded in pure Rust ({} with --param N={n}: n = {n}, m = 1):",
        path.display()
    );
    println!(
        "  adasketch  {:<10} f = {:.10e} (closed form {:.10e}, rel. error {:.1e})  kkt = {:.2e}  {} iterations, {:.3} s",
        out.status.as_str(),
        out.objective,
        exact,
        (out.objective - exact).abs() / exact,
        out.kkt_residual,
        out.iterations,
        out.time.as_secs_f64()
    );
    Ok(())
}
