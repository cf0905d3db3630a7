//! The file formats at the edges of opal: the solver crates take in-memory data only, and
//! the programs around them (the `opal` CLI, the Python bindings, the bench harness) read
//! files through this crate.
//!
//! - [`mip`]: MPS and LP model files, read by HiGHS's own reader with opal's checks on top
//!   (NaN, data-changing warnings, lost columns, unsupported features), as
//!   [`LinearModel`](opal_problems::linear::LinearModel)s;
//! - [`stats`]: size and structure of a model (`opal inspect FILE.mps`);
//! - [`text`]: the checks on a model file's text before HiGHS reads it;
//! - [`config`]: JSON configuration files of the solvers (Balans's search configuration).

#![deny(missing_docs)]

pub mod config;
pub mod mip;
pub mod stats;
pub mod text;

pub use config::{ConfigFileError, balans_config_from_bytes, read_balans_config};
pub use mip::{ReadError, read_model, read_model_with_warnings};
pub use stats::{BoundCounts, ModelStats};
