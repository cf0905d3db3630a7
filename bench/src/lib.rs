//! Benchmark support for opal: performance profiles, shared suite helpers, the IPOPT
//! anchor and the suite harness with its report.

pub mod completion_kernel;
pub mod cputime;
pub mod harness;
pub mod heatmap;
pub mod ipopt;
pub mod mip;
pub mod nlp;
pub mod profile;
pub mod relu;
pub mod report;
