//! Structured fuzzing of plain HiGHS and Balans on small integer programs (`checks::Mip`)
//! against enumeration.
#![no_main]

#[path = "../checks.rs"]
mod checks;

#[derive(arbitrary::Arbitrary, Debug)]
struct Input {
    n: u8,
    m: u8,
    balans: bool,
    values: Vec<i8>,
}

libfuzzer_sys::fuzz_target!(|input: Input| {
    let mip = checks::Mip::new(input.n, input.m, &input.values);
    let method = if input.balans {
        opal_mip::Method::Balans
    } else {
        opal_mip::Method::Highs
    };
    checks::check(&mip, method);
});
