//! Structured fuzzing of the interior point on small dense convex QPs (`checks::Qp`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

#[derive(arbitrary::Arbitrary, Debug)]
struct Input {
    n: u8,
    m: u8,
    values: Vec<i8>,
}

libfuzzer_sys::fuzz_target!(|input: Input| {
    checks::check(&checks::Qp::new(input.n, input.m, &input.values));
});
