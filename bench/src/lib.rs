//! Benchmark support for opal: performance profiles and (as solvers land) the suite harness.

pub mod cputime;
pub mod heatmap;
pub mod profile;
