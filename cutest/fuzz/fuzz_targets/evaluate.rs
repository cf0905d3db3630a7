//! The SIF decoder and the compiled problem: whatever decodes is evaluated at its start
//! point (objective, gradient, constraints, Jacobian, Hessian), never a panic.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_and_evaluate(data));
