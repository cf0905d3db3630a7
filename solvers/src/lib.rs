//! The optimization algorithms of opal, one module per paper's method, each a settings
//! struct with documented defaults, a `solve` returning a result with a status enum, and
//! an optional iteration observer. Solvers see problems only through `opal-problems`.

pub mod balans;
pub mod calibration;
pub mod completion;
pub mod convex_relu;
pub mod highs;
