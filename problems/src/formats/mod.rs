//! Readers and writers of the data formats opal consumes and produces.

pub mod libsvm;
pub mod matrix_market;
pub mod mps;
