//! The structured MIP fuzz target's checks (`solvers/mip/fuzz/checks.rs`) run by `cargo
//! test` over pseudo-random cases, so CI covers the target's logic without nightly.

#[path = "../fuzz/checks.rs"]
mod checks;
#[path = "../../../problems/fuzz/mutate.rs"]
mod mutate;

use opal_mip::Method;

#[test]
fn small_mips_agree_with_enumeration() {
    let mut byte = mutate::bytes(2);
    let mut infeasible = 0;
    for case in 0..40u8 {
        let values: Vec<i8> = (0..48).map(|_| byte() as i8).collect();
        let mip = checks::Mip::new(case.wrapping_mul(37), case / 4, &values);
        infeasible += usize::from(mip.enumerate().is_none());
        let method = if case % 4 == 0 {
            Method::Balans
        } else {
            Method::Highs
        };
        checks::check(&mip, method);
    }
    // the cases cover both outcomes
    assert!(
        infeasible > 0 && infeasible < 40,
        "{infeasible} of 40 infeasible"
    );
}
